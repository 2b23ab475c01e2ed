//! `sfconnect device`: Salesforce's device flow. Prints the user code and the verification URL as soon as
//! it has them, then polls until approval, denial or 10 minutes.

use std::time::Duration;

use clap::Args;

use super::CmdResult;
use super::args::{AppArgs, DEFAULT_SCOPES, LoginArgs, SecretArgs, SettingsOutArgs, scopes_or_default};
use super::output::{deliver, prevalidate, settings_from_grant};
use super::secret_input::Need;
use super::signals::{self, StopSignals};
use crate::salesforce::clock::TokioClock;
use crate::salesforce::device_flow::{DEVICE_LIMIT, DeviceEvent, wait_for_device_approval};
use crate::salesforce::{AppCredentials, Client};

#[derive(Debug, Args)]
pub struct DeviceArgs {
    /// The app (its device flow must be on: "Enable Device Flow" on an External Client App, "Enable for
    /// Device Flow" on a Connected App).
    #[command(flatten)]
    pub app: AppArgs,
    #[command(flatten)]
    pub login: LoginArgs,
    /// Scopes to request, space-separated.
    #[arg(long, value_name = "\"S ...\"", default_value = DEFAULT_SCOPES)]
    pub scope: Option<String>,
    #[command(flatten)]
    pub secret: SecretArgs,
    #[command(flatten)]
    pub out: SettingsOutArgs,
}

pub async fn run(args: DeviceArgs) -> CmdResult {
    let named = args.app.resolve(&args.login, None, Need::Optional)?;
    let (host, client_id) = (named.host, named.client_id);
    let preset = args.out.checked_preset()?;
    // The secret is optional for device polls; it is stored in the settings when given.
    let secret = args.app.resolve(&args.login, Some(&args.secret), Need::Optional)?.secret;
    // A token is made only once the place for it is known to take it.
    let client = Client::new(host)?;
    prevalidate(&client_id, secret.as_ref(), client.host(), args.out.format)?;
    let place = args.out.reserve()?;
    let scopes = scopes_or_default(&args.scope, DEFAULT_SCOPES);
    let device = client.start_device(&client_id, &scopes).await?;
    // A prompt for the person, not a result: stderr, so stdout carries only the summary a script reads.
    errln!("Enter the code {} at {}", device.user_code, device.verification_uri);
    errln!("or open {}", device.verification_uri_complete());
    errln!("Waiting for approval (up to {} minutes; Ctrl-C to stop)...", DEVICE_LIMIT.as_secs() / 60);
    let app = AppCredentials { client_id: client_id.clone(), client_secret: secret.clone() };
    let mut stop = StopSignals::take();
    let waiting = wait_for_device_approval(&client, &app, &device, &TokioClock, DEVICE_LIMIT, |event| match event {
        DeviceEvent::Pending { polls, elapsed } if polls % 6 == 0 => {
            errln!("  still waiting ({}s)", elapsed.as_secs());
        }
        DeviceEvent::SlowDown { interval } => {
            errln!("  Salesforce asked to poll less often: every {}s now", interval.as_secs())
        }
        DeviceEvent::Retrying { message, retry_in } => {
            errln!("  {message}; retrying in {}s", retry_in.as_secs().max(Duration::from_secs(1).as_secs()))
        }
        _ => {}
    });
    // Ctrl-C still ends the wait (it can take minutes); an approval already in hand is written first.
    let grant = match signals::or_stop(&mut stop, waiting).await {
        Ok(grant) => grant?,
        Err(n) => return Err(super::Failure::Signal(n)),
    };
    errln!("Approved.");
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
