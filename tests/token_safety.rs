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
use tokio::io::AsyncWriteExt;

use sfconnect_sim::{Fault, FaultPlan, FaultScope, SimConfig};
use tokio::process::Command;

fn sfconnect(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfconnect"));
    cmd.env_remove("SFCONNECT_CLIENT_SECRET").env_remove("SFCONNECT_LOG").env_remove("SFCONNECT_LOGIN_URL");
    cmd.env_remove("SFCONNECT_LOG_FILE").env_remove("SFCONNECT_CODE_VERIFIER").env_remove("XDG_DATA_HOME");
    cmd.env_remove("XDG_STATE_HOME").env("HOME", home);
    cmd.stdin(std::process::Stdio::null()).kill_on_drop(true);
    cmd
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
        let client = sfconnect::salesforce::Client::new(host).unwrap();
        let app = sfconnect::salesforce::AppCredentials { client_id: "3MVG9x".into(), client_secret: None };
        let err = client.refresh(&app, &sfconnect::salesforce::RefreshToken::new("5Aep861x")).await.unwrap_err();
        assert!(err.to_string().contains("too large"), "{announced}: {err}");
        assert!(sent.load(std::sync::atomic::Ordering::SeqCst) < 30 * 1024 * 1024, "stopped reading early");
    }
}

fn refresh_token_in(path: &Path) -> sfconnect::salesforce::RefreshToken {
    let (settings, _) = sfconnect::settings::read_settings(path).expect("a complete settings file");
    settings.refresh_token
}

/// Exchanges a fresh code into `home/settings.json` with the library (the test's own setup).
async fn settings_file(sim: &sfconnect_sim::Simulator, home: &Path) -> std::path::PathBuf {
    let (flow, landed) = authorize(sim, home).await;
    let path = home.join("settings.json");
    let out = run_with_stdin(exchange_cmd(sim, home, &flow, &["--output", path.to_str().unwrap()]), &landed).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    path
}

/// Rotation on, the settings given through a symbolic link: the rotated token is written to the file
/// behind the link (the link stays), and it is live.
#[tokio::test(flavor = "multi_thread")]
async fn check_writes_a_rotated_token_through_a_link() {
    let sim = start(SimConfig { refresh_rotation: true, ..quick_config() }).await;
    let home = tempfile::tempdir().unwrap();
    let real = settings_file(&sim, home.path()).await;
    let first = refresh_token_in(&real);
    let link = home.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = sfconnect(home.path()).args(["check", "--settings"]).arg(&link).output().await.unwrap();
    let newest = refresh_token_in(&real);
    assert_ne!(newest.expose(), first.expose(), "rotated: {}", text(&out.stderr));
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link is left as it was");
    let client = client_for(&sim);
    assert!(client.refresh(&app_for(&sim), &newest).await.is_ok(), "the file holds the live token");
}

