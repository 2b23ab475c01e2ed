//! The SOQL engine over the org fixture: runs a [`Parsed`] query (syntax in `soql/`) against the rows of
//! `sobjects.rs`. Filters (`AND`/`OR`/`NOT`, comparisons, `LIKE`, `IN`, date literals), relationship paths,
//! `ORDER BY` on several keys, `LIMIT`/`OFFSET` and `COUNT()` are here; grouped and aggregate queries are in
//! `aggregate.rs`. Unknown objects and fields answer Salesforce's `INVALID_TYPE` and `INVALID_FIELD`.

use std::cmp::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use super::aggregate;
use super::config::OrgFixture;
use super::filter::Filter;
use super::sobjects::{SObject, objects};
use super::soql::{Condition, Literal, Located, Operator, OrderKey, Parsed, SelectItem, malformed_at, parse, pointer};

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

/// Salesforce refuses an `OFFSET` beyond this (SOQL reference, "OFFSET").
const MAX_OFFSET: usize = 2000;

/// Everything a run needs to resolve a name: the query text (for error pointers), the object and the org.
pub struct Scope<'a> {
    pub soql: &'a str,
    pub object: &'static SObject,
    pub org: &'a OrgFixture,
}

impl Scope<'_> {
    /// The canonical spelling of a field path the query names, or `INVALID_FIELD` pointing at it.
    pub fn canonical(&self, located: &Located) -> Result<&'static str, QueryError> {
        self.object
            .fields
            .iter()
            .find(|f| f.eq_ignore_ascii_case(&located.name))
            .copied()
            .filter(|f| self.org.has_column(f))
            .ok_or_else(|| no_such_column(self.soql, self.object, &located.name, located.column))
    }

    fn filter(&self, condition: &Condition) -> Result<Filter, QueryError> {
        let all = |parts: &[Condition]| parts.iter().map(|c| self.filter(c)).collect::<Result<Vec<_>, _>>();
        Ok(match condition {
            Condition::And(parts) => Filter::And(all(parts)?),
            Condition::Or(parts) => Filter::Or(all(parts)?),
            Condition::Not(inner) => Filter::Not(Box::new(self.filter(inner)?)),
            Condition::Compare { field, operator, values } => {
                let path = self.canonical(field)?;
                if *operator == Operator::Like && !matches!(values.as_slice(), [Literal::Text(_)]) {
                    return Err(malformed_at(self.soql, field.column, "invalid operator"));
                }
                Filter::Compare { path, operator: *operator, values: values.clone() }
            }
        })
    }
}

