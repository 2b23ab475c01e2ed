//! `/services/oauth2/authorize`: validates the request as Salesforce does, then either shows the login-and-Allow
//! page (GET) or redirects with a code or an error (auto-approve, or the page's POST). A bad client or callback
//! gets Salesforce's own error page instead of a redirect (protocol notes §3). Every rule is the rules of the
//! app the `client_id` names.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::config::Approval;
use super::pages;
use super::params::Params;
use super::state::{ChallengeMethod, CodeGrant, Inner, Shared};
use super::tokens;
use super::wire;

/// A request that passed validation.
struct Accepted {
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
    scopes: Vec<String>,
    challenge: Option<(String, ChallengeMethod)>,
}

/// Rejected before or after the callback is trusted.
enum Rejected {
    /// Salesforce's own error page: the callback cannot be trusted, so no redirect.
    Page(Response),
    /// A redirect to the callback with `error` and `error_description`.
    Redirect(Response),
}

fn get<'a>(params: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    params.get(name).map(String::as_str).filter(|v| !v.is_empty())
}

fn validate(inner: &Inner, base_url: &str, params: &HashMap<String, String>) -> Result<Accepted, Rejected> {
    let Some(app) = inner.live_app(get(params, "client_id")) else {
        return Err(Rejected::Page(pages::authorize_error("invalid_client_id", "client identifier invalid")));
    };
    let Some(redirect_uri) = get(params, "redirect_uri") else {
        // Unconfirmed wording; `redirect_uri_missing` is in the server's error list (protocol notes §3).
        return Err(Rejected::Page(pages::authorize_error("redirect_uri_missing", "redirect_uri must be provided")));
    };
    if !app.callback_allowed(redirect_uri, base_url) {
        return Err(Rejected::Page(pages::authorize_error(
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        )));
    }
    let state = get(params, "state").map(str::to_string);
    let fail = |error: &str, description: &str| {
        Rejected::Redirect(error_redirect(redirect_uri, error, description, state.as_deref()))
    };
    if !app.installed {
        // Salesforce redirects this one to the callback (docs.movedata.io, protocol notes §3).
        let (error, description) = super::token::UNINSTALLED;
        return Err(fail(error, description));
    }
    if get(params, "response_type") != Some("code") {
        return Err(fail("unsupported_response_type", "response type not supported"));
    }
    let challenge = match (get(params, "code_challenge"), get(params, "code_challenge_method")) {
        (None, _) if app.pkce_required => {
            return Err(fail("invalid_request", "missing required code challenge"));
        }
        (None, _) => None,
        // jsforce and sfdx-core send no method: S256 is the default (protocol notes §2).
        (Some(c), None | Some("S256")) => Some((c.to_string(), ChallengeMethod::S256)),
        (Some(c), Some("plain")) => Some((c.to_string(), ChallengeMethod::Plain)),
        (Some(_), Some(_)) => {
            return Err(fail("invalid_request", "invalid code challenge method"));
        }
    };
    Ok(Accepted {
        redirect_uri: redirect_uri.to_string(),
        state,
        scopes: app.grant_scopes(get(params, "scope")),
        client_id: app.client_id,
        challenge,
    })
}

/// `GET /services/oauth2/authorize`
pub async fn show(State(shared): State<Arc<Shared>>, Query(params): Query<HashMap<String, String>>) -> Response {
    let mut inner = shared.lock();
    let accepted = match validate(&inner, &shared.base_url, &params) {
        Ok(accepted) => accepted,
        Err(Rejected::Page(r) | Rejected::Redirect(r)) => return r,
    };
    if inner.config.auto_approve {
        let approval = inner.config.approval;
        return conclude(&mut inner, accepted, approval);
    }
    let username = inner.config.org.user.username.clone();
    pages::authorize(&params, &username)
}

/// `POST /services/oauth2/authorize`: the Allow or Deny button of the page.
pub async fn decide(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let params = match Params::read(request).await {
        Ok(p) => p.into_map(),
        Err(r) => return r,
    };
    let mut inner = shared.lock();
    let accepted = match validate(&inner, &shared.base_url, &params) {
        Ok(accepted) => accepted,
        Err(Rejected::Page(r) | Rejected::Redirect(r)) => return r,
    };
    let approval = match get(&params, "action") {
        Some("Allow") => Approval::Approve,
        _ => Approval::Deny,
    };
    conclude(&mut inner, accepted, approval)
}

fn conclude(inner: &mut Inner, accepted: Accepted, approval: Approval) -> Response {
    let state = accepted.state.as_deref();
    if approval == Approval::Deny {
        tracing::info!("sim: authorize denied by the user");
        return error_redirect(&accepted.redirect_uri, "access_denied", "end-user denied authorization", state);
    }
    let code = tokens::authorization_code();
    tracing::info!(scopes = accepted.scopes.len(), "sim: authorization code issued");
    let location = redirect_url(&accepted.redirect_uri, &[("code", code.as_str())], state);
    inner.store_code(
        code,
        CodeGrant {
            client_id: accepted.client_id,
            redirect_uri: accepted.redirect_uri,
            scopes: accepted.scopes,
            challenge: accepted.challenge,
            issued: Instant::now(),
        },
    );
    found(&location)
}

fn error_redirect(redirect_uri: &str, error: &str, description: &str, state: Option<&str>) -> Response {
    found(&redirect_url(redirect_uri, &[("error", error), ("error_description", description)], state))
}

/// The callback with `pairs` (and `state`) appended, every value percent-encoded.
fn redirect_url(redirect_uri: &str, pairs: &[(&str, &str)], state: Option<&str>) -> String {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        // Registered callbacks are absolute URLs; an unparsable one can only be a misconfiguration.
        return redirect_uri.to_string();
    };
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in pairs {
            query.append_pair(name, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
    }
    url.to_string()
}

fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => wire::html(StatusCode::BAD_REQUEST, "bad redirect".to_string()),
    }
}
