//! The app's state as Salesforce reports it at the token endpoint: uninstalled (the September 2025 block).

use super::*;

fn assert_uninstalled(reply: &(StatusCode, Value), what: &str) {
    assert_eq!(reply.0, StatusCode::BAD_REQUEST, "{what}: {}", reply.1);
    assert_eq!(reply.1["error"], "invalid_client", "{what}: {}", reply.1);
    assert_eq!(reply.1["error_description"], "app must be installed into org", "{what}");
}

/// Issue 10 item 2: the same answer on every token request, with a right secret, a wrong one or none.
#[tokio::test]
async fn an_uninstalled_app_is_refused_on_every_token_request_secret_or_not() {
    let sim = Simulator::start(auto()).await.unwrap();
    let code = code(&sim, &[("scope", "api refresh_token")]).await;
    let (_, granted) = exchange(&sim, &code, &[]).await;
    let refresh_token = granted["refresh_token"].as_str().unwrap().to_string();
    let spare_code = self::code(&sim, &[]).await;
    sim.set_config(|c| c.app_installed = false);
    let (id, secret) = (sim.client_id(), sim.client_secret());

    for (what, secret) in [("right secret", Some(secret.as_str())), ("wrong secret", Some("0000")), ("none", None)] {
        let mut probe = vec![
            ("grant_type", "authorization_code"),
            ("code", "sfconnect-readiness-probe"),
            ("client_id", id.as_str()),
            ("redirect_uri", REDIRECT),
        ];
        let mut refresh = vec![("grant_type", "refresh_token"), ("refresh_token", &refresh_token), ("client_id", &id)];
        if let Some(secret) = secret {
            probe.push(("client_secret", secret));
            refresh.push(("client_secret", secret));
        }
        assert_uninstalled(&token(&sim, &probe).await, &format!("probe, {what}"));
        assert_uninstalled(&token(&sim, &refresh).await, &format!("refresh, {what}"));
    }
    assert_uninstalled(&exchange(&sim, &spare_code, &[]).await, "exchange");
    let device = token(&sim, &[("response_type", "device_code"), ("client_id", &id)]).await;
    assert_uninstalled(&device, "device start");
    let poll = token(&sim, &[("grant_type", "device"), ("client_id", &id), ("code", "anything")]).await;
    assert_uninstalled(&poll, "device poll");

    // Authorize redirects with it (as captured by docs.movedata.io).
    let location = authorize(&sim, &[]).await;
    assert_eq!(param(&location, "error").as_deref(), Some("invalid_client"));
    assert_eq!(param(&location, "error_description").as_deref(), Some("app must be installed into org"));

    sim.set_config(|c| c.app_installed = true);
    let (status, _) = exchange(&sim, &spare_code, &[]).await;
    assert_eq!(status, StatusCode::OK, "installing the app lifts the block; the code was never spent");
    sim.shutdown().await;
}
