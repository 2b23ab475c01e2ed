//! `sfconnect url`: the authorize URL, with a fresh state and PKCE verifier. `--json` prints
//! `{"ok", "url", "state", "code_verifier", "redirect_uri", "login_url", "scope"}` so that `exchange --flow`
//! can finish the flow in a later process.

use clap::Args;

use super::args::{AppArgs, DEFAULT_SCOPES, LoginArgs, scopes_or_default};
use super::secret_input::Need;
use super::{CmdResult, Failure};
use crate::salesforce::{AuthorizeOptions, AuthorizeRequest};

#[derive(Debug, Args)]
pub struct UrlArgs {
    #[command(flatten)]
    pub app: AppArgs,
    #[command(flatten)]
    pub login: LoginArgs,
    /// The callback URL registered on the app [default: the login host's /services/oauth2/success page].
    #[arg(long, value_name = "URI")]
    pub redirect_uri: Option<String>,
    /// Scopes to request, space-separated.
    #[arg(long, value_name = "\"S ...\"", default_value = DEFAULT_SCOPES)]
    pub scope: Option<String>,
    /// Do not use PKCE (only for apps and servers that reject it).
    #[arg(long)]
    pub no_pkce: bool,
    /// Print {"ok", "url", "state", "code_verifier", "redirect_uri", "login_url", "scope"} as one JSON line
    /// (`exchange --flow FILE` reads it). The code_verifier is a secret: keep the
    /// output out of logs and shared files.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: UrlArgs) -> CmdResult {
    let app = args.app.resolve(&args.login, None, Need::Optional)?;
    let (host, client_id) = (app.host, app.client_id);
    let options = AuthorizeOptions {
        client_id,
        redirect_uri: args.redirect_uri.clone().unwrap_or_else(|| host.default_redirect_uri()),
        scopes: scopes_or_default(&args.scope, DEFAULT_SCOPES),
        pkce: !args.no_pkce,
        force_login: false,
    };
    let request = AuthorizeRequest::new(&host, &options).map_err(|e| match &e {
        // A callback that is not a URL is the --redirect-uri given.
        crate::salesforce::Error::CallbackUrl(_) => Failure::Usage(format!("--redirect-uri: {e}")),
        _ => Failure::from(e),
    })?;
    if args.json {
        let json = serde_json::json!({
            "ok": true,
            "url": request.url,
            "state": request.state,
            "code_verifier": request.code_verifier.as_ref().map(|v| v.expose()),
            "redirect_uri": request.redirect_uri,
            // With these, `exchange --flow FILE` finishes exactly the flow this URL starts.
            "login_url": host.origin(),
            "scope": options.scopes.to_param(),
        });
        outln!("{json}");
    } else {
        outln!("{}", request.url);
        if request.code_verifier.is_some() {
            // Without the verifier this URL cannot be finished: say so, and how to keep it.
            errln!("\nThis URL uses PKCE: its code_verifier is needed for the exchange and is not shown.");
            errln!("Use `sfconnect url --json` to keep it (or --no-pkce for an app that does not want PKCE).");
        } else {
            let login = args.login.login_url.as_deref().map(|u| format!(" --login-url {u}")).unwrap_or_default();
            errln!("\nOpen the URL in a browser signed in to the org, click Allow, then run:");
            errln!("  sfconnect exchange --client-id {}{login} --state {} --code -", options.client_id, request.state);
        }
    }
    Ok(())
}

/// Checks a consumer key loosely (protocol notes §9): 8 to 256 characters of [A-Za-z0-9._], and not a
/// secret pasted in the wrong field.
pub fn checked_client_id(raw: &str) -> Result<String, Failure> {
    let id = raw.trim().trim_matches(|c| c == '"' || c == '\'');
    if id.is_empty() {
        return Err(Failure::Usage("--client-id is empty: pass the Consumer Key from Manage Consumer Details".into()));
    }
    if let Some(bad) = id.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '.' || *c == '_')) {
        return Err(Failure::Usage(format!(
            "--client-id contains `{}`, which a Consumer Key never has: copy it again from Manage Consumer Details",
            bad.escape_default()
        )));
    }
    if !(8..=256).contains(&id.len()) {
        return Err(Failure::Usage(format!(
            "--client-id is {} characters long; a Consumer Key has 8 to 256 (usually 85, starting 3MVG)",
            id.len()
        )));
    }
    if id.len() == 64 && id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Failure::Usage(
            "--client-id looks like a Consumer Secret (64 hex characters): pass the Consumer Key there, and the secret through SFCONNECT_CLIENT_SECRET".into(),
        ));
    }
    Ok(id.to_string())
}
