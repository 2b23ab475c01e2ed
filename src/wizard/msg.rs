//! What flows into the wizard ([`Msg`]: named actions from the keymap, time, and the results of work the
//! runtime did) and what flows out ([`Command`]: work for the runtime to do). The wizard never does I/O.

use std::path::PathBuf;
use std::time::Instant;

use crate::salesforce::device_flow::DeviceAuthorization;
use crate::salesforce::probe::Readiness;
use crate::salesforce::{
    AppCredentials, AuthCode, ClientSecret, CodeVerifier, Error, LoginHost, RefreshToken, Scopes, TokenGrant,
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
    Quit,
}
