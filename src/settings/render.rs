//! Rendering [`ConnectorSettings`] in each [`Format`]. Owns quoting and escaping; the only place secrets are
//! exposed on purpose. Must not do I/O: the caller decides where the text goes.

use serde::Serialize;
use zeroize::Zeroizing;

use super::error::Origin;
use super::{ConnectorSettings, Error, Format};
use crate::salesforce::AppKind;

/// The keys every format uses, in file order. Env and shell put `SALESFORCE_` before the upper-cased key, as
/// for every other key (`SALESFORCE_PRESET`), so one prefix still marks all of ours in a shared `.env`. The
/// sfdx-url format carries only the credentials and the host.
pub(crate) const KEYS: [&str; 14] = [
    "client_id",
    "client_secret",
    "refresh_token",
    "login_url",
    "company_names",
    "instance_url",
    "username",
    "org_id",
    "user_id",
    "scopes",
    "issued_at",
    "preset",
    "app_kind",
    "app_name",
];

pub(crate) const ENV_PREFIX: &str = "SALESFORCE_";

/// Separators for list values on one line. A company name can't contain `,` and a scope can't contain white
/// space (`validate` says so), so both survive the round trip.
pub(crate) const COMPANY_SEPARATOR: char = ',';
pub(crate) const SCOPE_SEPARATOR: char = ' ';

/// The JSON and TOML shape: borrowed, so no extra copy of a secret is made before serialising.
#[derive(Serialize)]
struct Wire<'a> {
    client_id: &'a str,
    client_secret: Option<&'a str>,
    refresh_token: &'a str,
    login_url: &'a str,
    company_names: &'a [String],
    instance_url: Option<&'a str>,
    username: Option<&'a str>,
    org_id: Option<&'a str>,
    user_id: Option<&'a str>,
    scopes: &'a [String],
    issued_at: Option<&'a str>,
    preset: Option<&'a str>,
    app_kind: Option<&'a str>,
    app_name: Option<&'a str>,
}

impl ConnectorSettings {
    /// The settings as text in `format`, wiped from memory when dropped.
    ///
    /// Values a format can't carry exactly (see [`validate_for`](Self::validate_for)) are written as they
    /// are, so call `validate_for` first when the values did not come from a Salesforce response. What
    /// cannot be written at all (a force:// URL without a host) is an error, never a shorter text.
    pub fn render(&self, format: Format) -> Result<Zeroizing<String>, Error> {
        match format {
            Format::Json => render_json(self),
            Format::Toml => render_toml(self),
            Format::Env => Ok(render_assignments(self, "", quote_double)),
            Format::Shell => Ok(render_assignments(self, "export ", quote_single)),
            Format::SfdxUrl => render_sfdx_url(self),
        }
    }

    fn wire(&self) -> Wire<'_> {
        Wire {
            client_id: &self.client_id,
            client_secret: self.client_secret.as_ref().map(|secret| secret.expose()),
            refresh_token: self.refresh_token.expose(),
            login_url: &self.login_url,
            company_names: &self.company_names,
            instance_url: self.instance_url.as_deref(),
            username: self.username.as_deref(),
            org_id: self.org_id.as_deref(),
            user_id: self.user_id.as_deref(),
            scopes: &self.scopes,
            issued_at: self.issued_at.as_deref(),
            preset: self.preset.as_deref(),
            app_kind: self.app_kind.map(AppKind::id),
            app_name: self.app_name.as_deref(),
        }
    }

    /// Each key with its one-line value, `None` when the value is absent.
    fn flat_values(&self) -> [(&'static str, Option<Zeroizing<String>>); 14] {
        let text = |value: &str| Some(Zeroizing::new(value.to_owned()));
        let optional = |value: &Option<String>| value.as_deref().and_then(text);
        let scopes = (!self.scopes.is_empty()).then(|| Zeroizing::new(self.scopes.join(&SCOPE_SEPARATOR.to_string())));
        [
            ("client_id", text(&self.client_id)),
            // Written even when absent, as "", so the file shows the field the connector form has.
            ("client_secret", Some(Zeroizing::new(self.client_secret.as_ref().map_or("", |s| s.expose()).to_owned()))),
            ("refresh_token", text(self.refresh_token.expose())),
            ("login_url", text(&self.login_url)),
            ("company_names", Some(Zeroizing::new(self.company_names.join(&COMPANY_SEPARATOR.to_string())))),
            ("instance_url", optional(&self.instance_url)),
            ("username", optional(&self.username)),
            ("org_id", optional(&self.org_id)),
            ("user_id", optional(&self.user_id)),
            ("scopes", scopes),
            ("issued_at", optional(&self.issued_at)),
            ("preset", optional(&self.preset)),
            ("app_kind", self.app_kind.map(AppKind::id).and_then(text)),
            ("app_name", optional(&self.app_name)),
        ]
    }
}

fn render_json(settings: &ConnectorSettings) -> Result<Zeroizing<String>, Error> {
    // Sized up front so the buffer holding secrets is not reallocated (and copied) while it grows.
    let mut buffer = Zeroizing::new(Vec::with_capacity(4096));
    // serde_json fails only on a map with non-string keys or a Serialize that fails: the wire struct has
    // neither, and its message would name no value anyway.
    serde_json::to_writer_pretty(&mut *buffer, &settings.wire())
        .map_err(|e| Error::Render { format: Format::Json, message: e.to_string() })?;
    buffer.push(b'\n');
    Ok(Zeroizing::new(String::from_utf8_lossy(&buffer).into_owned()))
}

