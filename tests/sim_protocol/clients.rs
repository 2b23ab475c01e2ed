//! What standard clients (simple-salesforce, jsforce) need from the simulator, issue #11: paths with a trailing
//! slash, sObject describe and retrieve, the SOQL they send, queryAll paging, and https.

use super::*;

use sfconnect_sim::{OrgFixture, SAMPLE_DOMAINS, TokenFixture, Transport};

async fn query(sim: &Simulator, at: &str, soql: &str) -> (StatusCode, Value) {
    let response = http()
        .get(format!("{}/services/data/v66.0/query", sim.base_url()))
        .query(&[("q", soql)])
        .bearer_auth(at)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn records(sim: &Simulator, at: &str, soql: &str) -> Vec<Value> {
    let (status, body) = query(sim, at, soql).await;
    assert_eq!(status, StatusCode::OK, "{soql}: {body}");
    body["records"].as_array().unwrap().clone()
}

fn strings<'a>(records: &'a [Value], field: &str) -> Vec<&'a str> {
    records.iter().map(|r| r[field].as_str().unwrap_or("null")).collect()
}

fn two_more_users() -> OrgFixture {
    let mut org = OrgFixture::default();
    for (id, username, active, email) in [
        ("0055g00000BETTYAAA", "betty@acme.co.uk", true, "betty@acme.co.uk"),
        ("0055g00000CARLOAAA", "carlo@contractors.example", false, ""),
    ] {
        org.other_users.push(UserFixture {
            user_id: id.into(),
            username: username.into(),
            email: email.into(),
            is_active: active,
            profile_id: "00e5g000000MINACCA".into(),
            profile_name: "Minimum Access - Salesforce".into(),
            ..UserFixture::default()
        });
    }
    org
}

