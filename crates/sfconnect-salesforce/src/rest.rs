//! REST reads with an access token: the identity URL, API limits and SOQL queries (paged through
//! `nextRecordsUrl`, each page handed over as it arrives so memory does not grow with the result).
//!
//! Every GET is a read, so a transient failure (5xx, 429, a maintenance page, a timeout) is tried again
//! with back-off ([`RetryPolicy::REPEATABLE_READ`] unless [`RestClient::with_retry`] says otherwise).
//!
//! A bearer token is only ever sent to a Salesforce host or loopback: the instance URL and identity URL
//! come from a token answer and are checked with the login-host rules before use.
//!
//! The API version: [`api_versions`] asks the org which versions it serves (`GET /services/data/`, no token
//! needed) and [`newest_known`] picks the newest one this build was tested with ([`MAX_API_VERSION`]);
//! Salesforce hides fields newer than the version asked for, so querying at an old one hides permission
//! columns that exist. Without the list, [`API_VERSION`] is used.
//!
//! An access token that has expired (401 `INVALID_SESSION_ID`, or 403 with the plain-text body
//! `Bad_OAuth_Token`) is renewed once from the refresh token, when the client was given one
//! ([`RestClient::with_renewal`]), and the request tried again; only a second refusal is reported.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use std::sync::Arc;

use super::client::{AppCredentials, Client};
use super::clock::TokioClock;
use super::errors::{BAD_OAUTH_TOKEN, Error, RestError};
use super::hosts::LoginHost;
use super::http::{Body, transport_error};
use super::retry::{RetryNotice, RetryPolicy, retry_transient};
use super::secret::{AccessToken, RefreshToken};

/// The REST API version read when the org's list of versions cannot be read (Summer '24; every org
/// serves it). Salesforce serves 31.0 and later.
pub const API_VERSION: &str = "62.0";

/// The newest REST API version this build was tested with (Winter '27). A newer one the org serves is
/// not used: a version can change what a query answers.
pub const MAX_API_VERSION: &str = "68.0";

/// One entry of `GET /services/data/`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ApiVersion {
    pub version: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub url: String,
}

/// `60.0` as (60, 0), for ordering; `None` for anything else.
fn version_number(version: &str) -> Option<(u32, u32)> {
    let (major, minor) = version.trim().trim_start_matches('v').split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// The newest version in `served` that is not newer than [`MAX_API_VERSION`].
pub fn newest_known(served: &[ApiVersion]) -> Option<String> {
    let max = version_number(MAX_API_VERSION)?;
    served
        .iter()
        .filter_map(|v| version_number(&v.version).map(|n| (n, v)))
        .filter(|(n, _)| *n <= max)
        .max_by_key(|(n, _)| *n)
        .map(|((major, minor), _)| format!("{major}.{minor}"))
}

/// The versions `origin` serves (`GET /services/data/`, public: no token is sent). A login host such as
/// login.salesforce.com answers it as well as the instance [B: observed in the simulator and in captures
/// of the instance; that login hosts answer it is our belief, and a failure falls back to the instance].
/// A passing failure is tried again as every REST read is ([`RetryPolicy::REPEATABLE_READ`]), telling
/// `notice` before each retry.
pub async fn api_versions(
    http: &reqwest::Client,
    origin: &str,
    notice: &RetryNotice,
) -> Result<Vec<ApiVersion>, Error> {
    let host = LoginHost::parse(origin)?;
    let url = host.url("/services/data/");
    let once = || async {
        let response = http
            .get(&url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| transport_error(e, host.origin()))?;
        let body = Body::read(response, host.origin()).await?;
        if !body.status.is_success() {
            return Err(body.error());
        }
        body.json()
    };
    retry_transient(&TokioClock, RetryPolicy::REPEATABLE_READ, |e, pause| notice.tell(e, pause), once).await
}

/// Renews the access token from the refresh token, at most once per [`RestClient`] (and its clones).
struct Renewal {
    client: Client,
    app: AppCredentials,
    refresh_token: tokio::sync::Mutex<RefreshToken>,
    /// The access token in use and how many times it was renewed.
    current: std::sync::Mutex<(AccessToken, u32)>,
    /// A rotated refresh token the renewal received: the caller must store it.
    rotated: std::sync::Mutex<Option<RefreshToken>>,
}

/// A REST client for one instance and one access token.
#[derive(Debug, Clone)]
pub struct RestClient {
    http: reqwest::Client,
    instance: String,
    access: AccessToken,
    retry: RetryPolicy,
    notice: RetryNotice,
    version: String,
    renewal: Option<Arc<Renewal>>,
}

impl std::fmt::Debug for Renewal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Renewal([redacted])")
    }
}

/// The identity URL's answer (protocol notes §4), the fields sfconnect uses.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq, Eq)]
pub struct Identity {
    pub user_id: String,
    pub organization_id: String,
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub user_type: String,
    #[serde(default)]
    pub active: Option<bool>,
}

