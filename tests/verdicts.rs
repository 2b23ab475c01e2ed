//! Issue 10, the protocol and verdict points: what sfconnect says about an org matches what Salesforce
//! answered, over real HTTP to the simulator (or through the wizard's state and screen). Each test names
//! its point of the issue.

use std::time::{Duration, Instant};

use crate::common::*;
use crate::ui_support::{Wizard, ssh};
use sfconnect::checks::{CheckContext, CheckId, Status, refresh_and_probe, run_checks};
use sfconnect::salesforce::clock::ManualClock;
use sfconnect::salesforce::probe::{ProbeEvent, Readiness, wait_until_ready};
use sfconnect::salesforce::rest::{MAX_API_VERSION, RestClient};
use sfconnect::salesforce::{AppCredentials, LoginHost, RefreshToken, Scopes};
use sfconnect::wizard::steps::authorize::DeviceStatus;
use sfconnect::wizard::{Action, Msg};
use sfconnect_sim::{Fault, FaultPlan, FaultScope, OrgFixture, SimConfig, Simulator};

const TOKEN_PATH: &str = "/services/oauth2/token";

fn token_requests(sim: &Simulator) -> usize {
    sim.requests_seen().iter().filter(|r| r.path == TOKEN_PATH).count()
}

fn oauth_fault(error: &str, description: &str) -> Option<FaultPlan> {
    let fault = Fault::OAuthError { status: 400, error: error.into(), description: Some(description.into()) };
    Some(FaultPlan::always(fault, FaultScope::Token))
}

fn sfconnect() -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_sfconnect"));
    cmd.env_remove("SFCONNECT_CLIENT_SECRET").env_remove("SFCONNECT_LOG").env_remove("SFCONNECT_LOGIN_URL");
    cmd.stdin(std::process::Stdio::null()).kill_on_drop(true);
    cmd
}

/// Authorizes with the simulator's app and returns the refresh token.
async fn authorize(sim: &Simulator) -> RefreshToken {
    authorize_with(sim, "api refresh_token offline_access").await
}

/// A settings file for the simulator's app, as `exchange` writes it.
fn settings_file(sim: &Simulator, token: RefreshToken, login_url: &str, dir: &std::path::Path) -> std::path::PathBuf {
    use sfconnect::settings::{ConnectorSettings, Format, Overwrite, write_settings};
    let mut settings = ConnectorSettings::new(sim.client_id(), token, login_url);
    settings.client_secret = Some(sfconnect::salesforce::ClientSecret::new(sim.client_secret()));
    let path = dir.join("settings.json");
    write_settings(&path, &settings.render(Format::Json).unwrap(), Overwrite::Replace).unwrap();
    path
}

