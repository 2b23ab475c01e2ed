//! `Retry-After` on a 429 or a 503, over real HTTP from the simulator: read in both its forms
//! (delta-seconds and an HTTP date), named in the explanation, and honoured by every loop that repeats a
//! request (the refresh, the readiness probe, device polling, the REST reads): each waits the longer of its
//! own back-off and the server's wait, capped at `MAX_SERVER_WAIT`. Virtual clocks record the pauses, so
//! nothing here sleeps for real except the REST read, which takes the real clock and a one-second wait.

use crate::common;

use std::time::{Duration, Instant, SystemTime};

use common::*;
use sfconnect::salesforce::clock::{Clock, ManualClock};
use sfconnect::salesforce::device_flow::{DeviceEvent, wait_for_device_approval};
use sfconnect::salesforce::probe::{CONFIRM_INTERVAL, ProbeEvent, Readiness, wait_until_ready};
use sfconnect::salesforce::rest::RestClient;
use sfconnect::salesforce::retry::{MAX_SERVER_WAIT, RetryPolicy};
use sfconnect::salesforce::{Error, RefreshToken, Scopes, TokenGrant};
use sfconnect_sim::{Fault, FaultPlan, FaultScope, Simulator};

const TOKEN_PATH: &str = "/services/oauth2/token";

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// A 429 (the rate-limit answer) or 503 (the maintenance page) with this `Retry-After`, `times` times.
fn ask_to_wait(status: u16, retry_after: &str, scope: FaultScope, times: u32) -> Option<FaultPlan> {
    Some(FaultPlan::times(Fault::AskToWait { status, retry_after: retry_after.to_string() }, scope, times))
}

fn token_requests(sim: &Simulator) -> usize {
    sim.requests_seen().iter().filter(|r| r.path == TOKEN_PATH).count()
}

/// Virtual time that lets a little real time pass at each sleep, so device polls do not come faster than
/// the simulator's (here 50 ms) interval and get `slow_down`.
#[derive(Default)]
struct PollingClock(ManualClock);

impl Clock for PollingClock {
    fn now(&self) -> Instant {
        self.0.now()
    }

