//! `POST .../metadata/deployRequest` and `GET .../metadata/deployRequest/{id}`: a multipart body with the
//! `deployOptions` JSON (part `json`, as the guide names it, or `entity_content`, as jsforce sends it)
//! and the zip as `file`; the answer is 201 with the id, then the status until `done`.

use std::sync::Arc;

use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::super::oauth_apps::OAuthApp;
use super::super::org_apps::ExternalClientAppFixture;
use super::super::rest::{check_session, check_version};
use super::super::state::{Inner, Shared};
use super::super::{tokens, wire};
use super::AppRecord;
use super::validate::{Failure, OrgView, ValidApp, validate};

fn deploy_url(base: &str, version: &str, id: &str) -> String {
    format!("{base}/services/data/{version}/metadata/deployRequest/{id}")
}

struct Request {
    options: Value,
    zip: Vec<u8>,
}

async fn read_request(mut multipart: Multipart) -> Result<Request, Response> {
    let bad = |message: &str| wire::rest_error(StatusCode::BAD_REQUEST, "INVALID_MULTIPART_REQUEST", message);
    let (mut options, mut zip) = (None, None);
    while let Some(field) = multipart.next_field().await.map_err(|_| bad("The multipart body could not be read"))? {
        match field.name().unwrap_or("") {
            "json" | "entity_content" => {
                let text = field.text().await.map_err(|_| bad("The deployOptions part could not be read"))?;
                let value: Value =
                    serde_json::from_str(&text).map_err(|_| bad("The deployOptions part is not valid JSON"))?;
                options = Some(value.get("deployOptions").cloned().unwrap_or(Value::Null));
            }
            "file" => zip = Some(field.bytes().await.map_err(|_| bad("The file part could not be read"))?.to_vec()),
            _ => {}
        }
    }
    match (options, zip) {
        (Some(options), Some(zip)) if options.is_object() => Ok(Request { options, zip }),
        (_, None) => Err(bad("The request has no file part with the zip")),
        _ => Err(bad("The request has no deployOptions")),
    }
}

