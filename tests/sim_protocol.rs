//! The simulator speaks Salesforce's protocol (shared/salesforce-protocol.md): driven over real HTTP with reqwest,
//! never through the crate's own client, so these tests check the simulator alone.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::Value;
use sfconnect_sim::{Approval, Fault, FaultPlan, FaultScope, SimConfig, Simulator, UserFixture};

const REDIRECT: &str = "http://localhost:1717/OauthRedirect";

fn http() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).timeout(Duration::from_secs(5)).build().unwrap()
}

/// An app that approves by itself, with the tests' loopback callback registered (Salesforce matches callbacks
/// exactly, and so does the simulator).
fn auto() -> SimConfig {
    SimConfig { auto_approve: true, ..registered() }
}

/// The default app with [`REDIRECT`] registered.
fn registered() -> SimConfig {
    let mut config = SimConfig::default();
    config.callback_urls.push(REDIRECT.to_string());
    config
}

/// Runs authorize and returns the redirect `Location`, parsed.
async fn authorize(sim: &Simulator, extra: &[(&str, &str)]) -> url::Url {
    let mut params = vec![
        ("response_type", "code".to_string()),
        ("client_id", sim.client_id()),
        ("redirect_uri", REDIRECT.to_string()),
        ("state", "st4te".to_string()),
    ];
    params.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    let response =
        http().get(format!("{}/services/oauth2/authorize", sim.base_url())).query(&params).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap();
    url::Url::parse(location).unwrap()
}

fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

async fn code(sim: &Simulator, extra: &[(&str, &str)]) -> String {
    param(&authorize(sim, extra).await, "code").expect("a code in the redirect")
}

async fn token(sim: &Simulator, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = http().post(format!("{}/services/oauth2/token", sim.base_url())).form(form).send().await.unwrap();
    let status = response.status();
    let content_type = response.headers()["content-type"].to_str().unwrap().to_string();
    assert_eq!(content_type, "application/json;charset=UTF-8");
    (status, response.json().await.unwrap())
}

async fn exchange(sim: &Simulator, code: &str, extra: &[(&str, &str)]) -> (StatusCode, Value) {
    let (id, secret) = (sim.client_id(), sim.client_secret());
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", &id),
        ("client_secret", &secret),
        ("redirect_uri", REDIRECT),
    ];
    form.extend_from_slice(extra);
    token(sim, &form).await
}

fn assert_oauth_error(reply: &(StatusCode, Value), error: &str, description: &str) {
    assert_eq!(reply.0, StatusCode::BAD_REQUEST, "{}", reply.1);
    assert_eq!(reply.1["error"], error, "{}", reply.1);
    assert_eq!(reply.1["error_description"], description);
}

async fn access_token(sim: &Simulator) -> String {
    let code = code(sim, &[]).await;
    let (status, body) = exchange(sim, &code, &[]).await;
    assert_eq!(status, StatusCode::OK);
    body["access_token"].as_str().unwrap().to_string()
}

async fn rest(sim: &Simulator, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut request = http().get(format!("{}{path}", sim.base_url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[path = "sim_protocol/app_state.rs"]
mod app_state;
#[path = "sim_protocol/apps.rs"]
mod apps;
#[path = "sim_protocol/device.rs"]
mod device;
#[path = "sim_protocol/faults.rs"]
mod faults;
#[path = "sim_protocol/memory.rs"]
mod memory;
#[path = "sim_protocol/rest.rs"]
mod rest;
#[path = "sim_protocol/sessions.rs"]
mod sessions;
#[path = "sim_protocol/tokens.rs"]
mod tokens;
#[path = "sim_protocol/versions.rs"]
mod versions;
#[path = "sim_protocol/web_flow.rs"]
mod web_flow;
