//! The device flow and the readiness probe over HTTP against the simulator. Issue #3.

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use sfconnect::salesforce::clock::{ManualClock, TokioClock};
use sfconnect::salesforce::device_flow::{DeviceEvent, wait_for_device_approval};
use sfconnect::salesforce::probe::{Readiness, wait_until_ready};
use sfconnect::salesforce::{AppCredentials, ClientSecret, Error, Scopes};
use sfconnect_sim::{Approval, SimConfig};

#[tokio::test]
async fn device_flow_pending_then_approved_at_second_poll() {
    let sim = start(quick_config()).await;
    let client = client_for(&sim);
    let app = app_for(&sim);
    let device = client.start_device(&app.client_id, &Scopes::parse("api refresh_token")).await.expect("device start");
    assert_eq!(device.user_code.len(), 8);
    assert!(device.verification_uri_complete().ends_with(&format!("?user_code={}", device.user_code)));
    let mut events = Vec::new();
    let grant =
        wait_for_device_approval(&client, &app, &device, &TokioClock, Duration::from_secs(10), |e| events.push(e))
            .await
            .expect("approved");
    assert!(grant.refresh_token.is_some());
    assert!(matches!(events.first(), Some(DeviceEvent::Pending { polls: 1, .. })), "{events:?}");
}

#[tokio::test]
async fn device_flow_slow_down_lengthens_the_interval() {
    let sim = start(SimConfig { auto_approve: false, device_interval: Duration::from_secs(5), ..quick_config() }).await;
    let client = client_for(&sim);
    let app = app_for(&sim);
    let mut device = client.start_device(&app.client_id, &Scopes::parse("api")).await.unwrap();
    // Poll faster than the server's interval: the simulator, like Salesforce, answers slow_down.
    device.interval = Duration::from_millis(10);
    let clock = ManualClock::default();
    let mut events = Vec::new();
    let outcome = tokio::time::timeout(
        Duration::from_secs(5),
        wait_for_device_approval(&client, &app, &device, &clock, Duration::from_secs(12), |e| events.push(e)),
    )
    .await
    .expect("virtual time runs out quickly");
    assert!(
        events.iter().any(|e| matches!(e, DeviceEvent::SlowDown { interval } if *interval >= Duration::from_secs(5))),
        "{events:?}"
    );
    assert!(matches!(outcome, Err(Error::TimedOut { .. })), "{outcome:?}");
}

#[tokio::test]
async fn device_flow_denial_stops_with_an_explanation() {
    let sim = start(SimConfig { approval: Approval::Deny, ..quick_config() }).await;
    let client = client_for(&sim);
    let app = app_for(&sim);
    let device = client.start_device(&app.client_id, &Scopes::parse("api")).await.unwrap();
    let err = wait_for_device_approval(&client, &app, &device, &TokioClock, Duration::from_secs(10), |_| {})
        .await
        .expect_err("denied");
    assert_eq!(err.oauth_code(), Some(&sfconnect::salesforce::OAuthErrorCode::AccessDenied));
    assert!(err.explain().fix.contains("Allow"));
}

#[tokio::test]
async fn device_flow_approved_by_the_user_in_the_browser() {
    let sim = start(SimConfig { auto_approve: false, ..quick_config() }).await;
    let client = client_for(&sim);
    let app = app_for(&sim);
    let device = client.start_device(&app.client_id, &Scopes::parse("api refresh_token")).await.unwrap();
    let code = device.user_code.clone();
    let waiting = wait_for_device_approval(&client, &app, &device, &TokioClock, Duration::from_secs(10), |_| {});
    let approve = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(sim.approve_device(&code));
    };
    let (grant, ()) = tokio::join!(waiting, approve);
    assert!(grant.expect("approved after a few pending polls").refresh_token.is_some());
}

#[tokio::test]
async fn device_flow_disabled_on_the_app_is_explained() {
    let sim = start(SimConfig { device_flow_enabled: false, ..quick_config() }).await;
    let client = client_for(&sim);
    let err = client.start_device(&sim.client_id(), &Scopes::parse("api")).await.expect_err("refused");
    assert!(err.explain().fix.contains("Device Flow"), "{:?}", err.explain());
}

#[tokio::test]
async fn probe_tells_not_live_wrong_secret_and_ready_apart() {
    let sim = start(SimConfig { live_after: Duration::from_secs(3600), ..quick_config() }).await;
    let client = client_for(&sim);
    let app = app_for(&sim);
    let redirect = client.host().default_redirect_uri();
    assert_eq!(client.probe(&app, &redirect).await.unwrap(), Readiness::NotLive);
    sim.make_live_now();
    assert_eq!(client.probe(&app, &redirect).await.unwrap(), Readiness::Ready { secret_checked: true });
    let wrong = AppCredentials { client_secret: Some(ClientSecret::new("F".repeat(64))), ..app.clone() };
    assert_eq!(client.probe(&wrong, &redirect).await.unwrap(), Readiness::SecretRejected);
    let keyless = AppCredentials { client_secret: None, ..app.clone() };
    assert_eq!(client.probe(&keyless, &redirect).await.unwrap(), Readiness::Ready { secret_checked: false });
    assert_eq!(client.probe(&app, "https://elsewhere.example.com/cb").await.unwrap(), Readiness::RedirectNotRegistered);
}

#[tokio::test]
async fn wait_returns_within_seconds_of_the_key_going_live() {
    let sim = start(SimConfig { live_after: Duration::from_secs(2), ..quick_config() }).await;
    let client = client_for(&sim);
    let app = app_for(&sim);
    let started = Instant::now();
    let readiness = wait_until_ready(
        &client,
        &app,
        &client.host().default_redirect_uri(),
        &TokioClock,
        Duration::from_secs(30),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(readiness, Readiness::Ready { secret_checked: true });
    let lag = started.elapsed().saturating_sub(Duration::from_secs(2));
    // Up to 3 s to the next probe, then CONFIRM_INTERVAL to the one that confirms it (issue 10).
    assert!(lag < Duration::from_millis(4500), "returned {lag:?} after the key went live");
}

#[tokio::test]
async fn wait_times_out_on_virtual_time() {
    let sim = start(SimConfig { live_after: Duration::from_secs(3600), ..quick_config() }).await;
    let client = client_for(&sim);
    let clock = ManualClock::default();
    let err = wait_until_ready(
        &client,
        &app_for(&sim),
        &client.host().default_redirect_uri(),
        &clock,
        Duration::from_secs(60),
        |_| {},
    )
    .await
    .expect_err("times out");
    assert!(matches!(err, Error::TimedOut { .. }));
    let sleeps = clock.sleeps();
    assert!(
        sleeps.iter().all(|s| *s >= Duration::from_secs(2) && *s < Duration::from_secs(3)),
        "probe every 2-3 s: {sleeps:?}"
    );
    assert!(sleeps.len() >= 19, "about 20 probes in a minute, got {}", sleeps.len());
}