    async fn sleep(&self, duration: Duration) {
        self.0.sleep(duration).await;
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
}

/// Tokens from a device login the simulator approves by itself, taken before any fault is set.
async fn granted(sim: &Simulator) -> TokenGrant {
    let (client, app) = (client_for(sim), app_for(sim));
    let device = client.start_device(&app.client_id, &Scopes::parse("api refresh_token")).await.expect("start");
    wait_for_device_approval(&client, &app, &device, &PollingClock::default(), secs(60), |_| {})
        .await
        .expect("approved")
}

async fn refresh_token(sim: &Simulator) -> RefreshToken {
    granted(sim).await.refresh_token.expect("refresh_token scope granted")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_refresh_waits_as_long_as_a_429_asks_then_goes_through() {
    let sim = start(quick_config()).await;
    let token = refresh_token(&sim).await;
    sim.set_fault(ask_to_wait(429, "30", FaultScope::Token, 2));
    let clock = ManualClock::default();
    let before = token_requests(&sim);
    let grant = client_for(&sim).refresh_with_retry(&app_for(&sim), &token, &clock, RetryPolicy::REPEATABLE_READ).await;
    assert!(grant.is_ok(), "{grant:?}");
    // Our own pauses would be 2 s then 4 s; the server asked for 30 s both times.
    assert_eq!(clock.sleeps(), [secs(30), secs(30)]);
    assert_eq!(token_requests(&sim) - before, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_http_date_on_a_503_is_read_as_the_time_left_until_then() {
    let sim = start(quick_config()).await;
    let token = refresh_token(&sim).await;
    let date = httpdate::fmt_http_date(SystemTime::now() + secs(45));
    sim.set_fault(ask_to_wait(503, &date, FaultScope::Token, 1));
    let clock = ManualClock::default();
    let grant = client_for(&sim).refresh_with_retry(&app_for(&sim), &token, &clock, RetryPolicy::REPEATABLE_READ).await;
    assert!(grant.is_ok(), "{grant:?}");
    let sleeps = clock.sleeps();
    // The date has whole seconds, so what is left when the answer arrives is 44 to 45 s.
    assert!(sleeps.len() == 1 && (secs(44)..=secs(45)).contains(&sleeps[0]), "{date}: {sleeps:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lasting_429_names_the_wait_and_leaks_no_secret() {
    let sim = start(quick_config()).await;
    let token = refresh_token(&sim).await;
    sim.set_fault(Some(FaultPlan::always(
        Fault::AskToWait { status: 429, retry_after: "30".into() },
        FaultScope::Token,
    )));
    let clock = ManualClock::default();
    let err = client_for(&sim)
        .refresh_with_retry(&app_for(&sim), &token, &clock, RetryPolicy::REPEATABLE_READ)
        .await
        .expect_err("a lasting rate limit fails the refresh");
    assert_eq!(err.retry_after(), Some(secs(30)));
    assert_eq!(err.oauth_code(), Some(&sfconnect::salesforce::OAuthErrorCode::RateLimitExceeded));
    let ex = err.explain();
    assert!(ex.headline.starts_with("Too many requests"), "{}", ex.headline);
    assert!(ex.headline.ends_with("Salesforce asked to wait 30 s"), "{}", ex.headline);
    assert!(ex.fix.contains("Wait a minute"), "{}", ex.fix);
    assert_eq!(clock.sleeps(), [secs(30), secs(30)], "three tries in all, each after the wait asked for");
    let shown = format!("{err} {err:?} {} {}", ex.headline, ex.fix);
    for secret in [sim.client_secret(), token.expose().to_string()] {
        assert!(!shown.contains(&secret), "a secret in {shown}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wait_past_the_ceiling_is_cut_to_it_and_the_message_keeps_what_was_asked() {
    let sim = start(quick_config()).await;
    let token = refresh_token(&sim).await;
    sim.set_fault(ask_to_wait(429, "3600", FaultScope::Token, 1));
    let clock = ManualClock::default();
    let mut heard = Vec::new();
    let client = client_for(&sim);
    let app = app_for(&sim);
    let grant = sfconnect::salesforce::retry::retry_transient(
        &clock,
        RetryPolicy::REPEATABLE_READ,
        |e, pause| heard.push((e.explain().headline, pause)),
        || client.refresh(&app, &token),
    )
    .await;
    assert!(grant.is_ok(), "{grant:?}");
    assert_eq!(clock.sleeps(), [MAX_SERVER_WAIT]);
    assert_eq!(MAX_SERVER_WAIT, secs(120));
    assert_eq!(heard.len(), 1);
    assert!(heard[0].0.ends_with("Salesforce asked to wait 60 minutes"), "{heard:?}");
    assert_eq!(heard[0].1, MAX_SERVER_WAIT);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_value_that_is_no_wait_leaves_the_own_back_off() {
    for value in ["soon", "-1", "0", "Wed, 21 Oct 2015 07:28:00 GMT"] {
        let sim = start(quick_config()).await;
        let token = refresh_token(&sim).await;
        sim.set_fault(ask_to_wait(429, value, FaultScope::Token, 2));
        let clock = ManualClock::default();
        let grant =
            client_for(&sim).refresh_with_retry(&app_for(&sim), &token, &clock, RetryPolicy::REPEATABLE_READ).await;
        assert!(grant.is_ok(), "{value}: {grant:?}");
        assert_eq!(clock.sleeps(), [secs(2), secs(4)], "{value}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_probe_waits_as_long_as_asked_and_says_so() {
    let sim = start(quick_config()).await;
    sim.set_fault(ask_to_wait(429, "30", FaultScope::Token, 1));
    let (client, app) = (client_for(&sim), app_for(&sim));
    let redirect = client.host().default_redirect_uri();
    let clock = ManualClock::default();
    let mut events = Vec::new();
    let ready = wait_until_ready(&client, &app, &redirect, &clock, secs(600), |e| events.push(e)).await;
    assert_eq!(ready.ok(), Some(Readiness::Ready { secret_checked: true }), "{events:?}");
    // Our own pause would be 4 s plus under 1 s of jitter; then the second answer that confirms the key.
    assert_eq!(clock.sleeps(), [secs(30), CONFIRM_INTERVAL]);
    match events.as_slice() {
        [ProbeEvent::Retrying { message, retry_in }, ProbeEvent::Answered { .. }] => {
            assert!(message.ends_with("Salesforce asked to wait 30 s"), "{message}");
            assert_eq!(*retry_in, secs(30));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn device_polling_waits_as_long_as_a_503_asks() {
    let sim = start(quick_config()).await;
    let (client, app) = (client_for(&sim), app_for(&sim));
    let device = client.start_device(&app.client_id, &Scopes::parse("api refresh_token")).await.expect("start");
    sim.set_fault(ask_to_wait(503, "20", FaultScope::Token, 1));
    let clock = PollingClock::default();
    let mut events = Vec::new();
    let grant = wait_for_device_approval(&client, &app, &device, &clock, secs(600), |e| events.push(e)).await;
    assert!(grant.is_ok_and(|g| g.refresh_token.is_some()), "{events:?}");
    let sleeps = clock.0.sleeps();
    // The interval (1 s), then 20 s instead of our 2 s back-off, then the interval again until approval.
    assert_eq!(sleeps.get(..2), Some(&[secs(1), secs(20)][..]), "{sleeps:?}");
    assert!(sleeps[2..].iter().all(|s| *s == secs(1)), "{sleeps:?}");
    let retry = events.iter().find_map(|e| match e {
        DeviceEvent::Retrying { message, retry_in } => Some((message.clone(), *retry_in)),
        _ => None,
    });
    let (message, retry_in) = retry.expect("a retry was announced");
    assert!(message.contains("(HTTP 503)") && message.ends_with("Salesforce asked to wait 20 s"), "{message}");
    assert_eq!(retry_in, secs(20));
}

/// The REST reads take the real clock, so this one waits a real second: the shortest `Retry-After` there
/// is, against our 10 ms back-off.
#[tokio::test(flavor = "multi_thread")]
async fn a_rest_read_waits_as_long_as_asked() {
    let sim = start(quick_config()).await;
    let grant = granted(&sim).await;
    let quick = RetryPolicy { attempts: 3, base: Duration::from_millis(10) };
    let rest = RestClient::new(client_for(&sim).http().clone(), &grant.instance_url, grant.access_token.clone())
        .unwrap()
        .with_retry(quick);
    sim.set_fault(ask_to_wait(429, "1", FaultScope::Rest, 1));
    let started = Instant::now();
    let org = rest.organization().await;
    assert!(org.is_ok(), "{org:?}");
    assert!(started.elapsed() >= secs(1), "{:?}", started.elapsed());

    sim.set_fault(Some(FaultPlan::always(Fault::AskToWait { status: 429, retry_after: "1".into() }, FaultScope::Rest)));
    let err = RestClient::new(client_for(&sim).http().clone(), &grant.instance_url, grant.access_token.clone())
        .unwrap()
        .with_retry(RetryPolicy::ONCE)
        .organization()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AskedToWait { .. }), "{err:?}");
    let headline = err.explain().headline;
    assert!(headline.starts_with("The org has used up its API requests"), "{headline}");
    assert!(headline.ends_with("Salesforce asked to wait 1 s"), "{headline}");
}
