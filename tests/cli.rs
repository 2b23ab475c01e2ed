//! The scriptable commands, run as the real binary against the simulator on loopback. Issue #3.
//! One test runs the whole flow at trace level and searches every output and log for the secrets.

use crate::common;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use common::*;
use tokio::process::Command;

fn sfconnect() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfconnect"));
    cmd.env_remove("SFCONNECT_CLIENT_SECRET").env_remove("SFCONNECT_LOG").env_remove("SFCONNECT_LOGIN_URL");
    cmd.stdin(std::process::Stdio::null()).kill_on_drop(true);
    cmd
}

fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// `url --json`, then a browser's Allow, then `exchange` with the pasted address on stdin.
async fn authorize_and_exchange(
    sim: &sfconnect_sim::Simulator,
    dir: &Path,
    extra_env: &[(&str, &str)],
) -> (Output, std::path::PathBuf) {
    authorize_and_exchange_with(sim, dir, extra_env, &[]).await
}

/// [`authorize_and_exchange`] with more arguments for `exchange`.
async fn authorize_and_exchange_with(
    sim: &sfconnect_sim::Simulator,
    dir: &Path,
    extra_env: &[(&str, &str)],
    extra_args: &[&str],
) -> (Output, std::path::PathBuf) {
    let url_out = sfconnect()
        .args(["url", "--client-id", &sim.client_id(), "--login-url", &sim.base_url(), "--json"])
        .output()
        .await
        .unwrap();
    assert!(url_out.status.success(), "{}", text(&url_out.stderr));
    let flow: serde_json::Value = serde_json::from_slice(&url_out.stdout).expect("url --json prints one JSON line");
    let client = client_for(sim);
    let landed = browser_lands_on(&client, flow["url"].as_str().unwrap()).await;

    let settings = dir.join("settings.json");
    let mut cmd = sfconnect();
    cmd.args(["exchange", "--client-id", &sim.client_id(), "--login-url", &sim.base_url()])
        .args(["--state", flow["state"].as_str().unwrap(), "--code", "-", "--output"])
        .arg(&settings)
        .args(extra_args)
        .env("SFCONNECT_CODE_VERIFIER", flow["code_verifier"].as_str().unwrap())
        .env("SFCONNECT_CLIENT_SECRET", sim.client_secret());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    (run_with_stdin(cmd, &landed).await, settings)
}

#[tokio::test(flavor = "multi_thread")]
async fn whole_flow_at_trace_level_leaks_no_secret() {
    let sim = start(quick_config()).await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("trace.log");
    let log_str = log.to_str().unwrap().to_string();
    let env = [("SFCONNECT_LOG", "trace"), ("SFCONNECT_LOG_FILE", log_str.as_str())];
    let (exchange, settings) = authorize_and_exchange(&sim, dir.path(), &env).await;
    assert!(exchange.status.success(), "exchange failed: {}", text(&exchange.stderr));
    assert_eq!(mode_of(&settings), 0o600, "settings file is private");
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&settings).unwrap()).unwrap();
    let refresh_token = written["refresh_token"].as_str().expect("refresh token in the file").to_string();
    assert_eq!(written["client_secret"].as_str(), Some(sim.client_secret().as_str()));
    assert_eq!(written["company_names"], serde_json::json!(["*"]));
    assert_eq!(written["username"].as_str(), Some("admin@acme.com"));

    let check = sfconnect().args(["check", "--json", "--settings"]).arg(&settings).envs(env).output().await.unwrap();
    assert!(check.status.success(), "check failed: {}{}", text(&check.stdout), text(&check.stderr));
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let refresh = report["checks"].as_array().unwrap().iter().find(|c| c["id"] == "refresh").unwrap();
    assert_eq!(refresh["status"], "pass");
    assert_eq!(report["user"]["username"], "admin@acme.com");

    let revoke = sfconnect().args(["revoke", "--settings"]).arg(&settings).envs(env).output().await.unwrap();
    assert!(revoke.status.success(), "{}", text(&revoke.stderr));
    let after = sfconnect().args(["check", "--settings"]).arg(&settings).envs(env).output().await.unwrap();
    assert_eq!(after.status.code(), Some(1), "a revoked token fails the check");
    assert!(text(&after.stdout).contains("expired or revoked"), "{}", text(&after.stdout));

    let log_text = std::fs::read_to_string(&log).expect("trace log written");
    assert!(log_text.contains("code exchange ok"), "the log says what happened");
    let secret = sim.client_secret();
    for (name, out) in [("exchange", &exchange), ("check", &check), ("revoke", &revoke), ("check after revoke", &after)]
    {
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!all.contains(&secret), "{name} printed the consumer secret");
        assert!(!all.contains(&refresh_token), "{name} printed the refresh token");
    }
    assert!(!log_text.contains(&secret), "log holds the consumer secret");
    assert!(!log_text.contains(&refresh_token), "log holds the refresh token");
    assert!(sim.requests_seen().iter().all(|r| !r.query.contains(&secret) && !r.query.contains(&refresh_token)));
}

