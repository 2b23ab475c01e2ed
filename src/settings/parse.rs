//! Reading [`ConnectorSettings`] back from any [`Format`], and the checks every value must pass. Owns format
//! sniffing and the mapping from keys to fields; must not panic on any input and must not put a value from the
//! text into an error (only keys, lines and columns).

use serde::{Deserialize, Deserializer};
use zeroize::Zeroizing;

use super::error::{Origin, line_column, without_values};
use super::render::{COMPANY_SEPARATOR, ENV_PREFIX, KEYS, SCOPE_SEPARATOR};
use super::{ConnectorSettings, Error, Format, assignments};
use crate::salesforce::{AppKind, ClientSecret, RefreshToken};

/// The fields as read, before the required ones are checked. Secrets are wrapped as they are read.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    client_id: Option<String>,
    #[serde(default, deserialize_with = "client_secret")]
    client_secret: Option<ClientSecret>,
    #[serde(default, deserialize_with = "refresh_token")]
    refresh_token: Option<RefreshToken>,
    login_url: Option<String>,
    company_names: Option<Vec<String>>,
    instance_url: Option<String>,
    username: Option<String>,
    org_id: Option<String>,
    user_id: Option<String>,
    scopes: Option<Vec<String>>,
    issued_at: Option<String>,
    /// Absent from files written before the preset was recorded: they read as `None`.
    preset: Option<String>,
    /// Absent from files written before the app kind was recorded: they read as `None`.
    app_kind: Option<String>,
    /// Absent from files written before the app name was recorded: they read as `None`.
    app_name: Option<String>,
}

fn client_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ClientSecret>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(ClientSecret::new))
}

fn refresh_token<'de, D: Deserializer<'de>>(d: D) -> Result<Option<RefreshToken>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(RefreshToken::new))
}

pub(crate) fn parse(text: &str, hint: Option<Format>, origin: &Origin) -> Result<ConnectorSettings, Error> {
    let format = match hint {
        Some(format) => format,
        None => sniff(text).ok_or_else(|| Error::UnknownFormat { origin: origin.to_string() })?,
    };
    let raw = match format {
        Format::Json => from_json(text, origin)?,
        Format::Toml => from_toml(text, origin)?,
        Format::Env | Format::Shell => from_assignments(text, format, origin)?,
        Format::SfdxUrl => from_sfdx_url(text, origin)?,
    };
    let settings = complete(raw, origin)?;
    validate(&settings, origin)?;
    Ok(settings)
}

/// The app's fields of a file in `format` (env, TOML or shell), a refresh token not required: what an app file
/// `app create` wrote in that format holds, and what `--settings` takes from a full settings file.
pub(crate) struct AppFields {
    pub client_id: Option<String>,
    pub client_secret: Option<ClientSecret>,
    pub login_url: Option<String>,
    pub app_name: Option<String>,
    pub app_kind: Option<String>,
}

pub(crate) fn app_fields(text: &str, format: Format, origin: &Origin) -> Result<AppFields, Error> {
    let raw = match format {
        Format::Toml => from_toml(text, origin)?,
        Format::Env | Format::Shell => from_assignments(text, format, origin)?,
        Format::Json => from_json(text, origin)?,
        Format::SfdxUrl => from_sfdx_url(text, origin)?,
    };
    let present = |value: Option<String>| value.filter(|v| !v.is_empty());
    Ok(AppFields {
        client_id: present(raw.client_id),
        client_secret: raw.client_secret.filter(|s| !s.expose().is_empty()),
        login_url: present(raw.login_url),
        app_name: present(raw.app_name),
        app_kind: present(raw.app_kind),
    })
}

