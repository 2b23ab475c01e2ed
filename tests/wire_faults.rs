//! Every answer Salesforce can give that is not the happy one: each row of the known-error table, an
//! HTML maintenance page, malformed JSON, 5xx, a hang, a refused connection, a TLS failure and a name
//! that does not resolve, all over real HTTP (from the simulator, where there is an answer at all).
//! Issue #3 (and the fault half of #6).

use crate::common;

use std::cell::Cell;
use std::time::{Duration, Instant};

use common::*;
use sfconnect::salesforce::clock::ManualClock;
use sfconnect::salesforce::errors::{BodyKind, KNOWN_OAUTH_ERRORS, TransportKind};
use sfconnect::salesforce::http::{build_http_client_with, transport_error};
use sfconnect::salesforce::probe::wait_until_ready;
use sfconnect::salesforce::retry::{RetryPolicy, retry_transient};
use sfconnect::salesforce::{AppCredentials, AuthCode, Client, ClientSecret, CodeExchange, Error, LoginHost};
use sfconnect_sim::{Fault, FaultPlan, FaultScope};

async fn exchange_once(client: &Client, sim: &sfconnect_sim::Simulator) -> Result<(), Error> {
    let code = AuthCode::new("aPrxnotarealcode==");
    let redirect = client.host().default_redirect_uri();
    let exchange = CodeExchange { code: &code, redirect_uri: &redirect, code_verifier: None };
    client.exchange_code(&app_for(sim), &exchange).await.map(|_| ())
}

#[tokio::test]
async fn every_known_oauth_error_is_explained_with_its_own_row() {
    let sim = start(quick_config()).await;
    let client = client_for(&sim);
    for row in KNOWN_OAUTH_ERRORS {
        let description = row.description_contains.map(|d| format!("the server said: {d}"));
        sim.set_fault(Some(FaultPlan {
            fault: Fault::OAuthError { status: 400, error: row.code.to_string(), description: description.clone() },
            endpoints: FaultScope::Token,
            remaining: Some(1),
        }));
        let err = exchange_once(&client, &sim).await.expect_err("the injected error comes back");
        assert_eq!(err.oauth_code(), Some(&row.code));
        let ex = err.explain();
        assert!(ex.headline.starts_with(row.meaning), "{}: {}", row.code, ex.headline);
        assert_eq!(ex.fix, row.fix, "{}", row.code);
    }
}

#[tokio::test]
async fn unknown_error_is_shown_as_it_came() {
    let sim = start(quick_config()).await;
    let client = client_for(&sim);
    sim.set_fault(Some(FaultPlan {
        fault: Fault::OAuthError { status: 400, error: "brand_new".into(), description: Some("a new failure".into()) },
        endpoints: FaultScope::Token,
        remaining: Some(1),
    }));
    let err = exchange_once(&client, &sim).await.unwrap_err();
    // An unknown code is kept exactly as it came, and written back the same.
    let code = err.oauth_code().cloned();
    assert_eq!(code, Some(sfconnect::salesforce::OAuthErrorCode::Other("brand_new".into())));
    assert_eq!(code.map(|c| c.to_string()).as_deref(), Some("brand_new"));
    let ex = err.explain();
    assert!(ex.headline.contains("brand_new: a new failure"), "{}", ex.headline);
}

#[tokio::test]
async fn maintenance_page_malformed_json_and_5xx_are_told_apart() {
    let sim = start(quick_config()).await;
    let client = client_for(&sim);

    sim.set_fault(Some(FaultPlan { fault: Fault::Maintenance, endpoints: FaultScope::Token, remaining: Some(1) }));
    let err = exchange_once(&client, &sim).await.unwrap_err();
    assert!(matches!(err, Error::UnreadableResponse { status: 503, what: BodyKind::Html, .. }), "{err:?}");
    assert!(err.is_transient());
    assert!(err.explain().fix.contains("maintenance"));

    sim.set_fault(Some(FaultPlan { fault: Fault::MalformedJson, endpoints: FaultScope::Token, remaining: Some(1) }));
    let err = exchange_once(&client, &sim).await.unwrap_err();
    assert!(matches!(err, Error::UnreadableResponse { what: BodyKind::MalformedJson, .. }), "{err:?}");

    sim.set_fault(Some(FaultPlan { fault: Fault::ServerError, endpoints: FaultScope::Token, remaining: Some(1) }));
    let err = exchange_once(&client, &sim).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");

    sim.set_fault(Some(FaultPlan { fault: Fault::EmptyBody, endpoints: FaultScope::Token, remaining: Some(1) }));
    let err = exchange_once(&client, &sim).await.unwrap_err();
    assert!(matches!(err, Error::UnreadableResponse { what: BodyKind::Empty, .. }), "{err:?}");
}

#[tokio::test]
async fn a_hanging_server_times_out() {
    let sim = start(quick_config()).await;
    sim.set_fault(Some(FaultPlan { fault: Fault::Hang, endpoints: FaultScope::Token, remaining: None }));
    let host = LoginHost::parse(&sim.base_url()).unwrap();
    let client = Client::with_http(build_http_client_with(Duration::from_millis(400)).unwrap(), host);
    let err = exchange_once(&client, &sim).await.unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportKind::Timeout, .. }), "{err:?}");
    assert!(err.explain().fix.contains("proxy"));
}

