//! `sfconnect simulate`: the built-in Salesforce simulator, standalone. Its first line on standard output
//! is the base URL, then the demo consumer key and secret (or one JSON line with `--json`).

use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;

use super::{CmdResult, Failure};
use crate::sim::{NEWEST_API_VERSION, ORG_NAMES, OrgFixture, SimConfig, serve_forever};

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Port to listen on, on 127.0.0.1 [default: a free one].
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
    /// The consumer key goes live this many seconds after start (as a new app does after ~10 minutes).
    #[arg(long, value_name = "SECS", default_value_t = 0)]
    pub live_after: u64,
    /// Approve at once: the authorize page redirects without a click, and a device code is approved at
    /// its second poll.
    #[arg(long)]
    pub auto_approve: bool,
    /// Which org to serve: healthy (the default), api-disabled, platform-licence, missing-permission-columns,
    /// five-tokens, low-api-budget, many-users, external-client-app or other-apps.
    #[arg(long, value_name = "NAME", default_value = "healthy")]
    pub org: String,
    /// How many users `--org many-users` has (besides the logged-in one).
    #[arg(long, value_name = "N", default_value_t = 5000)]
    pub users: usize,
    /// Make the app an External Client App (`external-client-app`) instead of a Connected App
    /// (`connected-app`, the default; `--org external-client-app` is one already).
    #[arg(long, value_name = "KIND", default_value = "connected-app", value_parser = ["connected-app", "external-client-app"])]
    pub app_kind: String,
    /// The newest API version the org serves, as an older org would [default: 68, Winter '27].
    #[arg(long, value_name = "N")]
    pub api_version: Option<u32>,
    /// Uninstalled app: every token request answers invalid_client "app must be installed into org".
    #[arg(long)]
    pub uninstalled: bool,
    /// Delay every answer by this many milliseconds, as a far data centre would (for measuring clients).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Print {"base_url", "client_id", "client_secret"} as one line.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: SimulateArgs) -> CmdResult {
    let Some(mut org) = OrgFixture::named(&args.org, args.users) else {
        let names: Vec<&str> = ORG_NAMES.iter().map(|(name, _)| *name).collect();
        return Err(Failure::Usage(format!("unknown --org `{}`, expected one of {}", args.org, names.join(", "))));
    };
    if let Some(version) = args.api_version.filter(|v| !(31..=NEWEST_API_VERSION).contains(v)) {
        return Err(Failure::Usage(format!(
            "--api-version {version} is not one Salesforce serves: give 31 to {NEWEST_API_VERSION}"
        )));
    }
    if args.app_kind == "external-client-app" {
        org = org.as_external_client_app();
    }
    let config = SimConfig {
        org,
        newest_api_version: args.api_version.unwrap_or(NEWEST_API_VERSION),
        app_installed: !args.uninstalled,
        bind: SocketAddr::from(([127, 0, 0, 1], args.port.unwrap_or(0))),
        live_after: Duration::from_secs(args.live_after),
        auto_approve: args.auto_approve,
        latency: Duration::from_millis(args.latency_ms),
        ..SimConfig::default()
    };
    let json = args.json;
    serve_forever(config, move |sim| {
        if json {
            let line = serde_json::json!({
                "base_url": sim.base_url(),
                "client_id": sim.client_id(),
                "client_secret": sim.client_secret(),
            });
            outln!("{line}");
        } else {
            outln!("{}", sim.base_url());
            outln!("client_id: {}", sim.client_id());
            outln!("client_secret: {}", sim.client_secret());
            errln!("Simulated Salesforce org running (these are demo values, not real credentials). Ctrl-C to stop.");
        }
    })
    .await
    .map_err(|e| {
        Failure::failed(
            format!("the simulator could not start: {e}"),
            "pick another --port, or leave it out for a free one",
        )
    })
}
