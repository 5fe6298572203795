#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

const GOOD: &str = r#"
id = "my-outage"
name = "My outage"
kind = "delivery_outage"
version = 2

[[phases.identification]]
text = "Look at the failures"
required = true
due_after_minutes = 15

[[phases.containment]]
text = "Tell the customer"
"#;

fn toml_err(text: &str) -> TemplateError {
    Template::from_toml(text).unwrap_err()
}

fn json_err(text: &str) -> TemplateError {
    Template::from_json(text).unwrap_err()
}

#[test]
fn shipped_templates_parse_and_cover_their_kinds() {
    let all = shipped().unwrap();
    let ids: Vec<&str> = all.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "delivery-outage",
            "leaked-secret",
            "compromised-endpoint",
            "data-exposure"
        ]
    );
    let kinds: Vec<IncidentKind> = all.iter().map(|t| t.kind).collect();
    assert_eq!(
        kinds,
        [
            IncidentKind::DeliveryOutage,
            IncidentKind::LeakedSecret,
            IncidentKind::CompromisedEndpoint,
            IncidentKind::DataExposure
        ]
    );
    for t in &all {
        assert!(is_shipped(&t.id));
        for phase in Phase::ALL {
            let items = t.phases.items(phase);
            assert!(!items.is_empty(), "{} has no {phase:?} items", t.id);
            assert!(
                items.iter().any(|i| i.required),
                "{} has no required {phase:?} item",
                t.id
            );
        }
        assert_eq!(shipped_template(&t.id).unwrap().unwrap(), *t);
    }
    assert!(!is_shipped("my-outage"));
    assert!(shipped_template("my-outage").is_none());
}

#[test]
fn the_data_exposure_template_carries_the_72_hour_deadline() {
    let t = shipped_template("data-exposure").unwrap().unwrap();
    let deadlines: Vec<&Deadline> = Phase::ALL
        .iter()
        .flat_map(|p| t.phases.items(*p))
        .filter_map(|i| i.deadline.as_ref())
        .collect();
    assert!(!deadlines.is_empty());
    assert!(deadlines.iter().all(|d| d.hours_after_detection == 72));
    assert!(deadlines[0].label.contains("Art. 33"));
    let art34 = Phase::ALL
        .iter()
        .flat_map(|p| t.phases.items(*p))
        .any(|i| i.text.contains("Art. 34"));
    assert!(
        art34,
        "data-subject communication (Art. 34) is on the checklist"
    );
}

#[test]
fn templates_round_trip_between_toml_and_json() {
    for t in shipped().unwrap() {
        let json = t.to_json().unwrap();
        let from_json = Template::from_json(&json).unwrap();
        assert_eq!(from_json, t, "{} through JSON", t.id);
        let toml = from_json.to_toml().unwrap();
        let back = Template::from_toml(&toml).unwrap();
        assert_eq!(back, t, "{} through TOML:\n{toml}", t.id);
    }
    let mine = Template::from_toml(GOOD).unwrap();
    assert_eq!(mine.version, 2);
    assert_eq!(mine.description, "");
    assert!(
        !mine.phases.containment[0].required,
        "required defaults to false"
    );
    assert_eq!(Template::from_json(&mine.to_json().unwrap()).unwrap(), mine);
}

