//! Runs the wizard's commands. Network work goes on tokio tasks that report back once on the one
//! channel (progress optional); each long-running kind (probe, device polling, listener) keeps at most
//! one task, and a new request cancels the old one (gitui's single-job rule).

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::clipboard::SECRET_ON_CLIPBOARD;

use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use super::listener;
use crate::clipboard::Clipboard;
use crate::salesforce::clock::TokioClock;
use crate::salesforce::device_flow::{DEVICE_LIMIT, DeviceEvent, wait_for_device_approval};
use crate::salesforce::probe::{ProbeEvent, wait_until_ready};
use crate::salesforce::rest::RestClient;
use crate::salesforce::{AppCredentials, Client, CodeExchange, LoginHost, TokenGrant};
use crate::settings::{ConnectorSettings, Format, Overwrite, write_settings};
use crate::wizard::msg::{DeviceView, ProbeUpdate, SaveFailure, Verified};
use crate::wizard::notice::{CopyFailure, CopyMethod, Notice};
use crate::wizard::{Command, Msg};

/// Bytes for the terminal that may hold a copied secret (OSC 52 carries it base64-encoded): wiped on drop.
pub type TerminalBytes = zeroize::Zeroizing<Vec<u8>>;

fn not_copied(label: &str, why: CopyFailure) -> Notice {
    Notice::NotCopied { label: label.to_owned(), why }
}

/// A copy's report as the notice the UI words.
fn copied_notice(report: crate::clipboard::CopyReport, clears_in: Option<Duration>) -> Notice {
    let method = match report.method {
        crate::clipboard::Method::System => CopyMethod::System,
        crate::clipboard::Method::Osc52 { passthrough } => {
            CopyMethod::Terminal { tmux: passthrough == crate::clipboard::Passthrough::Tmux }
        }
    };
    Notice::Copied { label: report.label, chars: report.chars, method, system_failed: report.system_error, clears_in }
}

/// Why a copy failed, as the notice the UI words.
fn copy_failure(label: &str, error: crate::clipboard::Error) -> Notice {
    let why = match error {
        crate::clipboard::Error::TooLongForTerminal { bytes, max, .. } => {
            CopyFailure::TooLongForTerminal { bytes, max }
        }
        crate::clipboard::Error::Terminal(e) => CopyFailure::Terminal(e.to_string()),
        // Clearing's own error: a copy does not return it, but it is worded if it ever does.
        crate::clipboard::Error::SystemClear(reason) => CopyFailure::System(reason),
    };
    not_copied(label, why)
}

/// How long the wizard's probe keeps trying before giving up (longer than the 15-minute ECA figure).
const PROBE_LIMIT: Duration = Duration::from_secs(20 * 60);

/// Runs commands; owns the HTTP client, the clipboard and the cancel tokens of running tasks.
pub struct Executor {
    tx: UnboundedSender<Msg>,
    /// The one HTTP client (redirects off, timeouts set), built before the terminal was taken.
    http: reqwest::Client,
    /// Shared with the worker thread, which makes the system clipboard's calls.
    clipboard: Option<Arc<Mutex<Clipboard>>>,
    /// The system clipboard is the method (a desktop): copies and clears go to the worker thread. OSC 52
    /// is a write to the terminal like a frame, and stays here.
    clipboard_on_worker: bool,
    /// Bytes for the terminal from the worker (an OSC 52 fallback); the loop writes them.
    terminal_tx: UnboundedSender<TerminalBytes>,
    terminal_rx: Option<tokio::sync::mpsc::UnboundedReceiver<TerminalBytes>>,
    demo: bool,
    probe: Option<CancellationToken>,
    device: Option<CancellationToken>,
    listener: Option<CancellationToken>,
    /// The creation of the app, while it runs.
    create: Option<CancellationToken>,
    /// The demo org's admin session (`--demo`), offered for creating the app; nothing else has one.
    demo_session: Option<crate::salesforce::AccessToken>,
    /// The timer that clears a copied secret from the clipboard (see [`SECRET_ON_CLIPBOARD`]).
    clear_timer: Option<CancellationToken>,
    /// The label of the secret the clipboard still holds, if one does.
    secret_on_clipboard: Option<String>,
    /// Set when quitting cleared a secret from the clipboard: its label, for the exit message.
    pub cleared_on_exit: Option<String>,
    /// Runs the blocking jobs (progress file, OS keyring) off the UI thread, in order.
    worker: super::worker::Worker,
}

