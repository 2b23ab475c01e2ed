//! The simulator's Metadata API deploy over HTTP, with packages broken in each way the guide rules out:
//! each gives a failed deploy whose `componentFailures` name the file, line and problem, and creates
//! nothing. Also `checkOnly`, the deploy status progress, and the credentials resources' refusals.

use crate::common;

use std::io::Write as _;
use std::time::Duration;

use common::*;
use sfconnect::salesforce::clock::TokioClock;
use sfconnect::salesforce::eca::credentials::{is_rest_access_off, oauth_apps, read_back};
use sfconnect::salesforce::eca::deploy::{explain_failure, start_deploy, wait_for_deploy};
use sfconnect::salesforce::eca::{EcaRequest, EcaSpec, IpRelaxation, Package, PermittedUsers};
use sfconnect::salesforce::rest::RestClient;
use sfconnect::salesforce::{AccessToken, Scopes};
use sfconnect_sim::{MetadataConfig, SimConfig, Simulator};

async fn rest_for(sim: &Simulator) -> RestClient {
    let client = client_for(sim);
    let request = sfconnect::salesforce::AuthorizeRequest::new(
        client.host(),
        &sfconnect::salesforce::AuthorizeOptions {
            client_id: sim.client_id(),
            redirect_uri: client.host().default_redirect_uri(),
            scopes: Scopes::parse("api"),
            pkce: false,
            force_login: false,
        },
    )
    .unwrap();
    let landed = browser_lands_on(&client, &request.url).await;
    let pasted = sfconnect::salesforce::parse_paste(&landed, Some(&request.state)).unwrap();
    let exchange = sfconnect::salesforce::CodeExchange {
        code: &pasted.code,
        redirect_uri: &request.redirect_uri,
        code_verifier: None,
    };
    let grant = client.exchange_code(&app_for(sim), &exchange).await.unwrap();
    RestClient::new(client.http().clone(), &sim.base_url(), AccessToken::new(grant.access_token.expose())).unwrap()
}

fn spec() -> EcaSpec {
    EcaSpec::new(&EcaRequest {
        name: "Sfc_Test",
        contact_email: "admin@acme.example",
        callbacks: &["http://localhost:1717/OauthRedirect".to_string()],
        scope_tokens: &["api".to_string(), "refresh_token".to_string()],
        device_flow: false,
        ip_relaxation: IpRelaxation::EnforceRelaxRefresh,
        permitted_users: PermittedUsers::AllSelfAuthorized,
    })
    .unwrap()
}

/// How one test breaks the package: a new text for the file, or a new path for it.
type Edit = Box<dyn Fn(String) -> String>;

