//! Access tokens that stop working (the session timeout) and the answers Salesforce gives for them; latency.

use super::*;

async fn identity_answer(sim: &Simulator, path: &str, access: &str) -> (StatusCode, String, String) {
    let response = http().get(format!("{}{path}", sim.base_url())).bearer_auth(access).send().await.unwrap();
    let status = response.status();
    let content_type = response.headers()["content-type"].to_str().unwrap().to_string();
    (status, content_type, response.text().await.unwrap())
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
        ],
    )
    .await
}

/// Issue 10 item 10 needs these answers: 403 `Bad_OAuth_Token` as plain text from the identity service, 401
/// `INVALID_SESSION_ID` from REST; a refresh gives a token that works again.
#[tokio::test]
async fn an_expired_access_token_answers_as_salesforce_and_a_refresh_mends_it() {
    let sim = Simulator::start(auto()).await.unwrap();
    let code = code(&sim, &[("scope", "api refresh_token")]).await;
    let (_, granted) = exchange(&sim, &code, &[]).await;
    let access = granted["access_token"].as_str().unwrap();
    let id_path = granted["id"].as_str().unwrap().trim_start_matches(&sim.base_url()).to_string();
    assert_eq!(identity_answer(&sim, "/services/oauth2/userinfo", access).await.0, StatusCode::OK);

    sim.expire_access_tokens();
    for path in ["/services/oauth2/userinfo", id_path.as_str()] {
        let (status, content_type, body) = identity_answer(&sim, path, access).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(content_type.starts_with("text/plain"), "{path}: {content_type}");
        assert_eq!(body, "Bad_OAuth_Token", "{path}");
    }
    let (status, body) = rest(&sim, "/services/data/v66.0/limits", Some(access)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, serde_json::json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]));

    let (status, refreshed) = refresh(&sim, granted["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let fresh = refreshed["access_token"].as_str().unwrap();
    assert_eq!(rest(&sim, "/services/data/v66.0/limits", Some(fresh)).await.0, StatusCode::OK);
    assert_eq!(identity_answer(&sim, &id_path, fresh).await.0, StatusCode::OK);
    sim.shutdown().await;
}

#[tokio::test]
async fn each_access_token_stops_at_the_session_timeout() {
    let sim = Simulator::start(SimConfig { session_timeout: Duration::from_millis(300), ..auto() }).await.unwrap();
    let code = code(&sim, &[("scope", "api refresh_token")]).await;
    let (_, granted) = exchange(&sim, &code, &[]).await;
    let access = granted["access_token"].as_str().unwrap();
    assert_eq!(rest(&sim, "/services/data/v66.0/limits", Some(access)).await.0, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(rest(&sim, "/services/data/v66.0/limits", Some(access)).await.0, StatusCode::UNAUTHORIZED);
    let (_, refreshed) = refresh(&sim, granted["refresh_token"].as_str().unwrap()).await;
    let fresh = refreshed["access_token"].as_str().unwrap();
    assert_eq!(rest(&sim, "/services/data/v66.0/limits", Some(fresh)).await.0, StatusCode::OK);
    sim.shutdown().await;
}

/// Issue 10 (speed of the checks) and issue 11 item 6: every answer waits the configured latency.
#[tokio::test]
async fn latency_delays_every_answer() {
    let sim = Simulator::start(SimConfig { latency: Duration::from_millis(150), ..auto() }).await.unwrap();
    for path in ["/services/data/", "/.well-known/openid-configuration", "/services/oauth2/userinfo"] {
        let started = std::time::Instant::now();
        http().get(format!("{}{path}", sim.base_url())).send().await.unwrap();
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(150), "{path} took {took:?}");
        assert!(took < Duration::from_millis(1500), "{path} took {took:?}");
    }
    sim.shutdown().await;
}