#[test]
fn an_unknown_field_names_its_path_and_line() {
    let text = GOOD.replace("due_after_minutes = 15", "due_after_minute = 15");
    match toml_err(&text) {
        TemplateError::Parse {
            format: TemplateFormat::Toml,
            problem: ParseProblem::UnknownField,
            path,
            line,
            message,
            ..
        } => {
            assert!(message.contains("due_after_minute"), "{message}");
            assert!(path.starts_with("phases.identification"), "{path}");
            assert_eq!(line, Some(10), "the line of the misspelt key");
        }
        other => panic!("expected an unknown field, got {other:?}"),
    }
    let e = json_err(r#"{"id":"a","name":"b","kind":"other","version":1,"colour":"red"}"#);
    assert!(
        matches!(
            &e,
            TemplateError::Parse {
                format: TemplateFormat::Json,
                problem: ParseProblem::UnknownField,
                line: Some(1),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("colour"), "{e}");
}

#[test]
fn a_missing_field_is_named() {
    let text = GOOD.replace("name = \"My outage\"\n", "");
    let e = toml_err(&text);
    assert!(
        matches!(&e, TemplateError::Parse { problem: ParseProblem::MissingField, message, .. } if message.contains("`name`")),
        "{e:?}"
    );
    let text = GOOD.replace("text = \"Tell the customer\"", "required = false");
    let e = toml_err(&text);
    match &e {
        TemplateError::Parse {
            problem: ParseProblem::MissingField,
            path,
            message,
            ..
        } => {
            assert!(message.contains("`text`"), "{message}");
            assert!(path.starts_with("phases.containment"), "{path}");
        }
        other => panic!("expected a missing field, got {other:?}"),
    }
}

#[test]
fn an_unknown_phase_or_kind_lists_the_right_names() {
    let text = GOOD.replace("[[phases.containment]]", "[[phases.preparation]]");
    assert_eq!(
        toml_err(&text),
        TemplateError::UnknownPhase {
            name: "preparation".into()
        }
    );
    let text = GOOD.replace("kind = \"delivery_outage\"", "kind = \"outage\"");
    let e = toml_err(&text);
    assert_eq!(
        e,
        TemplateError::UnknownKind {
            name: "outage".into()
        }
    );
    assert!(e.to_string().contains("data_exposure"), "{e}");
    let e = json_err(
        r#"{"id":"a","name":"b","kind":"other","version":1,"phases":{"recover":[{"text":"x"}]}}"#,
    );
    assert_eq!(
        e,
        TemplateError::UnknownPhase {
            name: "recover".into()
        }
    );
}

#[test]
fn bad_values_get_their_own_errors() {
    let e = toml_err(&GOOD.replace("version = 2", "version = 0"));
    assert_eq!(e, TemplateError::VersionZero);
    let e = toml_err(&GOOD.replace("version = 2", "version = -1"));
    assert!(
        matches!(&e, TemplateError::Parse { problem: ParseProblem::WrongType | ParseProblem::Syntax, path, .. } if path == "version"),
        "{e:?}"
    );
    for bad in ["My-Outage", "my outage", "-outage", "outage-", "", "café"] {
        let e = toml_err(&GOOD.replace("id = \"my-outage\"", &format!("id = \"{bad}\"")));
        assert_eq!(e, TemplateError::BadId(bad.into()));
    }
    let e = toml_err(&GOOD.replace("text = \"Tell the customer\"", "text = \"  \""));
    assert_eq!(
        e,
        TemplateError::EmptyText {
            phase: Phase::Containment,
            position: 0
        }
    );
    let e = toml_err(&GOOD.replace("name = \"My outage\"", "name = \"\""));
    assert_eq!(e, TemplateError::Empty("name".into()));
    let dup = format!("{GOOD}\n[[phases.containment]]\ntext = \"tell the customer  \"\n");
    assert_eq!(
        toml_err(&dup),
        TemplateError::DuplicateItem {
            phase: Phase::Containment,
            text: "tell the customer".into()
        }
    );
    let e = toml_err(&GOOD.replace("due_after_minutes = 15", "due_after_minutes = 0"));
    assert!(
        matches!(&e, TemplateError::OutOfRange { field, .. } if field == "phases.identification[0].due_after_minutes"),
        "{e:?}"
    );
    let dl = format!("{GOOD}deadline = {{ label = \"Art. 33\", hours_after_detection = 0 }}\n");
    assert!(
        matches!(toml_err(&dl), TemplateError::OutOfRange { field, .. } if field.ends_with("deadline.hours_after_detection"))
    );
    let long = GOOD.replace("Tell the customer", &"x".repeat(MAX_TEXT_CHARS + 1));
    assert!(matches!(
        toml_err(&long),
        TemplateError::TooLong {
            max: MAX_TEXT_CHARS,
            ..
        }
    ));
}

#[test]
fn too_many_items_no_items_and_huge_files_are_refused() {
    let mut text = GOOD.to_owned();
    for n in 0..MAX_ITEMS_PER_PHASE {
        text.push_str(&format!("\n[[phases.containment]]\ntext = \"step {n}\"\n"));
    }
    assert_eq!(
        toml_err(&text),
        TemplateError::TooManyItems {
            phase: Phase::Containment,
            count: MAX_ITEMS_PER_PHASE + 1,
            max: MAX_ITEMS_PER_PHASE
        }
    );
    let empty = "id = \"x\"\nname = \"X\"\nkind = \"other\"\nversion = 1\n";
    assert_eq!(toml_err(empty), TemplateError::NoItems);
    let huge = format!("{GOOD}#{}", " ".repeat(MAX_TEMPLATE_BYTES));
    assert!(matches!(toml_err(&huge), TemplateError::TooLarge { .. }));
}

#[test]
fn syntax_errors_give_the_line() {
    let e = toml_err("id = \"x\"\nname = \n");
    assert!(
        matches!(
            &e,
            TemplateError::Parse {
                problem: ParseProblem::Syntax,
                line: Some(2),
                ..
            }
        ),
        "{e:?}"
    );
    let e = json_err("{\n \"id\": \"x\",\n}");
    assert!(
        matches!(
            &e,
            TemplateError::Parse {
                format: TemplateFormat::Json,
                problem: ParseProblem::Syntax,
                line: Some(3),
                ..
            }
        ),
        "{e:?}"
    );
    let e = json_err(
        r#"{"id":"a","name":"b","kind":"other","version":1,"phases":{"recovery":[{"text":"x"}]}} []"#,
    );
    assert!(
        matches!(
            &e,
            TemplateError::Parse {
                problem: ParseProblem::Syntax,
                ..
            }
        ),
        "{e:?}"
    );
}