/// A signal during a refresh means "finish writing, then exit": the answer is awaited, its token written.
#[tokio::test(flavor = "multi_thread")]
async fn a_signal_during_a_rotating_refresh_finishes_the_write_first() {
    let sim = start(SimConfig { refresh_rotation: true, ..quick_config() }).await;
    let home = tempfile::tempdir().unwrap();
    let path = settings_file(&sim, home.path()).await;
    let first = refresh_token_in(&path);
    sim.set_fault(Some(FaultPlan::always(Fault::Slow(Duration::from_millis(1500)), FaultScope::Token)));
    for name in ["TERM", "INT", "HUP"] {
        let before = refresh_token_in(&path);
        let child = sfconnect(home.path())
            .args(["check", "--settings"])
            .arg(&path)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Signal once the refresh is on its way (the simulator holds it for 1.5 s), however slow the start.
        let token_posts = || sim.requests_seen().iter().filter(|r| r.path == "/services/oauth2/token").count();
        let before_posts = token_posts();
        let started = std::time::Instant::now();
        while token_posts() == before_posts {
            assert!(started.elapsed() < Duration::from_secs(20), "{name}: no refresh was sent");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        signal(child.id().unwrap(), name);
        let out = child.wait_with_output().await.unwrap();
        let expected = match name {
            "TERM" => 143,
            "INT" => 130,
            _ => 129,
        };
        assert_eq!(out.status.code(), Some(expected), "{name}: {}", text(&out.stderr));
        let now = refresh_token_in(&path);
        assert_ne!(now.expose(), before.expose(), "{name}: the refresh finished and its token was written");
    }
    sim.set_fault(None);
    let client = client_for(&sim);
    assert!(client.refresh(&app_for(&sim), &refresh_token_in(&path)).await.is_ok(), "the file's token is live");
    assert!(client.refresh(&app_for(&sim), &first).await.is_err());
}

/// kill -9 at moments spread over a slow rotating check (each token answer takes 1 s): before, during
/// and after the first refresh and the "secret needed?" probe. Each time the file holds a live token.
#[tokio::test(flavor = "multi_thread")]
async fn kill_during_a_rotating_check_leaves_a_live_token() {
    let sim = start(SimConfig { refresh_rotation: true, ..quick_config() }).await;
    let home = tempfile::tempdir().unwrap();
    let path = settings_file(&sim, home.path()).await;
    let client = client_for(&sim);
    let mut dead = Vec::new();
    for delay_ms in [300u64, 900, 1150, 1300, 1600, 1900, 2200, 2600] {
        sim.set_fault(Some(FaultPlan::always(Fault::Slow(Duration::from_millis(1000)), FaultScope::Token)));
        let mut child = sfconnect(home.path())
            .args(["check", "--settings"])
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        child.kill().await.unwrap();
        // Let a request the kill cut off reach the simulator's handler (or not) before looking.
        tokio::time::sleep(Duration::from_millis(1200)).await;
        sim.set_fault(None);
        // Proving a token live rotates it too: write the newest back, as a connector would.
        match client.refresh(&app_for(&sim), &refresh_token_in(&path)).await {
            Ok(grant) => {
                if let Some(newest) = grant.refresh_token {
                    let (mut settings, _) = sfconnect::settings::read_settings(&path).unwrap();
                    settings.refresh_token = newest;
                    let text = settings.render(sfconnect::settings::Format::Json).unwrap();
                    sfconnect::settings::write_settings(&path, &text, sfconnect::settings::Overwrite::Replace).unwrap();
                }
            }
            Err(e) => {
                dead.push(delay_ms);
                eprintln!("killed at {delay_ms} ms: {e}");
                break;
            }
        }
    }
    assert!(dead.is_empty(), "a dead token was left by kill -9 at {dead:?} ms");
}

/// The rotation-safe probe: the token saved after the first refresh is still the live one after the probe,
/// whether the secret is required or not.
#[tokio::test(flavor = "multi_thread")]
async fn the_secret_probe_never_rotates_the_saved_token() {
    for required in [true, false] {
        let sim =
            start(SimConfig { refresh_rotation: true, secret_required_for_refresh: required, ..quick_config() }).await;
        let home = tempfile::tempdir().unwrap();
        let path = settings_file(&sim, home.path()).await;
        let client = client_for(&sim);
        let mut saved = Vec::new();
        let outcome =
            sfconnect::checks::refresh_and_probe_saving(&client, &app_for(&sim), &refresh_token_in(&path), |t| {
                saved.push(t.clone())
            })
            .await;
        assert_eq!(saved.len(), 1, "one rotation, saved at once");
        let verdict = outcome.verdicts.iter().find(|v| v.id == sfconnect::checks::CheckId::RefreshSecret).unwrap();
        let expected = if required { "required" } else { "optional" };
        assert!(verdict.detail.starts_with(expected), "{required}: {}", verdict.detail);
        assert!(client.refresh(&app_for(&sim), &saved[0]).await.is_ok(), "{required}: the saved token is live");
    }
}

/// Mounts a tmpfs of `size` at `dir` and fills it; `None` where mounting is not allowed.
fn full_tmpfs(dir: &Path) -> Option<impl Drop> {
    struct Mounted(std::path::PathBuf);
    impl Drop for Mounted {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    std::fs::create_dir_all(dir).unwrap();
    let ok = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(dir)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return None;
    }
    let mounted = Mounted(dir.to_owned());
    let mut filler = std::fs::File::create(dir.join("filler")).unwrap();
    let block = vec![7u8; 4096];
    while std::io::Write::write_all(&mut filler, &block).is_ok() {}
    Some(mounted)
}

/// A full disk is found before the code is spent: the exchange fails, and the same code then works.
#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_is_found_before_the_code_is_spent() {
    let sim = start(quick_config()).await;
    let home = tempfile::tempdir().unwrap();
    let (flow, landed) = authorize(&sim, home.path()).await;
    let mnt = home.path().join("full");
    let target = mnt.join("settings.json");
    let mut cmd = exchange_cmd(&sim, home.path(), &flow, &["--output", target.to_str().unwrap()]);
    let _mounted = full_tmpfs(&mnt);
    if _mounted.is_none() {
        // No mount here: a file size limit stands in for the full disk (writes past it fail with EFBIG).
        std::fs::create_dir_all(&mnt).unwrap();
        // SAFETY: async-signal-safe calls only, between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let limit = libc::rlimit { rlim_cur: 4096, rlim_max: 4096 };
                libc::setrlimit(libc::RLIMIT_FSIZE, &limit);
                Ok(())
            });
        }
    }
    let out = run_with_stdin(cmd, &landed).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no room"), "{stderr}");
    assert!(!target.exists(), "nothing left behind");
    let good = home.path().join("good.json");
    let again =
        run_with_stdin(exchange_cmd(&sim, home.path(), &flow, &["--output", good.to_str().unwrap()]), &landed).await;
    assert!(again.status.success(), "the code was not spent: {}", text(&again.stderr));
}

