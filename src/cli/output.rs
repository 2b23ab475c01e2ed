//! Turning a token grant into connector settings and handing them over: to a file (0600, atomic, never
//! replaced without --force), to standard output when asked with `--output -`, and otherwise to a new file
//! in the data folder, so a consumed authorization code never leaves the user empty-handed.

use std::path::PathBuf;

use super::args::SettingsOutArgs;
use super::{CmdResult, Failure};
use crate::salesforce::rest::{Identity, RestClient};
use crate::salesforce::{Client, ClientSecret, LoginHost, TokenGrant};
use crate::settings::{ConnectorSettings, Overwrite, default_output_path, write_settings};

/// Builds the settings from a fresh grant, reading the identity URL for the user name (best effort), and
/// records the target preset they are for, if one was named.
pub async fn settings_from_grant(
    client: &Client,
    client_id: &str,
    client_secret: Option<ClientSecret>,
    grant: TokenGrant,
    company_names: Vec<String>,
    preset: Option<String>,
) -> Result<ConnectorSettings, Failure> {
    // The instance is where the connector will send the token: it must be a Salesforce host.
    if !grant.instance_url.is_empty() && LoginHost::parse(&grant.instance_url).is_err() {
        return Err(Failure::failed(
            format!(
                "Salesforce's answer names an instance outside Salesforce's domains ({}): the settings were not written",
                grant.instance_url
            ),
            "check the login URL; if it is right, report this answer to your Salesforce admin",
        ));
    }
    let Some(mut settings) = ConnectorSettings::from_grant(client_id, client_secret, &grant, client.host().origin())
    else {
        return Err(crate::salesforce::Error::MissingRefreshToken { granted: grant.scopes.to_param() }.into());
    };
    settings.company_names = company_names;
    settings.preset = preset;
    settings.username = read_identity(client, &grant).await.map(|i| i.username);
    Ok(settings)
}

async fn read_identity(client: &Client, grant: &TokenGrant) -> Option<Identity> {
    let rest = RestClient::new(client.http().clone(), &grant.instance_url, grant.access_token.clone()).ok()?;
    match rest.identity(&grant.id_url).await {
        Ok(identity) => Some(identity),
        Err(e) => {
            errln!(
                "note: could not read the identity URL ({}); the settings are complete without it",
                e.explain().headline
            );
            None
        }
    }
}

/// Hands the settings over as `out` says, then prints a summary with secrets masked.
pub fn deliver(settings: &ConnectorSettings, out: &SettingsOutArgs) -> CmdResult {
    let text = settings.render(out.format);
    match &out.output {
        Some(path) if path.as_os_str() == "-" => {
            // Asked for in full: the settings as they are (their values were checked when read or made).
            use std::io::Write as _;
            let mut stdout = std::io::stdout();
            if let Err(e) = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
                super::output_failed(e);
            }
            return Ok(());
        }
        Some(path) => {
            let overwrite = if out.force { Overwrite::Replace } else { Overwrite::Never };
            write_settings(path, &text, overwrite)?;
            print_summary(settings);
            outln!("\nSettings written to {} ({}, mode 0600).", path.display(), out.format.name());
        }
        None => {
            let path = fresh_default_path(out)?;
            write_settings(&path, &text, Overwrite::Never)?;
            print_summary(settings);
            outln!(
                "\nSettings written to {} ({}, mode 0600). Use --output FILE to choose the place, or --output - to print them in full.",
                path.display(),
                out.format.name()
            );
        }
    }
    Ok(())
}

/// The default path in the data folder, or a timestamped sibling when that file already exists.
fn fresh_default_path(out: &SettingsOutArgs) -> Result<PathBuf, Failure> {
    let Some(path) = default_output_path(out.format) else {
        return Err(Failure::failed(
            "no data folder could be found for the settings file (HOME is not set?)",
            "pass --output FILE",
        ));
    };
    if let Some(dir) = path.parent() {
        crate::settings::create_private_dir(dir).map_err(|e| {
            Failure::failed(
                format!("could not create {}: {e}", dir.display()),
                "pass --output FILE in a folder you can write",
            )
        })?;
    }
    if !path.exists() {
        return Ok(path);
    }
    let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string().replace(':', "");
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("sfconnect-settings");
    let ext = path.extension().and_then(|s| s.to_str()).map(|e| format!(".{e}")).unwrap_or_default();
    // Two runs in the same second get -2, -3…: the token must never be lost to a name clash.
    let named = |n: u32| match n {
        1 => path.with_file_name(format!("{stem}-{stamp}{ext}")),
        n => path.with_file_name(format!("{stem}-{stamp}-{n}{ext}")),
    };
    Ok((1..1000).map(named).find(|p| !p.exists()).unwrap_or_else(|| named(1000)))
}

/// The settings as a table, secrets masked.
pub fn print_summary(s: &ConnectorSettings) {
    let secret_line = match &s.client_secret {
        Some(c) => format!("{} ({} characters)", c.masked(), c.char_len()),
        None => "(none: the app does not require one)".to_string(),
    };
    outln!("Client ID      {}", s.client_id);
    outln!("Client secret  {secret_line}");
    outln!("Refresh token  {} ({} characters)", s.refresh_token.masked(), s.refresh_token.char_len());
    outln!("Login URL      {}", s.login_url);
    outln!("Company names  {}", s.company_names.join(", "));
    if let Some(user) = &s.username {
        outln!("Connected as   {user}{}", s.org_id.as_deref().map(|o| format!(" (org {o})")).unwrap_or_default());
    }
    if !s.scopes.is_empty() {
        outln!("Scopes         {}", s.scopes.join(" "));
    }
    if let Some(preset) = &s.preset {
        outln!("Target         {preset} (`sfconnect check` checks its prerequisites)");
    }
}

/// The login host recorded in a settings file.
pub fn host_of(settings: &ConnectorSettings) -> Result<LoginHost, Failure> {
    LoginHost::parse(&settings.login_url)
        .map_err(|e| Failure::failed(format!("settings: login_url: {e}"), "fix login_url in the file"))
}