/// Guesses the format from the first line that is not blank or a comment.
pub(crate) fn sniff(text: &str) -> Option<Format> {
    let first = text.lines().map(str::trim).find(|line| !line.is_empty() && !line.starts_with('#'))?;
    if first.starts_with('{') {
        return Some(Format::Json);
    }
    if first.starts_with("force://") {
        return Some(Format::SfdxUrl);
    }
    if first.starts_with("export ") || first.starts_with("export\t") {
        return Some(Format::Shell);
    }
    if first.starts_with('[') {
        return Some(Format::Toml);
    }
    let (key, _) = first.split_once('=')?;
    let key = key.trim();
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') {
        Some(Format::Env)
    } else if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '"')) {
        Some(Format::Toml)
    } else {
        None
    }
}

fn syntax(origin: &Origin, format: Format, text: &str, offset: usize, message: &str) -> Error {
    let (line, column) = line_column(text, offset);
    let mut message = without_values(message);
    // An unknown key is named by the parser itself ("unknown field `x`"): blaming the key before it
    // would send the reader to the wrong line.
    if !message.starts_with("unknown field")
        && let Some(field) = field_before(text, offset)
    {
        message = format!("in `{field}`: {message}");
    }
    Error::Syntax { origin: origin.to_string(), format, line, column, message, fix: origin.fresh_file_hint() }
}

/// The last settings key written before `offset`, so a message can say which field a bad value belongs to.
fn field_before(text: &str, offset: usize) -> Option<&'static str> {
    let before = text.get(..offset.min(text.len()))?;
    KEYS.iter()
        .filter_map(|key| {
            before
                .match_indices(key)
                .filter(|(at, _)| {
                    let after = before.get(at + key.len()..).unwrap_or_default();
                    let after = after.trim_start_matches('"').trim_start();
                    after.starts_with(':') || after.starts_with('=')
                })
                .map(|(at, _)| (at, *key))
                .last()
        })
        .max_by_key(|(at, _)| *at)
        .map(|(_, key)| key)
}

fn from_json(text: &str, origin: &Origin) -> Result<Raw, Error> {
    serde_json::from_str(text).map_err(|err| {
        let message = err.to_string();
        let message = message.rfind(" at line ").map_or(message.as_str(), |at| &message[..at]);
        let offset = offset_of(text, err.line(), err.column());
        syntax(origin, Format::Json, text, offset, message)
    })
}

/// Byte offset of a 1-based line and column (serde_json counts columns in bytes).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

fn from_toml(text: &str, origin: &Origin) -> Result<Raw, Error> {
    toml::from_str(text).map_err(|err| {
        let offset = err.span().map_or(0, |span| span.start);
        syntax(origin, Format::Toml, text, offset, err.message())
    })
}

fn from_assignments(text: &str, format: Format, origin: &Origin) -> Result<Raw, Error> {
    let at = |line: usize, column: usize, message: String| Error::Syntax {
        origin: origin.to_string(),
        format,
        line,
        column,
        message,
        fix: origin.fresh_file_hint(),
    };
    let all = assignments::read(text).map_err(|e| at(e.line, e.column, e.message))?;
    let mut raw = Raw::default();
    let mut seen: Vec<(&'static str, usize)> = Vec::new();
    for assignment in all {
        // Other variables may share a .env file; only ours are read.
        let Some(name) = assignment.key.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        let lower = name.to_ascii_lowercase();
        let Some(key) = KEYS.iter().copied().find(|key| *key == lower) else {
            let known: Vec<String> = KEYS.iter().map(|k| format!("{ENV_PREFIX}{}", k.to_ascii_uppercase())).collect();
            let message = format!("unknown setting `{}`; expected one of {}", assignment.key, known.join(", "));
            return Err(at(assignment.line, assignment.column, message));
        };
        if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
            let message = format!("`{}` is set twice (first on line {first}); keep one", assignment.key);
            return Err(at(assignment.line, assignment.column, message));
        }
        seen.push((key, assignment.line));
        set_field(&mut raw, key, assignment.value);
    }
    Ok(raw)
}

