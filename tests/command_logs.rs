//! The subcommands log as the wizard does (found in a new-user trial, issue 13: `SFCONNECT_LOG=trace` left
//! the log empty for `wait` and `check`): to `sfconnect.log` in the data folder, the facts and their shapes,
//! never a secret. Run as the real binary against the simulator, with a data folder of its own.

use crate::common;

use std::path::Path;

use common::*;
use sfconnect::settings::{ConnectorSettings, Format, Overwrite, write_settings};
use tokio::process::Command;

/// The binary with `home` as its home and data folder, logging at `level`.
fn sfconnect_logging(home: &Path, level: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfconnect"));
    for var in ["SFCONNECT_CLIENT_SECRET", "SFCONNECT_LOG_FILE", "SFCONNECT_LOGIN_URL", "SFCONNECT_ACCESS_TOKEN"] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", home).env("XDG_DATA_HOME", home.join("data")).env("XDG_STATE_HOME", home.join("state"));
    cmd.env("SFCONNECT_LOG", level).stdin(std::process::Stdio::null()).kill_on_drop(true);
    cmd
}

fn log_in(home: &Path) -> String {
    std::fs::read_to_string(home.join("data/sfconnect/sfconnect.log")).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_and_check_write_the_log_in_the_data_folder_without_secrets() {
    let sim = start(quick_config()).await;
    let home = tempfile::tempdir().unwrap();
    let secret = sim.client_secret();

    let wait = sfconnect_logging(home.path(), "trace")
        .args(["wait", "--timeout", "30", "--client-id", &sim.client_id(), "--login-url", &sim.base_url()])
        .env("SFCONNECT_CLIENT_SECRET", &secret)
        .output()
        .await
        .unwrap();
    assert!(wait.status.success(), "{}", text(&wait.stderr));
    let log = log_in(home.path());
    for fact in ["command=\"wait\"", "wait started", "secret_given=true", "POST answered", "wait done"] {
        assert!(log.contains(fact), "{fact:?} in the log:\n{log}");
    }

    let token = authorize_with(&sim, "api refresh_token").await;
    let mut settings = ConnectorSettings::new(sim.client_id(), token.clone(), sim.base_url());
    settings.client_secret = Some(sfconnect::salesforce::ClientSecret::new(&secret));
    let path = home.path().join("settings.json");
    write_settings(&path, &settings.render(Format::Json).unwrap(), Overwrite::Replace).unwrap();
    let check = sfconnect_logging(home.path(), "trace").args(["check", "--settings"]).arg(&path).output();
    let check = check.await.unwrap();
    assert!(check.status.success(), "{}{}", text(&check.stdout), text(&check.stderr));
    let log = log_in(home.path());
    for fact in ["command=\"check\"", "check started", "refresh ok", "GET answered", "check done", "failed=0"] {
        assert!(log.contains(fact), "{fact:?} in the log:\n{log}");
    }
    assert!(!log.contains(&secret), "the consumer secret is never logged");
    assert!(!log.contains(token.expose()), "the refresh token is never logged");
    assert!(!log.contains("Bearer") && !log.contains("access_token"), "no token answer is logged");
}

#[tokio::test(flavor = "multi_thread")]
async fn debug_level_writes_debug_lines_not_only_info() {
    let sim = start(quick_config()).await;
    let home = tempfile::tempdir().unwrap();
    let wait = sfconnect_logging(home.path(), "debug")
        .args(["wait", "--timeout", "30", "--client-id", &sim.client_id(), "--login-url", &sim.base_url()])
        .output()
        .await
        .unwrap();
    assert!(wait.status.success(), "{}", text(&wait.stderr));
    let log = log_in(home.path());
    assert!(log.lines().any(|l| l.contains(" DEBUG ")), "debug lines at SFCONNECT_LOG=debug:\n{log}");
    assert!(!log.lines().any(|l| l.contains(" TRACE ")), "but no trace lines:\n{log}");
}
