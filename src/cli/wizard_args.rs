//! `sfconnect` with no subcommand: the full-screen wizard, and its flags. With `--demo` it runs against
//! the built-in simulator; when standard output is not a terminal, `--demo` narrates the same flow as
//! plain text instead.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::{CmdResult, Failure};
use crate::runtime::Options;
use crate::salesforce::LoginHost;
use crate::settings::Format;
use crate::wizard::state::DemoApp;

/// How long the demo org's new key takes to go live: long enough to see the wait, short enough to enjoy.
const DEMO_PROPAGATION: Duration = Duration::from_secs(8);

/// The `--format` help, listing every format `--format` accepts (from the one list, so it cannot drift).
fn format_help() -> String {
    let names: Vec<&str> = Format::all().iter().map(|f| f.name()).collect();
    format!("Format of the settings file: {} [default: json]", names.join(", "))
}

#[derive(Debug, Clone, Args)]
pub struct WizardArgs {
    /// Start with this target: snow-atlas, avepoint, nintex, ampersand, generic (or a preset of your own).
    #[arg(long, value_name = "ID")]
    pub preset: Option<String>,
    /// Start with this login URL (production, sandbox or My Domain; a Lightning URL works too).
    #[arg(long, value_name = "URL")]
    pub login_url: Option<String>,
    /// Start with the sandbox login host (https://test.salesforce.com).
    #[arg(long, conflicts_with = "login_url")]
    pub sandbox: bool,
    /// Where the wizard writes the settings file [default: sfconnect-settings.<format> in the data folder].
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Format of the settings file [default: json].
    #[arg(long, value_name = "F", help = format_help())]
    pub format: Option<Format>,
    /// Never touch the clipboard (values can still be shown and written to a file).
    #[arg(long)]
    pub no_clipboard: bool,
    /// The local browser method's port on 127.0.0.1 [default: a random free port, chosen once and kept].
    /// Its callback (http://localhost:PORT/OauthRedirect) must be on the app.
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1024..))]
    pub listen_port: Option<u16>,
    /// Keep the consumer secret and, once obtained, the refresh token in the OS keyring (the Linux
    /// kernel keyring) until the settings are saved, so a session cut off by a dropped SSH link
    /// resumes without asking for them or authorizing again. Off by default.
    #[arg(long)]
    pub keyring: bool,
    /// Seconds the demo org's key takes to go live (for tests and benchmarks).
    #[arg(long, value_name = "SECS", hide = true, default_value_t = DEMO_PROPAGATION.as_secs())]
    pub demo_live_after: u64,
}