fn set_field(raw: &mut Raw, key: &str, value: Zeroizing<String>) {
    let text = || Some(value.to_string());
    match key {
        "client_id" => raw.client_id = text(),
        "client_secret" => raw.client_secret = Some(ClientSecret::new(value.as_str())),
        "refresh_token" => raw.refresh_token = Some(RefreshToken::new(value.as_str())),
        "login_url" => raw.login_url = text(),
        "company_names" => {
            let names = value.split(COMPANY_SEPARATOR).map(str::trim).filter(|name| !name.is_empty());
            raw.company_names = Some(names.map(str::to_owned).collect());
        }
        "instance_url" => raw.instance_url = text(),
        "username" => raw.username = text(),
        "org_id" => raw.org_id = text(),
        "user_id" => raw.user_id = text(),
        "scopes" => raw.scopes = Some(value.split_whitespace().map(str::to_owned).collect()),
        "issued_at" => raw.issued_at = text(),
        "preset" => raw.preset = text(),
        "app_kind" => raw.app_kind = text(),
        "app_name" => raw.app_name = text(),
        _ => {}
    }
}

/// `force://CLIENT_ID:CLIENT_SECRET:REFRESH_TOKEN@HOST[:PORT]`, as `sf org login sfdx-url` reads it. It has
/// no preset (nor company names): those read as absent.
fn from_sfdx_url(text: &str, origin: &Origin) -> Result<Raw, Error> {
    let leading = text.len() - text.trim_start().len();
    let line = text.trim();
    let fail = |offset: usize, message: &str| syntax(origin, Format::SfdxUrl, text, leading + offset, message);
    let Some(rest) = line.strip_prefix("force://") else {
        return Err(fail(0, "expected force://CLIENT_ID:CLIENT_SECRET:REFRESH_TOKEN@HOST"));
    };
    let start = "force://".len();
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return Err(fail(start, "no `@HOST` at the end (the instance host, e.g. @yourorg.my.salesforce.com)"));
    };
    let mut parts = credentials.splitn(3, ':');
    let (Some(client_id), Some(secret), Some(token)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(fail(start, "expected CLIENT_ID:CLIENT_SECRET:REFRESH_TOKEN before `@` (the secret may be empty)"));
    };
    let host_ok =
        !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':'));
    if !host_ok {
        return Err(fail(
            start + credentials.len() + 1,
            "the host after `@` is not a host name (no https://, no path)",
        ));
    }
    let url = format!("https://{host}");
    Ok(Raw {
        client_id: Some(client_id.to_owned()),
        client_secret: Some(ClientSecret::new(secret)),
        refresh_token: Some(RefreshToken::new(token)),
        login_url: Some(url.clone()),
        instance_url: Some(url),
        ..Raw::default()
    })
}

/// Applies defaults and checks the required fields are there. An empty text counts as absent.
fn complete(raw: Raw, origin: &Origin) -> Result<ConnectorSettings, Error> {
    let missing =
        |field: &'static str| Error::MissingField { origin: origin.to_string(), field, fix: origin.fresh_file_hint() };
    let present = |value: Option<String>| value.filter(|v| !v.is_empty());
    let client_id = present(raw.client_id).ok_or_else(|| missing("client_id"))?;
    let refresh_token = raw.refresh_token.filter(|t| !t.expose().is_empty()).ok_or_else(|| missing("refresh_token"))?;
    let login_url = present(raw.login_url).ok_or_else(|| missing("login_url"))?;
    Ok(ConnectorSettings {
        client_id,
        client_secret: raw.client_secret.filter(|s| !s.expose().is_empty()),
        refresh_token,
        login_url,
        company_names: raw.company_names.unwrap_or_else(|| vec![super::ALL_COMPANIES.to_owned()]),
        instance_url: present(raw.instance_url),
        username: present(raw.username),
        org_id: present(raw.org_id),
        user_id: present(raw.user_id),
        scopes: raw.scopes.unwrap_or_default(),
        issued_at: present(raw.issued_at),
        preset: present(raw.preset),
        app_kind: present(raw.app_kind).map(|text| app_kind(&text, origin)).transpose()?,
        app_name: present(raw.app_name),
    })
}

