//! `/services/oauth2/token` (authorization-code and refresh grants, dispatch to the device flow) and
//! `/services/oauth2/revoke`. Errors are HTTP 400 `{"error","error_description"}` as Salesforce sends them;
//! the success body has no `expires_in` and an `issued_at` string of epoch milliseconds (protocol notes §2).
//! Each request is judged by the rules of the app its `client_id` names, and a code or refresh token works only
//! with the key of the app that issued it.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::device;
use super::oauth_apps::OAuthApp;
use super::params::Params;
use super::state::{ChallengeMethod, Inner, Issued, Shared};
use super::tokens;
use super::wire::{self, TokenResponse};

/// `POST /services/oauth2/token`
pub async fn token(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let params = match Params::read(request).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match (params.non_empty("grant_type"), params.non_empty("response_type")) {
        (Some("authorization_code"), _) => authorization_code(&shared, &params),
        (Some("refresh_token"), _) => refresh(&shared, &params),
        // Salesforce's device poll uses `grant_type=device`, not the RFC 8628 URN (protocol notes §1).
        (Some("device"), _) => device::poll(&shared, &params),
        (None, Some("device_code")) => device::start(&shared, &params),
        (None, Some(_)) => wire::oauth_error("unsupported_response_type", "response type not supported"),
        // Unconfirmed wording (protocol notes, "Could NOT confirm").
        _ => wire::oauth_error("unsupported_grant_type", "grant type not supported"),
    }
}

/// Which of the app's secret switches a grant obeys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretRule {
    /// "Require Secret for Web Server Flow".
    WebFlow,
    /// "Require Secret for Refresh Token Flow".
    Refresh,
    /// Never required: SFDX sends none on the device poll (protocol notes §1).
    Optional,
}

/// The client checks shared by the grants: a live key of one of the org's apps, that app installed, then its
/// secret when the app requires one (a secret that is sent must be right either way). Gives the app.
pub fn check_client(inner: &Inner, params: &Params, rule: SecretRule) -> Result<OAuthApp, Response> {
    let Some(app) = inner.live_app(params.non_empty("client_id")) else {
        return Err(wire::oauth_error("invalid_client_id", "client identifier invalid"));
    };
    check_installed(&app)?;
    let secret_required = match rule {
        SecretRule::WebFlow => app.secret_required_for_web_flow,
        SecretRule::Refresh => app.secret_required_for_refresh,
        SecretRule::Optional => false,
    };
    let secret_ok = match params.non_empty("client_secret") {
        Some(secret) => secret == app.client_secret,
        None => !secret_required,
    };
    if !secret_ok {
        // Unconfirmed wording (protocol notes §3).
        return Err(wire::oauth_error("invalid_client", "invalid client credentials"));
    }
    Ok(app)
}

/// The September 2025 block: a known key of an uninstalled app is refused before its secret is looked at, so
/// the answer is the same with a right secret, a wrong one or none.
pub fn check_installed(app: &OAuthApp) -> Result<(), Response> {
    if app.installed {
        return Ok(());
    }
    Err(wire::oauth_error(UNINSTALLED.0, UNINSTALLED.1))
}

/// Salesforce's words for an uninstalled app (docs.movedata.io, an authorize redirect captured in 2025).
pub const UNINSTALLED: (&str, &str) = ("invalid_client", "app must be installed into org");

fn authorization_code(shared: &Shared, params: &Params) -> Response {
    let mut inner = shared.lock();
    let app = match check_client(&inner, params, SecretRule::WebFlow) {
        Ok(app) => app,
        Err(r) => return r,
    };
    // Unconfirmed: that Salesforce checks the callback against the app before the code. It lets the
    // readiness probe report an unregistered callback; a server that checks the code first answers
    // invalid_grant instead, which the probe reads as "ready".
    if let Some(redirect_uri) = params.non_empty("redirect_uri")
        && !app.callback_allowed(redirect_uri, &shared.base_url)
    {
        return wire::oauth_error("redirect_uri_mismatch", "redirect_uri must match configuration");
    }
    let code = params.non_empty("code").unwrap_or_default();
    if inner.is_spent(code) {
        // Salesforce's words for a code used twice, as the brief and MSDK's mock give them (protocol notes §3).
        return wire::oauth_error("invalid_grant", "expired authorization code");
    }
    let Some(grant) = inner.codes.get(code) else {
        return wire::oauth_error("invalid_grant", "invalid authorization code");
    };
    if grant.client_id != app.client_id {
        // Another app's code: as unknown to this app as a made-up one. Wording unconfirmed.
        return wire::oauth_error("invalid_grant", "invalid authorization code");
    }
    if inner.code_expired(grant) {
        inner.codes.remove(code);
        // Unconfirmed wording (protocol notes §3).
        return wire::oauth_error("invalid_grant", "expired authorization code");
    }
    if params.get("redirect_uri") != Some(grant.redirect_uri.as_str()) {
        return wire::oauth_error("redirect_uri_mismatch", "redirect_uri must match configuration");
    }
    let verified = match (&grant.challenge, params.non_empty("code_verifier")) {
        (Some((challenge, ChallengeMethod::S256)), Some(verifier)) => tokens::s256_challenge(verifier) == *challenge,
        (Some((challenge, ChallengeMethod::Plain)), Some(verifier)) => verifier == challenge,
        (Some(_), None) => false,
        // A verifier for a code whose authorize request had no challenge is refused: there is nothing it can
        // prove, and a client that sends one has lost track of its own flow. Wording unconfirmed.
        (None, Some(_)) => false,
        (None, None) => true,
    };
    if !verified {
        return wire::oauth_error("invalid_grant", "invalid code verifier");
    }
    // Single use: a failed exchange above leaves the code usable; a successful one consumes it.
    let Some(grant) = inner.codes.remove(code) else {
        return wire::oauth_error("invalid_grant", "invalid authorization code");
    };
    inner.mark_spent(code.to_string(), grant.issued);
    let issued = inner.issue(&app, grant.scopes);
    tracing::info!(
        scopes = issued.scopes.len(),
        refresh = issued.refresh_token.is_some(),
        "sim: code exchanged, tokens issued"
    );
    token_response(shared, &inner, &app, issued)
}

