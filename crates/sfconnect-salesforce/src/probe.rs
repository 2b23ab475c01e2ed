//! The readiness probe: is a new consumer key live yet, and is its secret right?
//!
//! A new or changed app takes up to 10 minutes (15 for an External Client App) to reach every
//! Salesforce server; until then the token endpoint answers `invalid_client_id` / "client identifier
//! invalid" (protocol notes §3, §10). The probe sends a harmless token request: an authorization-code
//! grant with a code that cannot exist. Nothing is created and no user is involved. The answer tells:
//! - `invalid_client_id`: the key is not live yet;
//! - `invalid_client`: the key is live but the secret is refused (without a secret: the app wants one);
//!   one whose description speaks of installing the app is the September 2025 uninstalled-app block,
//!   reported as an error whether or not a secret was sent;
//! - `invalid_grant`: the key (and the secret, if sent) passed, and the server got as far as the code;
//! - `redirect_uri_mismatch`: the key is live, but the callback URL is not registered on the app.
//!
//! Unconfirmed: whether Salesforce checks the secret before the code. OAuth servers authenticate the
//! client first (RFC 6749 §5.2) and so does the simulator; if Salesforce did not, a wrong secret would
//! surface at the code exchange instead, with the same explanation.

use std::time::Duration;

use super::client::{AppCredentials, Client};
use super::clock::Clock;
use super::device_flow::backoff;
use super::errors::{Error, OAuthErrorCode};
use super::retry::pause_before_retry;

/// A code no server has issued: the probe's request fails at the code, after the client checks.
pub const PROBE_CODE: &str = "sfconnect-readiness-probe";

/// How often to probe while the key is not live, before jitter.
pub const PROBE_INTERVAL: Duration = Duration::from_secs(2);

/// What the probe found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// Salesforce does not know the consumer key yet.
    NotLive,
    /// The key is live; the consumer secret was refused.
    SecretRejected,
    /// The key is live and the callback URL is not registered on the app.
    RedirectNotRegistered,
    /// The key is live, and the secret too when one was sent.
    Ready { secret_checked: bool },
}

impl Readiness {
    /// True when waiting longer cannot change the answer.
    pub fn is_final(self) -> bool {
        !matches!(self, Readiness::NotLive)
    }
}

/// Answers past `invalid_client_id` needed in a row before the key counts as live: a new key reaches
/// Salesforce's servers unevenly, so one server knowing it says little about the next request's server.
pub const CONFIRMATIONS: u32 = 2;

/// The pause before the confirming probe: short, since the key has been seen once already.
pub const CONFIRM_INTERVAL: Duration = Duration::from_secs(1);

/// Progress of [`wait_until_ready`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeEvent {
    NotLiveYet {
        attempts: u32,
        elapsed: Duration,
    },
    /// An answer past `invalid_client_id` that does not end the wait yet: the first of [`CONFIRMATIONS`],
    /// or `RedirectNotRegistered` (callback edits propagate too, so the wait goes on until it is fixed).
    Answered {
        readiness: Readiness,
        attempts: u32,
    },
    /// Salesforce answered with a passing failure (5xx, 429, a maintenance page).
    Retrying {
        message: String,
        retry_in: Duration,
    },
    /// The request never got an answer (refused, DNS, timeout): nothing was learnt about the key.
    Unreachable {
        message: String,
        retry_in: Duration,
    },
}

impl Client {
    /// Probes once. `Err` is a failure of the probe itself (transport, 5xx, or an answer that means the
    /// app cannot work, such as a blocked app).
    pub async fn probe(&self, app: &AppCredentials, redirect_uri: &str) -> Result<Readiness, Error> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", PROBE_CODE),
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", redirect_uri),
        ];
        if let Some(secret) = &app.client_secret {
            form.push(("client_secret", secret.expose()));
        }
        let body = self.post_token_form(&form).await?;
        if body.status.is_success() {
            // A 200 must at least be JSON: a proxy's or portal's page (or a cut-off answer) is not
            // Salesforce saying the key is live, and reading it as "ready" would end the wait too early.
            body.json::<serde_json::Value>()?;
            return Ok(Readiness::Ready { secret_checked: app.client_secret.is_some() });
        }
        let error = body.error();
        if error.is_app_not_installed() {
            // "app must be installed into org": the September 2025 block, with a secret or without one.
            return Err(error);
        }
        let readiness = match error.oauth_code() {
            Some(OAuthErrorCode::InvalidClientId) => Readiness::NotLive,
            // Without a secret, `invalid_client` means the key is known and the app wants its secret.
            Some(OAuthErrorCode::InvalidClient) if app.client_secret.is_none() => {
                Readiness::Ready { secret_checked: false }
            }
            Some(OAuthErrorCode::InvalidClient) => Readiness::SecretRejected,
            Some(OAuthErrorCode::InvalidGrant) => Readiness::Ready { secret_checked: app.client_secret.is_some() },
            Some(OAuthErrorCode::RedirectUriMismatch) => Readiness::RedirectNotRegistered,
            _ => return Err(error),
        };
        tracing::debug!(?readiness, "probe");
        Ok(readiness)
    }
}

