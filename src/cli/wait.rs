//! `sfconnect wait`: returns once a new consumer key is live (and, with a secret, accepted), probing
//! every 2–3 s so it returns within seconds of the key going live.

use std::time::{Duration, Instant};

use clap::Args;

use super::args::{AppArgs, LoginArgs, SecretArgs};
use super::secret_input::Need;
use super::{CmdResult, Failure};
use crate::salesforce::clock::TokioClock;
use crate::salesforce::probe::{ProbeEvent, Readiness, wait_until_ready};
use crate::salesforce::{AppCredentials, Client};

#[derive(Debug, Args)]
pub struct WaitArgs {
    #[command(flatten)]
    pub app: AppArgs,
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
    let resolved = args.app.resolve(&args.login, Some(&args.secret), Need::Optional)?;
    let (host, client_id, secret) = (resolved.host, resolved.client_id, resolved.secret);
    let redirect_uri = args.redirect_uri.clone().unwrap_or_else(|| host.default_redirect_uri());
    let client = Client::new(host)?;
    let app = AppCredentials { client_id, client_secret: secret };
    let started = Instant::now();
    errln!("Waiting for the consumer key to go live at {} (Ctrl-C to stop)...", client.host());
    // The fact and its shape: whether a secret is checked, never the key's or the secret's text.
    tracing::info!(
        host = client.host().origin(),
        secret_given = app.client_secret.is_some(),
        timeout_s = args.timeout,
        "wait started"
    );
    let mut callback_told = false;
    let limit = Duration::from_secs(args.timeout);
    let waiting = wait_until_ready(&client, &app, &redirect_uri, &TokioClock, limit, |event| {
        log_probe_event(&event);
        tell_probe_event(event, &redirect_uri, &mut callback_told)
    });
    // The limit bounds the whole wait, a request in flight included: a server that accepts the
    // connection and never answers would otherwise hold each probe for the client's 30 s.
    let Ok(outcome) = tokio::time::timeout(limit, waiting).await else {
        tracing::warn!(timeout_s = args.timeout, "wait ended: no answer settled it in time");
        return Err(Failure::failed(
            format!(
                "Cannot reach Salesforce: no answer from {} settled the wait within {} s (the consumer key was not checked)",
                client.host(),
                args.timeout
            ),
            "check that the Login URL is reachable from here (a proxy? HTTPS_PROXY), then run wait again, with a longer --timeout if the key is new",
        ));
    };
    let waited = started.elapsed().as_secs_f32();
    let outcome = outcome.inspect_err(|e| tracing::warn!(error = %e.explain().headline, waited, "wait failed"))?;
    tracing::info!(?outcome, waited, "wait done");
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

/// The log line of a probe's event: "not live yet" at debug, an answer at info, trouble at warn.
fn log_probe_event(event: &ProbeEvent) {
    match event {
        ProbeEvent::NotLiveYet { attempts, elapsed } => {
            tracing::debug!(attempts, elapsed_s = elapsed.as_secs(), "not live yet")
        }
        ProbeEvent::Answered { readiness, attempts } => tracing::info!(?readiness, attempts, "probe answered"),
        ProbeEvent::Retrying { message, retry_in } => {
            tracing::warn!(%message, retry_in_s = retry_in.as_secs(), "passing failure, retrying")
        }
        ProbeEvent::Unreachable { message, retry_in } => {
            tracing::warn!(%message, retry_in_s = retry_in.as_secs(), "cannot reach Salesforce")
        }
    }
}

/// What a person watching is told of a probe's event, on standard error.
fn tell_probe_event(event: ProbeEvent, redirect_uri: &str, callback_told: &mut bool) {
    match event {
        ProbeEvent::NotLiveYet { attempts, elapsed } if attempts % 10 == 0 => {
            errln!("  not live yet ({}s)", elapsed.as_secs())
        }
        ProbeEvent::NotLiveYet { .. } => {}
        ProbeEvent::Answered { readiness: Readiness::RedirectNotRegistered, .. } => {
            if !std::mem::replace(callback_told, true) {
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
}