/// The package's files with `edit` applied to the one at `path` (and that file moved to `rename`), zipped.
fn edited_zip(package: &Package, path: &str, edit: impl Fn(String) -> String, rename: Option<&str>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for file in package.files() {
        let text = String::from_utf8(file.contents.to_vec()).unwrap();
        let (name, text) = if file.path == path {
            (rename.unwrap_or(path).to_string(), edit(text))
        } else {
            (file.path.clone(), text)
        };
        zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

async fn deploy(rest: &RestClient, zip: &[u8], check_only: bool) -> sfconnect::salesforce::eca::deploy::DeployResult {
    let id = start_deploy(rest, zip, check_only).await.unwrap();
    wait_for_deploy(rest, &id, &TokioClock, Duration::from_secs(10), |_| {}).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn packages_that_break_the_guides_rules_fail_with_file_line_and_problem() {
    let sim = start(SimConfig {
        metadata: MetadataConfig { deploy_polls: 0, ..MetadataConfig::default() },
        ..quick_config()
    })
    .await;
    let rest = rest_for(&sim).await;
    let spec = spec();
    let package = Package::build(&spec);
    let global = "extlClntAppGlobalOauthSets/Sfc_Test_glbloauth.ecaGlblOauth";
    let policy = "extlClntAppOauthPolicies/Sfc_Test_oauth_defaultPolicy.ecaOauthPlcy";
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            global,
            Box::new(|t| {
                t.replace("<isPkceRequired>", "<isPkceRequire>").replace("</isPkceRequired>", "</isPkceRequire>")
            }),
            "isPkceRequire invalid at this location",
        ),
        (
            global,
            Box::new(|t| {
                // label moved before the flags: out of the schema's order
                let label = t.lines().find(|l| l.contains("<label>")).unwrap().to_string();
                t.replace(&format!("{label}\n"), "")
                    .replace("    <callbackUrl>", &format!("{label}\n    <callbackUrl>"))
            }),
            "invalid at this location",
        ),
        (
            policy,
            Box::new(|t| t.replace("Enforce_RelaxRefresh", "Relaxed")),
            "'Relaxed' is not a valid value for the enum 'ipRelaxationPolicyType'",
        ),
        (
            policy,
            Box::new(|t| t.lines().filter(|l| !l.contains("externalClientApplication")).collect::<Vec<_>>().join("\n")),
            "Required field is missing: externalClientApplication",
        ),
        (
            global,
            Box::new(|t| t.replace("<isPkceRequired>true", "<isPkceRequired>yes")),
            "is not valid for the type xsd:boolean",
        ),
        (
            "extlClntAppOauthSettings/Sfc_Test_oauth.ecaOauth",
            Box::new(|t| t.replace("Api, RefreshToken", "Api, Everything")),
            "Invalid OAuth scope: Everything",
        ),
        (
            "package.xml",
            Box::new(|t| t.replace("<version>64.0</version>", "<version>58.0</version>")),
            "too old for External Client Apps",
        ),
        (
            "externalClientApps/Sfc_Test.eca",
            Box::new(|t| t.replace("<distributionState>Local", "<distributionState>Global")),
            "not a valid value for the enum 'distributionState'",
        ),
        (
            global,
            Box::new(|t| t.replace("<externalClientApplication>Sfc_Test<", "<externalClientApplication>Other_App<")),
            "no ExternalClientApplication named Other_App",
        ),
    ];
    for (path, edit, problem) in cases {
        let result = deploy(&rest, &edited_zip(&package, path, edit, None), false).await;
        assert!(result.done && !result.succeeded(), "{problem}: {result:?}");
        let failures: Vec<String> = result.failures().iter().map(|f| explain_failure(f).headline).collect();
        assert!(failures.iter().any(|f| f.contains(problem)), "{problem} in {failures:?}");
        assert!(sim.deployed_apps().is_empty(), "{problem}: nothing created");
    }
    // A misspelt suffix: the file package.xml names is not there, and the stray one is reported.
    let misspelt = "extlClntAppGlobalOauthSets/Sfc_Test_glbloauth.ecaGlobalOauth";
    let result = deploy(&rest, &edited_zip(&package, global, |t| t, Some(misspelt)), false).await;
    let problems: Vec<_> = result.failures().iter().filter_map(|f| f.problem.clone()).collect();
    assert!(problems.iter().any(|p| p.contains("was not found in zipped directory")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("unknown folder or file suffix")), "{problems:?}");
    // A failure in a component file names the file and its line.
    let result = deploy(&rest, &edited_zip(&package, policy, |t| t.replace("Infinite", "Forever"), None), false).await;
    let failure = &result.failures()[0];
    assert_eq!(failure.file_name.as_deref(), Some(policy));
    assert!(failure.line_number.is_some_and(|l| l > 2), "{failure:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn check_only_validates_without_creating_and_status_shows_progress() {
    let sim = start(SimConfig {
        metadata: MetadataConfig { deploy_polls: 2, ..MetadataConfig::default() },
        ..quick_config()
    })
    .await;
    let rest = rest_for(&sim).await;
    let spec = spec();
    let zip = Package::build(&spec).to_zip().unwrap();
    let mut seen = Vec::new();
    let id = start_deploy(&rest, &zip, true).await.unwrap();
    let clock = sfconnect::salesforce::clock::ManualClock::default();
    let result = wait_for_deploy(&rest, &id, &clock, Duration::from_secs(60), |r| seen.push(r.done)).await.unwrap();
    assert_eq!(seen, vec![false, false, true], "two reads in progress, then done");
    assert_eq!(clock.sleeps(), [Duration::from_millis(500), Duration::from_secs(1)], "quick first reads");
    assert!(result.succeeded() && result.check_only);
    assert!(sim.deployed_apps().is_empty());
    let result = deploy(&rest, &zip, false).await;
    assert!(result.succeeded());
    assert_eq!(sim.deployed_apps()[0].key, spec.consumer_key.as_str());
    // The same key again is taken.
    let again = deploy(
        &rest,
        &Package::build(&EcaSpec {
            name: sfconnect::salesforce::eca::ApiName::parse("Other").unwrap(),
            ..spec.clone()
        })
        .to_zip()
        .unwrap(),
        false,
    )
    .await;
    let problems: Vec<_> = again.failures().iter().filter_map(|f| f.problem.clone()).collect();
    assert!(problems.iter().any(|p| p.contains("consumer key is already taken")), "{problems:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_are_read_back_unless_the_org_keeps_them_from_rest() {
    let sim = start(quick_config()).await;
    let rest = rest_for(&sim).await;
    let spec = spec();
    assert!(deploy(&rest, &Package::build(&spec).to_zip().unwrap(), false).await.succeeded());
    let apps = oauth_apps(&rest).await.unwrap();
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0].developer_name, "Sfc_Test");
    match read_back(&rest, "sfc_test", None).await.unwrap() {
        sfconnect::salesforce::eca::credentials::ReadBack::Pair { key, secret } => {
            assert_eq!(key.as_str(), spec.consumer_key.as_str());
            assert_eq!(secret.expose(), spec.consumer_secret.as_ref().unwrap().expose());
        }
        other => panic!("{other:?}"),
    }
    sim.set_config(|c| c.metadata.secrets_via_rest = false);
    let err = read_back(&rest, "Sfc_Test", None).await.unwrap_err();
    assert!(is_rest_access_off(&err), "{err:?}");
}
