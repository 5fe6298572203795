//! The `Link: <…>; rel="next"` header of `GET request_attempts`.
//!
//! Only the query of the link is used: its `pagination_cursor` (and, for inspection, the
//! other parameters). The link's scheme, host and path are ignored — Hook0 builds it on its
//! configured public URL, which may be another host than the one called, and following it
//! would send the bearer token there. The next request is rebuilt on the profile's own base.
//!
//! Parsing follows RFC 8288 loosely and never panics: several headers or several
//! comma-separated links, parameters in any case and order, quoted or bare `rel` values
//! holding several relation types, absolute or relative targets.

use url::Url;

/// The `rel="next"` link of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextLink {
    /// The opaque `pagination_cursor`.
    pub cursor: String,
    /// Every query parameter of the link, decoded, in order (the cursor included).
    pub params: Vec<(String, String)>,
}

/// Longest cursor accepted (Hook0's are ~120 characters).
const MAX_CURSOR_LEN: usize = 4096;

impl NextLink {
    /// Finds the `rel="next"` link among `values` (each one `Link` header). `Ok(None)` when
    /// there is none; `Err` with the reason when there is one but it has no usable cursor.
    pub fn find<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<Option<Self>, String> {
        for value in values {
            for (target, params) in split_links(value) {
                if is_next(&params) {
                    return Self::from_target(target).map(Some);
                }
            }
        }
        Ok(None)
    }

    fn from_target(target: &str) -> Result<Self, String> {
        // A relative target is resolved against a dummy base: only its query matters.
        let url = Url::parse(target)
            .or_else(|_| Url::parse("http://link.invalid/").and_then(|b| b.join(target)))
            .map_err(|e| format!("the next link `{}` is not a URL: {e}", shorten(target)))?;
        let params: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let cursor = params
            .iter()
            .find(|(k, _)| k == "pagination_cursor")
            .map(|(_, v)| v.clone())
            .ok_or_else(|| {
                format!(
                    "the next link `{}` has no pagination_cursor",
                    shorten(target)
                )
            })?;
        if cursor.is_empty()
            || cursor.len() > MAX_CURSOR_LEN
            || cursor.chars().any(char::is_control)
        {
            return Err("the next link's pagination_cursor is empty, too long or not text".into());
        }
        Ok(Self { cursor, params })
    }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 120;
    if text.chars().count() > MAX {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    } else {
        text.to_owned()
    }
}

/// Splits one header value into `(target, params)` pairs. Commas inside `<…>` and inside
/// quoted strings do not split.
fn split_links(value: &str) -> Vec<(&str, Vec<(String, String)>)> {
    let mut links = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else { break };
        let target = after[..close].trim();
        let tail = &after[close + 1..];
        let (params_text, next) = split_params(tail);
        links.push((target, parse_params(params_text)));
        rest = next;
    }
    links
}

/// Returns the parameter text of one link and what follows its terminating comma.
fn split_params(tail: &str) -> (&str, &str) {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in tail.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => return (&tail[..i], &tail[i + 1..]),
            _ => {}
        }
    }
    (tail, "")
}

fn parse_params(text: &str) -> Vec<(String, String)> {
    text.split(';')
        .filter_map(|part| {
            let part = part.trim();
            if part.is_empty() {
                return None;
            }
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            Some((name.trim().to_ascii_lowercase(), value.to_owned()))
        })
        .collect()
}

fn is_next(params: &[(String, String)]) -> bool {
    params.iter().any(|(name, value)| {
        name == "rel"
            && value
                .split_ascii_whitespace()
                .any(|rel| rel.eq_ignore_ascii_case("next"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hook0s_link() {
        let header = "<http://127.0.0.1:8081/api/v1/request_attempts?application_id=592390e9-14bc-4218-b5cd-0a6d23877528&min_created_at=2026-11-29+13%3A58%3A19.804028+UTC&pagination_cursor=eyJkYXRlIjoiMjAyNi0xMS0yOVQxMzo1ODowMy4yMTY1MDNaIn0%3D>; rel=\"next\"";
        let link = NextLink::find([header]);
        let Ok(Some(link)) = link else {
            unreachable!("a next link: {link:?}")
        };
        assert_eq!(
            link.cursor,
            "eyJkYXRlIjoiMjAyNi0xMS0yOVQxMzo1ODowMy4yMTY1MDNaIn0="
        );
        assert!(link.params.contains(&(
            "min_created_at".into(),
            "2026-11-29 13:58:19.804028 UTC".into()
        )));
    }

    #[test]
    fn picks_next_among_several_links_in_any_form() {
        let header = "</x?pagination_cursor=prev>; rel=prev, <https://other.example/a?b=c,d&pagination_cursor=n1>; title=\"a, b\"; REL=\"last NEXT\"";
        assert_eq!(
            NextLink::find([header]).map(|l| l.map(|l| l.cursor)),
            Ok(Some("n1".to_owned()))
        );
        assert_eq!(NextLink::find(["<a>; rel=prev"]), Ok(None));
        assert_eq!(NextLink::find(["garbage"]), Ok(None));
        assert!(NextLink::find(["</x?a=1>; rel=next"]).is_err(), "no cursor");
    }
}
