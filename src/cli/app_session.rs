//! The Salesforce session `app create` deploys with, used once and kept nowhere: an access token or
//! session id on standard input (`--access-token -`) or in `SFCONNECT_ACCESS_TOKEN`; the Salesforce CLI's
//! login for an alias (`--sf-org`: `sf org auth show-access-token --json` where the CLI has it, the token
//! of `sf org display --json` otherwise, whose `instanceUrl` says where the org is); or an earlier settings
//! file for the same org (`--from-settings`: a refresh, whose access token is used). Never from argv.

use std::path::Path;
use std::process::Command;

use serde::Deserialize;

use super::Failure;
use crate::salesforce::rest::RestClient;
use crate::salesforce::{AccessToken, AppCredentials, Client, LoginHost};

/// The environment variable that may hold the session.
pub const ACCESS_TOKEN_ENV: &str = "SFCONNECT_ACCESS_TOKEN";

/// Where the session comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionSource<'a> {
    Stdin,
    Env,
    SfOrg(&'a str),
    FromSettings(&'a Path),
}

/// A session: the token and the instance it is valid on.
pub struct Session {
    pub token: AccessToken,
    pub instance_url: String,
    /// Where it came from, for messages.
    pub described: String,
}

/// Reads the session; `login` is the org's login URL (`--login-url`).
pub async fn session(source: SessionSource<'_>, login: &LoginHost) -> Result<Session, Failure> {
    match source {
        SessionSource::Stdin | SessionSource::Env => {
            let token = match source {
                SessionSource::Env => std::env::var(ACCESS_TOKEN_ENV).unwrap_or_default(),
                _ => super::secret_input::value_or_stdin("-", "access token or session id")?,
            };
            let token = token.trim().to_string();
            if token.is_empty() || token.chars().any(char::is_whitespace) {
                return Err(Failure::failed(
                    "the access token is empty or has a space in it",
                    "give the token alone: `sf org auth show-access-token --target-org ALIAS --json`, or Setup > \
                     Session Management is where a session shows; pipe it to --access-token -",
                ));
            }
            if matches!(login.kind(), crate::salesforce::HostKind::Production | crate::salesforce::HostKind::Sandbox) {
                return Err(Failure::Usage(
                    "--login-url must be your My Domain (https://yourdomain.my.salesforce.com) with --access-token or SFCONNECT_ACCESS_TOKEN: a session is valid only on its org's domain".into(),
                ));
            }
            let described = if source == SessionSource::Env { ACCESS_TOKEN_ENV } else { "standard input" };
            Ok(Session {
                token: AccessToken::new(token),
                instance_url: login.origin().to_string(),
                described: described.to_string(),
            })
        }
        SessionSource::SfOrg(alias) => sf_org(alias).await,
        SessionSource::FromSettings(path) => from_settings(path).await,
    }
}

/// The `--json` envelope of the Salesforce CLI: `{"status": 0, "result": {...}}`, or a non-zero status
/// with `name` and `message`.
#[derive(Deserialize)]
struct SfEnvelope {
    #[serde(default)]
    status: i64,
    #[serde(default)]
    result: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<String>,
}

fn run_sf(args: &[&str]) -> Result<serde_json::Value, String> {
    // No standard input: the CLI must not wait for a confirmation nobody can give (with --json it asks none).
    let output = Command::new("sf")
        .args(args)
        .env("SF_DISABLE_TELEMETRY", "true")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("could not run `sf`: {e}"))?;
    let envelope: SfEnvelope = serde_json::from_slice(&output.stdout).map_err(|_| {
        format!("`sf {}` printed no JSON (exit {})", args[..3.min(args.len())].join(" "), output.status)
    })?;
    match envelope.result {
        Some(result) if envelope.status == 0 && output.status.success() => Ok(result),
        _ => Err(envelope.message.unwrap_or_else(|| format!("`sf` ended with status {}", envelope.status))),
    }
}

/// A token `sf` printed, unless it is the redaction text newer CLIs print in its place.
fn usable_token(value: &serde_json::Value) -> Option<String> {
    let token = value.get("accessToken")?.as_str()?.trim();
    (!token.is_empty() && !token.contains("REDACTED") && !token.contains(' ')).then(|| token.to_string())
}

async fn sf_org(alias: &str) -> Result<Session, Failure> {
    if alias.is_empty() || alias.starts_with('-') {
        return Err(Failure::Usage("--sf-org needs an alias or username, as `sf org list` shows them".into()));
    }
    let alias = alias.to_string();
    let found = tokio::task::spawn_blocking(move || {
        let display = run_sf(&["org", "display", "--target-org", &alias, "--json"])?;
        let instance = display
            .get("instanceUrl")
            .and_then(|v| v.as_str())
            .ok_or("`sf org display` gave no instanceUrl")?
            .to_string();
        // Newer CLIs redact the token in `org display` and print it only through `org auth show-access-token`.
        let token = match run_sf(&["org", "auth", "show-access-token", "--target-org", &alias, "--json"]) {
            Ok(shown) => usable_token(&shown),
            Err(e) => {
                tracing::info!(error = %e, "show-access-token unavailable, using org display");
                None
            }
        }
        .or_else(|| usable_token(&display))
        .ok_or("neither `sf org auth show-access-token` nor `sf org display` gave an access token")?;
        Ok::<_, String>((token, instance, alias))
    })
    .await
    .map_err(|e| Failure::failed(format!("could not run `sf`: {e}"), "run it again"))?;
    let (token, instance, alias) = found.map_err(|e| {
        Failure::failed(
            format!("--sf-org: {e}"),
            "check `sf org display --target-org ALIAS` works (log in with `sf org login web --alias ALIAS`), or pipe a token to --access-token -",
        )
    })?;
    Ok(Session { token: AccessToken::new(token), instance_url: instance, described: format!("sf org {alias}") })
}

async fn from_settings(path: &Path) -> Result<Session, Failure> {
    let (settings, _) = crate::settings::read_settings(path).map_err(|e| {
        Failure::failed(format!("--from-settings {e}"), "give a settings file sfconnect exchange or device wrote")
    })?;
    let host = LoginHost::parse(&settings.login_url).map_err(|e| Failure::Usage(format!("--from-settings: {e}")))?;
    let client = Client::new(host)?;
    let app = AppCredentials { client_id: settings.client_id.clone(), client_secret: settings.client_secret.clone() };
    let grant = client.refresh(&app, &settings.refresh_token).await?;
    if !grant.scopes.is_empty() && !grant.scopes.contains("api") && !grant.scopes.contains("full") {
        return Err(Failure::failed(
            format!("the app in {} has neither the api nor the full scope, so its token cannot deploy", path.display()),
            "use --sf-org or --access-token - instead, or a settings file of an app with the api scope",
        ));
    }
    Ok(Session {
        token: grant.access_token,
        instance_url: grant.instance_url,
        described: format!("a refresh of {}", path.display()),
    })
}

/// A REST client on the session's instance (checked to be Salesforce or loopback before the token goes).
pub fn rest_client(session: &Session) -> Result<RestClient, Failure> {
    RestClient::new(crate::salesforce::http::build_http_client()?, &session.instance_url, session.token.clone())
        .map_err(Failure::from)
}
