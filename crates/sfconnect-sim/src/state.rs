//! The simulator's memory: configuration in force, the apps deploys added and every app's propagation clock,
//! and every issued code, token, device grant and query locator, plus the request log. One mutex guards it all;
//! handlers lock, decide, unlock, and never hold the lock across an await.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::watch;

use super::config::SimConfig;
use super::oauth_apps::{DeployedApp, OAuthApp};
use super::org::TokenFixture;
use super::tokens;

/// One request as the simulator saw it. Names only, except `query`, which is the raw query string so that a
/// test can prove a secret was *not* in a URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeenRequest {
    pub method: String,
    pub path: String,
    pub content_type: Option<String>,
    /// Names of the query-string parameters, in order.
    pub query_params: Vec<String>,
    /// Names of the form fields in the body (url-encoded or multipart), in order.
    pub form_fields: Vec<String>,
    /// The raw query string, values included ("" when there was none).
    pub query: String,
}

/// How a PKCE challenge was sent on authorize.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChallengeMethod {
    S256,
    Plain,
}

/// An authorization code, until it is exchanged.
pub struct CodeGrant {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub challenge: Option<(String, ChallengeMethod)>,
    pub issued: Instant,
}

/// A live access token.
pub struct AccessGrant {
    pub scopes: Vec<String>,
    pub issued: Instant,
    /// The refresh-token family it came from, if any: revoking the family revokes it.
    pub family: Option<u64>,
}

/// A refresh token. With rotation, superseded tokens stay known so that their reuse can be detected.
pub struct RefreshGrant {
    pub client_id: String,
    pub scopes: Vec<String>,
    pub family: u64,
    pub superseded: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceStatus {
    Pending,
    Approved,
    Denied,
}

pub struct DeviceGrant {
    pub client_id: String,
    pub user_code: String,
    pub scopes: Vec<String>,
    pub issued: Instant,
    pub last_poll: Option<Instant>,
    /// Polls that were not answered `slow_down`.
    pub polls: u32,
    pub status: DeviceStatus,
}

/// Tokens handed out by one successful grant.
pub struct Issued {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub scopes: Vec<String>,
}

pub struct Inner {
    pub config: SimConfig,
    /// The configured app's propagation clock: its key is live `config.live_after` from here.
    started: Instant,
    pub(crate) configured_live_now: bool,
    /// Apps deploys created, after the configured one, each with its own propagation clock.
    pub(crate) deployed: Vec<DeployedApp>,
    pub codes: HashMap<String, CodeGrant>,
    /// Exchanged codes, with when they were issued, until they would have expired: a reuse is told so.
    pub spent_codes: HashMap<String, Instant>,
    /// When `expiry.rs` last forgot expired codes and device grants.
    pub last_sweep: Instant,
    pub access: HashMap<String, AccessGrant>,
    pub refresh: HashMap<String, RefreshGrant>,
    /// Keyed by device code.
    pub devices: HashMap<String, DeviceGrant>,
    /// Query results still being paged, keyed by locator id, with when they were last read.
    pub locators: HashMap<String, (Instant, Vec<Value>)>,
    pub seen: Vec<SeenRequest>,
    next_family: u64,
    /// Deploys and the External Client Apps they created.
    pub metadata: super::metadata::MetadataState,
}

pub struct Shared {
    pub base_url: String,
    inner: Mutex<Inner>,
    /// Turns true when the server shuts down, so a hanging fault lets go.
    pub closing: watch::Receiver<bool>,
}

impl Shared {
    pub fn new(config: SimConfig, base_url: String, closing: watch::Receiver<bool>) -> Shared {
        Shared {
            base_url,
            inner: Mutex::new(Inner {
                config,
                started: Instant::now(),
                configured_live_now: false,
                deployed: Vec::new(),
                codes: HashMap::new(),
                spent_codes: HashMap::new(),
                last_sweep: Instant::now(),
                access: HashMap::new(),
                refresh: HashMap::new(),
                devices: HashMap::new(),
                locators: HashMap::new(),
                seen: Vec::new(),
                next_family: 1,
                metadata: Default::default(),
            }),
            closing,
        }
    }

    /// The state, even after a handler panicked while holding the lock: each handler leaves the maps consistent
    /// between statements, so a poisoned guard is still usable.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Tokens Salesforce keeps per user per app before a new one revokes the oldest.
const TOKENS_PER_USER_PER_APP: usize = 5;

/// Now in Salesforce's datetime format, `2026-01-05T09:00:00.000+0000`.
pub(crate) fn salesforce_now() -> String {
    let text = humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string();
    text.strip_suffix('Z').map_or(text.clone(), |t| format!("{t}+0000"))
}

/// Salesforce drops a query cursor after 15 minutes without use.
const LOCATOR_IDLE_LIMIT: Duration = Duration::from_secs(15 * 60);
/// The request log keeps this many entries; a long `sfconnect simulate` run must not grow without bound.
const SEEN_LIMIT: usize = 10_000;

impl Inner {
    /// Logs a request, dropping the oldest entries past [`SEEN_LIMIT`].
    pub fn record(&mut self, seen: SeenRequest) {
        if self.seen.len() >= SEEN_LIMIT {
            self.seen.drain(..SEEN_LIMIT / 10);
        }
        self.seen.push(seen);
    }

    /// Keeps `records` for paging under `locator`, forgetting cursors idle too long.
    pub fn store_locator(&mut self, locator: String, records: Vec<Value>) {
        self.locators.retain(|_, (used, _)| used.elapsed() < LOCATOR_IDLE_LIMIT);
        self.locators.insert(locator, (Instant::now(), records));
    }