#[tokio::test(flavor = "multi_thread")]
async fn exchange_records_the_preset_and_refuses_an_unknown_one_before_sending_the_code() {
    let sim = start(quick_config()).await;
    let dir = tempfile::tempdir().unwrap();
    let (out, settings) = authorize_and_exchange_with(&sim, dir.path(), &[], &["--preset", "snow-atlas"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&settings).unwrap()).unwrap();
    assert_eq!(written["preset"], "snow-atlas");
    assert!(text(&out.stdout).contains("Target         snow-atlas"), "{}", text(&out.stdout));

    let tokens_before = sim.requests_seen().iter().filter(|r| r.path == "/services/oauth2/token").count();
    let out = run_with_stdin(
        {
            let mut cmd = sfconnect();
            cmd.args(["exchange", "--client-id", &sim.client_id(), "--login-url", &sim.base_url()])
                .args(["--code", "-", "--preset", "snow-atlsa", "--output"])
                .arg(dir.path().join("other.json"))
                .env("SFCONNECT_CLIENT_SECRET", sim.client_secret());
            cmd
        },
        "aPrxAbCdEf0123456789.xyz==",
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("unknown --preset `snow-atlsa`, expected one of snow-atlas"));
    let tokens_after = sim.requests_seen().iter().filter(|r| r.path == "/services/oauth2/token").count();
    assert_eq!(tokens_after, tokens_before, "the single-use code was not spent on a typo");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_file_is_never_replaced_without_force() {
    let sim = start(quick_config()).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("settings.json"), "keep me").unwrap();
    let (out, settings) = authorize_and_exchange(&sim, dir.path(), &[]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--force"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(settings).unwrap(), "keep me");
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_returns_soon_after_the_key_goes_live() {
    let sim = start(sfconnect_sim::SimConfig { live_after: Duration::from_secs(3), ..quick_config() }).await;
    let started = Instant::now();
    let out = sfconnect()
        .args(["wait", "--client-id", &sim.client_id(), "--login-url", &sim.base_url(), "--timeout", "30"])
        .env("SFCONNECT_CLIENT_SECRET", sim.client_secret())
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("live and the secret is accepted"));
    let lag = started.elapsed().saturating_sub(Duration::from_secs(3));
    // Up to 3 s to the next probe, then 1 s to the probe that confirms it (issue 10: two answers in a row).
    assert!(lag < Duration::from_secs(5), "wait returned {lag:?} after the key went live");
}

/// A Login URL whose host no DNS server can have (a label over 63 characters, RFC 1035 §2.3.4; nothing is
/// sent), as a mistyped My Domain meets `wait`: exit 1 at once, with the DNS explanation and its fix.
#[tokio::test(flavor = "multi_thread")]
async fn wait_names_a_host_that_cannot_be_found_and_stops() {
    let login_url = format!("https://{}.my.salesforce.com", "x".repeat(64));
    let started = Instant::now();
    let mut cmd = sfconnect();
    cmd.args(["wait", "--client-id", "3MVG9notlive", "--login-url", &login_url, "--no-client-secret"]);
    for proxy in ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        cmd.env_remove(proxy);
    }
    let out = cmd.output().await.unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("error: The host name of {login_url} could not be found (DNS)")), "{stderr}");
    assert!(stderr.contains("fix: Check the Login URL's spelling"), "{stderr}");
    assert!(!stderr.contains("retrying"), "a typo is not probed again: {stderr}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_reports_a_rejected_secret() {
    let sim = start(quick_config()).await;
    let out = sfconnect()
        .args(["wait", "--client-id", &sim.client_id(), "--login-url", &sim.base_url()])
        .env("SFCONNECT_CLIENT_SECRET", "A".repeat(64))
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("rejected the consumer secret"), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn device_prints_the_code_then_writes_settings() {
    let sim = start(quick_config()).await;
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("device.env");
    let out = sfconnect()
        .args([
            "device",
            "--client-id",
            &sim.client_id(),
            "--login-url",
            &sim.base_url(),
            "--format",
            "env",
            "--output",
        ])
        .arg(&settings)
        .env("SFCONNECT_CLIENT_SECRET", sim.client_secret())
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The code is a prompt (stderr); stdout holds only the summary (issue 10, smaller things).
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(stderr.lines().any(|l| l.starts_with("Enter the code ")), "{stderr}");
    assert!(stderr.contains("?user_code="));
    assert!(!stdout.contains("Enter the code") && !stdout.contains("user_code"), "{stdout}");
    let env_file = std::fs::read_to_string(&settings).unwrap();
    assert!(env_file.contains("SALESFORCE_REFRESH_TOKEN="), "{env_file}");
    assert_eq!(mode_of(&settings), 0o600);
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_exit_2_and_name_the_field() {
    let bad_url = sfconnect()
        .args(["url", "--client-id", "3MVG9abcdefgh", "--login-url", "http://login.salesforce.com"])
        .output()
        .await
        .unwrap();
    assert_eq!(bad_url.status.code(), Some(2));
    assert!(text(&bad_url.stderr).contains("Login URL"), "{}", text(&bad_url.stderr));
    let secret_as_key = sfconnect().args(["url", "--client-id", &"AB12".repeat(16)]).output().await.unwrap();
    assert_eq!(secret_as_key.status.code(), Some(2));
    assert!(text(&secret_as_key.stderr).contains("looks like a Consumer Secret"));
    let missing = sfconnect().args(["exchange", "--code", "x"]).output().await.unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn simulate_json_prints_one_line_first() {
    let mut child = sfconnect()
        .args(["simulate", "--json", "--auto-approve"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout);
    let mut first = String::new();
    tokio::time::timeout(Duration::from_secs(10), tokio::io::AsyncBufReadExt::read_line(&mut lines, &mut first))
        .await
        .expect("the simulator says where it listens")
        .unwrap();
    let line: serde_json::Value = serde_json::from_str(&first).unwrap();
    let base = line["base_url"].as_str().unwrap();
    assert!(base.starts_with("http://127.0.0.1:"));
    assert!(line["client_id"].as_str().unwrap().starts_with("3MVG9"));
    let discovered = client_for_url(base).discover().await.expect("the standalone simulator answers");
    assert!(discovered.is_salesforce());
    child.kill().await.unwrap();
}

fn client_for_url(url: &str) -> sfconnect::salesforce::Client {
    sfconnect::salesforce::Client::new(sfconnect::salesforce::LoginHost::parse(url).unwrap()).unwrap()
}

/// A secret file others can read still works (it is already exposed) but is called out, with the fix.
#[tokio::test(flavor = "multi_thread")]
async fn a_secret_file_others_can_read_is_called_out() {
    use std::os::unix::fs::PermissionsExt;
    let sim = start(quick_config()).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secret.txt");
    std::fs::write(&file, format!("{}\n", sim.client_secret())).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let file_arg = file.display().to_string();
    let args =
        ["wait", "--client-id", &sim.client_id(), "--login-url", &sim.base_url(), "--client-secret-file", &file_arg];
    let out = sfconnect().args(args).output().await.unwrap();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("warning: {file_arg} can be read by other users (mode 644): run chmod 600")),
        "{stderr}"
    );
    assert!(!stderr.contains(&sim.client_secret()) && !text(&out.stdout).contains(&sim.client_secret()));

    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = sfconnect().args(args).output().await.unwrap();
    assert!(!text(&out.stderr).contains("warning"), "{}", text(&out.stderr));
}

/// From a security review: `device` and `exchange` found a bad --output only after the token existed,
/// so a rerun over an existing file made (and lost) a token each time. The place is checked first.
#[tokio::test(flavor = "multi_thread")]
async fn a_bad_output_fails_before_any_token_is_made() {
    let sim = start(quick_config()).await;
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("e.json");
    std::fs::write(&existing, "{}").unwrap();
    let existing_arg = existing.display().to_string();
    let missing_arg = dir.path().join("no/such/folder/s.json").display().to_string();
    for output in [existing_arg.as_str(), missing_arg.as_str()] {
        let before = sim.requests_seen().len();
        let out = sfconnect()
            .args(["device", "--client-id", &sim.client_id(), "--login-url", &sim.base_url(), "--output", output])
            .env("SFCONNECT_CLIENT_SECRET", sim.client_secret())
            .output()
            .await
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert_eq!(sim.requests_seen().len(), before, "nothing was asked of Salesforce: {}", text(&out.stderr));
        let out = sfconnect()
            .args(["exchange", "--client-id", &sim.client_id(), "--login-url", &sim.base_url(), "--output", output])
            .args(["--code", "aPrxYXyxzkuBzbiGxmk6DWEBvT7bQ%3D%3D"])
            .env("SFCONNECT_CLIENT_SECRET", sim.client_secret())
            .output()
            .await
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert_eq!(sim.requests_seen().len(), before, "the code was not spent: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains("warning: --code on the command line can be read by other users"));
    }
}

/// From a security review: text from outside (a pasted error description, a server's message) reached the
/// terminal raw, escape sequences included. Control characters are replaced on the way out.
#[tokio::test(flavor = "multi_thread")]
async fn escape_sequences_from_outside_never_reach_the_terminal() {
    let sim = start(quick_config()).await;
    let pasted = format!(
        "{}/services/oauth2/success?error=access_denied&error_description=%1b%5d0%3bTITLE%07%1b%5b2J",
        sim.base_url()
    );
    let mut cmd = sfconnect();
    cmd.args(["exchange", "--client-id", &sim.client_id(), "--login-url", &sim.base_url(), "--code", "-"]);
    cmd.env("SFCONNECT_CLIENT_SECRET", sim.client_secret());
    let out = run_with_stdin(cmd, &pasted).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("access_denied"), "{stderr}");
    assert!(!out.stderr.contains(&0x1b) && !out.stdout.contains(&0x1b), "{stderr:?}");
}

/// Output that could not be written is a failure, not a silent success (`url --json > /dev/full`).
#[tokio::test(flavor = "multi_thread")]
async fn output_that_cannot_be_written_fails() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let child = sfconnect()
        .args(["url", "--client-id", "3MVG9exampleexampleexample", "--json"])
        .stdout(full)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.wait_with_output().await.unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("could not write to standard output"), "{}", text(&out.stderr));
}

