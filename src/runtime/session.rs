//! The Salesforce session an External Client App is created with (`app create` and the wizard's
//! "Create it for me"), used once and kept nowhere: an access token or session id the admin gives (standard
//! input, `SFCONNECT_ACCESS_TOKEN`, or pasted into the wizard's masked field); the Salesforce CLI's login for
//! an alias (`sf org auth show-access-token --json` where the CLI has it, the token of `sf org display
//! --json` otherwise, whose `instanceUrl` says where the org is); or an earlier settings file for the same
//! org (a refresh, whose access token is used). Never from argv, never written, never logged.
//!
//! Finding which of these are at hand (for the wizard to offer) is [`super::session_find`].

use std::path::PathBuf;
use std::process::Command;

use serde::Deserialize;

use crate::salesforce::eca::preflight::SessionUser;
use crate::salesforce::rest::{Organization, RestClient};
use crate::salesforce::{AccessToken, AppCredentials, Client, HostKind, LoginHost};

/// The environment variable that may hold the session.
pub const ACCESS_TOKEN_ENV: &str = "SFCONNECT_ACCESS_TOKEN";

pub use crate::wizard::steps::create_app::for_me::WHERE_TO_GET_A_TOKEN;

/// Where the session comes from.
#[derive(Debug, Clone)]
pub enum SessionSource {
    /// A token the admin gave; `described` says how ("standard input", "the pasted token").
    Token { token: AccessToken, described: String },
    /// The Salesforce CLI's login for this alias or username.
    SfOrg(String),
    /// An earlier sfconnect settings file for the same org.
    FromSettings(PathBuf),
}

/// A session: the token and the instance it is valid on.
pub struct Session {
    pub token: AccessToken,
    pub instance_url: String,
    /// Where it came from, for messages.
    pub described: String,
}

/// Why no usable session came: the sentence and the fix. `usage` marks a mistake in the command line
/// (exit 2 for the CLI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionError {
    pub headline: String,
    pub fix: String,
    pub usage: bool,
}

impl SessionError {
    fn failed(headline: impl Into<String>, fix: impl Into<String>) -> Self {
        Self { headline: headline.into(), fix: fix.into(), usage: false }
    }

    fn usage(headline: impl Into<String>) -> Self {
        Self { headline: headline.into(), fix: String::new(), usage: true }
    }
}

impl From<crate::salesforce::Error> for SessionError {
    fn from(e: crate::salesforce::Error) -> Self {
        let ex = e.explain();
        SessionError::failed(ex.headline, ex.fix)
    }
}

/// A token as given: trimmed, and refused when empty or with a space inside (a whole line of `sf` output
/// pasted, say).
pub fn token_from_text(text: &str) -> Result<AccessToken, SessionError> {
    let token = text.trim();
    if token.is_empty() || token.chars().any(char::is_whitespace) {
        return Err(SessionError::failed(
            "the access token is empty or has a space in it",
            format!("give the token alone, from {WHERE_TO_GET_A_TOKEN}"),
        ));
    }
    Ok(AccessToken::new(token))
}

