//! What flows into the wizard ([`Msg`]: named actions from the keymap, time, and the results of work the
//! runtime did) and what flows out ([`Command`]: work for the runtime to do). The wizard never does I/O.

use std::path::PathBuf;
use std::time::Instant;

use crate::salesforce::device_flow::DeviceAuthorization;
use crate::salesforce::eca::create::{CreateEvent, SecretSource};
use crate::salesforce::probe::Readiness;
use crate::salesforce::{
    AccessToken, AppCredentials, AuthCode, ClientSecret, CodeVerifier, Error, LoginHost, RefreshToken, Scopes,
    TokenGrant,
};
use crate::settings::{ConnectorSettings, Overwrite};

/// Text that may hold a secret (a pasted redirect with its code, a value to copy): wiped on drop, and
/// `Debug` shows only its length, so a message or command printed for a test or a log leaks nothing.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Sensitive(zeroize::Zeroizing<String>);

impl Sensitive {
    /// The text itself: for the one place it is used (a field, the clipboard, the screen on request).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sensitive({} chars)", self.0.chars().count())
    }
}

impl From<String> for Sensitive {
    fn from(text: String) -> Self {
        Self(zeroize::Zeroizing::new(text))
    }
}

impl From<&str> for Sensitive {
    fn from(text: &str) -> Self {
        Self::from(text.to_string())
    }
}

/// A named action: what a key means, independent of which key it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Next,
    Back,
    Up,
    Down,
    Left,
    Right,
    FocusNext,
    FocusPrev,
    Toggle,
    Backspace,
    Delete,
    Home,
    End,
    /// Copy the value under the cursor (or the screen's main value).
    Copy,
    /// Copy everything the screen offers, as one block.
    CopyAll,
    /// Show or hide secrets on this screen.
    Reveal,
    /// Write the settings file.
    Save,
    /// Skip a wait.
    Skip,
    /// Try the failed step again.
    Retry,
    /// Switch the authorization method.
    SwitchMethod,
    /// Open the URL in a browser (where there is one).
    OpenBrowser,
    /// Clear the clipboard now.
    ClearClipboard,
    /// Show or hide a QR code of the URL on screen.
    ShowQr,
    /// Edit the value under the cursor (company names).
    Edit,
    /// Cycle the settings file format.
    Format,
    /// Empty the focused field (Ctrl-U).
    ClearField,
    /// Show one value alone, unwrapped, outside the full screen, for selecting it by hand.
    ShowPlain,
    /// Let sfconnect create the app with a Salesforce session (the create step).
    CreateForMe,
    Help,
    Quit,
    /// Ctrl-C: quit, asking first once anything was typed.
    Interrupt,
}

/// The result of a verification after the exchange.
#[derive(Debug)]
pub struct Verified {
    pub username: String,
    pub org_name: String,
    pub edition: String,
    pub is_sandbox: bool,
    /// A new refresh token, when rotation is on and the proving refresh rotated it.
    pub rotated: Option<crate::salesforce::RefreshToken>,
}

