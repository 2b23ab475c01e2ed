//! The readiness probe: is a new consumer key live yet, and is its secret right?
//!
//! A new or changed app takes up to 10 minutes (15 for an External Client App) to reach every
//! Salesforce server; until then the token endpoint answers `invalid_client_id` / "client identifier
//! invalid" (protocol notes §3, §10). The probe sends a harmless token request: an authorization-code
//! grant with a code that cannot exist. Nothing is created and no user is involved. The answer tells:
//! - `invalid_client_id`: the key is not live yet;
//! - `invalid_client`: the key is live but the secret is refused;
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
use super::errors::Error;
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

/// Progress of [`wait_until_ready`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeEvent {
    NotLiveYet { attempts: u32, elapsed: Duration },
    Retrying { message: String, retry_in: Duration },
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
        let description = match &error {
            Error::OAuth(o) => o.description.clone().unwrap_or_default().to_ascii_lowercase(),
            _ => String::new(),
        };
        let readiness = match error.oauth_code() {
            Some("invalid_client_id") => Readiness::NotLive,
            // Without a secret, `invalid_client` means the key is known and the app wants its secret.
            Some("invalid_client") if app.client_secret.is_none() => Readiness::Ready { secret_checked: false },
            Some("invalid_client") if !description.contains("installed") => Readiness::SecretRejected,
            Some("invalid_grant") => Readiness::Ready { secret_checked: app.client_secret.is_some() },
            Some("redirect_uri_mismatch") => Readiness::RedirectNotRegistered,
            _ => return Err(error),
        };
        tracing::debug!(?readiness, "probe");
        Ok(readiness)
    }
}

/// Probes every 2–3 s (with jitter) until the answer is final or `limit` passes; backs off on 429, 5xx
/// and network failures, for at least as long as a 429 or 503 asked (`Retry-After`, capped).
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
    loop {
        attempts += 1;
        let wait = match client.probe(app, redirect_uri).await {
            Ok(r) if r.is_final() => return Ok(r),
            Ok(_) => {
                transient_in_a_row = 0;
                on_event(ProbeEvent::NotLiveYet { attempts, elapsed: clock.now().duration_since(started) });
                PROBE_INTERVAL + jitter()
            }
            Err(e) if e.is_transient() => {
                transient_in_a_row += 1;
                let wait = pause_before_retry(backoff(PROBE_INTERVAL, transient_in_a_row) + jitter(), &e);
                on_event(ProbeEvent::Retrying { message: e.explain().headline, retry_in: wait });
                wait
            }
            Err(e) => return Err(e),
        };
        if clock.now().duration_since(started) + wait > limit {
            return Err(Error::TimedOut { what: "Waiting for the consumer key", waited_secs: limit.as_secs() });
        }
        clock.sleep(wait).await;
    }
}

/// Up to a second, so many sfconnect processes do not probe in step.
fn jitter() -> Duration {
    Duration::from_millis(rand::Rng::gen_range(&mut rand::thread_rng(), 0..1000))
}
