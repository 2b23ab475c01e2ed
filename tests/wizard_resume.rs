//! An SSH drop (SIGHUP) or a kill (SIGTERM) in the middle of the wizard loses nothing that matters: the
//! terminal is restored, and the next run offers to resume with the entries kept, the secret asked
//! again, and the propagation countdown still right. Issue #6.

use crate::common;

use std::time::Duration;

use common::pty::*;
use common::*;
use sfconnect_sim::SimConfig;

const STEP: Duration = Duration::from_secs(20);

fn paste(text: &str) -> String {
    format!("\x1b[200~{text}\x1b[201~")
}

fn signal(pid: u32, name: &str) {
    let status = std::process::Command::new("kill").arg(format!("-{name}")).arg(pid.to_string()).status().unwrap();
    assert!(status.success());
}

/// Walks a fresh wizard against `base_url` to the propagation screen.
fn walk_to_propagation(app: &mut PtyApp, client_id: &str, secret: &str) {
    app.wait_for("Enter continue", STEP);
    app.send(ENTER);
    app.wait_for("tick", STEP);
    app.send(ENTER);
    app.wait_for("move", STEP);
    app.send(&DOWN.repeat(3));
    app.send("admin@acme.com");
    app.send(ENTER);
    app.wait_for("copy label", STEP);
    app.send(ENTER);
    app.wait_for("show secret", STEP);
    app.send(&paste(client_id));
    app.send(TAB);
    app.send(&paste(secret));
    app.send(ENTER);
    app.wait_for("skip the wait", STEP);
}

#[test]
fn sighup_mid_wait_then_resume_keeps_entries_and_countdown() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(start(SimConfig { live_after: Duration::from_secs(3600), ..quick_config() }));
    let dir = tempfile::tempdir().unwrap();
    let base = sim.base_url();
    let args = ["--login-url", base.as_str(), "--no-clipboard"];

    let mut first = PtyApp::spawn(&args, 80, 24, &[], dir.path());
    walk_to_propagation(&mut first, &sim.client_id(), &sim.client_secret());
    std::thread::sleep(Duration::from_secs(3));
    signal(first.pid().unwrap(), "HUP");
    assert!(first.wait_exit(STEP).is_some(), "SIGHUP ends the wizard");
    assert!(!first.alternate_screen(), "the terminal is back on the main screen");

    let progress =
        std::fs::read_to_string(dir.path().join(".local/state/sfconnect/progress.json")).expect("progress saved");
    assert!(!progress.contains(&sim.client_secret()), "the progress file holds no secret");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.path().join(".local/state/sfconnect/progress.json")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    let mut second = PtyApp::spawn(&args, 80, 24, &[], dir.path());
    second.wait_for("Resume where you stopped?", STEP);
    second.wait_for("step 6 of 10", STEP);
    second.send("y");
    second.wait_for("paste the consumer secret again", STEP);
    second.send(&paste(&sim.client_secret()));
    second.send(ENTER);
    second.wait_for("skip the wait", STEP);
    let screen = second.screen();
    assert!(
        !screen.contains("00:00 of up to") && !screen.contains("00:01 of up to"),
        "the countdown goes on from the first run:\n{screen}"
    );
    sim.make_live_now();
    second.wait_for("use pasted", STEP);
    second.send(CTRL_C);
    second.send("y");
    assert!(second.wait_exit(STEP).is_some());
}

#[test]
fn sigterm_restores_the_terminal_and_starting_over_forgets() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(start(quick_config()));
    let dir = tempfile::tempdir().unwrap();
    let base = sim.base_url();
    let args = ["--login-url", base.as_str(), "--no-clipboard"];
    let mut first = PtyApp::spawn(&args, 80, 24, &[], dir.path());
    first.wait_for("Enter continue", STEP);
    first.send(ENTER);
    first.wait_for("tick", STEP);
    signal(first.pid().unwrap(), "TERM");
    assert!(first.wait_exit(STEP).is_some(), "SIGTERM ends the wizard");
    assert!(!first.alternate_screen());

    let mut second = PtyApp::spawn(&args, 80, 24, &[], dir.path());
    second.wait_for("Resume where you stopped?", STEP);
    second.send("n");
    second.wait_for("Enter continue", STEP);
    assert!(!dir.path().join(".local/state/sfconnect/progress.json").exists(), "starting over forgets the progress");
    second.send("q");
    assert_eq!(second.wait_exit(STEP), Some(0));
}

/// The steps a test can reach by keys alone without authorizing, with the hint that marks each (steps
/// 8 to 10 are reached through the device flow in `sighup_after_the_authorization_then_resume`).
const STEPS: [(usize, &str); 6] =
    [(2, "tick"), (3, "move"), (4, "copy label"), (5, "show secret"), (6, "skip the wait"), (7, "use pasted")];