/// Two exchanges at once choosing the default name get two files; two to one --output: one wins, the
/// other is refused before its code is spent.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_exchanges_never_clash() {
    let sim = start(quick_config()).await;
    let home = tempfile::tempdir().unwrap();
    for round in 1..=5 {
        let (flow_a, landed_a) = authorize(&sim, home.path()).await;
        let (flow_b, landed_b) = authorize(&sim, home.path()).await;
        let (a, b) = tokio::join!(
            run_with_stdin(exchange_cmd(&sim, home.path(), &flow_a, &[]), &landed_a),
            run_with_stdin(exchange_cmd(&sim, home.path(), &flow_b, &[]), &landed_b),
        );
        assert!(a.status.success(), "{round}: {}", text(&a.stderr));
        assert!(b.status.success(), "{round}: {}", text(&b.stderr));
        let files = std::fs::read_dir(home.path().join(".local/share/sfconnect"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("sfconnect-settings"))
            .count();
        assert_eq!(files, 2 * round, "{round}: one file per exchange");
    }
    let shared = home.path().join("one.json");
    let (flow_a, landed_a) = authorize(&sim, home.path()).await;
    let (flow_b, landed_b) = authorize(&sim, home.path()).await;
    let args = ["--output", shared.to_str().unwrap()];
    let (a, b) = tokio::join!(
        run_with_stdin(exchange_cmd(&sim, home.path(), &flow_a, &args), &landed_a),
        run_with_stdin(exchange_cmd(&sim, home.path(), &flow_b, &args), &landed_b),
    );
    assert_eq!(a.status.success() as u8 + b.status.success() as u8, 1, "{}\n{}", text(&a.stderr), text(&b.stderr));
    let (flow, landed) = if a.status.success() { (flow_b, landed_b) } else { (flow_a, landed_a) };
    let other = home.path().join("other.json");
    let again =
        run_with_stdin(exchange_cmd(&sim, home.path(), &flow, &["--output", other.to_str().unwrap()]), &landed).await;
    assert!(again.status.success(), "the refused one kept its code: {}", text(&again.stderr));
}

