//! Trying a request again after a transient failure (5xx, 429, a maintenance page, a timeout, a refused
//! connection), with back-off, for the requests that are safe to repeat: a token refresh and the REST
//! reads. The readiness probe and device polling have their own loops (`probe.rs`, `device_flow.rs`).
//!
//! Every one of those loops waits at least as long as a 429 or 503 asked (`Retry-After`, carried in
//! [`Error::AskedToWait`]), up to [`MAX_SERVER_WAIT`]: see [`pause_before_retry`].
//!
//! Must never wrap the code exchange: an authorization code is single use, so sending it twice after an
//! ambiguous failure can only fail the second time and hide what happened to the first.

use std::future::Future;
use std::time::Duration;

use super::clock::Clock;
use super::device_flow::backoff;
use super::errors::Error;

/// The longest pause taken because a server asked for it with `Retry-After`.
///
/// Why a ceiling, and why two minutes: sfconnect is run by someone watching a terminal (`check`, `wait`, the
/// wizard), and a pause much longer than our own back-off cap (60 s) looks like a hang. An HTTP-date value
/// is read against this machine's clock, so a skewed clock (or a server asking for an hour) must not stall
/// a run for hours. After the ceiling the request goes out again; if the server still says no, each loop's
/// own limits (tries, the probe's and device login's time limit) end it, and the message names the wait
/// Salesforce asked for, so the admin can come back later.
pub const MAX_SERVER_WAIT: Duration = Duration::from_secs(120);

/// The pause before trying again after `error`: `own` (the loop's back-off), or longer when the server asked
/// for more with `Retry-After`, never more than [`MAX_SERVER_WAIT`] on the server's account.
pub fn pause_before_retry(own: Duration, error: &Error) -> Duration {
    match error.retry_after() {
        Some(asked) => own.max(asked.min(MAX_SERVER_WAIT)),
        None => own,
    }
}

/// How many times to try a repeatable request, and the pause before the first retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included (1 means no retry).
    pub attempts: u32,
    /// Half the first pause; each further pause doubles, capped at 60 s (see [`backoff`]).
    pub base: Duration,
}

impl RetryPolicy {
    /// Three tries, pausing 2 s then 4 s: long enough to ride out a blip, short enough that someone
    /// running `check` by hand is not left wondering.
    pub const REPEATABLE_READ: RetryPolicy = RetryPolicy { attempts: 3, base: Duration::from_secs(1) };

    /// One try, no retry.
    pub const ONCE: RetryPolicy = RetryPolicy { attempts: 1, base: Duration::ZERO };
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::REPEATABLE_READ
    }
}

/// Hears each transient failure that is about to be retried, with the pause before the retry, for a
/// progress line ("… trying again in 30 s"). It gets the error's headline only, which holds no secret.
#[derive(Clone, Default)]
pub struct RetryNotice(Option<std::sync::Arc<NoticeFn>>);

/// A progress line's writer: the headline and the pause.
type NoticeFn = dyn Fn(&str, Duration) + Send + Sync;

impl RetryNotice {
    pub fn new(f: impl Fn(&str, Duration) + Send + Sync + 'static) -> Self {
        Self(Some(std::sync::Arc::new(f)))
    }

    pub fn tell(&self, error: &Error, pause: Duration) {
        if let Some(f) = &self.0 {
            f(&error.explain().headline, pause);
        }
    }
}

impl std::fmt::Debug for RetryNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "RetryNotice(on)" } else { "RetryNotice(off)" })
    }
}

/// Runs `op` until it succeeds, fails for a reason that is not transient, or `policy.attempts` tries
/// have failed; then returns the last error. Each pause is the policy's back-off or, when a 429 or 503 asked
/// for longer, that wait (see [`pause_before_retry`]). `on_retry` hears each error that is followed by a
/// retry, with the pause before it (for a progress line; the error's headline holds no secret).
pub async fn retry_transient<T, F, Fut>(
    clock: &impl Clock,
    policy: RetryPolicy,
    mut on_retry: impl FnMut(&Error, Duration),
    mut op: F,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut failures = 0u32;
    loop {
        match op().await {
            Ok(value) => return Ok(value),
            Err(e) if e.is_transient() && failures + 1 < policy.attempts.max(1) => {
                failures += 1;
                let pause = pause_before_retry(backoff(policy.base, failures), &e);
                tracing::warn!(attempt = failures, retry_in_ms = pause.as_millis() as u64, error = %e.explain().headline, "transient failure, retrying");
                on_retry(&e, pause);
                clock.sleep(pause).await;
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::clock::ManualClock;
    use crate::errors::{OAuthError, TransportKind};

    fn refused() -> Error {
        Error::Transport { kind: TransportKind::Refused, host: "h".into(), detail: String::new() }
    }

    #[tokio::test]
    async fn transient_failures_are_retried_with_doubling_pauses() {
        let clock = ManualClock::default();
        let calls = Cell::new(0);
        let out = retry_transient(
            &clock,
            RetryPolicy::REPEATABLE_READ,
            |_, _| {},
            || {
                calls.set(calls.get() + 1);
                let n = calls.get();
                async move { if n < 3 { Err(refused()) } else { Ok(n) } }
            },
        )
        .await;
        assert_eq!(out.ok(), Some(3));
        assert_eq!(clock.sleeps(), vec![Duration::from_secs(2), Duration::from_secs(4)]);
    }

    #[tokio::test]
    async fn gives_up_after_the_last_attempt_with_the_last_error() {
        let clock = ManualClock::default();
        let calls = Cell::new(0);
        let out: Result<(), Error> = retry_transient(
            &clock,
            RetryPolicy::REPEATABLE_READ,
            |_, _| {},
            || {
                calls.set(calls.get() + 1);
                async { Err(refused()) }
            },
        )
        .await;
        assert!(matches!(out, Err(Error::Transport { kind: TransportKind::Refused, .. })));
        assert_eq!(calls.get(), 3);
    }

    #[test]
    fn the_longer_of_our_back_off_and_the_server_s_wait_up_to_the_ceiling() {
        let asked = |secs| Error::AskedToWait { wait: Duration::from_secs(secs), answer: Box::new(refused()) };
        let own = Duration::from_secs(4);
        assert_eq!(pause_before_retry(own, &refused()), own);
        assert_eq!(pause_before_retry(own, &asked(1)), own);
        assert_eq!(pause_before_retry(own, &asked(30)), Duration::from_secs(30));
        assert_eq!(pause_before_retry(own, &asked(u64::MAX)), MAX_SERVER_WAIT);
        assert_eq!(pause_before_retry(Duration::from_secs(600), &asked(30)), Duration::from_secs(600));
    }

    #[tokio::test]
    async fn a_refusal_on_purpose_is_not_retried() {
        let clock = ManualClock::default();
        let calls = Cell::new(0);
        let out: Result<(), Error> = retry_transient(
            &clock,
            RetryPolicy::REPEATABLE_READ,
            |_, _| {},
            || {
                calls.set(calls.get() + 1);
                async { Err(Error::OAuth(OAuthError { status: 400, code: "invalid_grant".into(), description: None })) }
            },
        )
        .await;
        assert_eq!(out.err().and_then(|e| e.oauth_code().cloned()), Some(crate::errors::OAuthErrorCode::InvalidGrant));
        assert_eq!(calls.get(), 1);
        assert!(clock.sleeps().is_empty());
    }
}
