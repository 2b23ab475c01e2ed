//! Issue #12 item 8: the code exchange goes through oauth2, on the project's own HTTP client. These
//! tests pin what that client brings (a redirect is not followed) and what oauth2 must not change (the
//! request's body, Salesforce's extra fields, an answer that is not a token).

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::post;
use sfconnect::salesforce::errors::BodyKind;
use sfconnect::salesforce::{
    AppCredentials, AuthCode, Client, ClientSecret, CodeExchange, CodeVerifier, Error, LoginHost,
};

/// What the fake token endpoint saw: each request's path and form body.
type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// A login host on loopback whose token endpoint answers `answer` and records what it was sent; a second
/// path, `/elsewhere`, answers a token, so a client that follows redirects would get one.
async fn token_endpoint(answer: (StatusCode, Vec<(header::HeaderName, &'static str)>, &'static str)) -> (Client, Seen) {
    let seen: Seen = Arc::default();
    let record = |path: &'static str, seen: Seen| {
        move |body: String| {
            seen.lock().unwrap().push((path.to_string(), body));
            async {}
        }
    };
    let token_seen = record("/services/oauth2/token", seen.clone());
    let elsewhere_seen = record("/elsewhere", seen.clone());
    let app = Router::new()
        .route(
            "/services/oauth2/token",
            post(move |body: String| {
                let answer = answer.clone();
                let recorded = token_seen(body);
                async move {
                    recorded.await;
                    let mut headers = HeaderMap::new();
                    for (name, value) in answer.1 {
                        headers.insert(name, value.parse().unwrap());
                    }
                    (answer.0, headers, answer.2)
                }
            }),
        )
        .route(
            "/elsewhere",
            post(move |body: String| {
                let recorded = elsewhere_seen(body);
                async move {
                    recorded.await;
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        r#"{"access_token":"00Dx!stolen","token_type":"Bearer"}"#,
                    )
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = Client::new(LoginHost::parse(&format!("http://127.0.0.1:{port}")).unwrap()).unwrap();
    (client, seen)
}

fn app() -> AppCredentials {
    AppCredentials { client_id: "3MVG9abc".into(), client_secret: Some(ClientSecret::new("S3CR3T&=+")) }
}

async fn exchange(client: &Client) -> Result<sfconnect::salesforce::TokenGrant, Error> {
    let code = AuthCode::new("aPrx==");
    let verifier = CodeVerifier::new("v".repeat(43));
    let exchange = CodeExchange {
        code: &code,
        redirect_uri: "https://login.salesforce.com/services/oauth2/success",
        code_verifier: Some(&verifier),
    };
    client.exchange_code(&app(), &exchange).await
}

/// oauth2's own client for reqwest would be a default `reqwest::Client`, which follows redirects: a token
/// endpoint that redirects would then receive the code and secret twice (SSRF). Ours does not follow.
#[tokio::test]
async fn a_redirecting_token_endpoint_is_not_followed() {
    let (client, seen) =
        token_endpoint((StatusCode::TEMPORARY_REDIRECT, vec![(header::LOCATION, "/elsewhere")], "")).await;
    let err = exchange(&client).await.expect_err("a redirect is no token");
    assert!(matches!(err, Error::UnreadableResponse { status: 307, what: BodyKind::Empty, .. }), "{err:?}");
    let paths: Vec<String> = seen.lock().unwrap().iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(paths, ["/services/oauth2/token"], "the redirect was not followed");
}

/// The body oauth2 builds carries what Salesforce reads, the secret in the body (not Basic auth), and
/// Salesforce's extra fields come back into the grant.
#[tokio::test]
async fn the_form_and_salesforce_fields_survive_oauth2() {
    let answer = r#"{"access_token":"00Dx!AQ","refresh_token":"5Aep861","signature":"c2ln","scope":"refresh_token api",
        "instance_url":"https://acme.my.salesforce.com/","id":"https://login.salesforce.com/id/00D5g000000abcDEAQ/0055g000000xyzAAAA",
        "token_type":"Bearer","issued_at":"1764000000000"}"#;
    let (client, seen) =
        token_endpoint((StatusCode::OK, vec![(header::CONTENT_TYPE, "application/json;charset=UTF-8")], answer)).await;
    let grant = exchange(&client).await.expect("a token");
    assert_eq!(grant.instance_url, "https://acme.my.salesforce.com");
    assert_eq!(grant.org_id(), Some("00D5g000000abcDEAQ"));
    assert_eq!(grant.issued_at_rfc3339().as_deref(), Some("2025-11-24T16:00:00Z"));
    assert_eq!(grant.refresh_token.as_ref().map(|t| t.expose()), Some("5Aep861"));
    assert!(grant.scopes.contains("api") && grant.scopes.contains("refresh_token"));
    assert_eq!(grant.token_type, "Bearer");

    let (_, body) = seen.lock().unwrap()[0].clone();
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(form["code"], "aPrx==");
    assert_eq!(form["client_id"], "3MVG9abc");
    assert_eq!(form["client_secret"], "S3CR3T&=+", "the secret in the body, encoded whole");
    assert_eq!(form["redirect_uri"], "https://login.salesforce.com/services/oauth2/success");
    assert_eq!(form["code_verifier"], "v".repeat(43));
}

/// A 200 whose JSON is no token answer is "malformed", with serde's message and no body text.
#[tokio::test]
async fn a_200_without_a_token_is_malformed_and_echoes_nothing() {
    let (client, _) = token_endpoint((
        StatusCode::OK,
        vec![(header::CONTENT_TYPE, "application/json")],
        r#"{"instance_url":"https://acme.my.salesforce.com","note":"00Dsecretvalue"}"#,
    ))
    .await;
    let err = exchange(&client).await.expect_err("no access_token");
    let shown = format!("{err} {err:?}");
    assert!(matches!(err, Error::UnreadableResponse { what: BodyKind::MalformedJson, .. }), "{shown}");
    assert!(shown.contains("access_token"), "serde names the missing field: {shown}");
    assert!(!shown.contains("00Dsecretvalue"), "{shown}");
}

/// An OAuth error answer keeps its status, code and description, as the error table reads them.
#[tokio::test]
async fn an_oauth_error_reads_as_it_did() {
    let (client, _) = token_endpoint((
        StatusCode::BAD_REQUEST,
        vec![(header::CONTENT_TYPE, "application/json")],
        r#"{"error":"invalid_grant","error_description":"expired authorization code"}"#,
    ))
    .await;
    let err = exchange(&client).await.expect_err("refused");
    assert_eq!(err.oauth_code(), Some(&sfconnect::salesforce::OAuthErrorCode::InvalidGrant));
    assert!(err.explain().headline.contains("already used"), "{}", err.explain().headline);
    assert!(!err.is_transient());
}

/// Salesforce's older examples of a token answer have no `token_type` (docs/protocol.md, Token endpoint):
/// the code is spent by then, so the answer is read, not refused for a field sfconnect does not use.
#[tokio::test]
async fn an_answer_without_token_type_still_gives_the_grant() {
    let answer = r#"{"id":"https://login.salesforce.com/id/00Dx0000000BV7z/005x00000012Q9P","issued_at":"1278448832702",
        "instance_url":"https://na1.salesforce.com/","signature":"0CmxinZir53Yex7nE0TD+zMpvIWYGb/bdJh6XfOH6EQ=",
        "access_token":"00Dx0000000BV7z!AR8AQAxo9UfVkh8AlV0Gomt9Czx9","refresh_token":"5Aep861"}"#;
    let (client, _) = token_endpoint((StatusCode::OK, vec![(header::CONTENT_TYPE, "application/json")], answer)).await;
    let grant = exchange(&client).await.expect("a grant without token_type");
    assert_eq!(grant.token_type, "Bearer");
    assert_eq!(grant.instance_url, "https://na1.salesforce.com");
    assert_eq!(grant.refresh_token.as_ref().map(|t| t.expose()), Some("5Aep861"));
    assert!(grant.scopes.is_empty(), "no scope field: none listed");
}
