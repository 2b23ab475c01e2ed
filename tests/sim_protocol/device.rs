//! The device flow: start, pending, slow_down, approval at the second poll, the verification page, denial, expiry.

use super::*;

async fn device_start(sim: &Simulator) -> Value {
    let id = sim.client_id();
    let (status, body) =
        token(sim, &[("response_type", "device_code"), ("client_id", &id), ("scope", "api refresh_token")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn device_poll(sim: &Simulator, device_code: &str) -> (StatusCode, Value) {
    let id = sim.client_id();
    token(sim, &[("grant_type", "device"), ("client_id", &id), ("code", device_code)]).await
}

#[tokio::test]
async fn device_flow_pending_then_slow_down_then_approved_at_the_second_poll() {
    let sim = Simulator::start(SimConfig { device_interval: Duration::from_millis(400), ..auto() }).await.unwrap();
    let start = device_start(&sim).await;
    let user_code = start["user_code"].as_str().unwrap();
    assert_eq!(user_code.len(), 8);
    assert!(user_code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
    assert_eq!(start["interval"], 1);
    assert_eq!(start["verification_uri"], format!("{}/setup/connect", sim.base_url()));
    assert!(start.get("expires_in").is_none() && start.get("verification_uri_complete").is_none());
    let device_code = start["device_code"].as_str().unwrap();

    assert_oauth_error(&device_poll(&sim, device_code).await, "authorization_pending", "authorization pending");
    assert_oauth_error(
        &device_poll(&sim, device_code).await,
        "slow_down",
        "polling too quickly for the token endpoint",
    );
    tokio::time::sleep(Duration::from_millis(450)).await;
    let (status, body) = device_poll(&sim, device_code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["refresh_token"].is_string());
    assert_eq!(body["scope"], "api refresh_token");
    sim.shutdown().await;
}

#[tokio::test]
async fn device_flow_multipart_and_the_verification_page() {
    let sim = Simulator::start(SimConfig { device_interval: Duration::ZERO, ..SimConfig::default() }).await.unwrap();
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
    assert_oauth_error(&device_poll(&sim, &device_code).await, "authorization_pending", "authorization pending");

    let page = http()
        .get(format!("{}/setup/connect?user_code={user_code}", sim.base_url()))
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
    let response =
        http().post(format!("{}/services/oauth2/token", sim.base_url())).multipart(poll).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert!(body["access_token"].is_string());
    let seen = sim.requests_seen();
    let last = seen.last().unwrap();
    assert!(last.content_type.as_deref().unwrap().starts_with("multipart/form-data"));
    assert_eq!(last.form_fields, vec!["grant_type", "client_id", "code"]);
    sim.shutdown().await;
}

#[tokio::test]
async fn device_denial_and_expiry_are_final() {
    let sim = Simulator::start(SimConfig { device_interval: Duration::ZERO, ..SimConfig::default() }).await.unwrap();
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
    let reply = token(&sim, &[("response_type", "device_code"), ("client_id", &id)]).await;
    // Issue 10 item 1: Salesforce's own words (forcedotcom/code-builder-feedback#263), not oauth_flow_disabled.
    assert_oauth_error(&reply, "invalid_grant", "device flow is not enabled for the app");
    sim.shutdown().await;
}

#[tokio::test]
async fn auto_deny_answers_access_denied_at_the_second_poll() {
    let sim = Simulator::start(SimConfig { device_interval: Duration::ZERO, approval: Approval::Deny, ..auto() })
        .await
        .unwrap();
    let start = device_start(&sim).await;
    let device_code = start["device_code"].as_str().unwrap();
    assert_oauth_error(&device_poll(&sim, device_code).await, "authorization_pending", "authorization pending");
    assert_oauth_error(&device_poll(&sim, device_code).await, "access_denied", "end-user denied authorization");
    assert_eq!(sim.issued_refresh_tokens(), 0);
    sim.shutdown().await;
}
