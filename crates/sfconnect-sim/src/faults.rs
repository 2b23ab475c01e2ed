//! Injected failures: what can go wrong (5xx, a maintenance page, rate limiting, slowness, a hang, broken JSON,
//! an empty body), where (which endpoints) and how often. Applied as one axum middleware in front of every
//! handler, so a handler never needs to know about faults. The same middleware adds `SimConfig::latency` to
//! every answer and answers for an API version the org does not serve.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::state::Shared;
use super::wire::{self, JSON_UTF8};

/// One kind of failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 500 with a short HTML body.
    ServerError,
    /// 503 with an HTML page like Salesforce's maintenance page.
    Maintenance,
    /// 429 with the endpoint's rate-limit body and no `Retry-After` (no captured Salesforce 429 shows one;
    /// [`Fault::AskToWait`] sends one).
    RateLimited,
    /// 429 or 503 with `Retry-After: <retry_after>`, the value sent as given: delta-seconds (`"30"`), an HTTP
    /// date, or something malformed a client must survive. A 429 carries the endpoint's rate-limit body (as
    /// [`Fault::RateLimited`]), any other status the maintenance page (as [`Fault::Maintenance`]).
    AskToWait { status: u16, retry_after: String },
    /// Answer normally, after this delay.
    Slow(Duration),
    /// Never answer (until the simulator shuts down).
    Hang,
    /// 200 `application/json` with a truncated body.
    MalformedJson,
    /// 200 with an empty body.
    EmptyBody,
    /// An OAuth error answer of Salesforce's shape, `{"error": …, "error_description": …}`: lets tests
    /// walk every code of the client's error table over real HTTP.
    OAuthError { status: u16, error: String, description: Option<String> },
    /// 403 with the plain-text body `Bad_OAuth_Token` (not JSON), as Salesforce answers some REST calls made
    /// with an expired or revoked access token.
    BadOAuthToken,
}

/// Which endpoints a fault hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultScope {
    All,
    /// `/services/oauth2/token`
    Token,
    /// `/services/oauth2/authorize`
    Authorize,
    /// `/services/oauth2/revoke`
    Revoke,
    /// `/services/data/**`
    Rest,
    /// `/services/oauth2/userinfo` and `/id/**`
    Identity,
}

impl FaultScope {
    fn matches(self, path: &str) -> bool {
        match self {
            FaultScope::All => true,
            FaultScope::Token => path == "/services/oauth2/token",
            FaultScope::Authorize => path == "/services/oauth2/authorize",
            FaultScope::Revoke => path == "/services/oauth2/revoke",
            FaultScope::Rest => path == "/services/data" || path.starts_with("/services/data/"),
            FaultScope::Identity => path == "/services/oauth2/userinfo" || path.starts_with("/id/"),
        }
    }
}

/// A fault, where it applies, and for how many requests (`None` = until cleared).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultPlan {
    pub fault: Fault,
    pub endpoints: FaultScope,
    pub remaining: Option<u32>,
}

impl FaultPlan {
    /// A fault on every matching request until cleared.
    pub fn always(fault: Fault, endpoints: FaultScope) -> FaultPlan {
        FaultPlan { fault, endpoints, remaining: None }
    }

    /// A fault on the next `n` matching requests.
    pub fn times(fault: Fault, endpoints: FaultScope, n: u32) -> FaultPlan {
        FaultPlan { fault, endpoints, remaining: Some(n) }
    }
}

/// Takes one use of the configured fault if it applies to `path`.
fn take_fault(shared: &Shared, path: &str) -> Option<Fault> {
    let mut inner = shared.lock();
    let plan = inner.config.fault.as_mut()?;
    if !plan.endpoints.matches(path) {
        return None;
    }
    let fault = plan.fault.clone();
    match plan.remaining {
        Some(0) => {
            inner.config.fault = None;
            return None;
        }
        Some(1) => inner.config.fault = None,
        Some(n) => plan.remaining = Some(n - 1),
        None => {}
    }
    Some(fault)
}

/// Waits the configured latency, refuses an API version the org does not serve, then injects the fault that
/// applies, if any.
pub async fn apply(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let latency = shared.lock().config.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let path = request.uri().path().to_string();
    if let Some(refusal) = super::api_versions::refuse_unserved(&shared, &path) {
        return refusal;
    }
    let Some(fault) = take_fault(&shared, &path) else {
        return next.run(request).await;
    };
    tracing::info!(?fault, "sim: injecting fault");
    let is_oauth = path.starts_with("/services/oauth2/");
    match fault {
        Fault::ServerError => wire::html(
            StatusCode::INTERNAL_SERVER_ERROR,
            "<html><body><h1>Internal Server Error</h1><p>An internal server error has occurred.</p></body></html>"
                .to_string(),
        ),
        Fault::Maintenance => wire::html(StatusCode::SERVICE_UNAVAILABLE, maintenance_page()),
        Fault::RateLimited => rate_limited(is_oauth),
        Fault::AskToWait { status, retry_after } => {
            let mut response = if status == 429 {
                rate_limited(is_oauth)
            } else {
                wire::html(StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE), maintenance_page())
            };
            // A value that is not even a valid header (a line break, say) is left out rather than sent.
            if let Ok(value) = HeaderValue::from_str(&retry_after) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        Fault::Slow(delay) => {
            tokio::time::sleep(delay).await;
            next.run(request).await
        }
        Fault::Hang => {
            let mut closing = shared.closing.clone();
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
                _ = closing.wait_for(|closed| *closed) => {}
            }
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
        Fault::MalformedJson => {
            (StatusCode::OK, [(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8))], r#"{"access_token":"00D"#)
                .into_response()
        }
        Fault::EmptyBody => StatusCode::OK.into_response(),
        Fault::BadOAuthToken => {
            (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"))], "Bad_OAuth_Token")
                .into_response()
        }
        Fault::OAuthError { status, error, description } => {
            let mut body = serde_json::json!({ "error": error });
            if let Some(d) = description {
                body["error_description"] = serde_json::Value::String(d);
            }
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
            (status, [(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8))], body.to_string()).into_response()
        }
    }
}

/// The 429 answer. Unconfirmed (protocol notes §3: no captured rate-limit body). REST uses the documented
/// REQUEST_LIMIT_EXCEEDED code; the OAuth body is a guess in the endpoint's error shape.
fn rate_limited(is_oauth: bool) -> Response {
    if is_oauth {
        wire::oauth_error_status(StatusCode::TOO_MANY_REQUESTS, "rate_limit_exceeded", "too many requests")
    } else {
        wire::rest_error(StatusCode::TOO_MANY_REQUESTS, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
    }
}

fn maintenance_page() -> String {
    // Modelled on the page Salesforce serves during planned maintenance; the wording is approximate.
    r#"<!DOCTYPE html>
<html><head><title>Salesforce - Down For Maintenance</title></head>
<body><h1>Down For Maintenance</h1>
<p>Salesforce is currently down for maintenance. We apologize for the inconvenience. Please check
<a href="https://status.salesforce.com">Salesforce Trust</a> for more information.</p>
</body></html>"#
        .to_string()
}
