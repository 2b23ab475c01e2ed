//! The simulated org serves every OAuth app it holds, as Salesforce does (issue 13 item 8, issue 11): the
//! configured app and each app a deploy adds answer with their own key, secret, callbacks, scopes and flags, on
//! their own propagation clock, and a code or refresh token works only with the key of the app that issued it.
//! Found in a new-user trial: a deploy replaced the app the simulator served, whose key then got
//! `invalid_client_id`. Apps are deployed over HTTP with the client's package builder; the refusals are read as
//! raw token-endpoint answers.

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use reqwest::StatusCode;
use serde_json::Value;
use sfconnect::salesforce::clock::TokioClock;
use sfconnect::salesforce::eca::credentials::{ReadBack, oauth_apps, read_back};
use sfconnect::salesforce::eca::deploy::{start_deploy, wait_for_deploy};
use sfconnect::salesforce::eca::{EcaRequest, EcaSpec, IpRelaxation, Package, PermittedUsers};
use sfconnect::salesforce::probe::Readiness;
use sfconnect::salesforce::rest::RestClient;
use sfconnect::salesforce::{
    AppCredentials, AuthorizeOptions, AuthorizeRequest, ClientSecret, CodeExchange, Error, Scopes, TokenGrant,
    parse_paste,
};
use sfconnect_sim::{MetadataConfig, OAuthApp, OrgFixture, SimConfig, Simulator};

fn config(propagation: Duration) -> SimConfig {
    SimConfig {
        metadata: MetadataConfig { propagation, deploy_polls: 0, ..MetadataConfig::default() },
        ..quick_config()
    }
}

fn credentials(app: &OAuthApp) -> AppCredentials {
    AppCredentials {
        client_id: app.client_id.clone(),
        client_secret: Some(ClientSecret::new(app.client_secret.clone())),
    }
}

/// The org's app whose key is `client_id`, as the simulator holds it.
fn app_with_key(sim: &Simulator, client_id: &str) -> OAuthApp {
    sim.apps().into_iter().find(|a| a.client_id == client_id).expect("the org holds the app")
}

/// The web server flow with PKCE for `app`, on the simulator's paste-back callback: authorize (the simulated
/// browser allows), then the code exchange with the app's key and secret.
async fn web_flow(sim: &Simulator, app: &AppCredentials, scopes: &str) -> Result<TokenGrant, Error> {
    let client = client_for(sim);
    let options = AuthorizeOptions {
        client_id: app.client_id.clone(),
        redirect_uri: client.host().default_redirect_uri(),
        scopes: Scopes::parse(scopes),
        pkce: true,
        force_login: false,
    };
    let request = AuthorizeRequest::new(client.host(), &options).expect("the authorize request builds");
    let landed = browser_lands_on(&client, &request.url).await;
    let pasted = parse_paste(&landed, Some(&request.state)).expect("the redirect carries a code");
    let exchange = CodeExchange {
        code: &pasted.code,
        redirect_uri: &request.redirect_uri,
        code_verifier: request.code_verifier.as_ref(),
    };
    client.exchange_code(app, &exchange).await
}

/// The admin's REST session, from the configured app.
async fn admin_rest(sim: &Simulator) -> RestClient {
    let first = credentials(&sim.apps()[0]);
    let grant = web_flow(sim, &first, "api refresh_token").await.expect("the configured app signs in");
    RestClient::new(client_for(sim).http().clone(), &sim.base_url(), grant.access_token).unwrap()
}

/// Deploys an External Client App named `name` whose only callback is the simulator's paste-back page, and
/// returns it as the org holds it.
async fn deploy(sim: &Simulator, rest: &RestClient, name: &str, device_flow: bool) -> OAuthApp {
    let spec = EcaSpec::new(&EcaRequest {
        name,
        contact_email: "admin@acme.example",
        callbacks: &[format!("{}/services/oauth2/success", sim.base_url())],
        scope_tokens: &["api".to_string(), "refresh_token".to_string()],
        device_flow,
        ip_relaxation: IpRelaxation::EnforceRelaxRefresh,
        permitted_users: PermittedUsers::AllSelfAuthorized,
    })
    .unwrap();
    let zip = Package::build(&spec).to_zip().unwrap();
    let id = start_deploy(rest, &zip, false).await.unwrap();
    let result = wait_for_deploy(rest, &id, &TokioClock, Duration::from_secs(10), |_| {}).await.unwrap();
    assert!(result.succeeded(), "{name}: {result:?}");
    app_with_key(sim, spec.consumer_key.as_str())
}

