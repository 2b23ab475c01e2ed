//! A small SOQL engine over the org fixture: `SELECT <fields | COUNT()> FROM <object> [WHERE a = 'x' AND b != y
//! AND c IN ('p','q')] [ORDER BY f [ASC|DESC]] [LIMIT n]`, with relationship paths (`Profile.UserLicense.Name`)
//! and Salesforce's error codes and message style. The objects themselves live in `sobjects.rs`; aggregates
//! (`GROUP BY`) would go beside [`run`].

use serde_json::{Map, Value};

use super::config::OrgFixture;
use super::sobjects::{SObject, objects};
use super::soql::{Condition, Literal, Parsed, Selection, parse};

/// A REST error for a query: `errorCode` and message.
#[derive(Debug)]
pub struct QueryError {
    pub code: &'static str,
    pub message: String,
}

impl QueryError {
    pub fn malformed(message: impl Into<String>) -> QueryError {
        QueryError { code: "MALFORMED_QUERY", message: message.into() }
    }
}

/// What a query produced: `total` is `totalSize` (for `COUNT()`, the count; then `records` is empty).
#[derive(Debug)]
pub struct QueryOutput {
    pub total: usize,
    pub records: Vec<Value>,
}

/// Runs `soql` against the fixture. `version` is the `vNN.N` path segment, used in `attributes.url`.
pub fn run(soql: &str, org: &OrgFixture, version: &str) -> Result<QueryOutput, QueryError> {
    let parsed: Parsed = parse(soql)?;
    let Some(object) = objects().iter().find(|o| o.name.eq_ignore_ascii_case(&parsed.object)) else {
        return Err(QueryError {
            code: "INVALID_TYPE",
            message: format!(
                "\n{soql}\n{}^\nERROR at Row:1:Column:{}\nsObject type '{}' is not supported. If you are \
                 attempting to use a custom object, be sure to append the '__c' after the entity name. Please \
                 reference your WSDL or the describe call for the appropriate names.",
                " ".repeat(parsed.object_column.saturating_sub(1)),
                parsed.object_column,
                parsed.object
            ),
        });
    };
    let canonical = |name: &str, column: usize| -> Result<&'static str, QueryError> {
        object
            .fields
            .iter()
            .find(|f| f.eq_ignore_ascii_case(name))
            .copied()
            .filter(|f| org.has_column(f))
            .ok_or_else(|| no_such_column(soql, object, name, column))
    };
    let selected: Option<Vec<&'static str>> = match &parsed.selection {
        Selection::Count => None,
        Selection::Fields(fields) => {
            Some(fields.iter().map(|(name, column)| canonical(name, *column)).collect::<Result<_, _>>()?)
        }
    };
    let conditions: Vec<(&'static str, &Condition)> =
        parsed.conditions.iter().map(|c| Ok((canonical(&c.field, c.column)?, c))).collect::<Result<_, QueryError>>()?;
    let order = match &parsed.order_by {
        Some((name, column, descending)) => Some((canonical(name, *column)?, *descending)),
        None => None,
    };

    let selected_paths = selected.iter().flatten().copied();
    let nested =
        selected_paths.chain(conditions.iter().map(|(p, _)| *p)).chain(order.map(|(p, _)| p)).any(|p| p.contains('.'));
    let build = match object.flat_rows {
        Some(flat) if !nested => flat,
        _ => object.rows,
    };
    let mut rows: Vec<Value> = build(org, version)
        .into_iter()
        .filter(|row| conditions.iter().all(|(path, condition)| condition.matches(lookup(row, path))))
        .collect();
    if let Some((path, descending)) = order {
        rows.sort_by(|a, b| {
            let ordering = sort_key(lookup(a, path)).cmp(&sort_key(lookup(b, path)));
            if descending { ordering.reverse() } else { ordering }
        });
    }
    if let Some(limit) = parsed.limit {
        rows.truncate(limit);
    }
    Ok(match selected {
        None => QueryOutput { total: rows.len(), records: Vec::new() },
        Some(fields) => {
            let records: Vec<Value> = rows.iter().map(|row| project(row, &fields)).collect();
            QueryOutput { total: records.len(), records }
        }
    })
}

fn no_such_column(soql: &str, object: &SObject, name: &str, column: usize) -> QueryError {
    let pointer = format!("\n{soql}\n{}^\nERROR at Row:1:Column:{column}\n", " ".repeat(column.saturating_sub(1)));
    let message = match name.rsplit_once('.') {
        Some((relationship, _))
            if !object
                .fields
                .iter()
                .any(|f| f.to_ascii_lowercase().starts_with(&format!("{}.", relationship.to_ascii_lowercase()))) =>
        {
            let first = relationship.split('.').next().unwrap_or(relationship);
            format!(
                "Didn't understand relationship '{first}' in field path. If you are attempting to use a custom \
                 relationship, be sure to append the '__r' after the custom relationship name. Please reference \
                 your WSDL or the describe call for the appropriate names."
            )
        }
        Some((relationship, field)) => format!(
            "No such column '{field}' on entity '{}'. If you are attempting to use a custom field, be sure to \
             append the '__c' after the custom field name. Please reference your WSDL or the describe call for \
             the appropriate names.",
            relationship.rsplit('.').next().unwrap_or(relationship)
        ),
        None => format!(
            "No such column '{name}' on entity '{}'. If you are attempting to use a custom field, be sure to \
             append the '__c' after the custom field name. Please reference your WSDL or the describe call for \
             the appropriate names.",
            object.name
        ),
    };
    QueryError { code: "INVALID_FIELD", message: format!("{pointer}{message}") }
}

