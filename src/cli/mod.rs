//! The command line: clap types, one file per subcommand, and the mapping of outcomes to exit codes.
//!
//! Failures are typed here. A failure is printed once, as the headline and the fix
//! from `salesforce::errors`, never with a secret in it.

/// `println!` for command output, through [`clean`]: when standard output is closed early (`sfconnect
/// check | head`) the program ends quietly with status 141 (128 + SIGPIPE, as a shell reports a writer a
/// pipe stopped); any other write failure (a full disk) ends it with status 1 and says so, since output
/// that was not written (a code verifier, say) must not pass for success.
macro_rules! outln {
    () => {
        outln!("")
    };
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        let line = $crate::cli::clean(&text);
        if let Err(e) = writeln!(std::io::stdout(), "{line}") {
            $crate::cli::output_failed(e);
        }
    }};
}

/// `eprintln!` through [`clean`], never panicking when standard error is gone.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        let line = $crate::cli::clean(&text);
        let _ = writeln!(std::io::stderr(), "{line}");
    }};
}

mod app;
mod app_emit;
mod args;
mod check;
#[cfg(feature = "sim")]
mod demo;
mod device;
mod exchange;
mod json_outcome;
mod logging;
mod output;
mod revoke;
mod secret_input;
mod shell;
mod signals;
#[cfg(feature = "sim")]
mod simulate;
mod url_cmd;
mod wait;
mod wizard_args;

use std::process::ExitCode;

/// Text for the terminal with control characters replaced (line breaks and tabs kept): messages carry
/// text from outside (a server's error description, a pasted address, an org's name), and an escape
/// sequence in it must not reach the terminal, where it could retitle the window, write the clipboard
/// (OSC 52) or repaint the screen.
pub fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    // Bidi controls and zero-width characters too: they make a line read otherwise than it is.
    let unsafe_char =
        |c: char| (c.is_control() && c != '\n' && c != '\t') || crate::salesforce::http::is_invisible_format(c);
    if text.chars().any(unsafe_char) {
        text.chars().map(|c| if unsafe_char(c) { '\u{fffd}' } else { c }).collect()
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Ends the program after standard output failed: 141 for a closed pipe, else 1 with the reason.
pub fn output_failed(e: std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(141);
    }
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("error: could not write to standard output: {e}\n").as_bytes(),
    );
    std::process::exit(1);
}

use clap::{Parser, Subcommand};

pub use args::{LoginArgs, SecretArgs, SettingsOutArgs};

const AFTER_HELP: &str = "\
Without a subcommand, sfconnect opens the guided wizard. Try `sfconnect --demo`:
it needs no Salesforce org.

The consumer secret never comes from the command line (any user can read argv):
set SFCONNECT_CLIENT_SECRET, pass --client-secret-file FILE, or type it at the
no-echo prompt.

A scripted flow (each line fits 80 columns; $KEY is the Consumer Key):
  sfconnect wait --client-id $KEY
  sfconnect url --client-id $KEY --json > flow.json
  # open the url from flow.json in a browser, click Allow, copy the address
  sfconnect exchange --client-id $KEY --flow flow.json --code - \\
    --output settings.json
  sfconnect check --settings settings.json

Exit status: 0 success, 1 a failure the message explains, 2 a usage error,
128 + a signal's number when one stopped it (129 SIGHUP, 130 SIGINT, 141 a closed
pipe, 143 SIGTERM).
Logs: SFCONNECT_LOG=debug (or info, trace) appends to SFCONNECT_LOG_FILE, by default
sfconnect.log in the local data folder (~/.local/share/sfconnect on Linux), mode
0600; it holds no secret.";