/// The token reaches disk before the optional identity read: Ctrl-C while that read is retried leaves a
/// complete settings file.
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_during_the_identity_retry_keeps_the_token() {
    let sim = start(quick_config()).await;
    let home = tempfile::tempdir().unwrap();
    let (flow, landed) = authorize(&sim, home.path()).await;
    sim.set_fault(Some(FaultPlan::always(Fault::ServerError, FaultScope::Identity)));
    let path = home.path().join("settings.json");
    let mut cmd = exchange_cmd(&sim, home.path(), &flow, &["--output", path.to_str().unwrap()]);
    cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(landed.as_bytes()).await.unwrap();
    drop(input);
    let started = std::time::Instant::now();
    while !(path.exists() && std::fs::metadata(&path).unwrap().len() > 0) {
        assert!(started.elapsed() < Duration::from_secs(15), "the settings are written before the identity read");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    signal(child.id().unwrap(), "INT");
    let out = child.wait_with_output().await.unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    sim.set_fault(None);
    let token = refresh_token_in(&path);
    assert!(client_for(&sim).refresh(&app_for(&sim), &token).await.is_ok());
}

/// `url --json` carries the login URL and scopes; `exchange --flow FILE` takes state, verifier, callback
/// and login URL from it; without --redirect-uri the callback comes from the pasted address; a callback
/// that does not match the paste is refused before the code is spent.
#[tokio::test(flavor = "multi_thread")]
async fn the_flow_json_and_the_paste_give_the_callback() {
    let callback = "http://localhost:8123/OauthRedirect";
    // Salesforce (and the simulator) match callbacks exactly: the app has both of this test's registered.
    let mut config = quick_config();
    config.callback_urls.extend([callback.to_string(), "http://localhost:8123/services/oauth2/success".to_string()]);
    let sim = start(config).await;
    let home = tempfile::tempdir().unwrap();
    let url_out = sfconnect(home.path())
        .args(["url", "--client-id", &sim.client_id(), "--login-url", &sim.base_url(), "--json"])
        .args(["--redirect-uri", callback])
        .output()
        .await
        .unwrap();
    assert!(url_out.status.success(), "{}", text(&url_out.stderr));
    let flow: serde_json::Value = serde_json::from_slice(&url_out.stdout).unwrap();
    assert_eq!(flow["login_url"], sim.base_url());
    assert_eq!(flow["scope"], "api refresh_token offline_access");
    let landed = browser_lands_on(&client_for(&sim), flow["url"].as_str().unwrap()).await;
    assert!(landed.starts_with(callback), "{landed}");

    // A mismatch found locally: refused, the code kept.
    let mut wrong =
        exchange_cmd(&sim, home.path(), &flow, &["--output", "-", "--redirect-uri", "http://localhost:9999/cb"]);
    wrong.env_remove("SFCONNECT_CODE_VERIFIER");
    let out = run_with_stdin(wrong, &landed).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("the code was not sent"), "{}", text(&out.stderr));

    // --flow FILE: no --state, --login-url, verifier or callback given.
    let flow_file = home.path().join("flow.json");
    std::fs::write(&flow_file, &url_out.stdout).unwrap();
    let mut cmd = sfconnect(home.path());
    cmd.args(["exchange", "--client-id", &sim.client_id(), "--code", "-", "--output", "-", "--flow"])
        .arg(&flow_file)
        .env("SFCONNECT_CLIENT_SECRET", sim.client_secret());
    let out = run_with_stdin(cmd, &landed).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("refresh_token"));

    // Without --flow or --redirect-uri: the callback from the pasted address.
    let (flow2, _) = authorize(&sim, home.path()).await;
    let url2 = flow2["url"].as_str().unwrap().replace(
        &format!("redirect_uri={}", percent(&sim.base_url())),
        &format!("redirect_uri={}", percent("http://localhost:8123")),
    );
    let landed2 = browser_lands_on(&client_for(&sim), &url2).await;
    assert!(landed2.starts_with("http://localhost:8123/"), "{landed2}");
    let out = run_with_stdin(exchange_cmd(&sim, home.path(), &flow2, &["--output", "-"]), &landed2).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
}

