//! `sfconnect app create` and `sfconnect app emit` (issue 13, a contract: keep it stable).
//!
//! `app create` builds the External Client App's package, checks what would stop it, dry-runs it
//! (`checkOnly`), deploys it, reads the credentials back when the org allows it, and writes the new app's
//! `client_id`, `client_secret`, `login_url`, `app_name` and `app_kind` to `--output` (JSON, or env, TOML or
//! shell as its extension says; 0600, never over an existing file without `--force`). `app emit` writes the same package, from the same builder, as a
//! folder in Metadata API layout, for an admin who deploys with their own tools.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, Subcommand};

use super::{CmdResult, Failure};
use crate::presets::Preset;
use crate::runtime::session::{ACCESS_TOKEN_ENV, SessionSource, open};
use crate::salesforce::AppKind;
use crate::salesforce::LoginHost;
use crate::salesforce::clock::TokioClock;
use crate::salesforce::eca::create::{CreateEvent, SecretSource, create_app, where_to_copy_the_secret};
use crate::salesforce::eca::{ApiName, EcaSpec};
use crate::settings::{AppSettings, Format, Overwrite};

/// The loopback callback the wizard's local-browser method listens on: its port is the one the wizard keeps
/// in the state folder (chosen now if there is none yet), so an app made here works with that method as is.
pub fn loopback_callback() -> String {
    format!("http://localhost:{}/OauthRedirect", crate::runtime::listen_port(None))
}

#[derive(Debug, Args)]
pub struct AppArgs {
    #[command(subcommand)]
    pub command: AppCommand,
}

#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Create the External Client App in the org with a Salesforce session you bring once.
    Create(CreateArgs),
    /// Write the app's package as a folder to deploy with your own tools (sf project deploy start).
    Emit(super::app_emit::EmitArgs),
}

/// What the app is: shared by create and emit, so both build the same package.
#[derive(Debug, Clone, Args)]
pub struct AppShape {
    /// The app's API name [default: Sfconnect_ and the org's name; Sfconnect for emit].
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The target whose scopes and flows the app gets: generic (default), snow-atlas, avepoint, nintex,
    /// ampersand, or a preset of your own.
    #[arg(long, value_name = "ID", default_value = "generic")]
    pub preset: String,
    /// A callback URL to register (repeat for more) [default: the login host's success page, for
    /// paste-back, and http://localhost:PORT/OauthRedirect for the wizard's local browser, PORT being the one
    /// it keeps in the state folder].
    #[arg(long = "callback", value_name = "URI")]
    pub callbacks: Vec<String>,
    /// The app's contact email [app create: your user's email, from the session; app emit has no session and
    /// needs it].
    #[arg(long, value_name = "E")]
    pub contact_email: Option<String>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("session").args(["access_token", "sf_org", "from_settings"])))]
pub struct CreateArgs {
    /// The org's login URL: your My Domain (https://yourdomain.my.salesforce.com), or login/test.salesforce.com
    /// with --sf-org or --from-settings.
    #[arg(long, value_name = "URL", env = "SFCONNECT_LOGIN_URL")]
    pub login_url: String,
    #[command(flatten)]
    pub shape: AppShape,
    /// `-`: read an access token or session id from standard input (never from the command line). Without
    /// any session option, SFCONNECT_ACCESS_TOKEN is used.
    #[arg(long, value_name = "-", allow_hyphen_values = true)]
    pub access_token: Option<String>,
    /// Use the Salesforce CLI's login for this alias or username (`sf org auth show-access-token`).
    #[arg(long, value_name = "ALIAS")]
    pub sf_org: Option<String>,
    /// Use an earlier sfconnect settings file for the same org whose app has the api scope (refreshed once;
    /// nothing is kept).
    #[arg(long, value_name = "FILE")]
    pub from_settings: Option<PathBuf>,
    /// Validate the package in the org (a checkOnly deploy) and create nothing.
    #[arg(long)]
    pub check_only: bool,
    /// Write the new app's client_id, client_secret, login_url, app_name and app_kind to FILE (mode 0600), in
    /// the format its extension says (.env, .toml, .sh; JSON otherwise) [default: sfconnect-app-NAME.json in
    /// the data folder].
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
    /// Print the result as one JSON line, without the secret: {"ok": true, "client_id", ...}, or {"ok":
    /// false, "error", "fix"} when it fails (both when the app was created but its secret is not readable).
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: AppArgs) -> CmdResult {
    match args.command {
        AppCommand::Create(a) => create(a).await,
        AppCommand::Emit(a) => super::app_emit::run(a),
    }
}

