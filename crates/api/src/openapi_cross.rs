//! The rules that tie request fields together, added to their components' schemas in one place
//! ([`CrossField`], a utoipa `Modify`): each component listed here becomes `allOf` of its
//! derived schema and the rule. What JSON Schema cannot say (one date not before another, a
//! custodian who must be a family member) stays in the field descriptions.

use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, ObjectBuilder, OneOfBuilder, Schema};
use utoipa::openapi::schema::{SchemaType, Type};
use utoipa::openapi::RefOr;
use utoipa::Modify;

use crate::openapi_limits as lim;

/// `{"const": value}` (as a one-value `enum`).
fn exactly(value: serde_json::Value) -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::AnyValue)
        .enum_values(Some([value]))
        .build()
        .into()
}

fn of_type(t: Type) -> Schema {
    ObjectBuilder::new().schema_type(t).build().into()
}

fn null() -> Schema {
    of_type(Type::Null)
}

/// An object with these required keys and property schemas.
fn branch(required: &[&str], properties: Vec<(&str, Schema)>) -> Schema {
    let mut b = ObjectBuilder::new();
    for r in required {
        b = b.required(*r);
    }
    for (name, schema) in properties {
        b = b.property(name, schema);
    }
    b.build().into()
}

/// `SearchArea::parse`: `current` needs `latitude` and `longitude` (a `GeoPoint`), `zipcode`
/// needs a `zipcode` (a `PostalCode`); the other keys are not read.
fn search_area() -> Schema {
    OneOfBuilder::new()
        .item(branch(
            &["location_type", "latitude", "longitude"],
            vec![
                ("location_type", exactly("current".into())),
                ("latitude", lim::latitude()),
                ("longitude", lim::longitude()),
            ],
        ))
        .item(branch(
            &["location_type", "zipcode"],
            vec![
                ("location_type", exactly("zipcode".into())),
                ("zipcode", lim::zipcode_required()),
            ],
        ))
        .build()
        .into()
}

/// `TemplateRequest::spec`: a `weekly` template needs `weekly_pattern`, an `alternating_weeks`
/// one `alternating_weeks_pattern`.
fn template_pattern() -> Schema {
    OneOfBuilder::new()
        .item(branch(
            &["pattern_type", "weekly_pattern"],
            vec![
                ("pattern_type", exactly("weekly".into())),
                ("weekly_pattern", of_type(Type::Object)),
            ],
        ))
        .item(branch(
            &["pattern_type", "alternating_weeks_pattern"],
            vec![
                ("pattern_type", exactly("alternating_weeks".into())),
                ("alternating_weeks_pattern", of_type(Type::Object)),
            ],
        ))
        .item(branch(
            &["pattern_type"],
            vec![("pattern_type", exactly("alternating_days".into()))],
        ))
        .build()
        .into()
}

/// `MedicationFields::checked` on creation: a reminder time exactly when the reminder is on.
fn medication_reminder_on_create() -> Schema {
    OneOfBuilder::new()
        .item(branch(
            &["reminder_enabled", "reminder_time"],
            vec![
                ("reminder_enabled", exactly(true.into())),
                ("reminder_time", of_type(Type::String)),
            ],
        ))
        .item(branch(
            &[],
            vec![
                (
                    "reminder_enabled",
                    ObjectBuilder::new()
                        .schema_type(SchemaType::AnyValue)
                        .enum_values(Some([false.into(), serde_json::Value::Null]))
                        .build()
                        .into(),
                ),
                ("reminder_time", null()),
            ],
        ))
        .build()
        .into()
}

/// `MedicationChanges::new`: a reminder time only together with `reminder_enabled: true`.
fn medication_reminder_on_update() -> Schema {
    AnyOfBuilder::new()
        .item(branch(&[], vec![("reminder_time", null())]))
        .item(branch(
            &["reminder_enabled"],
            vec![("reminder_enabled", exactly(true.into()))],
        ))
        .build()
        .into()
}

/// `JournalChanges::is_empty` is refused (400): one of the three must carry a value.
fn journal_change() -> Schema {
    let string = || -> Schema {
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .build()
            .into()
    };
    AnyOfBuilder::new()
        .item(branch(&["content"], vec![("content", string())]))
        .item(branch(&["entry_date"], vec![("entry_date", string())]))
        .item(branch(
            &["title"],
            vec![("title", lim::journal_title_required())],
        ))
        .build()
        .into()
}

/// The component each rule joins.
fn rules() -> [(&'static str, Schema); 5] {
    [
        ("ProviderSearchRequest", search_area()),
        ("TemplateRequest", template_pattern()),
        ("MedicationCreateRequest", medication_reminder_on_create()),
        ("MedicationUpdateRequest", medication_reminder_on_update()),
        ("JournalUpdateRequest", journal_change()),
    ]
}

/// The modifier: each listed component becomes `allOf` of itself and its rule.
pub struct CrossField;

impl Modify for CrossField {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for (name, rule) in rules() {
            if let Some(schema) = components.schemas.get_mut(name) {
                let own = std::mem::replace(schema, RefOr::T(lim::any_object()));
                *schema = AllOfBuilder::new().item(own).item(rule).into();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::OpenApi as _;

    #[test]
    fn every_rule_joins_a_component_of_the_document() {
        let doc = crate::ApiDoc::openapi();
        let schemas = doc.components.map(|c| c.schemas).unwrap_or_default();
        for (name, _) in rules() {
            let Some(RefOr::T(Schema::AllOf(all))) = schemas.get(name) else {
                panic!("{name} is not joined with its rule");
            };
            assert_eq!(all.items.len(), 2, "{name}");
        }
    }
}
