//! `refresh` and `refresh_secret`: the refresh token refreshes, and whether the consumer secret is needed to
//! refresh ("Require Secret for Refresh Token Flow"), found by refreshing once more without it. That tells the
//! admin what the connector must store.
//!
//! With refresh token rotation on, each refresh returns a new refresh token and retires the old one; the newest
//! is handed back in [`RefreshOutcome::rotated`] and the caller must store it.

use super::{CheckId, Finding, Level, Verdict};
use crate::salesforce::{AppCredentials, Client, Error, RefreshToken, TokenGrant};

/// What the refresh tries gave.
#[derive(Debug)]
pub struct RefreshOutcome {
    /// The newest grant, when a refresh worked.
    pub grant: Option<TokenGrant>,
    /// The newest refresh token when rotation replaced the one passed in: store it, the old one is dead.
    pub rotated: Option<RefreshToken>,
    pub verdicts: Vec<Verdict>,
}

/// Refreshes with the app's credentials; then, if it has a secret, once more without it.
pub async fn refresh_and_probe(client: &Client, app: &AppCredentials, token: &RefreshToken) -> RefreshOutcome {
    let first = refresh_first(client, app, token).await;
    if first.grant.is_none() {
        return first;
    }
    let current = first.rotated.clone().unwrap_or_else(|| token.clone());
    let probe = probe_secret(client, app, &current).await;
    let mut outcome = first;
    outcome.merge(probe);
    outcome
}

/// What [`probe_secret`] found.
#[derive(Debug)]
pub struct SecretProbe {
    pub verdict: Verdict,
    /// The grant of the refresh without the secret, when it worked.
    pub grant: Option<TokenGrant>,
}

impl RefreshOutcome {
    /// Adds the secret probe's verdict, and its newer grant and rotated token.
    pub fn merge(&mut self, probe: SecretProbe) {
        if let Some(second) = probe.grant {
            if second.refresh_token.is_some() {
                self.rotated = second.refresh_token.clone();
            }
            self.grant = Some(second);
        }
        self.verdicts.push(probe.verdict);
    }
}

/// The `refresh` check: one refresh with the app's credentials (a passing failure retried).
pub async fn refresh_first(client: &Client, app: &AppCredentials, token: &RefreshToken) -> RefreshOutcome {
    // A passing failure (5xx, timeout) is retried: a refresh is safe to repeat.
    let first = match client
        .refresh_with_retry(
            app,
            token,
            &crate::salesforce::clock::TokioClock,
            crate::salesforce::retry::RetryPolicy::REPEATABLE_READ,
        )
        .await
    {
        Ok(grant) => grant,
        Err(e) => {
            let ex = e.explain();
            // Nothing reached Salesforce: say that first, so no one reads it as the token's fault.
            let detail =
                if e.is_unreachable() { format!("{}{}", super::UNREACHABLE_PREFIX, ex.headline) } else { ex.headline };
            let finding = Finding::Broken { detail, fix: ex.fix };
            return RefreshOutcome {
                grant: None,
                rotated: None,
                verdicts: vec![Verdict::new(CheckId::Refresh, Level::Info, finding)],
            };
        }
    };
    let rotated = first.refresh_token.clone();
    let mut detail = format!("new access token issued ({} scopes)", first.scopes.len());
    if rotated.is_some() {
        detail.push_str("; refresh token rotation is on: store the newest refresh token after every refresh");
    }
    let verdicts = vec![Verdict::new(CheckId::Refresh, Level::Info, Finding::Ok(detail))];
    RefreshOutcome { grant: Some(first), rotated, verdicts }
}

/// The `refresh_secret` check: refreshes `current` (the newest refresh token) once more without the secret,
/// to tell whether the connector must store it.
pub async fn probe_secret(client: &Client, app: &AppCredentials, current: &RefreshToken) -> SecretProbe {
    if app.client_secret.is_none() {
        let finding = Finding::Ok("refreshes without a secret: the connector needs only the Client ID".into());
        return SecretProbe { verdict: Verdict::new(CheckId::RefreshSecret, Level::Info, finding), grant: None };
    }
    let keyless = AppCredentials { client_id: app.client_id.clone(), client_secret: None };
    let (finding, grant) = match client.refresh(&keyless, current).await {
        Ok(second) => {
            let finding = Finding::Ok(
                "optional: the token refreshes without the secret (\"Require Secret for Refresh Token Flow\" is off)"
                    .into(),
            );
            (finding, Some(second))
        }
        Err(e) if secret_refused(&e) => {
            let finding = Finding::Ok(
                "required: the connector must store the Client secret (\"Require Secret for Refresh Token Flow\" is on)"
                    .into(),
            );
            (finding, None)
        }
        Err(e) => (Finding::from_error(&e), None),
    };
    SecretProbe { verdict: Verdict::new(CheckId::RefreshSecret, Level::Info, finding), grant }
}

/// How Salesforce refuses a refresh without the required secret. The exact answer is unconfirmed (protocol notes
/// "Could NOT confirm"); `invalid_client` is what the simulator and third-party reports show.
fn secret_refused(error: &Error) -> bool {
    matches!(error.oauth_code(), Some("invalid_client" | "invalid_request"))
}