async fn token_endpoint(sim: &Simulator, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let url = format!("{}/services/oauth2/token", sim.base_url());
    let response = reqwest::Client::new().post(url).form(form).send().await.unwrap();
    (response.status(), response.json().await.unwrap())
}

fn assert_refused(reply: &(StatusCode, Value), error: &str, description: &str) {
    assert_eq!(reply.0, StatusCode::BAD_REQUEST, "{}", reply.1);
    assert_eq!((reply.1["error"].as_str(), reply.1["error_description"].as_str()), (Some(error), Some(description)));
}

async fn refresh_with(sim: &Simulator, app: &OAuthApp, refresh_token: &str) -> (StatusCode, Value) {
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", &app.client_id),
        ("client_secret", &app.client_secret),
    ];
    token_endpoint(sim, &form).await
}

async fn exchange_with(sim: &Simulator, app: &OAuthApp, code: &str, callback: &str) -> (StatusCode, Value) {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", &app.client_id),
        ("client_secret", &app.client_secret),
        ("redirect_uri", callback),
    ];
    token_endpoint(sim, &form).await
}

/// A code from authorize for `client_id` (no PKCE), or the error of the authorize answer: the `error` of Salesforce's
/// own page, or of the redirect.
async fn authorize_code(sim: &Simulator, client_id: &str, redirect_uri: &str) -> Result<String, String> {
    let response = client_for(sim)
        .http()
        .get(format!("{}/services/oauth2/authorize", sim.base_url()))
        .query(&[("response_type", "code"), ("client_id", client_id), ("redirect_uri", redirect_uri)])
        .send()
        .await
        .unwrap();
    if response.status() != StatusCode::FOUND {
        let page = response.text().await.unwrap();
        return Err(["invalid_client_id", "redirect_uri_mismatch"]
            .into_iter()
            .find(|e| page.contains(e))
            .unwrap_or(page.as_str())
            .to_string());
    }
    let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    let param = |name: &str| location.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    param("code").ok_or_else(|| param("error_description").unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_app_of_the_org_signs_in_and_refreshes_with_its_own_key_and_secret() {
    let sim = start(config(Duration::ZERO)).await;
    let rest = admin_rest(&sim).await;
    let first = sim.apps()[0].clone();
    let one = deploy(&sim, &rest, "App_One", false).await;
    let two = deploy(&sim, &rest, "App_Two", true).await;
    assert_eq!(sim.apps(), vec![first.clone(), one.clone(), two.clone()], "the configured app first, then in order");
    assert_eq!(sim.client_id(), two.client_id, "client_id() names the app added last");

    let client = client_for(&sim);
    let mut refresh_tokens = Vec::new();
    for app in [&first, &one, &two] {
        let creds = credentials(app);
        let grant = web_flow(&sim, &creds, "api refresh_token").await.unwrap_or_else(|e| panic!("{}: {e}", app.label));
        let refresh_token = grant.refresh_token.expect("a refresh token");
        let refreshed = client.refresh(&creds, &refresh_token).await.unwrap_or_else(|e| panic!("{}: {e}", app.label));
        assert_eq!(refreshed.scopes, Scopes::parse("api refresh_token"), "{}", app.label);
        refresh_tokens.push(refresh_token.expose().to_string());
    }

    // A refresh token works with its own app's key only; presented with another key it is "expired", as a
    // refresh against a new consumer key is (forcedotcom/SalesforceMobileSDK-iOS#236), and it is not spent.
    let refused = refresh_with(&sim, &two, &refresh_tokens[1]).await;
    assert_refused(&refused, "invalid_grant", "expired access/refresh token");
    assert_refused(
        &refresh_with(&sim, &first, &refresh_tokens[2]).await,
        "invalid_grant",
        "expired access/refresh token",
    );
    assert_eq!(refresh_with(&sim, &one, &refresh_tokens[1]).await.0, StatusCode::OK, "still App_One's");

    // Another app's secret is not this app's.
    let wrong_secret = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_tokens[1].as_str()),
        ("client_id", &one.client_id),
        ("client_secret", &two.client_secret),
    ];
    assert_refused(&token_endpoint(&sim, &wrong_secret).await, "invalid_client", "invalid client credentials");

    // A code is for the app it was issued to: another key cannot exchange it, its own still can.
    let callback = format!("{}/services/oauth2/success", sim.base_url());
    let code = authorize_code(&sim, &first.client_id, &callback).await.unwrap();
    let other = exchange_with(&sim, &one, &code, &callback).await;
    assert_refused(&other, "invalid_grant", "invalid authorization code");
    assert_eq!(exchange_with(&sim, &first, &code, &callback).await.0, StatusCode::OK, "the code was left for its app");

    // Each app's own switches: device flow is on for App_Two only among the deployed ones.
    let scopes = Scopes::parse("api refresh_token");
    assert!(client.start_device(&two.client_id, &scopes).await.is_ok());
    let off = client.start_device(&one.client_id, &scopes).await.unwrap_err();
    assert!(off.is_device_flow_off(), "{off:?}");

    // The org's objects list each app, and each app's tokens show its own label.
    let rows = rest.query_page::<Value>("SELECT AppName FROM OauthToken").await.unwrap();
    let names: Vec<&str> = rows.records.iter().filter_map(|r| r["AppName"].as_str()).collect();
    for app in [&first, &one, &two] {
        assert!(names.contains(&app.label.as_str()), "{} in {names:?}", app.label);
    }
    let ecas = rest.query_page::<Value>("SELECT DeveloperName FROM ExternalClientApplication").await.unwrap();
    let ecas: Vec<&str> = ecas.records.iter().filter_map(|r| r["DeveloperName"].as_str()).collect();
    assert_eq!(ecas, ["App_One", "App_Two"]);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_app_keeps_its_own_callbacks_pkce_and_install_switch() {
    let sim = start(config(Duration::ZERO)).await;
    let rest = admin_rest(&sim).await;
    let first = sim.apps()[0].clone();
    let deployed = deploy(&sim, &rest, "Strict_App", false).await;

    // The configured app registers login.salesforce.com's page and needs no PKCE; the deployed app neither
    // registers it nor lets a code go without a challenge.
    let login_page = "https://login.salesforce.com/services/oauth2/success";
    assert!(authorize_code(&sim, &first.client_id, login_page).await.is_ok());
    assert_eq!(authorize_code(&sim, &deployed.client_id, login_page).await, Err("redirect_uri_mismatch".into()));
    let own_page = format!("{}/services/oauth2/success", sim.base_url());
    assert_eq!(
        authorize_code(&sim, &deployed.client_id, &own_page).await,
        Err("missing required code challenge".into())
    );

    // Uninstalling one app refuses it alone, through `set_app` or, for the configured app, `set_config`.
    assert!(sim.set_app(&deployed.client_id, |app| app.installed = false));
    let refused = web_flow(&sim, &credentials(&first), "api").await.map(|_| ());
    assert!(refused.is_ok(), "the configured app is untouched: {refused:?}");
    let probe = client_for(&sim).probe(&credentials(&deployed), &own_page).await.unwrap_err();
    assert!(probe.is_app_not_installed(), "{probe:?}");
    sim.set_app(&deployed.client_id, |app| app.installed = true);
    sim.set_config(|c| c.app_installed = false);
    let probe = client_for(&sim).probe(&credentials(&first), &own_page).await.unwrap_err();
    assert!(probe.is_app_not_installed(), "{probe:?}");
    assert!(web_flow(&sim, &credentials(&deployed), "api").await.is_ok(), "the deployed app is untouched");
    assert!(!sim.set_app("3MVG9NoSuchKey", |app| app.installed = false), "no app has that key");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deployed_key_is_refused_until_its_own_propagation_ends_while_the_first_app_keeps_working() {
    let propagation = Duration::from_millis(1500);
    let sim = start(config(propagation)).await;
    let rest = admin_rest(&sim).await;
    let first = credentials(&sim.apps()[0]);
    let client = client_for(&sim);
    let callback = format!("{}/services/oauth2/success", sim.base_url());
    let deployed_at = Instant::now();
    let new = credentials(&deploy(&sim, &rest, "New_App", false).await);

    assert_eq!(client.probe(&new, &callback).await.unwrap(), Readiness::NotLive);
    assert_eq!(authorize_code(&sim, &new.client_id, &callback).await, Err("invalid_client_id".into()));
    let form = [("grant_type", "refresh_token"), ("refresh_token", "5Aep861x"), ("client_id", new.client_id.as_str())];
    assert_refused(&token_endpoint(&sim, &form).await, "invalid_client_id", "client identifier invalid");
    // Meanwhile the first app answers as before.
    assert_eq!(client.probe(&first, &callback).await.unwrap(), Readiness::Ready { secret_checked: true });
    let grant = web_flow(&sim, &first, "api refresh_token").await.expect("the first app keeps working");
    client.refresh(&first, &grant.refresh_token.unwrap()).await.expect("and refreshing");

    let live_after = loop {
        if client.probe(&new, &callback).await.unwrap() != Readiness::NotLive {
            break deployed_at.elapsed();
        }
        assert!(deployed_at.elapsed() < propagation * 4, "the new key never went live");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(live_after >= propagation, "live after {live_after:?}, before its propagation of {propagation:?}");
    assert!(web_flow(&sim, &new, "api refresh_token").await.is_ok());

    // A later deploy starts its own clock; the app already live stays live, and make_live_now ends every clock.
    sim.set_config(|c| c.metadata.propagation = Duration::from_secs(600));
    let later = credentials(&deploy(&sim, &rest, "Later_App", false).await);
    assert_eq!(client.probe(&later, &callback).await.unwrap(), Readiness::NotLive);
    assert_eq!(client.probe(&new, &callback).await.unwrap(), Readiness::Ready { secret_checked: true });
    sim.make_live_now();
    assert!(web_flow(&sim, &later, "api").await.is_ok());
    eprintln!("measured: a deployed key went live {live_after:?} after the deploy (propagation {propagation:?})");
    sim.shutdown().await;
}

/// Tokens the configured app issues after a deploy still show its own name in `OauthToken`, not the deployed
/// app's (the deploy used to take the configured app's place in the org's objects).
#[tokio::test(flavor = "multi_thread")]
async fn the_configured_app_keeps_its_name_after_a_deploy() {
    let sim = start(config(Duration::ZERO)).await;
    let rest = admin_rest(&sim).await;
    let first = sim.apps()[0].clone();
    let deployed = deploy(&sim, &rest, "Named_App", false).await;
    assert_eq!(sim.apps()[0].label, first.label);
    web_flow(&sim, &credentials(&first), "api refresh_token").await.unwrap();
    let rows = rest.query_page::<Value>("SELECT AppName FROM OauthToken").await.unwrap();
    let count = |name: &str| rows.records.iter().filter(|r| r["AppName"] == name).count();
    assert_eq!(count(&first.label), 2, "both of the configured app's tokens: {:?}", rows.records);
    assert_eq!(count(&deployed.label), 0);
    sim.shutdown().await;
}

/// The credentials resources agree with the apps that answer: each External Client App of the org, the
/// configured one included, reads back the very key and secret its OAuth endpoints accept.
#[tokio::test(flavor = "multi_thread")]
async fn each_app_s_credentials_read_back_are_the_ones_it_answers_to() {
    let org = OrgFixture::default().as_external_client_app().with_other_apps();
    let sim = start(SimConfig { org, ..config(Duration::ZERO) }).await;
    let rest = admin_rest(&sim).await;
    let deployed = deploy(&sim, &rest, "Read_Back_App", false).await;
    let listed: Vec<String> = oauth_apps(&rest).await.unwrap().into_iter().map(|a| a.developer_name).collect();
    assert_eq!(listed, ["sfconnect", "Acme_Integration", "Read_Back_App"], "each External Client App once");

    for (name, app) in [("sfconnect", &sim.apps()[0]), ("Read_Back_App", &deployed)] {
        let ReadBack::Pair { key, secret } = read_back(&rest, name, None).await.unwrap() else {
            panic!("{name}: no pair")
        };
        assert_eq!((key.as_str(), secret.expose()), (app.client_id.as_str(), app.client_secret.as_str()), "{name}");
        let creds = AppCredentials { client_id: key.as_str().to_string(), client_secret: Some(secret) };
        assert!(web_flow(&sim, &creds, "api").await.is_ok(), "{name} signs in with what was read back");
    }
    sim.shutdown().await;
}