/// Reads the session; `login` is the org's login URL.
pub async fn session(
    source: SessionSource,
    login: &LoginHost,
    http: &reqwest::Client,
) -> Result<Session, SessionError> {
    match source {
        SessionSource::Token { token, described } => {
            if matches!(login.kind(), HostKind::Production | HostKind::Sandbox) {
                return Err(SessionError::usage(
                    "the login URL must be your My Domain (https://yourdomain.my.salesforce.com) with a token: a session is valid only on its org's domain",
                ));
            }
            Ok(Session { token, instance_url: login.origin().to_string(), described })
        }
        SessionSource::SfOrg(alias) => sf_org(alias).await,
        SessionSource::FromSettings(path) => from_settings(path, http).await,
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

/// Runs `sf` with `args` and returns its `result`. Blocking: call it from a blocking task.
pub(super) fn run_sf(args: &[&str]) -> Result<serde_json::Value, String> {
    // No standard input: the CLI must not wait for a confirmation nobody can give (with --json it asks none).
    let output = Command::new("sf")
        .args(args)
        .env("SF_DISABLE_TELEMETRY", "true")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
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

async fn sf_org(alias: String) -> Result<Session, SessionError> {
    if alias.is_empty() || alias.starts_with('-') {
        return Err(SessionError::usage("--sf-org needs an alias or username, as `sf org list` shows them"));
    }
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
    .map_err(|e| SessionError::failed(format!("could not run `sf`: {e}"), "run it again"))?;
    let (token, instance, alias) = found.map_err(|e| {
        SessionError::failed(
            format!("the Salesforce CLI's login {e}"),
            "check `sf org display --target-org ALIAS` works (log in with `sf org login web --alias ALIAS`), or give a token instead",
        )
    })?;
    Ok(Session { token: AccessToken::new(token), instance_url: instance, described: format!("sf org {alias}") })
}

async fn from_settings(path: PathBuf, http: &reqwest::Client) -> Result<Session, SessionError> {
    let (settings, _) = crate::settings::read_settings(&path).map_err(|e| {
        SessionError::failed(format!("{e}"), "give a settings file sfconnect exchange, device or the wizard wrote")
    })?;
    let host = LoginHost::parse(&settings.login_url)
        .map_err(|e| SessionError::usage(format!("the settings file {}: {e}", path.display())))?;
    let client = Client::with_http(http.clone(), host);
    let app = AppCredentials { client_id: settings.client_id.clone(), client_secret: settings.client_secret.clone() };
    let grant = client.refresh(&app, &settings.refresh_token).await?;
    if !grant.scopes.is_empty() && !grant.scopes.contains("api") && !grant.scopes.contains("full") {
        return Err(SessionError::failed(
            format!("the app in {} has neither the api nor the full scope, so its token cannot deploy", path.display()),
            "use the Salesforce CLI's login or a token instead, or a settings file of an app with the api scope",
        ));
    }
    Ok(Session {
        token: grant.access_token,
        instance_url: grant.instance_url,
        described: format!("a refresh of {}", path.display()),
    })
}

/// The session must be for the org the login URL names, or the app would be created in one org and its
/// settings point at another: a My Domain login URL must be the session's instance, and a
/// login/test.salesforce.com one must agree on production or sandbox.
pub fn same_org(login: &LoginHost, instance_url: &str, described: &str) -> Result<(), SessionError> {
    let instance = LoginHost::parse(instance_url)
        .map_err(|e| SessionError::failed(format!("{described}: {e}"), "use a session of a Salesforce org"))?;
    if instance_agrees(login, &instance) {
        return Ok(());
    }
    Err(SessionError::failed(
        format!("the session from {described} is for {}, not for the org at {}", instance.origin(), login.origin()),
        "use a session of the org the login URL names (sf org display shows an alias's instance), or give that org's login URL",
    ))
}

/// The rule of [`same_org`], for finding sessions too.
pub(super) fn instance_agrees(login: &LoginHost, instance: &LoginHost) -> bool {
    match login.kind() {
        // A loopback login URL is a simulated org: only its own origin is that org.
        HostKind::MyDomain { .. } | HostKind::Loopback => instance.origin() == login.origin(),
        HostKind::Production => !instance.is_sandbox(),
        HostKind::Sandbox => instance.is_sandbox() || instance.kind() == HostKind::Loopback,
        _ => true,
    }
}

/// A refused session here is the one the admin brought: there is no refresh token to renew it with, so the
/// fix is a new session (the error table's general fix speaks of refreshing).
pub fn session_refused(e: crate::salesforce::Error) -> SessionError {
    if e.is_session_expired() {
        return SessionError::failed(
            "Salesforce refused the session (expired, revoked, or not a session of this org)",
            format!(
                "get a fresh one from {WHERE_TO_GET_A_TOKEN}, or use the Salesforce CLI's login or a settings file"
            ),
        );
    }
    SessionError::from(e)
}

/// A session, checked to be for the org and answering: the REST client on its instance, the user behind
/// it and the org.
pub struct Opened {
    pub rest: RestClient,
    pub user: SessionUser,
    pub organization: Organization,
    pub described: String,
    pub instance_url: String,
}

/// Reads the session, checks it is for the org `login` names, and asks who it is.
pub async fn open(source: SessionSource, login: &LoginHost, http: &reqwest::Client) -> Result<Opened, SessionError> {
    let session = session(source, login, http).await?;
    same_org(login, &session.instance_url, &session.described)?;
    // The instance is checked to be Salesforce or loopback before the token goes.
    let rest = RestClient::new(http.clone(), &session.instance_url, session.token.clone())?;
    let user: SessionUser = rest.get_json("/services/oauth2/userinfo").await.map_err(session_refused)?;
    let organization = rest.organization().await.map_err(session_refused)?;
    Ok(Opened { rest, user, organization, described: session.described, instance_url: session.instance_url })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_taken_alone() {
        assert!(token_from_text("  00D5g!AQ0.abc \n").is_ok());
        let e = token_from_text("00D5g !AQ0").unwrap_err();
        assert!(e.headline.contains("space") && e.fix.contains("show-access-token"), "{e:?}");
        assert!(token_from_text("").is_err());
    }

    #[test]
    fn where_to_get_a_token_does_not_send_the_admin_to_session_management() {
        assert!(!WHERE_TO_GET_A_TOKEN.contains("Session Management"));
        assert!(WHERE_TO_GET_A_TOKEN.contains("sf org display --target-org ALIAS --json"));
    }

    #[test]
    fn sessions_must_be_for_the_org() {
        let my = LoginHost::parse("https://acme.my.salesforce.com").unwrap();
        assert!(same_org(&my, "https://acme.my.salesforce.com", "x").is_ok());
        let e = same_org(&my, "https://other.my.salesforce.com", "sf org other").unwrap_err();
        assert!(e.headline.contains("other.my.salesforce.com") && e.headline.contains("sf org other"));
        let prod = LoginHost::parse("https://login.salesforce.com").unwrap();
        assert!(same_org(&prod, "https://acme--dev.sandbox.my.salesforce.com", "x").is_err());
    }
}
