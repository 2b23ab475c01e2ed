//! External Client Apps (issue 10 item 5, issue 11 item 5): the objects that hold their policies, their tokens in
//! `OauthToken`, their absence from `ConnectedApplication`; other apps in use; "valid until revoked" as null or 0.

use super::rest::urlencode;
use super::*;
use sfconnect_sim::{OrgFixture, UntilRevoked};

async fn records(sim: &Simulator, token: &str, soql: &str) -> Vec<Value> {
    let path = format!("/services/data/v66.0/query?q={}", urlencode(soql));
    let (status, body) = rest(sim, &path, Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{soql}: {body}");
    body["records"].as_array().unwrap().clone()
}

async fn granted(sim: &Simulator) -> String {
    let code = code(sim, &[("scope", "api refresh_token")]).await;
    let (_, body) = exchange(sim, &code, &[]).await;
    body["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_external_client_app_shows_in_its_own_objects_and_not_as_a_connected_app() {
    let org = OrgFixture::default().as_external_client_app().with_other_apps();
    let sim = Simulator::start(SimConfig { org, ..auto() }).await.unwrap();
    let at = granted(&sim).await;

    let apps =
        records(&sim, &at, "SELECT Id, DeveloperName, MasterLabel, DistributionState FROM ExternalClientApplication")
            .await;
    assert_eq!(apps.len(), 2, "the app and another one: {apps:?}");
    assert_eq!(
        (apps[0]["MasterLabel"].as_str(), apps[0]["DistributionState"].as_str()),
        (Some("sfconnect"), Some("Local"))
    );

    let policies = records(
        &sim,
        &at,
        "SELECT ExternalClientApplication.MasterLabel, ExternalClientApplicationId, PermittedUsersPolicyType, \
         IpRelaxationPolicyType, RefreshTokenPolicyType, RefreshTokenValidityPeriod, RefreshTokenValidityUnit \
         FROM ExtlClntAppOauthPlcyCnfg WHERE ExternalClientApplication.MasterLabel = 'sfconnect'",
    )
    .await;
    assert_eq!(policies.len(), 1, "{policies:?}");
    let policy = &policies[0];
    assert_eq!(policy["ExternalClientApplicationId"], apps[0]["Id"]);
    assert_eq!(policy["ExternalClientApplication"]["MasterLabel"], "sfconnect");
    assert_eq!(policy["PermittedUsersPolicyType"], "AllSelfAuthorized");
    assert_eq!(policy["IpRelaxationPolicyType"], "Enforce");
    assert_eq!(policy["RefreshTokenPolicyType"], "Infinite");
    assert_eq!(policy["RefreshTokenValidityPeriod"], Value::Null);

    let connected = records(&sim, &at, "SELECT Name FROM ConnectedApplication").await;
    assert_eq!(connected.iter().map(|r| r["Name"].as_str().unwrap()).collect::<Vec<_>>(), ["Data Loader"]);

    // The ECA's token: AppName is its label, no AppMenuItemId (sfdx-hardis's reading of real orgs).
    let tokens = records(&sim, &at, "SELECT AppName, AppMenuItemId, LastUsedDate FROM OauthToken").await;
    let ours: Vec<&Value> = tokens.iter().filter(|t| t["AppName"] == "sfconnect").collect();
    assert_eq!(ours.len(), 1, "{tokens:?}");
    assert_eq!(ours[0]["AppMenuItemId"], Value::Null);
    let data_loader = tokens.iter().find(|t| t["AppName"] == "Data Loader").unwrap();
    assert!(data_loader["AppMenuItemId"].is_string());
    // Other apps are used more recently than ours: "the most recently used token" is not our app's.
    let newest = tokens.iter().max_by_key(|t| t["LastUsedDate"].as_str().unwrap().to_string()).unwrap();
    assert_ne!(newest["AppName"], "sfconnect", "{tokens:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn valid_until_revoked_reads_as_null_or_zero_by_switch() {
    for (until_revoked, expected) in [(UntilRevoked::Null, Value::Null), (UntilRevoked::Zero, serde_json::json!(0))] {
        let org = OrgFixture { until_revoked, ..OrgFixture::default() };
        let sim = Simulator::start(SimConfig { org, ..auto() }).await.unwrap();
        let at = granted(&sim).await;
        let apps = records(&sim, &at, "SELECT RefreshTokenValidityPeriod FROM ConnectedApplication").await;
        assert_eq!(apps[0]["RefreshTokenValidityPeriod"], expected, "{until_revoked:?}");
        sim.shutdown().await;

        let org = OrgFixture { until_revoked, ..OrgFixture::default() }.as_external_client_app();
        let sim = Simulator::start(SimConfig { org, ..auto() }).await.unwrap();
        let at = granted(&sim).await;
        let policies = records(&sim, &at, "SELECT RefreshTokenValidityPeriod FROM ExtlClntAppOauthPlcyCnfg").await;
        assert_eq!(policies[0]["RefreshTokenValidityPeriod"], expected, "{until_revoked:?}");
        assert!(records(&sim, &at, "SELECT Name FROM ConnectedApplication").await.is_empty());
        sim.shutdown().await;
    }
}