impl Executor {
    pub fn new(tx: UnboundedSender<Msg>, http: reqwest::Client, clipboard: Option<Clipboard>, demo: bool) -> Self {
        let clipboard_on_worker = clipboard.as_ref().is_some_and(|c| c.method() == crate::clipboard::Method::System);
        let (terminal_tx, terminal_rx) = tokio::sync::mpsc::unbounded_channel();
        Self {
            tx,
            http,
            clipboard: clipboard.map(|c| Arc::new(Mutex::new(c))),
            clipboard_on_worker,
            terminal_tx,
            terminal_rx: Some(terminal_rx),
            demo,
            probe: None,
            device: None,
            listener: None,
            create: None,
            demo_session: None,
            clear_timer: None,
            secret_on_clipboard: None,
            cleared_on_exit: None,
            worker: super::worker::Worker::start(),
        }
    }

    /// The demo org's admin session, which "Create it for me" offers in the demo.
    pub fn set_demo_session(&mut self, token: crate::salesforce::AccessToken) {
        self.demo_session = Some(token);
    }

    /// The bytes the worker has for the terminal (taken once, by the loop).
    pub fn take_terminal_output(&mut self) -> tokio::sync::mpsc::UnboundedReceiver<TerminalBytes> {
        self.terminal_rx.take().unwrap_or_else(|| tokio::sync::mpsc::unbounded_channel().1)
    }

    /// Runs a blocking job (file or keyring) on the worker thread, after those asked before it.
    pub fn run_blocking(&self, job: impl FnOnce() + Send + 'static) {
        self.worker.run(job);
    }

    /// Waits for the queued blocking jobs (at exit).
    pub fn finish_blocking(&mut self) {
        self.worker.finish();
    }