async fn run_check(settings: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = sfconnect().arg("check").args(args).arg("--settings").arg(settings).output().await.unwrap();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

fn check_json<'r>(report: &'r serde_json::Value, id: &str) -> &'r serde_json::Value {
    report["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("{id}: {report:#}"))
}

/// Point 1: Salesforce answers the device-flow start with `invalid_grant` "device flow is not enabled for the
/// app" (forcedotcom/code-builder-feedback#263): its own row, not "codes are single use".
#[tokio::test]
async fn device_flow_switched_off_is_its_own_verdict_with_the_setup_path() {
    let sim = start(quick_config()).await;
    sim.set_fault(oauth_fault("invalid_grant", "device flow is not enabled for the app"));
    let client = client_for(&sim);
    let err = client.start_device(&sim.client_id(), &Scopes::parse("api")).await.expect_err("refused");
    assert!(err.is_device_flow_off(), "{err:?}");
    let ex = err.explain();
    assert!(ex.headline.starts_with("Device flow is switched off on the app"), "{}", ex.headline);
    assert!(ex.fix.contains("Enable for Device Flow") && ex.fix.contains("Flow Enablement"), "{}", ex.fix);
    assert!(!ex.fix.contains("single use"), "{}", ex.fix);

    // The wizard's device tab names the one Setup path of the kind of app it had the admin create.
    let mut w = Wizard::new(ssh());
    w.reach_authorize().act(Action::FocusNext);
    w.send(Msg::DeviceStarted(Err(err)));
    let screen = w.joined(80, 24);
    assert!(screen.contains("Device flow is switched off"), "{screen}");
    let DeviceStatus::Failed { fix, .. } = &w.state.authorize.device else { panic!("{:?}", w.state.authorize.device) };
    assert!(fix.starts_with("Setup > External Client App Manager > "), "{fix}");
    assert!(fix.contains("Flow Enablement: tick \"Enable Device Flow\"") && !fix.contains("Connected App"), "{fix}");
}

/// Point 2: `invalid_client` "app must be installed into org" is the uninstalled-app verdict whether or not a
/// secret was sent; `wait` without a secret used to report the key live.
#[tokio::test(flavor = "multi_thread")]
async fn an_uninstalled_app_is_that_verdict_with_or_without_a_secret() {
    let sim = start(quick_config()).await;
    sim.set_fault(oauth_fault("invalid_client", "app must be installed into org"));
    let client = client_for(&sim);
    let redirect = client.host().default_redirect_uri();
    let keyless = AppCredentials { client_id: sim.client_id(), client_secret: None };
    for app in [app_for(&sim), keyless] {
        let err = client.probe(&app, &redirect).await.expect_err("not live for use");
        assert!(err.is_app_not_installed(), "{err:?}");
        assert!(err.explain().headline.contains("not installed"), "{}", err.explain().headline);
    }
    let out = sfconnect()
        .args(["wait", "--client-id", &sim.client_id(), "--login-url", &sim.base_url(), "--no-client-secret"])
        .output()
        .await
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(!stdout.contains("is live"), "{stdout}");
    assert!(stderr.contains("not installed") && stderr.contains("Connected Apps OAuth Usage"), "{stderr}");
}

/// Point 3: live only after two answers in a row past `invalid_client_id`.
#[tokio::test]
async fn the_key_is_live_only_after_two_answers_past_invalid_client_id() {
    let sim = start(quick_config()).await;
    let (client, app) = (client_for(&sim), app_for(&sim));
    let redirect = client.host().default_redirect_uri();
    let clock = ManualClock::default();
    let mut events = Vec::new();
    let ready = wait_until_ready(&client, &app, &redirect, &clock, Duration::from_secs(60), |e| events.push(e)).await;
    assert_eq!(ready.ok(), Some(Readiness::Ready { secret_checked: true }));
    assert_eq!(token_requests(&sim), 2, "one answer is not evidence enough: {events:?}");
    assert!(matches!(events.as_slice(), [ProbeEvent::Answered { readiness: Readiness::Ready { .. }, .. }]));
}

/// Point 3: `redirect_uri_mismatch` during the wait is told, and the wait goes on until the callback is added.
#[tokio::test]
async fn a_missing_callback_is_told_and_the_wait_goes_on_until_it_is_added() {
    let sim = start(quick_config()).await;
    let (client, app) = (client_for(&sim), app_for(&sim));
    let callback = "https://elsewhere.example.com/callback";
    let clock = ManualClock::default();
    let mut told = 0;
    let ready = wait_until_ready(&client, &app, callback, &clock, Duration::from_secs(120), |e| {
        if let ProbeEvent::Answered { readiness: Readiness::RedirectNotRegistered, .. } = e {
            told += 1;
            // The admin adds the line after the third time it is shown.
            if told == 3 {
                sim.set_config(|c| c.callback_urls.push(callback.to_string()));
            }
        }
    })
    .await;
    assert_eq!(ready.ok(), Some(Readiness::Ready { secret_checked: true }));
    assert_eq!(told, 3);
}

/// Point 3: a refused connection is "cannot reach Salesforce", with the next try, and the time-out never
/// blames the consumer key (`wait` used to say "check the key").
#[tokio::test(flavor = "multi_thread")]
async fn wait_without_salesforce_says_it_cannot_reach_it_and_never_blames_the_key() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let login_url = format!("http://127.0.0.1:{port}");
    let out = sfconnect()
        .args(["wait", "--client-id", "3MVG9notlive", "--login-url", &login_url, "--no-client-secret"])
        .args(["--timeout", "6"])
        .output()
        .await
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot reach Salesforce") && stderr.contains("next try in"), "{stderr}");
    assert!(stderr.contains("error: Cannot reach Salesforce: "), "{stderr}");
    assert!(!stderr.to_lowercase().contains("check the key") && !stderr.contains("copied whole"), "{stderr}");
}

