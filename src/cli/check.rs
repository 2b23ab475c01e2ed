//! `sfconnect check`: proves a settings file works and runs the prerequisite checks for a target (`--preset`,
//! else the preset recorded in the file, else `generic`): refreshes the token (and tries without the secret),
//! then `checks::run_checks` (identity, org, user, permissions, tokens, app policy, API usage) and the preview
//! of what the connector will see. Warns when the file can be read by others. The exit status is 1 when a
//! required check fails.

use std::path::{Path, PathBuf};

use clap::Args;

use super::args::AppKindArg;
use super::output::host_of;
use super::{CmdResult, Failure};
use crate::checks::{
    CheckContext, CheckId, Finding, Level, Report, Status, Verdict, probe_secret, refresh_first_saving, run_checks,
};
use crate::presets::{Preset, find, load_all, named, user_preset_dir};
use crate::salesforce::rest::{RestClient, api_versions, newest_known};
use crate::salesforce::retry::RetryNotice;
use crate::salesforce::{AppCredentials, Client};
use crate::settings::{Overwrite, read_settings, write_settings};

/// Domains listed in the table; `--json` has them all.
const DOMAINS_SHOWN: usize = 10;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The settings file written by `exchange`, `device` or the wizard.
    #[arg(long, value_name = "FILE")]
    pub settings: PathBuf,
    /// The target whose prerequisites to check: generic, snow-atlas, avepoint, nintex, ampersand, or a preset of
    /// your own. Its required checks fail, its advisory ones warn. [default: the preset recorded in the
    /// settings file, else generic]
    #[arg(long, value_name = "ID")]
    pub preset: Option<String>,
    /// The app's name as Setup shows it (Connected App or External Client App) [default: the name the
    /// settings file records (the wizard writes it), else the app of the user's most recently used token,
    /// and the report says it was assumed].
    #[arg(long, value_name = "NAME")]
    pub app_name: Option<String>,
    /// The kind of app, so the fixes name the right Setup pages: connected-app or external-client-app
    /// [default: the kind the settings file records (the wizard writes it), else both are given].
    #[arg(long, value_name = "KIND")]
    pub app_kind: Option<AppKindArg>,
    /// Print {"ok", "checks": [...], "org": {...}, "user": {...}, "preview": {...}} instead of a table
    /// ("error" and "fix" too when it fails; a run that fails before the checks prints only those three).
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: CheckArgs) -> CmdResult {
    let (presets, broken) = load_all(user_preset_dir().as_deref());
    for error in &broken {
        errln!("warning: a preset of yours was not loaded: {error}");
    }
    if let Some(id) = &args.preset {
        named(&presets, id).map_err(|e| Failure::Usage(e.to_string()))?;
    }
    let (settings, exposure) = read_settings(&args.settings)?;
    let (preset, chosen_by) =
        choose_preset(&presets, args.preset.as_deref(), settings.preset.as_deref(), &args.settings)?;
    let host = host_of(&settings)?;
    // The shape of the run: which target and app, whether a secret is in the file; never its values.
    tracing::info!(
        preset = preset.id.as_str(),
        %chosen_by,
        app_name_known = args.app_name.is_some() || settings.app_name.is_some(),
        app_kind = args.app_kind.map(crate::salesforce::AppKind::from).or(settings.app_kind).map(|k| k.id()),
        secret_in_file = settings.client_secret.is_some(),
        host = host.origin(),
        "check started"
    );
    // Waits are said on standard error as they begin (a 503 with Retry-After can mean a minute or two of
    // silence otherwise); standard output keeps the table or JSON alone.
    // The refresh and the version list go together, so one outage is heard twice at once: say it once.
    let last_told = std::sync::Mutex::new(String::new());
    let notice = RetryNotice::new(move |headline, pause| {
        let line = format!("{headline}; trying again in {} s", pause.as_secs().max(1));
        let mut last = last_told.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if *last != line {
            errln!("{line}");
            *last = line;
        }
    });
    let client = Client::new(host.clone())?.with_retry_notice(notice.clone());
    let app = AppCredentials { client_id: settings.client_id.clone(), client_secret: settings.client_secret.clone() };
    let mut checks = vec![exposure_check(&exposure, &args.settings)];

    // With refresh token rotation on, the refresh retires the token in the file: the new one must be
    // written back the moment it arrives, so the file must be known to take it before the first refresh.
    let real_path = writable_settings_file(&args.settings)?;
    let format = crate::settings::format_of_file(&real_path).unwrap_or_default();
    let saved = std::cell::RefCell::new(Vec::<Option<String>>::new());
    let mut save = |newest: &crate::salesforce::RefreshToken| {
        let mut updated = settings.clone();
        updated.refresh_token = newest.clone();
        let written = updated.render(format).and_then(|text| write_settings(&real_path, &text, Overwrite::Replace));
        let problem = written.err().map(|e| {
            // JSON carries any value exactly: the rotated token is kept even when the file's format cannot be.
            let kept = updated
                .render(format)
                .map(|text| (text, format))
                .or_else(|_| updated.render(crate::settings::Format::Json).map(|text| (text, crate::settings::Format::Json)))
                .and_then(|(text, kept_format)| crate::settings::keep_safe(&text, kept_format));
            match kept {
                Ok(kept) => format!(
                    "the rotated token could not be written to {} ({e}); it was kept in {} (mode 0600): move that file over the old one",
                    real_path.display(),
                    kept.display()
                ),
                Err(e2) => format!(
                    "the rotated token could not be written to {} ({e}) nor kept in the state folder ({e2})",
                    real_path.display()
                ),
            }
        });
        saved.borrow_mut().push(problem);
    };
    // Round one: the refresh, and the org's list of API versions (public, so it needs no token). A signal
    // during the refresh waits until its answer (and the token it may carry) is on disk.
    let mut stop = super::signals::StopSignals::take();
    let (mut outcome, versions) = super::signals::finish(
        &mut stop,
        futures_util::future::join(
            refresh_first_saving(&client, &app, &settings.refresh_token, &mut save),
            api_versions(client.http(), host.origin(), &notice),
        ),
    )
    .await;
    if let Some(problem) = saved.borrow().iter().flatten().next() {
        return Err(Failure::failed(problem.clone(), "nothing else was checked: put the kept file in place first"));
    }
    if let Some(n) = super::signals::pending(&stop) {
        return Err(Failure::Signal(n));
    }
    let target = format!("{} ({}, {chosen_by})", preset.name, preset.id);
    let Some(grant) = outcome.grant.clone() else {
        checks.extend(outcome.verdicts);
        return finish(&args, &target, Report { checks, preview: None, ..Default::default() });
    };
    let version = match versions {
        Ok(served) => newest_known(&served),
        // The login host did not list them: ask the instance (one more round trip, only then).
        Err(_) => api_versions(client.http(), &grant.instance_url, &notice)
            .await
            .ok()
            .and_then(|served| newest_known(&served)),
    };
    tracing::info!(api_version = version.as_deref(), "refresh done; reading the org");
    let rotation_on = outcome.rotated.is_some();
    let current = outcome.rotated.clone().unwrap_or_else(|| settings.refresh_token.clone());
    let rest = RestClient::new(client.http().clone(), &grant.instance_url, grant.access_token.clone())
        .map_err(|_| {
            Failure::failed(
                format!("the refresh answer names an instance outside Salesforce's domains ({})", grant.instance_url),
                "check the file's login_url; the token was not sent there",
            )
        })?
        .with_retry_notice(notice);
    // An expired access token is renewed once during the reads; not with rotation on, where a renewal
    // would retire the token just saved, and a signal could end the reads before the next one is saved.
    let rest = if rotation_on { rest } else { rest.with_renewal(client.clone(), app.clone(), current.clone()) };
    let rest = match version {
        Some(v) => rest.with_api_version(v),
        None => rest,
    };
    let ctx = CheckContext {
        id_url: grant.id_url.clone(),
        granted_scopes: grant.scopes.clone(),
        login_kind: host.kind(),
        preset,
        // --app-name wins, then the name the settings file records (the wizard writes it).
        app_name: args.app_name.clone().or_else(|| settings.app_name.clone()),
        // --app-kind wins, then the kind the settings file records (the wizard writes it).
        app_kind: args.app_kind.map(Into::into).or(settings.app_kind),
        device_flow_used: false,
        refreshed: true,
    };
    let on_verdict = |verdict: crate::checks::Verdict| tracing::debug!(id = verdict.id.as_str(), "check done");
    // Round two: every read together, and the refresh without the secret (with rotation on it spends no
    // real token, see `probe_secret`). The file is complete from here on: a signal ends them at once.
    let round_two = futures_util::future::join(
        probe_secret(&client, &app, &current, rotation_on, &mut save),
        run_checks(&rest, ctx, on_verdict),
    );
    let (probe, mut report) = super::signals::or_stop(&mut stop, round_two).await.map_err(Failure::Signal)?;
    outcome.merge(probe);
    if let Some(problem) = saved.borrow().iter().flatten().next() {
        return Err(Failure::failed(problem.clone(), "put the kept file in place before the connector runs"));
    }
    checks.extend(outcome.verdicts);
    if outcome.rotated.is_some()
        && let Some(refresh) = checks.iter_mut().find(|c| c.id == CheckId::Refresh)
    {
        refresh.detail.push_str("; the new token was saved to the file");
    }
    checks.append(&mut report.checks);
    checks.sort_by_key(|v| v.id);
    report.checks = checks;
    finish(&args, &target, report)
}

