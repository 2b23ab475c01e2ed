//! The wizard's whole state: plain data, borrowed by the renderer, changed only by `update`.

use std::time::Instant;

use super::steps::checks::ChecksState;
use super::steps::{
    authorize::AuthorizeState, create_app::CreateAppState, credentials::CredentialsState, prerequisites::PrereqState,
    propagation::PropagationState, result::ResultState, scopes::ScopesState, start::StartState, verify::VerifyState,
};
use crate::presets::Preset;

use super::screen::Screen;
pub use super::screen::Step;

/// Facts about where sfconnect runs, read once at start by the runtime.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Surroundings {
    /// In an SSH session (SSH_CONNECTION / SSH_TTY).
    pub ssh: bool,
    /// A display is there (DISPLAY / WAYLAND_DISPLAY, or macOS / Windows).
    pub display: bool,
    /// `user@host` for the `ssh -L` hint.
    pub ssh_target: Option<String>,
    /// Running against the built-in simulator.
    pub demo: bool,
    /// NO_COLOR is set.
    pub no_color: bool,
}

impl Surroundings {
    /// True when a browser cannot be opened here: recommend paste-back or the device flow.
    pub fn headless(&self) -> bool {
        self.ssh || !self.display
    }
}

/// Whether the wizard is running, asking before quitting, or done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Running,
    ConfirmQuit,
    Quit,
}

/// A short message at the bottom of the screen ("Client secret copied: 64 characters, via the terminal").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Toast {
    /// Worded by the step that said it.
    Said { text: String, error: bool },
    /// A copy or browser notice from the runtime, worded by the UI.
    Notice(super::notice::Notice),
}

impl Toast {
    /// The text a step said; `None` for a notice, which the UI words.
    pub fn said(&self) -> Option<&str> {
        match self {
            Toast::Said { text, .. } => Some(text),
            Toast::Notice(_) => None,
        }
    }

    pub fn is_error(&self) -> bool {
        match self {
            Toast::Said { error, .. } => *error,
            Toast::Notice(notice) => notice.is_failure(),
        }
    }
}

/// The demo org's credentials, offered for pasting on the credentials step.
#[derive(Debug, Clone)]
pub struct DemoApp {
    pub base_url: String,
    pub client_id: String,
    pub client_secret: crate::salesforce::ClientSecret,
}

/// Everything the wizard knows.
#[derive(Debug)]
pub struct State {
    /// The steps in order (`steps::SCREENS` unless a test adds one).
    pub screens: Vec<&'static dyn Screen>,
    pub step: Step,
    pub mode: Mode,
    pub help: bool,
    pub now: Instant,
    pub toast: Option<Toast>,
    pub surroundings: Surroundings,
    pub presets: Vec<Preset>,
    pub demo: Option<DemoApp>,
    pub start: StartState,
    pub prereq: PrereqState,
    pub create_app: CreateAppState,
    pub scopes: ScopesState,
    pub credentials: CredentialsState,
    pub propagation: PropagationState,
    pub authorize: AuthorizeState,
    pub verify: VerifyState,
    pub checks: ChecksState,
    pub result: ResultState,
    /// True once the user typed or chose anything: quitting then asks first.
    pub touched: bool,
    /// Progress saved by an earlier session, offered for resuming at start.
    pub resume: Option<ResumeOffer>,
    /// The user opted in to keeping the consumer secret and refresh token in the OS keyring
    /// (`--keyring`) until the settings are saved.
    pub keyring: bool,
    /// The consumer keys this session kept secrets under in the OS keyring.
    pub kept_under: Vec<String>,
}

/// An earlier session's progress, and the moment it was offered (wall time and instant together, so
/// the wizard can tell wall time later without reading a clock).
#[derive(Debug, Clone)]
pub struct ResumeOffer {
    pub progress: super::progress::Progress,
    pub offered_wall: std::time::SystemTime,
    pub offered_at: Instant,
    /// What the earlier session kept in the OS keyring, when it opted in.
    pub kept: super::msg::KeptSecrets,
}

impl State {
    pub fn new(presets: Vec<Preset>, surroundings: Surroundings, now: Instant) -> Self {
        Self::with_screens(super::steps::SCREENS.to_vec(), presets, surroundings, now)
    }

