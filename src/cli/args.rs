//! Arguments shared by several subcommands: the login host, the consumer secret's sources, and where the
//! settings go. Raw flags are parsed here into checked values (ripgrep's low/high args split).

use std::path::PathBuf;

use clap::Args;

use super::Failure;
use crate::salesforce::{LoginHost, Scopes};
use crate::settings::Format;

/// Which org to talk to.
#[derive(Debug, Clone, Args)]
pub struct LoginArgs {
    /// Login URL: https://login.salesforce.com (production, the default), https://test.salesforce.com
    /// (sandbox), or your My Domain. A Lightning or Setup page URL works too: its My Domain is used.
    #[arg(long, value_name = "URL", env = "SFCONNECT_LOGIN_URL")]
    pub login_url: Option<String>,
}

impl LoginArgs {
    pub fn host(&self) -> Result<LoginHost, Failure> {
        match &self.login_url {
            None => Ok(LoginHost::production()),
            Some(text) => LoginHost::parse(text).map_err(|e| Failure::Usage(e.to_string())),
        }
    }
}

/// Where the consumer secret comes from. Never from a command-line value.
#[derive(Debug, Clone, Args)]
pub struct SecretArgs {
    /// Read the consumer secret from this file (first line). Alternatively set SFCONNECT_CLIENT_SECRET;
    /// with neither, sfconnect asks for it without echo when run in a terminal.
    #[arg(long, value_name = "FILE")]
    pub client_secret_file: Option<PathBuf>,

    /// The app needs no secret ("Require Secret for Web Server Flow" is off): send none.
    #[arg(long, conflicts_with = "client_secret_file")]
    pub no_client_secret: bool,
}

/// Where and how to write the settings.
#[derive(Debug, Clone, Args)]
pub struct SettingsOutArgs {
    /// Write the settings to FILE (mode 0600, atomically). `-` prints them in full to standard output.
    /// Without --output they go to sfconnect-settings.<ext> (sfconnect-sfdx-url.txt for sfdx-url) in the
    /// data folder (a timestamped name if that exists), and a summary with secrets masked is printed.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Format of the settings: json, env, toml, shell (export lines) or sfdx-url (the force:// line that
    /// `sf org login sfdx-url` reads). Without it, --output's extension decides (.env or a .env.* file, .toml,
    /// .sh, .json), and json otherwise.
    #[arg(long, value_name = "F")]
    pub format: Option<Format>,

    /// Replace FILE if it exists (it is never replaced otherwise).
    #[arg(long)]
    pub force: bool,

    /// Company names to put in the settings: `*` (every user, the default) or domains, comma-separated.
    #[arg(long, value_name = "NAMES", default_value = "*")]
    pub company_names: String,

    /// The target the settings are for: snow-atlas, avepoint, nintex, ampersand, generic, or a preset of your
    /// own. Recorded in the file (not in sfdx-url), so `sfconnect check --settings FILE` checks that target
    /// without --preset.
    #[arg(long, value_name = "ID")]
    pub preset: Option<String>,
}

impl SettingsOutArgs {
    /// The format to write: `--format` when given, else the one `--output`'s name suggests (so `out/cli.env`
    /// holds env lines that `check --settings out/cli.env` reads back), else JSON.
    pub fn format(&self) -> Format {
        self.format.or_else(|| self.output.as_deref().and_then(Format::from_path)).unwrap_or_default()
    }

    /// The `--preset` id once it is known to name a preset, checked before anything is sent to Salesforce
    /// (an authorization code is single use, so a typo found after the exchange would cost the code).
    pub fn checked_preset(&self) -> Result<Option<String>, Failure> {
        let Some(id) = &self.preset else { return Ok(None) };
        let (presets, _) = crate::presets::load_all(crate::presets::user_preset_dir().as_deref());
        let preset = crate::presets::named(&presets, id).map_err(|e| Failure::Usage(e.to_string()))?;
        Ok(Some(preset.id.clone()))
    }

    pub fn company_names(&self) -> Vec<String> {
        crate::settings::split_company_names(&self.company_names)
    }
}

/// Parses `--scope`, defaulting to what a connector needs.
pub fn scopes_or_default(scope: &Option<String>, default: &str) -> Scopes {
    Scopes::parse(scope.as_deref().unwrap_or(default))
}

