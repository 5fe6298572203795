//! Reading template text into the raw type, with errors an author can act on: which format,
//! where (line, column, field path) and what kind of mistake.

use serde::de::DeserializeOwned;

use super::{MAX_TEMPLATE_BYTES, Template};
use crate::incident::model::Phase;

/// The text form a template came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateFormat {
    /// TOML (the shipped files, hand-written templates).
    Toml,
    /// JSON (the stored form, imports from other tools).
    Json,
}

impl std::fmt::Display for TemplateFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Toml => "TOML",
            Self::Json => "JSON",
        })
    }
}

/// The kind of mistake the parser met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseProblem {
    /// The text is not well-formed TOML / JSON.
    Syntax,
    /// A field the template format does not have (often a typo).
    UnknownField,
    /// A field the template format needs is absent.
    MissingField,
    /// A value outside its list (e.g. a kind).
    UnknownValue,
    /// A value of the wrong type (text for a number…).
    WrongType,
}

/// Why a template was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The text could not be read into a template.
    #[error("{format} template{}{}: {message}", line_text(*.line, *.column), path_text(path))]
    Parse {
        /// TOML or JSON.
        format: TemplateFormat,
        /// Kind of mistake.
        problem: ParseProblem,
        /// Field path, e.g. `phases.containment[2].text` (empty at the top).
        path: String,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// The parser's own words.
        message: String,
    },
    /// A phase name that is not one of the five.
    #[error(
        "unknown phase {name:?} in `phases`: use identification, containment, eradication, \
         recovery or lessons_learned (preparation is the standing checklist, not a phase)"
    )]
    UnknownPhase {
        /// The name found.
        name: String,
    },
    /// A kind that is not one of the list.
    #[error(
        "unknown kind {name:?}: use delivery_outage, leaked_secret, compromised_endpoint, \
         data_exposure or other"
    )]
    UnknownKind {
        /// The name found.
        name: String,
    },
    /// The template text is larger than any real template.
    #[error("the template is {bytes} bytes; at most {max} are accepted")]
    TooLarge {
        /// Its size.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// The id is not a slug.
    #[error(
        "template id {0:?} must be 1–64 characters of a-z, 0-9 and '-', not starting or ending \
         with '-'"
    )]
    BadId(String),
    /// Versions start at 1.
    #[error("template version must be 1 or more, not 0")]
    VersionZero,
    /// A text that must say something is blank.
    #[error("`{0}` must not be empty")]
    Empty(String),
    /// An item's text is blank.
    #[error("item {} of {phase} has an empty text", position + 1)]
    EmptyText {
        /// Its phase.
        phase: Phase,
        /// Its position (0-based).
        position: usize,
    },
    /// A text is longer than allowed.
    #[error("`{field}` is longer than {max} characters")]
    TooLong {
        /// Field path.
        field: String,
        /// The limit.
        max: usize,
    },
    /// The same item twice in one phase (case and surrounding spaces ignored).
    #[error("{phase} lists {text:?} twice")]
    DuplicateItem {
        /// The phase.
        phase: Phase,
        /// The item's text.
        text: String,
    },
    /// More items in a phase than anyone can work through.
    #[error("{phase} has {count} items; at most {max} are allowed")]
    TooManyItems {
        /// The phase.
        phase: Phase,
        /// How many it has.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A number outside its range.
    #[error("`{field}`: {detail}")]
    OutOfRange {
        /// Field path.
        field: String,
        /// What is wrong with it.
        detail: String,
    },
    /// A template without a single item would give an empty checklist.
    #[error("the template has no checklist item in any phase")]
    NoItems,
    /// The template could not be written out (a bug).
    #[error("the template could not be written: {0}")]
    Serialize(String),
}

fn line_text(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(", line {l} column {c}"),
        (Some(l), None) => format!(", line {l}"),
        _ => String::new(),
    }
}

fn path_text(path: &str) -> String {
    if path.is_empty() || path == "." {
        String::new()
    } else {
        format!(", at `{path}`")
    }
}

pub(super) fn from_toml(text: &str) -> Result<Template, TemplateError> {
    check_size(text)?;
    let de = toml::de::Deserializer::parse(text).map_err(|e| toml_error(text, "", &e))?;
    deserialize(de).map_err(|e| toml_error(text, &e.path().to_string(), e.inner()))
}

pub(super) fn from_json(text: &str) -> Result<Template, TemplateError> {
    check_size(text)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let template: Template = deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let full = inner.to_string();
        // serde_json appends the position, which is reported in its own fields.
        let message = match full.rfind(" at line ") {
            Some(i) => full[..i].to_owned(),
            None => full,
        };
        let problem = if inner.is_syntax() || inner.is_eof() {
            ParseProblem::Syntax
        } else {
            classify(&message)
        };
        refine(TemplateError::Parse {
            format: TemplateFormat::Json,
            problem,
            path,
            line: Some(inner.line()).filter(|l| *l > 0),
            column: Some(inner.column()).filter(|c| *c > 0),
            message,
        })
    })?;
    de.end().map_err(|e| TemplateError::Parse {
        format: TemplateFormat::Json,
        problem: ParseProblem::Syntax,
        path: String::new(),
        line: Some(e.line()),
        column: Some(e.column()),
        message: "text after the template".into(),
    })?;
    Ok(template)
}

fn deserialize<'de, D, T>(de: D) -> Result<T, serde_path_to_error::Error<D::Error>>
where
    D: serde::Deserializer<'de>,
    T: DeserializeOwned,
{
    serde_path_to_error::deserialize(de)
}

fn check_size(text: &str) -> Result<(), TemplateError> {
    if text.len() > MAX_TEMPLATE_BYTES {
        return Err(TemplateError::TooLarge {
            bytes: text.len(),
            max: MAX_TEMPLATE_BYTES,
        });
    }
    Ok(())
}

fn toml_error(text: &str, path: &str, e: &toml::de::Error) -> TemplateError {
    let (line, column) = match e.span() {
        Some(span) => {
            let (l, c) = line_column(text, span.start);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    let message = e.message().trim().to_owned();
    let problem = classify(&message);
    refine(TemplateError::Parse {
        format: TemplateFormat::Toml,
        problem,
        path: path.to_owned(),
        line,
        column,
        message,
    })
}

/// 1-based line and column (in characters) of byte `offset`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// serde's messages are stable ("unknown field `x`, expected …"): their start says the kind.
fn classify(message: &str) -> ParseProblem {
    if message.starts_with("unknown field") {
        ParseProblem::UnknownField
    } else if message.starts_with("missing field") {
        ParseProblem::MissingField
    } else if message.starts_with("unknown variant") {
        ParseProblem::UnknownValue
    } else if message.starts_with("invalid type") || message.starts_with("invalid value") {
        ParseProblem::WrongType
    } else {
        ParseProblem::Syntax
    }
}

/// Turns the two mistakes authors make most — a phase or a kind that does not exist — into
/// errors that list the right names.
fn refine(error: TemplateError) -> TemplateError {
    let TemplateError::Parse {
        problem,
        ref path,
        ref message,
        ..
    } = error
    else {
        return error;
    };
    let name = || quoted(message).unwrap_or_default().to_owned();
    match problem {
        ParseProblem::UnknownField if path == "phases" || path.starts_with("phases.") => {
            if path.matches('.').count() <= 1 && !path.contains('[') {
                return TemplateError::UnknownPhase { name: name() };
            }
            error
        }
        ParseProblem::UnknownValue if path == "kind" => TemplateError::UnknownKind { name: name() },
        _ => error,
    }
}

/// The first `…`-quoted name in a serde message.
fn quoted(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}
