//! `sfconnect exchange`: the pasted redirect URL (or bare code) in, connector settings out.
//!
//! Everything that can be checked is checked before the single-use code is spent: the place for the
//! settings (see `output.rs`), the format, the state, and the callback (from `--redirect-uri`, the
//! `--flow` JSON of `sfconnect url --json`, or the pasted address itself).

use std::path::PathBuf;

use clap::Args;

use super::args::{AppArgs, LoginArgs, SecretArgs, SettingsOutArgs};
use super::output::{deliver, prevalidate, settings_from_grant};
use super::secret_input::{Need, read_bounded_stdin, value_or_stdin};
use super::signals::{self, StopSignals};
use super::{CmdResult, Failure};
use crate::salesforce::{AppCredentials, Client, CodeExchange, CodeVerifier, LoginHost, parse_paste};

#[derive(Debug, Args)]
pub struct ExchangeArgs {
    #[command(flatten)]
    pub app: AppArgs,
    /// The address the browser landed on after Allow, or the bare code, as copied (encoded or not).
    /// `-` reads it from standard input, which keeps it out of shell history and `ps`.
    #[arg(long, value_name = "CODE_OR_REDIRECT_URL")]
    pub code: String,
    /// The JSON printed by `sfconnect url --json` (a file, or `-` for standard input): its state,
    /// code_verifier, redirect_uri and login_url are used, so the exchange matches the authorize request.
    #[arg(long, value_name = "FILE")]
    pub flow: Option<PathBuf>,
    #[command(flatten)]
    pub login: LoginArgs,
    /// The callback URL used in the authorize request [default: the one in --flow, else the address
    /// pasted with --code, else the login host's success page].
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

/// What `sfconnect url --json` printed. No `Debug`: it holds the PKCE verifier as plain text.
#[derive(Default, serde::Deserialize)]
struct Flow {
    state: Option<String>,
    code_verifier: Option<String>,
    redirect_uri: Option<String>,
    login_url: Option<String>,
}

impl Drop for Flow {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        if let Some(v) = &mut self.code_verifier {
            v.zeroize();
        }
    }
}

pub async fn run(mut args: ExchangeArgs) -> CmdResult {
    let flow = read_flow(&args)?;
    let state = agree("--state", args.state.take(), flow.state.clone())?;
    let verifier_text = agree("--code-verifier", args.code_verifier.clone(), flow.code_verifier.clone())?;
    let chosen_callback = agree("--redirect-uri", args.redirect_uri.clone(), flow.redirect_uri.clone())?;
    let login = LoginArgs { login_url: args.login.login_url.clone().or_else(|| flow.login_url.clone()) };
    if let (Some(given), Some(recorded)) = (&args.login.login_url, &flow.login_url)
        && LoginHost::parse(given).ok().map(|h| h.origin().to_string())
            != LoginHost::parse(recorded).ok().map(|h| h.origin().to_string())
    {
        return Err(Failure::Usage(format!(
            "--login-url {given} is not the login URL of the --flow ({recorded}): the code was issued there"
        )));
    }
    // The secret is asked for below, once the place for the settings is proven.
    let named = args.app.resolve(&login, None, Need::Optional)?;
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
    let secret = args.app.resolve(&login, Some(&args.secret), Need::Required)?.secret;
    // The code is single use: where the settings go, that the format can carry the values and that
    // HTTPS can be set up are proven before it is spent.
    let client = Client::new(host.clone())?;
    prevalidate(&client_id, secret.as_ref(), &host, args.out.format)?;
    let place = args.out.reserve()?;
    let pasted_text = zeroize::Zeroizing::new(value_or_stdin(&args.code, "redirect URL or code")?);
    let pasted = parse_paste(&pasted_text, state.as_deref()).map_err(crate::salesforce::Error::from)?;
    if state.is_some() && pasted.state.is_none() {
        errln!("note: a bare code carries no state, so it could not be matched to --state");
    }
    let redirect_uri = callback_for(chosen_callback.as_deref(), &pasted_text, &host)?;
    let verifier = verifier_text.as_deref().map(|v| CodeVerifier::new(v.trim()));
    let app = AppCredentials { client_id: client_id.clone(), client_secret: secret.clone() };
    let exchange = CodeExchange { code: &pasted.code, redirect_uri: &redirect_uri, code_verifier: verifier.as_ref() };
    // From the moment the code is sent until the token is on disk, a signal waits its turn.
    let mut stop = StopSignals::take();
    let grant = signals::finish(&mut stop, client.exchange_code(&app, &exchange)).await.map_err(exchange_failure)?;
    let mut settings =
        settings_from_grant(&client_id, secret, &grant, client.host().origin(), args.out.company_names(), preset)?;
    // The app's kind and name, from `--settings`, so `check` grades this app's policies and names its pages.
    if settings.app_kind.is_none() {
        settings.app_kind = named.app_kind;
    }
    if settings.app_name.is_none() {
        settings.app_name = named.app_name;
    }
    deliver(&client, &grant, settings, place, &args.out, &mut stop).await
}