    /// Runs one command. Returns false for `Quit`.
    pub fn run(&mut self, command: Command, out: &mut impl Write) -> bool {
        match command {
            Command::StartProbe { host, app, redirect_uri } => self.start_probe(host, app, redirect_uri),
            Command::StopProbe => cancel(&mut self.probe),
            Command::StartDevice { host, app, scopes } => self.start_device(host, app, scopes),
            Command::StopDevice => cancel(&mut self.device),
            Command::StartListener { port, path, state } => self.start_listener(port, path, state),
            Command::StopListener => cancel(&mut self.listener),
            Command::Exchange { host, app, code, redirect_uri, verifier } => {
                let (tx, client) = (self.tx.clone(), self.client(host));
                tokio::spawn(async move {
                    let exchange =
                        CodeExchange { code: &code, redirect_uri: &redirect_uri, code_verifier: verifier.as_ref() };
                    let _ = tx.send(Msg::Authorized(client.exchange_code(&app, &exchange).await));
                });
            }
            Command::Verify { host, app, grant } => {
                let (tx, client) = (self.tx.clone(), self.client(host));
                tokio::spawn(async move {
                    let _ = tx.send(Msg::Verified(verify(&client, &app, &grant).await));
                });
            }
            Command::RunChecks { host, grant, preset, app_kind, device_flow_used, app_name } => {
                let (tx, http) = (self.tx.clone(), self.http());
                let ctx = crate::checks::CheckContext {
                    id_url: grant.id_url.clone(),
                    granted_scopes: grant.scopes.clone(),
                    login_kind: host.kind(),
                    preset: *preset,
                    app_name: Some(app_name),
                    app_kind: Some(app_kind),
                    device_flow_used,
                    // The verify step refreshed the token before the checks.
                    refreshed: true,
                };
                tokio::spawn(async move {
                    let report = run_checks(http, &grant, ctx, tx.clone()).await;
                    let _ = tx.send(Msg::ChecksDone(Box::new(report)));
                });
            }
            Command::Copy { label, text, secret } if self.clipboard_on_worker => {
                self.copy_on_worker(label, text, secret)
            }
            Command::Copy { label, text, secret } => {
                let notice = self.copy(&label, text.expose(), secret, out);
                let _ = self.tx.send(Msg::Notice(notice));
            }
            Command::ClearClipboard => {
                cancel(&mut self.clear_timer);
                self.secret_on_clipboard = None;
                self.clear_clipboard(out);
            }
            Command::Save { path, settings, format, overwrite, create_folder } => {
                self.save(path, *settings, format, overwrite, create_folder)
            }
            Command::OpenBrowser(url) => self.open_browser(url),
            // The loop hands this to the progress keeper (a pending write must be dropped first); run
            // directly, it still goes to the worker, after any write queued before it.
            Command::ForgetProgress => self.worker.run(super::progress_file::forget),
            // The keyring is a daemon or a kernel call away: the worker waits on it, in order, so a
            // "forget" never overtakes the "keep" before it.
            Command::Keep { client_id, secret } => {
                let tx = self.tx.clone();
                self.worker.run(move || {
                    let _ = tx.send(Msg::Kept(keep(&client_id, &secret)));
                });
            }
            Command::ForgetKept { client_id } => {
                let tx = self.tx.clone();
                self.worker.run(move || {
                    if let Err(e) = crate::vault::forget(&client_id) {
                        let _ = tx.send(Msg::Kept(Err(format!(
                            "The keyring copy could not be deleted ({e}); it expires with the keyring (a few days, or a reboot)."
                        ))));
                    }
                });
            }
            Command::RefreshKept { host, app, refresh_token } => {
                let (tx, client) = (self.tx.clone(), self.client(host));
                tokio::spawn(async move {
                    let policy = crate::salesforce::retry::RetryPolicy::REPEATABLE_READ;
                    let result =
                        client.refresh_with_retry(&app, &refresh_token, &TokioClock, policy).await.map(|mut grant| {
                            // Without rotation the kept token stays the one to hand over.
                            grant.refresh_token.get_or_insert(refresh_token);
                            grant
                        });
                    let _ = tx.send(Msg::Authorized(result));
                });
            }
            Command::FindSessions { host } => self.find_sessions(host),
            Command::CreateApp { host, session, app } => {
                let token = replace(&mut self.create);
                let (tx, http, demo) = (self.tx.clone(), self.http(), self.demo_session.clone());
                tokio::spawn(async move {
                    let create = super::create_app::create_for_wizard(http, host, session, *app, demo, tx.clone());
                    tokio::select! {
                        result = create => {
                            let _ = tx.send(Msg::CreateFinished(result));
                        }
                        // Dropping the task stops the waiting; the wizard said what that leaves in the org.
                        () = token.cancelled() => {}
                    }
                });
            }
            Command::StopCreate => cancel(&mut self.create),
            // Shown by the loop itself, which owns the screen.
            Command::ShowPlain { .. } => {}
            Command::Quit => {
                // A secret copied less than a minute ago would outlive the program on the clipboard.
                // At exit the clear is made here, waiting if need be: the program is ending anyway.
                let clipboard = self.clipboard.as_ref().and_then(|c| c.lock().ok());
                if let (Some(label), Some(mut clipboard)) = (self.secret_on_clipboard.take(), clipboard) {
                    cancel(&mut self.clear_timer);
                    if clipboard.clear(out).is_ok() {
                        let _ = out.flush();
                        self.cleared_on_exit = Some(label);
                    }
                }
                cancel(&mut self.probe);
                cancel(&mut self.device);
                cancel(&mut self.listener);
                cancel(&mut self.create);
                return false;
            }
        }
        true
    }

    fn find_sessions(&mut self, host: LoginHost) {
        let tx = self.tx.clone();
        if self.demo {
            // The demo org's admin is the one session the demo has: the machine's own are for real orgs.
            let offer = crate::wizard::msg::SessionOffer {
                source: crate::wizard::msg::OfferedSession::Demo,
                label: "The demo org's admin session".into(),
                detail: host.origin().to_string(),
            };
            let _ = tx.send(Msg::SessionsFound(vec![offer]));
            return;
        }
        let data_dir = directories::ProjectDirs::from("", "", "sfconnect").map(|d| d.data_dir().to_path_buf());
        tokio::task::spawn_blocking(move || {
            let offers = super::session_find::find_sessions(&host, data_dir.as_deref());
            let _ = tx.send(Msg::SessionsFound(offers));
        });
    }

    fn http(&self) -> reqwest::Client {
        self.http.clone()
    }

    fn client(&mut self, host: LoginHost) -> Client {
        Client::with_http(self.http(), host)
    }

