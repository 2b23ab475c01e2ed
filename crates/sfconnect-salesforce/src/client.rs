//! [`Client`]: the requests sfconnect makes to a login host. Each is one function; the waits built on
//! them (device polling, the readiness probe) live in `device_flow.rs` and `probe.rs`.
//!
//! Every secret travels in a POST body (`application/x-www-form-urlencoded`), never in a URL.

use std::borrow::Cow;

use oauth2::{AuthType, AuthorizationCode, ClientId, PkceCodeVerifier, RedirectUrl, TokenUrl};
use serde::Deserialize;

use super::clock::Clock;
use super::errors::Error;
use super::hosts::LoginHost;
use super::http::{Body, build_http_client, transport_error};
use super::oauth::{OAuthHttp, SalesforceOAuthClient, request_error};
use super::retry::{RetryNotice, RetryPolicy, retry_transient};
use super::secret::{AccessToken, AuthCode, ClientSecret, CodeVerifier, RefreshToken};
use super::token::{TokenGrant, WireTokenResponse};

const TOKEN_PATH: &str = "/services/oauth2/token";
const REVOKE_PATH: &str = "/services/oauth2/revoke";

/// A consumer key and, for a confidential app, its secret.
#[derive(Debug, Clone)]
pub struct AppCredentials {
    pub client_id: String,
    pub client_secret: Option<ClientSecret>,
}

/// What the code exchange needs beyond the app's credentials.
#[derive(Debug)]
pub struct CodeExchange<'a> {
    pub code: &'a AuthCode,
    pub redirect_uri: &'a str,
    pub code_verifier: Option<&'a CodeVerifier>,
}

/// A Salesforce client for one login host.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    host: LoginHost,
    notice: RetryNotice,
}

impl Client {
    /// A client with a fresh HTTP client (which fails only as [`build_http_client`] says). Prefer
    /// [`Client::with_http`] to share one.
    pub fn new(host: LoginHost) -> Result<Self, Error> {
        Ok(Self::with_http(build_http_client()?, host))
    }

    pub fn with_http(http: reqwest::Client, host: LoginHost) -> Self {
        Self { http, host, notice: RetryNotice::default() }
    }

    /// The same client, telling `notice` before each retry of a refresh (for a progress line).
    pub fn with_retry_notice(mut self, notice: RetryNotice) -> Self {
        self.notice = notice;
        self
    }

    pub fn host(&self) -> &LoginHost {
        &self.host
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    fn host_name(&self) -> &str {
        self.host.origin()
    }

    /// POSTs a form to the token endpoint and returns the raw answer.
    pub(crate) async fn post_token_form(&self, form: &[(&str, &str)]) -> Result<Body, Error> {
        self.post_form(TOKEN_PATH, form).await
    }

    async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Result<Body, Error> {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let body = zeroize::Zeroizing::new(body);
        // The shape only: which grant, never a value of the form.
        let grant_type = form.iter().find(|(name, _)| *name == "grant_type").map_or("-", |(_, value)| *value);
        let started = std::time::Instant::now();
        let response = self
            .http
            .post(self.host.url(path))
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(body.as_bytes().to_vec())
            .send()
            .await
            .map_err(|e| {
                tracing::debug!(path, grant_type, "POST failed before an answer");
                transport_error(e, self.host_name())
            })?;
        let body = Body::read(response, self.host_name()).await?;
        let ms = started.elapsed().as_millis() as u64;
        tracing::debug!(path, grant_type, status = body.status.as_u16(), ms, "POST answered");
        Ok(body)
    }

    /// Reads a token answer: a grant on 200, the typed error otherwise.
    fn token_answer(body: &Body) -> Result<TokenGrant, Error> {
        if !body.status.is_success() {
            return Err(body.error());
        }
        let wire: WireTokenResponse = body.json()?;
        Ok(wire.into())
    }

    /// Exchanges an authorization code for tokens (`grant_type=authorization_code`), through oauth2 on this
    /// client's HTTP client; the credentials, the code and the verifier travel in the POST body.
    ///
    /// Not retried on failure: a code is single use, so after an ambiguous failure the caller must ask
    /// for a new authorization rather than send the same code again.
    pub async fn exchange_code(&self, app: &AppCredentials, exchange: &CodeExchange<'_>) -> Result<TokenGrant, Error> {
        let token_url = TokenUrl::new(self.host.url(TOKEN_PATH))
            .map_err(|_| Error::LoginUrl(crate::hosts::LoginUrlError::NotAUrl(self.host_name().to_string())))?;
        let redirect = RedirectUrl::new(exchange.redirect_uri.to_string())
            .map_err(|_| crate::web_flow::bad_callback(exchange.redirect_uri))?;
        let oauth = SalesforceOAuthClient::new(ClientId::new(app.client_id.clone()))
            .set_token_uri(token_url)
            // Salesforce takes the secret in the body or as Basic auth; the body is what every other
            // request here sends.
            .set_auth_type(AuthType::RequestBody);
        let mut request = oauth
            .exchange_code(AuthorizationCode::new(exchange.code.expose().to_string()))
            .set_redirect_uri(Cow::Owned(redirect));
        // Lent, not copied into oauth2's client, whose secret types are not wiped when dropped.
        if let Some(secret) = &app.client_secret {
            request = request.add_extra_param("client_secret", secret.expose());
        }
        if let Some(verifier) = exchange.code_verifier {
            request = request.set_pkce_verifier(PkceCodeVerifier::new(verifier.expose().to_string()));
        }
        let http = OAuthHttp { http: &self.http, host: self.host_name() };
        let answer = request.request_async(&http).await.map_err(request_error)?;
        let grant = TokenGrant::from_oauth(&answer);
        tracing::info!(scopes = grant.scopes.len(), refresh_token = grant.refresh_token.is_some(), "code exchange ok");
        Ok(grant)
    }

    /// Uses a refresh token (`grant_type=refresh_token`). Salesforce returns no new refresh token unless
    /// rotation is on, in which case the caller must store the new one.
    pub async fn refresh(&self, app: &AppCredentials, refresh_token: &RefreshToken) -> Result<TokenGrant, Error> {
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
            ("client_id", &app.client_id),
        ];
        if let Some(secret) = &app.client_secret {
            form.push(("client_secret", secret.expose()));
        }
        let body = self.post_token_form(&form).await?;
        let grant = Self::token_answer(&body)?;
        tracing::info!(rotated = grant.refresh_token.is_some(), "refresh ok");
        Ok(grant)
    }

