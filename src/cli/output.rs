//! Turning a token grant into connector settings and handing them over: to a file (0600, atomic, never
//! replaced without --force), to standard output when asked with `--output -`, and otherwise to a new file
//! in the data folder, so a consumed authorization code never leaves the user empty-handed.
//!
//! The order is the promise: the place is proven (name taken, space reserved, permission to replace
//! checked) before the code is spent; the token reaches disk before anything optional (the identity
//! read); and settings that cannot be written where asked are kept in a private file, never dropped.

use super::args::SettingsOutArgs;
use super::signals::{self, StopSignals};
use super::{CmdResult, Failure};
use crate::salesforce::rest::{Identity, RestClient};
use crate::salesforce::{Client, ClientSecret, LoginHost, TokenGrant};
use crate::settings::{ConnectorSettings, Format, GrantRefused, Overwrite, Reservation, default_output_path};

/// Where the settings will go, proven able to take them.
#[derive(Debug)]
pub enum Place {
    Stdout,
    /// A file; `chosen` when sfconnect picked the name (no --output).
    File {
        reservation: Reservation,
        chosen: bool,
    },
}

impl SettingsOutArgs {
    /// Proves the place before a token exists (see [`crate::settings::reserve`]); `-` always passes.
    pub fn reserve(&self) -> Result<Place, Failure> {
        match &self.output {
            Some(path) if path.as_os_str() == "-" => Ok(Place::Stdout),
            Some(path) => {
                let overwrite = if self.force { Overwrite::Replace } else { Overwrite::Never };
                let reservation = crate::settings::reserve(path, overwrite)?;
                Ok(Place::File { reservation, chosen: false })
            }
            None => Ok(Place::File { reservation: fresh_default_place(self.format)?, chosen: true }),
        }
    }
}

/// Settings from a grant through the one function that makes them (with the instance rule), plus the
/// target's company names and preset.
pub fn settings_from_grant(
    client_id: &str,
    client_secret: Option<ClientSecret>,
    grant: &TokenGrant,
    login_url: &str,
    company_names: Vec<String>,
    preset: Option<String>,
) -> Result<ConnectorSettings, Failure> {
    let mut settings = ConnectorSettings::from_grant(client_id, client_secret, grant, login_url).map_err(refused)?;
    settings.company_names = company_names;
    settings.preset = preset;
    Ok(settings)
}

fn refused(e: GrantRefused) -> Failure {
    Failure::failed(e.to_string(), e.fix())
}

/// Checks, before a code is spent, that `format` can carry the values already known (the client id and
/// secret), with the same validation the wizard applies before it saves.
pub fn prevalidate(client_id: &str, secret: Option<&ClientSecret>, login: &LoginHost, format: Format) -> CmdResult {
    let mut probe = ConnectorSettings::new(client_id, crate::salesforce::RefreshToken::new("5Aep861x"), login.origin());
    probe.client_secret = secret.cloned();
    probe.instance_url = Some(login.origin().to_string());
    probe.validate_for(format).map_err(|e| {
        Failure::failed(
            format!("the settings could not be written as {}: {e}", format.name()),
            "choose another --format (json carries any value); nothing was sent to Salesforce",
        )
    })
}