fn refresh(shared: &Shared, params: &Params) -> Response {
    let mut inner = shared.lock();
    let app = match check_client(&inner, params, SecretRule::Refresh) {
        Ok(app) => app,
        Err(r) => return r,
    };
    // jsforce also sends `code_verifier` here; it is ignored (protocol notes §11).
    let token = params.non_empty("refresh_token").unwrap_or_default();
    let expired = || wire::oauth_error("invalid_grant", "expired access/refresh token");
    let Some(grant) = inner.refresh.get(token) else {
        return expired();
    };
    if grant.client_id != app.client_id {
        // Another app's refresh token: Salesforce answers as for an expired one (a refresh against a newly
        // generated consumer key, forcedotcom/SalesforceMobileSDK-iOS#236). The token stays usable by its app.
        return expired();
    }
    let (family, scopes, superseded) = (grant.family, grant.scopes.clone(), grant.superseded);
    if superseded {
        // Reuse of a rotated-out token deletes the current one and its access tokens (protocol notes §2).
        tracing::info!("sim: rotated refresh token reused, family revoked");
        inner.revoke_family(family);
        return expired();
    }
    inner.mark_token_used(family);
    let refresh_token = if app.refresh_rotation { inner.rotate(token) } else { None };
    let access_token = inner.issue_access(scopes.clone(), Some(family));
    tracing::info!(scopes = scopes.len(), rotated = refresh_token.is_some(), "sim: refresh grant, access token issued");
    token_response(shared, &inner, &app, Issued { access_token, refresh_token, scopes })
}

/// The success body shared by every grant, signed with `app`'s secret.
pub fn token_response(shared: &Shared, inner: &Inner, app: &OAuthApp, issued: Issued) -> Response {
    let org = &inner.config.org;
    let id = format!("{}/id/{}/{}", shared.base_url, org.org_id, org.user.user_id);
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or_default();
    let issued_at = now_ms.to_string();
    let id_token =
        issued.scopes.iter().any(|s| s == "openid").then(|| unsigned_id_token(shared, app, &id, now_ms / 1000));
    let body = TokenResponse {
        access_token: issued.access_token,
        refresh_token: issued.refresh_token,
        signature: tokens::signature(&app.client_secret, &id, &issued_at),
        scope: issued.scopes.join(" "),
        id_token,
        instance_url: inner.config.instance_url.clone().unwrap_or_else(|| shared.base_url.clone()),
        id,
        token_type: "Bearer",
        issued_at,
    };
    wire::json_response(StatusCode::OK, &body)
}

/// A stand-in `id_token`: the right claims, but `alg: none` and no signature. Salesforce signs with RS256;
/// the simulator has no key to publish, so a client that verifies id tokens will (rightly) reject this one.
fn unsigned_id_token(shared: &Shared, app: &OAuthApp, id: &str, now_s: u128) -> String {
    let header = serde_json::json!({"alg": "none", "typ": "JWT"});
    let claims = serde_json::json!({
        "iss": shared.base_url,
        "sub": id,
        "aud": app.client_id,
        "iat": now_s,
        "exp": now_s + 300,
    });
    format!("{}.{}.", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()))
}

/// `POST /services/oauth2/revoke` (form `token=`) and `GET …/revoke?token=`.
pub async fn revoke(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let params = match Params::read(request).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let token = params.non_empty("token").unwrap_or_default();
    let mut inner = shared.lock();
    if inner.access.remove(token).is_some() {
        tracing::info!("sim: access token revoked");
    } else if let Some(family) = inner.refresh.get(token).map(|g| g.family) {
        inner.revoke_family(family);
        tracing::info!("sim: refresh token and its access tokens revoked");
    } else {
        // Unconfirmed body (protocol notes §4: `invalid_token` is in the server's list).
        return wire::oauth_error("invalid_token", "invalid token");
    }
    StatusCode::OK.into_response()
}