/// A token answer whose instance is outside Salesforce's domains is refused before anything is written:
/// the connector would send the token there.
#[tokio::test(flavor = "multi_thread")]
async fn a_token_answer_pointing_outside_salesforce_is_refused() {
    let config = sfconnect_sim::SimConfig { instance_url: Some("https://evil.example.com".into()), ..quick_config() };
    let sim = start(config).await;
    let dir = tempfile::tempdir().unwrap();
    let (out, settings) = authorize_and_exchange(&sim, dir.path(), &[]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("names an instance outside Salesforce's domains (https://evil.example.com)"), "{stderr}");
    assert!(!settings.exists(), "nothing was written");
}

/// The log is never written through a symlink, an existing log is made 0600, and a misspelt level says so.
#[tokio::test(flavor = "multi_thread")]
async fn the_log_file_is_private_and_never_followed_through_a_link() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("somebody-elses.txt");
    std::fs::write(&target, "theirs\n").unwrap();
    let link = dir.path().join("sfconnect.log");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let run = |log: &str, level: &str| {
        let mut cmd = sfconnect();
        cmd.args(["url", "--client-id", "3MVG9exampleexampleexample"]);
        cmd.env("SFCONNECT_LOG", level).env("SFCONNECT_LOG_FILE", log);
        cmd
    };
    let out = run(link.to_str().unwrap(), "debug").output().await.unwrap();
    assert!(out.status.success());
    assert!(text(&out.stderr).contains("could not be opened"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "theirs\n", "nothing written through the link");

    let log = dir.path().join("open.log");
    std::fs::write(&log, "").unwrap();
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(log.to_str().unwrap(), "debug").output().await.unwrap();
    assert!(out.status.success());
    assert_eq!(mode_of(&log) & 0o777, 0o600, "an existing log is made private");

    let out = run(log.to_str().unwrap(), "verbose").output().await.unwrap();
    assert!(text(&out.stderr).contains("SFCONNECT_LOG=verbose is not a level"), "{}", text(&out.stderr));
}

