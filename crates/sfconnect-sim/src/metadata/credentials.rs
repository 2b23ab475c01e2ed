//! The Connect REST OAuth credentials resources (API 60.0+): the apps under OAuth usage, an app's
//! consumers, and a consumer's key and secret (`part=key|secret|keyandsecret`; without `part`, the key).
//! The secret needs "Allow access to External Client App consumer secrets via REST API"
//! ([`super::MetadataConfig::secrets_via_rest`]).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::super::org_apps::AppKind;
use super::super::rest::{check_session, check_version};
use super::super::state::Shared;
use super::super::wire;
use super::AppRecord;

/// The Connect resources exist from 60.0.
fn check(shared: &Shared, version: &str, headers: &HeaderMap) -> Result<(), Response> {
    let v = check_version(version)?;
    if v < 60 {
        return Err(wire::rest_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist"));
    }
    check_session(shared, headers)
}

/// Every External Client App the org lists, once each (Salesforce's usage list is of External Client Apps):
/// the configured app when it is one, with its own key and secret; the org fixture's other ones; those
/// `MetadataConfig::existing_apps` names; then those deployed, with the key and secret they answer to.
fn all_apps(shared: &Shared) -> Vec<AppRecord> {
    let inner = shared.lock();
    let org = &inner.config.org;
    // The configured app, when it is an External Client App, is the first of them (see `OrgFixture`).
    let configured_is_first = org.app_kind == AppKind::ExternalClientApp;
    let fixtures = org.external_client_apps.iter().enumerate().map(|(i, eca)| {
        let (key, secret) = if i == 0 && configured_is_first {
            (inner.config.client_id.clone(), inner.config.client_secret.clone())
        } else {
            (format!("3MVG9fixture{i:04}KeyOfAnOrgApp"), format!("{:064}", 800 + i))
        };
        AppRecord {
            name: eca.developer_name.clone(),
            label: eca.label.clone(),
            identifier: eca.id.clone(),
            consumer_id: format!("0Cs5g{:013}", 800_000 + i),
            key,
            secret,
        }
    });
    let existing = inner.config.metadata.existing_apps.iter().enumerate().map(|(i, name)| AppRecord {
        name: name.clone(),
        label: name.replace('_', " "),
        identifier: format!("0xI5g{:013}", 900_000 + i),
        consumer_id: format!("0Cs5g{:013}", 900_000 + i),
        key: format!("3MVG9existing{i:04}KeyOfAnOlderApp"),
        secret: format!("{:064}", i),
    });
    let deployed = &inner.metadata.apps;
    // A deployed app is in the org fixture too; its own record (key, secret, consumer) is the one listed.
    let fixtures = fixtures.filter(|f| !deployed.iter().any(|d| d.identifier == f.identifier));
    fixtures.chain(existing).chain(deployed.iter().cloned()).collect()
}

pub async fn usage(State(shared): State<Arc<Shared>>, Path(version): Path<String>, headers: HeaderMap) -> Response {
    if let Err(r) = check(&shared, &version, &headers) {
        return r;
    }
    let apps: Vec<Value> = all_apps(&shared)
        .iter()
        .map(|a| json!({"developerName": a.name, "identifier": a.identifier, "label": a.label, "type": "ExternalClientApplication"}))
        .collect();
    wire::json_response(StatusCode::OK, &json!({ "apps": apps }))
}

fn not_found() -> Response {
    wire::rest_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist")
}

pub async fn consumers(
    State(shared): State<Arc<Shared>>,
    Path((version, app)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = check(&shared, &version, &headers) {
        return r;
    }
    let Some(found) = all_apps(&shared).into_iter().find(|a| a.identifier == app) else { return not_found() };
    let consumer = json!({"id": found.consumer_id, "key": found.key, "name": found.label});
    wire::json_response(StatusCode::OK, &json!({ "consumers": [consumer] }))
}

pub async fn pair(
    State(shared): State<Arc<Shared>>,
    Path((version, app, consumer)): Path<(String, String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = check(&shared, &version, &headers) {
        return r;
    }
    let Some(found) = all_apps(&shared).into_iter().find(|a| a.identifier == app && a.consumer_id == consumer) else {
        return not_found();
    };
    let part = query.get("part").map(String::as_str).unwrap_or("key");
    let (key, secret) = match part {
        "key" => (true, false),
        "secret" => (false, true),
        "keyandsecret" => (true, true),
        _ => {
            return wire::rest_error(
                StatusCode::BAD_REQUEST,
                "INVALID_INPUT",
                "part must be key, secret or keyandsecret",
            );
        }
    };
    if secret && !shared.lock().config.metadata.secrets_via_rest {
        // The wording sfdx-hardis matches for this setting (protocol notes, External Client App creation).
        return wire::rest_error(
            StatusCode::FORBIDDEN,
            "FUNCTIONALITY_NOT_ENABLED",
            "This feature is not currently enabled for this user.",
        );
    }
    let mut body = serde_json::Map::new();
    if key {
        body.insert("key".into(), Value::String(found.key));
    }
    if secret {
        body.insert("secret".into(), Value::String(found.secret));
    }
    wire::json_response(StatusCode::OK, &Value::Object(body))
}
