//! Benchmark (not a test): the prerequisite checks and the preview against a simulated org of many users.
//!
//! `cargo run --release --example check_50k -- [USERS]` (default 50 000). The simulator runs in a child process
//! (this program again, with `--serve`), so the peak memory printed for the checks is the checking process's
//! alone: `VmHWM` from `/proc/self/status`. The simulator's own peak is printed too. See BENCHMARKS.md.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sfconnect::checks::preview::{ACTIVE_USERS_QUERY, EMAILS_QUERY};
use sfconnect::checks::{CheckContext, DomainTally, refresh_and_probe, run_checks};
use sfconnect::presets::bundled;
use sfconnect::salesforce::rest::RestClient;
use sfconnect::salesforce::{
    AppCredentials, AuthorizeOptions, AuthorizeRequest, Client, ClientSecret, CodeExchange, LoginHost, Scopes,
    parse_paste,
};
use sfconnect_sim::{OrgFixture, SAMPLE_DOMAINS, SimConfig, serve_forever};

type Failure = Box<dyn std::error::Error>;

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    if args.get(1).map(String::as_str) == Some("--serve") {
        let users: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(50_000);
        return runtime.block_on(serve(users));
    }
    let users: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(50_000);
    let mut child =
        Command::new(std::env::current_exe()?).args(["--serve", &users.to_string()]).stdout(Stdio::piped()).spawn()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().ok_or("no stdout")?).read_line(&mut line)?;
    let sim: serde_json::Value = serde_json::from_str(&line)?;
    let outcome = runtime.block_on(check(&sim, users));
    let sim_peak = vm_hwm_kib(&format!("/proc/{}/status", child.id()));
    child.kill()?;
    child.wait()?;
    let (wall, report_users, domains) = outcome?;
    println!("users in the org:        {}", users + 1);
    println!("users counted:           {report_users} over {domains} domains");
    println!("wall time (checks):      {:.3} s", wall.as_secs_f64());
    println!("peak RSS, checks:        {} KiB (VmHWM)", vm_hwm_kib("/proc/self/status").unwrap_or(0));
    println!("peak RSS, simulator:     {} KiB (VmHWM, separate process)", sim_peak.unwrap_or(0));
    Ok(())
}

async fn serve(users: usize) -> Result<(), Failure> {
    let config =
        SimConfig { org: OrgFixture::with_users(users, SAMPLE_DOMAINS), auto_approve: true, ..Default::default() };
    serve_forever(config, |sim| {
        let line = serde_json::json!({"base_url": sim.base_url(), "client_id": sim.client_id(), "client_secret": sim.client_secret()});
        println!("{line}");
    })
    .await?;
    Ok(())
}

/// Authorizes (not timed), then times the refresh, the checks and the preview as `sfconnect check` runs them.
async fn check(sim: &serde_json::Value, users: usize) -> Result<(Duration, u64, usize), Failure> {
    let field = |name: &str| sim[name].as_str().map(str::to_string).ok_or(format!("no {name}"));
    let client = Client::new(LoginHost::parse(&field("base_url")?)?)?;
    let app = AppCredentials {
        client_id: field("client_id")?,
        client_secret: Some(ClientSecret::new(field("client_secret")?)),
    };
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
    let token = client.exchange_code(&app, &exchange).await?.refresh_token.ok_or("no refresh token")?;

    let started = Instant::now();
    let outcome = refresh_and_probe(&client, &app, &token).await;
    let grant = outcome.grant.ok_or("the refresh failed")?;
    let rest = RestClient::new(client.http().clone(), &grant.instance_url, grant.access_token.clone())?
        .at_newest_version()
        .await;
    let preset = bundled().into_iter().find(|p| p.id == "snow-atlas").ok_or("no snow-atlas preset")?;
    let ctx = CheckContext {
        id_url: grant.id_url.clone(),
        granted_scopes: grant.scopes.clone(),
        login_kind: client.host().kind(),
        preset,
        app_name: None,
        app_kind: None,
        device_flow_used: false,
        refreshed: true,
    };
    let report = run_checks(&rest, ctx, |_| {}).await;
    let wall = started.elapsed();

    // Not part of the timed run: the two user-sized reads on their own, to show where the time goes.
    let alone = Instant::now();
    let mut tally = DomainTally::default();
    let pages = std::cell::Cell::new(0u32);
    rest.query_each(EMAILS_QUERY, |page| {
        pages.set(pages.get() + 1);
        tally.add_page(page)
    })
    .await?;
    println!("streaming the emails alone: {:.3} s, {} pages", alone.elapsed().as_secs_f64(), pages.get());
    let alone = Instant::now();
    rest.query_page::<serde_json::Value>(ACTIVE_USERS_QUERY).await?;
    println!("COUNT() of active users alone: {:.3} s", alone.elapsed().as_secs_f64());
    let preview = report.preview.ok_or("no preview")?;
    if preview.users != users as u64 + 1 {
        return Err(format!("counted {} users of {}", preview.users, users + 1).into());
    }
    Ok((wall, preview.users, preview.domains.len()))
}

fn vm_hwm_kib(status_path: &str) -> Option<u64> {
    let status = std::fs::read_to_string(status_path).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
