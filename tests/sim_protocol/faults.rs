//! Injected faults, and shutting down past a hanging request.

use super::*;

#[tokio::test]
async fn faults_hit_their_scope_for_their_count() {
    let sim = Simulator::start(auto()).await.unwrap();
    let at = access_token(&sim).await;
    let limits = format!("{}/services/data/v66.0/limits", sim.base_url());
    let get = || http().get(&limits).bearer_auth(&at).send();

    sim.set_fault(Some(FaultPlan::times(Fault::ServerError, FaultScope::Rest, 1)));
    let response = get().await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(get().await.unwrap().status(), StatusCode::OK, "the fault was for one request");

    sim.set_fault(Some(FaultPlan::always(Fault::Maintenance, FaultScope::All)));
    let response = get().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.text().await.unwrap().contains("Down For Maintenance"));

    sim.set_fault(Some(FaultPlan::always(Fault::RateLimited, FaultScope::Rest)));
    let response = get().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().get("retry-after").is_none(), "a plain rate limit says nothing about when");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body[0]["errorCode"], "REQUEST_LIMIT_EXCEEDED");

    let ask = |status, value: &str| Fault::AskToWait { status, retry_after: value.to_string() };
    sim.set_fault(Some(FaultPlan::times(ask(429, "30"), FaultScope::Rest, 1)));
    let response = get().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "30");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body[0]["errorCode"], "REQUEST_LIMIT_EXCEEDED");
    let date = "Wed, 21 Oct 2037 07:28:00 GMT";
    sim.set_fault(Some(FaultPlan::times(ask(503, date), FaultScope::Rest, 1)));
    let response = get().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], date, "sent as given");
    assert!(response.text().await.unwrap().contains("Down For Maintenance"));

    sim.set_fault(Some(FaultPlan::always(Fault::RateLimited, FaultScope::Token)));
    let reply = token(&sim, &[("grant_type", "refresh_token")]).await;
    assert_eq!(reply.0, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.1["error"].is_string());
    assert_eq!(get().await.unwrap().status(), StatusCode::OK, "a Token fault leaves REST alone");

    sim.set_fault(Some(FaultPlan::always(Fault::MalformedJson, FaultScope::Token)));
    let response = http().post(format!("{}/services/oauth2/token", sim.base_url())).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.json::<Value>().await.is_err());

    sim.set_fault(Some(FaultPlan::always(Fault::EmptyBody, FaultScope::Identity)));
    let response =
        http().get(format!("{}/services/oauth2/userinfo", sim.base_url())).bearer_auth(&at).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().is_empty());

    sim.set_fault(Some(FaultPlan::always(Fault::Slow(Duration::from_millis(300)), FaultScope::Rest)));
    let started = std::time::Instant::now();
    assert_eq!(get().await.unwrap().status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));

    sim.set_fault(Some(FaultPlan::always(Fault::Hang, FaultScope::Rest)));
    let hung = http().get(&limits).bearer_auth(&at).timeout(Duration::from_millis(300)).send().await;
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
    let sim = Simulator::start(SimConfig { fault: Some(FaultPlan::always(Fault::Hang, FaultScope::All)), ..auto() })
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