/// One page of a query answer.
#[derive(Debug, Deserialize)]
pub struct QueryPage<T> {
    #[serde(rename = "totalSize")]
    pub total_size: u64,
    pub done: bool,
    #[serde(rename = "nextRecordsUrl")]
    pub next_records_url: Option<String>,
    pub records: Vec<T>,
}

/// The organisation, as the checks and the "Connected as" line show it.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq, Eq)]
pub struct Organization {
    #[serde(rename = "Id")]
    pub id: String,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "OrganizationType", default)]
    pub edition: String,
    #[serde(rename = "InstanceName", default)]
    pub instance: Option<String>,
    #[serde(rename = "IsSandbox", default)]
    pub is_sandbox: bool,
}

impl RestClient {
    /// Checks `instance_url` (a Salesforce host or loopback) before any token is sent to it.
    pub fn new(http: reqwest::Client, instance_url: &str, access: AccessToken) -> Result<Self, Error> {
        let host = LoginHost::parse(instance_url)?;
        Ok(Self {
            http,
            instance: host.origin().to_string(),
            access,
            retry: RetryPolicy::REPEATABLE_READ,
            notice: RetryNotice::default(),
            version: API_VERSION.to_string(),
            renewal: None,
        })
    }

    /// The same client, reading at `version` (`"66.0"`; see [`newest_known`]).
    pub fn with_api_version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// The same client, reading at the newest version the instance serves that this build knows (one
    /// request, `GET /services/data/`); when the list cannot be read, the version it had.
    pub async fn at_newest_version(self) -> Self {
        match api_versions(&self.http, &self.instance, &self.notice).await.ok().and_then(|v| newest_known(&v)) {
            Some(version) => self.with_api_version(version),
            None => self,
        }
    }

    /// The API version the queries and limits are read at.
    pub fn api_version(&self) -> &str {
        &self.version
    }

    /// The same client, renewing an expired access token once from `refresh_token` (see the module docs).
    /// With refresh token rotation on, the renewal's new refresh token is kept: [`RestClient::rotated`].
    pub fn with_renewal(mut self, client: Client, app: AppCredentials, refresh_token: RefreshToken) -> Self {
        self.renewal = Some(Arc::new(Renewal {
            client,
            app,
            refresh_token: tokio::sync::Mutex::new(refresh_token),
            current: std::sync::Mutex::new((self.access.clone(), 0)),
            rotated: std::sync::Mutex::new(None),
        }));
        self
    }

    /// The refresh token a renewal received when rotation is on (the one passed in is then dead).
    pub fn rotated(&self) -> Option<RefreshToken> {
        self.renewal.as_ref().and_then(|r| r.rotated.lock().ok().and_then(|g| g.clone()))
    }

    /// How many times the access token was renewed (0 or 1).
    pub fn renewals(&self) -> u32 {
        self.renewal.as_ref().and_then(|r| r.current.lock().ok().map(|g| g.1)).unwrap_or(0)
    }

    /// The access token to send now, and its generation.
    fn access_now(&self) -> (AccessToken, u32) {
        match &self.renewal {
            Some(r) => r.current.lock().map(|g| g.clone()).unwrap_or_else(|_| (self.access.clone(), 0)),
            None => (self.access.clone(), 0),
        }
    }

    /// Renews the access token unless another request already did since `generation`. Only the first
    /// renewal refreshes; after it, an expired session is reported as it came.
    async fn renew(&self, generation: u32, expired: Error) -> Result<(), Error> {
        let Some(renewal) = &self.renewal else { return Err(expired) };
        let mut refresh_token = renewal.refresh_token.lock().await;
        let now = renewal.current.lock().map(|g| g.1).unwrap_or(u32::MAX);
        if now != generation {
            // Renewed by a concurrent request meanwhile: try again with that token, or give up after one.
            return if now > generation && now <= 1 { Ok(()) } else { Err(expired) };
        }
        if now >= 1 {
            return Err(expired);
        }
        tracing::info!("access token refused as expired; refreshing once");
        let grant = renewal.client.refresh(&renewal.app, &refresh_token).await?;
        if let Some(rotated) = grant.refresh_token.clone() {
            *refresh_token = rotated.clone();
            if let Ok(mut slot) = renewal.rotated.lock() {
                *slot = Some(rotated);
            }
        }
        if let Ok(mut current) = renewal.current.lock() {
            *current = (grant.access_token, now + 1);
        }
        Ok(())
    }

