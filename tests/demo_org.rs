//! The simulated org agrees with itself about its app, as Salesforce does (found in a new-user trial,
//! issue 13): `check` against the demo could not find the demo's own External Client App by its label and
//! counted "0 of 5 tokens", because the org's app objects and `OauthToken` rows named another app; and the
//! demo approved a device login although the app it described had its device flow off.
//!
//! Salesforce lists an External Client App in `ExternalClientApplication` and `ExtlClntAppOauthPlcyCnfg`,
//! and its tokens show its label in `OauthToken.AppName` (docs/protocol.md, External Client Apps). Run as
//! the real binary and client against the simulator.

use crate::common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use sfconnect::salesforce::Scopes;
use sfconnect::settings::{ConnectorSettings, Format, Overwrite, write_settings};
use sfconnect_sim::{AppKind, AppSetup, MetadataConfig, SimConfig, Simulator};
use tokio::process::Command;

fn sfconnect() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfconnect"));
    for var in ["SFCONNECT_CLIENT_SECRET", "SFCONNECT_LOG", "SFCONNECT_LOGIN_URL", "SFCONNECT_ACCESS_TOKEN"] {
        cmd.env_remove(var);
    }
    cmd.stdin(std::process::Stdio::null()).kill_on_drop(true);
    cmd
}

/// A settings file for the simulator's current app, naming it `app_name` of `app_kind`, as the wizard writes.
fn settings_naming(sim: &Simulator, token: sfconnect::salesforce::RefreshToken, dir: &Path, app_name: &str) -> PathBuf {
    let mut settings = ConnectorSettings::new(sim.client_id(), token, sim.base_url());
    settings.client_secret = Some(sfconnect::salesforce::ClientSecret::new(sim.client_secret()));
    settings.app_name = Some(app_name.to_string());
    settings.app_kind = Some(sfconnect::salesforce::AppKind::ExternalClientApp);
    let path = dir.join("settings.json");
    write_settings(&path, &settings.render(Format::Json).unwrap(), Overwrite::Replace).unwrap();
    path
}

/// `check --json --preset PRESET`: the report, whatever the exit status.
async fn check_report(settings: &Path, preset: &str) -> serde_json::Value {
    let out = sfconnect().args(["check", "--json", "--preset", preset, "--settings"]).arg(settings).output();
    let out = out.await.unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("a report: {}", text(&out.stderr)))
}

fn verdict<'r>(report: &'r serde_json::Value, id: &str) -> (&'r str, &'r str) {
    let found = report["checks"].as_array().unwrap().iter().find(|c| c["id"] == id);
    let found = found.unwrap_or_else(|| panic!("{id} in {report}"));
    (found["status"].as_str().unwrap(), found["detail"].as_str().unwrap())
}