/// Everything that can reach [`crate::wizard::update`].
#[derive(Debug)]
pub enum Msg {
    Action(Action),
    /// A printable character typed into the focused field.
    Char(char),
    /// A bracketed paste: arrives whole, whatever its length.
    Paste(Sensitive),
    /// Time passed (the runtime sends this only while something on screen depends on it).
    Tick(Instant),
    /// The terminal changed size.
    Resize,
    /// The readiness probe answered (or failed).
    Probe(Result<ProbeUpdate, Error>),
    /// The probe met a passing failure (5xx, timeout) and retries; the text says what happened.
    ProbeRetrying(String),
    /// The probe could not reach Salesforce (refused, DNS, timeout); the next try is `retry_in` from now.
    ProbeUnreachable {
        message: String,
        retry_in: std::time::Duration,
    },
    /// The device flow started: show the code.
    DeviceStarted(Result<DeviceView, Error>),
    /// Polling goes on (elapsed time, for the spinner line).
    DevicePending {
        polls: u32,
    },
    /// The loopback listener is up, on this port.
    ListenerReady(Result<u16, String>),
    /// The browser came back to the loopback listener with this callback URL.
    RedirectArrived(Sensitive),
    /// Tokens arrived from the code exchange (or a kept refresh token).
    Authorized(Result<TokenGrant, Error>),
    /// Tokens arrived from the device flow (which proves the app has it enabled).
    DeviceAuthorized(Result<TokenGrant, Error>),
    /// The proof that the refresh token works.
    Verified(Result<Verified, Error>),
    /// One prerequisite check finished.
    CheckVerdict(crate::checks::Verdict),
    /// All checks finished.
    ChecksDone(Box<crate::checks::Report>),
    /// A copy (or the browser opening) finished: what came of it, worded by the UI.
    Notice(crate::wizard::notice::Notice),
    /// A secret copied a while ago (its label) is still on the clipboard: time to clear it.
    SecretCopyExpired(String),
    /// The settings file was written (or not).
    Saved(Result<PathBuf, SaveFailure>),
    /// A secret was kept in the OS keyring (`--keyring`): what to say, or why it could not be.
    Kept(Result<String, String>),
    /// The Salesforce sessions at hand for creating the app (none may be).
    SessionsFound(Vec<SessionOffer>),
    /// Creating the app moved on a stage.
    CreateProgress(CreateEvent),
    /// Creating the app ended.
    CreateFinished(Result<Box<CreatedApp>, CreateRefusal>),
    /// From the create step: it made the app; its key and secret go to the credentials step, which goes
    /// on to the wait.
    AppCreated(Box<AppMade>),
    /// From the create step: the app it made has these scopes, so the scopes step is done.
    ScopesSetOnApp {
        app_name: String,
    },
    /// From the authorize step: a code is on its way to the exchange, kept for a retry.
    ExchangeStarted(crate::wizard::steps::verify::PendingExchange),
    /// From the verify step: the exchange gave these settings (not proven yet).
    Granted(Box<crate::settings::ConnectorSettings>),
    /// From the verify step: the refresh worked as this user; under rotation, with the token that replaced
    /// the one in the settings.
    Proven {
        username: String,
        rotated: Option<RefreshToken>,
    },
    /// From the verify step: the code was spent or refused, so the next authorization starts afresh.
    AuthorizeAgain,
}

/// A Salesforce session the create step may use, as the runtime found it (no secret in it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOffer {
    pub source: OfferedSession,
    /// "Salesforce CLI login acme (admin@acme.com)".
    pub label: String,
    /// Where it leads: the instance, the user.
    pub detail: String,
}

/// Where an offered session is read from, when it is picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfferedSession {
    /// The Salesforce CLI's login for this alias or username.
    SfAlias(String),
    /// An earlier sfconnect settings file (refreshed once).
    SettingsFile(PathBuf),
    /// The demo org's admin (`--demo`); the runtime holds its token.
    Demo,
}

/// The session picked to create the app with. A pasted token goes with the command and is not kept in
/// the state.
#[derive(Debug)]
pub enum SessionChoice {
    Offered(OfferedSession),
    Pasted(AccessToken),
}

/// What the app is to be, from the create step's values and the target.
#[derive(Debug, Clone)]
pub struct AppToCreate {
    pub preset: Box<crate::presets::Preset>,
    /// The OAuth scope tokens, as the scopes step holds them.
    pub scopes: Vec<String>,
    /// The API name.
    pub api_name: String,
    /// `None`: the session user's email.
    pub contact_email: Option<String>,
    pub callbacks: Vec<String>,
    pub device_flow: bool,
}

/// A created app, as the create step shows it.
#[derive(Debug)]
pub struct CreatedApp {
    pub app_name: String,
    pub client_id: String,
    /// `None` when the org keeps it from the API: the admin copies it from Setup.
    pub secret: Option<ClientSecret>,
    pub secret_source: SecretSource,
    pub org_name: String,
    /// Where the session came from.
    pub session: String,
    pub contact_email: String,
}

/// Why the app was not created: the sentence, the fix, and the way on the screen offers first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateRefusal {
    pub headline: String,
    pub fix: String,
    pub way_on: WayOn,
}

/// The first way on after a refusal (the click-through, with every value filled in, is always offered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WayOn {
    /// The session was refused or is for another org: pick or paste another.
    AnotherSession,
    /// The name is taken: type another.
    AnotherName,
    /// Something passing (the network, a timeout): try again.
    TryAgain,
    /// The org cannot take it this way (edition, permission, ECAs off): the click-through is the way.
    ClickThrough,
}

/// A new app's values, for the steps that hold them (the scopes it was made with, its key and secret).
#[derive(Debug, Clone)]
pub struct AppMade {
    pub app_name: String,
    pub org_name: String,
    pub client_id: String,
    pub secret: Option<ClientSecret>,
}