fn percent(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A refused connection means the code was never sent: the message says it is unused and a retry is safe.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_connection_keeps_the_code() {
    let home = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut cmd = sfconnect(home.path());
    cmd.args(["exchange", "--client-id", "3MVG9abcdefghijkl", "--code", "-", "--output", "-", "--no-client-secret"])
        .args(["--login-url", &format!("http://127.0.0.1:{port}")]);
    let out = run_with_stdin(cmd, "aPrxSGQ9kQjE3jV8Rk0aL9Mn2ZqabcdefghijklmnopAAAA").await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("unused") && stderr.contains("run the same command again"), "{stderr}");
    assert!(!stderr.contains("may or may not"), "{stderr}");
}

/// One function makes settings from a grant, with the instance rule; reading settings applies it too.
#[test]
fn settings_from_a_grant_keep_the_instance_rule() {
    use sfconnect::salesforce::{AccessToken, RefreshToken, Scopes, TokenGrant};
    let grant = |instance: &str| TokenGrant {
        access_token: AccessToken::new("00Dx!AQ"),
        refresh_token: Some(RefreshToken::new("5Aep861refresh")),
        instance_url: instance.into(),
        id_url: "https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA".into(),
        issued_at: None,
        scopes: Scopes::parse("api refresh_token"),
        token_type: "Bearer".into(),
    };
    use sfconnect::settings::{ConnectorSettings, GrantRefused};
    let made = ConnectorSettings::from_grant(
        "3MVG9x",
        None,
        &grant("https://acme.my.salesforce.com"),
        "https://login.salesforce.com",
    );
    assert!(made.is_ok());
    let refused = ConnectorSettings::from_grant(
        "3MVG9x",
        None,
        &grant("https://evil.example.com"),
        "https://login.salesforce.com",
    );
    assert!(matches!(refused, Err(GrantRefused::ForeignInstance { .. })), "{refused:?}");
    let text = r#"{"client_id":"3MVG9abc","refresh_token":"5Aep861abc","login_url":"https://login.salesforce.com","instance_url":"https://evil.example.com"}"#;
    let err = ConnectorSettings::parse(text, None).unwrap_err().to_string();
    assert!(err.contains("instance_url") && err.contains("outside Salesforce"), "{err}");
}

/// `exchange --format sfdx-url` validates as the wizard does, before the code is spent.
#[tokio::test(flavor = "multi_thread")]
async fn sfdx_url_values_are_validated_before_the_code_is_spent() {
    let sim = start(quick_config()).await;
    let home = tempfile::tempdir().unwrap();
    let (flow, landed) = authorize(&sim, home.path()).await;
    let mut cmd = exchange_cmd(&sim, home.path(), &flow, &["--format", "sfdx-url", "--output", "-"]);
    cmd.env("SFCONNECT_CLIENT_SECRET", "abc'def");
    let out = run_with_stdin(cmd, &landed).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("nothing was sent"), "{}", text(&out.stderr));
    let again = run_with_stdin(exchange_cmd(&sim, home.path(), &flow, &["--output", "-"]), &landed).await;
    assert!(again.status.success(), "the code was kept: {}", text(&again.stderr));
}

mod wizard {
    //! The wizard's side: the listener's untrusted text, and the one settings-from-grant function.
    use std::time::Instant;

    use sfconnect::salesforce::probe::Readiness;
    use sfconnect::salesforce::{AccessToken, RefreshToken, Scopes, TokenGrant};
    use sfconnect::wizard::msg::ProbeUpdate;
    use sfconnect::wizard::steps::authorize::ListenerStatus;
    use sfconnect::wizard::steps::verify::VerifyStatus;
    use sfconnect::wizard::{Action, Msg, State, Step, Surroundings, update};

    const KEY: &str = "3MVG9abcdefghijklmnopqrstuvwxyz0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnop";
    const SECRET: &str = "A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90";

    fn act(state: &mut State, action: Action) {
        update(state, Msg::Action(action));
    }