/// The value at a dotted path, `Null` when a relationship on the way is empty.
fn lookup<'a>(row: &'a Value, path: &str) -> &'a Value {
    path.split('.').try_fold(row, |value, segment| value.get(segment)).unwrap_or(&Value::Null)
}

fn sort_key(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_ascii_lowercase(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The selected fields of `row`, nested as Salesforce nests relationship fields (each level with `attributes`).
fn project(row: &Value, fields: &[&str]) -> Value {
    let mut out = Map::new();
    if let Some(attributes) = row.get("attributes") {
        out.insert("attributes".to_string(), attributes.clone());
    }
    for field in fields {
        insert_path(&mut out, row, field);
    }
    Value::Object(out)
}

fn insert_path(out: &mut Map<String, Value>, source: &Value, path: &str) {
    match path.split_once('.') {
        None => {
            out.insert(path.to_string(), source.get(path).cloned().unwrap_or(Value::Null));
        }
        Some((relationship, rest)) => {
            let Some(child_source) = source.get(relationship).filter(|v| v.is_object()) else {
                out.insert(relationship.to_string(), Value::Null);
                return;
            };
            let child = out.entry(relationship.to_string()).or_insert_with(|| {
                let mut m = Map::new();
                if let Some(attributes) = child_source.get("attributes") {
                    m.insert("attributes".to_string(), attributes.clone());
                }
                Value::Object(m)
            });
            if let Value::Object(child) = child {
                insert_path(child, child_source, rest);
            }
        }
    }
}

impl Condition {
    fn matches(&self, value: &Value) -> bool {
        let hit = self.values.iter().any(|literal| literal_equals(literal, value));
        hit != self.negated
    }
}

/// SOQL `=`: text compares case-insensitively, and a 15-char id equals its 18-char form.
fn literal_equals(literal: &Literal, value: &Value) -> bool {
    match (literal, value) {
        (Literal::Null, Value::Null) => true,
        (Literal::Bool(b), Value::Bool(v)) => b == v,
        (Literal::Number(n), Value::Number(v)) => v.as_f64() == Some(*n),
        (Literal::Text(t), Value::String(v)) => {
            t.eq_ignore_ascii_case(v)
                || (t.len() == 15 && v.len() == 18 && v.starts_with(t.as_str()))
                || (t.len() == 18 && v.len() == 15 && t.starts_with(v.as_str()))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::UserFixture;

    fn org_with_two_users() -> OrgFixture {
        let mut org = OrgFixture::default();
        org.other_users.push(UserFixture {
            user_id: "0055g00000INTEGAAA".to_string(),
            username: "integration@acme.com".to_string(),
            profile_id: "00e5g000000MINACCA".to_string(),
            profile_name: "Minimum Access - Salesforce".to_string(),
            is_active: false,
            ..UserFixture::default()
        });
        org
    }

    #[test]
    fn where_compares_text_case_insensitively_and_ids_by_their_15_char_prefix() {
        let org = org_with_two_users();
        let out = run("SELECT Username FROM User WHERE Username = 'ADMIN@ACME.COM'", &org, "v66.0").unwrap();
        assert_eq!(out.records.len(), 1);
        let out = run("SELECT Id FROM User WHERE Id IN ('0055g00000INTEG')", &org, "v66.0").unwrap();
        assert_eq!(out.records[0]["Id"], "0055g00000INTEGAAA");
        let out = run("SELECT Id FROM User WHERE IsActive = true", &org, "v66.0").unwrap();
        assert_eq!(out.total, 1);
    }

    #[test]
    fn relationship_fields_nest_with_attributes_and_null_when_absent() {
        let org = org_with_two_users();
        let out = run("SELECT Profile.UserLicense.Name FROM User LIMIT 1", &org, "v50.0").unwrap();
        let record = &out.records[0];
        assert_eq!(record["attributes"]["url"], "/services/data/v50.0/sobjects/User/0055g00000ADMINAAA");
        assert_eq!(record["Profile"]["UserLicense"]["attributes"]["type"], "UserLicense");
        assert!(record["Profile"].get("Name").is_none(), "only selected fields");
    }

    #[test]
    fn unknown_columns_and_relationships_are_invalid_field() {
        let org = OrgFixture::default();
        let err = run("SELECT Id, Profile.Nope FROM User", &org, "v66.0").unwrap_err();
        assert_eq!(err.code, "INVALID_FIELD");
        assert!(err.message.contains("No such column 'Nope' on entity 'Profile'"), "{}", err.message);
        assert!(err.message.contains("ERROR at Row:1:Column:12"), "{}", err.message);
        let err = run("SELECT Manager.Name FROM User", &org, "v66.0").unwrap_err();
        assert!(err.message.contains("Didn't understand relationship 'Manager'"));
    }

    #[test]
    fn profiles_and_licences_derive_from_users() {
        let org = org_with_two_users();
        let out = run("SELECT Name FROM Profile ORDER BY Name DESC", &org, "v66.0").unwrap();
        assert_eq!(out.records[0]["Name"], "System Administrator");
        assert_eq!(out.total, 2);
        let out = run("SELECT Name, UsedLicenses FROM UserLicense", &org, "v66.0").unwrap();
        assert_eq!(out.total, 1);
        assert_eq!(out.records[0]["UsedLicenses"], 1);
    }
}