    /// [`Client::refresh`], tried again after a transient failure (5xx, 429, a maintenance page, a
    /// timeout) as `policy` says. Safe to repeat: a refresh creates nothing. With refresh token rotation
    /// on, a retry after an answer lost on the way back may be refused (`invalid_grant`), because the
    /// first try already rotated the token; the error table's fix for that case says to authorize again.
    pub async fn refresh_with_retry(
        &self,
        app: &AppCredentials,
        refresh_token: &RefreshToken,
        clock: &impl Clock,
        policy: RetryPolicy,
    ) -> Result<TokenGrant, Error> {
        retry_transient(clock, policy, |e, pause| self.notice.tell(e, pause), || self.refresh(app, refresh_token)).await
    }

    /// Revokes a refresh token (and with it its access tokens). Success is any status below 400.
    pub async fn revoke(&self, token: &RefreshToken) -> Result<(), Error> {
        let body = self.post_form(REVOKE_PATH, &[("token", token.expose())]).await?;
        if body.status.as_u16() < 400 {
            tracing::info!("revoke ok");
            Ok(())
        } else {
            Err(body.error())
        }
    }

    /// Revokes an access token.
    pub async fn revoke_access(&self, token: &AccessToken) -> Result<(), Error> {
        let body = self.post_form(REVOKE_PATH, &[("token", token.expose())]).await?;
        if body.status.as_u16() < 400 { Ok(()) } else { Err(body.error()) }
    }

    /// Reads the host's OpenID configuration, to confirm it is a Salesforce login host.
    pub async fn discover(&self) -> Result<OpenIdConfiguration, Error> {
        let response = self
            .http
            .get(self.host.url("/.well-known/openid-configuration"))
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| transport_error(e, self.host_name()))?;
        let body = Body::read(response, self.host_name()).await?;
        if !body.status.is_success() {
            return Err(body.error());
        }
        body.json()
    }
}

/// The parts of `/.well-known/openid-configuration` that identify a Salesforce login host.
#[derive(Debug, Clone, Deserialize)]
pub struct OpenIdConfiguration {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
}

impl OpenIdConfiguration {
    /// True when the endpoints are Salesforce's (`/services/oauth2/...`).
    pub fn is_salesforce(&self) -> bool {
        self.token_endpoint.ends_with("/services/oauth2/token")
            && self.authorization_endpoint.ends_with("/services/oauth2/authorize")
    }
}