/// The file behind `path` (through a symbolic link, as it was read), proven writable now: a rotated
/// refresh token must be written back to it, so this is known before the first refresh. The link
/// itself is left in place; its target is replaced atomically.
fn writable_settings_file(path: &Path) -> Result<PathBuf, Failure> {
    let real = std::fs::canonicalize(path).map_err(|e| {
        Failure::failed(format!("settings file {}: {e}", path.display()), "give the path of the settings file")
    })?;
    crate::settings::preflight(&real, Overwrite::Replace).map_err(|e| {
        Failure::failed(
            format!(
                "settings file {}: cannot be written back ({e}); with refresh token rotation on, a refresh would leave it holding a dead token, so nothing was sent",
                real.display()
            ),
            format!(
                "make {} and its folder writable (or copy the file to a folder you can write) and run check on that",
                real.display()
            ),
        )
    })?;
    Ok(real)
}

/// Where the preset came from, for the report's first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChosenBy {
    Argument,
    SettingsFile,
    Default,
}

impl std::fmt::Display for ChosenBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ChosenBy::Argument => "from --preset",
            ChosenBy::SettingsFile => "recorded in the settings file",
            ChosenBy::Default => "the default: the settings file names no target",
        })
    }
}

/// The preset to check against: `--preset` wins, then the one the settings file records, then `generic`. An
/// id in the file that names no preset here (a typo, or a preset of your own from another machine) is an
/// error that says which field, and how to fix it; the caller has already refused an unknown `--preset`.
fn choose_preset(
    presets: &[Preset],
    argument: Option<&str>,
    recorded: Option<&str>,
    path: &Path,
) -> Result<(Preset, ChosenBy), Failure> {
    let (id, chosen_by) = match (argument, recorded) {
        (Some(id), _) => (id, ChosenBy::Argument),
        (None, Some(id)) => (id, ChosenBy::SettingsFile),
        (None, None) => ("generic", ChosenBy::Default),
    };
    match find(presets, id) {
        Some(preset) => Ok((preset.clone(), chosen_by)),
        None if chosen_by == ChosenBy::SettingsFile => Err(Failure::failed(
            format!(
                "settings file {}: `preset` is `{id}`, which is not a known preset (known: {})",
                path.display(),
                crate::presets::ids(presets)
            ),
            format!(
                "set `preset` in the file to one of those, add a preset with the id `{id}` to {}, or pass --preset ID",
                user_preset_dir().map_or_else(|| "your presets folder".to_string(), |d| d.display().to_string())
            ),
        )),
        None => Err(Failure::failed(format!("the preset `{id}` could not be loaded"), "reinstall sfconnect")),
    }
}

