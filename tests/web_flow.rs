//! The web server flow end to end over HTTP against the simulator: authorize, paste back, exchange,
//! refresh, revoke. Issue #3.

use crate::common;

use std::time::Duration;

use common::*;
use sfconnect::salesforce::{
    AppCredentials, AuthorizeOptions, AuthorizeRequest, ClientSecret, CodeExchange, Error, Scopes, parse_paste,
};
use sfconnect_sim::SimConfig;

fn options(sim: &sfconnect_sim::Simulator, client: &sfconnect::salesforce::Client, pkce: bool) -> AuthorizeOptions {
    AuthorizeOptions {
        client_id: sim.client_id(),
        redirect_uri: client.host().default_redirect_uri(),
        scopes: Scopes::parse("api refresh_token"),
        pkce,
        force_login: false,
    }
}

#[tokio::test]
async fn pasted_redirect_url_gives_a_working_refresh_token() {
    let sim = start(quick_config()).await;
    let client = client_for(&sim);
    let app = app_for(&sim);
    let request = AuthorizeRequest::new(client.host(), &options(&sim, &client, true)).unwrap();
    let landed = browser_lands_on(&client, &request.url).await;
    assert!(landed.contains("%3D%3D"), "the code arrives %-encoded in the address: {landed}");

    let pasted = parse_paste(&landed, Some(&request.state)).expect("the redirect parses");
    let exchange = CodeExchange {
        code: &pasted.code,
        redirect_uri: &request.redirect_uri,
        code_verifier: request.code_verifier.as_ref(),
    };
    let grant = client.exchange_code(&app, &exchange).await.expect("exchange succeeds");
    assert!(grant.scopes.contains("api"));
    assert!(grant.org_id().is_some_and(|o| o.starts_with("00D")), "org id from the identity URL");
    assert!(grant.issued_at.is_some(), "issued_at (epoch ms string) is read");
    let refresh = grant.refresh_token.expect("refresh_token scope gives a refresh token");

    let refreshed = client.refresh(&app, &refresh).await.expect("the refresh token works");
    assert!(refreshed.refresh_token.is_none(), "no rotation: Salesforce returns no new refresh token");

    client.revoke(&refresh).await.expect("revoke succeeds");
    let after = client.refresh(&app, &refresh).await.expect_err("a revoked token no longer refreshes");
    assert_eq!(after.oauth_code(), Some(&sfconnect::salesforce::OAuthErrorCode::InvalidGrant));
    assert!(after.explain().headline.contains("expired or revoked"), "{}", after.explain().headline);

    // The secret only ever travelled in POST bodies.
    let secret = sim.client_secret();
    assert!(sim.requests_seen().iter().all(|r| !r.query.contains(&secret)), "no secret in any URL");
}

#[tokio::test]
async fn bare_encoded_code_works_and_codes_are_single_use() {
    let sim = start(quick_config()).await;
    let client = client_for(&sim);
    let app = app_for(&sim);
    let request = AuthorizeRequest::new(client.host(), &options(&sim, &client, false)).unwrap();
    let landed = browser_lands_on(&client, &request.url).await;
    let encoded_code = landed.split("code=").nth(1).and_then(|s| s.split('&').next()).expect("code in the address");
    assert!(encoded_code.ends_with("%3D%3D"));

    let pasted = parse_paste(&format!("  '{encoded_code}'\n"), Some(&request.state)).expect("bare code parses");
    let exchange = CodeExchange { code: &pasted.code, redirect_uri: &request.redirect_uri, code_verifier: None };
    client.exchange_code(&app, &exchange).await.expect("first use works");
    let again = client.exchange_code(&app, &exchange).await.expect_err("second use is refused");
    assert_eq!(again.oauth_code(), Some(&sfconnect::salesforce::OAuthErrorCode::InvalidGrant));
}

#[tokio::test]
async fn pkce_verifier_must_match() {
    let sim = start(SimConfig { pkce_required: true, ..quick_config() }).await;
    let client = client_for(&sim);
    let app = app_for(&sim);
    let request = AuthorizeRequest::new(client.host(), &options(&sim, &client, true)).unwrap();
    let pasted = parse_paste(&browser_lands_on(&client, &request.url).await, Some(&request.state)).unwrap();
    let wrong = sfconnect::salesforce::CodeVerifier::new("x".repeat(64));
    let exchange =
        CodeExchange { code: &pasted.code, redirect_uri: &request.redirect_uri, code_verifier: Some(&wrong) };
    let err = client.exchange_code(&app, &exchange).await.expect_err("a wrong verifier is refused");
    assert_eq!(err.oauth_code(), Some(&sfconnect::salesforce::OAuthErrorCode::InvalidGrant));
    assert!(err.explain().headline.contains("code verifier"), "{}", err.explain().headline);
}