/// A failed exchange, with what it means for the code: never sent (still good), or maybe used.
fn exchange_failure(e: crate::salesforce::Error) -> Failure {
    let unsent = e.is_unsent();
    let ambiguous = e.is_transient() && !unsent;
    let mut failure = Failure::from(e);
    if let Failure::Failed { fix, .. } = &mut failure {
        if unsent {
            *fix = Some(format!(
                "{} The code never reached Salesforce, so it is unused: once the connection works, run the same command again with the same pasted address (codes expire after about 15 minutes).",
                fix.as_deref().unwrap_or_default()
            ).trim_start().to_string());
        } else if ambiguous {
            *fix = Some(
                "The code may or may not have been used (codes are single use): authorize again for a new code rather than retrying this one."
                    .into(),
            );
        }
    }
    failure
}

/// `--flow FILE` or `--flow -`, read with a limit (it is a few hundred bytes).
fn read_flow(args: &ExchangeArgs) -> Result<Flow, Failure> {
    let Some(path) = &args.flow else { return Ok(Flow::default()) };
    let text = if path.as_os_str() == "-" {
        if args.code == "-" {
            return Err(Failure::Usage(
                "--flow - and --code - cannot both read standard input: give the flow as a file".into(),
            ));
        }
        read_bounded_stdin("flow JSON")?
    } else {
        let (_, text) = crate::settings::read_small_file(path, 64 * 1024)
            .map_err(|e| Failure::failed(format!("--flow {e}"), "give the file `sfconnect url --json` printed"))?;
        text
    };
    serde_json::from_str::<Flow>(&text).map_err(|e| {
        Failure::failed(
            format!(
                "--flow: not the JSON of `sfconnect url --json` ({})",
                crate::salesforce::http::fold_untrusted(&e.to_string())
            ),
            "give the file `sfconnect url --json` printed, unchanged",
        )
    })
}

/// One value from a flag or the flow JSON: both may be given only if they agree.
fn agree(flag: &str, given: Option<String>, recorded: Option<String>) -> Result<Option<String>, Failure> {
    match (given, recorded) {
        (Some(g), Some(r)) if g.trim() != r.trim() => {
            Err(Failure::Usage(format!("{flag} differs from the value in --flow: give one of them")))
        }
        (g, r) => Ok(g.or(r)),
    }
}

/// The callback the code was issued for: the chosen one, checked against the pasted address (a mismatch
/// would spend the code on a `redirect_uri_mismatch`), else the pasted address's own, else the login
/// host's success page.
fn callback_for(chosen: Option<&str>, pasted: &str, host: &LoginHost) -> Result<String, Failure> {
    let landed = landed_callback(pasted);
    match (chosen, landed) {
        (Some(chosen), Some(landed)) if !same_callback(chosen, &landed) => Err(Failure::failed(
            format!("the pasted address came back to {landed}, but the callback for this exchange is {chosen}"),
            "the code was not sent: pass the callback the authorize URL used (or --flow with its JSON), or authorize again",
        )),
        (Some(chosen), _) => Ok(chosen.trim().to_string()),
        (None, Some(landed)) => Ok(landed),
        (None, None) => Ok(host.default_redirect_uri()),
    }
}

/// The callback a pasted redirect address landed on: everything before its `?` or `#`.
fn landed_callback(pasted: &str) -> Option<String> {
    let text = pasted.trim();
    if !text.contains("://") {
        return None;
    }
    let end = text.find(['?', '#']).unwrap_or(text.len());
    let url = url::Url::parse(&text[..end]).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| text[..end].to_string())
}

/// Equal as URLs (case of the host, a default port, an empty path), as the browser may have shown it.
fn same_callback(a: &str, b: &str) -> bool {
    match (url::Url::parse(a.trim()), url::Url::parse(b.trim())) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.trim() == b.trim(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_callback_comes_from_the_paste_and_a_mismatch_is_refused() {
        let host = LoginHost::production();
        let pasted = "https://login.salesforce.com/services/oauth2/success?code=aPrx&state=s";
        assert_eq!(callback_for(None, pasted, &host).unwrap(), "https://login.salesforce.com/services/oauth2/success");
        let local = "http://localhost:8123/OauthRedirect?code=aPrx";
        assert_eq!(callback_for(None, local, &host).unwrap(), "http://localhost:8123/OauthRedirect");
        assert_eq!(callback_for(None, "aPrxBareCode", &host).unwrap(), host.default_redirect_uri());
        assert!(callback_for(Some("http://localhost:9999/OauthRedirect"), local, &host).is_err());
        assert_eq!(
            callback_for(Some("http://LOCALHOST:8123/OauthRedirect"), local, &host).unwrap(),
            "http://LOCALHOST:8123/OauthRedirect",
            "the same URL written otherwise"
        );
        assert!(agree("--state", Some("a".into()), Some("b".into())).is_err());
        assert_eq!(agree("--state", None, Some("b".into())).unwrap().as_deref(), Some("b"));
    }
}