/// From nothing to working Salesforce connector settings, in one terminal.
#[derive(Debug, Parser)]
#[command(name = "sfconnect", version, about, long_about = None, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Walk through everything against the built-in simulated org: no Salesforce account needed.
    #[arg(long)]
    pub demo: bool,

    #[command(flatten)]
    pub wizard: wizard_args::WizardArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the External Client App in the org (app create), or write its package (app emit).
    App(app::AppArgs),
    /// Print the authorize URL (with a fresh state and PKCE) to open in a browser.
    Url(url_cmd::UrlArgs),
    /// Exchange an authorization code (or the pasted redirect URL) for a refresh token.
    Exchange(exchange::ExchangeArgs),
    /// Authorize with the device flow: show a code to enter on any device, then poll.
    Device(device::DeviceArgs),
    /// Wait until a new consumer key is live (and its secret accepted).
    Wait(wait::WaitArgs),
    /// Check a settings file and a target's prerequisites through the API, and preview what the connector
    /// will see (users by email domain, licences).
    Check(check::CheckArgs),
    /// Revoke the refresh token in a settings file.
    Revoke(revoke::RevokeArgs),
    /// Run the built-in Salesforce simulator until interrupted.
    #[cfg(feature = "sim")]
    Simulate(simulate::SimulateArgs),
    /// Print a shell completion script (bash, zsh or fish) on standard output.
    Completions(shell::CompletionsArgs),
    /// Print the man page (roff) on standard output.
    Man,
}

impl Command {
    /// The subcommand's name, for the log.
    fn name(&self) -> &'static str {
        match self {
            Command::App(app::AppArgs { command: app::AppCommand::Create(_) }) => "app create",
            Command::App(app::AppArgs { command: app::AppCommand::Emit(_) }) => "app emit",
            Command::Url(_) => "url",
            Command::Exchange(_) => "exchange",
            Command::Device(_) => "device",
            Command::Wait(_) => "wait",
            Command::Check(_) => "check",
            Command::Revoke(_) => "revoke",
            #[cfg(feature = "sim")]
            Command::Simulate(_) => "simulate",
            Command::Completions(_) => "completions",
            Command::Man => "man",
        }
    }

    /// Whether the command was asked for `--json`: its failures are then JSON on standard output too.
    fn prints_json(&self) -> bool {
        match self {
            Command::App(app::AppArgs { command: app::AppCommand::Create(a) }) => a.json,
            Command::Url(a) => a.json,
            Command::Check(a) => a.json,
            #[cfg(feature = "sim")]
            Command::Simulate(a) => a.json,
            _ => false,
        }
    }
}

/// Why a command failed, and with which exit code.
#[derive(Debug)]
pub enum Failure {
    /// Exit 1: printed as "error: …" and "fix: …" (and, with `--json`, as `{"ok": false, …}`).
    Failed { headline: String, fix: Option<String> },
    /// Exit 1, printed on standard error as `Failed` is, after a `--json` result that already says
    /// `"ok": false` with these words: nothing more goes to standard output.
    InResult { headline: String, fix: Option<String> },
    /// Exit 2: the arguments are wrong.
    Usage(String),
    /// Exit 128 + the signal's number, as a shell reports a process a signal ended (129 for SIGHUP,
    /// 143 for SIGTERM); what there was to say has been said.
    Signal(i32),
}

impl Failure {
    pub fn failed(headline: impl Into<String>, fix: impl Into<String>) -> Self {
        Failure::Failed { headline: headline.into(), fix: Some(fix.into()) }
    }
}

impl From<crate::salesforce::Error> for Failure {
    fn from(e: crate::salesforce::Error) -> Self {
        if let crate::salesforce::Error::LoginUrl(inner) = &e {
            return Failure::Usage(inner.to_string());
        }
        let ex = e.explain();
        Failure::Failed { headline: ex.headline, fix: (!ex.fix.is_empty()).then_some(ex.fix) }
    }
}

impl From<crate::runtime::session::SessionError> for Failure {
    fn from(e: crate::runtime::session::SessionError) -> Self {
        if e.usage {
            return Failure::Usage(e.headline);
        }
        Failure::Failed { headline: e.headline, fix: (!e.fix.is_empty()).then_some(e.fix) }
    }
}

impl From<crate::settings::Error> for Failure {
    fn from(e: crate::settings::Error) -> Self {
        Failure::Failed { headline: e.to_string(), fix: None }
    }
}

pub type CmdResult = Result<(), Failure>;

