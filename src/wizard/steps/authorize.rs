//! Step 7, Authorize, three ways, the fitting one recommended:
//! - paste-back: the authorize URL (copy key, QR code), then a field that takes the redirect URL or the
//!   code exactly as copied (a bracketed paste is tried at once);
//! - device flow: the user code, the verification URL, a QR code of the URL with the code filled in;
//! - local browser: a one-shot listener on 127.0.0.1 for the redirect, with the `ssh -L` line to run on
//!   the laptop when in an SSH session.

use std::time::Instant;

use crate::salesforce::{AppCredentials, AuthorizeOptions, AuthorizeRequest, Error, parse_paste};
use crate::wizard::msg::{Action, Command, DeviceView, Msg};
use crate::wizard::screen::Screen;
use crate::wizard::state::{State, Step};
use crate::wizard::text::TextField;
use crate::wizard::update::{Update, go_back, go_next, go_to};

use super::{Hint, edit};

/// The loopback port shown until the runtime sets the real one (tests and snapshots use it). The
/// runtime uses `--listen-port` when given, otherwise a random free port chosen once per user and
/// remembered, so the callback registered on the app keeps matching (see `runtime::listener`).
pub const PLACEHOLDER_LISTEN_PORT: u16 = 1717;
/// The loopback callback path.
pub const LISTENER_PATH: &str = "/OauthRedirect";

/// How the authorization comes back. The progress file writes it as `paste_back`, `device` or `local_browser`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    #[default]
    PasteBack,
    Device,
    LocalBrowser,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::PasteBack, Method::Device, Method::LocalBrowser];

    pub fn label(self) -> &'static str {
        match self {
            Method::PasteBack => "Paste back",
            Method::Device => "Device code",
            Method::LocalBrowser => "Local browser",
        }
    }
}

/// Where a started device login stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DeviceStatus {
    #[default]
    Idle,
    Starting,
    Polling {
        view: DeviceView,
        since: Instant,
        polls: u32,
    },
    Failed {
        headline: String,
        fix: String,
    },
}

/// Where the loopback listener stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ListenerStatus {
    #[default]
    Idle,
    Starting,
    Listening {
        port: u16,
    },
    Arrived,
    Failed(String),
}

#[derive(Debug)]
pub struct AuthorizeState {
    pub method: Method,
    pub recommended: Method,
    /// The authorize request of the current method (paste-back or local browser).
    pub request: Option<AuthorizeRequest>,
    pub paste: TextField,
    /// Why the last paste (or the browser's return to the listener) gave no code: the headline.
    pub paste_error: Option<String>,
    /// The fix for `paste_error`, from the error table the command line prints from too.
    pub paste_fix: Option<String>,
    /// Salesforce refused this request's callback URL (`redirect_uri_mismatch`): the exact line to add to
    /// the app's Callback URL field. The copy key copies it while it is shown.
    pub callback_to_add: Option<String>,
    pub device: DeviceStatus,
    pub listener: ListenerStatus,
    /// The loopback port of the local-browser method; its callback is listed on the create step.
    pub listen_port: u16,
    pub show_qr: bool,
    /// When the pasted or redirected code arrived: codes live about 15 minutes.
    pub code_received: Option<Instant>,
    /// Authorizing again after a failed exchange: the method used last time stays on screen, rather than
    /// the recommended one (a denied device login went back to the Paste back tab).
    pub again: bool,
}

impl Default for AuthorizeState {
    fn default() -> Self {
        Self {
            method: Method::default(),
            recommended: Method::default(),
            request: None,
            paste: TextField::default(),
            paste_error: None,
            paste_fix: None,
            callback_to_add: None,
            device: DeviceStatus::default(),
            listener: ListenerStatus::default(),
            listen_port: PLACEHOLDER_LISTEN_PORT,
            show_qr: false,
            code_received: None,
            again: false,
        }
    }
}

impl AuthorizeState {
    /// The local-browser method's callback URL.
    pub fn loopback_callback(&self) -> String {
        loopback_callback(self.listen_port)
    }

    /// Forgets the last paste's problem (the admin typed, or a new request began).
    pub fn clear_problem(&mut self) {
        self.paste_error = None;
        self.paste_fix = None;
        self.callback_to_add = None;
    }

    /// The URL the QR code and copy key carry for the current method.
    pub fn url_for_method(&self) -> Option<String> {
        match (&self.method, &self.device) {
            (Method::Device, DeviceStatus::Polling { view, .. }) => Some(view.verification_uri_complete.clone()),
            (Method::Device, _) => None,
            _ => self.request.as_ref().map(|r| r.url.clone()),
        }
    }
}