#[tokio::test]
async fn refused_connection_and_tls_failure_are_named() {
    let sim = start(quick_config()).await;
    let port: u16 = sim.base_url().rsplit(':').next().unwrap().parse().unwrap();
    // TLS to a server that speaks plain HTTP fails the handshake.
    let tls = Client::new(LoginHost::parse(&format!("https://127.0.0.1:{port}")).unwrap()).unwrap();
    let err = exchange_once(&tls, &sim).await.unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportKind::Tls | TransportKind::Other, .. }), "{err:?}");

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = listener.local_addr().unwrap().port();
    drop(listener);
    let refused = Client::new(LoginHost::parse(&format!("http://127.0.0.1:{closed}")).unwrap()).unwrap();
    let err = exchange_once(&refused, &sim).await.unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportKind::Refused, .. }), "{err:?}");
    assert!(err.to_string().contains("refused the connection"));
}

#[tokio::test]
async fn slow_answers_still_arrive() {
    let sim = start(quick_config()).await;
    sim.set_fault(Some(FaultPlan {
        fault: Fault::Slow(Duration::from_millis(300)),
        endpoints: FaultScope::All,
        remaining: None,
    }));
    let client = client_for(&sim);
    let started = std::time::Instant::now();
    let config = client.discover().await.expect("a slow answer is still an answer");
    assert!(config.is_salesforce());
    assert!(started.elapsed() >= Duration::from_millis(300));
}

/// An HTTP client that goes to the host itself: with a proxy in the environment (HTTPS_PROXY), the proxy
/// would look the name up and answer with a page of its own instead of the DNS failure under test.
fn direct_http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// Names under `.invalid` never resolve (RFC 6761 §6.4), wildcard records or not: with a network the DNS
/// server answers "no such name", without one it cannot be reached, and either way the lookup fails at
/// once. The login-host rules take only Salesforce hosts and loopback, so the request goes out through
/// reqwest directly, and its failure through the classifier and the retry every `Client` request uses.
#[tokio::test]
async fn a_name_that_does_not_resolve_is_named_with_the_fix_and_not_retried() {
    let host = "https://sfconnect-typo.invalid";
    let http = direct_http();
    let calls = Cell::new(0);
    let clock = ManualClock::default();
    let started = Instant::now();
    let err = retry_transient(
        &clock,
        RetryPolicy::REPEATABLE_READ,
        |_, _| {},
        || {
            calls.set(calls.get() + 1);
            let request = http.post(format!("{host}/services/oauth2/token")).body("grant_type=refresh_token").send();
            async move { request.await.map(drop).map_err(|e| transport_error(e, host)) }
        },
    )
    .await
    .expect_err("a name under .invalid never resolves");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the lookup took {:?}: is a DNS server configured that never answers?",
        started.elapsed()
    );
    assert!(matches!(err, Error::Transport { kind: TransportKind::Dns, .. }), "{err:?}");
    assert!(!err.is_transient());
    assert_eq!(calls.get(), 1, "a typo is not tried again");
    assert!(clock.sleeps().is_empty());
    let ex = err.explain();
    assert_eq!(ex.headline, "The host name of https://sfconnect-typo.invalid could not be found (DNS)");
    assert!(ex.fix.starts_with("Check the Login URL's spelling: a My Domain is NAME.my.salesforce.com"), "{}", ex.fix);
    assert!(ex.fix.contains("DNS settings and any proxy (HTTPS_PROXY / NO_PROXY)"), "{}", ex.fix);
}

/// A label over 63 characters cannot be put in a DNS query (RFC 1035 §2.3.4), so no server has the name,
/// wildcard or not, and nothing is sent: rustls refuses it as a server name before any lookup. The name is
/// under my.salesforce.com, so it passes the login-host rules and the real `Client` meets it: the wait
/// for the key ends at the first probe with the DNS explanation instead of probing a typo for 15 minutes.
#[tokio::test]
async fn a_login_host_no_dns_server_can_have_ends_the_wait_at_once() {
    let host = LoginHost::parse(&format!("https://{}.my.salesforce.com", "x".repeat(64))).expect("a Salesforce host");
    let client = Client::with_http(direct_http(), host);
    let app = AppCredentials { client_id: "3MVG9notlive".into(), client_secret: Some(ClientSecret::new("SECRET0123")) };
    let redirect = client.host().default_redirect_uri();
    let clock = ManualClock::default();
    let mut events = Vec::new();
    let err = wait_until_ready(&client, &app, &redirect, &clock, Duration::from_secs(900), |e| events.push(e))
        .await
        .expect_err("the name cannot resolve");
    assert!(matches!(err, Error::Transport { kind: TransportKind::Dns, .. }), "{err:?}");
    assert!(events.is_empty() && clock.sleeps().is_empty(), "{events:?} {:?}", clock.sleeps());
    let ex = err.explain();
    assert!(ex.headline.ends_with(".my.salesforce.com could not be found (DNS)"), "{}", ex.headline);
    assert!(!format!("{err:?} {}", ex.headline).contains("SECRET0123"));
}