/// Parses the command line, runs, and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    harden();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            // A script that asked for JSON gets it for a refused command line too.
            if let Some(object) = json_outcome::usage_object(&args, &e) {
                outln!("{object}");
            }
            e.exit();
        }
    };
    let json = cli.command.as_ref().is_some_and(Command::prints_json);
    let _log_guard = logging::init();
    let command = cli.command.as_ref().map_or("wizard", Command::name);
    tracing::info!(command, version = env!("CARGO_PKG_VERSION"), "sfconnect started");
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let outcome = runtime.block_on(run(cli));
    // Do not wait for stray tasks (a hung request, a simulator): the outcome is known.
    runtime.shutdown_background();
    match &outcome {
        Ok(()) => tracing::info!(command, "finished"),
        Err(Failure::Failed { headline, .. } | Failure::InResult { headline, .. }) => {
            tracing::warn!(command, error = %headline, "failed")
        }
        Err(Failure::Usage(message)) => tracing::warn!(command, error = %message, "refused its arguments"),
        Err(Failure::Signal(n)) => tracing::info!(command, signal = n, "stopped by a signal"),
    }
    if json
        && let Err(failure) = &outcome
        && let Some(object) = json_outcome::failure_object(failure)
    {
        outln!("{object}");
    }
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Signal(n)) => ExitCode::from(128u8.saturating_add(n.clamp(0, 127) as u8)),
        Err(Failure::Usage(msg)) => {
            errln!("error: {msg}\n\nFor more information, try '--help'.");
            ExitCode::from(2)
        }
        Err(Failure::Failed { headline, fix } | Failure::InResult { headline, fix }) => {
            errln!("error: {headline}");
            if let Some(fix) = fix {
                errln!("  fix: {fix}");
            }
            ExitCode::from(1)
        }
    }
}

/// Keeps the secrets this process will hold out of core dumps and away from other processes of the
/// same user that are not its debugger: not dumpable (which also makes /proc/PID/mem and friends
/// root-only) and a core size limit of 0, so a crash writes no copy of the consumer secret to disk.
/// Best effort: a system that refuses leaves the process as it was.
pub fn harden() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl and setrlimit with constant arguments and a valid pointer to a local struct.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
    #[cfg(unix)]
    // SAFETY: as above.
    unsafe {
        let none = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        libc::setrlimit(libc::RLIMIT_CORE, &none);
    }
}

#[cfg(test)]
mod clean_tests {
    #[test]
    fn bidi_and_zero_width_characters_never_reach_the_terminal() {
        let shown = super::clean("Acme\u{202e}moc.live\u{200b} org\x1b]52;c;x\x07");
        assert_eq!(shown, "Acme\u{fffd}moc.live\u{fffd} org\u{fffd}]52;c;x\u{fffd}");
        assert_eq!(super::clean("two\nlines\tkept"), "two\nlines\tkept");
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn the_process_is_not_dumpable_and_dumps_no_core() {
        super::harden();
        // SAFETY: prctl and getrlimit with valid arguments.
        let (dumpable, core) = unsafe {
            let mut limit = libc::rlimit { rlim_cur: 1, rlim_max: 1 };
            libc::getrlimit(libc::RLIMIT_CORE, &mut limit);
            (libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0), limit.rlim_cur)
        };
        assert_eq!((dumpable, core), (0, 0));
    }
}

async fn run(cli: Cli) -> CmdResult {
    match cli.command {
        Some(Command::App(a)) => app::run(a).await,
        Some(Command::Url(a)) => url_cmd::run(a).await,
        Some(Command::Exchange(a)) => exchange::run(a).await,
        Some(Command::Device(a)) => device::run(a).await,
        Some(Command::Wait(a)) => wait::run(a).await,
        Some(Command::Check(a)) => check::run(a).await,
        Some(Command::Revoke(a)) => revoke::run(a).await,
        #[cfg(feature = "sim")]
        Some(Command::Simulate(a)) => simulate::run(a).await,
        Some(Command::Completions(a)) => shell::completions(a),
        Some(Command::Man) => shell::man(),
        None => wizard_args::run(cli.wizard, cli.demo).await,
    }
}