/// An `app_kind` value as a file writes it; anything else is refused naming the field and the two ids.
pub(crate) fn app_kind(text: &str, origin: &Origin) -> Result<AppKind, Error> {
    text.parse().map_err(|_| Error::InvalidField {
        origin: origin.to_string(),
        field: "app_kind",
        problem: "is not one of external_client_app, connected_app; correct it or leave it out".to_owned(),
    })
}

pub(crate) fn validate(settings: &ConnectorSettings, origin: &Origin) -> Result<(), Error> {
    let invalid = |field: &'static str, problem: &str| Error::InvalidField {
        origin: origin.to_string(),
        field,
        problem: problem.to_owned(),
    };
    let missing =
        |field: &'static str| Error::MissingField { origin: origin.to_string(), field, fix: origin.fresh_file_hint() };
    if settings.client_id.is_empty() {
        return Err(missing("client_id"));
    }
    if settings.refresh_token.expose().is_empty() {
        return Err(missing("refresh_token"));
    }
    if settings.client_secret.as_ref().is_some_and(|s| s.expose().is_empty()) {
        return Err(invalid("client_secret", "is empty; leave it out for an app whose secret is optional"));
    }
    check_url(&settings.login_url).map_err(|problem| invalid("login_url", &problem))?;
    if let Some(instance_url) = &settings.instance_url {
        check_url(instance_url).map_err(|problem| invalid("instance_url", &problem))?;
        if !super::is_salesforce_instance(instance_url) {
            return Err(invalid(
                "instance_url",
                "is outside Salesforce's domains (a connector would send its token there); correct it or leave it out",
            ));
        }
    }
    let optional = [
        ("username", &settings.username),
        ("org_id", &settings.org_id),
        ("user_id", &settings.user_id),
        ("issued_at", &settings.issued_at),
        ("preset", &settings.preset),
        ("app_name", &settings.app_name),
    ];
    if let Some((field, _)) = optional.iter().find(|(_, value)| value.as_deref() == Some("")) {
        return Err(invalid(field, "is empty; leave it out instead"));
    }
    // Whether the id names a preset is for `check` to say: it knows the presets (bundled and the user's).
    if settings.preset.as_deref().is_some_and(|id| id.chars().any(|c| c.is_whitespace() || c.is_control())) {
        return Err(invalid("preset", "has spaces or a line break; write a preset id such as \"snow-atlas\""));
    }
    if settings.company_names.is_empty() {
        return Err(invalid("company_names", "is empty; use [\"*\"] to collect data for every domain"));
    }
    for name in &settings.company_names {
        let bad = name.is_empty()
            || name.trim() != name
            || name.contains(COMPANY_SEPARATOR)
            || name.chars().any(char::is_control);
        if bad {
            return Err(invalid(
                "company_names",
                "has a name that is empty, has spaces around it, or contains `,` or a line break; write one \
                 domain (or `*`) per entry",
            ));
        }
    }
    if settings.scopes.iter().any(|s| s.is_empty() || s.contains(char::is_whitespace) || s.contains(SCOPE_SEPARATOR)) {
        return Err(invalid(
            "scopes",
            "has an empty scope or one with spaces; write one token per entry, e.g. \"api\"",
        ));
    }
    Ok(())
}

fn check_url(text: &str) -> Result<(), String> {
    match url::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "https" | "http") && url.host_str().is_some() => Ok(()),
        Ok(_) => Err("must be an https:// address with a host, e.g. https://login.salesforce.com".to_owned()),
        Err(err) => Err(format!("is not a URL ({err}); use e.g. https://login.salesforce.com")),
    }
}
