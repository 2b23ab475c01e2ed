//! The device flow as Salesforce runs it (protocol notes §1): the start (`response_type=device_code` on the token
//! endpoint), the polls (`grant_type=device` with `code=`), and the `/setup/connect` page where the user enters
//! the user code and allows or denies.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::config::Approval;
use super::pages;
use super::params::Params;
use super::state::{DeviceGrant, DeviceStatus, Shared};
use super::token::{SecretRule, check_client, check_installed, token_response};
use super::tokens;
use super::wire;

/// The start response: no `expires_in`, no `verification_uri_complete`.
#[derive(Serialize)]
struct DeviceStart {
    device_code: String,
    user_code: String,
    /// Whole seconds, rounded up (a sub-second test interval reads as 1).
    interval: u64,
    verification_uri: String,
}

pub fn start(shared: &Shared, params: &Params) -> Response {
    let mut inner = shared.lock();
    let Some(app) = inner.live_app(params.non_empty("client_id")) else {
        return wire::oauth_error("invalid_client_id", "client identifier invalid");
    };
    if let Err(r) = check_installed(&app) {
        return r;
    }
    if !app.device_flow_enabled {
        // As captured in forcedotcom/code-builder-feedback#263 (Aug 2025): not `oauth_flow_disabled`.
        return wire::oauth_error("invalid_grant", "device flow is not enabled for the app");
    }
    let scopes = app.grant_scopes(params.non_empty("scope"));
    let user_code = tokens::user_code();
    let epoch_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or_default();
    let ip = shared
        .base_url
        .trim_start_matches("http://")
        .rsplit_once(':')
        .map(|(host, _)| host.to_string())
        .unwrap_or_default();
    let device_code = tokens::device_code(&app.client_id, &ip, epoch_ms, &user_code);
    let interval = inner.config.device_interval;
    let interval_s = interval.as_secs() + u64::from(interval.subsec_nanos() > 0);
    inner.store_device(
        device_code.clone(),
        DeviceGrant {
            client_id: app.client_id,
            user_code: user_code.clone(),
            scopes,
            issued: Instant::now(),
            last_poll: None,
            polls: 0,
            status: DeviceStatus::Pending,
        },
    );
    tracing::info!("sim: device flow started");
    wire::json_response(
        StatusCode::OK,
        &DeviceStart {
            device_code,
            user_code,
            interval: interval_s,
            verification_uri: format!("{}/setup/connect", shared.base_url),
        },
    )
}

pub fn poll(shared: &Shared, params: &Params) -> Response {
    let mut inner = shared.lock();
    // SFDX never sends a secret on the poll; one that is sent must be right (protocol notes §1).
    let app = match check_client(&inner, params, SecretRule::Optional) {
        Ok(app) => app,
        Err(r) => return r,
    };
    let code = params.non_empty("code").unwrap_or_default().to_string();
    let now = Instant::now();
    let (auto_approve, approval) = (inner.config.auto_approve, inner.config.approval);
    let Some(grant) = inner.devices.get(&code) else {
        // Unconfirmed wording.
        return wire::oauth_error("invalid_grant", "invalid device code");
    };
    if grant.client_id != app.client_id {
        return wire::oauth_error("invalid_grant", "invalid device code");
    }
    if inner.device_expired(grant) {
        inner.devices.remove(&code);
        // Unconfirmed: Salesforce has no `expired_token`; clients treat any other error as final (§1).
        return wire::oauth_error("invalid_grant", "expired device code");
    }
    let too_soon = inner.polled_too_soon(grant, now);
    let Some(grant) = inner.devices.get_mut(&code) else {
        return wire::oauth_error("invalid_grant", "invalid device code");
    };
    grant.last_poll = Some(now);
    if too_soon {
        return wire::oauth_error("slow_down", "polling too quickly for the token endpoint");
    }
    grant.polls += 1;
    if auto_approve && grant.status == DeviceStatus::Pending && grant.polls >= 2 {
        grant.status = match approval {
            Approval::Approve => DeviceStatus::Approved,
            Approval::Deny => DeviceStatus::Denied,
        };
    }
    match grant.status {
        // Unconfirmed description; SFDX checks only status 400 and the error code.
        DeviceStatus::Pending => wire::oauth_error("authorization_pending", "authorization pending"),
        // Unconfirmed description.
        DeviceStatus::Denied => wire::oauth_error("access_denied", "end-user denied authorization"),
        DeviceStatus::Approved => {
            let scopes = grant.scopes.clone();
            inner.devices.remove(&code);
            let issued = inner.issue(&app, scopes);
            tracing::info!(scopes = issued.scopes.len(), "sim: device grant, tokens issued");
            token_response(shared, &inner, &app, issued)
        }
    }
}

/// `GET /setup/connect[?user_code=]`
pub async fn page(Query(params): Query<HashMap<String, String>>) -> Response {
    pages::device_connect(params.get("user_code").map(String::as_str))
}

/// `POST /setup/connect`: the Allow or Deny button.
pub async fn decide(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let params = match Params::read(request).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let user_code = params.non_empty("user_code").unwrap_or_default();
    let (status, verdict) = match params.non_empty("action") {
        Some("Allow") => (DeviceStatus::Approved, "You're connected. Return to your device."),
        _ => (DeviceStatus::Denied, "Access was denied."),
    };
    if shared.lock().decide_device(user_code, status) {
        pages::device_result(StatusCode::OK, verdict)
    } else {
        pages::device_result(StatusCode::BAD_REQUEST, "Invalid or expired code. Check the code and try again.")
    }
}