    fn start_probe(&mut self, host: LoginHost, app: AppCredentials, redirect_uri: String) {
        let token = replace(&mut self.probe);
        let (tx, client) = (self.tx.clone(), self.client(host));
        tokio::spawn(async move {
            let events = tx.clone();
            let wait = wait_until_ready(&client, &app, &redirect_uri, &TokioClock, PROBE_LIMIT, move |event| {
                let msg = match event {
                    ProbeEvent::NotLiveYet { attempts, .. } => Msg::Probe(Ok(ProbeUpdate {
                        readiness: crate::salesforce::probe::Readiness::NotLive,
                        attempts,
                    })),
                    // A missing callback is shown while the wait goes on; a first "live" waits for its
                    // confirmation before the screen says anything.
                    ProbeEvent::Answered { readiness, attempts } => {
                        if readiness != crate::salesforce::probe::Readiness::RedirectNotRegistered {
                            return;
                        }
                        Msg::Probe(Ok(ProbeUpdate { readiness, attempts }))
                    }
                    ProbeEvent::Retrying { message, retry_in } => {
                        Msg::ProbeRetrying(format!("{message}; trying again in {}s", retry_in.as_secs().max(1)))
                    }
                    ProbeEvent::Unreachable { message, retry_in } => Msg::ProbeUnreachable { message, retry_in },
                };
                let _ = events.send(msg);
            });
            tokio::select! {
                result = wait => {
                    let _ = tx.send(Msg::Probe(result.map(|readiness| ProbeUpdate { readiness, attempts: 0 })));
                }
                () = token.cancelled() => {}
            }
        });
    }

    fn start_device(&mut self, host: LoginHost, app: AppCredentials, scopes: crate::salesforce::Scopes) {
        let token = replace(&mut self.device);
        let (tx, client) = (self.tx.clone(), self.client(host));
        tokio::spawn(async move {
            let work = async {
                let device = match client.start_device(&app.client_id, &scopes).await {
                    Ok(d) => d,
                    Err(e) => {
                        let _ = tx.send(Msg::DeviceStarted(Err(e)));
                        return;
                    }
                };
                let _ = tx.send(Msg::DeviceStarted(Ok(DeviceView::from(&device))));
                let events = tx.clone();
                let result = wait_for_device_approval(&client, &app, &device, &TokioClock, DEVICE_LIMIT, move |e| {
                    if let DeviceEvent::Pending { polls, .. } = e {
                        let _ = events.send(Msg::DevicePending { polls });
                    }
                })
                .await;
                let _ = tx.send(Msg::DeviceAuthorized(result));
            };
            tokio::select! {
                () = work => {}
                () = token.cancelled() => {}
            }
        });
    }