    /// The same client with another retry policy (tests use short pauses; [`RetryPolicy::ONCE`] turns
    /// retrying off).
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The same client, telling `notice` before each retry (for a progress line).
    pub fn with_retry_notice(mut self, notice: RetryNotice) -> Self {
        self.notice = notice;
        self
    }

    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// The HTTP client and token, for the requests other modules of this crate make (the metadata deploy).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub(crate) fn access(&self) -> &AccessToken {
        &self.access
    }

    /// GETs a path on the instance (`/services/data/...`) or an absolute URL on a checked host, trying
    /// again after a transient failure.
    pub async fn get_json<T: DeserializeOwned>(&self, path_or_url: &str) -> Result<T, Error> {
        let url = if path_or_url.starts_with('/') {
            format!("{}{path_or_url}", self.instance)
        } else {
            LoginHost::parse(path_or_url)?;
            path_or_url.to_string()
        };
        let (access, generation) = self.access_now();
        let read = || self.get_once(&url, &access);
        match retry_transient(&TokioClock, self.retry, |e, pause| self.notice.tell(e, pause), read).await {
            Err(e) if e.is_session_expired() && self.renewal.is_some() => {
                self.renew(generation, e).await?;
                let (access, _) = self.access_now();
                let read = || self.get_once(&url, &access);
                retry_transient(&TokioClock, self.retry, |e, pause| self.notice.tell(e, pause), read).await
            }
            other => other,
        }
    }

    async fn get_once<T: DeserializeOwned>(&self, url: &str, access: &AccessToken) -> Result<T, Error> {
        let host = self.instance.clone();
        // The resource without its query (a SOQL statement can be long; it never holds a secret either).
        let resource = url.split('?').next().unwrap_or(url);
        let started = std::time::Instant::now();
        let response = self
            .http
            .get(url)
            .bearer_auth(access.expose())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| {
                tracing::debug!(resource, "GET failed before an answer");
                transport_error(e, &host)
            })?;
        let body = Body::read(response, &host).await?;
        let ms = started.elapsed().as_millis() as u64;
        tracing::debug!(resource, status = body.status.as_u16(), ms, "GET answered");
        if !body.status.is_success() {
            // An expired access token on some resources: 403 and the bare text `Bad_OAuth_Token`, not JSON.
            let text = String::from_utf8_lossy(&body.bytes[..body.bytes.len().min(64)]).trim().to_string();
            // Written `Bad_Oauth_Token` in some reports: compared without case.
            if matches!(body.status.as_u16(), 401 | 403) && text.eq_ignore_ascii_case(BAD_OAUTH_TOKEN) {
                return Err(Error::Rest(RestError {
                    status: body.status.as_u16(),
                    code: BAD_OAUTH_TOKEN.into(),
                    message: "the access token was refused".into(),
                }));
            }
            return Err(body.error());
        }
        body.json()
    }

    /// Reads the identity URL from a token answer (`https://login.salesforce.com/id/<org>/<user>`).
    pub async fn identity(&self, id_url: &str) -> Result<Identity, Error> {
        self.get_json(id_url).await
    }

    /// The org's name, edition and sandbox flag.
    pub async fn organization(&self) -> Result<Organization, Error> {
        let page: QueryPage<Organization> =
            self.query_page("SELECT Id, Name, OrganizationType, InstanceName, IsSandbox FROM Organization").await?;
        page.records.into_iter().next().ok_or_else(|| {
            Error::Rest(super::errors::RestError {
                status: 200,
                code: "NOT_FOUND".into(),
                message: "the Organization query returned no row".into(),
            })
        })
    }

    /// `/services/data/vXX.X/limits`, as raw JSON (its keys vary by org).
    pub async fn limits(&self) -> Result<serde_json::Value, Error> {
        self.get_json(&format!("/services/data/v{}/limits", self.version)).await
    }

    /// The first page of a SOQL query.
    pub async fn query_page<T: DeserializeOwned>(&self, soql: &str) -> Result<QueryPage<T>, Error> {
        let encoded: String = url::form_urlencoded::byte_serialize(soql.as_bytes()).collect();
        self.get_json(&format!("/services/data/v{}/query?q={encoded}", self.version)).await
    }

    /// Runs a query to the end, handing each page's records to `on_records` as the page arrives.
    /// Returns the number of records seen.
    pub async fn query_each<T: DeserializeOwned>(
        &self,
        soql: &str,
        mut on_records: impl FnMut(Vec<T>),
    ) -> Result<u64, Error> {
        let mut page: QueryPage<T> = self.query_page(soql).await?;
        let mut seen = 0u64;
        loop {
            seen += page.records.len() as u64;
            on_records(std::mem::take(&mut page.records));
            match (page.done, page.next_records_url.take()) {
                (false, Some(next)) => page = self.get_json(&next).await?,
                _ => return Ok(seen),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served(versions: &[&str]) -> Vec<ApiVersion> {
        versions
            .iter()
            .map(|v| ApiVersion { version: v.to_string(), label: String::new(), url: format!("/services/data/v{v}") })
            .collect()
    }

    #[test]
    fn the_newest_version_served_up_to_the_tested_maximum() {
        assert_eq!(newest_known(&served(&["31.0", "62.0", "66.0"])).as_deref(), Some("66.0"));
        assert_eq!(newest_known(&served(&["66.0", "68.0", "69.0", "70.0"])).as_deref(), Some(MAX_API_VERSION));
        assert_eq!(newest_known(&served(&["9.0", "10.0"])).as_deref(), Some("10.0"), "numbers, not text");
        assert_eq!(newest_known(&served(&["x"])), None);
    }
}
