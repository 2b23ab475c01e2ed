//! The wizard's loop: terminal in and out, keys to messages, commands to tasks, frames when something
//! changed. One inbound channel is awaited, never polled; ticks run only while something on screen
//! changes with time; queued messages are drained before one frame is drawn, inside a synchronized
//! update so a slow SSH link never shows half a frame.

pub mod create_app;
mod demo_org;
mod listener;
mod progress_file;
pub mod session;
pub mod session_find;
mod tasks;
mod terminal;
mod worker;

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream, KeyEventKind};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;

pub use crate::keymap::{Context, key_name, message_for};
pub use demo_org::{DemoAppShape, DemoSetup};

use crate::presets::Preset;
use crate::settings::Format;
use crate::wizard::state::{DemoApp, Mode};
use crate::wizard::{Msg, State, Surroundings, update};

/// What the command line asked of the wizard.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub preset: Option<String>,
    pub login_url: Option<String>,
    pub sandbox: bool,
    pub output: Option<PathBuf>,
    pub format: Option<Format>,
    pub no_clipboard: bool,
    /// `--listen-port`: the local-browser method's port (else a remembered random one).
    pub listen_port: Option<u16>,
    /// `--keyring`: keep the consumer secret and refresh token in the OS keyring until saved.
    pub keyring: bool,
    /// The simulated org to run against (`--demo`).
    pub demo: Option<DemoApp>,
    /// The demo org's admin session, for creating the app in the demo; the executor holds it, never the state.
    pub demo_session: Option<crate::salesforce::AccessToken>,
    /// Sets the demo org's app up as the create step describes it (`--demo`).
    pub demo_setup: Option<DemoSetup>,
}

/// How the wizard ended.
#[derive(Debug)]
pub struct Outcome {
    pub saved: Option<PathBuf>,
    /// Settings exist but were not saved: the caller says so after the terminal is restored.
    pub unsaved: bool,
    /// Progress was kept for the next run to resume.
    pub resumable: bool,
    pub connected_as: Option<String>,
    /// The secrets were kept in the OS keyring (`--keyring`).
    pub keyring: bool,
    /// The signal that ended the wizard (SIGHUP: the SSH link dropped; SIGTERM), if one did.
    pub signal: Option<i32>,
    /// The required checks that failed, by title.
    pub failed_checks: Vec<String>,
    /// The wizard ran against the built-in demo org.
    pub demo: bool,
    /// A secret copied shortly before quitting was cleared from the clipboard: its label.
    pub clipboard_cleared: Option<String>,
}

/// Reads where sfconnect runs: SSH, a display, NO_COLOR.
pub fn surroundings_from_env() -> Surroundings {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let ssh = set("SSH_CONNECTION") || set("SSH_TTY") || set("SSH_CLIENT");
    let display = cfg!(any(target_os = "macos", target_os = "windows")) || set("DISPLAY") || set("WAYLAND_DISPLAY");
    let user = std::env::var("USER").ok().filter(|u| !u.is_empty());
    let host = std::fs::read_to_string("/etc/hostname").ok().map(|h| h.trim().to_string()).filter(|h| !h.is_empty());
    let ssh_target = match (user, host) {
        (Some(u), Some(h)) => Some(format!("{u}@{h}")),
        (None, Some(h)) => Some(h),
        _ => None,
    };
    Surroundings { ssh, display, ssh_target, demo: false, no_color: set("NO_COLOR") }
}

/// Builds the first state from the options.
pub fn initial_state(presets: Vec<Preset>, surroundings: Surroundings, options: &Options, now: Instant) -> State {
    let mut state = State::new(presets, surroundings, now);
    if let Some(id) = &options.preset
        && let Ok(i) = crate::presets::position_of(&state.presets, id)
    {
        state.start.preset_index = i;
        state.apply_preset();
    }
    if options.sandbox {
        state.start.environment = crate::wizard::steps::start::Environment::Sandbox;
        state.start.org_given = true;
    }
    if let Some(url) = &options.login_url {
        state.start.set_login_url(url);
    }
    state.result.set_output(options.output.clone(), options.format);
    state.result.default_dir = directories::ProjectDirs::from("", "", "sfconnect").map(|d| d.data_dir().to_path_buf());
    if let Some(demo) = &options.demo {
        state.surroundings.demo = true;
        state.credentials.key.set(&demo.client_id);
        state.credentials.secret.set(demo.client_secret.expose());
        state.create_app.email.set("admin@example.com");
        state.result.stem = "sfconnect-demo-settings".into();
        state.demo = Some(demo.clone());
    }
    state
}