/// A secret to keep in the OS keyring when the user opted in (`--keyring`).
#[derive(Debug, Clone)]
pub enum KeptSecret {
    ClientSecret(ClientSecret),
    RefreshToken(RefreshToken),
}

/// What an earlier session kept in the OS keyring, read back when it is offered for resuming.
#[derive(Debug, Clone, Default)]
pub struct KeptSecrets {
    pub client_secret: Option<ClientSecret>,
    pub refresh_token: Option<RefreshToken>,
    /// Why the keyring could not be read, when the earlier session used it.
    pub error: Option<String>,
}

/// Why the settings file was not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveFailure {
    /// A file is already there (and replacing was not asked for).
    pub exists: bool,
    pub message: String,
}

/// What the user needs to see of a started device login (the device code itself stays with the runtime).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceView {
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: String,
}

impl From<&DeviceAuthorization> for DeviceView {
    fn from(d: &DeviceAuthorization) -> Self {
        Self {
            user_code: d.user_code.clone(),
            verification_uri: d.verification_uri.clone(),
            verification_uri_complete: d.verification_uri_complete(),
        }
    }
}

/// What the probe said, with the attempt count for the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeUpdate {
    pub readiness: Readiness,
    pub attempts: u32,
}

/// Work for the runtime. Each runs on a task and reports back with a [`Msg`].
#[derive(Debug)]
pub enum Command {
    /// Probe until the key is live (reports each attempt); replaces any probe already running.
    StartProbe {
        host: LoginHost,
        app: AppCredentials,
        redirect_uri: String,
    },
    StopProbe,
    StartDevice {
        host: LoginHost,
        app: AppCredentials,
        scopes: Scopes,
    },
    StopDevice,
    /// Listen on 127.0.0.1 for the browser's redirect: the first request to `path` carrying `state` ends
    /// it; any other is answered and ignored.
    StartListener {
        port: u16,
        path: String,
        state: String,
    },
    StopListener,
    Exchange {
        host: LoginHost,
        app: AppCredentials,
        code: AuthCode,
        redirect_uri: String,
        verifier: Option<CodeVerifier>,
    },
    Verify {
        host: LoginHost,
        app: AppCredentials,
        grant: Box<TokenGrant>,
    },
    /// Run the prerequisite checks with the grant's access token, reporting each verdict.
    RunChecks {
        host: LoginHost,
        grant: Box<TokenGrant>,
        preset: Box<crate::presets::Preset>,
        /// The kind of app the create step described, so the fixes name the right Setup pages.
        app_kind: crate::salesforce::AppKind,
        /// The token came from the device flow.
        device_flow_used: bool,
        /// The app's name as the create step gave it, so its own policies are read (not a guess).
        app_name: String,
    },
    Copy {
        label: String,
        text: Sensitive,
        secret: bool,
    },
    ClearClipboard,
    Save {
        path: PathBuf,
        settings: Box<ConnectorSettings>,
        format: crate::settings::Format,
        overwrite: Overwrite,
        /// Create the folder (0700) if missing: true for sfconnect's own data folder, never for --output.
        create_folder: bool,
    },
    OpenBrowser(String),
    /// Leave the full screen and print one value as a single line, for selecting it by hand; the next
    /// key comes back.
    ShowPlain {
        label: String,
        text: Sensitive,
    },
    /// Delete the saved progress (the user started over, or the settings are saved).
    ForgetProgress,
    /// Keep a secret in the OS keyring, under the app's consumer key (`--keyring`).
    Keep {
        client_id: String,
        secret: KeptSecret,
    },
    /// Delete what the OS keyring keeps for this consumer key (saved, or started over).
    ForgetKept {
        client_id: String,
    },
    /// A resumed session's kept refresh token stands in for a new authorization: refresh it once and
    /// report the grant as if it came from an exchange (`Msg::Authorized`).
    RefreshKept {
        host: LoginHost,
        app: AppCredentials,
        refresh_token: RefreshToken,
    },
    /// Find the Salesforce sessions at hand for the org (the CLI's logins, earlier settings files);
    /// reports `Msg::SessionsFound`.
    FindSessions {
        host: LoginHost,
    },
    /// Create the External Client App with the session picked, reporting each stage
    /// (`Msg::CreateProgress`) and the end (`Msg::CreateFinished`); replaces a creation already running.
    CreateApp {
        host: LoginHost,
        session: SessionChoice,
        app: Box<AppToCreate>,
    },
    /// Stop creating the app (a deploy Salesforce already runs goes on there).
    StopCreate,
    Quit,
}
