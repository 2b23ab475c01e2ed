//! Refresh (with and without rotation), revoke, and the request log.

use super::*;

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
    let no_secret = token(&sim, &[("grant_type", "refresh_token"), ("refresh_token", rt), ("client_id", &id)]).await;
    assert_oauth_error(&no_secret, "invalid_client", "invalid client credentials");
    sim.shutdown().await;
}

#[tokio::test]
async fn rotation_issues_a_new_token_and_reuse_revokes_the_family() {
    let sim = Simulator::start(SimConfig { refresh_rotation: true, ..auto() }).await.unwrap();
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
    let (rt, at) = (body["refresh_token"].as_str().unwrap(), body["access_token"].as_str().unwrap());
    assert_eq!(rest(&sim, "/services/data/v66.0/limits", Some(at)).await.0, StatusCode::OK);
    let response =
        http().post(format!("{}/services/oauth2/revoke", sim.base_url())).form(&[("token", rt)]).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().is_empty());
    assert_eq!(sim.issued_refresh_tokens(), 0);
    assert_eq!(rest(&sim, "/services/data/v66.0/limits", Some(at)).await.0, StatusCode::UNAUTHORIZED);
    assert_oauth_error(&refresh(&sim, rt).await, "invalid_grant", "expired access/refresh token");
    let again =
        http().get(format!("{}/services/oauth2/revoke", sim.base_url())).query(&[("token", rt)]).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_log_shows_the_secret_travelled_in_the_body_only() {
    let sim = Simulator::start(auto()).await.unwrap();
    access_token(&sim).await;
    let secret = sim.client_secret();
    let seen = sim.requests_seen();
    let exchange = seen.iter().find(|r| r.path == "/services/oauth2/token").unwrap();
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
async fn refresh_accepts_client_secret_basic() {
    let sim = Simulator::start(auto()).await.unwrap();
    let (_, body) = exchange(&sim, &code(&sim, &[]).await, &[]).await;
    let rt = body["refresh_token"].as_str().unwrap();
    let response = http()
        .post(format!("{}/services/oauth2/token", sim.base_url()))
        .basic_auth(sim.client_id(), Some(sim.client_secret()))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", rt)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let wrong = http()
        .post(format!("{}/services/oauth2/token", sim.base_url()))
        .basic_auth(sim.client_id(), Some("nope"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", rt)])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
    sim.shutdown().await;
}

#[tokio::test]
async fn revoking_an_access_token_leaves_the_refresh_token() {
    let sim = Simulator::start(auto()).await.unwrap();
    let (_, body) = exchange(&sim, &code(&sim, &[]).await, &[]).await;
    let at = body["access_token"].as_str().unwrap();
    let response =
        http().get(format!("{}/services/oauth2/revoke", sim.base_url())).query(&[("token", at)]).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (status, _) = rest(&sim, "/services/data/v66.0/limits", Some(at)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(sim.issued_refresh_tokens(), 1);
    let (status, _) = refresh(&sim, body["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    sim.shutdown().await;
}