/// The local-browser method's port: `explicit`, or the one kept in the state folder, or a free one (then kept).
/// The demo asks first, to register its callback with the simulated app.
pub fn listen_port(explicit: Option<u16>) -> u16 {
    listener::choose_port(explicit, listener::port_file().as_deref())
}

/// Why the wizard could not run.
#[derive(Debug)]
pub enum RunError {
    /// The terminal could not be used.
    Terminal(io::Error),
    /// The one HTTP client could not be built (bad `SSL_CERT_FILE`, say): said after the terminal is back
    /// to its normal state.
    Http(crate::salesforce::Error),
}

impl From<io::Error> for RunError {
    fn from(e: io::Error) -> Self {
        RunError::Terminal(e)
    }
}

/// The one HTTP client, being built on a blocking thread (loading the system's TLS roots takes longer than
/// drawing the first frame, so the wizard draws first and waits for it after).
pub type PendingHttp = tokio::task::JoinHandle<Result<reqwest::Client, crate::salesforce::Error>>;

/// Runs the wizard in the terminal until the user quits. `http` is the one HTTP client, still being built:
/// it is awaited once the first frame is on screen, and a failure to build it ends the wizard with the
/// terminal restored before anything is said.
pub async fn run(
    presets: Vec<Preset>,
    preset_errors: Vec<String>,
    options: Options,
    http: PendingHttp,
) -> Result<Outcome, RunError> {
    let surroundings = surroundings_from_env();
    let mut state = initial_state(presets, surroundings, &options, Instant::now());
    state.authorize.listen_port = listener::choose_port(options.listen_port, listener::port_file().as_deref());
    if let Some(first) = preset_errors.first() {
        state.warn(format!("A preset file was skipped: {first}"));
    }
    let demo = options.demo.is_some();
    state.keyring = options.keyring && !demo;
    if !demo && let Some(progress) = progress_file::load(std::time::SystemTime::now()) {
        let kept = if progress.keyring { read_kept(&progress.client_id) } else { Default::default() };
        state.resume = Some(crate::wizard::state::ResumeOffer {
            progress,
            offered_wall: std::time::SystemTime::now(),
            offered_at: state.now,
            kept,
        });
    }
    let mut keeper = progress_file::ProgressKeeper::new(!demo);
    let mut demo_org = options.demo_setup.clone().map(demo_org::DemoOrgSync::new);
    if let Some(sync) = &mut demo_org {
        sync.note(&state);
    }
    let clipboard =
        (!options.no_clipboard).then(|| crate::clipboard::Clipboard::new(crate::clipboard::Environment::from_env()));
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();

    let guard = terminal::TerminalGuard::enter()?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    let mut events = EventStream::new();
    let mut signals = Signals::new()?;
    draw(&mut terminal, &state)?;

    // Nothing the first screen offers needs the network before a key is read, so the client is awaited here.
    let http = match http.await {
        Ok(Ok(http)) => http,
        Ok(Err(e)) => {
            drop(guard);
            return Err(RunError::Http(e));
        }
        Err(e) => {
            drop(guard);
            return Err(RunError::Terminal(io::Error::other(format!("the HTTP client could not be built: {e}"))));
        }
    };
    let mut executor = tasks::Executor::new(tx.clone(), http, clipboard, options.demo.is_some());
    if let Some(token) = options.demo_session.clone() {
        executor.set_demo_session(token);
    }
    let mut terminal_bytes = executor.take_terminal_output();

    let mut next_tick: Option<Instant> = None;
    // True while one value is shown outside the full screen (see `show_plain`).
    let mut plain_view = false;
    let mut stopped_by = None;
    'outer: loop {
        let interval = crate::wizard::tick_interval(&state);
        next_tick = match (interval, next_tick) {
            (Some(i), None) => Some(Instant::now() + i),
            (Some(_), t) => t,
            (None, _) => None,
        };
        let tick_at = next_tick.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        let progress_at = keeper.deadline();
        let first = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(_) | Event::Paste(_))) if plain_view => {
                    // Any key ends the plain view: back to the full screen, drawn whole.
                    plain_view = false;
                    // Wipe the value from the main screen and its scrollback before going back.
                    use crossterm::terminal::{Clear, ClearType, EnterAlternateScreen};
                    crossterm::execute!(io::stdout(), Clear(ClearType::All), Clear(ClearType::Purge), EnterAlternateScreen)?;
                    let area = terminal.size()?;
                    terminal.resize(ratatui::layout::Rect::new(0, 0, area.width, area.height))?;
                    Some(Msg::Resize)
                }
                Some(Ok(_)) if plain_view => None,
                Some(Ok(event)) => to_msg(event, &state),
                Some(Err(_)) | None => Some(Msg::Action(crate::wizard::Action::Interrupt)),
            },
            msg = rx.recv() => msg,
            () = tokio::time::sleep_until(tick_at.into()), if next_tick.is_some() => {
                next_tick = interval.map(|i| Instant::now() + i);
                Some(Msg::Tick(Instant::now()))
            }
            // A copy made on the worker fell back to OSC 52: its bytes go to the terminal from here.
            Some(bytes) = terminal_bytes.recv() => {
                let mut out = io::stdout();
                out.write_all(&bytes)?;
                out.flush()?;
                None
            }
            // The progress waits for a pause in typing; then it is written (on the worker thread).
            () = tokio::time::sleep_until(progress_at.unwrap_or(tick_at).into()), if progress_at.is_some() => None,
            signal = signals.recv() => {
                // SIGTERM, SIGINT or SIGHUP (the SSH link dropped): leave cleanly.
                stopped_by = Some(signal);
                break 'outer;
            }
        };
        let mut dirty = false;
        let mut pending = first.into_iter().collect::<Vec<_>>();
        // Drain whatever else is queued, then draw once.
        while let Ok(msg) = rx.try_recv() {
            pending.push(msg);
        }
        for msg in pending {
            if !matches!(msg, Msg::Tick(_)) {
                state.now = Instant::now();
            }
            let result = update(&mut state, msg);
            dirty |= result.dirty;
            for command in result.commands {
                if let crate::wizard::Command::ShowPlain { label, text } = command {
                    show_plain(&label, text.expose())?;
                    plain_view = true;
                    continue;
                }
                if let crate::wizard::Command::ForgetProgress = command {
                    // Through the keeper, so a write still waiting for its pause is dropped, not run after.
                    let job = keeper.forget();
                    executor.run_blocking(move || job.run());
                    continue;
                }
                if !executor.run(command, &mut io::stdout()) {
                    break 'outer;
                }
            }
        }
        if let Some(sync) = &mut demo_org {
            sync.note(&state);
        }
        let now = Instant::now();
        let jobs = [keeper.note(&state, std::time::SystemTime::now(), now), keeper.take_due(now)];
        for job in jobs.into_iter().flatten() {
            executor.run_blocking(move || job.run());
        }
        if state.mode == Mode::Quit {
            break;
        }
        if dirty && !plain_view {
            draw(&mut terminal, &state)?;
        }
    }
    executor.run(crate::wizard::Command::Quit, &mut io::stdout());
    drop(terminal);
    drop(guard);
    // The last change (an SSH drop ends the loop mid-typing) is written before leaving, after the
    // terminal is back: waiting for the worker here blocks nothing on screen.
    if let Some(job) = keeper.take_pending() {
        executor.run_blocking(move || job.run());
    }
    executor.finish_blocking();
    let connected_as = match &state.verify.status {
        crate::wizard::steps::verify::VerifyStatus::Done { connected_as } => Some(connected_as.clone()),
        _ => None,
    };
    Ok(Outcome {
        saved: state.result.saved.clone(),
        // A target with its own app takes none of the values: not saving them loses nothing it needs.
        unsaved: state.result.settings.is_some()
            && !state.result.saved_current
            && !state.preset().is_some_and(|p| p.brings_own_app()),
        resumable: !demo && state.step != crate::wizard::Step::START && state.result.saved.is_none(),
        connected_as,
        keyring: state.keyring,
        signal: stopped_by,
        failed_checks: state
            .checks
            .verdicts
            .iter()
            .filter(|v| v.status == crate::checks::Status::Fail)
            .map(|v| v.title.to_string())
            .collect(),
        demo,
        clipboard_cleared: executor.cleared_on_exit.take(),
    })
}