    fn start_listener(&mut self, port: u16, path: String, state: String) {
        let token = replace(&mut self.listener);
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let listener = match listener::bind(port).await {
                Ok(l) => l,
                Err(e) => {
                    let _ = tx.send(Msg::ListenerReady(Err(e)));
                    return;
                }
            };
            let _ = tx.send(Msg::ListenerReady(Ok(listener.port)));
            // Each callback with the state is handed on (an error too); the listening ends with a code.
            let report = tx.clone();
            listener::accept_redirect(listener, &path, &state, token, move |callback| {
                let url = match callback {
                    listener::Callback::Code(url) | listener::Callback::Error(url) => url,
                };
                let _ = report.send(Msg::RedirectArrived(url.into()));
            })
            .await;
        });
    }

    fn copy(&mut self, label: &str, text: &str, secret: bool, out: &mut impl Write) -> Notice {
        let Some(clipboard) = &self.clipboard else {
            return not_copied(label, CopyFailure::Off);
        };
        let report = match clipboard.lock() {
            Ok(mut clipboard) => match clipboard.copy(label, text, out) {
                Ok(report) => report,
                Err(e) => return copy_failure(label, e),
            },
            Err(_) => return not_copied(label, CopyFailure::FailedEarlier),
        };
        let _ = out.flush();
        copied_notice(report, self.copied(label, secret))
    }

    /// The system clipboard's copy, on the worker thread (an X11 or Wayland round trip, or a clipboard
    /// owner that is slow to answer, must not hold the screen). The timer starts at once; the report
    /// follows when the copy is done, and OSC 52 bytes of a fallback go to the loop, which owns the terminal.
    fn copy_on_worker(&mut self, label: String, text: crate::wizard::msg::Sensitive, secret: bool) {
        let Some(clipboard) = self.clipboard.clone() else {
            let _ = self.tx.send(Msg::Notice(not_copied(&label, CopyFailure::Off)));
            return;
        };
        let clears_in = self.copied(&label, secret);
        let (tx, terminal) = (self.tx.clone(), self.terminal_tx.clone());
        self.worker.run(move || {
            let mut bytes = TerminalBytes::default();
            let notice = match clipboard.lock() {
                Ok(mut clipboard) => match clipboard.copy(&label, text.expose(), &mut *bytes) {
                    Ok(report) => copied_notice(report, clears_in),
                    Err(e) => copy_failure(&label, e),
                },
                Err(_) => not_copied(&label, CopyFailure::FailedEarlier),
            };
            if !bytes.is_empty() {
                let _ = terminal.send(bytes);
            }
            let _ = tx.send(Msg::Notice(notice));
        });
    }

    /// Clears the clipboard: on the worker when the system clipboard is in use, else here.
    fn clear_clipboard(&mut self, out: &mut impl Write) {
        let Some(clipboard) = self.clipboard.clone() else { return };
        if !self.clipboard_on_worker {
            if let Ok(mut clipboard) = clipboard.lock() {
                let _ = clipboard.clear(out);
                let _ = out.flush();
            }
            return;
        }
        let terminal = self.terminal_tx.clone();
        self.worker.run(move || {
            let mut bytes = TerminalBytes::default();
            if let Ok(mut clipboard) = clipboard.lock() {
                let _ = clipboard.clear(&mut *bytes);
            }
            if !bytes.is_empty() {
                let _ = terminal.send(bytes);
            }
        });
    }

    /// After a copy: whatever was on the clipboard before is gone, so is any reason to clear it later; a
    /// secret starts its timer. Returns how long until it is cleared, for the notice.
    fn copied(&mut self, label: &str, secret: bool) -> Option<Duration> {
        cancel(&mut self.clear_timer);
        self.secret_on_clipboard = secret.then(|| label.to_string());
        if secret {
            let token = replace(&mut self.clear_timer);
            let (tx, label) = (self.tx.clone(), label.to_string());
            tokio::spawn(async move {
                tokio::select! {
                    () = tokio::time::sleep(SECRET_ON_CLIPBOARD) => {
                        let _ = tx.send(Msg::SecretCopyExpired(label));
                    }
                    () = token.cancelled() => {}
                }
            });
        }
        secret.then_some(SECRET_ON_CLIPBOARD)
    }

    fn save(
        &self,
        path: PathBuf,
        settings: ConnectorSettings,
        format: Format,
        overwrite: Overwrite,
        create_folder: bool,
    ) {
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let fail = |message: String| SaveFailure { exists: false, message };
            if let Err(e) = settings.validate_for(format) {
                let _ = tx.send(Msg::Saved(Err(fail(e.to_string()))));
                return;
            }
            if create_folder
                && let Some(dir) = path.parent()
                && let Err(e) = crate::settings::create_private_dir(dir)
            {
                let _ = tx.send(Msg::Saved(Err(fail(format!("Could not create {}: {e}", dir.display())))));
                return;
            }
            let result = settings
                .render(format)
                .and_then(|text| write_settings(&path, &text, overwrite))
                .map(|()| path)
                .map_err(|e| match e {
                    crate::settings::Error::AlreadyExists { .. } => {
                        SaveFailure { exists: true, message: "A file is already there.".into() }
                    }
                    other => fail(other.to_string()),
                });
            let _ = tx.send(Msg::Saved(result));
        });
    }

    fn open_browser(&mut self, url: String) {
        let tx = self.tx.clone();
        if self.demo {
            // The demo org has no real browser to click Allow in: follow its auto-approving authorize
            // page as a browser would, and hand over where it lands, as the admin would paste it.
            let http = self.http();
            tokio::spawn(async move {
                let message = simulated_browser(&http, &url).await;
                let _ = tx.send(message);
            });
            return;
        }
        // The URL (and its state) never goes on a command line: see listener::open_in_browser.
        let folder = super::progress_file::path()
            .and_then(|p| p.parent().map(std::path::Path::to_path_buf))
            .unwrap_or_else(std::env::temp_dir);
        let spawned = listener::open_in_browser(&url, &folder);
        let notice = if spawned.is_ok() { Notice::BrowserOpened } else { Notice::NoBrowser };
        let _ = tx.send(Msg::Notice(notice));
    }
}

