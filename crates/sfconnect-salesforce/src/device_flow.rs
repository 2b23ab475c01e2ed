//! Salesforce's device flow, which is not RFC 8628 (protocol notes §1): the start is a POST to the token
//! endpoint with `response_type=device_code`; polls send `grant_type=device` and the device code as
//! `code`; the start answer has no `expires_in` and no `verification_uri_complete`.
//!
//! Polling honours `interval`, adds 5 s on `slow_down`, keeps going on `authorization_pending`, retries
//! transient failures with back-off (at least as long as a 429 or 503 asked with `Retry-After`, capped),
//! stops on any other error, and gives up after 10 minutes.

use std::time::Duration;

use serde::Deserialize;

use super::client::{AppCredentials, Client};
use super::clock::Clock;
use super::errors::{Error, OAuthErrorCode};
use super::retry::pause_before_retry;
use super::scope::Scopes;
use super::secret::DeviceCode;
use super::token::TokenGrant;

/// How long a device login may wait for approval (Data Loader's limit, protocol notes §1).
pub const DEVICE_LIMIT: Duration = Duration::from_secs(600);
/// Consecutive transient failures tolerated before giving up.
const MAX_TRANSIENT_IN_A_ROW: u32 = 5;

/// A started device login: what to show the user, and the secret device code to poll with.
#[derive(Debug)]
pub struct DeviceAuthorization {
    pub user_code: String,
    pub verification_uri: String,
    pub interval: Duration,
    device_code: DeviceCode,
}

impl DeviceAuthorization {
    /// The verification URL with the code filled in, as Data Loader opens it.
    pub fn verification_uri_complete(&self) -> String {
        let sep = if self.verification_uri.contains('?') { '&' } else { '?' };
        format!("{}{sep}user_code={}", self.verification_uri, self.user_code)
    }
}

/// One poll's answer.
#[derive(Debug)]
pub enum DevicePoll {
    Pending,
    SlowDown,
    Granted(Box<TokenGrant>),
}

/// Progress of [`wait_for_device_approval`], for a spinner or a log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceEvent {
    Pending { polls: u32, elapsed: Duration },
    SlowDown { interval: Duration },
    Retrying { message: String, retry_in: Duration },
}

#[derive(Deserialize)]
struct WireDeviceStart {
    device_code: String,
    user_code: String,
    verification_uri: String,
    interval: Option<u64>,
}

impl Client {
    /// Starts a device login.
    pub async fn start_device(&self, client_id: &str, scopes: &Scopes) -> Result<DeviceAuthorization, Error> {
        let scope = scopes.to_param();
        let mut form = vec![("response_type", "device_code"), ("client_id", client_id)];
        if !scope.is_empty() {
            form.push(("scope", scope.as_str()));
        }
        let body = self.post_token_form(&form).await?;
        if !body.status.is_success() {
            return Err(body.error());
        }
        let wire: WireDeviceStart = body.json()?;
        tracing::info!(interval = wire.interval, "device login started");
        Ok(DeviceAuthorization {
            user_code: wire.user_code,
            verification_uri: wire.verification_uri,
            interval: Duration::from_secs(wire.interval.unwrap_or(5).clamp(1, 60)),
            device_code: DeviceCode::new(wire.device_code),
        })
    }

    /// Polls once. `with_secret` adds the client secret (needed by confidential External Client Apps).
    pub async fn poll_device(
        &self,
        app: &AppCredentials,
        device: &DeviceAuthorization,
        with_secret: bool,
    ) -> Result<DevicePoll, Error> {
        let mut form = vec![
            ("grant_type", "device"),
            ("client_id", app.client_id.as_str()),
            ("code", device.device_code.expose()),
        ];
        if with_secret && let Some(secret) = &app.client_secret {
            form.push(("client_secret", secret.expose()));
        }
        let body = self.post_token_form(&form).await?;
        if body.status.is_success() {
            let grant: super::token::WireTokenResponse = body.json()?;
            return Ok(DevicePoll::Granted(Box::new(grant.into())));
        }
        let error = body.error();
        match error.oauth_code() {
            Some(OAuthErrorCode::AuthorizationPending) => Ok(DevicePoll::Pending),
            Some(OAuthErrorCode::SlowDown) => Ok(DevicePoll::SlowDown),
            _ => Err(error),
        }
    }
}

/// Polls until the user approves, denies, or `limit` passes.
///
/// Whether polls need the client secret is unconfirmed for classic Connected Apps (protocol notes §1):
/// polls go without it, as sfdx-core's do, and switch to sending it if Salesforce answers `invalid_client`.
pub async fn wait_for_device_approval(
    client: &Client,
    app: &AppCredentials,
    device: &DeviceAuthorization,
    clock: &impl Clock,
    limit: Duration,
    mut on_event: impl FnMut(DeviceEvent),
) -> Result<TokenGrant, Error> {
    let started = clock.now();
    let mut interval = device.interval;
    let mut polls = 0u32;
    let mut transient_in_a_row = 0u32;
    let mut with_secret = false;
    let mut wait = interval;
    loop {
        if clock.now().duration_since(started) + wait > limit {
            return Err(Error::TimedOut { what: "The device login", waited_secs: limit.as_secs() });
        }
        clock.sleep(wait).await;
        polls += 1;
        wait = interval;
        match client.poll_device(app, device, with_secret).await {
            Ok(DevicePoll::Granted(grant)) => return Ok(*grant),
            Ok(DevicePoll::Pending) => {
                transient_in_a_row = 0;
                on_event(DeviceEvent::Pending { polls, elapsed: clock.now().duration_since(started) });
            }
            Ok(DevicePoll::SlowDown) => {
                transient_in_a_row = 0;
                interval += Duration::from_secs(5);
                wait = interval;
                on_event(DeviceEvent::SlowDown { interval });
            }
            Err(e)
                if e.oauth_code() == Some(&OAuthErrorCode::InvalidClient)
                    && !with_secret
                    && app.client_secret.is_some() =>
            {
                with_secret = true;
                wait = Duration::ZERO;
            }
            Err(e) if e.is_transient() && transient_in_a_row < MAX_TRANSIENT_IN_A_ROW => {
                transient_in_a_row += 1;
                wait = pause_before_retry(backoff(interval, transient_in_a_row), &e);
                on_event(DeviceEvent::Retrying { message: e.explain().headline, retry_in: wait });
            }
            Err(e) => return Err(e),
        }
    }
}

/// Back-off after `n` transient failures in a row: the interval doubled per failure, capped at 60 s.
pub fn backoff(base: Duration, n: u32) -> Duration {
    (base * 2u32.saturating_pow(n.min(6))).min(Duration::from_secs(60))
}
