//! Benchmark (not a test): the wall time of `sfconnect check` over a slow link, in round trips.
//!
//! `cargo build && cargo run --example check_latency -- [LATENCY_MS] [RUNS]` (default 150 ms, 5 runs). The
//! simulator runs in this process and delays every answer by the latency (its `Fault::Slow`, the same as
//! `sfconnect simulate --latency-ms` once that lands); the check runs as the `sfconnect` binary
//! (`SFCONNECT_BIN`, else `target/release/sfconnect`, else `target/debug/sfconnect`) in a child process,
//! exactly as an admin runs it, against a healthy org with the app's name given. Printed: each run's wall time, and the median over the latency, which is about the
//! number of round trips made one after another (process start and local work included). See BENCHMARKS.md.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use sfconnect::salesforce::{
    AppCredentials, AuthorizeOptions, AuthorizeRequest, Client, ClientSecret, CodeExchange, LoginHost, Scopes,
    parse_paste,
};
use sfconnect::settings::{ConnectorSettings, Format, Overwrite, write_settings};
use sfconnect_sim::{Fault, FaultPlan, FaultScope, OrgFixture, SimConfig, Simulator};

type Failure = Box<dyn std::error::Error>;

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().collect();
    let latency = Duration::from_millis(args.get(1).and_then(|n| n.parse().ok()).unwrap_or(150));
    let runs: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(5);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(bench(latency, runs))
}

async fn bench(latency: Duration, runs: usize) -> Result<(), Failure> {
    // The binary to time: SFCONNECT_BIN, else the release build, else the debug one. Round trips dominate
    // the wall time over any real link, so the debug build counts them as well.
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    let binary = std::env::var_os("SFCONNECT_BIN").map(PathBuf::from).unwrap_or_else(|| {
        let release = target.join("release/sfconnect");
        if release.exists() { release } else { target.join("debug/sfconnect") }
    });
    if !binary.exists() {
        return Err(format!("build sfconnect first (cargo build): {} is missing", binary.display()).into());
    }
    println!("timing {}", binary.display());
    let config = SimConfig { org: OrgFixture::healthy(), auto_approve: true, ..SimConfig::default() };
    let sim = Simulator::start(config).await?;
    let dir = tempfile::tempdir()?;
    let settings = dir.path().join("settings.json");
    write_settings(&settings, &settings_for(&sim).await?.render(Format::Json)?, Overwrite::Replace)?;
    sim.set_fault(Some(FaultPlan::always(Fault::Slow(latency), FaultScope::All)));

    let mut walls = Vec::new();
    for run in 1..=runs {
        let before = sim.requests_seen().len();
        let started = Instant::now();
        let out = tokio::process::Command::new(&binary)
            .args(["check", "--json", "--app-name", "sfconnect", "--settings"])
            .arg(&settings)
            .env_remove("SFCONNECT_LOG")
            .output()
            .await?;
        let wall = started.elapsed();
        if !out.status.success() {
            return Err(format!("check failed: {}", String::from_utf8_lossy(&out.stderr)).into());
        }
        let requests = sim.requests_seen().len() - before;
        println!(
            "run {run}: {:.3} s, {requests} requests, {:.2} x the latency",
            wall.as_secs_f64(),
            wall.as_secs_f64() / latency.as_secs_f64()
        );
        walls.push(wall);
    }
    walls.sort();
    let median = walls[walls.len() / 2];
    println!(
        "latency {} ms: median {:.3} s = {:.2} round trips",
        latency.as_millis(),
        median.as_secs_f64(),
        median.as_secs_f64() / latency.as_secs_f64()
    );
    sim.shutdown().await;
    Ok(())
}

/// Authorizes against the simulator (the browser's part played by one GET) and returns the settings `exchange`
/// would write.
async fn settings_for(sim: &Simulator) -> Result<ConnectorSettings, Failure> {
    let client = Client::new(LoginHost::parse(&sim.base_url())?)?;
    let app =
        AppCredentials { client_id: sim.client_id(), client_secret: Some(ClientSecret::new(sim.client_secret())) };
    let options = AuthorizeOptions {
        client_id: app.client_id.clone(),
        redirect_uri: client.host().default_redirect_uri(),
        scopes: Scopes::parse("api refresh_token offline_access"),
        pkce: true,
        force_login: false,
    };
    let request = AuthorizeRequest::new(client.host(), &options)?;
    let response = client.http().get(&request.url).send().await?;
    let landed = response.headers().get("location").and_then(|v| v.to_str().ok()).ok_or("no redirect")?.to_string();
    let pasted = parse_paste(&landed, Some(&request.state))?;
    let exchange = CodeExchange {
        code: &pasted.code,
        redirect_uri: &request.redirect_uri,
        code_verifier: request.code_verifier.as_ref(),
    };
    let grant = client.exchange_code(&app, &exchange).await?;
    let mut settings = ConnectorSettings::from_grant(app.client_id, app.client_secret, &grant, sim.base_url())
        .map_err(|refused| refused.to_string())?;
    settings.app_kind = Some(sfconnect::salesforce::AppKind::ConnectedApp);
    Ok(settings)
}
