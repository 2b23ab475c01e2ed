//! Step 8, Exchange and verify: the code (or device approval) becomes tokens, then a refresh and the
//! identity prove the refresh token works: "Connected as admin@acme.com to Acme (Enterprise Edition)".
//! Failures are explained with the fix and the step that can fix them.

use std::time::{Duration, Instant};

use crate::salesforce::{AppCredentials, AuthCode, CodeVerifier, Error, OAuthErrorCode, TokenGrant};
use crate::settings::ConnectorSettings;
use crate::wizard::msg::{Action, Command, KeptSecret, Msg, Verified};
use crate::wizard::screen::Screen;
use crate::wizard::state::{State, Step};
use crate::wizard::update::{Update, go_back, go_next, go_to};

use super::Hint;

/// How long an authorization code lives after Allow (protocol notes §2, about 15 minutes).
pub const CODE_LIFETIME: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum VerifyStatus {
    #[default]
    Idle,
    Exchanging {
        since: Instant,
    },
    Verifying {
        since: Instant,
    },
    Done {
        connected_as: String,
    },
    Failed {
        headline: String,
        fix: String,
        back_to: Step,
        can_retry: bool,
    },
}

/// A code exchange as it was sent, kept until Salesforce has seen the code: when the request never left
/// this machine (a refused connection, a name that does not resolve), the same code can be sent again.
#[derive(Debug, Clone)]
pub struct PendingExchange {
    pub code: AuthCode,
    pub redirect_uri: String,
    pub verifier: Option<CodeVerifier>,
}

#[derive(Debug, Default)]
pub struct VerifyState {
    /// The exchange in flight, or one that failed before reaching Salesforce (its code is unspent).
    pub pending: Option<PendingExchange>,
    /// Salesforce refused the exchange's callback URL (`redirect_uri_mismatch`): the exact line to add to
    /// the app's Callback URL field, which the copy key copies.
    pub callback_to_add: Option<String>,
    pub status: VerifyStatus,
    /// The tokens, kept to retry the verification without a new authorization.
    pub grant: Option<TokenGrant>,
    /// The tokens come from a refresh token kept in the OS keyring by an earlier session, not from a
    /// new authorization.
    pub resumed: bool,
    /// Esc was pressed once with a working token: a second Esc goes back to authorize again.
    pub confirm_back: bool,
    /// The tokens came from the device flow.
    pub via_device: bool,
    /// Where a resumed session stopped (past this step): it goes on there once the kept token is proved.
    pub resume_to: Option<Step>,
}

impl VerifyState {
    pub fn begin_exchange(&mut self, now: Instant) {
        self.status = VerifyStatus::Exchanging { since: now };
        self.pending = None;
        self.callback_to_add = None;
        self.grant = None;
        self.resumed = false;
        self.via_device = false;
        self.resume_to = None;
    }

    pub fn busy(&self) -> bool {
        matches!(self.status, VerifyStatus::Exchanging { .. } | VerifyStatus::Verifying { .. })
    }
}

const HELP: &str = "\
sfconnect exchanges the authorization code for tokens (the secret travels in the request body, never \
in a URL), then proves the refresh token works by using it once and reading who it belongs to.

If something fails, the message says why and which step fixes it: {back} goes back there. A code is \
single use: after a failed exchange, authorize again rather than pasting the same code.";

/// True when the exchange never reached Salesforce, so its code is unused: the client's one rule
/// ([`Error::is_unsent`]: a refused connection or a name that does not resolve), which `exchange` uses too.
pub fn never_sent(error: &Error) -> bool {
    error.is_unsent()
}

/// The exchange command for a pending exchange.
fn exchange_command(state: &State, pending: &PendingExchange) -> Option<Command> {
    Some(Command::Exchange {
        host: state.login_host()?,
        app: app(state),
        code: pending.code.clone(),
        redirect_uri: pending.redirect_uri.clone(),
        verifier: pending.verifier.clone(),
    })
}

/// Which step fixes an error.
fn back_to_for(error: &Error) -> Step {
    match error.oauth_code() {
        Some(OAuthErrorCode::InvalidClient | OAuthErrorCode::InvalidClientId) => Step::CREDENTIALS,
        Some(
            OAuthErrorCode::RedirectUriMismatch
            | OAuthErrorCode::UnsupportedResponseType
            | OAuthErrorCode::OauthFlowDisabled,
        ) => Step::CREATE_APP,
        Some(OAuthErrorCode::InvalidScope) => Step::SCOPES,
        _ => match error {
            Error::MissingRefreshToken { .. } => Step::SCOPES,
            _ => Step::AUTHORIZE,
        },
    }
}

fn app(state: &State) -> AppCredentials {
    AppCredentials {
        client_id: state.credentials.key.value().trim().to_string(),
        client_secret: state.credentials.client_secret(),
    }
}