/// Hands the settings over as `place` says: a file gets the token first, then the user name from the
/// identity URL (best effort, after the token is safe); standard output gets both at once. Then prints
/// a summary with secrets masked. `signals`, when taken, stop the optional part at once.
pub async fn deliver(
    client: &Client,
    grant: &TokenGrant,
    mut settings: ConnectorSettings,
    place: Place,
    out: &SettingsOutArgs,
    signals: &mut Option<StopSignals>,
) -> CmdResult {
    let format = out.format;
    let (reservation, chosen) = match place {
        Place::Stdout => {
            // A signal during the (optional, retried) identity read still gets the settings printed,
            // without the user name: the token is never dropped.
            let stopped = match signals::or_stop(signals, read_identity(client, grant)).await {
                Ok(identity) => {
                    settings.username = identity.map(|i| i.username);
                    None
                }
                Err(n) => Some(n),
            };
            // Asked for in full: the settings as they are (their values were checked when made).
            let text = settings.validate_for(format).and_then(|()| settings.render(format)).map_err(|e| {
                Failure::failed(
                    format!("the settings could not be written as {}: {e}", format.name()),
                    "run again with another --format (json carries any value) and a new code",
                )
            })?;
            use std::io::Write as _;
            let mut stdout = std::io::stdout();
            if let Err(e) = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
                super::output_failed(e);
            }
            return stopped.map_or(Ok(()), |n| Err(Failure::Signal(n)));
        }
        Place::File { reservation, chosen } => (reservation, chosen),
    };
    let path = reservation.path().to_path_buf();
    write_or_keep(reservation, &settings, format)?;
    if let Some(n) = signals::pending(signals) {
        errln!("Settings written to {} (mode 0600).", path.display());
        return Err(Failure::Signal(n));
    }
    // The token is on disk: what follows is optional, and a signal may end it at once.
    match signals::or_stop(signals, read_identity(client, grant)).await {
        Ok(Some(identity)) => {
            settings.username = Some(identity.username);
            let written = settings
                .render(format)
                .and_then(|text| crate::settings::write_settings(&path, &text, Overwrite::Replace));
            if let Err(e) = written {
                errln!("note: the user name could not be added to the settings ({e}); they are complete without it");
            }
        }
        Ok(None) => {}
        Err(n) => {
            errln!("Settings written to {} (mode 0600), without the user name.", path.display());
            return Err(Failure::Signal(n));
        }
    }
    print_summary(&settings);
    if chosen {
        outln!(
            "\nSettings written to {} ({}, mode 0600). Use --output FILE to choose the place, or --output - to print them in full.",
            path.display(),
            format.name()
        );
    } else {
        outln!("\nSettings written to {} ({}, mode 0600).", path.display(), format.name());
    }
    Ok(())
}

/// Writes the settings into the reserved place; if that fails (or the format cannot carry them), keeps
/// them in a private file in the state folder and says where. The token is never dropped.
fn write_or_keep(reservation: Reservation, settings: &ConnectorSettings, format: Format) -> CmdResult {
    let path = reservation.path().to_path_buf();
    let problem = match settings.validate_for(format) {
        Ok(()) => match settings.render(format).and_then(|text| reservation.commit(&text)) {
            Ok(()) => return Ok(()),
            Err(e) => e.to_string(),
        },
        Err(e) => format!("the settings cannot be written as {}: {e}", format.name()),
    };
    // JSON carries any value exactly; the file keeps the format asked for when it can.
    let kept_format = if settings.validate_for(format).is_ok() { format } else { Format::Json };
    match settings.render(kept_format).and_then(|text| crate::settings::keep_safe(&text, kept_format)) {
        Ok(kept) => Err(Failure::failed(
            format!("could not write {}: {problem}", path.display()),
            format!(
                "the settings (with the new refresh token) were kept in {} (mode 0600): move them where they belong",
                kept.display()
            ),
        )),
        Err(e) => Err(Failure::failed(
            format!("could not write {}: {problem}; keeping them in the state folder failed too: {e}", path.display()),
            "free some space, then authorize again: the token could not be written anywhere",
        )),
    }
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

/// The default path in the data folder, or a timestamped sibling when that name is taken; the name is
/// taken atomically, so two runs at once get two files.
fn fresh_default_place(format: Format) -> Result<Reservation, Failure> {
    let Some(path) = default_output_path(format) else {
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
    let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string().replace(':', "");
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("sfconnect-settings").to_string();
    let ext = path.extension().and_then(|s| s.to_str()).map(|e| format!(".{e}")).unwrap_or_default();
    // Runs in the same second get -2, -3…: the token must never be lost to a name clash.
    let named = |n: u32| match n {
        0 => path.clone(),
        1 => path.with_file_name(format!("{stem}-{stamp}{ext}")),
        n => path.with_file_name(format!("{stem}-{stamp}-{n}{ext}")),
    };
    for n in 0..1000 {
        match crate::settings::reserve(&named(n), Overwrite::Never) {
            Ok(reservation) => return Ok(reservation),
            Err(crate::settings::Error::AlreadyExists { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(Failure::failed("no free name for the settings file in the data folder", "pass --output FILE"))
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
