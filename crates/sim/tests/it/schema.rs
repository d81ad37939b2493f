//! `docs/scenario.schema.json` must be what the types generate now, and
//! `docs/scenario-format.md` must mention every field of the schema.
//! `UPDATE_SCHEMA=1` rewrites the schema file.

use std::collections::BTreeSet;
use std::fs;

use serde_json::Value;

#[test]
fn committed_schema_is_fresh() {
    let path = crate::docs_dir().join("scenario.schema.json");
    let generated = sim::scenario::schema_json();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: regenerate it with UPDATE_SCHEMA=1 cargo test -p sim --test it schema",
        path.display()
    );
}

fn field_names(value: &Value, names: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get("properties") {
                names.extend(properties.keys().cloned());
            }
            map.values().for_each(|v| field_names(v, names));
        }
        Value::Array(items) => items.iter().for_each(|v| field_names(v, names)),
        _ => {}
    }
}

#[test]
fn format_doc_mentions_every_field() {
    let doc = fs::read_to_string(crate::docs_dir().join("scenario-format.md")).unwrap();
    let mut names = BTreeSet::new();
    field_names(sim::scenario::schema(), &mut names);
    let missing: Vec<&String> = names
        .iter()
        .filter(|name| !doc.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "scenario-format.md does not document {missing:?}"
    );
}
