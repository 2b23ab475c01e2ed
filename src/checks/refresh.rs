//! `refresh` and `refresh_secret`: the refresh token refreshes, and whether the consumer secret is needed to
//! refresh ("Require Secret for Refresh Token Flow"), found by refreshing once more without it. That tells the
//! admin what the connector must store.
//!
//! With refresh token rotation on, each refresh returns a new refresh token and retires the old one; the newest
//! is handed back in [`RefreshOutcome::rotated`] and the caller must store it.

use super::{CheckId, Finding, Level, Verdict};
use crate::salesforce::{AppCredentials, Client, Error, OAuthErrorCode, RefreshToken, TokenGrant};

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
    refresh_and_probe_saving(client, app, token, |_| {}).await
}

/// [`refresh_and_probe`], handing each rotated refresh token to `save` the moment it arrives, before any
/// other request: with rotation on, the token the caller holds is dead from then on, so `save` must
/// store it before anything else can go wrong.
pub async fn refresh_and_probe_saving(
    client: &Client,
    app: &AppCredentials,
    token: &RefreshToken,
    mut save: impl FnMut(&RefreshToken),
) -> RefreshOutcome {
    let mut outcome = refresh_first_saving(client, app, token, &mut save).await;
    if outcome.grant.is_none() {
        return outcome;
    }
    let current = outcome.rotated.clone().unwrap_or_else(|| token.clone());
    let rotation_on = outcome.rotated.is_some();
    outcome.merge(probe_secret(client, app, &current, rotation_on, save).await);
    outcome
}

/// What [`probe_secret`] found.
#[derive(Debug)]
pub struct SecretProbe {
    pub verdict: Verdict,
    /// The grant of the refresh without the secret, when a real token was refreshed and it worked.
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

/// The `refresh` check: one refresh with the app's credentials (a passing failure retried), handing a
/// rotated refresh token to `save` the moment it arrives.
pub async fn refresh_first_saving(
    client: &Client,
    app: &AppCredentials,
    token: &RefreshToken,
    mut save: impl FnMut(&RefreshToken),
) -> RefreshOutcome {
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
    if let Some(newest) = &rotated {
        save(newest);
    }
    let mut detail = format!("new access token issued ({} scopes)", first.scopes.len());
    if rotated.is_some() {
        detail.push_str("; refresh token rotation is on: store the newest refresh token after every refresh");
    }
    let verdicts = vec![Verdict::new(CheckId::Refresh, Level::Info, Finding::Ok(detail))];
    RefreshOutcome { grant: Some(first), rotated, verdicts }
}

/// The `refresh_secret` check: whether a refresh without the secret is accepted. `current` is the newest
/// refresh token.
///
/// With rotation on, the probe does not refresh the real token (that would rotate it once more): it sends a
/// refresh token that cannot exist, without the secret. Salesforce checks the client before the token (the
/// simulator does; unconfirmed for Salesforce, see docs/protocol.md), so `invalid_client` means the secret
/// is required and `invalid_grant` that the client passed without it. Since no real token is spent, the
/// probe can run beside the reads.
pub async fn probe_secret(
    client: &Client,
    app: &AppCredentials,
    current: &RefreshToken,
    rotation_on: bool,
    mut save: impl FnMut(&RefreshToken),
) -> SecretProbe {
    let probe =
        |finding| SecretProbe { verdict: Verdict::new(CheckId::RefreshSecret, Level::Info, finding), grant: None };
    if app.client_secret.is_none() {
        return probe(Finding::Ok("refreshes without a secret: the connector needs only the Client ID".into()));
    }
    let keyless = AppCredentials { client_id: app.client_id.clone(), client_secret: None };
    if rotation_on {
        let finding = match client.refresh(&keyless, &RefreshToken::new(UNKNOWN_REFRESH_TOKEN)).await {
            Err(e) if secret_refused(&e) => Finding::Ok(
                "required: the connector must store the Client secret (\"Require Secret for Refresh Token Flow\" is on)"
                    .into(),
            ),
            Err(e) if e.oauth_code() == Some(&OAuthErrorCode::InvalidGrant) => Finding::Ok(
                "optional: a refresh without the secret passed the client check (\"Require Secret for Refresh Token Flow\" is off); found with a made-up token, since rotation is on"
                    .into(),
            ),
            Err(e) => Finding::from_error(&e),
            // Cannot happen with a made-up token; if it did, no real token was spent.
            Ok(_) => Finding::Ok("optional: the token refreshes without the secret".into()),
        };
        return probe(finding);
    }
    match client.refresh(&keyless, current).await {
        Ok(second) => {
            if let Some(newest) = &second.refresh_token {
                save(newest);
            }
            let finding = Finding::Ok(
                "optional: the token refreshes without the secret (\"Require Secret for Refresh Token Flow\" is off)"
                    .into(),
            );
            SecretProbe { verdict: Verdict::new(CheckId::RefreshSecret, Level::Info, finding), grant: Some(second) }
        }
        Err(e) if secret_refused(&e) => probe(Finding::Ok(
            "required: the connector must store the Client secret (\"Require Secret for Refresh Token Flow\" is on)"
                .into(),
        )),
        Err(e) => probe(Finding::from_error(&e)),
    }
}

/// The refresh token of the rotation-safe probe: the shape of one, but no org issues it.
const UNKNOWN_REFRESH_TOKEN: &str = "5Aep861sfconnectProbeTokenThatNoOrgIssued";

/// How Salesforce refuses a refresh without the required secret. The exact answer is unconfirmed (protocol notes
/// "Could NOT confirm"); `invalid_client` is what the simulator and third-party reports show.
fn secret_refused(error: &Error) -> bool {
    matches!(error.oauth_code(), Some(OAuthErrorCode::InvalidClient | OAuthErrorCode::InvalidRequest))
}
