//! `sfconnect exchange`: the pasted redirect URL (or bare code) in, connector settings out.

use clap::Args;

use super::args::{AppArgs, LoginArgs, SecretArgs, SettingsOutArgs};
use super::output::{deliver, settings_from_grant};
use super::secret_input::{Need, value_or_stdin};
use super::{CmdResult, Failure};
use crate::salesforce::{AppCredentials, Client, CodeExchange, CodeVerifier, parse_paste};

#[derive(Debug, Args)]
pub struct ExchangeArgs {
    #[command(flatten)]
    pub app: AppArgs,
    /// The address the browser landed on after Allow, or the bare code, as copied (encoded or not).
    /// `-` reads it from standard input, which keeps it out of shell history and `ps`.
    #[arg(long, value_name = "CODE_OR_REDIRECT_URL")]
    pub code: String,
    #[command(flatten)]
    pub login: LoginArgs,
    /// The callback URL used in the authorize request [default: the login host's success page].
    #[arg(long, value_name = "URI")]
    pub redirect_uri: Option<String>,
    /// The state from `sfconnect url --json`: a pasted URL with another state is refused.
    // A random state or verifier is base64url and may begin with '-': it is a value, not an option.
    #[arg(long, value_name = "STATE", allow_hyphen_values = true)]
    pub state: Option<String>,
    /// The code_verifier from `sfconnect url --json` (PKCE). Also read from SFCONNECT_CODE_VERIFIER.
    #[arg(long, value_name = "V", env = "SFCONNECT_CODE_VERIFIER", hide_env_values = true, allow_hyphen_values = true)]
    pub code_verifier: Option<String>,
    #[command(flatten)]
    pub secret: SecretArgs,
    #[command(flatten)]
    pub out: SettingsOutArgs,
}

pub async fn run(args: ExchangeArgs) -> CmdResult {
    // The secret is asked for below, once the code is known to parse.
    let named = args.app.resolve(&args.login, None, Need::Optional)?;
    let (host, client_id) = (named.host, named.client_id);
    let preset = args.out.checked_preset()?;
    // Accepted (scripts use them), but said: a process's arguments are readable by every user of the
    // machine for as long as it runs.
    if args.code != "-" {
        errln!(
            "warning: --code on the command line can be read by other users (ps): pass --code - and give it on standard input"
        );
    }
    if args.code_verifier.is_some() && std::env::var_os("SFCONNECT_CODE_VERIFIER").is_none() {
        errln!(
            "warning: --code-verifier on the command line can be read by other users (ps): set SFCONNECT_CODE_VERIFIER instead"
        );
    }
    // The code is single use: where the settings go is checked before it is spent.
    args.out.preflight()?;
    let pasted_text = value_or_stdin(&args.code, "redirect URL or code")?;
    let pasted = parse_paste(&pasted_text, args.state.as_deref()).map_err(crate::salesforce::Error::from)?;
    if args.state.is_some() && pasted.state.is_none() {
        errln!("note: a bare code carries no state, so it could not be matched to --state");
    }
    let secret = args.app.resolve(&args.login, Some(&args.secret), Need::Required)?.secret;
    let verifier = args.code_verifier.as_deref().map(|v| CodeVerifier::new(v.trim()));
    let redirect_uri = args.redirect_uri.clone().unwrap_or_else(|| host.default_redirect_uri());
    let client = Client::new(host);
    let app = AppCredentials { client_id: client_id.clone(), client_secret: secret.clone() };
    let exchange = CodeExchange { code: &pasted.code, redirect_uri: &redirect_uri, code_verifier: verifier.as_ref() };
    let grant = client.exchange_code(&app, &exchange).await.map_err(|e| {
        let ambiguous = e.is_transient();
        let mut failure = Failure::from(e);
        if ambiguous && let Failure::Failed { fix, .. } = &mut failure {
            *fix = Some(
                "The code may or may not have been used (codes are single use): authorize again for a new code rather than retrying this one."
                    .into(),
            );
        }
        failure
    })?;
    let mut settings =
        settings_from_grant(&client, &client_id, secret, grant, args.out.company_names(), preset).await?;
    if settings.app_kind.is_none() {
        settings.app_kind = named.app_kind;
    }
    deliver(&settings, &args.out)
}
