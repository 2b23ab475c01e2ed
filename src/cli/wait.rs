//! `sfconnect wait`: returns once a new consumer key is live (and, with a secret, accepted), probing
//! every 2–3 s so it returns within seconds of the key going live.

use std::time::{Duration, Instant};

use clap::Args;

use super::args::{LoginArgs, SecretArgs};
use super::secret_input::{Need, client_secret};
use super::url_cmd::checked_client_id;
use super::{CmdResult, Failure};
use crate::salesforce::clock::TokioClock;
use crate::salesforce::probe::{ProbeEvent, Readiness, wait_until_ready};
use crate::salesforce::{AppCredentials, Client};

#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The app's Consumer Key.
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    #[command(flatten)]
    pub login: LoginArgs,
    /// Give up after this many seconds (Salesforce: up to 10 minutes for a Connected App, 15 for an
    /// External Client App).
    #[arg(long, value_name = "SECS", default_value_t = 900)]
    pub timeout: u64,
    /// The callback URL the app registers [default: the login host's success page]. A key that is live
    /// but lacks this callback is reported.
    #[arg(long, value_name = "URI")]
    pub redirect_uri: Option<String>,
    #[command(flatten)]
    pub secret: SecretArgs,
}

pub async fn run(args: WaitArgs) -> CmdResult {
    let host = args.login.host()?;
    let client_id = checked_client_id(&args.client_id)?;
    let secret = client_secret(&args.secret, Need::Optional)?;
    let redirect_uri = args.redirect_uri.clone().unwrap_or_else(|| host.default_redirect_uri());
    let client = Client::new(host);
    let app = AppCredentials { client_id, client_secret: secret };
    let started = Instant::now();
    errln!("Waiting for the consumer key to go live at {} (Ctrl-C to stop)...", client.host());
    let mut callback_told = false;
    let outcome =
        wait_until_ready(&client, &app, &redirect_uri, &TokioClock, Duration::from_secs(args.timeout), |event| {
            match event {
                ProbeEvent::NotLiveYet { attempts, elapsed } if attempts % 10 == 0 => {
                    errln!("  not live yet ({}s)", elapsed.as_secs())
                }
                ProbeEvent::NotLiveYet { .. } => {}
                ProbeEvent::Answered { readiness: Readiness::RedirectNotRegistered, .. } => {
                    if !std::mem::replace(&mut callback_told, true) {
                        errln!("  the consumer key is live, but the app lacks this callback URL. Add this line to");
                        errln!("  the app's Callback URL field, save, and the wait goes on by itself:");
                        errln!("{redirect_uri}");
                    }
                }
                ProbeEvent::Answered { .. } => errln!("  Salesforce knows the key; confirming on another request"),
                ProbeEvent::Retrying { message, retry_in } => {
                    errln!("  {message}; retrying in {}s", retry_in.as_secs().max(1))
                }
                ProbeEvent::Unreachable { message, retry_in } => {
                    errln!("  cannot reach Salesforce ({message}); next try in {}s", retry_in.as_secs().max(1))
                }
            }
        })
        .await?;
    let waited = started.elapsed().as_secs_f32();
    match outcome {
        Readiness::Ready { secret_checked: true } => {
            outln!("The consumer key is live and the secret is accepted (after {waited:.1}s).");
            Ok(())
        }
        Readiness::Ready { secret_checked: false } => {
            outln!("The consumer key is live (after {waited:.1}s). No secret was given, so it was not checked.");
            Ok(())
        }
        Readiness::SecretRejected => Err(Failure::failed(
            "the consumer key is live, but Salesforce rejected the consumer secret",
            "copy the Consumer Secret again from Manage Consumer Details (after Apply, if you generated staged values)",
        )),
        Readiness::RedirectNotRegistered => Err(Failure::failed(
            format!("the consumer key is live, but the callback URL {redirect_uri} is not registered on the app"),
            "add it to the app's Callback URL field (one per line) and save, or pass --redirect-uri with the one it has",
        )),
        Readiness::NotLive => {
            Err(Failure::failed("the consumer key did not go live in time", "check the key, and wait longer"))
        }
    }
}
