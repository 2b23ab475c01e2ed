//! The app file `sfconnect app create --output` writes: the new app's `client_id`, `client_secret`,
//! `login_url`, `app_name` and `app_kind`, with the settings file's keys, as JSON or in the env, TOML or shell
//! format `--output`'s extension names (mode 0600, atomic, never over an existing file without being told:
//! [`super::write_settings`]). `url`, `wait`, `exchange` and `device` read it with `--settings FILE`, and read
//! a full settings file the same way.

use std::path::Path;

use serde::Deserialize;
use zeroize::Zeroizing;

use super::{Error, Format, MAX_SETTINGS_BYTES, read_small_file};
use crate::salesforce::{AppKind, ClientSecret};

/// An app's credentials and where they work. `Debug` redacts the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSettings {
    pub client_id: String,
    pub client_secret: Option<ClientSecret>,
    pub login_url: Option<String>,
    pub app_name: Option<String>,
    pub app_kind: Option<AppKind>,
}

impl AppSettings {
    /// The JSON text; the one place the secret leaves its wrapper for this file.
    pub fn render_json(&self) -> Zeroizing<String> {
        let mut object = serde_json::Map::new();
        object.insert("client_id".into(), self.client_id.clone().into());
        if let Some(secret) = &self.client_secret {
            object.insert("client_secret".into(), secret.expose().into());
        }
        let app_kind = self.app_kind.map(|kind| kind.id().to_owned());
        for (key, value) in [("login_url", &self.login_url), ("app_name", &self.app_name), ("app_kind", &app_kind)] {
            if let Some(value) = value {
                object.insert(key.into(), value.clone().into());
            }
        }
        // `{:#}` is `to_string_pretty` through `Value`'s Display, which cannot fail: no empty file by accident.
        Zeroizing::new(format!("{:#}\n", serde_json::Value::Object(object)))
    }

    /// The text in `format`: JSON, or env, TOML or shell with the settings file's keys (`SALESFORCE_CLIENT_ID`
    /// …), so a file named `app.env` holds env lines. `None` for sfdx-url, which needs a refresh token.
    pub fn render(&self, format: Format) -> Option<Zeroizing<String>> {
        let app_kind = self.app_kind.map(|kind| kind.id());
        let mut pairs: Vec<(&str, &str)> = vec![("client_id", &self.client_id)];
        if let Some(secret) = &self.client_secret {
            pairs.push(("client_secret", secret.expose()));
        }
        for (key, value) in
            [("login_url", self.login_url.as_deref()), ("app_name", self.app_name.as_deref()), ("app_kind", app_kind)]
        {
            if let Some(value) = value {
                pairs.push((key, value));
            }
        }
        match format {
            Format::Json => Some(self.render_json()),
            Format::Toml => {
                let table: toml::Table =
                    pairs.iter().map(|(k, v)| ((*k).to_owned(), toml::Value::String((*v).to_owned()))).collect();
                Some(Zeroizing::new(table.to_string()))
            }
            Format::Env | Format::Shell => super::render::render_pairs(&pairs, format),
            Format::SfdxUrl => None,
        }
    }
}