/// Default scopes for the scriptable commands: API access and a refresh token.
pub const DEFAULT_SCOPES: &str = "api refresh_token offline_access";

/// Which app: a Client ID, or a file that names it (`app create --output`, or a settings file).
#[derive(Debug, Clone, Args)]
pub struct AppArgs {
    /// The app's Consumer Key.
    #[arg(long, value_name = "ID", required_unless_present = "settings")]
    pub client_id: Option<String>,
    /// Take the Client ID, the consumer secret and the login URL from FILE: the file `sfconnect app
    /// create --output` wrote, or a settings file. --client-id, --login-url and the secret options win
    /// over the file.
    #[arg(long, value_name = "FILE")]
    pub settings: Option<PathBuf>,
}

/// An app's values, from the flags and the file.
#[derive(Debug)]
pub struct ResolvedApp {
    pub client_id: String,
    pub host: LoginHost,
    pub secret: Option<crate::salesforce::ClientSecret>,
    pub app_kind: Option<crate::salesforce::AppKind>,
    pub app_name: Option<String>,
}

/// `--app-kind` as the command line spells it (kebab-case, and the files' snake_case id as an alias); clap
/// stays out of the protocol crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AppKindArg {
    #[value(alias = "connected_app")]
    ConnectedApp,
    #[value(alias = "external_client_app")]
    ExternalClientApp,
}

impl From<AppKindArg> for crate::salesforce::AppKind {
    fn from(arg: AppKindArg) -> Self {
        match arg {
            AppKindArg::ConnectedApp => Self::ConnectedApp,
            AppKindArg::ExternalClientApp => Self::ExternalClientApp,
        }
    }
}

impl AppArgs {
    /// The app's values. The secret comes from the secret options when given, else from the file, else
    /// from the environment or the prompt as `need` says.
    pub fn resolve(
        &self,
        login: &LoginArgs,
        secret: Option<&SecretArgs>,
        need: super::secret_input::Need,
    ) -> Result<ResolvedApp, Failure> {
        let file = match &self.settings {
            Some(path) => Some(crate::settings::read_app_settings(path).map_err(|e| {
                Failure::failed(format!("--settings {e}"), "give the file `sfconnect app create --output` wrote")
            })?),
            None => None,
        };
        let raw_id = self.client_id.clone().or_else(|| file.as_ref().map(|f| f.client_id.clone())).unwrap_or_default();
        let client_id = super::url_cmd::checked_client_id(&raw_id)?;
        let host = match (&login.login_url, file.as_ref().and_then(|f| f.login_url.as_deref())) {
            (None, Some(from_file)) => {
                LoginHost::parse(from_file).map_err(|e| Failure::Usage(format!("--settings: {e}")))?
            }
            _ => login.host()?,
        };
        let secret = match secret {
            None => None,
            Some(args) => {
                let explicit = args.no_client_secret || args.client_secret_file.is_some();
                match file.as_ref().and_then(|f| f.client_secret.clone()) {
                    Some(from_file) if !explicit => Some(from_file),
                    _ => super::secret_input::client_secret(args, need)?,
                }
            }
        };
        let (app_kind, app_name) = file.map_or((None, None), |f| (f.app_kind, f.app_name));
        Ok(ResolvedApp { client_id, host, secret, app_kind, app_name })
    }
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;

    use super::AppKindArg;
    use crate::salesforce::AppKind;

    /// `--app-kind` takes the flag spelling and the id the files write, and means the one `AppKind`.
    #[test]
    fn app_kind_takes_both_spellings_and_maps_to_the_one_kind() {
        for (typed, kind) in [
            ("external-client-app", AppKind::ExternalClientApp),
            ("external_client_app", AppKind::ExternalClientApp),
            ("connected-app", AppKind::ConnectedApp),
            ("connected_app", AppKind::ConnectedApp),
        ] {
            let arg = AppKindArg::from_str(typed, false).unwrap_or_else(|e| panic!("{typed}: {e}"));
            assert_eq!(AppKind::from(arg), kind, "{typed}");
        }
        assert!(AppKindArg::from_str("canvas-app", false).is_err());
    }
}