fn on_authorized(state: &mut State, result: Result<TokenGrant, Error>) -> Update {
    let grant = match result.and_then(|g| match g.refresh_token {
        Some(_) => Ok(g),
        None => Err(Error::MissingRefreshToken { granted: g.scopes.to_param() }),
    }) {
        Ok(g) => g,
        Err(e) if never_sent(&e) && state.verify.pending.is_some() => {
            // The code never left this machine: it is still good, so keep it and offer to send it again.
            let ex = e.explain();
            state.verify.status = VerifyStatus::Failed {
                headline: format!("Salesforce could not be reached, so the code was never sent: {}", ex.headline),
                fix: format!("{} The code is kept and still works (about 15 minutes after Allow).", ex.fix),
                back_to: Step::START,
                can_retry: true,
            };
            return if state.step == Step::VERIFY { Update::redraw() } else { go_to(state, Step::VERIFY) };
        }
        Err(e) => {
            // Salesforce may have seen the code: it is spent.
            let pending = state.verify.pending.take();
            if e.oauth_code() == Some(&OAuthErrorCode::RedirectUriMismatch) {
                state.verify.callback_to_add = pending.map(|p| p.redirect_uri);
            }
            let ex = e.explain();
            let (headline, fix) = if e.is_transient() {
                (
                    ex.headline,
                    "The code may or may not have been used (codes are single use): authorize again for a new one."
                        .to_string(),
                )
            } else {
                (ex.headline, ex.fix)
            };
            state.verify.status = VerifyStatus::Failed { headline, fix, back_to: back_to_for(&e), can_retry: false };
            return if state.step == Step::VERIFY { Update::redraw() } else { go_to(state, Step::VERIFY) };
        }
    };
    state.verify.pending = None;
    // Keep what matters at once: the settings exist from here on, even if the proof below fails.
    let login_url = state.login_host().map(|h| h.origin().to_string()).unwrap_or_default();
    let key = state.credentials.key.value().trim().to_string();
    // The one function that makes settings from a grant, with the instance rule inside it.
    let made = match ConnectorSettings::from_grant(key, state.credentials.client_secret(), &grant, login_url) {
        Ok(made) => made,
        Err(refused) => {
            state.verify.status = VerifyStatus::Failed {
                headline: refused.to_string(),
                fix: refused.fix().to_string(),
                back_to: Step::START,
                can_retry: false,
            };
            return if state.step == Step::VERIFY { Update::redraw() } else { go_to(state, Step::VERIFY) };
        }
    };
    let keep = grant.refresh_token.clone().and_then(|t| state.keep(KeptSecret::RefreshToken(t)));
    state.verify.grant = Some(grant.clone());
    state.verify.status = VerifyStatus::Verifying { since: state.now };
    let mut update = if state.step == Step::VERIFY { Update::redraw() } else { go_to(state, Step::VERIFY) };
    update = update.tell(Msg::Granted(Box::new(made)));
    update.commands.extend(keep);
    if let Some(host) = state.login_host() {
        update.push(Command::Verify { host, app: app(state), grant: Box::new(grant) });
    }
    update
}

fn on_verified(state: &mut State, result: Result<Verified, Error>) -> Update {
    match result {
        Ok(v) => {
            let kind = if v.is_sandbox { "sandbox" } else { "production" };
            let connected_as = format!("Connected as {} to {} ({}, {kind})", v.username, v.org_name, v.edition);
            // Rotation is on: the proving refresh replaced the token, so the settings hand over the new one.
            let keep = v.rotated.clone().and_then(|t| state.keep(KeptSecret::RefreshToken(t)));
            let proven = Msg::Proven { username: v.username.clone(), rotated: v.rotated };
            state.verify.status = VerifyStatus::Done { connected_as };
            // A resumed session goes on to the step it stopped at, now that its kept token is proved.
            let mut update = match state.verify.resume_to.take() {
                Some(step) => go_to(state, step),
                None => Update::redraw(),
            };
            update.commands.extend(keep);
            return update.tell(proven);
        }
        Err(e) => {
            let ex = e.explain();
            state.verify.status =
                VerifyStatus::Failed { headline: ex.headline, fix: ex.fix, back_to: back_to_for(&e), can_retry: true };
        }
    }
    Update::redraw()
}

/// A kept code's remaining life is on screen (a failed exchange that can be sent again) and still counts
/// down: the screen needs a tick each second until the code is too old, then none.
fn code_clock_running(state: &State) -> bool {
    let retry = matches!(state.verify.status, VerifyStatus::Failed { can_retry: true, .. });
    let received = state.authorize.code_received.filter(|_| retry && state.verify.grant.is_none());
    received.is_some_and(|at| state.now.saturating_duration_since(at) <= CODE_LIFETIME)
}

impl Step {
    pub const VERIFY: Step = Step::new("verify");
}