fn preset(id: &str) -> Result<Preset, Failure> {
    let (presets, _) = crate::presets::load_all(crate::presets::user_preset_dir().as_deref());
    crate::presets::named(&presets, id).cloned().map_err(|e| Failure::Usage(e.to_string()))
}

/// The app's shape as a spec, for create and emit alike (through the one builder the wizard uses too).
pub fn build_spec(shape: &AppShape, host: &LoginHost, default_name: &str, email: &str) -> Result<EcaSpec, Failure> {
    let preset = preset(&shape.preset)?;
    let callbacks = if shape.callbacks.is_empty() {
        vec![host.default_redirect_uri(), loopback_callback()]
    } else {
        shape.callbacks.clone()
    };
    let name = shape.name.clone().unwrap_or_else(|| default_name.to_string());
    crate::runtime::create_app::app_spec(&preset, &preset.scopes, &name, email, &callbacks, preset.device_flow)
        .map_err(|e| Failure::Usage(e.to_string()))
}

fn session_source(args: &CreateArgs) -> Result<SessionSource, Failure> {
    if let Some(value) = &args.access_token {
        if value != "-" {
            return Err(Failure::Usage(
                "--access-token takes only `-` (the token on standard input): a token on the command line can be read by every user of the machine; or set SFCONNECT_ACCESS_TOKEN".into(),
            ));
        }
        let text = zeroize::Zeroizing::new(super::secret_input::value_or_stdin("-", "access token or session id")?);
        let token = crate::runtime::session::token_from_text(&text)?;
        return Ok(SessionSource::Token { token, described: "standard input".into() });
    }
    if let Some(alias) = &args.sf_org {
        return Ok(SessionSource::SfOrg(alias.clone()));
    }
    if let Some(path) = &args.from_settings {
        return Ok(SessionSource::FromSettings(path.clone()));
    }
    if let Ok(text) = std::env::var(ACCESS_TOKEN_ENV) {
        let text = zeroize::Zeroizing::new(text);
        let token = crate::runtime::session::token_from_text(&text)?;
        return Ok(SessionSource::Token { token, described: ACCESS_TOKEN_ENV.into() });
    }
    Err(Failure::Usage(format!(
        "app create needs a Salesforce session: --access-token - (token on standard input), --sf-org ALIAS, --from-settings FILE, or {ACCESS_TOKEN_ENV}"
    )))
}

/// The app file's format: the one `--output`'s name suggests (`app.env` holds env lines, which `--settings`
/// reads back), JSON otherwise. sfdx-url is not one: it needs a refresh token.
fn app_file_format(path: &Path) -> Format {
    Format::from_path(path).filter(|f| *f != Format::SfdxUrl).unwrap_or_default()
}

fn output_path(args: &CreateArgs, name: &str) -> Result<PathBuf, Failure> {
    if let Some(path) = &args.output {
        return Ok(path.clone());
    }
    let folder = crate::settings::default_output_path(crate::settings::Format::Json)
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .ok_or_else(|| Failure::failed("no data folder to write the app file to", "pass --output FILE"))?;
    crate::settings::create_private_dir(&folder)
        .map_err(|e| Failure::failed(format!("{}: {e}", folder.display()), "pass --output FILE"))?;
    let mut path = folder.join(format!("sfconnect-app-{name}.json"));
    let mut n = 2;
    while path.exists() {
        path = folder.join(format!("sfconnect-app-{name}-{n}.json"));
        n += 1;
    }
    Ok(path)
}