/// A random state (base64url) may begin with '-': found as a flaky test, where clap took `--state -uAB…`
/// for an unknown option. It is a value.
#[tokio::test(flavor = "multi_thread")]
async fn a_state_or_verifier_beginning_with_a_hyphen_is_a_value() {
    let out = sfconnect()
        .args(["exchange", "--client-id", "3MVG9exampleexampleexample", "--state", "-uAB12cd", "--code", "-"])
        .args([
            "--code-verifier",
            "-xYz0123456789abcdefghijklmnopqrstuvwxyzABCDE",
            "--login-url",
            "https://login.salesforce.com",
        ])
        .output()
        .await
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("unexpected argument"), "{stderr}");
}

/// Issue 12 item 6: `--preset` is looked up by one function (`presets::named`), so every command and the
/// wizard refuse a typo in the same words, listing the ids there are (three messages before).
#[test]
fn every_command_and_the_wizard_refuse_an_unknown_preset_in_the_same_words() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let expected = format!(
        "unknown --preset `snow-atlsa`, expected one of {}",
        sfconnect::presets::ids(&sfconnect::presets::bundled())
    );
    let missing = home.join("missing.json");
    let out_dir = home.join("package");
    let settings = home.join("settings.json");
    let commands: [&[&str]; 3] = [
        &["check", "--preset", "snow-atlsa", "--settings", missing.to_str().unwrap()],
        &[
            "app",
            "emit",
            "--preset",
            "snow-atlsa",
            "--contact-email",
            "a@b.example",
            "--out",
            out_dir.to_str().unwrap(),
        ],
        &["device", "--client-id", "3MVG9abcdefghij", "--preset", "snow-atlsa", "--output", settings.to_str().unwrap()],
    ];
    for args in commands {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_sfconnect"))
            .args(args)
            .env("HOME", home)
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("SFCONNECT_LOGIN_URL")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(&expected), "{args:?}: {stderr}");
    }
    assert!(!out_dir.exists() && !settings.exists(), "nothing was written");
    let mut wizard = common::pty::PtyApp::spawn(&["--preset", "snow-atlsa"], 120, 24, &[], home);
    assert_eq!(wizard.wait_exit(Duration::from_secs(20)), Some(2));
    assert!(wizard.screen().contains(&expected), "{}", wizard.screen());
}