/// The policies the app's own record holds are read, and the token just issued is counted under `label`.
fn assert_the_check_finds_its_app(report: &serde_json::Value, label: &str) {
    let (status, detail) = verdict(report, "tokens_per_user");
    assert_eq!(status, "pass", "{detail}");
    assert!(detail.starts_with(&format!("1 of 5 tokens for {label}")), "{detail}");
    for id in ["refresh_policy_infinite", "permitted_users", "ip_relaxation"] {
        let (status, detail) = verdict(report, id);
        assert_eq!(status, "pass", "{id}: {detail}");
        assert!(!detail.contains("not visible") && !detail.contains("labelled"), "{id}: {detail}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_app_made_by_app_create_is_in_the_org_s_objects_and_its_tokens_show_its_label() {
    let metadata = MetadataConfig { propagation: Duration::from_millis(1), ..MetadataConfig::default() };
    let sim = start(SimConfig { metadata, ..quick_config() }).await;
    let admin = authorize_with(&sim, "api refresh_token").await;
    let session = client_for(&sim).refresh(&app_for(&sim), &admin).await.unwrap().access_token;
    let dir = tempfile::tempdir().unwrap();
    let app_file = dir.path().join("app.json");
    let mut create = sfconnect();
    create
        .args(["app", "create", "--login-url", &sim.base_url(), "--preset", "ampersand", "--access-token", "-"])
        .arg("--output")
        .arg(&app_file);
    let created = run_with_stdin(create, session.expose()).await;
    assert!(created.status.success(), "{}", text(&created.stderr));
    sim.make_live_now();

    // The new app, authorized by the admin; the settings name it as `app create` wrote it (its API name).
    let token = authorize_with(&sim, "api refresh_token").await;
    let app: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&app_file).unwrap()).unwrap();
    assert_eq!(app["app_name"], "Sfconnect_Acme");
    let settings = settings_naming(&sim, token, dir.path(), "Sfconnect_Acme");
    let report = check_report(&settings, "ampersand").await;
    // Its label, as Setup and OauthToken show it; the app that issued the admin's session keeps its own.
    assert_the_check_finds_its_app(&report, "Sfconnect Acme");
    let (_, detail) = verdict(&report, "ip_relaxation");
    assert!(detail.contains("Relax IP restrictions"), "the package's policy, not a default: {detail}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_s_app_is_the_one_its_wizard_described() {
    let sim = start(quick_config()).await;
    // A token issued before the app was named: the same app, so its row shows the new name too.
    let earlier = authorize_with(&sim, "api refresh_token").await;
    let label = "Acme integration";
    sim.set_up_app(&AppSetup {
        kind: AppKind::ExternalClientApp,
        label: label.into(),
        developer_name: "Acme_integration".into(),
        device_flow: false,
        ip_relaxation: "Enforce_RelaxRefresh".into(),
    });
    let dir = tempfile::tempdir().unwrap();
    let settings = settings_naming(&sim, earlier, dir.path(), label);
    let report = check_report(&settings, "ampersand").await;
    assert_the_check_finds_its_app(&report, label);

    // The API name finds it as well as the label.
    let by_api_name =
        settings_naming(&sim, authorize_with(&sim, "api refresh_token").await, dir.path(), "Acme_integration");
    let report = check_report(&by_api_name, "ampersand").await;
    let (status, detail) = verdict(&report, "tokens_per_user");
    assert_eq!(status, "pass");
    assert!(detail.starts_with(&format!("2 of 5 tokens for {label}")), "{detail}");
}

/// Item 4 of the trial: device flow unticked on the demo's app is refused as Salesforce refuses it
/// (forcedotcom/code-builder-feedback#263), and works once ticked.
#[tokio::test(flavor = "multi_thread")]
async fn the_device_flow_follows_the_app_s_setting() {
    let sim = start(quick_config()).await;
    let setup = |device_flow| AppSetup {
        kind: AppKind::ExternalClientApp,
        label: "Generic integration".into(),
        developer_name: "Generic_integration".into(),
        device_flow,
        ip_relaxation: "Enforce_RelaxRefresh".into(),
    };
    sim.set_up_app(&setup(false));
    let client = client_for(&sim);
    let scopes = Scopes::parse("api refresh_token");
    let refused = client.start_device(&sim.client_id(), &scopes).await.unwrap_err();
    assert!(refused.is_device_flow_off(), "{refused:?}");
    assert_eq!(refused.oauth_code(), Some(&sfconnect::salesforce::OAuthErrorCode::InvalidGrant));
    sim.set_up_app(&setup(true));
    assert!(client.start_device(&sim.client_id(), &scopes).await.is_ok());
}

/// Used above through `authorize_with`; kept here to show the web flow is unchanged by the app's setup.
#[tokio::test(flavor = "multi_thread")]
async fn the_web_flow_still_works_after_the_app_is_set_up() {
    let sim = start(quick_config()).await;
    sim.set_up_app(&AppSetup {
        kind: AppKind::ConnectedApp,
        label: "Nintex integration".into(),
        developer_name: "Nintex_integration".into(),
        device_flow: false,
        ip_relaxation: "Enforce_RelaxRefresh".into(),
    });
    let grant = grant_with(&sim, "api refresh_token").await;
    assert!(grant.refresh_token.is_some());
}