#[tokio::test]
async fn a_trailing_slash_names_the_same_resource_as_salesforce_accepts_it() {
    let sim = Simulator::start(auto()).await.unwrap();
    let at = access_token(&sim).await;
    // The calls simple-salesforce makes, spelt as it spells them.
    for path in [
        "/services/data/v59.0/",
        "/services/data/v59.0/limits/",
        "/services/data/v59.0/query/?q=SELECT+Id+FROM+User",
        "/services/data/v59.0/queryAll/?q=SELECT+Id+FROM+User",
        "/services/data/v59.0/sobjects/",
        "/services/data/v59.0/sobjects/User/",
        "/services/data/v59.0/sobjects/User/describe/",
    ] {
        let (status, body) = rest(&sim, path, Some(&at)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    let (_, resources) = rest(&sim, "/services/data/v59.0/", Some(&at)).await;
    assert_eq!(resources["sobjects"], "/services/data/v59.0/sobjects");
    sim.shutdown().await;
}

#[tokio::test]
async fn describe_lists_the_objects_and_types_their_fields() {
    let sim = Simulator::start(auto()).await.unwrap();
    let at = access_token(&sim).await;
    let (status, global) = rest(&sim, "/services/data/v66.0/sobjects", Some(&at)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((global["encoding"].as_str(), global["maxBatchSize"].as_u64()), (Some("UTF-8"), Some(200)));
    let user = global["sobjects"].as_array().unwrap().iter().find(|o| o["name"] == "User").unwrap();
    assert_eq!(user["keyPrefix"], "005");
    assert_eq!(user["queryable"], true);
    assert_eq!(user["urls"]["describe"], "/services/data/v66.0/sobjects/User/describe");

    let (_, info) = rest(&sim, "/services/data/v66.0/sobjects/user", Some(&at)).await;
    assert_eq!(info["objectDescribe"]["name"], "User", "names are matched without regard to case");
    assert_eq!(info["recentItems"], serde_json::json!([]));

    let (status, describe) = rest(&sim, "/services/data/v66.0/sobjects/User/describe", Some(&at)).await;
    assert_eq!(status, StatusCode::OK);
    let field = |name: &str| describe["fields"].as_array().unwrap().iter().find(|f| f["name"] == name).cloned();
    assert_eq!(field("Id").unwrap()["type"], "id");
    assert_eq!(field("IsActive").unwrap()["type"], "boolean");
    assert_eq!(field("Email").unwrap()["type"], "email");
    let profile_id = field("ProfileId").unwrap();
    assert_eq!(
        (profile_id["type"].as_str(), profile_id["relationshipName"].as_str()),
        (Some("reference"), Some("Profile"))
    );
    assert!(field("Profile.Name").is_none(), "relationship paths are not fields");

    let described_at = |version: &'static str| {
        let (sim, at) = (&sim, &at);
        async move {
            let path = format!("/services/data/{version}/sobjects/PermissionSet/describe");
            let (_, body) = rest(sim, &path, Some(at)).await;
            body["fields"].as_array().unwrap().iter().any(|f| f["name"] == "PermissionsCanApproveUninstalledApps")
        }
    };
    assert!(described_at("v66.0").await);
    assert!(!described_at("v60.0").await, "a field is hidden from versions older than it, in describe as in SOQL");

    for path in ["/services/data/v66.0/sobjects/Widget__c/describe", "/services/data/v66.0/sobjects/Widget__c"] {
        let (status, body) = rest(&sim, path, Some(&at)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body[0]["errorCode"], "NOT_FOUND");
        assert_eq!(body[0]["message"], "The requested resource does not exist");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn retrieve_by_id_whole_or_some_fields_and_salesforce_errors() {
    let sim = Simulator::start(auto()).await.unwrap();
    let at = access_token(&sim).await;
    let (status, user) = rest(&sim, "/services/data/v66.0/sobjects/User/0055g00000ADMINAAA", Some(&at)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(user["Username"], "admin@acme.com");
    assert_eq!(user["attributes"]["url"], "/services/data/v66.0/sobjects/User/0055g00000ADMINAAA");
    assert!(user.get("Profile").is_none(), "a retrieved record holds its own fields only");

    let (_, some) =
        rest(&sim, "/services/data/v66.0/sobjects/User/0055g00000ADMIN?fields=username,IsActive", Some(&at)).await;
    let keys: Vec<&String> = some.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["IsActive", "Username", "attributes"], "the 15-char id works; only the fields asked for");

    let (_, org) = rest(&sim, "/services/data/v66.0/sobjects/Organization/00D5g00000ACMEsEAF", Some(&at)).await;
    assert_eq!((org["Name"].as_str(), org["IsSandbox"].as_bool()), (Some("Acme"), Some(false)));

    let (status, body) =
        rest(&sim, "/services/data/v66.0/sobjects/User/0055g00000ADMINAAA?fields=Id,Nope", Some(&at)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body[0]["errorCode"], "INVALID_FIELD");
    assert!(body[0]["message"].as_str().unwrap().starts_with("No such column 'Nope' on entity 'User'."), "{body}");

    let (status, body) = rest(&sim, "/services/data/v66.0/sobjects/User/0055g00000NOBODYAA", Some(&at)).await;
    assert_eq!((status, body[0]["errorCode"].as_str()), (StatusCode::NOT_FOUND, Some("NOT_FOUND")));
    let (status, body) = rest(&sim, "/services/data/v66.0/sobjects/User/Username", Some(&at)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body[0]["message"], "Provided external ID field does not exist or is not accessible: Username");
    sim.shutdown().await;
}

#[tokio::test]
async fn soql_with_boolean_logic_like_in_order_offset() {
    let sim = Simulator::start(SimConfig { org: two_more_users(), ..auto() }).await.unwrap();
    let at = access_token(&sim).await;
    let found = records(
        &sim,
        &at,
        "SELECT Username FROM User WHERE (IsActive = true AND Email LIKE '%.uk') OR NOT Username != 'carlo@contractors.example' \
         ORDER BY Username DESC",
    )
    .await;
    assert_eq!(strings(&found, "Username"), ["carlo@contractors.example", "betty@acme.co.uk"]);
    let found =
        records(&sim, &at, "SELECT Username FROM User WHERE Username NOT IN ('admin@acme.com') AND Email = null").await;
    assert_eq!(strings(&found, "Username"), ["carlo@contractors.example"]);
    let found =
        records(&sim, &at, "SELECT Username FROM User ORDER BY Profile.Name ASC, Username DESC LIMIT 2 OFFSET 1").await;
    assert_eq!(strings(&found, "Username"), ["betty@acme.co.uk", "admin@acme.com"]);
    let found =
        records(&sim, &at, "SELECT Profile.Name FROM User WHERE Profile.Name LIKE 'minimum%' AND IsActive = false")
            .await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["Profile"]["Name"], "Minimum Access - Salesforce");

    let (status, body) =
        query(&sim, &at, "SELECT Id FROM User WHERE IsActive = true AND Email = null OR Username = 'x'").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body[0]["errorCode"], "MALFORMED_QUERY");
    let message = body[0]["message"].as_str().unwrap();
    assert!(message.ends_with("\nERROR at Row:1:Column:60\nunexpected token: 'OR'"), "{message}");
    sim.shutdown().await;
}

#[tokio::test]
async fn soql_aggregates_group_and_count() {
    let sim = Simulator::start(SimConfig { org: two_more_users(), ..auto() }).await.unwrap();
    let at = access_token(&sim).await;
    let groups = records(
        &sim,
        &at,
        "SELECT Profile.Name, COUNT(Id) members, COUNT(Email) FROM User GROUP BY Profile.Name ORDER BY COUNT(Id) DESC",
    )
    .await;
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0]["attributes"]["type"], "AggregateResult");
    assert_eq!(
        (groups[0]["Name"].as_str(), groups[0]["members"].as_u64()),
        (Some("Minimum Access - Salesforce"), Some(2))
    );
    assert_eq!(groups[0]["expr0"], 1, "unaliased aggregates are expr0, expr1…; COUNT(field) skips nulls");
    let (status, body) = query(&sim, &at, "SELECT COUNT() FROM User WHERE IsActive = true").await;
    assert_eq!((status, body["totalSize"].as_u64()), (StatusCode::OK, Some(2)));
    assert_eq!(body["records"], serde_json::json!([]));
    let total = records(&sim, &at, "SELECT COUNT(Id) FROM User").await;
    assert_eq!(total[0]["expr0"], 3);

    let (status, body) = query(&sim, &at, "SELECT Username, COUNT(Id) FROM User").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body[0]["message"].as_str().unwrap().ends_with("Field must be grouped or aggregated: Username"), "{body}");
    let (status, body) = query(&sim, &at, "SELECT COUNT() FROM User GROUP BY Profile.Name").await;
    assert_eq!((status, body[0]["errorCode"].as_str()), (StatusCode::BAD_REQUEST, Some("MALFORMED_QUERY")));
    let grouped = records(&sim, &at, "SELECT IsActive FROM User GROUP BY IsActive ORDER BY IsActive").await;
    assert_eq!(grouped.len(), 2, "GROUP BY alone gives one record per value");
    assert_eq!((grouped[0]["IsActive"].as_bool(), grouped[1]["IsActive"].as_bool()), (Some(false), Some(true)));
    sim.shutdown().await;
}

