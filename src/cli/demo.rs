//! `sfconnect --demo` (until the full-screen wizard lands): the whole flow against the built-in
//! simulator, narrated step by step: wait for the new key, authorize, exchange, verify, hand over.

use std::time::{Duration, Instant};

use super::output::print_summary;
use super::{CmdResult, Failure};
use crate::salesforce::clock::TokioClock;
use crate::salesforce::probe::{ProbeEvent, Readiness, wait_until_ready};
use crate::salesforce::rest::RestClient;
use crate::salesforce::{
    AppCredentials, AuthorizeOptions, AuthorizeRequest, Client, ClientSecret, CodeExchange, LoginHost, Scopes,
    parse_paste,
};
use crate::settings::ConnectorSettings;
use crate::sim::{SimConfig, Simulator};

pub async fn run() -> CmdResult {
    let config = SimConfig { live_after: Duration::from_secs(4), auto_approve: true, ..SimConfig::default() };
    let sim = Simulator::start(config)
        .await
        .map_err(|e| Failure::failed(format!("the simulator could not start: {e}"), ""))?;
    outln!("sfconnect demo: a simulated Salesforce org is running at {}", sim.base_url());
    outln!("Its app was just created, so its consumer key is not live yet (a real one takes up to 10 minutes).\n");
    let host = LoginHost::parse(&sim.base_url()).map_err(crate::salesforce::Error::from)?;
    let client = Client::new(host.clone())?;
    let app =
        AppCredentials { client_id: sim.client_id(), client_secret: Some(ClientSecret::new(sim.client_secret())) };
    let redirect_uri = host.default_redirect_uri();

    outln!("1. Waiting for the consumer key to go live (probing every 2-3 s)...");
    let started = Instant::now();
    let ready = wait_until_ready(&client, &app, &redirect_uri, &TokioClock, Duration::from_secs(60), |e| {
        if let ProbeEvent::NotLiveYet { elapsed, .. } = e {
            outln!("   not live yet ({}s)", elapsed.as_secs());
        }
    })
    .await?;
    if ready != (Readiness::Ready { secret_checked: true }) {
        return Err(Failure::failed(format!("unexpected probe answer: {ready:?}"), ""));
    }
    outln!("   live, and the secret is accepted, after {:.1}s.\n", started.elapsed().as_secs_f32());

    let scopes = Scopes::parse("api refresh_token offline_access");
    let request = AuthorizeRequest::new(
        &host,
        &AuthorizeOptions {
            client_id: app.client_id.clone(),
            redirect_uri: redirect_uri.clone(),
            scopes,
            pkce: true,
            force_login: false,
        },
    )?;
    outln!("2. Authorize: the admin opens this URL and clicks Allow (the demo org approves by itself):");
    outln!("   {}\n", request.url);
    let answer = client
        .http()
        .get(&request.url)
        .send()
        .await
        .map_err(|e| Failure::failed(format!("the authorize request failed: {e}"), ""))?;
    let landed = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Failure::failed("the simulator did not redirect", ""))?
        .to_string();
    let pasted = parse_paste(&landed, Some(&request.state)).map_err(crate::salesforce::Error::from)?;
    outln!("3. The browser lands on the callback; the admin pastes its address. Code found, state matches.\n");

    let exchange =
        CodeExchange { code: &pasted.code, redirect_uri: &redirect_uri, code_verifier: request.code_verifier.as_ref() };
    let grant = client.exchange_code(&app, &exchange).await?;
    outln!("4. Code exchanged (POST body, never a URL): {} scopes granted, refresh token issued.", grant.scopes.len());
    let refresh_token = grant.refresh_token.clone().ok_or_else(|| Failure::failed("no refresh token", ""))?;
    let refreshed = client.refresh(&app, &refresh_token).await?;
    let rest = RestClient::new(client.http().clone(), &refreshed.instance_url, refreshed.access_token.clone())?;
    let identity = rest.identity(&refreshed.id_url).await?;
    let org = rest.organization().await?;
    outln!("5. The refresh token works: connected as {} to {} ({}).\n", identity.username, org.name, org.edition);

    let mut settings =
        ConnectorSettings::from_grant(app.client_id.clone(), app.client_secret.clone(), &grant, host.origin())
            .map_err(|e| Failure::failed(e.to_string(), e.fix()))?;
    settings.username = Some(identity.username.clone());
    // The demo asks for the generic preset's scopes (api refresh_token offline_access).
    settings.preset = Some("generic".to_string());
    outln!("6. The settings a connector asks for (secrets masked):\n");
    print_summary(&settings);
    outln!(
        "\nWith a real org: `sfconnect exchange ... --output settings.json`, then `sfconnect check --settings settings.json`."
    );
    sim.shutdown().await;
    Ok(())
}