/// Probes every 2–3 s (with jitter) until the answer is final or `limit` passes; backs off on 429, 5xx
/// and network failures, for at least as long as a 429 or 503 asked (`Retry-After`, capped).
///
/// The key counts as live only after [`CONFIRMATIONS`] answers in a row past `invalid_client_id`. A
/// callback the app lacks is told (`ProbeEvent::Answered`) but does not end the wait; at the limit it is
/// the answer. A request that never reached Salesforce (refused, DNS, timeout) proves nothing about the
/// key: it is retried with back-off, and when the limit comes with Salesforce still out of reach the error
/// says so ([`Error::Unreachable`]) rather than blaming the key.
pub async fn wait_until_ready(
    client: &Client,
    app: &AppCredentials,
    redirect_uri: &str,
    clock: &impl Clock,
    limit: Duration,
    mut on_event: impl FnMut(ProbeEvent),
) -> Result<Readiness, Error> {
    let started = clock.now();
    let mut attempts = 0u32;
    let mut transient_in_a_row = 0u32;
    let mut past_in_a_row = 0u32;
    let mut last_answer: Option<Readiness> = None;
    let mut last_unreachable: Option<Error>;
    loop {
        attempts += 1;
        // The event is told only when a next try follows: "next try in 8 s" must not precede the end.
        let (wait, event) = match client.probe(app, redirect_uri).await {
            Ok(Readiness::NotLive) => {
                (transient_in_a_row, past_in_a_row) = (0, 0);
                (last_answer, last_unreachable) = (None, None);
                let event = ProbeEvent::NotLiveYet { attempts, elapsed: clock.now().duration_since(started) };
                (PROBE_INTERVAL + jitter(), event)
            }
            Ok(readiness) => {
                transient_in_a_row = 0;
                past_in_a_row += 1;
                (last_answer, last_unreachable) = (Some(readiness), None);
                let confirmed = past_in_a_row >= CONFIRMATIONS;
                if confirmed && readiness != Readiness::RedirectNotRegistered {
                    return Ok(readiness);
                }
                let wait = if readiness == Readiness::RedirectNotRegistered {
                    PROBE_INTERVAL + jitter()
                } else {
                    CONFIRM_INTERVAL
                };
                (wait, ProbeEvent::Answered { readiness, attempts })
            }
            Err(e) if e.is_unreachable() && !e.is_impossible_host_name() => {
                transient_in_a_row += 1;
                let wait = pause_before_retry(backoff(PROBE_INTERVAL, transient_in_a_row) + jitter(), &e);
                let event = ProbeEvent::Unreachable { message: e.explain().headline, retry_in: wait };
                last_unreachable = Some(e);
                (wait, event)
            }
            Err(e) if e.is_transient() => {
                transient_in_a_row += 1;
                last_unreachable = None;
                let wait = pause_before_retry(backoff(PROBE_INTERVAL, transient_in_a_row) + jitter(), &e);
                (wait, ProbeEvent::Retrying { message: e.explain().headline, retry_in: wait })
            }
            Err(e) => return Err(e),
        };
        if clock.now().duration_since(started) + wait > limit {
            if let Some(last) = last_unreachable {
                return Err(Error::Unreachable { waited_secs: limit.as_secs(), last: Box::new(last) });
            }
            if let Some(readiness) = last_answer {
                // The key is live; the last answer (a missing callback, or one unconfirmed) is the news.
                return Ok(readiness);
            }
            return Err(Error::TimedOut { what: "Waiting for the consumer key", waited_secs: limit.as_secs() });
        }
        on_event(event);
        clock.sleep(wait).await;
    }
}

/// Up to a second, so many sfconnect processes do not probe in step.
fn jitter() -> Duration {
    Duration::from_millis(rand::Rng::gen_range(&mut rand::thread_rng(), 0..1000))
}
