//! `sfconnect app create` and `app emit` (issue 13), run as the real binary against the simulator: each kind
//! of session, then `wait` until the new key is live, then the web server flow and `check` with the new app;
//! every refusal with its sentence and fix, and nothing created that should not be. Also the simulator's
//! package validation over HTTP, and the emitted folder deployed as `sf project deploy start` would.

use crate::common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use common::*;
use sfconnect_sim::{MetadataConfig, OrgFixture, PERMISSION_FIELDS, PermissionSetFixture, SimConfig, Simulator};
use tokio::process::Command;

fn sfconnect() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfconnect"));
    for var in ["SFCONNECT_CLIENT_SECRET", "SFCONNECT_LOG", "SFCONNECT_LOGIN_URL", "SFCONNECT_ACCESS_TOKEN"] {
        cmd.env_remove(var);
    }
    cmd.stdin(std::process::Stdio::null()).kill_on_drop(true);
    cmd
}

fn config(metadata: MetadataConfig) -> SimConfig {
    SimConfig { metadata: MetadataConfig { propagation: Duration::from_millis(1500), ..metadata }, ..quick_config() }
}

async fn create_with_token(sim: &Simulator, token: &str, out: &Path, extra: &[&str]) -> Output {
    let mut cmd = sfconnect();
    cmd.args(["app", "create", "--login-url", &sim.base_url(), "--access-token", "-", "--output"]).arg(out).args(extra);
    run_with_stdin(cmd, token).await
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// `wait --settings`, then `url --settings --json`, a browser's Allow, `exchange --settings`, and `check`.
async fn wait_then_flow_then_check(sim: &Simulator, app_file: &Path, dir: &Path) {
    let wait = sfconnect().args(["wait", "--timeout", "30", "--settings"]).arg(app_file).output().await.unwrap();
    assert!(wait.status.success(), "{}", text(&wait.stderr));
    assert!(text(&wait.stdout).contains("live and the secret is accepted"), "{}", text(&wait.stdout));

    let url = sfconnect().args(["url", "--json", "--settings"]).arg(app_file).output().await.unwrap();
    assert!(url.status.success(), "{}", text(&url.stderr));
    let flow: serde_json::Value = serde_json::from_slice(&url.stdout).unwrap();
    let landed = browser_lands_on(&client_for(sim), flow["url"].as_str().unwrap()).await;
    let settings = dir.join("settings.json");
    let mut exchange = sfconnect();
    exchange
        .args(["exchange", "--settings"])
        .arg(app_file)
        .args(["--state", flow["state"].as_str().unwrap(), "--code", "-", "--output"])
        .arg(&settings)
        .env("SFCONNECT_CODE_VERIFIER", flow["code_verifier"].as_str().unwrap());
    let exchanged = run_with_stdin(exchange, &landed).await;
    assert!(exchanged.status.success(), "{}", text(&exchanged.stderr));
    let written = read_json(&settings);
    assert_eq!(written["client_id"], read_json(app_file)["client_id"]);
    assert_eq!(written["app_kind"], "external_client_app", "the kind is carried into the settings");
    // Found in a new-user trial: the name was dropped, so `check` graded another app's tokens.
    assert_eq!(written["app_name"], read_json(app_file)["app_name"], "and the name");
    assert!(written["app_name"].is_string());

    let check = sfconnect().args(["check", "--settings"]).arg(&settings).output().await.unwrap();
    assert!(check.status.success(), "{}\n{}", text(&check.stdout), text(&check.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_piped_token_creates_the_app_which_goes_live_and_works() {
    let sim = start(config(MetadataConfig::default())).await;
    let token = admin_token(&sim).await;
    let old_key = sim.client_id();
    let dir = tempfile::tempdir().unwrap();
    let app_file = dir.path().join("app.json");
    let started = Instant::now();
    let out = create_with_token(&sim, &token, &app_file, &[]).await;
    let created_after = started.elapsed();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    let app = read_json(&app_file);
    assert_eq!(mode_of(&app_file), 0o600);
    assert_eq!(app["app_kind"], "external_client_app");
    assert_eq!(app["app_name"], "Sfconnect_Acme");
    assert_eq!(app["login_url"], sim.base_url());
    let (key, secret) = (app["client_id"].as_str().unwrap(), app["client_secret"].as_str().unwrap());
    assert_ne!(key, old_key);
    assert_eq!((key, secret), (sim.client_id().as_str(), sim.client_secret().as_str()), "the simulator serves it");
    assert_eq!(key.len(), 64, "the key sfconnect generated");
    assert!(stdout.contains(&format!("Client ID:     {key}")), "{stdout}");
    assert!(!stdout.contains(secret) && !stderr.contains(secret), "the secret is masked: {stdout}");
    assert!(!stdout.contains(&token) && !stderr.contains(&token), "the session is never shown");
    assert!(stdout.contains("read back from the org"), "{stdout}");
    assert_eq!(sim.deployed_apps().len(), 1);
    assert_eq!(sim.deploy_requests(), 2, "a checkOnly dry run, then the deploy");
    // The session went in a header, never in a URL.
    assert!(sim.requests_seen().iter().all(|r| !r.query.contains(&token)));

    let wait = sfconnect().args(["wait", "--timeout", "30", "--settings"]).arg(&app_file).output().await.unwrap();
    assert!(wait.status.success(), "{}", text(&wait.stderr));
    eprintln!(
        "measured: app create {:.2}s; create to live (wait returned) {:.2}s; propagation 1.5s",
        created_after.as_secs_f32(),
        started.elapsed().as_secs_f32()
    );
    wait_then_flow_then_check(&sim, &app_file, dir.path()).await;

    // The same name again: the preflight finds it before anything is sent.
    let again = create_with_token(&sim, &token, &dir.path().join("again.json"), &[]).await;
    assert_eq!(again.status.code(), Some(1));
    let stderr = text(&again.stderr);
    assert!(stderr.contains("error: an External Client App named Sfconnect_Acme already exists"), "{stderr}");
    assert!(stderr.contains("fix:") && stderr.contains("--name"), "{stderr}");
    assert!(stderr.contains(&format!("its Client ID is {key}")), "offered for reuse: {stderr}");
    assert_eq!(sim.deploy_requests(), 2, "nothing sent");
    assert!(!dir.path().join("again.json").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_can_come_from_the_environment_and_json_output_hides_the_secret() {
    let sim = start(config(MetadataConfig::default())).await;
    let token = admin_token(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let app_file = dir.path().join("app.json");
    let out = sfconnect()
        .args(["app", "create", "--login-url", &sim.base_url(), "--name", "Env_App", "--json", "--output"])
        .arg(&app_file)
        .env("SFCONNECT_ACCESS_TOKEN", &token)
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["app_name"], "Env_App");
    assert_eq!(line["client_id"], sim.client_id());
    assert!(!text(&out.stdout).contains(&sim.client_secret()));
    assert!(line.get("client_secret").is_none());
}

/// A fake `sf` that prints what the real CLI prints with --json (plugin-org's `org display` and `org auth
/// show-access-token` results, in the CLI's `{"status","result","warnings"}` envelope). With `FAKE_SF_OLD`
/// set it is a CLI without show-access-token, whose `org display` still shows the token. `org list` lists
/// acme on `instance` and a login of another org (plugin-org's `org list` result, lists by kind).
pub(crate) fn fake_sf(dir: &Path, instance: &str, token: &str) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("sf");
    let mut f = std::fs::File::create(&script).unwrap();
    writeln!(
        f,
        r#"#!/bin/sh
echo "$@" >> "{log}"
case "$*" in
  "org display --target-org acme --json")
    if [ -n "$FAKE_SF_OLD" ]; then shown="{token}"; else shown="[REDACTED] Use 'sf org auth show-access-token' to view"; fi
    printf '{{"status":0,"result":{{"id":"00D5g00000ACMEsEAF","apiVersion":"64.0","accessToken":"%s","instanceUrl":"{instance}","username":"admin@acme.example","clientId":"PlatformCLI","connectedStatus":"Connected","alias":"acme"}},"warnings":[]}}\n' "$shown" ;;
  "org list --json --skip-connection-status")
    printf '{{"status":0,"result":{{"nonScratchOrgs":[{{"alias":"acme","username":"admin@acme.example","instanceUrl":"{instance}","accessToken":"{token}"}},{{"alias":"globex","username":"admin@globex.example","instanceUrl":"https://globex.my.salesforce.com","accessToken":"00Dglobex!x"}}],"regularOrgs":[{{"alias":"acme","username":"admin@acme.example","instanceUrl":"{instance}","accessToken":"{token}"}}],"scratchOrgs":[]}},"warnings":[]}}\n' ;;
  "org auth show-access-token --target-org acme --json")
    if [ -n "$FAKE_SF_OLD" ]; then echo " ›   Warning: org auth show-access-token is not a sf command." >&2; exit 127; fi
    printf '{{"status":0,"result":{{"accessToken":"{token}"}},"warnings":["This command exposes a sensitive value."]}}\n' ;;
  *)
    printf '{{"status":1,"name":"NamedOrgNotFoundError","message":"No authorization information found for nope.","exitCode":1}}\n'; exit 1 ;;
esac"#,
        log = dir.join("sf.log").display()
    )
    .unwrap();
    drop(f);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

pub(crate) fn path_with(bin: &Path) -> String {
    format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_sf_alias_gives_the_session_with_new_and_old_clis() {
    let sim = start(config(MetadataConfig::default())).await;
    let token = admin_token(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let bin = fake_sf(dir.path(), &sim.base_url(), &token);
    for (old, name) in [(false, "Via_Sf"), (true, "Via_Old_Sf")] {
        let app_file = dir.path().join(format!("{name}.json"));
        let mut cmd = sfconnect();
        cmd.args(["app", "create", "--login-url", "https://login.salesforce.com", "--sf-org", "acme", "--name", name])
            .arg("--output")
            .arg(&app_file)
            .env("PATH", path_with(&bin));
        if old {
            cmd.env("FAKE_SF_OLD", "1");
        }
        let out = cmd.output().await.unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stderr).contains("Using the session from sf org acme"), "{}", text(&out.stderr));
        assert_eq!(read_json(&app_file)["client_id"], sim.client_id());
        assert!(!text(&out.stdout).contains(&token) && !text(&out.stderr).contains(&token));
    }
    // An alias of another org than the one the login URL names: nothing is created there.
    let other = sfconnect()
        .args(["app", "create", "--login-url", "https://globex.my.salesforce.com", "--sf-org", "acme"])
        .env("PATH", path_with(&bin))
        .output()
        .await
        .unwrap();
    let stderr = text(&other.stderr);
    assert_eq!(other.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not for the org at https://globex.my.salesforce.com"), "{stderr}");
    assert_eq!(sim.deployed_apps().len(), 2, "nothing more created");
    let calls = std::fs::read_to_string(dir.path().join("sf.log")).unwrap();
    assert!(!calls.contains(&token), "the token is never in sf's arguments");
    let unknown = sfconnect()
        .args(["app", "create", "--login-url", "https://login.salesforce.com", "--sf-org", "nope"])
        .env("PATH", path_with(&bin))
        .output()
        .await
        .unwrap();
    assert_eq!(unknown.status.code(), Some(1));
    let stderr = text(&unknown.stderr);
    assert!(stderr.contains("No authorization information found for nope"), "{stderr}");
    assert!(stderr.contains("sf org login web"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_earlier_settings_file_gives_the_session_and_keeps_nothing() {
    let sim = start(config(MetadataConfig::default())).await;
    let dir = tempfile::tempdir().unwrap();
    // Settings for the simulator's built-in app, as `exchange` writes them.
    let url = sfconnect()
        .args(["url", "--json", "--client-id", &sim.client_id(), "--login-url", &sim.base_url()])
        .output()
        .await
        .unwrap();
    let flow: serde_json::Value = serde_json::from_slice(&url.stdout).unwrap();
    let landed = browser_lands_on(&client_for(&sim), flow["url"].as_str().unwrap()).await;
    let earlier = dir.path().join("earlier.json");
    let mut exchange = sfconnect();
    exchange
        .args(["exchange", "--client-id", &sim.client_id(), "--login-url", &sim.base_url()])
        .args(["--state", flow["state"].as_str().unwrap(), "--code", "-", "--output"])
        .arg(&earlier)
        .env("SFCONNECT_CODE_VERIFIER", flow["code_verifier"].as_str().unwrap())
        .env("SFCONNECT_CLIENT_SECRET", sim.client_secret());
    assert!(run_with_stdin(exchange, &landed).await.status.success());
    let before = std::fs::read(&earlier).unwrap();

    let app_file = dir.path().join("app.json");
    let out = sfconnect()
        .args(["app", "create", "--login-url", &sim.base_url(), "--from-settings"])
        .arg(&earlier)
        .arg("--output")
        .arg(&app_file)
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(read_json(&app_file)["client_id"], sim.client_id());
    assert_eq!(std::fs::read(&earlier).unwrap(), before, "the earlier file is left as it was");
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(files.len(), 2, "no token kept anywhere: {files:?}");
}

/// An org whose admin lacks both metadata permissions.
fn org_without_metadata_permission() -> OrgFixture {
    let mut org = OrgFixture::default();
    let user = org.user.clone();
    org.permission_sets = vec![PermissionSetFixture::for_profile(&user.profile_id, &user.profile_name).granting(
        PERMISSION_FIELDS.iter().filter(|p| {
            !matches!(**p, "PermissionsModifyMetadata" | "PermissionsModifyAllData" | "PermissionsUseAnyApiClient")
        }),
    )];
    org
}

/// Runs `app create` and expects exit 1 with both phrases, no app created and no file written.
async fn refused(sim: &Simulator, token: &str, headline: &str, fix: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("app.json");
    let out = create_with_token(sim, token, &out_file, &[]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let error_line = stderr.lines().find(|l| l.starts_with("error: ")).unwrap_or_default();
    let fix_line = stderr.lines().find(|l| l.trim_start().starts_with("fix: ")).unwrap_or_default();
    assert!(error_line.contains(headline), "headline {headline:?} in {stderr}");
    assert!(fix_line.contains(fix), "fix {fix:?} in {stderr}");
    assert!(sim.deployed_apps().is_empty(), "nothing created");
    assert!(!out_file.exists(), "no file written");
    stderr
}

#[tokio::test(flavor = "multi_thread")]
async fn each_refusal_before_the_deploy_says_why_and_creates_nothing() {
    let sim = start(SimConfig { org: org_without_metadata_permission(), ..config(MetadataConfig::default()) }).await;
    let token = admin_token(&sim).await;
    refused(&sim, &token, "may not deploy metadata", "Modify Metadata Through Metadata API Functions").await;
    assert_eq!(sim.deploy_requests(), 0);

    sim.set_config(|c| {
        c.org = OrgFixture { edition: "Professional Edition".into(), ..OrgFixture::default() };
    });
    refused(&sim, &token, "Professional Edition has no Metadata API", "External Client App Manager").await;

    sim.set_config(|c| {
        c.org = OrgFixture::default();
        c.metadata.eca_allowed = false;
    });
    refused(&sim, &token, "External Client Apps are not enabled", "Allow creation of External Client Apps").await;
    assert_eq!(sim.deploy_requests(), 1, "only the dry run reached the org");

    sim.set_config(|c| {
        c.metadata.eca_allowed = true;
        c.metadata.existing_apps = vec!["Sfconnect_Acme".into()];
    });
    refused(&sim, &token, "named Sfconnect_Acme already exists", "pick another name with --name").await;
    assert_eq!(sim.deploy_requests(), 1);

    // A refused session is the admin's to renew: no refresh token is involved (found in a new-user trial).
    let said = refused(&sim, "00Dnot!avalidtoken", "Salesforce refused the session (expired", "get a fresh one").await;
    assert!(!said.contains("from the refresh token"), "{said}");
    let bad = create_with_token(&sim, "00Dnot!avalidtoken", &std::env::temp_dir().join("never.json"), &[]).await;
    assert!(text(&bad.stderr).to_lowercase().contains("session"), "{}", text(&bad.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_is_never_taken_from_the_command_line() {
    let out = sfconnect()
        .args(["app", "create", "--login-url", "https://acme.my.salesforce.com", "--access-token", "00Dsecret!tok"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("--access-token takes only `-`"), "{stderr}");
    assert!(!stderr.contains("00Dsecret!tok"));
    let none =
        sfconnect().args(["app", "create", "--login-url", "https://acme.my.salesforce.com"]).output().await.unwrap();
    assert_eq!(none.status.code(), Some(2));
    assert!(text(&none.stderr).contains("needs a Salesforce session"), "{}", text(&none.stderr));
    let production = sfconnect()
        .args(["app", "create", "--login-url", "https://login.salesforce.com"])
        .env("SFCONNECT_ACCESS_TOKEN", "00Dx!y")
        .output()
        .await
        .unwrap();
    assert_eq!(production.status.code(), Some(2));
    assert!(text(&production.stderr).contains("must be your My Domain"), "{}", text(&production.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn check_only_validates_and_creates_nothing() {
    let sim = start(config(MetadataConfig::default())).await;
    let token = admin_token(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("app.json");
    let out = create_with_token(&sim, &token, &out_file, &["--check-only"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("The dry run passed"), "{}", text(&out.stdout));
    assert!(sim.deployed_apps().is_empty());
    assert_eq!(sim.deploy_requests(), 1);
    assert!(!out_file.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_secret_is_left_to_the_org_and_read_back() {
    let sim = start(config(MetadataConfig { supplied_secret_refused: true, ..MetadataConfig::default() })).await;
    let token = admin_token(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let app_file = dir.path().join("app.json");
    let out = create_with_token(&sim, &token, &app_file, &[]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("refuses a supplied consumer secret"), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("generated by the org, read back"), "{}", text(&out.stdout));
    let app = read_json(&app_file);
    assert_eq!(app["client_secret"], sim.client_secret());
    wait_then_flow_then_check(&sim, &app_file, dir.path()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_the_org_replaced_is_the_one_handed_over() {
    let sim = start(config(MetadataConfig { org_replaces_secret: true, ..MetadataConfig::default() })).await;
    let token = admin_token(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let app_file = dir.path().join("app.json");
    let out = create_with_token(&sim, &token, &app_file, &[]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("the org replaced the one sfconnect wrote"), "{}", text(&out.stdout));
    assert_eq!(read_json(&app_file)["client_secret"], sim.client_secret());
    let wait = sfconnect().args(["wait", "--timeout", "30", "--settings"]).arg(&app_file).output().await.unwrap();
    assert!(text(&wait.stdout).contains("the secret is accepted"), "{}", text(&wait.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn without_secrets_over_rest_the_written_secret_is_kept_or_the_admin_is_told_where_to_copy_it() {
    // The org takes the secret sfconnect wrote but does not hand secrets out: the written one is kept.
    let sim = start(config(MetadataConfig { secrets_via_rest: false, ..MetadataConfig::default() })).await;
    let token = admin_token(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let app_file = dir.path().join("app.json");
    let out = create_with_token(&sim, &token, &app_file, &[]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("`wait` proves it"), "{}", text(&out.stdout));
    assert_eq!(read_json(&app_file)["client_secret"], sim.client_secret());

    // It also refuses a written secret: the app exists, its secret is only in Setup.
    let sim = start(config(MetadataConfig {
        secrets_via_rest: false,
        supplied_secret_refused: true,
        ..MetadataConfig::default()
    }))
    .await;
    let token = admin_token(&sim).await;
    let app_file = dir.path().join("app2.json");
    let out = create_with_token(&sim, &token, &app_file, &[]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("was created, but the org keeps its consumer secret from the API"), "{stderr}");
    assert!(stderr.contains("External Client App Manager > Sfconnect_Acme"), "{stderr}");
    assert!(stderr.contains("SFCONNECT_CLIENT_SECRET"), "{stderr}");
    let app = read_json(&app_file);
    assert_eq!(app["client_id"], sim.client_id(), "the key is written for the next steps");
    assert!(app.get("client_secret").is_none());
    // Taken as today: the admin's copy through the environment.
    let wait = sfconnect()
        .args(["wait", "--timeout", "30", "--settings"])
        .arg(&app_file)
        .env("SFCONNECT_CLIENT_SECRET", sim.client_secret())
        .output()
        .await
        .unwrap();
    assert!(text(&wait.stdout).contains("the secret is accepted"), "{}", text(&wait.stderr));
}

fn zip_folder(dir: &Path) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
                zip.write_all(&std::fs::read(&path).unwrap()).unwrap();
            }
        }
    }
    zip.finish().unwrap().into_inner()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_emitted_folder_deploys_as_sf_would_deploy_it() {
    let sim = start(config(MetadataConfig::default())).await;
    let token = admin_token(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("eca");
    let out = sfconnect()
        .args(["app", "emit", "--out"])
        .arg(&out_dir)
        .args(["--contact-email", "admin@acme.example", "--name", "Emitted_App", "--login-url", &sim.base_url()])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!("sf project deploy start --metadata-dir {} --target-org ALIAS", out_dir.display()))
    );
    let key = stdout.lines().find_map(|l| l.trim().strip_prefix("Client ID: ")).unwrap().to_string();
    // Deploy the folder the way `sf project deploy start --metadata-dir` does: zipped, over REST.
    let rest = sfconnect::salesforce::rest::RestClient::new(
        client_for(&sim).http().clone(),
        &sim.base_url(),
        sfconnect::salesforce::AccessToken::new(token),
    )
    .unwrap();
    use sfconnect::salesforce::eca::deploy::{start_deploy, wait_for_deploy};
    let id = start_deploy(&rest, &zip_folder(&out_dir), false).await.unwrap();
    let clock = sfconnect::salesforce::clock::TokioClock;
    let result = wait_for_deploy(&rest, &id, &clock, Duration::from_secs(10), |_| {}).await.unwrap();
    assert!(result.succeeded(), "{result:?}");
    assert_eq!(sim.client_id(), key, "the emitted key is the app's");
    let again = sfconnect()
        .args(["app", "emit", "--out"])
        .arg(&out_dir)
        .args(["--contact-email", "admin@acme.example"])
        .output()
        .await
        .unwrap();
    assert_eq!(again.status.code(), Some(1), "files are never replaced without --force");
    // From a new-user trial: the refusal named --output, a flag emit does not have.
    let refusal = text(&again.stderr);
    assert!(refusal.contains("choose another --out") && !refusal.contains("--output"), "{refusal}");
    let missing = sfconnect().args(["app", "emit", "--out"]).arg(dir.path().join("x")).output().await.unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("--contact-email"), "{}", text(&missing.stderr));
    // The README shows it as required for emit, as emit enforces it (a new-user trial found it optional there).
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let row = readme.lines().find(|l| l.starts_with("| `sfconnect app emit")).unwrap();
    assert!(row.contains(" --contact-email E ") && !row.contains("[--contact-email E]"), "{row}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_target_that_wants_the_device_flow_gets_it_and_device_reads_the_app_file() {
    let sim = start(config(MetadataConfig::default())).await;
    let token = admin_token(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let app_file = dir.path().join("app.json");
    let out = create_with_token(&sim, &token, &app_file, &["--preset", "snow-atlas", "--name", "Snow_Atlas"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    sim.make_live_now();
    let settings = dir.path().join("device.json");
    let device = sfconnect()
        .args(["device", "--scope", "refresh_token full", "--settings"])
        .arg(&app_file)
        .arg("--output")
        .arg(&settings)
        .output()
        .await
        .unwrap();
    assert!(device.status.success(), "{}", text(&device.stderr));
    let written = read_json(&settings);
    assert_eq!(written["client_id"], sim.client_id());
    assert_eq!(written["client_secret"], sim.client_secret(), "the secret came from the app file");
    assert_eq!(written["app_kind"], "external_client_app");
    assert_eq!(written["app_name"], "Snow_Atlas");

    // The generic target's app has no device flow.
    let app_file = dir.path().join("generic.json");
    let out = create_with_token(&sim, &token, &app_file, &["--name", "Generic_App"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    sim.make_live_now();
    let device = sfconnect().args(["device", "--settings"]).arg(&app_file).output().await.unwrap();
    assert_eq!(device.status.code(), Some(1), "{}", text(&device.stderr));
}

/// At trace level, `app create` and `wait --settings` leave neither the session nor the new secret in the
/// log or on the terminal.
#[tokio::test(flavor = "multi_thread")]
async fn at_trace_level_neither_the_session_nor_the_secret_is_logged() {
    let sim = start(config(MetadataConfig::default())).await;
    let token = admin_token(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("trace.log");
    let app_file = dir.path().join("app.json");
    let mut cmd = sfconnect();
    cmd.args(["app", "create", "--login-url", &sim.base_url(), "--access-token", "-", "--output"])
        .arg(&app_file)
        .env("SFCONNECT_LOG", "trace")
        .env("SFCONNECT_LOG_FILE", &log);
    let out = run_with_stdin(cmd, &token).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    sim.make_live_now();
    let wait = sfconnect()
        .args(["wait", "--settings"])
        .arg(&app_file)
        .env("SFCONNECT_LOG", "trace")
        .env("SFCONNECT_LOG_FILE", &log)
        .output()
        .await
        .unwrap();
    assert!(wait.status.success(), "{}", text(&wait.stderr));
    let secret = sim.client_secret();
    let log_text = std::fs::read_to_string(&log).unwrap();
    assert!(log_text.contains("deploy started"), "the log says what happened");
    for (what, value) in [("session", token.as_str()), ("secret", secret.as_str())] {
        assert!(!log_text.contains(value), "the log holds the {what}");
        for o in [&out, &wait] {
            assert!(!text(&o.stdout).contains(value) && !text(&o.stderr).contains(value), "{what} printed");
        }
        assert!(sim.requests_seen().iter().all(|r| !r.query.contains(value)), "{what} in a URL");
    }
}

/// Found in a new-user trial: `app create` registered http://localhost:1717 while the wizard's local-browser
/// method listened on the port it keeps in the state folder, so an app made by sfconnect refused the wizard's
/// own redirect. The app now gets the wizard's port.
#[tokio::test]
async fn the_emitted_loopback_callback_is_the_port_the_wizard_listens_on() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    std::fs::create_dir_all(state.join("sfconnect")).unwrap();
    std::fs::write(state.join("sfconnect").join("listen-port"), "45678\n").unwrap();
    let out_dir = dir.path().join("eca");
    let out = sfconnect()
        .env("HOME", dir.path())
        .env("XDG_STATE_HOME", &state)
        .args(["app", "emit", "--out"])
        .arg(&out_dir)
        .args(["--contact-email", "admin@acme.example", "--name", "Port_App"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut registered = String::new();
    for entry in walk(&out_dir) {
        registered.push_str(&std::fs::read_to_string(entry).unwrap_or_default());
    }
    assert!(registered.contains("http://localhost:45678/OauthRedirect"), "the wizard's port is registered");
    assert!(!registered.contains("localhost:1717"), "no other loopback port");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { files.extend(walk(&path)) } else { files.push(path) }
    }
    files
}

/// From a new-user trial: `--output` with a settings file's extension got JSON. The app file follows the
/// extension, and `wait --settings` reads it back.
#[tokio::test(flavor = "multi_thread")]
async fn an_app_file_named_env_holds_env_lines_that_settings_reads_back() {
    let sim = start(config(MetadataConfig::default())).await;
    let token = admin_token(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let app_file = dir.path().join("app.env");
    let out = create_with_token(&sim, &token, &app_file, &[]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("(env, mode 0600)"), "{}", text(&out.stdout));
    let written = std::fs::read_to_string(&app_file).unwrap();
    assert!(written.contains(&format!("SALESFORCE_CLIENT_ID=\"{}\"", sim.client_id())), "{written}");
    assert!(written.contains("SALESFORCE_APP_KIND=\"external_client_app\""), "{written}");
    assert_eq!(mode_of(&app_file), 0o600);
    let wait = sfconnect().args(["wait", "--timeout", "30", "--settings"]).arg(&app_file).output().await.unwrap();
    assert!(wait.status.success(), "{}", text(&wait.stderr));
}
