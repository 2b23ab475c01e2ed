//! `sfconnect simulate`: the built-in Salesforce simulator, standalone. Its first line on standard output
//! is the base URL, then the demo consumer key and secret, then with `--tls` the path of the CA certificate
//! to trust (or one JSON line with `--json`).

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use super::args::AppKindArg;
use super::{CmdResult, Failure};
use crate::sim::{NEWEST_API_VERSION, ORG_NAMES, OrgFixture, SimConfig, Transport, serve_forever_over};

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
    #[arg(long, value_name = "KIND", value_enum, default_value_t = AppKindArg::ConnectedApp)]
    pub app_kind: AppKindArg,
    /// The newest API version the org serves, as an older org would [default: 68, Winter '27].
    #[arg(long, value_name = "N")]
    pub api_version: Option<u32>,
    /// Uninstalled app: every token request answers invalid_client "app must be installed into org".
    #[arg(long)]
    pub uninstalled: bool,
    /// Delay every answer by this many milliseconds, as a far data centre would (for measuring clients).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Serve https on loopback with a certificate made for this run, signed by a CA whose certificate is
    /// written as a PEM file (its path is printed; point a client at it, e.g. REQUESTS_CA_BUNDLE).
    #[arg(long)]
    pub tls: bool,
    /// With --tls: where to write the CA certificate (a new file; an existing one is not overwritten)
    /// [default: a fresh file in the temporary directory, removed when the simulator stops].
    #[arg(long, value_name = "PATH", requires = "tls")]
    pub ca_out: Option<PathBuf>,
    /// Print {"ok", "base_url", "client_id", "client_secret"} (and "ca_pem_path" with --tls) as one line.
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
    if args.app_kind == AppKindArg::ExternalClientApp {
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
    let transport = if args.tls { Transport::Https } else { Transport::Http };
    let ca_out = args.ca_out;
    // Kept until the simulator stops: a default CA file is removed then (a `--ca-out` one is the user's).
    let mut written: Option<tempfile::TempPath> = None;
    // Set while the CA file is being written, so that a failure there names the file, not the port.
    let mut writing_ca: Option<PathBuf> = None;
    let served = serve_forever_over(config, transport, |sim| {
        let ca_path = match (sim.ca_pem(), &ca_out) {
            (None, _) => None,
            (Some(pem), Some(path)) => {
                writing_ca = Some(path.clone());
                write_new_file(path, pem)?;
                writing_ca = None;
                Some(path.clone())
            }
            (Some(pem), None) => {
                writing_ca = Some(std::env::temp_dir());
                let temp = write_temp_ca(pem)?;
                writing_ca = None;
                let path = temp.to_path_buf();
                written = Some(temp);
                Some(path)
            }
        };
        if json {
            let mut line = serde_json::json!({
                "ok": true,
                "base_url": sim.base_url(),
                "client_id": sim.client_id(),
                "client_secret": sim.client_secret(),
            });
            if let Some(path) = &ca_path {
                line["ca_pem_path"] = serde_json::json!(path.display().to_string());
            }
            outln!("{line}");
        } else {
            outln!("{}", sim.base_url());
            outln!("client_id: {}", sim.client_id());
            outln!("client_secret: {}", sim.client_secret());
            if let Some(path) = &ca_path {
                outln!("ca_pem_path: {}", path.display());
            }
            errln!("Simulated Salesforce org running (these are demo values, not real credentials). Ctrl-C to stop.");
            if let Some(path) = &ca_path {
                errln!(
                    "https with a certificate made for this run: trust {} (SSL_CERT_FILE for sfconnect itself; REQUESTS_CA_BUNDLE for Python, NODE_EXTRA_CA_CERTS for Node).",
                    path.display()
                );
            }
        }
        Ok(())
    })
    .await;
    drop(written);
    served.map_err(|e| match writing_ca {
        Some(path) if e.kind() == std::io::ErrorKind::AlreadyExists => Failure::failed(
            format!("could not write the CA certificate: {} already exists", path.display()),
            "remove it, or name a new file with --ca-out",
        ),
        Some(path) => Failure::failed(
            format!("could not write the CA certificate to {}: {e}", path.display()),
            "name a writable place with --ca-out FILE",
        ),
        None => Failure::failed(
            format!("the simulator could not start: {e}"),
            "pick another --port, or leave it out for a free one",
        ),
    })
}

/// Writes `pem` to `path`, which must not exist yet (the certificate is public, so 0644 is fine).
fn write_new_file(path: &Path, pem: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(pem.as_bytes())?;
    file.sync_all()
}

/// A new file in the temporary directory holding `pem`, removed when the returned path is dropped.
fn write_temp_ca(pem: &str) -> std::io::Result<tempfile::TempPath> {
    let mut file = tempfile::Builder::new().prefix("sfconnect-sim-ca-").suffix(".pem").tempfile()?;
    file.write_all(pem.as_bytes())?;
    file.as_file().sync_all()?;
    Ok(file.into_temp_path())
}