/// Point 3: going back to fix the secret does not restart the wait counter (the app is as old as it was).
#[test]
fn a_new_secret_keeps_the_countdown_a_new_key_restarts_it() {
    let mut w = Wizard::new(ssh());
    w.reach_propagation().at(83);
    let started = w.state.propagation.started;
    assert!(started.is_some());
    let host = "https://login.salesforce.com";
    let key = w.state.credentials.key.value().trim().to_string();
    w.state.propagation.reset_if_changed(host, &key, "A-NEW-SECRET-0123456789");
    assert_eq!(w.state.propagation.started, started, "a new secret keeps the countdown");
    w.state.propagation.reset_if_changed(host, "3MVG9anotherkey", "A-NEW-SECRET-0123456789");
    assert_eq!(w.state.propagation.started, None, "a new key is a new app: the countdown starts again");
}

/// Points 4 and 5: the checks ask the org for its versions and read at the newest one this build knows;
/// with the app's name given, its policies are read by name and nothing is "assumed".
#[tokio::test(flavor = "multi_thread")]
async fn check_reads_at_the_org_s_newest_version_and_names_the_app_it_assumed() {
    let sim = start(SimConfig { org: OrgFixture::healthy(), ..quick_config() }).await;
    let dir = tempfile::tempdir().unwrap();
    let settings = settings_file(&sim, authorize(&sim).await, &sim.base_url(), dir.path());
    let (code, stdout, stderr) = run_check(&settings, &["--json", "--preset", "ampersand"]).await;
    assert_eq!(code, Some(0), "{stderr}");
    let seen = sim.requests_seen();
    assert!(seen.iter().any(|r| r.path == "/services/data/"), "the versions were asked for");
    let queries: Vec<&str> = seen.iter().filter(|r| r.path.ends_with("/query")).map(|r| r.path.as_str()).collect();
    let newest = format!("/services/data/v{MAX_API_VERSION}/query");
    assert!(!queries.is_empty() && queries.iter().all(|p| *p == newest), "{queries:?}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let refresh_policy = check_json(&report, "refresh_policy_infinite")["detail"].as_str().unwrap().to_string();
    assert!(refresh_policy.contains("app assumed: sfconnect"), "{refresh_policy}");

    let args = ["--json", "--preset", "ampersand", "--app-name", "sfconnect"];
    let (code, stdout, stderr) = run_check(&settings, &args).await;
    assert_eq!(code, Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let detail = check_json(&report, "refresh_policy_infinite")["detail"].as_str().unwrap().to_string();
    assert!(detail.contains("valid until revoked") && !detail.contains("assumed"), "{detail}");

    // The name the settings file records (the wizard writes it) does the same without the flag.
    let (mut recorded, _) = sfconnect::settings::read_settings(&settings).unwrap();
    recorded.app_name = Some("sfconnect".into());
    let text = recorded.render(sfconnect::settings::Format::Json).unwrap();
    sfconnect::settings::write_settings(&settings, &text, sfconnect::settings::Overwrite::Replace).unwrap();
    let (code, stdout, stderr) = run_check(&settings, &["--json", "--preset", "ampersand"]).await;
    assert_eq!(code, Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let detail = check_json(&report, "refresh_policy_infinite")["detail"].as_str().unwrap().to_string();
    assert!(!detail.contains("assumed"), "{detail}");
}

/// Point 10: an access token refused as expired (401 `INVALID_SESSION_ID`, or 403 `Bad_OAuth_Token` in plain
/// text) is renewed once from the refresh token and the read tried again; only then is it reported.
#[tokio::test]
async fn an_expired_access_token_is_renewed_once_then_reported() {
    let sim = start(quick_config()).await;
    let token = authorize(&sim).await;
    let (client, app) = (client_for(&sim), app_for(&sim));
    let grant = client.refresh(&app, &token).await.unwrap();
    let plain = RestClient::new(client.http().clone(), &grant.instance_url, grant.access_token.clone()).unwrap();
    sim.expire_access_tokens();
    sim.set_fault(Some(FaultPlan::times(Fault::BadOAuthToken, FaultScope::Rest, 1)));
    let err = plain.organization().await.expect_err("expired");
    assert!(err.is_session_expired(), "{err:?}");
    assert!(!err.explain().headline.contains("JSON"), "not a proxy's page: {}", err.explain().headline);

    sim.set_fault(Some(FaultPlan::times(Fault::BadOAuthToken, FaultScope::Rest, 1)));
    let renewing = plain.clone().with_renewal(client.clone(), app.clone(), token.clone());
    let before = token_requests(&sim);
    let (org, limits) = tokio::join!(renewing.organization(), renewing.limits());
    assert!(org.is_ok() && limits.is_ok(), "{org:?} {limits:?}");
    assert_eq!(renewing.renewals(), 1);
    assert_eq!(token_requests(&sim), before + 1, "one refresh for both reads");

    // Revoked for good: after the one renewal, the refusal is reported.
    client.revoke(&token).await.unwrap();
    let revoked = plain.with_renewal(client, app, token);
    let err = revoked.organization().await.expect_err("revoked");
    assert!(err.explain().headline.contains("expired or revoked"), "{}", err.explain().headline);
}

/// Point 6, over HTTP: `RefreshTokenValidityPeriod` 0 is read as "valid until revoked" (how Salesforce stores
/// it is unconfirmed: null and 0 are both accepted).
#[tokio::test]
async fn a_validity_period_of_0_is_valid_until_revoked() {
    let mut org = OrgFixture::healthy();
    org.connected_apps[0].refresh_token_validity_period = Some(0);
    let sim = start(SimConfig { org, ..quick_config() }).await;
    let token = authorize(&sim).await;
    let (client, app) = (client_for(&sim), app_for(&sim));
    let outcome = refresh_and_probe(&client, &app, &token).await;
    let grant = outcome.grant.unwrap();
    let rest = RestClient::new(client.http().clone(), &grant.instance_url, grant.access_token.clone()).unwrap();
    let preset = sfconnect::presets::bundled().into_iter().find(|p| p.id == "ampersand").unwrap();
    let ctx = CheckContext {
        id_url: grant.id_url.clone(),
        granted_scopes: grant.scopes.clone(),
        login_kind: client.host().kind(),
        preset,
        app_name: Some("sfconnect".into()),
        app_kind: None,
        device_flow_used: false,
        refreshed: true,
    };
    let report = run_checks(&rest, ctx, |_| {}).await;
    let verdict = report.verdict(CheckId::RefreshPolicyInfinite).unwrap();
    assert_eq!(verdict.status, Status::Pass, "{verdict:?}");
}

/// Point 11: when Salesforce cannot be reached, `check` says so in its headline, not "required check failed".
#[tokio::test(flavor = "multi_thread")]
async fn check_says_salesforce_could_not_be_reached() {
    let sim = start(quick_config()).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let token = RefreshToken::new("5Aep861notreal".to_string());
    let settings = settings_file(&sim, token, &format!("http://127.0.0.1:{port}"), dir.path());
    let (code, stdout, stderr) = run_check(&settings, &[]).await;
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("Salesforce could not be reached: "), "{stdout}");
    assert!(stderr.contains("error: Salesforce could not be reached"), "{stderr}");
    assert!(!stderr.contains("required check failed"), "{stderr}");
}

/// The speed of the checks: with every answer delayed, `check`'s refresh, reads and probes take about two
/// round trips (refresh with the version list, then everything else together), well within four.
#[tokio::test(flavor = "multi_thread")]
async fn the_checks_take_at_most_four_round_trips() {
    let latency = Duration::from_millis(400);
    let sim = start(SimConfig { org: OrgFixture::healthy(), ..quick_config() }).await;
    let dir = tempfile::tempdir().unwrap();
    let settings = settings_file(&sim, authorize(&sim).await, &sim.base_url(), dir.path());
    sim.set_fault(Some(FaultPlan::always(Fault::Slow(latency), FaultScope::All)));
    let started = Instant::now();
    let (code, _, stderr) = run_check(&settings, &["--json", "--app-name", "sfconnect"]).await;
    let wall = started.elapsed();
    assert_eq!(code, Some(0), "{stderr}");
    let round_trips = wall.as_secs_f64() / latency.as_secs_f64();
    assert!(round_trips < 4.5, "{wall:?} is {round_trips:.1} round trips of {latency:?}");
}

/// Point 7: a Login URL copied from a Visualforce page of a scratch org reaches the scratch org's My Domain.
#[test]
fn a_scratch_org_s_visualforce_host_keeps_its_qualifier() {
    let host = LoginHost::parse("https://x--c.scratch.vf.force.com/apex/Page").unwrap();
    assert_eq!(host.origin(), "https://x.scratch.my.salesforce.com");
}

/// Points 5 and 6, over HTTP: an External Client App's policies come from its own objects, found by the app's
/// name, and "expire immediately" on a token that has just refreshed is not readable, not a warning.
#[tokio::test]
async fn an_external_client_app_s_policies_are_read_from_its_objects() {
    let mut org = OrgFixture::healthy().as_external_client_app();
    org.external_client_apps[0].refresh_token_policy = "Zero".into();
    org.external_client_apps[0].permitted_users = "AdminApprovedPreAuthorized".into();
    let label = org.external_client_apps[0].label.clone();
    let sim = start(SimConfig { org, ..quick_config() }).await;
    let token = authorize(&sim).await;
    let (client, app) = (client_for(&sim), app_for(&sim));
    let grant = refresh_and_probe(&client, &app, &token).await.grant.unwrap();
    let rest = RestClient::new(client.http().clone(), &grant.instance_url, grant.access_token.clone())
        .unwrap()
        .at_newest_version()
        .await;
    let ctx = CheckContext {
        id_url: grant.id_url.clone(),
        granted_scopes: grant.scopes.clone(),
        login_kind: client.host().kind(),
        preset: sfconnect::presets::bundled().into_iter().find(|p| p.id == "ampersand").unwrap(),
        app_name: Some(label),
        app_kind: None,
        device_flow_used: false,
        refreshed: true,
    };
    let report = run_checks(&rest, ctx, |_| {}).await;
    let refresh = report.verdict(CheckId::RefreshPolicyInfinite).unwrap();
    assert!(
        refresh.detail.contains("has just refreshed") && refresh.detail.contains("could not be read"),
        "{refresh:?}"
    );
    assert_ne!(refresh.status, Status::Fail, "{refresh:?}");
    let permitted = report.verdict(CheckId::PermittedUsers).unwrap();
    assert!(permitted.detail.contains("Admin approved users are pre-authorized"), "{permitted:?}");
    let ip = report.verdict(CheckId::IpRelaxation).unwrap();
    assert!(ip.detail.starts_with("Enforce IP restrictions"), "{ip:?}");
    assert!(ip.fix.as_deref().unwrap_or("").contains("External Client App Manager"), "{ip:?}");
}