/// The demo's browser: GET the authorize URL, then either land on the paste-back page (paste its
/// address) or follow the redirect to the loopback listener.
async fn simulated_browser(http: &reqwest::Client, url: &str) -> Msg {
    let landed = match http.get(url).send().await {
        Ok(r) => r.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string),
        Err(e) => return Msg::Notice(Notice::DemoBrowserFailed(e.to_string())),
    };
    let Some(landed) = landed else {
        return Msg::Notice(Notice::DemoNoRedirect);
    };
    let to_listener =
        landed.split('?').next().is_some_and(|p| p.ends_with(crate::wizard::steps::authorize::LISTENER_PATH));
    if to_listener {
        let _ = http.get(&landed).send().await;
        return Msg::Notice(Notice::DemoAllowed);
    }
    Msg::Paste(landed.into())
}

/// Proves a refresh token works: refresh once (keeping a rotated token), then read the identity and org.
async fn verify(
    client: &Client,
    app: &AppCredentials,
    grant: &TokenGrant,
) -> Result<Verified, crate::salesforce::Error> {
    let refresh_token = grant
        .refresh_token
        .as_ref()
        .ok_or_else(|| crate::salesforce::Error::MissingRefreshToken { granted: grant.scopes.to_param() })?;
    let refreshed = client
        .refresh_with_retry(app, refresh_token, &TokioClock, crate::salesforce::retry::RetryPolicy::REPEATABLE_READ)
        .await?;
    let rest = RestClient::new(client.http().clone(), &refreshed.instance_url, refreshed.access_token.clone())?;
    let (identity, org) = tokio::join!(rest.identity(&refreshed.id_url), rest.organization());
    let (identity, org) = (identity?, org?);
    Ok(Verified {
        username: identity.username,
        org_name: org.name,
        edition: org.edition,
        is_sandbox: org.is_sandbox,
        rotated: refreshed.refresh_token,
    })
}

/// Runs the prerequisite checks with the grant's access token, sending each verdict as it completes.
async fn run_checks(
    http: reqwest::Client,
    grant: &TokenGrant,
    ctx: crate::checks::CheckContext,
    tx: UnboundedSender<Msg>,
) -> crate::checks::Report {
    match RestClient::new(http, &grant.instance_url, grant.access_token.clone()) {
        Ok(rest) => {
            // Read at the newest API version the org serves and this build knows (fields newer than the
            // version asked are hidden); without the list, the default.
            let rest = rest.at_newest_version().await;
            crate::checks::run_checks(&rest, ctx, |verdict| {
                let _ = tx.send(Msg::CheckVerdict(verdict));
            })
            .await
        }
        Err(e) => {
            let verdict = crate::checks::Verdict::new(
                crate::checks::CheckId::ApiAccess,
                crate::checks::Level::Required,
                crate::checks::Finding::from_error(&e),
            );
            crate::checks::Report { checks: vec![verdict], preview: None, ..Default::default() }
        }
    }
}

/// Keeps a secret in the OS keyring; the message names what and where, never the value.
fn keep(client_id: &str, secret: &crate::wizard::msg::KeptSecret) -> Result<String, String> {
    use crate::vault::Item;
    use crate::wizard::msg::KeptSecret;
    let (item, value) = match secret {
        KeptSecret::ClientSecret(s) => (Item::ClientSecret, s.expose()),
        KeptSecret::RefreshToken(t) => (Item::RefreshToken, t.expose()),
    };
    let label = item.label();
    match crate::vault::keep(client_id, item, value) {
        Ok(()) => Ok(format!(
            "The {label} is kept in {} until the settings are saved (if you never come back: a few days at most, \
             and a reboot clears it).",
            crate::vault::store_name()
        )),
        Err(e) => Err(format!(
            "The {label} could not be kept in the keyring: {e}. If this session is cut off, it is asked again."
        )),
    }
}

fn cancel(slot: &mut Option<CancellationToken>) {
    if let Some(token) = slot.take() {
        token.cancel();
    }
}