fn flag(options: &Value, name: &str) -> bool {
    match &options[name] {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// A user may deploy metadata with "Modify Metadata Through Metadata API Functions" or "Modify All Data".
fn check_may_deploy(inner: &Inner) -> Result<(), Response> {
    let org = &inner.config.org;
    if ["Professional", "Group", "Essentials", "Personal", "Contact Manager"].iter().any(|e| org.edition.contains(e)) {
        return Err(wire::rest_error(
            StatusCode::FORBIDDEN,
            "FUNCTIONALITY_NOT_ENABLED",
            "The Metadata API is not enabled for this organization's edition.",
        ));
    }
    if !org.user_granted("PermissionsModifyMetadata") && !org.user_granted("PermissionsModifyAllData") {
        return Err(wire::rest_error(
            StatusCode::FORBIDDEN,
            "INSUFFICIENT_ACCESS",
            "You don't have permission to deploy metadata: Modify Metadata Through Metadata API Functions or Modify All Data is required.",
        ));
    }
    Ok(())
}

fn failure_json(f: &Failure) -> Value {
    json!({
        "changed": false, "created": false, "deleted": false, "success": false,
        "componentType": f.component_type, "fullName": f.full_name, "fileName": f.file_name,
        "lineNumber": f.line, "columnNumber": f.line.map(|_| 5),
        "problem": f.problem, "problemType": "Error",
    })
}

fn result_json(id: &str, check_only: bool, done: bool, outcome: &Result<Option<ValidApp>, Vec<Failure>>) -> Value {
    let (status, total, errors, failures) = match (done, outcome) {
        (false, Ok(app)) => ("InProgress", app.as_ref().map_or(0, |a| a.components + 1), 0, Vec::new()),
        (false, Err(_)) => ("InProgress", 0, 0, Vec::new()),
        (true, Ok(app)) => ("Succeeded", app.as_ref().map_or(0, |a| a.components + 1), 0, Vec::new()),
        (true, Err(f)) => ("Failed", f.len() as u32, f.len() as u32, f.iter().map(failure_json).collect()),
    };
    json!({
        "id": id,
        "checkOnly": check_only,
        "done": done,
        "success": done && status == "Succeeded",
        "status": status,
        "ignoreWarnings": false,
        "rollbackOnError": true,
        "runTestsEnabled": false,
        "numberComponentsDeployed": if done && errors == 0 { total } else { 0 },
        "numberComponentsTotal": total,
        "numberComponentErrors": errors,
        "numberTestsCompleted": 0,
        "numberTestsTotal": 0,
        "numberTestErrors": 0,
        "details": { "componentFailures": failures, "componentSuccesses": [] },
    })
}

pub async fn start(
    State(shared): State<Arc<Shared>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    if let Err(r) = check_version(&version).and_then(|_| check_session(&shared, &headers)) {
        return r;
    }
    if let Err(r) = check_may_deploy(&shared.lock()) {
        return r;
    }
    let request = match read_request(multipart).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let check_only = flag(&request.options, "checkOnly");
    let mut inner = shared.lock();
    let outcome = {
        let config = &inner.config.metadata;
        let existing_names: Vec<&str> = config
            .existing_apps
            .iter()
            .map(String::as_str)
            .chain(inner.metadata.apps.iter().map(|a| a.name.as_str()))
            .chain(inner.config.org.external_client_apps.iter().map(|a| a.developer_name.as_str()))
            .collect();
        let existing_keys: Vec<&str> = std::iter::once(inner.config.client_id.as_str())
            .chain(inner.deployed.iter().map(|d| d.app.client_id.as_str()))
            .collect();
        let org = OrgView {
            existing_names,
            existing_keys,
            eca_allowed: config.eca_allowed,
            supplied_secret_refused: config.supplied_secret_refused,
            ignore_warnings: flag(&request.options, "ignoreWarnings"),
        };
        validate(&request.zip, &org)
    };
    let id = inner.metadata.new_id("0Af");
    inner.metadata.deploy_requests += 1;
    if !check_only && let Ok(Some(app)) = &outcome {
        apply(&mut inner, app);
    }
    let polls = inner.config.metadata.deploy_polls;
    let final_result = result_json(&id, check_only, true, &outcome);
    inner.metadata.deploys.insert(id.clone(), super::DeployRecord { polls_left: polls, result: final_result });
    let body = json!({
        "id": id,
        "validatedDeployRequestId": null,
        "url": deploy_url(&shared.base_url, &version, &id),
        "deployOptions": request.options,
        "deployResult": result_json(&id, check_only, false, &outcome),
    });
    tracing::info!(check_only, ok = outcome.is_ok(), "sim: deploy request");
    wire::json_response(StatusCode::CREATED, &body)
}

/// Adds the deployed app to the org: its records, and an OAuth client with the package's rules whose key goes
/// live after the propagation delay. The apps already there keep working.
fn apply(inner: &mut Inner, app: &ValidApp) {
    let key = app.consumer_key.clone().unwrap_or_else(tokens::consumer_key);
    let secret = match &app.consumer_secret {
        Some(supplied) if !inner.config.metadata.org_replaces_secret => supplied.clone(),
        _ => tokens::consumer_secret(),
    };
    let identifier = inner.metadata.new_id("0xI");
    let consumer_id = inner.metadata.new_id("0Cs");
    let policy_id = inner.metadata.new_id("0xJ");
    // The org's objects show the new app as Salesforce's would: `ExternalClientApplication`, its OAuth
    // policies as the package set them, and its tokens under its label.
    let mut record = ExternalClientAppFixture::new(&app.name, &app.label, 0);
    record.id = identifier.clone();
    record.policy_id = policy_id;
    record.contact_email = app.contact_email.clone();
    record.distribution_state = app.distribution_state.clone();
    for (value, field) in [
        (&app.permitted_users, &mut record.permitted_users),
        (&app.ip_relaxation, &mut record.ip_relaxation),
        (&app.refresh_token_policy, &mut record.refresh_token_policy),
    ] {
        if let Some(value) = value {
            field.clone_from(value);
        }
    }
    inner.metadata.apps.push(AppRecord {
        name: app.name.clone(),
        label: app.label.clone(),
        identifier,
        consumer_id,
        key: key.clone(),
        secret: secret.clone(),
    });
    inner.config.org.adopt_deployed_app(record);
    let client = OAuthApp {
        client_id: key,
        client_secret: secret,
        callback_urls: app.callbacks.clone(),
        allow_loopback_callbacks: false,
        scopes: app.scopes.clone(),
        pkce_required: app.pkce_required,
        device_flow_enabled: app.device_flow,
        installed: true,
        secret_required_for_web_flow: !app.secret_optional,
        secret_required_for_refresh: app.secret_for_refresh,
        refresh_rotation: app.rotation,
        label: app.label.clone(),
    };
    let propagation = inner.config.metadata.propagation;
    inner.add_deployed_app(client, propagation);
}

pub async fn status(
    State(shared): State<Arc<Shared>>,
    Path((version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = check_version(&version).and_then(|_| check_session(&shared, &headers)) {
        return r;
    }
    let mut inner = shared.lock();
    let Some(record) = inner.metadata.deploys.get_mut(&id) else {
        return wire::rest_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist");
    };
    let mut result = record.result.clone();
    if record.polls_left > 0 {
        record.polls_left -= 1;
        result["done"] = Value::Bool(false);
        result["success"] = Value::Bool(false);
        result["status"] = Value::String("InProgress".into());
        result["numberComponentsDeployed"] = json!(0);
        result["numberComponentErrors"] = json!(0);
        result["details"] = json!({ "componentFailures": [], "componentSuccesses": [] });
    }
    let body = json!({
        "id": id,
        "url": deploy_url(&shared.base_url, &version, &id),
        "deployResult": result,
    });
    wire::json_response(StatusCode::OK, &body)
}