/// Runs `soql` against the fixture. `version` is the `vNN.N` path segment, used in `attributes.url`.
pub fn run(soql: &str, org: &OrgFixture, version: &str) -> Result<QueryOutput, QueryError> {
    let parsed: Parsed = parse(soql)?;
    let Some(object) = objects().iter().find(|o| o.name.eq_ignore_ascii_case(&parsed.object.name)) else {
        return Err(QueryError {
            code: "INVALID_TYPE",
            message: format!(
                "{}sObject type '{}' is not supported. If you are attempting to use a custom object, be sure to \
                 append the '__c' after the entity name. Please reference your WSDL or the describe call for the \
                 appropriate names.",
                pointer(soql, parsed.object.column),
                parsed.object.name
            ),
        });
    };
    let scope = Scope { soql, object, org };
    let filter = parsed.filter.as_ref().map(|c| scope.filter(c)).transpose()?;
    if let Some(offset) = parsed.offset.filter(|o| *o > MAX_OFFSET) {
        return Err(QueryError {
            code: "NUMBER_OUTSIDE_VALID_RANGE",
            message: format!("Maximum SOQL offset allowed is {MAX_OFFSET} (asked for {offset})"),
        });
    }
    if parsed.is_aggregate() {
        return aggregate::run(&scope, &parsed, filter.as_ref(), version);
    }
    let count_only = parsed.is_count_only();
    if count_only && !parsed.group_by.is_empty() {
        // The SOQL reference: "If you are using a GROUP BY clause, use COUNT(fieldName) instead of COUNT()".
        let column = parsed.group_by[0].column;
        return Err(malformed_at(soql, column, "COUNT() and GROUP BY may not be used together in a query"));
    }
    let mut selected: Vec<&'static str> = Vec::new();
    for item in &parsed.select {
        match item {
            SelectItem::Field { path, alias: None } => selected.push(scope.canonical(path)?),
            SelectItem::Field { path, alias: Some(_) } => {
                return Err(malformed_at(soql, path.column, "Only aggregate expressions use field aliasing"));
            }
            // Only a lone `COUNT()` gets here: any other aggregate makes the query an aggregate one.
            SelectItem::Aggregate { .. } => {}
        }
    }
    let mut order: Vec<(&'static str, bool, bool)> = Vec::new();
    for item in &parsed.order_by {
        let field = match &item.key {
            OrderKey::Field(field) => field,
            OrderKey::Aggregate(_, field) => {
                return Err(malformed_at(soql, field.column, "Ordered field must be grouped or aggregated"));
            }
        };
        order.push((scope.canonical(field)?, item.descending, item.nulls_last.unwrap_or(item.descending)));
    }

    let mut paths = selected.iter().copied().chain(order.iter().map(|(p, _, _)| *p));
    let nested = paths.any(|p| p.contains('.')) || filter.as_ref().is_some_and(Filter::follows_relationship);
    let build = match object.flat_rows {
        Some(flat) if !nested => flat,
        _ => object.rows,
    };
    let now = now_seconds();
    let mut rows: Vec<Value> =
        build(org, version).into_iter().filter(|row| filter.as_ref().is_none_or(|f| f.matches(row, now))).collect();
    if !order.is_empty() {
        rows.sort_by(|a, b| {
            order
                .iter()
                .map(|(path, descending, nulls_last)| {
                    compare_for_order(lookup(a, path), lookup(b, path), *descending, *nulls_last)
                })
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        });
    }
    let rows = window(rows, parsed.offset, parsed.limit);
    Ok(if count_only {
        QueryOutput { total: rows.len(), records: Vec::new() }
    } else {
        let records: Vec<Value> = rows.iter().map(|row| project(row, &selected)).collect();
        QueryOutput { total: records.len(), records }
    })
}

/// `OFFSET` then `LIMIT`.
pub fn window<T>(rows: Vec<T>, offset: Option<usize>, limit: Option<usize>) -> Vec<T> {
    let skipped = rows.into_iter().skip(offset.unwrap_or(0));
    match limit {
        Some(limit) => skipped.take(limit).collect(),
        None => skipped.collect(),
    }
}

pub fn now_seconds() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Ascending order with nulls first unless `nulls_last`; `descending` reverses the values but not where nulls go.
pub fn compare_for_order(a: &Value, b: &Value, descending: bool, nulls_last: bool) -> Ordering {
    match (a.is_null(), b.is_null()) {
        (true, true) => Ordering::Equal,
        (true, false) => {
            if nulls_last {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (false, true) => {
            if nulls_last {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        (false, false) => {
            let ordering = compare_values(a, b);
            if descending { ordering.reverse() } else { ordering }
        }
    }
}

/// Numbers by value, text without regard to case, false before true.
pub fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().unwrap_or(0.0).partial_cmp(&y.as_f64().unwrap_or(0.0)).unwrap_or(Ordering::Equal)
        }
        (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => a.to_string().cmp(&b.to_string()),
    }
}

pub fn no_such_column(soql: &str, object: &SObject, name: &str, column: usize) -> QueryError {
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
pub fn lookup<'a>(row: &'a Value, path: &str) -> &'a Value {
    path.split('.').try_fold(row, |value, segment| value.get(segment)).unwrap_or(&Value::Null)
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