async fn create(args: CreateArgs) -> CmdResult {
    let host = LoginHost::parse(&args.login_url).map_err(|e| Failure::Usage(e.to_string()))?;
    preset(&args.shape.preset)?;
    if let Some(name) = &args.shape.name {
        ApiName::parse(name).map_err(|e| Failure::Usage(e.to_string()))?;
    }
    // Where the app file goes is checked before anything is created.
    let overwrite = if args.force { Overwrite::Replace } else { Overwrite::Never };
    if let Some(path) = &args.output {
        crate::settings::preflight(path, overwrite)?;
    }
    let source = session_source(&args)?;
    let http = crate::salesforce::http::build_http_client()?;
    let opened = open(source, &host, &http).await?;
    errln!("Using the session from {} on {}", opened.described, opened.instance_url);
    let (rest, user, org) = (opened.rest, opened.user, opened.organization);
    let email = args.shape.contact_email.clone().unwrap_or_else(|| user.email.clone());
    let spec = build_spec(&args.shape, &host, ApiName::default_for(&org.name).as_str(), &email)?;
    let name = spec.name.to_string();
    let started = Instant::now();
    let mut last_progress = None;
    errln!("Creating the External Client App {name} in {} ({})", org.name, org.edition);
    let created = create_app(&rest, spec, args.check_only, &TokioClock, |event| match event {
        CreateEvent::Preflight => errln!("  checking your permissions, the edition and the name"),
        CreateEvent::Validating => errln!("  dry run (checkOnly deploy)"),
        CreateEvent::SecretRefusedRetryingWithout => {
            errln!("  the org refuses a supplied consumer secret: going on without it, the org will generate one")
        }
        CreateEvent::Deploying => {
            last_progress = None;
            errln!("  deploying")
        }
        CreateEvent::Progress { deployed, total } if total > 0 && last_progress != Some((deployed, total)) => {
            last_progress = Some((deployed, total));
            errln!("    {deployed}/{total} components");
        }
        CreateEvent::ReadingCredentials => errln!("  reading the consumer key and secret back"),
        CreateEvent::Progress { .. } => {}
    })
    .await
    .map_err(|e| {
        let (headline, fix) = e.explain();
        Failure::failed(headline, fix)
    })?;
    if created.check_only {
        if args.json {
            outln!(
                "{}",
                serde_json::json!({"ok": true, "check_only": true, "app_name": name, "deploy_id": created.deploy_id})
            );
        } else {
            outln!("The dry run passed: {name} can be created in {} (nothing was created).", org.name);
        }
        return Ok(());
    }
    let app = AppSettings {
        client_id: created.client_id.clone(),
        client_secret: created.secret.clone(),
        login_url: Some(host.origin().to_string()),
        app_name: Some(name.clone()),
        app_kind: Some(AppKind::ExternalClientApp),
    };
    let path = output_path(&args, &name)?;
    let format = app_file_format(&path);
    // `app_file_format` never gives sfdx-url; JSON carries the fields whatever happens.
    let text = app.render(format).unwrap_or_else(|| app.render_json());
    crate::settings::write_settings(&path, &text, overwrite)?;
    let took = started.elapsed().as_secs_f32();
    tracing::info!(secret_source = ?created.secret_source, took, "app created");
    // Created, but the secret must come from Setup: the app exists, and the way on is a copy by hand.
    let secret_missing = created.secret.is_none().then(|| {
        (
            format!(
                "{name} was created, but the org keeps its consumer secret from the API (\"Allow access to External Client App consumer secrets via REST API\" is off)"
            ),
            format!(
                "copy the secret from {}, then pass it as SFCONNECT_CLIENT_SECRET (or --client-secret-file) to `sfconnect wait --settings {}` and `exchange --settings`",
                where_to_copy_the_secret(&name),
                path.display()
            ),
        )
    });
    if args.json {
        let mut json = serde_json::json!({
            "ok": true,
            "client_id": app.client_id,
            "login_url": app.login_url,
            "app_name": name,
            "app_kind": AppKind::ExternalClientApp,
            "output": path.display().to_string(),
            "format": format.name(),
            "secret": secret_source_name(created.secret_source),
            "deploy_id": created.deploy_id,
        });
        if let (Some((headline, fix)), serde_json::Value::Object(fields)) = (&secret_missing, &mut json) {
            fields.extend(super::json_outcome::failure_fields(headline, Some(fix)));
        }
        outln!("{json}");
    } else {
        outln!("Created the External Client App {name} in {} ({took:.1}s).", org.name);
        outln!("  Client ID:     {}", app.client_id);
        match &created.secret {
            Some(secret) => {
                outln!("  Client secret: {} ({})", secret.masked(), secret_source_text(created.secret_source))
            }
            None => outln!("  Client secret: not readable through the API"),
        }
        outln!("  Written to:    {} ({}, mode 0600)", path.display(), format.name());
        outln!("Next: sfconnect wait --settings {} (a new app takes up to 15 minutes to go live)", path.display());
    }
    match secret_missing {
        None => Ok(()),
        Some((headline, fix)) if args.json => Err(Failure::InResult { headline, fix: Some(fix) }),
        Some((headline, fix)) => Err(Failure::failed(headline, fix)),
    }
}