    /// A wizard with its own list of steps (the first one is shown first).
    pub fn with_screens(
        screens: Vec<&'static dyn Screen>,
        presets: Vec<Preset>,
        surroundings: Surroundings,
        now: Instant,
    ) -> Self {
        let start = StartState::default();
        let first = screens.first().map_or(Step::START, |s| s.id());
        let mut state = Self {
            screens,
            step: first,
            mode: Mode::Running,
            help: false,
            now,
            toast: None,
            surroundings,
            presets,
            demo: None,
            start,
            prereq: PrereqState::default(),
            create_app: CreateAppState::default(),
            scopes: ScopesState::default(),
            credentials: CredentialsState::default(),
            propagation: PropagationState::default(),
            authorize: AuthorizeState::default(),
            verify: VerifyState::default(),
            checks: ChecksState::default(),
            result: ResultState::default(),
            touched: false,
            resume: None,
            keyring: false,
            kept_under: Vec::new(),
        };
        state.apply_preset();
        state
    }

    /// The step on screen.
    pub fn screen(&self) -> &'static dyn Screen {
        self.screen_of(self.step).unwrap_or(super::steps::SCREENS[0])
    }

    /// The screen of `step`, if this wizard has it.
    pub fn screen_of(&self, step: Step) -> Option<&'static dyn Screen> {
        self.screens.iter().copied().find(|s| s.id() == step)
    }

    /// 0-based position of `step` in the wizard's order (past the end when the wizard lacks it).
    fn position(&self, step: Step) -> usize {
        self.screens.iter().position(|s| s.id() == step).unwrap_or(self.screens.len())
    }

    /// 1-based number of `step`, for "Step 3 of 10".
    pub fn number(&self, step: Step) -> usize {
        self.position(step) + 1
    }

    /// True when `step` comes after `other` in the wizard's order.
    pub fn is_after(&self, step: Step, other: Step) -> bool {
        self.position(step) > self.position(other)
    }

    /// The title of `step`.
    pub fn title(&self, step: Step) -> &'static str {
        self.screen_of(step).map_or("", |s| s.title())
    }

    /// The step after the one on screen (the same at the end).
    pub fn next_step(&self) -> Step {
        self.screens.get(self.position(self.step) + 1).map_or(self.step, |s| s.id())
    }

    /// The step before the one on screen (the same at the start).
    pub fn prev_step(&self) -> Step {
        self.position(self.step).checked_sub(1).and_then(|i| self.screens.get(i)).map_or(self.step, |s| s.id())
    }

    /// The chosen target.
    pub fn preset(&self) -> Option<&Preset> {
        self.presets.get(self.start.preset_index)
    }

    /// Resets what depends on the target (scopes, prerequisites) to the target's defaults.
    pub fn apply_preset(&mut self) {
        let Some(preset) = self.preset() else { return };
        let scopes = crate::salesforce::Scopes::from_tokens(preset.scopes.iter().cloned());
        let device = preset.device_flow;
        self.scopes.selected = scopes;
        self.create_app.device_flow = device;
        self.prereq = PrereqState::default();
    }

    /// True when a free-text entry looks like a secret (the consumer secret typed on step 5, or a secret's or
    /// token's shape): the screen then draws it masked, as the secret field is, wherever it was pasted.
    pub fn looks_secret(&self, value: &str) -> bool {
        super::progress::looks_like_secret(value, self.credentials.secret.value())
    }

    /// The login host chosen on the start step (checked there before moving on).
    pub fn login_host(&self) -> Option<crate::salesforce::LoginHost> {
        match &self.demo {
            Some(demo) => crate::salesforce::LoginHost::parse(&demo.base_url).ok(),
            None => self.start.login_host().ok(),
        }
    }

    /// The callback URL the app registers and the authorize request uses.
    pub fn redirect_uri(&self) -> String {
        self.login_host().map(|h| h.default_redirect_uri()).unwrap_or_default()
    }

    pub fn say(&mut self, text: impl Into<String>) {
        self.toast = Some(Toast::Said { text: text.into(), error: false });
    }

    pub fn warn(&mut self, text: impl Into<String>) {
        self.toast = Some(Toast::Said { text: text.into(), error: true });
    }

    /// The command that keeps `secret` in the OS keyring, when the user opted in. Every consumer key
    /// something was kept under is remembered, so all of them are forgotten at the end (the user may have
    /// gone back and changed the key).
    pub fn keep(&mut self, secret: super::msg::KeptSecret) -> Option<super::msg::Command> {
        let client_id = self.credentials.key.value().trim().to_string();
        if !self.keyring || client_id.is_empty() {
            return None;
        }
        if !self.kept_under.contains(&client_id) {
            self.kept_under.push(client_id.clone());
        }
        Some(super::msg::Command::Keep { client_id, secret })
    }

    /// The commands that delete everything this session kept in the OS keyring.
    pub fn forget_kept(&mut self) -> Vec<super::msg::Command> {
        std::mem::take(&mut self.kept_under)
            .into_iter()
            .map(|client_id| super::msg::Command::ForgetKept { client_id })
            .collect()
    }
}