pub async fn run(args: WizardArgs, demo_mode: bool) -> CmdResult {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        if demo_mode {
            #[cfg(feature = "sim")]
            return super::demo::run().await;
        }
        return Err(Failure::Usage(
            "the wizard needs a terminal: run it in one, or use the subcommands (see `sfconnect --help`)".into(),
        ));
    }
    if let Some(url) = &args.login_url {
        LoginHost::parse(url).map_err(|e| Failure::Usage(e.to_string()))?;
    }
    // Loading the TLS roots takes longer than drawing the first frame: it runs on a blocking thread while the
    // presets, the port and the demo org are made ready and the first frame is drawn (see `runtime::run`).
    let http = tokio::task::spawn_blocking(crate::salesforce::http::build_http_client);
    let (presets, errors) = crate::presets::load_all(crate::presets::user_preset_dir().as_deref());
    if let Some(id) = &args.preset {
        crate::presets::position_of(&presets, id).map_err(|e| Failure::Usage(e.to_string()))?;
    }
    // The demo's app has both callbacks the wizard uses registered on it, as the create step asks the admin to
    // do: so the port is chosen before the org starts.
    let listen_port = if demo_mode { Some(crate::runtime::listen_port(args.listen_port)) } else { args.listen_port };
    let simulator = match listen_port {
        Some(port) if demo_mode => Some(demo_org::start(args.demo_live_after, port).await?),
        _ => None,
    };
    let demo = simulator.as_ref().map(demo_org::app);
    let demo_session = simulator.as_ref().map(demo_org::admin_session);
    let demo_setup = simulator.as_ref().map(demo_org::setup);
    let options = Options {
        preset: args.preset,
        login_url: args.login_url,
        sandbox: args.sandbox,
        output: args.output,
        format: args.format,
        no_clipboard: args.no_clipboard,
        listen_port,
        keyring: args.keyring,
        demo,
        demo_session,
        demo_setup,
    };
    let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let outcome = match crate::runtime::run(presets, errors, options, http).await {
        Ok(outcome) => outcome,
        Err(crate::runtime::RunError::Http(e)) => return Err(e.into()),
        Err(crate::runtime::RunError::Terminal(e)) => return Err(Failure::failed(format!("terminal error: {e}"), "")),
    };
    if let Some(sim) = simulator {
        demo_org::stop(sim).await;
    }
    // After a SIGHUP the terminal may be gone: lines that cannot be written are dropped, not a panic.
    // On a terminal, lines wrap at spaces to its width: the terminal's own wrap cuts words in two.
    let width = terminal_width();
    let say = |line: String| {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        for row in wrap_at_spaces(&super::clean(&line), width) {
            let _ = writeln!(out, "{row}");
        }
    };
    if let Some(label) = &outcome.clipboard_cleared {
        say(format!("The {label} copied earlier was cleared from the clipboard as sfconnect ended."));
    }
    if let Some(line) = &outcome.connected_as {
        say(if outcome.demo { format!("Demo: {line} (a simulated org).") } else { format!("{line}.") });
    }
    if let Some(path) = &outcome.saved {
        say(format!("Settings saved to {} (mode 0600).", path.display()));
        if !outcome.failed_checks.is_empty() {
            say(format!(
                "Not ready yet: {} failed ({}). The connector will not work until the org is fixed in Setup.",
                crate::checks::preview::count(outcome.failed_checks.len() as u64, "required check"),
                outcome.failed_checks.join(", ")
            ));
        }
        if outcome.demo {
            say("That was the demo org: it is gone now, so these settings only show what a real run writes.".into());
        } else {
            // The file records its target, so the check needs no --preset.
            say(format!("Check them any time: sfconnect check --settings {}", path.display()));
        }
    }
    let unsaved = match (outcome.unsaved, outcome.keyring && outcome.resumable) {
        (true, true) => Some(Failure::failed(
            "the settings were not saved; the refresh token is kept in the keyring",
            "run sfconnect again to resume, then press w on the last screen",
        )),
        (true, false) if outcome.demo => Some(Failure::failed(
            "the settings were not saved (the demo org and its token are gone with it)",
            "nothing to clean up: a real run asks for the same save (w on the last screen)",
        )),
        // A real org: the token cannot be recovered (it was never written), so the way on is a new one.
        (true, false) => Some(Failure::failed(
            "the settings were not saved: this session's refresh token is lost to you, though Salesforce keeps \
             it valid (and counts it toward five per user per app) until it is revoked",
            "run sfconnect again, authorize again and press w on the last screen (use --keyring to keep a token \
             across a quit); revoke the lost one in Setup: External Client App Manager > the app > OAuth Usage, \
             or Connected Apps OAuth Usage for a Connected App",
        )),
        (false, _) => None,
    };
    if unsaved.is_none() && outcome.resumable {
        say(if outcome.keyring {
            "Progress kept, the secrets in the keyring: run sfconnect again to resume.".into()
        } else {
            "Progress kept (never the secrets): run sfconnect again to resume.".into()
        });
    }
    if let Some(signal) = outcome.signal {
        if let Some(Failure::Failed { headline, fix }) = &unsaved {
            use std::io::Write;
            let fix = fix.as_deref().unwrap_or_default();
            let _ = writeln!(std::io::stderr(), "error: {headline}\n  fix: {fix}");
        }
        return Err(Failure::Signal(signal));
    }
    if let Some(failure) = unsaved {
        return Err(failure);
    }
    Ok(())
}

/// The terminal's width when standard output is one; None into a pipe or a file, where a line stays whole.
fn terminal_width() -> Option<usize> {
    std::io::stdout()
        .is_terminal()
        .then(|| crossterm::terminal::size().ok())
        .flatten()
        .map(|(cols, _)| usize::from(cols))
        .filter(|cols| *cols >= 20)
}

/// `text` as rows of at most `width` columns, broken at spaces (a word longer than a row, such as a path,
/// is cut); one row when `width` is None.
fn wrap_at_spaces(text: &str, width: Option<usize>) -> Vec<String> {
    let Some(width) = width else { return vec![text.to_string()] };
    let options = textwrap::Options::new(width).break_words(true).word_splitter(textwrap::WordSplitter::NoHyphenation);
    textwrap::wrap(text, options).into_iter().map(|row| row.into_owned()).collect()
}