/// Reads the app's values from `path`: an app file, or any settings file `exchange` wrote (JSON, env,
/// TOML, shell or sfdx-url), of which the same keys are taken.
pub fn read_app_settings(path: &Path) -> Result<AppSettings, Error> {
    #[derive(Deserialize)]
    struct Raw {
        client_id: Option<String>,
        client_secret: Option<String>,
        login_url: Option<String>,
        app_name: Option<String>,
        app_kind: Option<String>,
    }
    let (_, text) = read_small_file(path, MAX_SETTINGS_BYTES)?;
    let origin = path.display().to_string();
    if let Ok(raw) = serde_json::from_str::<Raw>(&text) {
        let client_id = raw.client_id.filter(|id| !id.trim().is_empty()).ok_or_else(|| Error::MissingField {
            origin: origin.clone(),
            field: "client_id",
            fix: "give the file `sfconnect app create --output` wrote, or pass --client-id".into(),
        })?;
        return Ok(AppSettings {
            client_id,
            client_secret: raw.client_secret.filter(|s| !s.is_empty()).map(ClientSecret::new),
            login_url: raw.login_url,
            app_name: raw.app_name,
            app_kind: raw
                .app_kind
                .filter(|kind| !kind.is_empty())
                .map(|kind| super::parse::app_kind(&kind, &super::error::Origin::File(path.to_path_buf())))
                .transpose()?,
        });
    }
    let format = Format::from_path(path).filter(|f| *f != Format::Json).or_else(|| super::parse::sniff(&text));
    let Some(format @ (Format::Env | Format::Shell | Format::Toml)) = format else {
        let (settings, _) = super::read_settings(path)?;
        return Ok(AppSettings {
            client_id: settings.client_id,
            client_secret: settings.client_secret,
            login_url: Some(settings.login_url),
            app_name: settings.app_name,
            app_kind: settings.app_kind,
        });
    };
    // An app file in env, TOML or shell (no refresh token), or a settings file in one of them.
    let file_origin = super::error::Origin::File(path.to_path_buf());
    let fields = super::parse::app_fields(&text, format, &file_origin)?;
    let client_id = fields.client_id.ok_or_else(|| Error::MissingField {
        origin: origin.clone(),
        field: "client_id",
        fix: "give the file `sfconnect app create --output` wrote, or pass --client-id".into(),
    })?;
    Ok(AppSettings {
        client_id,
        client_secret: fields.client_secret,
        login_url: fields.login_url,
        app_name: fields.app_name,
        app_kind: fields.app_kind.map(|kind| super::parse::app_kind(&kind, &file_origin)).transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_app_file_round_trips_and_hides_its_secret_from_debug() {
        let app = AppSettings {
            client_id: "KEY123456789".into(),
            client_secret: Some(ClientSecret::new("S3cretValue0123")),
            login_url: Some("https://acme.my.salesforce.com".into()),
            app_name: Some("Sfconnect_Acme".into()),
            app_kind: Some(AppKind::ExternalClientApp),
        };
        assert!(!format!("{app:?}").contains("S3cretValue0123"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.json");
        std::fs::write(&path, app.render_json().as_bytes()).unwrap();
        assert_eq!(read_app_settings(&path).unwrap(), app);
        std::fs::write(&path, "{\"client_secret\":\"x\"}").unwrap();
        let err = read_app_settings(&path).unwrap_err().to_string();
        assert!(err.contains("client_id") && !err.contains("\"x\""), "{err}");
    }

    /// From a new-user trial: `--output` named a format the file did not hold. Each format reads back.
    #[test]
    fn an_app_file_in_env_toml_or_shell_reads_back() {
        let app = AppSettings {
            client_id: "KEY123456789".into(),
            client_secret: Some(ClientSecret::new("S3cret$Value'0123\"")),
            login_url: Some("https://acme.my.salesforce.com".into()),
            app_name: Some("Sfconnect_Acme".into()),
            app_kind: Some(AppKind::ExternalClientApp),
        };
        let dir = tempfile::tempdir().unwrap();
        for (name, format, marker) in [
            ("app.env", Format::Env, "SALESFORCE_CLIENT_ID=\"KEY123456789\""),
            ("app.toml", Format::Toml, "client_id = \"KEY123456789\""),
            ("app.sh", Format::Shell, "export SALESFORCE_CLIENT_ID='KEY123456789'"),
        ] {
            let path = dir.path().join(name);
            let text = app.render(format).unwrap();
            assert!(text.contains(marker), "{name}: {}", text.as_str());
            std::fs::write(&path, text.as_bytes()).unwrap();
            assert_eq!(read_app_settings(&path).unwrap(), app, "{name}");
        }
        assert!(app.render(Format::SfdxUrl).is_none());
    }
}
