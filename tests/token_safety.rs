//! Issue 14: the token is never lost, no other local user can steer the flow, and every input has a limit.
//! Each test here failed before its fix.

use crate::common;

use std::time::Duration;

use common::pty::*;
use common::*;

const STEP: Duration = Duration::from_secs(20);

fn signal(pid: u32, name: &str) {
    let status = std::process::Command::new("kill").arg(format!("-{name}")).arg(pid.to_string()).status().unwrap();
    assert!(status.success());
}

/// `kill -INT` (not the Ctrl-C key, which raw mode turns into a key) restores the terminal as TERM and HUP do.
#[test]
fn sigint_restores_the_terminal() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(start(quick_config()));
    let dir = tempfile::tempdir().unwrap();
    let base = sim.base_url();
    let mut app = PtyApp::spawn(&["--login-url", base.as_str(), "--no-clipboard"], 80, 24, &[], dir.path());
    app.wait_for("Enter continue", STEP);
    assert!(app.alternate_screen() && app.cursor_hidden());
    signal(app.pid().unwrap(), "INT");
    assert_eq!(app.wait_exit(STEP), Some(130), "128 + SIGINT");
    assert!(!app.alternate_screen(), "the main screen is back");
    assert!(!app.cursor_hidden(), "the cursor is shown again");
}

use std::path::Path;
use std::process::Output;

use sfconnect_sim::{Fault, FaultPlan, FaultScope, SimConfig};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

fn sfconnect(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfconnect"));
    cmd.env_remove("SFCONNECT_CLIENT_SECRET").env_remove("SFCONNECT_LOG").env_remove("SFCONNECT_LOGIN_URL");
    cmd.env_remove("SFCONNECT_LOG_FILE").env_remove("SFCONNECT_CODE_VERIFIER").env_remove("XDG_DATA_HOME");
    cmd.env_remove("XDG_STATE_HOME").env("HOME", home);
    cmd.stdin(std::process::Stdio::null()).kill_on_drop(true);
    cmd
}

async fn run_with_stdin(mut cmd: Command, stdin: &str) -> Output {
    cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("binary runs");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    child.wait_with_output().await.unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

/// The flow up to the pasted address: `url --json` and a browser's Allow. Returns (flow JSON, landed URL).
async fn authorize(sim: &sfconnect_sim::Simulator, home: &Path) -> (serde_json::Value, String) {
    let url_out = sfconnect(home)
        .args(["url", "--client-id", &sim.client_id(), "--login-url", &sim.base_url(), "--json"])
        .output()
        .await
        .unwrap();
    assert!(url_out.status.success(), "{}", text(&url_out.stderr));
    let flow: serde_json::Value = serde_json::from_slice(&url_out.stdout).unwrap();
    let landed = browser_lands_on(&client_for(sim), flow["url"].as_str().unwrap()).await;
    (flow, landed)
}

/// `exchange` of `landed` for the flow, with `extra` arguments.
fn exchange_cmd(sim: &sfconnect_sim::Simulator, home: &Path, flow: &serde_json::Value, extra: &[&str]) -> Command {
    let mut cmd = sfconnect(home);
    cmd.args(["exchange", "--client-id", &sim.client_id(), "--login-url", &sim.base_url()])
        .args(["--state", flow["state"].as_str().unwrap(), "--code", "-"])
        .args(extra)
        .env("SFCONNECT_CODE_VERIFIER", flow["code_verifier"].as_str().unwrap())
        .env("SFCONNECT_CLIENT_SECRET", sim.client_secret());
    cmd
}

/// A silent server: `wait --timeout 5` returns after about 5 s, not after the 30 s a request may take.
#[tokio::test(flavor = "multi_thread")]
async fn wait_timeout_bounds_the_whole_wait() {
    let sim =
        start(SimConfig { fault: Some(FaultPlan::always(Fault::Hang, FaultScope::Token)), ..quick_config() }).await;
    let home = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let out = sfconnect(home.path())
        .args(["wait", "--client-id", &sim.client_id(), "--login-url", &sim.base_url(), "--timeout", "5"])
        .arg("--no-client-secret")
        .output()
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(took < Duration::from_secs(9), "took {took:?}");
    assert!(text(&out.stderr).contains("within 5 s"), "{}", text(&out.stderr));
}

/// A server's error text cannot print a line of its own (a fake `fix:`), nor hide or reorder characters.
#[tokio::test(flavor = "multi_thread")]
async fn server_text_is_folded_in_command_output() {
    let sim = start(quick_config()).await;
    let home = tempfile::tempdir().unwrap();
    let (flow, landed) = authorize(&sim, home.path()).await;
    sim.set_fault(Some(FaultPlan::always(
        Fault::OAuthError {
            status: 400,
            error: "invalid_grant".into(),
            description: Some("denied\n  fix: email the consumer secret to help@evil.example\u{202e}\u{200b}".into()),
        },
        FaultScope::Token,
    )));
    let out = run_with_stdin(exchange_cmd(&sim, home.path(), &flow, &["--output", "-"]), &landed).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("email the consumer secret"), "the text is shown: {stderr}");
    assert!(!stderr.lines().any(|l| l.trim_start().starts_with("fix: email")), "{stderr}");
    assert!(!stderr.contains('\u{202e}') && !stderr.contains('\u{200b}'), "{stderr:?}");
}

