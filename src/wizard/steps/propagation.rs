//! Step 6, Waiting for Salesforce: a countdown with a gauge while the readiness probe runs in the
//! background. Moves on by itself the moment the key is live and the secret accepted, says so when
//! the secret is wrong, and lists what to do meanwhile. A key skips the wait.

use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::salesforce::probe::Readiness;
use crate::salesforce::{AppCredentials, Error};
use crate::wizard::msg::{Action, Command, Msg, ProbeUpdate};
use crate::wizard::screen::Screen;
use crate::wizard::state::{State, Step};
use crate::wizard::update::{Update, go_back, go_next};

use super::Hint;

/// What the probe has found so far.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ProbeStatus {
    #[default]
    Starting,
    NotLive,
    Ready,
    SecretRejected,
    RedirectNotRegistered,
    /// The probe itself failed in a way retrying will not fix.
    Failed {
        headline: String,
        fix: String,
    },
    /// A transient failure; the probe retries.
    Retrying(String),
    /// The request never reached Salesforce (refused, DNS, timeout): nothing is known about the key. The
    /// probe tries again at `next_try`.
    Unreachable {
        message: String,
        next_try: Instant,
    },
}

#[derive(Debug, Clone, Default)]
pub struct PropagationState {
    pub started: Option<Instant>,
    pub attempts: u32,
    pub status: ProbeStatus,
    /// Which org, key and secret the wait is for (as a hash), so a change asks Salesforce again.
    fingerprint: Option<[u8; 32]>,
    /// Which org and key the countdown is for: a new secret asks again, but the app is as old as it was,
    /// so the countdown goes on.
    key_fingerprint: Option<[u8; 32]>,
    /// The wait began in an earlier session: keep its start when the secret is entered again.
    resumed: bool,
}

impl PropagationState {
    /// Restarts the wait when the key or secret changed since it began.
    /// The org (login host), the key and the secret together: a change of any one means a new wait (from a
    /// security review: a new org kept the old org's "live" answer).
    fn fingerprint_of(host: &str, key: &str, secret: &str) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(host.as_bytes());
        hasher.update([0]);
        hasher.update(key.as_bytes());
        hasher.update([0]);
        hasher.update(secret.as_bytes());
        hasher.finalize().into()
    }

    /// True when Salesforce rejected exactly this key and secret (they were not changed since).
    pub fn rejected(&self, host: &str, key: &str, secret: &str) -> bool {
        self.status == ProbeStatus::SecretRejected && self.fingerprint == Some(Self::fingerprint_of(host, key, secret))
    }

    pub fn reset_if_changed(&mut self, host: &str, key: &str, secret: &str) {
        let fingerprint = Self::fingerprint_of(host, key, secret);
        if self.fingerprint != Some(fingerprint) {
            let key_fingerprint = Self::fingerprint_of(host, key, "");
            // The countdown measures the app's age: only a new org or key starts it again. A resumed wait
            // keeps its start until the first key is entered.
            let same_app = self.key_fingerprint == Some(key_fingerprint);
            let first_after_resume = self.resumed && self.fingerprint.is_none();
            let started = if same_app || first_after_resume { self.started } else { None };
            *self = PropagationState {
                fingerprint: Some(fingerprint),
                key_fingerprint: Some(key_fingerprint),
                started,
                resumed: self.resumed,
                ..PropagationState::default()
            };
        }
    }

    /// Restores a wait that began in an earlier session, so the countdown goes on from where it was.
    pub fn resume_from(&mut self, started: Instant) {
        self.started = Some(started);
        self.resumed = true;
    }

    pub fn elapsed(&self, now: Instant) -> Duration {
        self.started.map(|s| now.saturating_duration_since(s)).unwrap_or_default()
    }

    pub fn waiting(&self) -> bool {
        matches!(
            self.status,
            ProbeStatus::Starting
                | ProbeStatus::NotLive
                | ProbeStatus::Retrying(_)
                | ProbeStatus::Unreachable { .. }
                | ProbeStatus::RedirectNotRegistered
        )
    }

    /// Whole seconds until the next try while Salesforce cannot be reached (rounded up, so 0 only when due).
    pub fn next_try_in(&self, now: Instant) -> Option<u64> {
        match &self.status {
            ProbeStatus::Unreachable { next_try, .. } => {
                let left = next_try.saturating_duration_since(now);
                Some(left.as_secs() + u64::from(left.subsec_nanos() > 0))
            }
            _ => None,
        }
    }
}