#[cfg(test)]
mod wrap_tests {
    use super::wrap_at_spaces;

    #[test]
    fn exit_lines_break_at_spaces_only() {
        let text = "That was the demo org: it is gone now, so these settings only show what a real run writes.";
        for width in 20..=text.len() {
            let rows = wrap_at_spaces(text, Some(width));
            assert!(rows.iter().all(|r| r.chars().count() <= width), "{width}: {rows:?}");
            assert_eq!(rows.join(" "), text, "at {width}, a word was cut: {rows:?}");
        }
        assert_eq!(wrap_at_spaces(text, None), vec![text.to_string()], "into a pipe, one line");
    }
}

/// The demo's simulated org, or a clear refusal in a build without the simulator.
#[cfg(feature = "sim")]
mod demo_org {
    use std::time::Duration;

    use super::{DemoApp, Failure};
    use crate::runtime::{DemoAppShape, DemoSetup};
    use crate::salesforce::ClientSecret;
    use crate::sim::{AppKind as SimAppKind, AppSetup, OrgFixture, SimConfig, Simulator};

    pub async fn start(live_after_secs: u64, listen_port: u16) -> Result<Simulator, Failure> {
        let live_after = Duration::from_secs(live_after_secs);
        // A small org with users over a few domains, so the checks' preview has something to show.
        let org = OrgFixture::with_users(240, &["acme.com", "acme.co.uk", "contractor.io"]);
        let mut config = SimConfig { live_after, auto_approve: true, org, ..SimConfig::default() };
        // An app the demo creates goes live after the same delay as the one it starts with.
        config.metadata.propagation = live_after;
        // The paste-back page (`{base_url}/services/oauth2/success`) is registered by default.
        config.callback_urls.push(crate::wizard::steps::authorize::loopback_callback(listen_port));
        Simulator::start(config).await.map_err(|e| Failure::failed(format!("the demo org could not start: {e}"), ""))
    }

    /// The demo org's admin session, which the create step offers for "Create it for me".
    pub fn admin_session(sim: &Simulator) -> crate::salesforce::AccessToken {
        crate::salesforce::AccessToken::new(sim.admin_session())
    }

    pub fn app(sim: &Simulator) -> DemoApp {
        DemoApp {
            base_url: sim.base_url(),
            client_id: sim.client_id(),
            client_secret: ClientSecret::new(sim.client_secret()),
        }
    }

    /// The demo org's Setup: the app the create step describes becomes the org's app (kind, names, device
    /// flow, IP relaxation), so its objects and token rows agree with what the wizard checks.
    pub fn setup(sim: &Simulator) -> DemoSetup {
        let set_up = sim.app_setup();
        DemoSetup(std::sync::Arc::new(move |shape: &DemoAppShape| {
            set_up(&AppSetup {
                kind: match shape.kind {
                    crate::checks::AppKind::ConnectedApp => SimAppKind::ConnectedApp,
                    crate::checks::AppKind::ExternalClientApp => SimAppKind::ExternalClientApp,
                },
                label: shape.name.clone(),
                developer_name: shape.api_name.clone(),
                device_flow: shape.device_flow,
                ip_relaxation: if shape.relax_ip { "Bypass" } else { "Enforce_RelaxRefresh" }.into(),
            });
        }))
    }

    pub async fn stop(sim: Simulator) {
        sim.shutdown().await;
    }
}

#[cfg(not(feature = "sim"))]
mod demo_org {
    use super::{DemoApp, Failure};

    pub enum Never {}

    pub async fn start(_live_after_secs: u64, _listen_port: u16) -> Result<Never, Failure> {
        Err(Failure::Usage(
            "this build of sfconnect has no simulator (built without the `sim` feature): --demo needs one".into(),
        ))
    }

    pub fn app(never: &Never) -> DemoApp {
        match *never {}
    }

    pub fn admin_session(never: &Never) -> crate::salesforce::AccessToken {
        match *never {}
    }

    pub fn setup(never: &Never) -> crate::runtime::DemoSetup {
        match *never {}
    }

    pub async fn stop(never: Never) {
        match never {}
    }
}