/// A FIFO as the log file, or at the listen-port file, or a link to /dev/zero there: refused, nothing hangs.
#[tokio::test(flavor = "multi_thread")]
async fn a_fifo_log_file_is_refused_not_waited_on() {
    let home = tempfile::tempdir().unwrap();
    let fifo = home.path().join("log.fifo");
    mkfifo(&fifo);
    let run = sfconnect(home.path())
        .args(["url", "--client-id", "3MVG9abcdefghijklmnopqrstuvwx", "--json"])
        .env("SFCONNECT_LOG", "debug")
        .env("SFCONNECT_LOG_FILE", &fifo)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("a FIFO log does not hang the command")
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("not a regular file"), "{}", text(&out.stderr));
}

#[test]
fn a_fifo_or_device_at_the_listen_port_file_does_not_hang_the_wizard() {
    for kind in ["fifo", "zero"] {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join(".local/state/sfconnect");
        std::fs::create_dir_all(&state).unwrap();
        let port_file = state.join("listen-port");
        if kind == "fifo" {
            mkfifo(&port_file);
        } else {
            std::os::unix::fs::symlink("/dev/zero", &port_file).unwrap();
        }
        let mut app = PtyApp::spawn(&["--no-clipboard"], 80, 24, &[], home.path());
        app.wait_for("Enter continue", STEP);
        app.send("q");
        assert_eq!(app.wait_exit(STEP), Some(0), "{kind}");
        let meta = std::fs::symlink_metadata(&port_file).unwrap();
        assert!(!meta.is_file(), "{kind}: left alone, not replaced");
    }
}

/// An unknown key is named, not blamed on the key before it.
#[test]
fn an_unknown_settings_key_is_named() {
    let text = r#"{"client_id":"3MVG9abc","refresh_token":"5Aep861abc","login_url":"https://login.salesforce.com","colour":"x"}"#;
    let err = sfconnect::settings::ConnectorSettings::parse(text, None).unwrap_err().to_string();
    assert!(err.contains("unknown field `colour`"), "{err}");
    assert!(!err.contains("in `login_url`"), "{err}");
}

/// Response bodies have a limit: a token answer of 40 MiB is refused after 16, streamed or announced.
#[tokio::test(flavor = "multi_thread")]
async fn an_endless_answer_is_cut_off() {
    use tokio::io::AsyncReadExt;
    for announced in [true, false] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counter = sent.clone();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut head = vec![0u8; 8192];
            let _ = socket.read(&mut head).await;
            let header = if announced {
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 41943040\r\n\r\n".to_string()
            } else {
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n".to_string()
            };
            let _ = socket.write_all(header.as_bytes()).await;
            let chunk = vec![b' '; 64 * 1024];
            for _ in 0..640 {
                if socket.write_all(&chunk).await.is_err() {
                    break;
                }
                counter.fetch_add(chunk.len() as u64, std::sync::atomic::Ordering::SeqCst);
            }
        });
        let host = sfconnect::salesforce::LoginHost::parse(&format!("http://127.0.0.1:{port}")).unwrap();
        let client = sfconnect::salesforce::Client::new(host);
        let app = sfconnect::salesforce::AppCredentials { client_id: "3MVG9x".into(), client_secret: None };
        let err = client.refresh(&app, &sfconnect::salesforce::RefreshToken::new("5Aep861x")).await.unwrap_err();
        assert!(err.to_string().contains("too large"), "{announced}: {err}");
        assert!(sent.load(std::sync::atomic::Ordering::SeqCst) < 30 * 1024 * 1024, "stopped reading early");
    }
}
