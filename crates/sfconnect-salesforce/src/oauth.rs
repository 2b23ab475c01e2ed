//! The oauth2 crate fitted to Salesforce: the client type for the web server flow (authorize URL, PKCE,
//! state, code exchange), Salesforce's extra token fields, its error body, and the HTTP client oauth2 calls,
//! which is the project's own `reqwest::Client` (redirects off, timeouts set) behind a thin wrapper.
//!
//! Why a wrapper rather than oauth2's own `AsyncHttpClient` for `reqwest::Client`: oauth2 reads a non-200
//! answer as its error type alone, without the status or `Retry-After`, and reads a body of any size. The
//! wrapper reads the answer as every other request here does ([`Body::read`]: bounded, `Retry-After` kept)
//! and turns a failure into the one error table's [`Error`] before oauth2 sees it, so a code exchange fails
//! with the same messages and verdicts as the refresh and the device flow, which stay on [`crate::Client`]'s
//! own form posts: oauth2 5 has no refresh helper that takes Salesforce's answers (no `token_type` on some,
//! `issued_at` as a string), and its device flow polls on its own clock where ours is injected.

use std::future::Future;
use std::pin::Pin;

use oauth2::basic::{BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType};
use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse, RequestTokenError, StandardRevocableToken};
use serde::{Deserialize, Serialize};

use super::errors::{Error, OAuthError};
use super::http::{Body, fold_untrusted, transport_error};

/// The fields Salesforce adds to a token answer (protocol notes §2); `refresh_token` and `scope` are
/// standard fields.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct SalesforceTokenFields {
    #[serde(default)]
    pub instance_url: String,
    /// The identity URL: `https://login.salesforce.com/id/<org id>/<user id>`.
    #[serde(default)]
    pub id: String,
    pub issued_at: Option<IssuedAt>,
    /// Base64 HMAC-SHA256 of `id` and `issued_at`, keyed with the consumer secret. Not a secret itself.
    pub signature: Option<String>,
}

/// `issued_at` is a string of epoch milliseconds; accept a number too.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum IssuedAt {
    Text(String),
    Number(u64),
}

impl IssuedAt {
    pub fn millis(&self) -> Option<u64> {
        match self {
            IssuedAt::Text(t) => t.trim().parse().ok(),
            IssuedAt::Number(n) => Some(*n),
        }
    }
}

/// A token answer from Salesforce, as oauth2 reads it: oauth2's `StandardTokenResponse` but for
/// `token_type`, which RFC 6749 requires and oauth2's type does too, while Salesforce's own older examples of
/// the web server flow's answer leave it out (docs/protocol.md, Token endpoint). Missing, it is "Bearer",
/// the only type Salesforce issues: a code is spent by the time its answer is read, so an answer that
/// carries a token is never refused for a field sfconnect does not use.
#[derive(Debug, Deserialize, Serialize)]
pub struct SalesforceTokenResponse {
    access_token: oauth2::AccessToken,
    #[serde(default = "bearer", deserialize_with = "oauth2::helpers::deserialize_untagged_enum_case_insensitive")]
    token_type: BasicTokenType,
    refresh_token: Option<oauth2::RefreshToken>,
    #[serde(rename = "scope", default, deserialize_with = "oauth2::helpers::deserialize_space_delimited_vec")]
    scopes: Option<Vec<oauth2::Scope>>,
    #[serde(flatten)]
    salesforce: SalesforceTokenFields,
}

fn bearer() -> BasicTokenType {
    BasicTokenType::Bearer
}

impl SalesforceTokenResponse {
    /// The fields Salesforce adds.
    pub fn extra_fields(&self) -> &SalesforceTokenFields {
        &self.salesforce
    }
}

impl oauth2::TokenResponse for SalesforceTokenResponse {
    type TokenType = BasicTokenType;

    fn access_token(&self) -> &oauth2::AccessToken {
        &self.access_token
    }
    fn token_type(&self) -> &BasicTokenType {
        &self.token_type
    }
    /// Salesforce sends no `expires_in`: a session lasts as the org's session policy says.
    fn expires_in(&self) -> Option<std::time::Duration> {
        None
    }
    fn refresh_token(&self) -> Option<&oauth2::RefreshToken> {
        self.refresh_token.as_ref()
    }
    fn scopes(&self) -> Option<&Vec<oauth2::Scope>> {
        self.scopes.as_ref()
    }
}

/// Salesforce's OAuth error body, `{"error": …, "error_description": …}`. oauth2 reads it only from an
/// answer the wrapper passed on, which it never does for a failure (see the module docs); it is mapped
/// to [`Error::OAuth`] all the same, with the status RFC 6749 §5.2 gives such answers.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SalesforceErrorResponse {
    pub error: String,
    pub error_description: Option<String>,
}

impl std::fmt::Display for SalesforceErrorResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.error)?;
        match &self.error_description {
            Some(d) => write!(f, ": {d}"),
            None => Ok(()),
        }
    }
}

impl oauth2::ErrorResponse for SalesforceErrorResponse {}

/// oauth2's client with Salesforce's answers; its endpoint setters decide which requests it can make
/// (the authorize URL, the code exchange).
pub type SalesforceOAuthClient = oauth2::Client<
    SalesforceErrorResponse,
    SalesforceTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
>;

/// The project's HTTP client as oauth2 calls it, for requests to `host`.
pub struct OAuthHttp<'a> {
    pub http: &'a reqwest::Client,
    pub host: &'a str,
}

impl<'c> AsyncHttpClient<'c> for OAuthHttp<'_> {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Error>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let request = reqwest::Request::try_from(request).map_err(|e| transport_error(e, self.host))?;
            let response = self.http.execute(request).await.map_err(|e| transport_error(e, self.host))?;
            let body = Body::read(response, self.host).await?;
            if !body.status.is_success() {
                return Err(body.error());
            }
            // A 200 that is not JSON (a proxy's page) is told apart here, as for every other answer.
            if let Err(e) = serde_json::from_slice::<serde_json::Value>(&body.bytes) {
                return Err(body.unreadable(Some(&e)));
            }
            // oauth2 wants exactly 200 and a JSON content type; Salesforce sends
            // `application/json;charset=UTF-8`, and any 2xx with a JSON body is read as an answer.
            oauth2::http::Response::builder()
                .status(oauth2::http::StatusCode::OK)
                .header(oauth2::http::header::CONTENT_TYPE, "application/json")
                .body(body.bytes)
                .map_err(|_| Error::UnreadableResponse {
                    status: body.status.as_u16(),
                    what: super::errors::BodyKind::Other,
                    detail: None,
                })
        })
    }
}

/// oauth2's failure as the error table's: the wrapper's own errors come back as they were; a body oauth2
/// could not read as a token answer is "malformed", with serde's message (a position, never the text).
pub fn request_error(err: RequestTokenError<Error, SalesforceErrorResponse>) -> Error {
    match err {
        RequestTokenError::Request(e) => e,
        RequestTokenError::ServerResponse(e) => Error::OAuth(OAuthError {
            status: 400,
            code: fold_untrusted(&e.error).into(),
            description: e.error_description.as_deref().map(fold_untrusted),
        }),
        RequestTokenError::Parse(e, bytes) => {
            let body = Body {
                status: reqwest::StatusCode::OK,
                content_type: "application/json".into(),
                bytes,
                retry_after: None,
            };
            body.unreadable(Some(e.inner()))
        }
        RequestTokenError::Other(_) => {
            Error::UnreadableResponse { status: 200, what: super::errors::BodyKind::Other, detail: None }
        }
    }
}