    fn at_authorize() -> State {
        let mut state = State::new(
            sfconnect::presets::bundled(),
            Surroundings { ssh: true, ..Surroundings::default() },
            Instant::now(),
        );
        act(&mut state, Action::Next);
        act(&mut state, Action::Next);
        while state.create_app.row() != sfconnect::wizard::steps::create_app::Row::Email {
            act(&mut state, Action::Down);
        }
        for c in "admin@acme.com".chars() {
            update(&mut state, Msg::Char(c));
        }
        act(&mut state, Action::Next);
        act(&mut state, Action::Next);
        update(&mut state, Msg::Paste(KEY.into()));
        act(&mut state, Action::FocusNext);
        update(&mut state, Msg::Paste(SECRET.into()));
        act(&mut state, Action::Next);
        update(
            &mut state,
            Msg::Probe(Ok(ProbeUpdate { readiness: Readiness::Ready { secret_checked: true }, attempts: 1 })),
        );
        assert_eq!(state.step, Step::AUTHORIZE);
        state
    }

    /// A callback with the session's state but an error (anyone who learnt the state could send it) is
    /// shown as unverified, folded to one line, and the listener goes on waiting.
    #[test]
    fn an_error_callback_does_not_end_the_listening() {
        let mut state = at_authorize();
        act(&mut state, Action::FocusNext);
        act(&mut state, Action::FocusNext);
        update(&mut state, Msg::ListenerReady(Ok(1717)));
        let expected = state.authorize.listener.clone();
        assert_eq!(expected, ListenerStatus::Listening { port: 1717 }, "on the local-browser tab");
        let session = state.authorize.request.as_ref().unwrap().state.clone();
        let url = format!(
            "http://localhost:1717/OauthRedirect?error=access_denied&error_description=denied%0A%20fix%3A%20email%20the%20secret%E2%80%AE&state={session}"
        );
        update(&mut state, Msg::RedirectArrived(url.into()));
        assert_eq!(state.authorize.listener, expected, "still listening");
        let shown = state.authorize.paste_error.clone().unwrap_or_default();
        assert!(shown.contains("not verified") && shown.contains("still listening"), "{shown}");
        assert!(!shown.contains('\n') && !shown.contains('\u{202e}'), "{shown:?}");
    }

    /// The wizard refuses a token answer whose instance is outside Salesforce's domains, as the CLI does.
    #[test]
    fn the_wizard_refuses_a_foreign_instance() {
        let mut state = at_authorize();
        let grant = TokenGrant {
            access_token: AccessToken::new("00Dx!AQ"),
            refresh_token: Some(RefreshToken::new("5Aep861refresh")),
            instance_url: "https://evil.example.com".into(),
            id_url: "https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA".into(),
            issued_at: None,
            scopes: Scopes::parse("api refresh_token"),
            token_type: "Bearer".into(),
        };
        update(&mut state, Msg::Authorized(Ok(grant)));
        assert!(state.result.settings.is_none(), "no settings with that instance");
        assert!(
            matches!(&state.verify.status, VerifyStatus::Failed { headline, .. } if headline.contains("outside Salesforce")),
            "{:?}",
            state.verify.status
        );
    }
}

/// A preset file far larger than a preset is refused, not read whole.
#[test]
fn an_oversized_preset_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let big = format!("id = \"huge\"\n# {}\n", "x".repeat(2 << 20));
    std::fs::write(dir.path().join("huge.toml"), big).unwrap();
    let (presets, errors) = sfconnect::presets::load_all(Some(dir.path()));
    assert!(!presets.iter().any(|p| p.id == "huge"));
    assert!(errors.iter().any(|e| e.to_string().contains("larger than 1 MiB")), "{errors:?}");
}