#[tokio::test]
async fn state_from_another_session_is_refused_before_any_request() {
    let sim = start(quick_config()).await;
    let client = client_for(&sim);
    let first = AuthorizeRequest::new(client.host(), &options(&sim, &client, true)).unwrap();
    let second = AuthorizeRequest::new(client.host(), &options(&sim, &client, true)).unwrap();
    let landed = browser_lands_on(&client, &first.url).await;
    let err = parse_paste(&landed, Some(&second.state)).expect_err("state mismatch");
    assert_eq!(err, sfconnect::salesforce::PasteError::StateMismatch);
}

#[tokio::test]
async fn expired_code_is_explained() {
    let sim = start(SimConfig { code_ttl: Duration::from_millis(100), ..quick_config() }).await;
    let client = client_for(&sim);
    let app = app_for(&sim);
    let request = AuthorizeRequest::new(client.host(), &options(&sim, &client, false)).unwrap();
    let pasted = parse_paste(&browser_lands_on(&client, &request.url).await, None).unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    let exchange = CodeExchange { code: &pasted.code, redirect_uri: &request.redirect_uri, code_verifier: None };
    let err = client.exchange_code(&app, &exchange).await.expect_err("expired");
    assert!(err.explain().headline.contains("expired"), "{}", err.explain().headline);
    assert!(err.explain().fix.contains("authorize URL again"));
}

#[tokio::test]
async fn wrong_secret_and_missing_refresh_scope_are_explained() {
    let sim = start(quick_config()).await;
    let client = client_for(&sim);
    let request = AuthorizeRequest::new(
        client.host(),
        &AuthorizeOptions { scopes: Scopes::parse("api"), ..options(&sim, &client, false) },
    )
    .unwrap();
    let pasted = parse_paste(&browser_lands_on(&client, &request.url).await, None).unwrap();
    let exchange = CodeExchange { code: &pasted.code, redirect_uri: &request.redirect_uri, code_verifier: None };
    let bad = AppCredentials { client_id: sim.client_id(), client_secret: Some(ClientSecret::new("0".repeat(64))) };
    let err = client.exchange_code(&bad, &exchange).await.expect_err("wrong secret");
    assert_eq!(err.oauth_code(), Some(&sfconnect::salesforce::OAuthErrorCode::InvalidClient));
    assert!(err.explain().fix.contains("Consumer Secret"));

    let grant = client.exchange_code(&app_for(&sim), &exchange).await.expect("right secret works");
    assert!(grant.refresh_token.is_none(), "without refresh_token in the scope there is no refresh token");
    let missing = Error::MissingRefreshToken { granted: grant.scopes.to_param() };
    assert!(missing.explain().fix.contains("Perform requests at any time"));
}

#[tokio::test]
async fn rotation_invalidates_the_old_refresh_token() {
    let sim = start(SimConfig { refresh_rotation: true, ..quick_config() }).await;
    let client = client_for(&sim);
    let app = app_for(&sim);
    let request = AuthorizeRequest::new(client.host(), &options(&sim, &client, true)).unwrap();
    let pasted = parse_paste(&browser_lands_on(&client, &request.url).await, None).unwrap();
    let exchange = CodeExchange {
        code: &pasted.code,
        redirect_uri: &request.redirect_uri,
        code_verifier: request.code_verifier.as_ref(),
    };
    let first = client.exchange_code(&app, &exchange).await.unwrap().refresh_token.unwrap();
    let second = client.refresh(&app, &first).await.unwrap().refresh_token.expect("rotation returns a new token");
    assert_ne!(first, second);
    let reuse = client.refresh(&app, &first).await.expect_err("the old token is dead");
    assert!(reuse.explain().fix.contains("rotation"), "{}", reuse.explain().fix);
}

#[tokio::test]
async fn discovery_confirms_a_salesforce_login_host() {
    let sim = start(quick_config()).await;
    let config = client_for(&sim).discover().await.expect("openid configuration");
    assert!(config.is_salesforce(), "{config:?}");
}