#[tokio::test]
async fn soql_date_literals_count_from_today() {
    let now = std::time::SystemTime::now();
    let stamp =
        |days_ago: u64| humantime::format_rfc3339_seconds(now - Duration::from_secs(days_ago * 86_400)).to_string();
    let mut org = OrgFixture::default();
    let (user, app) = (org.user.user_id.clone(), org.app_name().to_string());
    org.tokens = vec![TokenFixture::new(&app, &user, &stamp(2)), TokenFixture::new(&app, &user, &stamp(400))];
    let sim = Simulator::start(SimConfig { org, ..auto() }).await.unwrap();
    let at = access_token(&sim).await;
    let count = |soql: &'static str| {
        let (sim, at) = (&sim, &at);
        async move {
            let (status, body) = query(sim, at, soql).await;
            assert_eq!(status, StatusCode::OK, "{soql}: {body}");
            body["totalSize"].as_u64().unwrap()
        }
    };
    // The exchange above issued a refresh token too: a third row, created today.
    assert_eq!(count("SELECT COUNT() FROM OauthToken WHERE CreatedDate = LAST_N_DAYS:30").await, 2);
    assert_eq!(count("SELECT COUNT() FROM OauthToken WHERE CreatedDate < LAST_N_DAYS:30").await, 1);
    assert_eq!(count("SELECT COUNT() FROM OauthToken WHERE CreatedDate > 2000-01-01T00:00:00Z").await, 3);
    assert_eq!(count("SELECT COUNT() FROM OauthToken WHERE CreatedDate = TODAY").await, 1);
    assert_eq!(count("SELECT COUNT() FROM OauthToken WHERE CreatedDate = YESTERDAY").await, 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn query_all_pages_past_two_thousand_rows() {
    let sim =
        Simulator::start(SimConfig { org: OrgFixture::with_users(4500, SAMPLE_DOMAINS), ..auto() }).await.unwrap();
    let at = access_token(&sim).await;
    let (status, mut page) = rest(&sim, "/services/data/v66.0/queryAll/?q=SELECT+Id+FROM+User", Some(&at)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["totalSize"], 4501);
    let mut seen = page["records"].as_array().unwrap().len();
    while let Some(next) = page["nextRecordsUrl"].as_str().map(str::to_string) {
        page = rest(&sim, &next, Some(&at)).await.1;
        seen += page["records"].as_array().unwrap().len();
    }
    assert_eq!((seen, page["done"].as_bool()), (4501, Some(true)));
    sim.shutdown().await;
}

#[tokio::test]
async fn https_with_a_certificate_made_for_the_run() {
    let sim = Simulator::start_with(auto(), Transport::Https).await.unwrap();
    assert!(sim.base_url().starts_with("https://127.0.0.1:"), "{}", sim.base_url());
    let pem = sim.ca_pem().expect("a CA under https").to_string();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let trusting = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let versions: Value =
        trusting.get(format!("{}/services/data/", sim.base_url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(versions[0]["version"], "31.0");
    // Also through localhost, the other name on the certificate.
    let localhost = sim.base_url().replace("127.0.0.1", "localhost");
    assert!(trusting.get(format!("{localhost}/services/data/")).send().await.unwrap().status().is_success());
    let untrusting = reqwest::Client::builder().tls_built_in_root_certs(false).build().unwrap();
    assert!(untrusting.get(format!("{}/services/data/", sim.base_url())).send().await.is_err());
    assert!(Simulator::start(auto()).await.unwrap().ca_pem().is_none(), "plain http has no certificate");
    sim.shutdown().await;
}
