//! Every answer Salesforce can give that is not the happy one: each row of the known-error table, an
//! HTML maintenance page, malformed JSON, 5xx, a hang, a refused connection and a TLS failure, all over
//! real HTTP from the simulator. Issue #3 (and the fault half of #6).

mod common;

use std::time::Duration;

use common::*;
use sfconnect::salesforce::errors::{BodyKind, KNOWN_OAUTH_ERRORS, TransportKind};
use sfconnect::salesforce::http::build_http_client_with;
use sfconnect::salesforce::{AuthCode, Client, CodeExchange, Error, LoginHost};
use sfconnect::sim::{Fault, FaultPlan, FaultScope};

async fn exchange_once(client: &Client, sim: &sfconnect::sim::Simulator) -> Result<(), Error> {
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
        assert_eq!(err.oauth_code(), Some(row.code));
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
    let ex = exchange_once(&client, &sim).await.unwrap_err().explain();
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
    let client = Client::with_http(build_http_client_with(Duration::from_millis(400)), host);
    let err = exchange_once(&client, &sim).await.unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportKind::Timeout, .. }), "{err:?}");
    assert!(err.explain().fix.contains("proxy"));
}

#[tokio::test]
async fn refused_connection_and_tls_failure_are_named() {
    let sim = start(quick_config()).await;
    let port: u16 = sim.base_url().rsplit(':').next().unwrap().parse().unwrap();
    // TLS to a server that speaks plain HTTP fails the handshake.
    let tls = Client::new(LoginHost::parse(&format!("https://127.0.0.1:{port}")).unwrap());
    let err = exchange_once(&tls, &sim).await.unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportKind::Tls | TransportKind::Other, .. }), "{err:?}");

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = listener.local_addr().unwrap().port();
    drop(listener);
    let refused = Client::new(LoginHost::parse(&format!("http://127.0.0.1:{closed}")).unwrap());
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