fn render_toml(settings: &ConnectorSettings) -> Result<Zeroizing<String>, Error> {
    // The wire struct holds only strings, options of strings and string lists, and toml leaves out `None`
    // fields: toml's errors (a None inside an array, a key that is not a string) cannot arise.
    toml::to_string(&settings.wire())
        .map(Zeroizing::new)
        .map_err(|e| Error::Render { format: Format::Toml, message: e.to_string() })
}

fn render_assignments(settings: &ConnectorSettings, prefix: &str, quote: fn(&str, &mut String)) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(4096));
    for (key, value) in settings.flat_values() {
        let Some(value) = value else { continue };
        out.push_str(prefix);
        out.push_str(ENV_PREFIX);
        out.push_str(&key.to_ascii_uppercase());
        out.push('=');
        quote(&value, &mut out);
        out.push('\n');
    }
    out
}

/// `pairs` (settings keys and values) as env or shell lines, quoted as the settings are: for a file that holds
/// some of the settings' keys (the app file `app create` writes). Other formats are not lines.
pub(crate) fn render_pairs(pairs: &[(&str, &str)], format: Format) -> Option<Zeroizing<String>> {
    let (prefix, quote): (&str, fn(&str, &mut String)) = match format {
        Format::Env => ("", quote_double),
        Format::Shell => ("export ", quote_single),
        _ => return None,
    };
    let mut out = Zeroizing::new(String::with_capacity(1024));
    for (key, value) in pairs {
        out.push_str(prefix);
        out.push_str(ENV_PREFIX);
        out.push_str(&key.to_ascii_uppercase());
        out.push('=');
        quote(value, &mut out);
        out.push('\n');
    }
    Some(out)
}

/// Dotenv double quotes: backslash escapes for `\`, `"`, `$` and the back-tick (so sourcing the file in a shell
/// runs nothing), `\n`, `\r`, `\t` for control characters that would break the line.
fn quote_double(value: &str, out: &mut String) {
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' | '"' | '$' | '`' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    out.push('"');
}

/// POSIX single quotes: everything literal, a `'` becomes `'\''` (close, escaped quote, reopen).
fn quote_single(value: &str, out: &mut String) {
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
}

/// Only the credentials and the host: `force://ID:SECRET:TOKEN@HOST` has no room for anything else (the
/// preset, the company names, the user), and the Salesforce CLI reads nothing more from it. A file in this
/// format is checked against `generic` unless `check --preset` says otherwise.
fn render_sfdx_url(settings: &ConnectorSettings) -> Result<Zeroizing<String>, Error> {
    let host = sfdx_host(settings).ok_or_else(no_sfdx_host)?;
    let mut out = Zeroizing::new(String::with_capacity(512));
    out.push_str("force://");
    out.push_str(&settings.client_id);
    out.push(':');
    out.push_str(settings.client_secret.as_ref().map_or("", |s| s.expose()));
    out.push(':');
    out.push_str(settings.refresh_token.expose());
    out.push('@');
    out.push_str(&host);
    out.push('\n');
    Ok(out)
}

/// Neither URL has a host: a force:// URL without one would point the Salesforce CLI nowhere.
fn no_sfdx_host() -> Error {
    Error::InvalidField {
        origin: Origin::Text.to_string(),
        field: "instance_url",
        problem: "and `login_url` have no host name for the force:// URL; set one of them to a URL such as \
                  https://yourorg.my.salesforce.com"
            .to_owned(),
    }
}

/// `host[:port]` of the instance URL, else of the login URL: the CLI puts `https://` in front itself.
pub(crate) fn sfdx_host(settings: &ConnectorSettings) -> Option<String> {
    let from = |text: &str| -> Option<String> {
        let url = url::Url::parse(text).ok()?;
        let host = url.host_str()?;
        Some(match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        })
    };
    settings.instance_url.as_deref().and_then(from).or_else(|| from(&settings.login_url))
}

/// sfdx-core's `AuthInfo.parseSfdxAuthUrl` matches
/// `^force://([a-zA-Z0-9._-]+):([a-zA-Z0-9._-]*):([a-zA-Z0-9._-]+={0,2})@([a-zA-Z0-9._-]+)`; a value outside
/// those characters would be cut short or rejected by the CLI.
pub(crate) fn check_sfdx_url(settings: &ConnectorSettings) -> Result<(), Error> {
    let origin = Origin::Text.to_string();
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    let problem = |field: &'static str| Error::InvalidField {
        origin: origin.clone(),
        field,
        problem: "has characters the Salesforce CLI's force:// URL cannot carry (only letters, digits, `.`, `_` \
                  and `-`); choose another format such as json"
            .to_owned(),
    };
    if !settings.client_id.chars().all(plain) {
        return Err(problem("client_id"));
    }
    if settings.client_secret.as_ref().is_some_and(|s| !s.expose().chars().all(plain)) {
        return Err(problem("client_secret"));
    }
    let token = settings.refresh_token.expose().trim_end_matches('=');
    if settings.refresh_token.expose().len() - token.len() > 2 || !token.chars().all(plain) {
        return Err(problem("refresh_token"));
    }
    if sfdx_host(settings).is_none() {
        return Err(no_sfdx_host());
    }
    Ok(())
}
