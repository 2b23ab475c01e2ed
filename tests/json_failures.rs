//! Every `--json` command answers a script in JSON when it fails, too (found in a new-user trial, issue 13:
//! `app create --json` printed nothing on standard output when it failed). One object on standard output,
//! `{"ok": false, "error", "fix"}` (merged into the command's own result when it has one), and a non-zero
//! exit status; successes carry `"ok": true`. Run as the real binary against the simulator.

use crate::common;

use std::process::Output;

use common::*;
use sfconnect::settings::{ConnectorSettings, Overwrite, write_settings};
use sfconnect_sim::{MetadataConfig, OrgFixture, SimConfig};
use tokio::process::Command;

fn sfconnect() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfconnect"));
    for var in ["SFCONNECT_CLIENT_SECRET", "SFCONNECT_LOG", "SFCONNECT_LOGIN_URL", "SFCONNECT_ACCESS_TOKEN"] {
        cmd.env_remove(var);
    }
    cmd.stdin(std::process::Stdio::null()).kill_on_drop(true);
    cmd
}

/// Standard output as exactly one JSON object (a second document or stray text fails the parse).
fn the_one_object(out: &Output) -> serde_json::Value {
    let stdout = text(&out.stdout);
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("one JSON object on stdout ({e}): {stdout:?}; stderr: {}", text(&out.stderr)))
}

/// A failure object whose error holds `error` and whose exit status is `code`.
fn assert_failed(out: &Output, code: i32, error: &str) -> serde_json::Value {
    let object = the_one_object(out);
    assert_eq!(out.status.code(), Some(code), "{}", text(&out.stderr));
    assert_eq!(object["ok"], false, "{object}");
    let said = object["error"].as_str().unwrap_or_default();
    assert!(said.contains(error), "error {error:?} in {object}");
    assert!(object.get("fix").is_some(), "a fix field, null when there is none: {object}");
    object
}

#[tokio::test(flavor = "multi_thread")]
async fn app_create_json_prints_the_refusal_as_json() {
    // The admin may not deploy metadata: refused in the preflight, nothing created.
    let mut org = OrgFixture::default();
    let user = org.user.clone();
    org.permission_sets =
        vec![sfconnect_sim::PermissionSetFixture::for_profile(&user.profile_id, &user.profile_name).granting(
            sfconnect_sim::PERMISSION_FIELDS.iter().filter(|p| {
                !matches!(**p, "PermissionsModifyMetadata" | "PermissionsModifyAllData" | "PermissionsUseAnyApiClient")
            }),
        )];
    let sim = start(SimConfig { org, ..quick_config() }).await;
    let token = admin_token(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = sfconnect();
    cmd.args(["app", "create", "--json", "--login-url", &sim.base_url(), "--access-token", "-", "--output"])
        .arg(dir.path().join("app.json"));
    let out = run_with_stdin(cmd, &token).await;
    let object = assert_failed(&out, 1, "may not deploy metadata");
    assert!(object["fix"].as_str().unwrap().contains("Modify Metadata Through Metadata API Functions"), "{object}");
    assert!(text(&out.stderr).contains("error: "), "a person still reads it on stderr");
    assert!(!text(&out.stdout).contains(&token), "the session is never printed");

    // Refused before any request: no session at all (a usage error, exit 2).
    let none = sfconnect().args(["app", "create", "--json", "--login-url", &sim.base_url()]).output().await.unwrap();
    assert_failed(&none, 2, "needs a Salesforce session");
    // Refused by the command line parser itself.
    let parse = sfconnect().args(["app", "create", "--json"]).output().await.unwrap();
    assert_failed(&parse, 2, "--login-url");
    let no_json = sfconnect().args(["app", "create"]).output().await.unwrap();
    assert!(no_json.stdout.is_empty(), "without --json, standard output stays empty");
}

#[tokio::test(flavor = "multi_thread")]
async fn app_create_json_that_created_the_app_but_lacks_its_secret_says_both_in_one_object() {
    let metadata =
        MetadataConfig { secrets_via_rest: false, supplied_secret_refused: true, ..MetadataConfig::default() };
    let sim = start(SimConfig { metadata, ..quick_config() }).await;
    let token = admin_token(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = sfconnect();
    cmd.args(["app", "create", "--json", "--login-url", &sim.base_url(), "--access-token", "-", "--output"])
        .arg(dir.path().join("app.json"));
    let out = run_with_stdin(cmd, &token).await;
    let object = assert_failed(&out, 1, "was created, but the org keeps its consumer secret");
    assert_eq!(object["client_id"], sim.client_id(), "what was created is in the same object: {object}");
    assert_eq!(object["secret"], "not_available");
    assert!(object["fix"].as_str().unwrap().contains("SFCONNECT_CLIENT_SECRET"), "{object}");
}

#[tokio::test(flavor = "multi_thread")]
async fn check_json_fails_in_json_before_and_after_the_checks() {
    let sim = start(quick_config()).await;
    let dir = tempfile::tempdir().unwrap();
    // No settings file: nothing was checked.
    let missing = sfconnect().args(["check", "--json", "--settings"]).arg(dir.path().join("nope.json")).output();
    let missing = missing.await.unwrap();
    let object = assert_failed(&missing, 1, "nope.json");
    // From a new-user trial: "could not open: No such file or directory (os error 2)", and no fix.
    assert!(object["error"].as_str().unwrap().contains("no such file"), "{object}");
    let fix = object["fix"].as_str().unwrap_or_default();
    assert!(fix.contains("check the path") && fix.contains("sfconnect exchange --output"), "{object}");
    let stderr = text(&missing.stderr);
    assert!(stderr.contains("nope.json") && stderr.contains("  fix: check the path"), "{stderr}");

    // A working file: the report says ok.
    let token = authorize_with(&sim, "api refresh_token").await;
    let mut settings = ConnectorSettings::new(sim.client_id(), token.clone(), sim.base_url());
    settings.client_secret = Some(sfconnect::salesforce::ClientSecret::new(sim.client_secret()));
    let path = dir.path().join("settings.json");
    write_settings(&path, &settings.render(sfconnect::settings::Format::Json).unwrap(), Overwrite::Replace).unwrap();
    let passed = sfconnect().args(["check", "--json", "--settings"]).arg(&path).output().await.unwrap();
    let report = the_one_object(&passed);
    assert!(passed.status.success(), "{}", text(&passed.stderr));
    assert_eq!(report["ok"], true, "{report}");

    // Revoked: the report itself says it failed, and no second object follows it.
    client_for(&sim).revoke(&token).await.unwrap();
    let failed = sfconnect().args(["check", "--json", "--settings"]).arg(&path).output().await.unwrap();
    let report = assert_failed(&failed, 1, "a required check failed");
    assert!(report["checks"].as_array().is_some_and(|c| !c.is_empty()), "the checks are kept: {report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn url_and_simulate_json_fail_in_json() {
    let url = sfconnect().args(["url", "--json", "--client-id", "not a key!"]).output().await.unwrap();
    let object = assert_failed(&url, 2, "--client-id");
    // From a new-user trial: every usage error's fix was "run the command with --help": the error's own comes.
    assert!(object["fix"].as_str().unwrap().starts_with("copy it again from Manage Consumer Details"), "{object}");
    let ok = sfconnect().args(["url", "--json", "--client-id", "3MVG9exampleexampleexample"]).output().await.unwrap();
    assert_eq!(the_one_object(&ok)["ok"], true);
    let simulate = sfconnect().args(["simulate", "--json", "--org", "no-such-org"]).output().await.unwrap();
    assert_failed(&simulate, 2, "unknown --org");
}