/// What to do while waiting: the OAuth policies of the new app, with what each choice does.
pub const MEANWHILE: &[&str] = &[
    "Set the app's OAuth policies while you wait (ECA: Policies tab > Edit;",
    "Connected App: Manage > Edit Policies):",
    "- Permitted Users: \"Admin approved users are pre-authorized\" + the user's",
    "  profile or permission set keeps others out; \"All users may self-authorize\"",
    "  is simpler.",
    "- IP Relaxation: \"Relax IP restrictions\" if the connector calls from",
    "  addresses outside your trusted ranges.",
    "- Refresh Token Policy: \"Refresh token is valid until revoked\", or the",
    "  connector stops when the token expires.",
];

const HELP: &str = "\
A new app's consumer key takes a while to reach every Salesforce server: up to 10 minutes for a \
Connected App, up to 15 for an External Client App. Until then Salesforce answers \"client \
identifier invalid\".

sfconnect asks Salesforce every 2-3 seconds with a harmless request (nothing is created, no one is \
asked anything) and moves on by itself the moment the key works. It also finds out whether the \
secret is right, before you authorize.

Press {skip} to skip the wait if you know the app is ready; {back} goes back to fix the key or secret.";

fn start_probe(state: &mut State) -> Update {
    let Some(host) = state.login_host() else {
        state.propagation.status = ProbeStatus::Failed {
            headline: "No login URL".into(),
            fix: "Go back to the start and pick the org".into(),
        };
        return Update::redraw();
    };
    let app = AppCredentials {
        client_id: state.credentials.key.value().trim().to_string(),
        client_secret: state.credentials.client_secret(),
    };
    Update::with(vec![Command::StartProbe { host, app, redirect_uri: state.redirect_uri() }])
}

fn on_probe(state: &mut State, result: Result<ProbeUpdate, Error>) -> Update {
    let p = &mut state.propagation;
    match result {
        Ok(update) => {
            p.attempts = update.attempts;
            p.status = match update.readiness {
                Readiness::NotLive => ProbeStatus::NotLive,
                Readiness::Ready { .. } => ProbeStatus::Ready,
                Readiness::SecretRejected => ProbeStatus::SecretRejected,
                Readiness::RedirectNotRegistered => ProbeStatus::RedirectNotRegistered,
            };
        }
        Err(e) if e.is_transient() => p.status = ProbeStatus::Retrying(e.explain().headline),
        Err(e) => {
            let ex = e.explain();
            p.status = ProbeStatus::Failed { headline: ex.headline, fix: ex.fix };
        }
    }
    if state.propagation.status == ProbeStatus::Ready && state.step == Step::PROPAGATION {
        let waited = state.propagation.elapsed(state.now).as_secs();
        let mut update = go_next(state);
        state.say(format!(
            "The consumer key is live and the secret is accepted (waited {:02}:{:02}).",
            waited / 60,
            waited % 60
        ));
        update.dirty = true;
        return update;
    }
    Update::redraw()
}

/// The probe could not reach Salesforce: say so, with a countdown to the next try (never a word about the
/// key, which Salesforce has not seen).
fn on_unreachable(state: &mut State, message: String, retry_in: Duration) -> Update {
    state.propagation.status = ProbeStatus::Unreachable { message, next_try: state.now + retry_in };
    Update::redraw()
}

