//! The connector settings: what the target's settings form needs (Client ID, Client secret, Refresh token, Login
//! URL, Company names) plus what we learned about the org, rendered in the formats connectors and scripts read,
//! parsed back from them, and written to disk atomically with mode 0600.
//!
//! Owns: [`ConnectorSettings`], the formats ([`Format`]), the settings file on disk. Must not: talk to Salesforce,
//! print anything, log a secret, or put a secret in an error message. The one place secrets leave their wrappers
//! is [`ConnectorSettings::render`].

mod app_file;
mod assignments;
mod error;
mod file;
mod format;
mod parse;
mod render;

pub use app_file::{AppSettings, read_app_settings};
pub use error::Error;
pub use file::{
    FileExposure, MAX_SETTINGS_BYTES, Overwrite, RESERVED_BYTES, Reservation, create_private_dir, default_output_path,
    format_of_file, keep_safe, open_regular, preflight, read_settings, read_small_file, reserve, write_settings,
};
pub use format::Format;

use crate::salesforce::{AppKind, ClientSecret, RefreshToken};

/// Everything a connector needs to reach the org, and what we know about how the token was issued.
///
/// `Debug` is safe to print: the secret fields redact themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorSettings {
    pub client_id: String,
    /// `None` for an app whose consumer secret is optional (an empty value in a file reads as `None`).
    pub client_secret: Option<ClientSecret>,
    pub refresh_token: RefreshToken,
    /// The authorization server, e.g. `https://login.salesforce.com`.
    pub login_url: String,
    /// `["*"]` (everything) by default, or a list of domains.
    pub company_names: Vec<String>,
    pub instance_url: Option<String>,
    pub username: Option<String>,
    pub org_id: Option<String>,
    pub user_id: Option<String>,
    pub scopes: Vec<String>,
    /// When the refresh token was issued, RFC 3339 UTC text.
    pub issued_at: Option<String>,
    /// The id of the target preset the settings were made for (`snow-atlas`, `generic`, …), so that
    /// `sfconnect check` checks that target's prerequisites without being told. Not a secret. `None` in
    /// files written before it was recorded, or when no target was chosen; the sfdx-url format has no room.
    pub preset: Option<String>,
    /// The kind of app the settings were made with, `external_client_app` or `connected_app`, so that
    /// `sfconnect check` names the right Setup pages in its fixes. Not a secret; `None` when not known.
    pub app_kind: Option<AppKind>,
    /// The app's name as Setup shows it, so that `sfconnect check` reads that app's policies rather than
    /// guessing the app from the user's tokens. Not a secret; `None` when not known.
    pub app_name: Option<String>,
}

/// Why a grant gives no settings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantRefused {
    #[error(
        "Salesforce issued no refresh token: the app or the request lacks the refresh_token scope (granted: {granted})"
    )]
    NoRefreshToken { granted: String },
    #[error(
        "Salesforce's answer names an instance outside Salesforce's domains ({instance_url}): no settings were made from it"
    )]
    ForeignInstance { instance_url: String },
}

impl GrantRefused {
    /// What to do about it.
    pub fn fix(&self) -> &'static str {
        match self {
            GrantRefused::NoRefreshToken { .. } => {
                "In the app's OAuth settings add \"Perform requests at any time (refresh_token, offline_access)\" to Selected OAuth Scopes, save, and authorize again with refresh_token in the requested scopes."
            }
            GrantRefused::ForeignInstance { .. } => {
                "Check the Login URL (it must be your org's login host, not a proxy or look-alike); if it is right, report this answer to your Salesforce admin."
            }
        }
    }
}

/// The instance rule: where a connector sends its access token must be a Salesforce host (https and one
/// of Salesforce's domains), or loopback for the simulator. The login-host rules decide it.
pub fn is_salesforce_instance(url: &str) -> bool {
    crate::salesforce::LoginHost::parse(url).is_ok() && url.trim().contains("://")
}

/// The company-names value that collects data for every domain, including users without an email address.
pub const ALL_COMPANIES: &str = "*";

/// Company names as typed (in the wizard's field or `--company-names`): separated by commas, semicolons or
/// line breaks, trimmed, empty ones dropped; `*` alone when none is left or `*` is among them. The one
/// reading of that text, for the wizard and the CLI alike.
pub fn split_company_names(typed: &str) -> Vec<String> {
    let names: Vec<String> =
        typed.split([',', ';', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
    if names.is_empty() || names.iter().any(|n| n == ALL_COMPANIES) { vec![ALL_COMPANIES.to_owned()] } else { names }
}

impl ConnectorSettings {
    /// Settings with the required values and defaults for the rest (`company_names = ["*"]`).
    pub fn new(client_id: impl Into<String>, refresh_token: RefreshToken, login_url: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: None,
            refresh_token,
            login_url: login_url.into(),
            company_names: vec![ALL_COMPANIES.to_owned()],
            instance_url: None,
            username: None,
            org_id: None,
            user_id: None,
            scopes: Vec::new(),
            issued_at: None,
            preset: None,
            app_kind: None,
            app_name: None,
        }
    }

    /// The settings a fresh token grant gives: everything the grant carries, company names `*`, no user
    /// name (the identity URL gives it), no preset. The one way settings are made from a grant (the
    /// command line and the wizard both call it). The caller sets [`preset`](Self::preset) (and the
    /// company names) for the target it is working for.
    ///
    /// Refused when the grant has no refresh token, or names an instance outside Salesforce's domains:
    /// the connector would send its access token there.
    pub fn from_grant(
        client_id: impl Into<String>,
        client_secret: Option<ClientSecret>,
        grant: &crate::salesforce::TokenGrant,
        login_url: impl Into<String>,
    ) -> Result<Self, GrantRefused> {
        if !grant.instance_url.is_empty() && !is_salesforce_instance(&grant.instance_url) {
            return Err(GrantRefused::ForeignInstance {
                instance_url: crate::salesforce::http::fold_untrusted(&grant.instance_url),
            });
        }
        let Some(token) = grant.refresh_token.clone() else {
            return Err(GrantRefused::NoRefreshToken { granted: grant.scopes.to_param() });
        };
        let mut s = Self::new(client_id, token, login_url);
        s.client_secret = client_secret;
        s.instance_url = Some(grant.instance_url.clone()).filter(|u| !u.is_empty());
        s.org_id = grant.org_id().map(str::to_string);
        s.user_id = grant.user_id().map(str::to_string);
        s.scopes = grant.scopes.iter().map(str::to_string).collect();
        s.issued_at = grant.issued_at_rfc3339();
        Ok(s)
    }

    /// Parses settings in any format [`render`](Self::render) writes. With `hint: None` the format is sniffed
    /// from the text. Errors name the line, column and field, never a value.
    pub fn parse(text: &str, hint: Option<Format>) -> Result<Self, Error> {
        parse::parse(text, hint, &error::Origin::Text)
    }

    /// Checks what every format needs: required values present, URLs that parse, company names and scopes that
    /// survive being joined into one line. Call it before rendering values that did not come from `parse`.
    pub fn validate(&self) -> Result<(), Error> {
        parse::validate(self, &error::Origin::Text)
    }

    /// Checks that this format can carry the values exactly, on top of [`validate`](Self::validate).
    /// Only [`Format::SfdxUrl`] has extra limits: the Salesforce CLI accepts `[A-Za-z0-9._-]` in the client id,
    /// secret and refresh token, and no instance-less settings.
    pub fn validate_for(&self, format: Format) -> Result<(), Error> {
        self.validate()?;
        if format == Format::SfdxUrl {
            render::check_sfdx_url(self)?;
        }
        Ok(())
    }
}