/// What an earlier session kept in the OS keyring for this consumer key.
fn read_kept(client_id: &str) -> crate::wizard::msg::KeptSecrets {
    use crate::vault::{Item, read};
    let mut kept = crate::wizard::msg::KeptSecrets::default();
    if client_id.is_empty() {
        return kept;
    }
    match (read(client_id, Item::ClientSecret), read(client_id, Item::RefreshToken)) {
        (Ok(secret), Ok(token)) => {
            kept.client_secret = secret.map(|s| crate::salesforce::ClientSecret::new(s.as_str()));
            kept.refresh_token = token.map(|t| crate::salesforce::RefreshToken::new(t.as_str()));
        }
        (Err(e), _) | (_, Err(e)) => kept.error = Some(e.to_string()),
    }
    kept
}

fn to_msg(event: Event, state: &State) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => message_for(key, crate::keymap::reading_context(state)),
        Event::Paste(text) => Some(Msg::Paste(text.into())),
        Event::Resize(..) => Some(Msg::Resize),
        _ => None,
    }
}

fn draw(terminal: &mut Terminal<CrosstermBackend<io::Stdout>>, state: &State) -> io::Result<()> {
    let hints = crate::keymap::hints(state);
    crossterm::queue!(io::stdout(), BeginSynchronizedUpdate)?;
    terminal.draw(|frame| crate::ui::render(frame, state, &hints))?;
    crossterm::queue!(io::stdout(), EndSynchronizedUpdate)?;
    io::stdout().flush()
}

