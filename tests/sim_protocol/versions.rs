//! API versions as an org serves them (issue 10 item 4, issue 11 item 1): the newest it knows, 404 past it, and
//! fields hidden from versions older than the one they arrived in.

use super::rest::urlencode;
use super::*;

async fn query(sim: &Simulator, version: &str, soql: &str, token: &str) -> (StatusCode, Value) {
    rest(sim, &format!("/services/data/{version}/query?q={}", urlencode(soql)), Some(token)).await
}

#[tokio::test]
async fn an_older_org_serves_fewer_versions_and_404s_the_rest() {
    let sim = Simulator::start(SimConfig { newest_api_version: 62, ..auto() }).await.unwrap();
    let (_, versions) = rest(&sim, "/services/data/", None).await;
    assert_eq!(versions.as_array().unwrap().last().unwrap()["version"], "62.0");
    let at = access_token(&sim).await;
    assert_eq!(rest(&sim, "/services/data/v62.0", Some(&at)).await.0, StatusCode::OK);
    for path in
        ["/services/data/v63.0", "/services/data/v68.0/limits", "/services/data/v64.0/query?q=SELECT+Id+FROM+User"]
    {
        let (status, body) = rest(&sim, path, Some(&at)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            body,
            serde_json::json!([{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]),
            "{path}"
        );
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn the_newest_version_answers_its_resource_map() {
    let sim = Simulator::start(auto()).await.unwrap();
    let at = access_token(&sim).await;
    let (status, resources) = rest(&sim, "/services/data/v68.0", Some(&at)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(resources["sobjects"], "/services/data/v68.0/sobjects");
    assert_eq!(rest(&sim, "/services/data/v69.0", Some(&at)).await.0, StatusCode::NOT_FOUND);
    sim.shutdown().await;
}

#[tokio::test]
async fn permission_columns_are_hidden_before_v64_as_salesforce_hides_newer_fields() {
    let sim = Simulator::start(auto()).await.unwrap();
    let at = access_token(&sim).await;
    let soql = "SELECT Id, PermissionsUseAnyApiClient FROM PermissionSet";
    let (status, body) = query(&sim, "v63.0", soql, &at).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body[0]["errorCode"], "INVALID_FIELD");
    let message = body[0]["message"].as_str().unwrap();
    assert!(message.contains("No such column 'PermissionsUseAnyApiClient' on entity 'PermissionSet'."), "{message}");
    assert!(message.contains("ERROR at Row:1:Column:12"), "{message}");
    let (status, body) = query(&sim, "v64.0", soql, &at).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["records"][0]["PermissionsUseAnyApiClient"], false);

    let through = "SELECT PermissionSet.PermissionsCanApproveUninstalledApps FROM PermissionSetAssignment";
    let (status, body) = query(&sim, "v62.0", through, &at).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = body[0]["message"].as_str().unwrap();
    assert!(
        message.contains("No such column 'PermissionsCanApproveUninstalledApps' on entity 'PermissionSet'."),
        "{message}"
    );
    assert_eq!(query(&sim, "v68.0", through, &at).await.0, StatusCode::OK);
    sim.shutdown().await;
}
