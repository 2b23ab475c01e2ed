//! The simulator's own wire shapes and response builders: OAuth error bodies (`{"error","error_description"}`),
//! REST error arrays (`[{"message","errorCode"}]`) and the token response. Deliberately independent of
//! `crate::salesforce`, so a misreading of the protocol cannot sit on both sides of a test.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Salesforce labels its JSON this way on the OAuth endpoints and the REST API alike.
pub const JSON_UTF8: &str = "application/json;charset=UTF-8";

pub fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    // Invariant: every body passed here is built from strings, numbers and maps, which always serialise.
    let text = serde_json::to_string(body).unwrap_or_else(|_| "{}".to_string());
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8))], text).into_response()
}

#[derive(Serialize)]
struct OAuthError<'a> {
    error: &'a str,
    error_description: &'a str,
}

/// An OAuth endpoint error. Salesforce answers them all with HTTP 400 except where noted by the caller.
pub fn oauth_error(error: &str, description: &str) -> Response {
    oauth_error_status(StatusCode::BAD_REQUEST, error, description)
}

pub fn oauth_error_status(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(status, &OAuthError { error, error_description: description })
}

#[derive(Serialize)]
struct RestError<'a> {
    message: &'a str,
    #[serde(rename = "errorCode")]
    error_code: &'a str,
}

/// A REST API error: a one-element JSON array.
pub fn rest_error(status: StatusCode, error_code: &str, message: &str) -> Response {
    json_response(status, &[RestError { message, error_code }])
}

/// The token response of every grant. No `expires_in`: Salesforce never sends one (protocol notes §2).
#[derive(Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub signature: String,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    pub instance_url: String,
    pub id: String,
    pub token_type: &'static str,
    /// Epoch milliseconds, as a string.
    pub issued_at: String,
}

/// An HTML page.
pub fn html(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("text/html;charset=UTF-8"))], body).into_response()
}

/// The token of an `Authorization: Bearer …` header (the scheme compared case-insensitively, as servers do).
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}
