//! REST: sessions, API disabled, versions, identity, SOQL and paging.

use super::*;

#[tokio::test]
async fn rest_needs_a_session_and_an_enabled_api() {
    let sim = Simulator::start(auto()).await.unwrap();
    let (status, body) = rest(&sim, "/services/data/v66.0/limits", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body[0]["errorCode"], "INVALID_SESSION_ID");
    assert_eq!(body[0]["message"], "Session expired or invalid");
    let at = access_token(&sim).await;
    let (status, limits) = rest(&sim, "/services/data/v50.0/limits", Some(&at)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(limits["DailyApiRequests"]["Max"], 100_000);
    assert_eq!(limits["DailyApiRequests"]["Remaining"], 99_000);

    sim.set_config(|c| c.api_enabled = false);
    let (status, body) = rest(&sim, "/services/data/v66.0/limits", Some(&at)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body[0]["errorCode"], "API_DISABLED_FOR_ORG");
    assert_eq!(body[0]["message"], "The REST API is not enabled for this Organization.");
    sim.shutdown().await;
}

#[tokio::test]
async fn versions_resources_and_retired_versions() {
    let sim = Simulator::start(auto()).await.unwrap();
    let (status, versions) = rest(&sim, "/services/data/", None).await;
    assert_eq!(status, StatusCode::OK);
    let list = versions.as_array().unwrap();
    assert_eq!(list[0]["version"], "31.0");
    let newest = list.last().unwrap();
    assert_eq!((newest["version"].as_str(), newest["label"].as_str()), (Some("68.0"), Some("Winter '27")));
    assert_eq!(newest["url"], "/services/data/v68.0");
    assert!(list.iter().any(|v| v["label"] == "Summer '26" && v["version"] == "67.0"));
    assert!(list.iter().any(|v| v["label"] == "Spring '26" && v["version"] == "66.0"));
    assert!(list.iter().any(|v| v["label"] == "Spring '15" && v["version"] == "33.0"));

    let at = access_token(&sim).await;
    let (status, resources) = rest(&sim, "/services/data/v50.0", Some(&at)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(resources["identity"].as_str().unwrap().contains("/id/00D"));
    assert_eq!(resources["query"], "/services/data/v50.0/query");
    assert_eq!(rest(&sim, "/services/data/v30.0/limits", Some(&at)).await.0, StatusCode::GONE);
    let (status, body) = rest(&sim, "/services/data/v99.0/limits", Some(&at)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body[0]["errorCode"], "NOT_FOUND");
    sim.shutdown().await;
}

#[tokio::test]
async fn identity_url_and_userinfo() {
    let sim = Simulator::start(auto()).await.unwrap();
    let code = code(&sim, &[]).await;
    let (_, body) = exchange(&sim, &code, &[]).await;
    let (id, at) = (body["id"].as_str().unwrap(), body["access_token"].as_str().unwrap());
    // jsforce: ?format=json&oauth_token=… with no header.
    let identity: Value =
        http().get(id).query(&[("format", "json"), ("oauth_token", at)]).send().await.unwrap().json().await.unwrap();
    assert_eq!(identity["username"], "admin@acme.com");
    assert_eq!(identity["organization_id"], "00D5g00000ACMEsEAF");
    assert!(identity["urls"]["rest"].as_str().unwrap().ends_with("/services/data/v{version}/"));
    let (status, info) = rest(&sim, "/services/oauth2/userinfo", Some(at)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(info["preferred_username"], "admin@acme.com");
    assert_eq!(info["user_id"], "0055g00000ADMINAAA");
    assert_eq!(http().get(id).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let (_, oidc) = rest(&sim, "/.well-known/openid-configuration", None).await;
    assert_eq!(oidc["token_endpoint"], format!("{}/services/oauth2/token", sim.base_url()));
    sim.shutdown().await;
}

#[tokio::test]
async fn soql_organization_and_user_queries() {
    let sim = Simulator::start(auto()).await.unwrap();
    let at = access_token(&sim).await;
    let q = |soql: &str| format!("/services/data/v66.0/query?q={}", urlencode(soql));
    let (status, org) =
        rest(&sim, &q("SELECT Id, Name, OrganizationType, InstanceName, IsSandbox FROM Organization"), Some(&at)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(org["totalSize"], 1);
    assert_eq!(org["done"], true);
    let record = &org["records"][0];
    assert_eq!(record["attributes"]["type"], "Organization");
    assert_eq!(record["OrganizationType"], "Enterprise Edition");
    assert_eq!(record["IsSandbox"], false);

    let (_, user) = rest(
        &sim,
        &q("select Id, Username, Profile.Name, Profile.UserLicense.Name from user where Id = '0055g00000ADMIN'"),
        Some(&at),
    )
    .await;
    assert_eq!(user["totalSize"], 1, "{user}");
    let record = &user["records"][0];
    assert_eq!(record["Profile"]["Name"], "System Administrator");
    assert_eq!(record["Profile"]["attributes"]["type"], "Profile");
    assert_eq!(record["Profile"]["UserLicense"]["Name"], "Salesforce");

    let (status, bad) = rest(&sim, &q("SELECT Id, Foo FROM User"), Some(&at)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad[0]["errorCode"], "INVALID_FIELD");
    assert!(bad[0]["message"].as_str().unwrap().contains("No such column 'Foo' on entity 'User'"));
    let (status, bad) = rest(&sim, &q("SELEKT Id FROM User"), Some(&at)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad[0]["errorCode"], "MALFORMED_QUERY");
    let (_, bad) = rest(&sim, &q("SELECT Id FROM Widget"), Some(&at)).await;
    assert_eq!(bad[0]["errorCode"], "INVALID_TYPE");
    let (_, count) = rest(&sim, &q("SELECT COUNT() FROM User"), Some(&at)).await;
    assert_eq!(count["totalSize"], 1);
    sim.shutdown().await;
}

pub(super) fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn large_queries_page_2000_at_a_time() {
    let mut config = auto();
    config.org.other_users = (0..4499)
        .map(|i| UserFixture {
            user_id: format!("005000000000{i:04}AA"),
            username: format!("user{i}@acme.com"),
            ..UserFixture::default()
        })
        .collect();
    let sim = Simulator::start(config).await.unwrap();
    let at = access_token(&sim).await;
    let (_, first) =
        rest(&sim, &format!("/services/data/v66.0/query?q={}", urlencode("SELECT Id FROM User")), Some(&at)).await;
    assert_eq!(first["totalSize"], 4500);
    assert_eq!(first["done"], false);
    assert_eq!(first["records"].as_array().unwrap().len(), 2000);
    let next = first["nextRecordsUrl"].as_str().unwrap();
    assert!(next.starts_with("/services/data/v66.0/query/01g") && next.ends_with("-2000"), "{next}");
    let (_, second) = rest(&sim, next, Some(&at)).await;
    assert_eq!(second["records"].as_array().unwrap().len(), 2000);
    let (_, third) = rest(&sim, second["nextRecordsUrl"].as_str().unwrap(), Some(&at)).await;
    assert_eq!(third["records"].as_array().unwrap().len(), 500);
    assert_eq!(third["done"], true);
    assert!(third.get("nextRecordsUrl").is_none());
    sim.shutdown().await;
}
