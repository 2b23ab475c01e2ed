//! The simulator speaks Salesforce's protocol (shared/salesforce-protocol.md): driven over real HTTP with reqwest,
//! never through the crate's own client, so these tests check the simulator alone.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::Value;
use sfconnect::sim::{Approval, Fault, FaultPlan, FaultScope, SimConfig, Simulator, UserFixture};

const REDIRECT: &str = "http://localhost:1717/OauthRedirect";

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn auto() -> SimConfig {
    SimConfig {
        auto_approve: true,
        ..SimConfig::default()
    }
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
    let response = http()
        .get(format!("{}/services/oauth2/authorize", sim.base_url()))
        .query(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap();
    url::Url::parse(location).unwrap()
}

fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn code(sim: &Simulator, extra: &[(&str, &str)]) -> String {
    param(&authorize(sim, extra).await, "code").expect("a code in the redirect")
}

async fn token(sim: &Simulator, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = http()
        .post(format!("{}/services/oauth2/token", sim.base_url()))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
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
    assert!(
        body["access_token"]
            .as_str()
            .unwrap()
            .starts_with("00D5g00000ACMEs!AQ")
    );
    assert!(
        body["refresh_token"]
            .as_str()
            .unwrap()
            .starts_with("5Aep861")
    );
    assert_eq!(body["scope"], "api refresh_token openid");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["instance_url"], sim.base_url());
    assert!(body["issued_at"].as_str().unwrap().parse::<u64>().unwrap() > 1_700_000_000_000);
    assert!(body.get("expires_in").is_none());
    assert!(body["id_token"].is_string());
    assert!(
        body["id"]
            .as_str()
            .unwrap()
            .ends_with("/id/00D5g00000ACMEsEAF/0055g00000ADMINAAA")
    );
    assert_eq!(sim.issued_refresh_tokens(), 1);

    let again = exchange(&sim, &code, &[]).await;
    assert_oauth_error(&again, "invalid_grant", "invalid authorization code");
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

#[tokio::test]
async fn pkce_required_rejects_an_authorize_without_challenge() {
    let sim = Simulator::start(SimConfig {
        pkce_required: true,
        ..auto()
    })
    .await
    .unwrap();
    let location = authorize(&sim, &[]).await;
    assert_eq!(
        param(&location, "error").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(
        param(&location, "error_description").as_deref(),
        Some("missing required code challenge")
    );
    assert!(
        location
            .query()
            .unwrap()
            .contains("missing+required+code+challenge")
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let sim = Simulator::start(SimConfig {
        code_ttl: Duration::from_millis(50),
        ..auto()
    })
    .await
    .unwrap();
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
    assert_oauth_error(
        &wrong_secret,
        "invalid_client",
        "invalid client credentials",
    );
    let no_secret = token(
        &sim,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &id),
            ("redirect_uri", REDIRECT),
        ],
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
    assert_oauth_error(
        &wrong_redirect,
        "redirect_uri_mismatch",
        "redirect_uri must match configuration",
    );
    let unknown = token(&sim, &[("grant_type", "password")]).await;
    assert_oauth_error(
        &unknown,
        "unsupported_grant_type",
        "grant type not supported",
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_new_app_is_unknown_until_it_propagates() {
    let sim = Simulator::start(SimConfig {
        live_after: Duration::from_secs(600),
        ..auto()
    })
    .await
    .unwrap();
    let response = http()
        .get(format!("{}/services/oauth2/authorize", sim.base_url()))
        .query(&[
            ("response_type", "code"),
            ("client_id", &sim.client_id()),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("client identifier invalid")
    );
    let id = sim.client_id();
    let device = token(
        &sim,
        &[("response_type", "device_code"), ("client_id", &id)],
    )
    .await;
    assert_oauth_error(&device, "invalid_client_id", "client identifier invalid");

    sim.make_live_now();
    let (status, _) = exchange(&sim, &code(&sim, &[]).await, &[]).await;
    assert_eq!(status, StatusCode::OK);
    sim.shutdown().await;
}

#[tokio::test]
async fn an_unregistered_callback_gets_an_error_page_not_a_redirect() {
    let sim = Simulator::start(SimConfig {
        allow_loopback_callbacks: false,
        ..auto()
    })
    .await
    .unwrap();
    let response = http()
        .get(format!("{}/services/oauth2/authorize", sim.base_url()))
        .query(&[
            ("response_type", "code"),
            ("client_id", &sim.client_id()),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get("location").is_none());
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("redirect_uri_mismatch")
    );
    // The simulator's own paste-back page is registered by default.
    let own = format!("{}/services/oauth2/success", sim.base_url());
    let response = http()
        .get(format!("{}/services/oauth2/authorize", sim.base_url()))
        .query(&[
            ("response_type", "code"),
            ("client_id", &sim.client_id()),
            ("redirect_uri", &own),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let page = http()
        .get(&location)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Remote Access Application Authorization"));
    sim.shutdown().await;
}

#[tokio::test]
async fn the_login_page_posts_allow_and_deny() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
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
    let sim = Simulator::start(SimConfig {
        approval: Approval::Deny,
        ..auto()
    })
    .await
    .unwrap();
    let location = authorize(&sim, &[]).await;
    assert_eq!(param(&location, "error").as_deref(), Some("access_denied"));
    assert!(
        location
            .query()
            .unwrap()
            .contains("error_description=end-user+denied+authorization")
    );
    sim.shutdown().await;
}

async fn device_start(sim: &Simulator) -> Value {
    let id = sim.client_id();
    let (status, body) = token(
        sim,
        &[
            ("response_type", "device_code"),
            ("client_id", &id),
            ("scope", "api refresh_token"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn device_poll(sim: &Simulator, device_code: &str) -> (StatusCode, Value) {
    let id = sim.client_id();
    token(
        sim,
        &[
            ("grant_type", "device"),
            ("client_id", &id),
            ("code", device_code),
        ],
    )
    .await
}

#[tokio::test]
async fn device_flow_pending_then_slow_down_then_approved_at_the_second_poll() {
    let sim = Simulator::start(SimConfig {
        device_interval: Duration::from_millis(150),
        ..auto()
    })
    .await
    .unwrap();
    let start = device_start(&sim).await;
    let user_code = start["user_code"].as_str().unwrap();
    assert_eq!(user_code.len(), 8);
    assert!(
        user_code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    );
    assert_eq!(start["interval"], 1);
    assert_eq!(
        start["verification_uri"],
        format!("{}/setup/connect", sim.base_url())
    );
    assert!(start.get("expires_in").is_none() && start.get("verification_uri_complete").is_none());
    let device_code = start["device_code"].as_str().unwrap();

    assert_oauth_error(
        &device_poll(&sim, device_code).await,
        "authorization_pending",
        "authorization pending",
    );
    assert_oauth_error(
        &device_poll(&sim, device_code).await,
        "slow_down",
        "polling too quickly for the token endpoint",
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, body) = device_poll(&sim, device_code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["refresh_token"].is_string());
    assert_eq!(body["scope"], "api refresh_token");
    sim.shutdown().await;
}

#[tokio::test]
async fn device_flow_multipart_and_the_verification_page() {
    let sim = Simulator::start(SimConfig {
        device_interval: Duration::ZERO,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    // sfdx-core sends the device start and polls as multipart/form-data.
    let form = reqwest::multipart::Form::new()
        .text("response_type", "device_code")
        .text("client_id", sim.client_id())
        .text("scope", "refresh_token web api");
    let start: Value = http()
        .post(format!("{}/services/oauth2/token", sim.base_url()))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user_code = start["user_code"].as_str().unwrap().to_string();
    let device_code = start["device_code"].as_str().unwrap().to_string();
    assert_oauth_error(
        &device_poll(&sim, &device_code).await,
        "authorization_pending",
        "authorization pending",
    );

    let page = http()
        .get(format!(
            "{}/setup/connect?user_code={user_code}",
            sim.base_url()
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&user_code));
    let response = http()
        .post(format!("{}/setup/connect", sim.base_url()))
        .form(&[("user_code", user_code.as_str()), ("action", "Allow")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let poll = reqwest::multipart::Form::new()
        .text("grant_type", "device")
        .text("client_id", sim.client_id())
        .text("code", device_code);
    let response = http()
        .post(format!("{}/services/oauth2/token", sim.base_url()))
        .multipart(poll)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert!(body["access_token"].is_string());
    let seen = sim.requests_seen();
    let last = seen.last().unwrap();
    assert!(
        last.content_type
            .as_deref()
            .unwrap()
            .starts_with("multipart/form-data")
    );
    assert_eq!(last.form_fields, vec!["grant_type", "client_id", "code"]);
    sim.shutdown().await;
}

#[tokio::test]
async fn device_denial_and_expiry_are_final() {
    let sim = Simulator::start(SimConfig {
        device_interval: Duration::ZERO,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let denied = device_start(&sim).await;
    assert!(sim.deny_device(denied["user_code"].as_str().unwrap()));
    let reply = device_poll(&sim, denied["device_code"].as_str().unwrap()).await;
    assert_oauth_error(&reply, "access_denied", "end-user denied authorization");

    sim.set_config(|c| c.device_ttl = Duration::from_millis(50));
    let expiring = device_start(&sim).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!sim.approve_device(expiring["user_code"].as_str().unwrap()));
    let reply = device_poll(&sim, expiring["device_code"].as_str().unwrap()).await;
    assert_oauth_error(&reply, "invalid_grant", "expired device code");

    sim.set_config(|c| c.device_flow_enabled = false);
    let id = sim.client_id();
    let (status, body) = token(
        &sim,
        &[("response_type", "device_code"), ("client_id", &id)],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].is_string());
    sim.shutdown().await;
}

async fn refresh(sim: &Simulator, refresh_token: &str) -> (StatusCode, Value) {
    let (id, secret) = (sim.client_id(), sim.client_secret());
    token(
        sim,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", &id),
            ("client_secret", &secret),
            // jsforce sends one; it must be ignored.
            ("code_verifier", "ignored"),
        ],
    )
    .await
}

#[tokio::test]
async fn refresh_without_rotation_keeps_the_token() {
    let sim = Simulator::start(auto()).await.unwrap();
    let (_, body) = exchange(&sim, &code(&sim, &[]).await, &[]).await;
    let rt = body["refresh_token"].as_str().unwrap();
    for _ in 0..2 {
        let (status, refreshed) = refresh(&sim, rt).await;
        assert_eq!(status, StatusCode::OK);
        assert!(refreshed.get("refresh_token").is_none());
        assert_ne!(refreshed["access_token"], body["access_token"]);
    }
    let id = sim.client_id();
    let no_secret = token(
        &sim,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", &id),
        ],
    )
    .await;
    assert_oauth_error(&no_secret, "invalid_client", "invalid client credentials");
    sim.shutdown().await;
}

#[tokio::test]
async fn rotation_issues_a_new_token_and_reuse_revokes_the_family() {
    let sim = Simulator::start(SimConfig {
        refresh_rotation: true,
        ..auto()
    })
    .await
    .unwrap();
    let (_, body) = exchange(&sim, &code(&sim, &[]).await, &[]).await;
    let first = body["refresh_token"].as_str().unwrap().to_string();
    let (status, rotated) = refresh(&sim, &first).await;
    assert_eq!(status, StatusCode::OK);
    let second = rotated["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(first, second);
    assert_eq!(sim.issued_refresh_tokens(), 1);

    let reuse = refresh(&sim, &first).await;
    assert_oauth_error(&reuse, "invalid_grant", "expired access/refresh token");
    let current = refresh(&sim, &second).await;
    assert_oauth_error(&current, "invalid_grant", "expired access/refresh token");
    assert_eq!(sim.issued_refresh_tokens(), 0);
    let access = rotated["access_token"].as_str().unwrap();
    let (status, _) = rest(&sim, "/services/data/v66.0/limits", Some(access)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    sim.shutdown().await;
}

#[tokio::test]
async fn revoking_a_refresh_token_revokes_its_access_tokens() {
    let sim = Simulator::start(auto()).await.unwrap();
    let (_, body) = exchange(&sim, &code(&sim, &[]).await, &[]).await;
    let (rt, at) = (
        body["refresh_token"].as_str().unwrap(),
        body["access_token"].as_str().unwrap(),
    );
    assert_eq!(
        rest(&sim, "/services/data/v66.0/limits", Some(at)).await.0,
        StatusCode::OK
    );
    let response = http()
        .post(format!("{}/services/oauth2/revoke", sim.base_url()))
        .form(&[("token", rt)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().is_empty());
    assert_eq!(sim.issued_refresh_tokens(), 0);
    assert_eq!(
        rest(&sim, "/services/data/v66.0/limits", Some(at)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_oauth_error(
        &refresh(&sim, rt).await,
        "invalid_grant",
        "expired access/refresh token",
    );
    let again = http()
        .get(format!("{}/services/oauth2/revoke", sim.base_url()))
        .query(&[("token", rt)])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_log_shows_the_secret_travelled_in_the_body_only() {
    let sim = Simulator::start(auto()).await.unwrap();
    access_token(&sim).await;
    let secret = sim.client_secret();
    let seen = sim.requests_seen();
    let exchange = seen
        .iter()
        .find(|r| r.path == "/services/oauth2/token")
        .unwrap();
    assert_eq!(exchange.method, "POST");
    assert!(exchange.form_fields.contains(&"client_secret".to_string()));
    assert!(exchange.query_params.is_empty());
    assert!(seen.iter().all(|r| !r.query.contains(&secret)));

    // The vendor's curl procedure puts everything in the URL: accepted, and visible in the log.
    let id = sim.client_id();
    let code = code(&sim, &[]).await;
    let response = http()
        .post(format!("{}/services/oauth2/token", sim.base_url()))
        .query(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &id),
            ("client_secret", &secret),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(sim.requests_seen().last().unwrap().query.contains(&secret));
    sim.shutdown().await;
}

#[tokio::test]
async fn rest_needs_a_session_and_an_enabled_api() {
    let sim = Simulator::start(auto()).await.unwrap();
    let (status, body) = rest(&sim, "/services/data/v66.0/limits", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body[0]["errorCode"], "INVALID_SESSION_ID");
    assert_eq!(body[0]["message"], "Session expired or invalid");
    let at = access_token(&sim).await;
    let (status, limits) = rest(&sim, "/services/data/v50.0/limits", Some(&at)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(limits["DailyApiRequests"]["Max"], 100_000);
    assert_eq!(limits["DailyApiRequests"]["Remaining"], 99_000);

    sim.set_config(|c| c.api_enabled = false);
    let (status, body) = rest(&sim, "/services/data/v66.0/limits", Some(&at)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body[0]["errorCode"], "API_DISABLED_FOR_ORG");
    assert_eq!(
        body[0]["message"],
        "The REST API is not enabled for this Organization."
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn versions_resources_and_retired_versions() {
    let sim = Simulator::start(auto()).await.unwrap();
    let (status, versions) = rest(&sim, "/services/data/", None).await;
    assert_eq!(status, StatusCode::OK);
    let list = versions.as_array().unwrap();
    assert_eq!(list[0]["version"], "31.0");
    let newest = list.last().unwrap();
    assert_eq!(
        (newest["version"].as_str(), newest["label"].as_str()),
        (Some("66.0"), Some("Spring '26"))
    );
    assert_eq!(newest["url"], "/services/data/v66.0");
    assert!(
        list.iter()
            .any(|v| v["label"] == "Spring '15" && v["version"] == "33.0")
    );

    let at = access_token(&sim).await;
    let (status, resources) = rest(&sim, "/services/data/v50.0", Some(&at)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(resources["identity"].as_str().unwrap().contains("/id/00D"));
    assert_eq!(resources["query"], "/services/data/v50.0/query");
    assert_eq!(
        rest(&sim, "/services/data/v30.0/limits", Some(&at)).await.0,
        StatusCode::GONE
    );
    let (status, body) = rest(&sim, "/services/data/v99.0/limits", Some(&at)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body[0]["errorCode"], "NOT_FOUND");
    sim.shutdown().await;
}

#[tokio::test]
async fn identity_url_and_userinfo() {
    let sim = Simulator::start(auto()).await.unwrap();
    let code = code(&sim, &[]).await;
    let (_, body) = exchange(&sim, &code, &[]).await;
    let (id, at) = (
        body["id"].as_str().unwrap(),
        body["access_token"].as_str().unwrap(),
    );
    // jsforce: ?format=json&oauth_token=… with no header.
    let identity: Value = http()
        .get(id)
        .query(&[("format", "json"), ("oauth_token", at)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(identity["username"], "admin@acme.com");
    assert_eq!(identity["organization_id"], "00D5g00000ACMEsEAF");
    assert!(
        identity["urls"]["rest"]
            .as_str()
            .unwrap()
            .ends_with("/services/data/v{version}/")
    );
    let (status, info) = rest(&sim, "/services/oauth2/userinfo", Some(at)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(info["preferred_username"], "admin@acme.com");
    assert_eq!(info["user_id"], "0055g00000ADMINAAA");
    assert_eq!(
        http().get(id).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let (_, oidc) = rest(&sim, "/.well-known/openid-configuration", None).await;
    assert_eq!(
        oidc["token_endpoint"],
        format!("{}/services/oauth2/token", sim.base_url())
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn soql_organization_and_user_queries() {
    let sim = Simulator::start(auto()).await.unwrap();
    let at = access_token(&sim).await;
    let q = |soql: &str| format!("/services/data/v66.0/query?q={}", urlencode(soql));
    let (status, org) = rest(
        &sim,
        &q("SELECT Id, Name, OrganizationType, InstanceName, IsSandbox FROM Organization"),
        Some(&at),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(org["totalSize"], 1);
    assert_eq!(org["done"], true);
    let record = &org["records"][0];
    assert_eq!(record["attributes"]["type"], "Organization");
    assert_eq!(record["OrganizationType"], "Enterprise Edition");
    assert_eq!(record["IsSandbox"], false);

    let (_, user) = rest(
        &sim,
        &q("select Id, Username, Profile.Name, Profile.UserLicense.Name from user where Id = '0055g00000ADMIN'"),
        Some(&at),
    )
    .await;
    assert_eq!(user["totalSize"], 1, "{user}");
    let record = &user["records"][0];
    assert_eq!(record["Profile"]["Name"], "System Administrator");
    assert_eq!(record["Profile"]["attributes"]["type"], "Profile");
    assert_eq!(record["Profile"]["UserLicense"]["Name"], "Salesforce");

    let (status, bad) = rest(&sim, &q("SELECT Id, Foo FROM User"), Some(&at)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad[0]["errorCode"], "INVALID_FIELD");
    assert!(
        bad[0]["message"]
            .as_str()
            .unwrap()
            .contains("No such column 'Foo' on entity 'User'")
    );
    let (status, bad) = rest(&sim, &q("SELEKT Id FROM User"), Some(&at)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad[0]["errorCode"], "MALFORMED_QUERY");
    let (_, bad) = rest(&sim, &q("SELECT Id FROM Widget"), Some(&at)).await;
    assert_eq!(bad[0]["errorCode"], "INVALID_TYPE");
    let (_, count) = rest(&sim, &q("SELECT COUNT() FROM User"), Some(&at)).await;
    assert_eq!(count["totalSize"], 1);
    sim.shutdown().await;
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn large_queries_page_2000_at_a_time() {
    let mut config = auto();
    config.org.other_users = (0..4499)
        .map(|i| UserFixture {
            user_id: format!("005000000000{i:04}AA"),
            username: format!("user{i}@acme.com"),
            ..UserFixture::default()
        })
        .collect();
    let sim = Simulator::start(config).await.unwrap();
    let at = access_token(&sim).await;
    let (_, first) = rest(
        &sim,
        &format!(
            "/services/data/v66.0/query?q={}",
            urlencode("SELECT Id FROM User")
        ),
        Some(&at),
    )
    .await;
    assert_eq!(first["totalSize"], 4500);
    assert_eq!(first["done"], false);
    assert_eq!(first["records"].as_array().unwrap().len(), 2000);
    let next = first["nextRecordsUrl"].as_str().unwrap();
    assert!(
        next.starts_with("/services/data/v66.0/query/01g") && next.ends_with("-2000"),
        "{next}"
    );
    let (_, second) = rest(&sim, next, Some(&at)).await;
    assert_eq!(second["records"].as_array().unwrap().len(), 2000);
    let (_, third) = rest(&sim, second["nextRecordsUrl"].as_str().unwrap(), Some(&at)).await;
    assert_eq!(third["records"].as_array().unwrap().len(), 500);
    assert_eq!(third["done"], true);
    assert!(third.get("nextRecordsUrl").is_none());
    sim.shutdown().await;
}

#[tokio::test]
async fn faults_hit_their_scope_for_their_count() {
    let sim = Simulator::start(auto()).await.unwrap();
    let at = access_token(&sim).await;
    let limits = format!("{}/services/data/v66.0/limits", sim.base_url());
    let get = || http().get(&limits).bearer_auth(&at).send();

    sim.set_fault(Some(FaultPlan::times(
        Fault::ServerError,
        FaultScope::Rest,
        1,
    )));
    let response = get().await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(
        get().await.unwrap().status(),
        StatusCode::OK,
        "the fault was for one request"
    );

    sim.set_fault(Some(FaultPlan::always(Fault::Maintenance, FaultScope::All)));
    let response = get().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Down For Maintenance")
    );

    sim.set_fault(Some(FaultPlan::always(
        Fault::RateLimited,
        FaultScope::Rest,
    )));
    let response = get().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "2");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body[0]["errorCode"], "REQUEST_LIMIT_EXCEEDED");

    sim.set_fault(Some(FaultPlan::always(
        Fault::RateLimited,
        FaultScope::Token,
    )));
    let reply = token(&sim, &[("grant_type", "refresh_token")]).await;
    assert_eq!(reply.0, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.1["error"].is_string());
    assert_eq!(
        get().await.unwrap().status(),
        StatusCode::OK,
        "a Token fault leaves REST alone"
    );

    sim.set_fault(Some(FaultPlan::always(
        Fault::MalformedJson,
        FaultScope::Token,
    )));
    let response = http()
        .post(format!("{}/services/oauth2/token", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.json::<Value>().await.is_err());

    sim.set_fault(Some(FaultPlan::always(
        Fault::EmptyBody,
        FaultScope::Identity,
    )));
    let response = http()
        .get(format!("{}/services/oauth2/userinfo", sim.base_url()))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().is_empty());

    sim.set_fault(Some(FaultPlan::always(
        Fault::Slow(Duration::from_millis(300)),
        FaultScope::Rest,
    )));
    let started = std::time::Instant::now();
    assert_eq!(get().await.unwrap().status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));

    sim.set_fault(Some(FaultPlan::always(Fault::Hang, FaultScope::Rest)));
    let hung = http()
        .get(&limits)
        .bearer_auth(&at)
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(hung.unwrap_err().is_timeout());

    sim.set_fault(None);
    let t = std::time::Instant::now();
    assert_eq!(get().await.unwrap().status(), StatusCode::OK);
    eprintln!("after hang get {:?}", t.elapsed());
    sim.shutdown().await;
    eprintln!("after shutdown {:?}", t.elapsed());
}

#[tokio::test]
async fn shutdown_does_not_wait_for_a_hanging_request() {
    let sim = Simulator::start(SimConfig {
        fault: Some(FaultPlan::always(Fault::Hang, FaultScope::All)),
        ..auto()
    })
    .await
    .unwrap();
    let url = format!("{}/services/data/", sim.base_url());
    let pending = tokio::spawn(async move { http().get(url).send().await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    sim.shutdown().await;
    assert!(started.elapsed() < Duration::from_secs(1));
    let _ = pending.await;
}

#[test]
fn debug_never_prints_the_secret() {
    let config = SimConfig::default();
    let printed = format!("{config:?}");
    assert!(!printed.contains(&config.client_secret));
    assert!(printed.contains("[redacted]"));
    assert_eq!(config.client_id.len(), 85);
}