fn exposure_check(exposure: &crate::settings::FileExposure, path: &std::path::Path) -> Verdict {
    let problems = exposure.warnings(path);
    let finding = if problems.is_empty() {
        Finding::Ok("only you can read it".into())
    } else {
        Finding::problem(
            problems.join("; "),
            "chmod 600 the file and keep it in a folder only you can write (chmod 700)",
        )
    };
    Verdict::new(CheckId::FileExposure, Level::Info, finding)
}

fn finish(args: &CheckArgs, target: &str, report: Report) -> CmdResult {
    let count = |status: Status| report.checks.iter().filter(|c| c.status == status).count();
    tracing::info!(
        checks = report.checks.len(),
        failed = count(Status::Fail),
        warned = count(Status::Warn),
        unreachable = report.unreachable(),
        "check done"
    );
    let failure = if report.unreachable() {
        Some((
            "Salesforce could not be reached, so nothing was checked",
            Some("check the network, any proxy (HTTPS_PROXY) and the file's login_url, then run check again"),
        ))
    } else if report.has_failure() {
        Some(("a required check failed", None))
    } else {
        None
    };
    if args.json {
        let mut json = serde_json::to_value(&report)
            .map_err(|e| Failure::failed(format!("could not format the report: {e}"), ""))?;
        if let serde_json::Value::Object(fields) = &mut json {
            match failure {
                Some((headline, fix)) => fields.extend(super::json_outcome::failure_fields(headline, fix)),
                None => {
                    fields.insert("ok".into(), true.into());
                }
            }
        }
        let text = serde_json::to_string_pretty(&json)
            .map_err(|e| Failure::failed(format!("could not format the report: {e}"), ""))?;
        outln!("{text}");
    } else {
        let width = terminal_width();
        print_wrapped("Target: ", target, width);
        outln!();
        print_table(&report, width);
    }
    match failure {
        None => Ok(()),
        Some((headline, fix)) => {
            let headline = format!("{headline} (see {})", if args.json { "the report" } else { "above" });
            let fix = fix.map(str::to_string);
            // The JSON report already says `"ok": false`: no second object after it.
            Err(if args.json { Failure::InResult { headline, fix } } else { Failure::Failed { headline, fix } })
        }
    }
}