/// `--force` over a file another user owns, in a sticky folder (as /tmp is): the rename would fail with
/// EPERM after the code was spent, so it is refused before. Run as `nobody` when the tests run as root
/// (the sticky rule does not bind root); the rule itself is unit-tested in settings::file.
#[tokio::test(flavor = "multi_thread")]
async fn force_over_another_users_file_in_a_sticky_folder_is_refused_first() {
    use std::os::unix::fs::PermissionsExt;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 || std::process::Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!(
            "not root or no setpriv: covered by settings::file::tests::only_the_owners_may_replace_a_file_in_a_sticky_folder"
        );
        return;
    }
    let sim = start(quick_config()).await;
    let root = tempfile::tempdir().unwrap();
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let sticky = root.path().join("shared");
    std::fs::create_dir(&sticky).unwrap();
    std::fs::set_permissions(&sticky, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let theirs = sticky.join("settings.json");
    std::fs::write(&theirs, "{}\n").unwrap();
    let home = root.path().join("home");
    std::fs::create_dir(&home).unwrap();
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o777)).unwrap();
    let (flow, landed) = authorize(&sim, &home).await;

    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_sfconnect")])
        .args(["exchange", "--client-id", &sim.client_id(), "--login-url", &sim.base_url()])
        .args(["--state", flow["state"].as_str().unwrap(), "--code", "-", "--force", "--output"])
        .arg(&theirs)
        .env_clear()
        .env("HOME", &home)
        .env("SFCONNECT_CODE_VERIFIER", flow["code_verifier"].as_str().unwrap())
        .env("SFCONNECT_CLIENT_SECRET", sim.client_secret())
        .kill_on_drop(true);
    let out = run_with_stdin(cmd, &landed).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("belongs to another user"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&theirs).unwrap(), "{}\n", "their file is untouched");
    let mine = home.join("mine.json");
    let again = run_with_stdin(exchange_cmd(&sim, &home, &flow, &["--output", mine.to_str().unwrap()]), &landed).await;
    assert!(again.status.success(), "the code was not spent: {}", text(&again.stderr));
}

/// A running sfconnect dumps no core (core size limit 0) and is not dumpable (Linux): checked on a real
/// process waiting for its input.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread")]
async fn a_running_process_dumps_no_core() {
    let home = tempfile::tempdir().unwrap();
    let mut child = sfconnect(home.path())
        .args(["exchange", "--client-id", "3MVG9abcdefghijkl", "--code", "-", "--output", "-", "--no-client-secret"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let started = std::time::Instant::now();
    let limits = loop {
        let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap_or_default();
        let core = limits.lines().find(|l| l.starts_with("Max core file size")).unwrap_or_default().to_string();
        // Soft and hard limit both 0 (the soft one may be 0 already, inherited).
        let fields: Vec<&str> = core.split_whitespace().collect();
        if fields.get(4..6) == Some(&["0", "0"][..]) || started.elapsed() > Duration::from_secs(10) {
            break core;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    child.kill().await.unwrap();
    let fields: Vec<&str> = limits.split_whitespace().collect();
    assert_eq!(fields.get(4..6), Some(&["0", "0"][..]), "{limits}");
}

/// With `--output -`, Ctrl-C during the identity retry still prints the settings (without the user name).
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_during_the_identity_retry_still_prints_the_settings() {
    let sim = start(quick_config()).await;
    let home = tempfile::tempdir().unwrap();
    let (flow, landed) = authorize(&sim, home.path()).await;
    sim.set_fault(Some(FaultPlan::always(Fault::ServerError, FaultScope::Identity)));
    let mut cmd = exchange_cmd(&sim, home.path(), &flow, &["--output", "-"]);
    cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(landed.as_bytes()).await.unwrap();
    drop(input);
    let started = std::time::Instant::now();
    while !sim.requests_seen().iter().any(|r| r.path.starts_with("/id/")) {
        assert!(started.elapsed() < Duration::from_secs(15), "the identity read began");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    signal(child.id().unwrap(), "INT");
    let out = child.wait_with_output().await.unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the settings, printed");
    let token = sfconnect::salesforce::RefreshToken::new(printed["refresh_token"].as_str().unwrap());
    sim.set_fault(None);
    assert!(client_for(&sim).refresh(&app_for(&sim), &token).await.is_ok());
}
