//! Shared test plumbing: a simulator on loopback and a client pointed at it. No HTTP is stubbed: every
//! test talks real HTTP to the built-in simulator.
#![allow(dead_code)]

pub mod pty;

use std::time::Duration;

use sfconnect::salesforce::{AppCredentials, Client, ClientSecret, LoginHost};
use sfconnect_sim::{SimConfig, Simulator};

/// A simulator whose key is live at once and whose authorize page approves without a click.
pub fn quick_config() -> SimConfig {
    SimConfig { auto_approve: true, device_interval: Duration::from_millis(50), ..SimConfig::default() }
}

pub async fn start(config: SimConfig) -> Simulator {
    Simulator::start(config).await.expect("simulator starts on loopback")
}

pub fn client_for(sim: &Simulator) -> Client {
    Client::new(LoginHost::parse(&sim.base_url()).expect("loopback host is accepted")).expect("the HTTP client builds")
}

pub fn app_for(sim: &Simulator) -> AppCredentials {
    AppCredentials { client_id: sim.client_id(), client_secret: Some(ClientSecret::new(sim.client_secret())) }
}

/// Follows the authorize URL like a browser whose user clicks Allow, returning where it lands.
pub async fn browser_lands_on(client: &Client, authorize_url: &str) -> String {
    let response = client.http().get(authorize_url).send().await.expect("authorize answers");
    assert_eq!(response.status().as_u16(), 302, "authorize redirects when auto-approving");
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("a Location header")
        .to_string()
}

/// Runs a command of the real binary with `stdin` as its standard input (how secrets and pastes reach it).
pub async fn run_with_stdin(mut cmd: tokio::process::Command, stdin: &str) -> std::process::Output {
    use tokio::io::AsyncWriteExt;
    cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("binary runs");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    child.wait_with_output().await.unwrap()
}

/// A command's output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Authorizes the simulator's app with `scopes` through the web server flow (PKCE, the simulated browser's
/// Allow) and returns the refresh token.
pub async fn authorize_with(sim: &Simulator, scopes: &str) -> sfconnect::salesforce::RefreshToken {
    grant_with(sim, scopes).await.refresh_token.expect("refresh token")
}

/// An access token of the admin, from the simulator's built-in app (as `sf org login web` would give).
pub async fn admin_token(sim: &Simulator) -> String {
    grant_with(sim, "api refresh_token").await.access_token.expose().to_string()
}

/// The whole grant of a web-server flow with PKCE for the simulator's app (the user approves at once): the
/// access token too, as `sf org login web` would give an admin.
pub async fn grant_with(sim: &Simulator, scopes: &str) -> sfconnect::salesforce::TokenGrant {
    use sfconnect::salesforce::{AuthorizeOptions, AuthorizeRequest, CodeExchange, Scopes, parse_paste};
    let client = client_for(sim);
    let options = AuthorizeOptions {
        client_id: sim.client_id(),
        redirect_uri: client.host().default_redirect_uri(),
        scopes: Scopes::parse(scopes),
        pkce: true,
        force_login: false,
    };
    let request = AuthorizeRequest::new(client.host(), &options).unwrap();
    let landed = browser_lands_on(&client, &request.url).await;
    let pasted = parse_paste(&landed, Some(&request.state)).expect("redirect parses");
    let exchange = CodeExchange {
        code: &pasted.code,
        redirect_uri: &request.redirect_uri,
        code_verifier: request.code_verifier.as_ref(),
    };
    client.exchange_code(&app_for(sim), &exchange).await.expect("exchange")
}