fn replace(slot: &mut Option<CancellationToken>) -> CancellationToken {
    cancel(slot);
    let token = CancellationToken::new();
    *slot = Some(token.clone());
    token
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clipboard::Environment;

    fn executor() -> (Executor, tokio::sync::mpsc::UnboundedReceiver<Msg>) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let over_ssh = Environment { ssh: true, display: false, tmux: false, screen: false };
        (Executor::new(tx, http(), Some(Clipboard::new(over_ssh)), false), rx)
    }

    fn http() -> reqwest::Client {
        crate::salesforce::http::build_http_client().unwrap()
    }

    fn copy(label: &str, secret: bool) -> Command {
        Command::Copy { label: label.into(), text: "A1B2C3".into(), secret }
    }

    /// A copied secret is cleared after [`SECRET_ON_CLIPBOARD`] unless something else was copied first.
    #[tokio::test(start_paused = true)]
    async fn a_copied_secret_is_cleared_after_a_while_unless_replaced() {
        let (mut executor, mut rx) = executor();
        let mut terminal = Vec::new();
        executor.run(copy("Client secret", true), &mut terminal);
        let Some(Msg::Notice(said)) = rx.recv().await else { panic!("a copy report") };
        assert!(
            matches!(&said, Notice::Copied { label, clears_in: Some(after), .. } if label == "Client secret" && *after == SECRET_ON_CLIPBOARD),
            "{said:?}"
        );
        tokio::time::sleep(SECRET_ON_CLIPBOARD + Duration::from_secs(1)).await;
        assert!(matches!(rx.try_recv(), Ok(Msg::SecretCopyExpired(label)) if label == "Client secret"));

        executor.run(copy("Refresh token", true), &mut terminal);
        let _ = rx.recv().await;
        executor.run(copy("Login URL", false), &mut terminal);
        let _ = rx.recv().await;
        tokio::time::sleep(SECRET_ON_CLIPBOARD * 2).await;
        assert!(rx.try_recv().is_err(), "the secret was replaced on the clipboard: nothing to clear");

        executor.run(copy("Client secret", true), &mut terminal);
        let _ = rx.recv().await;
        executor.run(Command::ClearClipboard, &mut terminal);
        tokio::time::sleep(SECRET_ON_CLIPBOARD * 2).await;
        assert!(rx.try_recv().is_err(), "cleared by hand: no second clear");
    }

    /// A system clipboard that takes a while to answer (an X11 owner that is slow, a remote display).
    struct SlowClipboard;

    impl crate::clipboard::SystemClipboard for SlowClipboard {
        fn set_text(&mut self, _text: &str) -> Result<(), String> {
            std::thread::sleep(Duration::from_millis(300));
            Ok(())
        }
        fn get_text(&mut self) -> Result<String, String> {
            Err("nothing".into())
        }
        fn clear(&mut self) -> Result<(), String> {
            Ok(())
        }
    }

    fn open_slow() -> Result<Box<dyn crate::clipboard::SystemClipboard>, String> {
        Ok(Box::new(SlowClipboard))
    }

    /// Issue 12 item 3: the system clipboard was called on the UI thread, so a slow one froze the screen.
    #[tokio::test]
    async fn a_slow_system_clipboard_does_not_hold_the_loop() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let desktop = Environment { ssh: false, display: true, tmux: false, screen: false };
        let mut executor = Executor::new(tx, http(), Some(Clipboard::with_opener(desktop, open_slow)), false);
        let mut terminal = Vec::new();
        let asked = std::time::Instant::now();
        executor.run(copy("Client secret", true), &mut terminal);
        assert!(asked.elapsed() < Duration::from_millis(150), "the loop waited {:?}", asked.elapsed());
        let Some(Msg::Notice(said)) = rx.recv().await else { panic!("a copy report") };
        assert!(asked.elapsed() >= Duration::from_millis(300), "reported once the copy was made");
        assert!(
            matches!(said, Notice::Copied { method: CopyMethod::System, clears_in: Some(SECRET_ON_CLIPBOARD), .. }),
            "{said:?}"
        );
        assert!(terminal.is_empty(), "nothing for the terminal");
    }

    /// From a security review: quitting within the minute left the secret on the clipboard.
    #[tokio::test(start_paused = true)]
    async fn quitting_clears_a_secret_still_on_the_clipboard() {
        let (mut executor, mut rx) = executor();
        let mut terminal = Vec::new();
        executor.run(copy("Refresh token", true), &mut terminal);
        let _ = rx.recv().await;
        terminal.clear();
        executor.run(Command::Quit, &mut terminal);
        assert_eq!(executor.cleared_on_exit.as_deref(), Some("Refresh token"));
        assert!(String::from_utf8_lossy(&terminal).contains("]52;c;"), "an OSC 52 clear was written");

        let (mut plain, mut rx) = super::tests::executor();
        plain.run(copy("Login URL", false), &mut terminal);
        let _ = rx.recv().await;
        plain.run(Command::Quit, &mut terminal);
        assert_eq!(plain.cleared_on_exit, None, "no secret, nothing to clear");
    }
}
