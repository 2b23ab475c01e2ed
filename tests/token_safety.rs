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