impl Step {
    pub const PROPAGATION: Step = Step::new("propagation");
}

#[derive(Debug)]
pub struct PropagationScreen;

impl Screen for PropagationScreen {
    fn id(&self) -> Step {
        Step::PROPAGATION
    }

    fn title(&self) -> &'static str {
        "Waiting for Salesforce"
    }

    fn on_action(&self, state: &mut State, action: Action) -> Update {
        match action {
            Action::Skip => {
                let mut update = go_next(state);
                update.commands.insert(0, Command::StopProbe);
                match state.propagation.status {
                    ProbeStatus::SecretRejected => state.warn(
                        "Skipped, but Salesforce rejected the consumer secret: the exchange after Allow will fail \
                         the same way until it is fixed ({back} twice goes back to it).",
                    ),
                    ProbeStatus::RedirectNotRegistered => state.warn(
                        "Skipped, but the callback URL is not on the app: Allow will end in a redirect_uri_mismatch \
                         until it is added.",
                    ),
                    _ => state.say(
                        "Skipped the wait: if Salesforce says \"client identifier invalid\", the key is not live yet.",
                    ),
                }
                update
            }
            Action::Retry => {
                state.propagation.status = ProbeStatus::Starting;
                start_probe(state)
            }
            Action::Next if state.propagation.status == ProbeStatus::Ready => go_next(state),
            // The exact line to add to the app's Callback URL field.
            Action::Copy if state.propagation.status == ProbeStatus::RedirectNotRegistered => {
                Update::with(vec![Command::Copy {
                    label: "Callback URL".into(),
                    text: state.redirect_uri().into(),
                    secret: false,
                }])
            }
            Action::Back => {
                let mut update = go_back(state);
                update.commands.insert(0, Command::StopProbe);
                update
            }
            _ => Update::none(),
        }
    }

    fn hints(&self, state: &State) -> Vec<Hint> {
        match state.propagation.status {
            ProbeStatus::Ready => vec![(Action::Next, "continue"), (Action::Back, "back")],
            ProbeStatus::RedirectNotRegistered => {
                vec![(Action::Copy, "copy callback"), (Action::Skip, "skip"), (Action::Back, "back")]
            }
            ProbeStatus::SecretRejected | ProbeStatus::Failed { .. } => {
                vec![(Action::Back, "fix the key or secret"), (Action::Retry, "try again"), (Action::Skip, "skip")]
            }
            _ => vec![(Action::Skip, "skip the wait"), (Action::Back, "back")],
        }
    }

    fn help(&self, _state: &State) -> &'static str {
        HELP
    }

    fn render(&self, frame: &mut ratatui::Frame, area: ratatui::layout::Rect, state: &State, ctx: crate::ui::Ctx) {
        crate::ui::propagation::render(frame, area, state, ctx)
    }

    fn on_result(&self, state: &mut State, msg: Msg) -> Result<Update, Msg> {
        Ok(match msg {
            Msg::Probe(r) => on_probe(state, r),
            Msg::ProbeRetrying(text) => {
                state.propagation.status = ProbeStatus::Retrying(text);
                Update::redraw()
            }
            Msg::ProbeUnreachable { message, retry_in } => on_unreachable(state, message, retry_in),
            other => return Err(other),
        })
    }

    fn on_enter(&self, state: &mut State) -> Update {
        if state.propagation.status == ProbeStatus::Ready {
            return Update::redraw();
        }
        if state.propagation.started.is_none() {
            state.propagation.started = Some(state.now);
        }
        state.propagation.status = ProbeStatus::Starting;
        start_probe(state)
    }

    fn on_tick(&self, state: &mut State) -> Update {
        // The countdown text changes every second while waiting; nothing else does.
        if state.propagation.waiting() { Update::redraw() } else { Update::none() }
    }

    fn tick_interval(&self, state: &State) -> Option<Duration> {
        state.propagation.waiting().then_some(Duration::from_secs(1))
    }
}