/// Walks a fresh wizard to step `n` (2..=7).
fn walk_to(app: &mut PtyApp, n: usize, client_id: &str, secret: &str) {
    app.wait_for("Enter continue", STEP);
    for (step, marker) in STEPS.iter().filter(|(s, _)| *s <= n) {
        match step {
            2 => app.send(ENTER),
            3 => app.send(ENTER),
            4 => {
                app.send(&DOWN.repeat(3));
                app.send("admin@acme.com");
                app.send(ENTER);
            }
            5 => app.send(ENTER),
            6 => {
                app.send(&paste(client_id));
                app.send(TAB);
                app.send(&paste(secret));
                app.send(ENTER);
            }
            _ => {}
        }
        if *step == 6 && n == 7 {
            continue; // the key is live: the wait screen may pass before it is seen
        }
        app.wait_for(marker, STEP);
    }
}

#[test]
fn sighup_or_sigterm_at_each_step_then_resume_lands_where_it_should() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(start(SimConfig { live_after: Duration::from_secs(3600), ..quick_config() }));
    let base = sim.base_url();
    let args = ["--login-url", base.as_str(), "--no-clipboard"];
    for (n, (name, code)) in STEPS.iter().flat_map(|(n, _)| [(*n, ("HUP", 129)), (*n, ("TERM", 143))]) {
        if n == 7 {
            sim.make_live_now();
        }
        let dir = tempfile::tempdir().unwrap();
        let mut first = PtyApp::spawn(&args, 80, 24, &[], dir.path());
        walk_to(&mut first, n, &sim.client_id(), &sim.client_secret());
        assert!(first.screen().contains(&format!("Step {n} of 10")), "reached step {n}:\n{}", first.screen());
        signal(first.pid().unwrap(), name);
        assert_eq!(first.wait_exit(STEP), Some(code), "SIG{name} at step {n} ends the wizard, exit 128 + signal");
        assert!(!first.alternate_screen(), "step {n}: the terminal is restored");

        let mut second = PtyApp::spawn(&args, 80, 24, &[], dir.path());
        second.wait_for("Resume where you stopped?", STEP);
        // Wait for the whole popup: the first line may be drawn before the rest has arrived.
        second.wait_for(&format!("step {n} of 10"), STEP);
        second.send("y");
        // Steps after the secret was entered come back to it: secrets are never saved.
        let lands = n.min(5);
        second.wait_for(&format!("Step {lands} of 10"), STEP);
        if n >= 4 {
            // Back to step 3: the email typed before the drop is still there.
            for _ in 3..lands {
                second.send(ESC);
            }
            second.wait_for("Step 3 of 10", STEP);
            second.wait_for("admin@acme.com", STEP); // the email typed before the drop is kept
        }
        second.send(CTRL_C);
        second.send("y");
        assert!(second.wait_exit(STEP).is_some());
    }
}

/// True when this machine's kernel keyring can be used (containers may block keyctl).
fn keyring_works() -> bool {
    let probe = format!("sfconnect-probe-{}", std::process::id());
    let works = sfconnect::vault::keep(&probe, sfconnect::vault::Item::ClientSecret, "probe").is_ok();
    let _ = sfconnect::vault::forget(&probe);
    works
}

/// From step 7, the device tab: the simulator approves by itself, the tokens arrive and are proved
/// (step 8); then on to the checks (9) and the last step (10).
fn walk_past_authorize(app: &mut PtyApp, n: usize) {
    app.send(TAB);
    app.wait_for("run the checks", STEP);
    if n >= 9 {
        app.send(ENTER);
        app.wait_for("run again", STEP);
    }
    if n >= 10 {
        app.send(ENTER);
        app.wait_for("Step 10 of 10", STEP);
    }
}

