//! REST reads with an access token: the identity URL, API limits and SOQL queries (paged through
//! `nextRecordsUrl`, each page handed over as it arrives so memory does not grow with the result).
//!
//! Every GET is a read, so a transient failure (5xx, 429, a maintenance page, a timeout) is tried again
//! with back-off ([`RetryPolicy::REPEATABLE_READ`] unless [`RestClient::with_retry`] says otherwise).
//!
//! A bearer token is only ever sent to a Salesforce host or loopback: the instance URL and identity URL
//! come from a token answer and are checked with the login-host rules before use.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::clock::TokioClock;
use super::errors::Error;
use super::hosts::LoginHost;
use super::http::{Body, transport_error};
use super::retry::{RetryNotice, RetryPolicy, retry_transient};
use super::secret::AccessToken;

/// The REST API version sfconnect reads (Summer '24). Salesforce serves 31.0 and later.
pub const API_VERSION: &str = "62.0";

/// A REST client for one instance and one access token.
#[derive(Debug, Clone)]
pub struct RestClient {
    http: reqwest::Client,
    instance: String,
    access: AccessToken,
    retry: RetryPolicy,
    notice: RetryNotice,
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
        })
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
        retry_transient(&TokioClock, self.retry, |e, pause| self.notice.tell(e, pause), || self.get_once(&url)).await
    }

    async fn get_once<T: DeserializeOwned>(&self, url: &str) -> Result<T, Error> {
        let host = self.instance.clone();
        let response = self
            .http
            .get(url)
            .bearer_auth(self.access.expose())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| transport_error(e, &host))?;
        let body = Body::read(response, &host).await?;
        if !body.status.is_success() {
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
        self.get_json(&format!("/services/data/v{API_VERSION}/limits")).await
    }

    /// The first page of a SOQL query.
    pub async fn query_page<T: DeserializeOwned>(&self, soql: &str) -> Result<QueryPage<T>, Error> {
        let encoded: String = url::form_urlencoded::byte_serialize(soql.as_bytes()).collect();
        self.get_json(&format!("/services/data/v{API_VERSION}/query?q={encoded}")).await
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
