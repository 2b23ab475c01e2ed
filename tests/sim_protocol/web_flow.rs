//! The web server flow: authorize (auto-approved, the login page, errors), the code exchange, PKCE, expiry.

use super::*;

#[tokio::test]
async fn auto_approved_authorize_redirects_with_an_encoded_code_and_the_state() {
    let sim = Simulator::start(auto()).await.unwrap();
    let location = authorize(&sim, &[("scope", "api refresh_token")]).await;
    assert!(location.as_str().starts_with(REDIRECT));
    assert!(location.query().unwrap().contains("%3D%3D"), "{location}");
    let code = param(&location, "code").unwrap();
    assert!(code.starts_with("aPrx") && code.ends_with("=="));
    assert_eq!(param(&location, "state").as_deref(), Some("st4te"));
    sim.shutdown().await;
}

#[tokio::test]
async fn code_exchange_returns_salesforce_shaped_tokens_once() {
    let sim = Simulator::start(auto()).await.unwrap();
    let code = code(&sim, &[("scope", "api refresh_token openid")]).await;
    let (status, body) = exchange(&sim, &code, &[("format", "json")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["access_token"].as_str().unwrap().starts_with("00D5g00000ACMEs!AQ"));
    assert!(body["refresh_token"].as_str().unwrap().starts_with("5Aep861"));
    assert_eq!(body["scope"], "api refresh_token openid");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["instance_url"], sim.base_url());
    assert!(body["issued_at"].as_str().unwrap().parse::<u64>().unwrap() > 1_700_000_000_000);
    assert!(body.get("expires_in").is_none());
    assert!(body["id_token"].is_string());
    assert!(body["id"].as_str().unwrap().ends_with("/id/00D5g00000ACMEsEAF/0055g00000ADMINAAA"));
    assert_eq!(sim.issued_refresh_tokens(), 1);

    // Issue 11 item 4: a reused code is answered as Salesforce words it.
    let again = exchange(&sim, &code, &[]).await;
    assert_oauth_error(&again, "invalid_grant", "expired authorization code");
    let unknown = exchange(&sim, "aPrxNeverIssued==", &[]).await;
    assert_oauth_error(&unknown, "invalid_grant", "invalid authorization code");
    sim.shutdown().await;
}

#[tokio::test]
async fn no_refresh_token_without_the_scope() {
    let sim = Simulator::start(auto()).await.unwrap();
    let code = code(&sim, &[("scope", "api web")]).await;
    let (_, body) = exchange(&sim, &code, &[]).await;
    assert!(body.get("refresh_token").is_none());
    assert!(body.get("id_token").is_none());
    assert_eq!(sim.issued_refresh_tokens(), 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn pkce_needs_the_matching_verifier() {
    let sim = Simulator::start(auto()).await.unwrap();
    // jsforce sends a 171-char verifier and no code_challenge_method.
    let verifier = "v".repeat(171);
    let challenge = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(&verifier))
    };
    let code = code(&sim, &[("code_challenge", &challenge)]).await;
    let missing = exchange(&sim, &code, &[]).await;
    assert_oauth_error(&missing, "invalid_grant", "invalid code verifier");
    let wrong = exchange(&sim, &code, &[("code_verifier", &"w".repeat(43))]).await;
    assert_oauth_error(&wrong, "invalid_grant", "invalid code verifier");
    let (status, _) = exchange(&sim, &code, &[("code_verifier", &verifier)]).await;
    assert_eq!(status, StatusCode::OK);
    sim.shutdown().await;
}

/// Issue 11 item 4: a verifier for a code whose authorize request sent no challenge is refused, not ignored.
#[tokio::test]
async fn a_verifier_without_a_challenge_at_authorize_is_refused() {
    let sim = Simulator::start(auto()).await.unwrap();
    let code = code(&sim, &[]).await;
    let reply = exchange(&sim, &code, &[("code_verifier", &"v".repeat(64))]).await;
    assert_oauth_error(&reply, "invalid_grant", "invalid code verifier");
    let (status, _) = exchange(&sim, &code, &[]).await;
    assert_eq!(status, StatusCode::OK, "the refused exchange did not spend the code");
    sim.shutdown().await;
}

