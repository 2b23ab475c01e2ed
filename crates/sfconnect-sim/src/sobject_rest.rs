//! The sObject resources under `/services/data/vNN.N/sobjects`: global describe, an object's basic information
//! and describe (bodies in `describe.rs`), and retrieving one record by id, whole or `?fields=a,b`. Unknown
//! objects and records answer 404 `NOT_FOUND`, unknown fields 400 `INVALID_FIELD`, worded as Salesforce words
//! them (docs/protocol.md, "sObject resources").

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value};

use super::api_versions;
use super::describe;
use super::rest::{check_session, check_version, not_found_error};
use super::sobjects::SObject;
use super::state::Shared;
use super::wire;

fn checked(shared: &Shared, version: &str, headers: &HeaderMap) -> Result<(), Response> {
    check_version(version).and_then(|_| check_session(shared, headers)).map(|_| ())
}

/// `GET /sobjects`
pub async fn global(State(shared): State<Arc<Shared>>, Path(version): Path<String>, headers: HeaderMap) -> Response {
    if let Err(r) = checked(&shared, &version, &headers) {
        return r;
    }
    wire::json_response(StatusCode::OK, &describe::global(&version))
}

/// `GET /sobjects/{object}`
pub async fn basic_info(
    State(shared): State<Arc<Shared>>,
    Path((version, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = checked(&shared, &version, &headers) {
        return r;
    }
    match describe::find(&name) {
        Some(object) => wire::json_response(StatusCode::OK, &describe::basic_info(object, &version)),
        None => not_found_error(),
    }
}

/// `GET /sobjects/{object}/describe` and `GET /sobjects/{object}/{id}`: one route, since axum matches a
/// literal segment and a capture at the same place only in that order.
pub async fn describe_or_retrieve(
    State(shared): State<Arc<Shared>>,
    Path((version, name, segment)): Path<(String, String, String)>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = checked(&shared, &version, &headers) {
        return r;
    }
    let Some(object) = describe::find(&name) else {
        return not_found_error();
    };
    // At an older version, fields that arrived later are hidden here as in queries.
    let org = api_versions::org_at(&shared.lock().config.org, &version).into_owned();
    if segment == "describe" {
        return wire::json_response(StatusCode::OK, &describe::full(object, &org, &version));
    }
    retrieve(object, &org, &version, &segment, params.get("fields").map(String::as_str))
}

fn retrieve(
    object: &'static SObject,
    org: &super::org::OrgFixture,
    version: &str,
    id: &str,
    fields: Option<&str>,
) -> Response {
    if !looks_like_id(id) {
        // `/sobjects/User/Username` is how an external-id lookup starts; a segment that is not an id is taken
        // for an external-id field (seen in restforce/restforce#182).
        return wire::rest_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &format!("Provided external ID field does not exist or is not accessible: {id}"),
        );
    }
    if describe::key_prefix(object).is_some_and(|prefix| !id.starts_with(prefix)) {
        return not_found_error();
    }
    let own: Vec<&'static str> = describe::own_fields(object, org).collect();
    let wanted: Vec<&'static str> = match fields {
        None => own.clone(),
        Some(list) => {
            let mut wanted = Vec::new();
            for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                match own.iter().find(|f| f.eq_ignore_ascii_case(name)) {
                    Some(field) => wanted.push(*field),
                    None => return no_such_column(object, name),
                }
            }
            wanted
        }
    };
    let build = object.flat_rows.unwrap_or(object.rows);
    let Some(row) = build(org, version)
        .into_iter()
        .find(|row| row.get("Id").and_then(Value::as_str).is_some_and(|v| same_id(v, id)))
    else {
        return not_found_error();
    };
    let mut record = Map::new();
    if let Some(attributes) = row.get("attributes") {
        record.insert("attributes".to_string(), attributes.clone());
    }
    for field in wanted {
        record.insert(field.to_string(), row.get(field).cloned().unwrap_or(Value::Null));
    }
    wire::json_response(StatusCode::OK, &Value::Object(record))
}

/// A record id: 15 or 18 letters and digits.
fn looks_like_id(segment: &str) -> bool {
    matches!(segment.len(), 15 | 18) && segment.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A 15-character id names the same record as its 18-character form (which adds a case-safe suffix).
fn same_id(stored: &str, asked: &str) -> bool {
    stored == asked || (asked.len() == 15 && stored.len() == 18 && stored.starts_with(asked))
}

fn no_such_column(object: &SObject, name: &str) -> Response {
    wire::rest_error(
        StatusCode::BAD_REQUEST,
        "INVALID_FIELD",
        &format!(
            "No such column '{name}' on entity '{}'. If you are attempting to use a custom field, be sure to \
             append the '__c' after the custom field name. Please reference your WSDL or the describe call for \
             the appropriate names.",
            object.name
        ),
    )
}