    /// The records of a live cursor, marking it used.
    pub fn read_locator(&mut self, locator: &str) -> Option<&[Value]> {
        let (used, records) = self.locators.get_mut(locator).filter(|(used, _)| used.elapsed() < LOCATOR_IDLE_LIMIT)?;
        *used = Instant::now();
        Some(records)
    }

    /// Whether the configured app's consumer key has "propagated" yet.
    pub(crate) fn configured_app_live(&self) -> bool {
        self.configured_live_now || self.started.elapsed() >= self.config.live_after
    }

    /// Issues for `app` an access token, and a refresh token when the granted scopes allow one.
    pub fn issue(&mut self, app: &OAuthApp, scopes: Vec<String>) -> Issued {
        let wants_refresh = scopes.iter().any(|s| s == "refresh_token" || s == "offline_access");
        let refresh_token = wants_refresh.then(|| {
            let family = self.next_family;
            self.next_family += 1;
            let token = tokens::refresh_token();
            self.refresh.insert(
                token.clone(),
                RefreshGrant { client_id: app.client_id.clone(), scopes: scopes.clone(), family, superseded: false },
            );
            (token, family)
        });
        if let Some((_, family)) = &refresh_token {
            self.record_oauth_token(*family, &app.label);
        }
        let access_token = self.issue_access(scopes.clone(), refresh_token.as_ref().map(|r| r.1));
        Issued { access_token, refresh_token: refresh_token.map(|r| r.0), scopes }
    }

    pub fn issue_access(&mut self, scopes: Vec<String>, family: Option<u64>) -> String {
        let token = tokens::access_token(self.config.org.org_id15());
        // Forget sessions past their timeout as new ones arrive, so a long run does not keep them all.
        let ttl = self.config.session_timeout;
        self.access.retain(|_, grant| grant.issued.elapsed() < ttl);
        self.access.insert(token.clone(), AccessGrant { scopes, family, issued: Instant::now() });
        token
    }

    /// The grant of an access token that still works: issued here, not revoked, within the session timeout.
    pub fn live_access(&self, token: &str) -> Option<&AccessGrant> {
        self.access.get(token).filter(|grant| grant.issued.elapsed() < self.config.session_timeout)
    }

    /// Forgets a refresh-token family, every access token issued under it, and its `OauthToken` row.
    pub fn revoke_family(&mut self, family: u64) {
        self.refresh.retain(|_, grant| grant.family != family);
        self.access.retain(|_, grant| grant.family != Some(family));
        self.config.org.tokens.retain(|t| t.family != Some(family));
    }

    /// Adds the `OauthToken` row of a newly issued refresh token of the app named `app` for the logged-in
    /// user. Salesforce keeps five per user per app: the sixth silently revokes the oldest (protocol notes §6,
    /// seed 002).
    fn record_oauth_token(&mut self, family: u64, app: &str) {
        let org = &mut self.config.org;
        let (app, user) = (app.to_string(), org.user.user_id.clone());
        let now = salesforce_now();
        org.tokens.push(TokenFixture {
            last_used: Some(now.clone()),
            use_count: 0,
            family: Some(family),
            ..TokenFixture::new(&app, &user, &now)
        });
        let held = |t: &&TokenFixture| t.app_name == app && t.user_id == user;
        if org.tokens.iter().filter(held).count() <= TOKENS_PER_USER_PER_APP {
            return;
        }
        let oldest =
            org.tokens.iter().enumerate().filter(|(_, t)| held(t)).min_by(|a, b| a.1.created.cmp(&b.1.created));
        if let Some((index, _)) = oldest {
            let evicted = org.tokens.remove(index);
            if let Some(family) = evicted.family {
                self.revoke_family(family);
            }
        }
    }

    /// A refresh grant used the family's token: `LastUsedDate` and `UseCount` move.
    pub fn mark_token_used(&mut self, family: u64) {
        let now = salesforce_now();
        for token in self.config.org.tokens.iter_mut().filter(|t| t.family == Some(family)) {
            token.last_used = Some(now.clone());
            token.use_count += 1;
        }
    }

    /// Records a rotation: `old` is superseded and a new token of the same family is live.
    pub fn rotate(&mut self, old: &str) -> Option<String> {
        let grant = self.refresh.get_mut(old)?;
        grant.superseded = true;
        let replacement = RefreshGrant {
            client_id: grant.client_id.clone(),
            scopes: grant.scopes.clone(),
            family: grant.family,
            superseded: false,
        };
        let token = tokens::refresh_token();
        self.refresh.insert(token.clone(), replacement);
        Some(token)
    }

    pub fn live_refresh_tokens(&self) -> usize {
        self.refresh.values().filter(|g| !g.superseded).count()
    }

    pub fn code_expired(&self, grant: &CodeGrant) -> bool {
        grant.issued.elapsed() > self.config.code_ttl
    }

    pub fn device_expired(&self, grant: &DeviceGrant) -> bool {
        grant.issued.elapsed() > self.config.device_ttl
    }

    /// Whether a poll at `now` comes sooner than the interval after the previous one.
    pub fn polled_too_soon(&self, grant: &DeviceGrant, now: Instant) -> bool {
        let interval: Duration = self.config.device_interval;
        grant.last_poll.is_some_and(|last| now.saturating_duration_since(last) < interval)
    }
}

impl Inner {
    /// Sets the outcome of the pending, unexpired device grant whose user code is `user_code` (case-insensitive).
    pub fn decide_device(&mut self, user_code: &str, status: DeviceStatus) -> bool {
        let ttl = self.config.device_ttl;
        let wanted = user_code.trim().to_ascii_uppercase();
        match self
            .devices
            .values_mut()
            .find(|g| g.user_code == wanted && g.status == DeviceStatus::Pending && g.issued.elapsed() <= ttl)
        {
            Some(grant) => {
                grant.status = status;
                true
            }
            None => false,
        }
    }
}