/// The terminal's width when standard output is one: details and fixes then wrap under their column;
/// into a pipe each stays on one line, for grep.
fn terminal_width() -> Option<usize> {
    std::io::IsTerminal::is_terminal(&std::io::stdout())
        .then(|| crossterm::terminal::size().ok())
        .flatten()
        .map(|(cols, _)| usize::from(cols))
}

fn print_table(report: &Report, width: Option<usize>) {
    if let (Some(user), Some(org)) = (&report.user, &report.org) {
        print_wrapped("", &format!("Connected as {} to {} ({})", user.username, org.name, org.edition), width);
        outln!();
    }
    for c in &report.checks {
        let mark = match c.status {
            Status::Pass => "ok  ",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
            Status::Skip => "skip",
        };
        let lead = format!("{mark}  {:<30} ", c.title);
        print_wrapped(&lead, &c.detail, width);
        if let Some(fix) = &c.fix {
            print_wrapped(&format!("      {:<30} ", ""), &format!("fix: {fix}"), width);
        }
    }
    if let Some(preview) = &report.preview {
        outln!("\nWhat the connector will see:");
        for line in preview.lines(DOMAINS_SHOWN) {
            print_wrapped("  ", &line, width);
        }
    }
}

/// Prints `lead` then `text`, wrapped to `width` with its following lines under the text's start (or
/// under a shorter indent when the lead leaves too little room); one line when `width` is None.
fn print_wrapped(lead: &str, text: &str, width: Option<usize>) {
    let Some(width) = width else {
        outln!("{lead}{text}");
        return;
    };
    let indent = if width.saturating_sub(lead.chars().count()) >= 30 { lead.chars().count() } else { 6 };
    let pad = " ".repeat(indent);
    let options = textwrap::Options::new(width.max(indent + 20))
        .initial_indent(lead)
        .subsequent_indent(&pad)
        .break_words(true)
        // Dates and ids have hyphens: break only at spaces.
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    for line in textwrap::wrap(text, options) {
        outln!("{line}");
    }
}