/// Leaves the full screen and prints `text` as one line, so the terminal wraps it softly and a mouse
/// selection (or tmux's copy mode) takes it whole. The value was asked for by the user.
fn show_plain(label: &str, text: &str) -> io::Result<()> {
    let mut out = io::stdout();
    crossterm::execute!(
        out,
        crossterm::terminal::LeaveAlternateScreen,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All),
        crossterm::cursor::MoveTo(0, 0)
    )?;
    write_plain(&mut out, label, text)
}

/// The plain view's text. Raw mode is still on, so a bare line feed would only move down a row: every line
/// ends with \r\n, the value's own line breaks too (the two callback URLs are two lines), or its second
/// line would start where the first ended and wrap across the screen.
fn write_plain(out: &mut impl Write, label: &str, text: &str) -> io::Result<()> {
    let text = text.lines().collect::<Vec<_>>().join("\r\n");
    write!(out, "{label} (select it, then press any key to go back):\r\n\r\n{text}\r\n\r\n")?;
    out.flush()
}

/// SIGTERM, SIGHUP and SIGINT as one awaitable: each leaves the terminal as it was found.
struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hup: tokio::signal::unix::Signal,
    // Ctrl-C in raw mode is a key, not a signal; `kill -INT` still arrives as one and must not leave
    // the terminal raw, on the alternate screen, with the cursor hidden.
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                term: signal(SignalKind::terminate())?,
                hup: signal(SignalKind::hangup())?,
                int: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// Waits for one and returns its number (15 for SIGTERM, 1 for SIGHUP, 2 for SIGINT).
    async fn recv(&mut self) -> i32 {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => 15,
            _ = self.hup.recv() => 1,
            _ = self.int.recv() => 2,
        }
        #[cfg(not(unix))]
        std::future::pending::<i32>().await
    }
}

#[cfg(test)]
mod tests {
    /// Issue 10: Ctrl-P on the two callback URLs printed the second from the column where the first
    /// ended (a bare line feed in raw mode), split over lines.
    #[test]
    fn the_plain_view_starts_each_line_of_a_value_at_the_left_edge() {
        let mut out = Vec::new();
        let urls = "https://login.salesforce.com/services/oauth2/success\nhttp://localhost:1717/OauthRedirect";
        assert!(super::write_plain(&mut out, "Callback URLs", urls).is_ok());
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("/services/oauth2/success\r\nhttp://localhost:1717/OauthRedirect\r\n"), "{text:?}");
        assert!(!text.replace("\r\n", "").contains('\n'), "no bare line feed: {text:?}");
    }
}