#[derive(Debug)]
pub struct VerifyScreen;

impl Screen for VerifyScreen {
    fn id(&self) -> Step {
        Step::VERIFY
    }

    fn title(&self) -> &'static str {
        "Exchange and verify"
    }

    fn on_action(&self, state: &mut State, action: Action) -> Update {
        let confirmed = std::mem::take(&mut state.verify.confirm_back);
        if let (VerifyStatus::Failed { .. }, Some(callback)) =
            (&state.verify.status, state.verify.callback_to_add.clone())
            && let Some(update) = super::callback_line_action(action, callback)
        {
            return update;
        }
        match (&state.verify.status, action) {
            (VerifyStatus::Done { .. }, Action::Next) => go_next(state),
            // The tokens exist even if the proof failed: on to the checks, which say what is wrong with the
            // org (API access off, a licence…) and how to fix it; the settings can be handed over after.
            (VerifyStatus::Failed { can_retry: true, .. }, Action::Next) if state.result.settings.is_some() => {
                go_next(state)
            }
            (VerifyStatus::Failed { can_retry: true, .. }, Action::Retry) => {
                match (state.verify.grant.clone(), state.login_host(), state.verify.pending.clone()) {
                    (Some(grant), Some(host), _) => {
                        state.verify.status = VerifyStatus::Verifying { since: state.now };
                        Update::with(vec![Command::Verify { host, app: app(state), grant: Box::new(grant) }])
                    }
                    // The code was never sent: send the same one again.
                    (None, _, Some(pending)) => match exchange_command(state, &pending) {
                        Some(command) => {
                            state.verify.status = VerifyStatus::Exchanging { since: state.now };
                            Update::with(vec![command])
                        }
                        None => Update::none(),
                    },
                    _ => Update::none(),
                }
            }
            (VerifyStatus::Failed { back_to, .. }, Action::Back) => {
                let step = *back_to;
                if step == Step::AUTHORIZE {
                    // A used or failed code is worthless: the authorize step starts afresh.
                    return Update::none().tell(Msg::AuthorizeAgain);
                }
                go_to(state, step)
            }
            (VerifyStatus::Done { .. }, Action::Back) if confirmed => go_back(state),
            (VerifyStatus::Done { .. }, Action::Back) => {
                // A working token would be dropped: going back only makes sense to authorize again.
                state.verify.confirm_back = true;
                state.warn(
                    "Going back means authorizing again, for a new token (this one keeps working and counts \
                     toward the five per user per app). {back} again to go back; {next} goes on.",
                );
                Update::redraw()
            }
            _ => Update::none(),
        }
    }

    fn hints(&self, state: &State) -> Vec<Hint> {
        match &state.verify.status {
            VerifyStatus::Done { .. } => vec![(Action::Next, "run the checks")],
            VerifyStatus::Failed { can_retry: true, .. } if state.verify.grant.is_none() => {
                vec![(Action::Retry, "try again"), (Action::Back, "go fix it")]
            }
            VerifyStatus::Failed { can_retry: true, .. } => {
                vec![(Action::Retry, "try again"), (Action::Next, "run the checks anyway"), (Action::Back, "go fix it")]
            }
            VerifyStatus::Failed { .. } if state.verify.callback_to_add.is_some() => {
                vec![(Action::Copy, "copy callback"), (Action::ShowPlain, "plain"), (Action::Back, "go fix it")]
            }
            VerifyStatus::Failed { .. } => vec![(Action::Back, "go fix it")],
            _ => vec![],
        }
    }

    fn help(&self, _state: &State) -> &'static str {
        HELP
    }

    fn render(&self, frame: &mut ratatui::Frame, area: ratatui::layout::Rect, state: &State, ctx: crate::ui::Ctx) {
        crate::ui::verify::render(frame, area, state, ctx)
    }

    fn on_result(&self, state: &mut State, msg: Msg) -> Result<Update, Msg> {
        Ok(match msg {
            Msg::Authorized(r) => on_authorized(state, r),
            Msg::DeviceAuthorized(r) => {
                let approved = r.is_ok();
                let update = on_authorized(state, r);
                state.verify.via_device = approved;
                update
            }
            Msg::Verified(r) => on_verified(state, r),
            Msg::ExchangeStarted(pending) => {
                state.verify.begin_exchange(state.now);
                state.verify.pending = Some(pending);
                Update::redraw()
            }
            other => return Err(other),
        })
    }

    fn on_tick(&self, state: &mut State) -> Update {
        if state.verify.busy() || code_clock_running(state) { Update::redraw() } else { Update::none() }
    }

    fn tick_interval(&self, state: &State) -> Option<Duration> {
        if state.verify.busy() {
            Some(Duration::from_millis(250))
        } else {
            code_clock_running(state).then_some(Duration::from_secs(1))
        }
    }
}