#[tokio::test]
async fn pkce_required_rejects_an_authorize_without_challenge() {
    let sim = Simulator::start(SimConfig { pkce_required: true, ..auto() }).await.unwrap();
    let location = authorize(&sim, &[]).await;
    assert_eq!(param(&location, "error").as_deref(), Some("invalid_request"));
    assert_eq!(param(&location, "error_description").as_deref(), Some("missing required code challenge"));
    assert!(location.query().unwrap().contains("missing+required+code+challenge"));
    sim.shutdown().await;
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let sim = Simulator::start(SimConfig { code_ttl: Duration::from_millis(50), ..auto() }).await.unwrap();
    let code = code(&sim, &[]).await;
    tokio::time::sleep(Duration::from_millis(120)).await;
    let reply = exchange(&sim, &code, &[]).await;
    assert_oauth_error(&reply, "invalid_grant", "expired authorization code");
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_secret_and_wrong_redirect_are_refused() {
    let sim = Simulator::start(auto()).await.unwrap();
    let code = code(&sim, &[]).await;
    let id = sim.client_id();
    let wrong_secret = token(
        &sim,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &id),
            ("client_secret", "0000"),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_oauth_error(&wrong_secret, "invalid_client", "invalid client credentials");
    let no_secret = token(
        &sim,
        &[("grant_type", "authorization_code"), ("code", &code), ("client_id", &id), ("redirect_uri", REDIRECT)],
    )
    .await;
    assert_oauth_error(&no_secret, "invalid_client", "invalid client credentials");
    let secret = sim.client_secret();
    let wrong_redirect = token(
        &sim,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &id),
            ("client_secret", &secret),
            ("redirect_uri", "http://localhost:1718/OauthRedirect"),
        ],
    )
    .await;
    assert_oauth_error(&wrong_redirect, "redirect_uri_mismatch", "redirect_uri must match configuration");
    let unknown = token(&sim, &[("grant_type", "password")]).await;
    assert_oauth_error(&unknown, "unsupported_grant_type", "grant type not supported");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_new_app_is_unknown_until_it_propagates() {
    let sim = Simulator::start(SimConfig { live_after: Duration::from_secs(600), ..auto() }).await.unwrap();
    let response = http()
        .get(format!("{}/services/oauth2/authorize", sim.base_url()))
        .query(&[("response_type", "code"), ("client_id", &sim.client_id()), ("redirect_uri", REDIRECT)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("client identifier invalid"));
    let id = sim.client_id();
    let device = token(&sim, &[("response_type", "device_code"), ("client_id", &id)]).await;
    assert_oauth_error(&device, "invalid_client_id", "client identifier invalid");

    sim.make_live_now();
    let (status, _) = exchange(&sim, &code(&sim, &[]).await, &[]).await;
    assert_eq!(status, StatusCode::OK);
    sim.shutdown().await;
}

#[tokio::test]
async fn an_unregistered_callback_gets_an_error_page_not_a_redirect() {
    // Issue 11 item 4: a loopback callback is not accepted for being loopback; only the registered one is.
    let sim = Simulator::start(auto()).await.unwrap();
    let unregistered = "http://localhost:1718/OauthRedirect";
    let response = http()
        .get(format!("{}/services/oauth2/authorize", sim.base_url()))
        .query(&[("response_type", "code"), ("client_id", &sim.client_id()), ("redirect_uri", unregistered)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get("location").is_none());
    assert!(response.text().await.unwrap().contains("redirect_uri_mismatch"));
    // The simulator's own paste-back page is registered by default.
    let own = format!("{}/services/oauth2/success", sim.base_url());
    let response = http()
        .get(format!("{}/services/oauth2/authorize", sim.base_url()))
        .query(&[("response_type", "code"), ("client_id", &sim.client_id()), ("redirect_uri", &own)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let page = http().get(&location).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Remote Access Application Authorization"));
    sim.shutdown().await;
}

#[tokio::test]
async fn the_login_page_posts_allow_and_deny() {
    let sim = Simulator::start(registered()).await.unwrap();
    let response = http()
        .get(format!("{}/services/oauth2/authorize", sim.base_url()))
        .query(&[
            ("response_type", "code"),
            ("client_id", &sim.client_id()),
            ("redirect_uri", REDIRECT),
            ("state", "s"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(page.contains("name=\"action\" value=\"Allow\""));
    assert!(page.contains(&sim.client_id()));
    let id = sim.client_id();
    let form = |action: &'static str| {
        vec![
            ("response_type", "code".to_string()),
            ("client_id", id.clone()),
            ("redirect_uri", REDIRECT.to_string()),
            ("state", "s".to_string()),
            ("action", action.to_string()),
        ]
    };
    for (action, expect) in [("Allow", "code"), ("Deny", "error")] {
        let response = http()
            .post(format!("{}/services/oauth2/authorize", sim.base_url()))
            .form(&form(action))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
        let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
        assert!(param(&location, expect).is_some(), "{action}: {location}");
        assert_eq!(param(&location, "state").as_deref(), Some("s"));
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn denial_redirects_with_access_denied() {
    let sim = Simulator::start(SimConfig { approval: Approval::Deny, ..auto() }).await.unwrap();
    let location = authorize(&sim, &[]).await;
    assert_eq!(param(&location, "error").as_deref(), Some("access_denied"));
    assert!(location.query().unwrap().contains("error_description=end-user+denied+authorization"));
    sim.shutdown().await;
}

#[tokio::test]
async fn granted_scopes_are_the_requested_ones_the_app_has() {
    let sim =
        Simulator::start(SimConfig { app_scopes: vec!["api".to_string(), "web".to_string()], ..auto() }).await.unwrap();
    let narrowed = code(&sim, &[("scope", "api refresh_token")]).await;
    let (status, body) = exchange(&sim, &narrowed, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["scope"], "api");
    assert!(body.get("refresh_token").is_none(), "the app lacks refresh_token");
    let unscoped = code(&sim, &[]).await;
    let (_, body) = exchange(&sim, &unscoped, &[]).await;
    assert_eq!(body["scope"], "api web", "no scope parameter grants all app scopes");
    sim.shutdown().await;
}