fn secret_source_name(source: SecretSource) -> &'static str {
    match source {
        SecretSource::WrittenAndConfirmed => "written_and_read_back",
        SecretSource::WrittenNotReadBack => "written_not_read_back",
        SecretSource::ReadBack => "generated_by_org",
        SecretSource::ReplacedByOrg => "replaced_by_org",
        SecretSource::NotAvailable => "not_available",
    }
}

fn secret_source_text(source: SecretSource) -> &'static str {
    match source {
        SecretSource::WrittenAndConfirmed => "written by sfconnect, read back from the org",
        SecretSource::WrittenNotReadBack => "written by sfconnect; `wait` proves it",
        SecretSource::ReadBack => "generated by the org, read back",
        SecretSource::ReplacedByOrg => "the org replaced the one sfconnect wrote; this is the org's",
        SecretSource::NotAvailable => "not available",
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::salesforce::eca::IpRelaxation;

    pub(crate) fn shape() -> AppShape {
        AppShape { name: Some("Sfc_Test".into()), preset: "generic".into(), callbacks: vec![], contact_email: None }
    }

    #[test]
    fn the_preset_decides_scopes_flows_and_ip_relaxation() {
        let host = LoginHost::parse("https://acme.my.salesforce.com").unwrap();
        let spec = build_spec(&shape(), &host, "X", "a@b.example").unwrap();
        assert_eq!(spec.scopes, vec!["Api", "RefreshToken"]);
        assert!(!spec.device_flow);
        assert_eq!(spec.ip_relaxation, IpRelaxation::EnforceRelaxRefresh);
        assert_eq!(spec.callbacks, vec![host.default_redirect_uri(), loopback_callback()]);
        let snow = build_spec(&AppShape { preset: "snow-atlas".into(), ..shape() }, &host, "X", "a@b.example").unwrap();
        assert!(snow.device_flow);
        assert_eq!(snow.scopes, vec!["RefreshToken", "Full"]);
        let amp = build_spec(&AppShape { preset: "ampersand".into(), ..shape() }, &host, "X", "a@b.example").unwrap();
        assert_eq!(amp.ip_relaxation, IpRelaxation::Bypass);
    }
}