/// SIGHUP and SIGTERM at steps 8, 9 and 10, after the authorization. Without the keyring the token is gone (never
/// saved anywhere): the resume asks for the secret and goes back to authorize. With `--keyring` the
/// secret and refresh token come back from the kernel keyring, the token is proved again, and the
/// settings can be saved without a new authorization; the keyring copy is deleted once they are.
#[test]
fn sighup_after_the_authorization_then_resume() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(start(quick_config()));
    let base = sim.base_url();
    let keyring = keyring_works();
    for with_keyring in [false, true] {
        for n in [8, 9, 10] {
            let dir = tempfile::tempdir().unwrap();
            let output = dir.path().join("settings.json");
            let output_arg = output.display().to_string();
            let mut args = vec!["--login-url", base.as_str(), "--no-clipboard", "--output", output_arg.as_str()];
            if with_keyring {
                args.push("--keyring");
            }
            let mut first = PtyApp::spawn(&args, 80, 24, &[], dir.path());
            walk_to(&mut first, 7, &sim.client_id(), &sim.client_secret());
            walk_past_authorize(&mut first, n);
            assert!(first.screen().contains(&format!("Step {n} of 10")), "reached step {n}:\n{}", first.screen());
            // Both signals at each step: SIGHUP for one pass, SIGTERM for the other.
            let (name, code) = if with_keyring == (n == 9) { ("HUP", 129) } else { ("TERM", 143) };
            signal(first.pid().unwrap(), name);
            assert_eq!(
                first.wait_exit(STEP),
                Some(code),
                "SIG{name} at step {n}: exit 128 + signal, as a shell reports it"
            );
            assert!(!first.alternate_screen(), "step {n}: the terminal is restored");
            let progress = std::fs::read_to_string(dir.path().join(".local/state/sfconnect/progress.json")).unwrap();
            assert!(!progress.contains(&sim.client_secret()), "step {n}: no secret in the progress file");

            let mut second = PtyApp::spawn(&args, 80, 24, &[], dir.path());
            second.wait_for("Resume where you stopped?", STEP);
            // Wait for the whole popup: the first line may be drawn before the rest has arrived.
            second.wait_for(&format!("step {n} of 10"), STEP);
            second.send("y");
            if with_keyring && keyring {
                // Back to the proof with no secret typed and no new authorization, then on to where it
                // stopped.
                if n == 8 {
                    second.wait_for("Connected as", STEP);
                    second.send(ENTER);
                }
                if n <= 9 {
                    second.wait_for("run again", STEP);
                    second.send(ENTER);
                }
                second.wait_for("Step 10 of 10", STEP);
                second.send("w");
                second.wait_for("✓ Saved: ", STEP);
                let (saved, _) = sfconnect::settings::read_settings(&output).expect("the settings file reads back");
                assert_eq!(saved.preset.as_deref(), Some("snow-atlas"), "the file records its target");
                assert_eq!(
                    saved.app_kind,
                    Some(sfconnect::salesforce::AppKind::ExternalClientApp),
                    "and the kind of app"
                );
                let refreshed =
                    runtime.block_on(async { client_for(&sim).refresh(&app_for(&sim), &saved.refresh_token).await });
                assert!(refreshed.is_ok(), "step {n}: the resumed session's token works: {refreshed:?}");
                let kept = sfconnect::vault::read(&sim.client_id(), sfconnect::vault::Item::RefreshToken).unwrap();
                assert!(kept.is_none(), "step {n}: saved, so the keyring copy is gone");
                second.send("q");
                assert_eq!(second.wait_exit(STEP), Some(0));
                // No copy of either secret is left anywhere this user can see (flag `i`: invalidated).
                let keys = std::fs::read_to_string("/proc/keys").unwrap_or_default();
                let id = sim.client_id();
                let live: Vec<&str> = keys
                    .lines()
                    .filter(|l| l.contains(&id) && l.split_whitespace().nth(1).is_some_and(|f| !f.contains('i')))
                    .collect();
                assert!(live.is_empty(), "step {n}: a secret is left in the keyring after saving: {live:?}");
            } else {
                // The token went with the first session: the secret again, then a new authorization.
                second.wait_for("paste the consumer secret again", STEP);
                assert!(second.screen().contains("Step 5 of 10"), "{}", second.screen());
                second.send(&paste(&sim.client_secret()));
                second.send(ENTER);
                second.wait_for("Step 7 of 10", STEP);
                second.send(CTRL_C);
                second.send("y");
                assert!(second.wait_exit(STEP).is_some());
            }
        }
    }
}

/// Issue 12 item 3: the progress file's fields are typed. One whose `environment` is not one of the three
/// (before, it silently became production) is not offered for resuming: the wizard starts afresh and the
/// log names the field and the values it may have.
#[test]
fn a_progress_file_with_a_bad_field_is_ignored_and_the_log_names_the_field() {
    use sfconnect::wizard::progress::Progress;
    use sfconnect::wizard::{State, Step, Surroundings};
    let dir = tempfile::tempdir().unwrap();
    let mut state = State::new(sfconnect::presets::bundled(), Surroundings::default(), std::time::Instant::now());
    state.step = Step::CREDENTIALS;
    let mut file = serde_json::to_value(Progress::from_state(&state, std::time::SystemTime::now())).unwrap();
    file["environment"] = "moon".into();
    let folder = dir.path().join(".local/state/sfconnect");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("progress.json"), file.to_string()).unwrap();
    let log = dir.path().join("sfconnect.log");
    let log_path = log.to_str().unwrap();
    let envs = [("SFCONNECT_LOG", "warn"), ("SFCONNECT_LOG_FILE", log_path)];

    let mut app = PtyApp::spawn(&["--no-clipboard"], 80, 24, &envs, dir.path());
    app.wait_for("Enter continue", STEP);
    assert!(!app.screen().contains("Resume where you stopped?"), "{}", app.screen());
    app.send("q");
    assert_eq!(app.wait_exit(STEP), Some(0));
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(logged.contains("field `environment`") && logged.contains("my_domain"), "{logged}");

    // The same file with a value the field may have is offered.
    file["environment"] = "sandbox".into();
    std::fs::write(folder.join("progress.json"), file.to_string()).unwrap();
    let mut app = PtyApp::spawn(&["--no-clipboard"], 80, 24, &[], dir.path());
    app.wait_for("Resume where you stopped?", STEP);
    app.send("n");
    app.wait_for("Enter continue", STEP);
    app.send("q");
    assert_eq!(app.wait_exit(STEP), Some(0));
}