/// The loopback callback URL the local-browser method registers.
pub fn loopback_callback(port: u16) -> String {
    format!("http://localhost:{port}{LISTENER_PATH}")
}

const HELP: &str = "\
Authorize once, as the user the connector will act as. Three ways:

Paste back (works everywhere, also over SSH): open the URL in any browser signed in to the org (copy it \
with {copy@text}, or show a QR code for a phone with {show_qr@text}), click Allow, then copy the whole address \
the browser lands on and paste it here. The code alone works too, encoded or not.

Device code: needs the device flow on the app (\"Enable Device Flow\" on an External Client App, \"Enable \
for Device Flow\" on a Connected App). Open the URL on any device, type the code, \
click Allow; sfconnect notices by itself.

Local browser: for a desktop. sfconnect listens on 127.0.0.1 for the browser's redirect, on the port of \
the second callback URL the create step listed (it must be on the app; --listen-port picks another). Over SSH, run the shown ssh -L line on your laptop so its browser \
reaches this machine.

{focus_next} switches the method; copy ({copy@text}), QR ({show_qr@text}) and one-line view ({show_plain@text}) are the same on every tab. A code lives about 15 minutes after you click Allow. {show_plain@text} prints the URL alone on one line, for selecting it by hand; any key comes back.";

fn recommended(state: &State) -> Method {
    if state.surroundings.headless() {
        Method::PasteBack
    } else if state.surroundings.display {
        Method::LocalBrowser
    } else {
        Method::PasteBack
    }
}

/// Leaving the local-browser tab stops its listener: the next tab's authorize request has another
/// redirect URI and state, so nothing the listener could still receive would be accepted.
fn stop_listener(state: &mut State) -> Update {
    state.authorize.show_qr = false;
    let mut update = Update::none();
    if matches!(state.authorize.listener, ListenerStatus::Listening { .. } | ListenerStatus::Starting) {
        state.authorize.listener = ListenerStatus::Idle;
        update.push(Command::StopListener);
    }
    update
}

fn app(state: &State) -> AppCredentials {
    AppCredentials {
        client_id: state.credentials.key.value().trim().to_string(),
        client_secret: state.credentials.client_secret(),
    }
}

/// Builds a fresh authorize request for the current method, or starts the device login.
fn start_method(state: &mut State) -> Update {
    let Some(host) = state.login_host() else { return Update::redraw() };
    let a = &mut state.authorize;
    a.clear_problem();
    let redirect_uri = match a.method {
        Method::PasteBack => host.default_redirect_uri(),
        Method::LocalBrowser => a.loopback_callback(),
        Method::Device => {
            if matches!(a.device, DeviceStatus::Polling { .. } | DeviceStatus::Starting) {
                return Update::redraw();
            }
            a.device = DeviceStatus::Starting;
            let scopes = state.scopes.selected.clone();
            return Update::with(vec![Command::StartDevice { host, app: app(state), scopes }]);
        }
    };
    let needs_new = a.request.as_ref().is_none_or(|r| r.redirect_uri != redirect_uri);
    if needs_new {
        let options = AuthorizeOptions {
            client_id: state.credentials.key.value().trim().to_string(),
            redirect_uri,
            scopes: state.scopes.selected.clone(),
            pkce: true,
            force_login: false,
        };
        match AuthorizeRequest::new(&host, &options) {
            Ok(request) => state.authorize.request = Some(request),
            // The callbacks offered here are built from a checked host and port, so this is not reached;
            // if it were, the screen says why instead of offering an empty URL.
            Err(e) => {
                let explained = e.explain();
                state.authorize.request = None;
                state.authorize.paste_error = Some(explained.headline);
                state.authorize.paste_fix = (!explained.fix.is_empty()).then_some(explained.fix);
                return Update::redraw();
            }
        }
    }
    if state.authorize.method == Method::LocalBrowser
        && !matches!(state.authorize.listener, ListenerStatus::Listening { .. })
    {
        state.authorize.listener = ListenerStatus::Starting;
        let expected = state.authorize.request.as_ref().map(|r| r.state.clone()).unwrap_or_default();
        return Update::with(vec![Command::StartListener {
            port: state.authorize.listen_port,
            path: LISTENER_PATH.into(),
            state: expected,
        }]);
    }
    Update::redraw()
}

fn switch_method(state: &mut State, forward: bool) -> Update {
    let i = Method::ALL.iter().position(|m| *m == state.authorize.method).unwrap_or(0);
    let next = if forward { (i + 1) % Method::ALL.len() } else { (i + Method::ALL.len() - 1) % Method::ALL.len() };
    // A started device login goes on polling on the other tabs (a code already typed on a phone keeps
    // working, and whichever way finishes first wins); it stops when the step is left.
    let mut update = stop_listener(state);
    state.authorize.method = Method::ALL[next];
    let started = start_method(state);
    update.commands.extend(started.commands);
    update.dirty = true;
    update
}

/// Takes a pasted redirect URL or code: on success, exchanges it at once.
fn submit(state: &mut State) -> Update {
    let expected = state.authorize.request.as_ref().map(|r| r.state.clone());
    match parse_paste(state.authorize.paste.value(), expected.as_deref()) {
        Ok(pasted) => {
            state.authorize.paste.clear();
            exchange(state, pasted.code)
        }
        Err(e) => {
            // An error address holds no code and is explained whole below: the field is emptied for the
            // next paste, which would otherwise be appended to it.
            if matches!(e, crate::salesforce::PasteError::Authorization { .. }) {
                state.authorize.paste.clear();
            }
            set_problem(state, e, false);
            Update::redraw()
        }
    }
}

/// Explains a paste that gave no code, from the error table (`Error::explain`, which the command line
/// prints from too): what happened, the fix, and for `redirect_uri_mismatch` the exact callback line this
/// request used, to add to the app. `from_listener`: the text came to the loopback port, where any local
/// program can send it, so Salesforce's words are not repeated as if they were Salesforce's.
fn set_problem(state: &mut State, error: crate::salesforce::PasteError, from_listener: bool) {
    use crate::salesforce::{OAuthErrorCode, PasteError};
    // An older message ("the key is live") would sit under the explanation and push it off screen.
    state.toast = None;
    let a = &mut state.authorize;
    a.clear_problem();
    let PasteError::Authorization { error: code, .. } = &error else {
        a.paste_error = Some(error.to_string());
        return;
    };
    let code = code.clone();
    let explained = Error::from(error).explain();
    let known = crate::salesforce::errors::lookup_oauth(&code, None);
    a.paste_error = Some(match (from_listener, known) {
        (true, Some(row)) => format!(
            "A callback arrived without a code (not verified as Salesforce's; still listening): {} ({code})",
            row.meaning
        ),
        (true, None) => {
            format!("A callback arrived without a code (not verified as Salesforce's; still listening): {code}")
        }
        (false, _) => explained.headline,
    });
    let retry = match (&code, a.method) {
        (OAuthErrorCode::AccessDenied, Method::LocalBrowser) => {
            " sfconnect is still listening: the same URL works again."
        }
        (OAuthErrorCode::AccessDenied, _) => " The same URL works again ({copy@text} copies it).",
        _ => "",
    };
    a.paste_fix = Some(format!("{}{retry}", explained.fix)).filter(|f| !f.is_empty());
    if code == OAuthErrorCode::RedirectUriMismatch {
        a.callback_to_add = a.request.as_ref().map(|r| r.redirect_uri.clone());
    }
}

fn exchange(state: &mut State, code: crate::salesforce::AuthCode) -> Update {
    let (Some(host), Some(request)) = (state.login_host(), state.authorize.request.as_ref()) else {
        return Update::redraw();
    };
    let pending = crate::wizard::steps::verify::PendingExchange {
        code,
        redirect_uri: request.redirect_uri.clone(),
        verifier: request.code_verifier.clone(),
    };
    let command = Command::Exchange {
        host,
        app: app(state),
        code: pending.code.clone(),
        redirect_uri: pending.redirect_uri.clone(),
        verifier: pending.verifier.clone(),
    };
    state.authorize.code_received = Some(state.now);
    let mut update = go_next(state).tell(Msg::ExchangeStarted(pending));
    update.commands.insert(0, command);
    update
}

fn on_device_started(state: &mut State, result: Result<DeviceView, Error>) -> Update {
    if state.authorize.device != DeviceStatus::Starting {
        // A start the user already left (the step was left before the code came): its polling was
        // stopped, so showing its code would leave a code nobody waits for, and block a new start.
        return Update::none();
    }
    state.authorize.device = match result {
        Ok(view) => DeviceStatus::Polling { view, since: state.now, polls: 0 },
        Err(e) => {
            let mut ex = e.explain();
            if e.is_device_flow_off() {
                // The wizard knows which kind of app was made and its name: one Setup path, not both.
                let app = super::create_app::app_name_of(state);
                ex.fix = crate::checks::device_flow_fix(&app, state.create_app.kind);
            }
            DeviceStatus::Failed { headline: ex.headline, fix: ex.fix }
        }
    };
    Update::redraw()
}

fn on_device_pending(state: &mut State, count: u32) -> Update {
    if let DeviceStatus::Polling { polls, .. } = &mut state.authorize.device {
        *polls = count;
    }
    Update::none()
}

fn on_listener_ready(state: &mut State, result: Result<u16, String>) -> Update {
    if state.authorize.listener != ListenerStatus::Starting {
        // The listener was stopped (the user moved on) before it reported: it is closed already.
        return Update::none();
    }
    state.authorize.listener = match result {
        Ok(port) => ListenerStatus::Listening { port },
        Err(e) => ListenerStatus::Failed(e),
    };
    Update::redraw()
}

fn on_redirect(state: &mut State, url: &str) -> Update {
    let expected = state.authorize.request.as_ref().map(|r| r.state.clone());
    match parse_paste(url, expected.as_deref()) {
        Ok(pasted) => {
            state.authorize.listener = ListenerStatus::Arrived;
            exchange(state, pasted.code)
        }
        Err(e) => {
            // Any program on this machine can call the listener: the text is shown as what it is, and
            // the listener keeps waiting until the admin moves on (back, another method, or Allow again).
            set_problem(state, e, true);
            Update::redraw()
        }
    }
}

impl Step {
    pub const AUTHORIZE: Step = Step::new("authorize");
}

#[derive(Debug)]
pub struct AuthorizeScreen;

impl Screen for AuthorizeScreen {
    fn id(&self) -> Step {
        Step::AUTHORIZE
    }

    fn title(&self) -> &'static str {
        "Authorize"
    }

    fn on_action(&self, state: &mut State, action: Action) -> Update {
        if state.authorize.method == Method::PasteBack && edit(&mut state.authorize.paste, action) {
            state.authorize.clear_problem();
            return Update::redraw();
        }
        // While a refused callback is explained, the copy and plain-view keys carry the line to add: the
        // authorize URL is of no use until the app has it.
        if let Some(callback) = state.authorize.callback_to_add.clone()
            && let Some(update) = super::callback_line_action(action, callback)
        {
            return update;
        }
        match action {
            Action::FocusNext | Action::FocusPrev | Action::SwitchMethod => {
                switch_method(state, action != Action::FocusPrev)
            }
            Action::Next if state.authorize.method == Method::PasteBack => submit(state),
            Action::Copy => match state.authorize.url_for_method() {
                Some(url) => {
                    Update::with(vec![Command::Copy { label: "Authorize URL".into(), text: url.into(), secret: false }])
                }
                None => Update::none(),
            },
            Action::ShowQr => {
                state.authorize.show_qr = !state.authorize.show_qr;
                Update::redraw()
            }
            // Esc closes the QR code before it goes back a step.
            Action::Back if state.authorize.show_qr => {
                state.authorize.show_qr = false;
                Update::redraw()
            }
            Action::ShowPlain => match state.authorize.url_for_method() {
                Some(url) => Update::with(vec![Command::ShowPlain { label: "Authorize URL".into(), text: url.into() }]),
                None => Update::none(),
            },
            // The demo org approves its device code by itself: its simulated browser has nothing to click, and
            // following the verification page there would only say "did not redirect".
            Action::OpenBrowser if state.demo.is_some() && state.authorize.method == Method::Device => {
                let text = match state.authorize.url_for_method() {
                    Some(url) => format!(
                        "The demo approves the code by itself in a few seconds: nothing to open. With a real org, \
                         you would open {url} and click Allow."
                    ),
                    None => "The demo approves the code by itself in a few seconds, once it has one: nothing to open."
                        .to_string(),
                };
                state.say(text);
                Update::redraw()
            }
            Action::OpenBrowser => match state.authorize.url_for_method() {
                Some(url) => Update::with(vec![Command::OpenBrowser(url)]),
                None => Update::none(),
            },
            Action::Retry => {
                state.authorize.device = DeviceStatus::Idle;
                state.authorize.listener = ListenerStatus::Idle;
                start_method(state)
            }
            Action::Back => {
                let mut update = self.on_leave(state);
                if matches!(state.authorize.device, DeviceStatus::Polling { .. } | DeviceStatus::Starting) {
                    state.authorize.device = DeviceStatus::Idle;
                    update.push(Command::StopDevice);
                }
                let back = go_back(state);
                update.commands.extend(back.commands);
                update.dirty = true;
                update
            }
            _ => Update::none(),
        }
    }

    fn hints(&self, state: &State) -> Vec<Hint> {
        let mut h = vec![(Action::FocusNext, "method")];
        let method = state.authorize.method;
        if state.demo.is_some() && method != Method::Device {
            // The demo org has no browser to click Allow in: the runtime plays one. Shorter labels keep the
            // hint bar within 80 columns.
            h.extend([(Action::OpenBrowser, "click Allow"), (Action::Copy, "copy")]);
            if method == Method::PasteBack {
                h.push((Action::Next, "use it"));
            }
        } else {
            if method == Method::LocalBrowser {
                h.push((Action::OpenBrowser, "open browser"));
            }
            let copy = if state.authorize.callback_to_add.is_some() { "copy callback" } else { "copy URL" };
            h.extend([(Action::Copy, copy), (Action::ShowQr, "QR")]);
            if method == Method::PasteBack {
                h.push((Action::Next, "use pasted"));
            }
        }
        let a = &state.authorize;
        match method {
            Method::LocalBrowser if matches!(a.listener, ListenerStatus::Arrived | ListenerStatus::Failed(_)) => {
                h.push((Action::Retry, "listen again"))
            }
            Method::Device if matches!(a.device, DeviceStatus::Failed { .. }) => h.push((Action::Retry, "new code")),
            _ => {}
        }
        h.push((Action::Back, "back"));
        h
    }

    fn help(&self, _state: &State) -> &'static str {
        HELP
    }

    fn render(&self, frame: &mut ratatui::Frame, area: ratatui::layout::Rect, state: &State, ctx: crate::ui::Ctx) {
        crate::ui::authorize::render(frame, area, state, ctx)
    }

    fn on_text(&self, state: &mut State, text: &str) -> Update {
        if state.authorize.method != Method::PasteBack {
            // No field on this tab, so `?` is not typed anywhere: it opens the help, as outside a text field.
            if text == "?" {
                state.help = true;
                return Update::redraw();
            }
            return Update::none();
        }
        let whole_paste = text.len() > 1 && state.authorize.paste.is_empty();
        state.authorize.paste.insert(text);
        state.authorize.clear_problem();
        // A bracketed paste of a whole redirect URL or code is taken at once.
        if whole_paste { submit(state) } else { Update::redraw() }
    }

    /// The whole step uses the text keys (Ctrl-Y, Ctrl-G, …), whichever tab shows: the paste-back field
    /// needs them, and one screen whose keys change with its tab confused a first-time user. Typing on the
    /// other tabs does nothing, but `?`, which opens the help there.
    fn text_focus(&self, _state: &State) -> bool {
        true
    }

    fn on_result(&self, state: &mut State, msg: Msg) -> Result<Update, Msg> {
        Ok(match msg {
            Msg::DeviceStarted(r) => on_device_started(state, r),
            Msg::DevicePending { polls } => on_device_pending(state, polls),
            Msg::ListenerReady(r) => on_listener_ready(state, r),
            Msg::RedirectArrived(url) => on_redirect(state, url.expose()),
            Msg::AuthorizeAgain => {
                // The last code was spent or refused: the next try needs a fresh authorize request.
                state.authorize.request = None;
                state.authorize.device = DeviceStatus::default();
                state.authorize.again = true;
                go_to(state, Step::AUTHORIZE)
            }
            other => return Err(other),
        })
    }

    fn on_enter(&self, state: &mut State) -> Update {
        state.authorize.recommended = recommended(state);
        let again = std::mem::take(&mut state.authorize.again);
        if !again && state.authorize.request.is_none() && state.authorize.device == DeviceStatus::Idle {
            state.authorize.method = state.authorize.recommended;
        }
        start_method(state)
    }

    /// Leaving the step stops the listener and the device login.
    fn on_leave(&self, state: &mut State) -> Update {
        let mut update = stop_listener(state);
        if matches!(state.authorize.device, DeviceStatus::Polling { .. } | DeviceStatus::Starting) {
            state.authorize.device = DeviceStatus::Idle;
            update.push(Command::StopDevice);
        }
        update
    }

    fn on_tick(&self, state: &mut State) -> Update {
        // Elapsed time under the device code changes each second.
        if matches!(state.authorize.device, DeviceStatus::Polling { .. }) && state.authorize.method == Method::Device {
            Update::redraw()
        } else {
            Update::none()
        }
    }

    fn tick_interval(&self, state: &State) -> Option<std::time::Duration> {
        let polling = matches!(state.authorize.device, DeviceStatus::Polling { .. });
        (state.authorize.method == Method::Device && polling).then_some(std::time::Duration::from_secs(1))
    }
}
