//! Issue #12 item 7, loud not silent: what used to fall back quietly (a default HTTP client that follows
//! redirects and has no timeouts, an empty authorize URL, a force:// URL with no host) now fails where it
//! happens, naming the field and the fix.

use crate::common;

use std::path::Path;
use std::time::Duration;

use common::pty::PtyApp;

/// A PEM block that is base64 but no certificate: the TLS setup refuses it as a trusted root.
const NOT_A_CERTIFICATE: &str =
    "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGUgYXQgYWxs\n-----END CERTIFICATE-----\n";

fn broken_roots(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("proxy-ca.pem");
    std::fs::write(&path, NOT_A_CERTIFICATE).unwrap();
    path
}

/// The HTTP client used to fall back to `reqwest::Client::new()` when it could not be built: no roots
/// at all here (so every request failed later as a TLS error that blamed a proxy), and redirects
/// followed. Now the command stops before any request, and says which file to fix.
#[test]
fn a_root_store_that_cannot_be_loaded_stops_a_command_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let roots = broken_roots(dir.path());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sfconnect"))
        .args(["wait", "--client-id", "3MVG9abc", "--login-url", "https://login.salesforce.com", "--timeout", "5"])
        .env("SSL_CERT_FILE", &roots)
        .env_remove("SSL_CERT_DIR")
        .env_remove("SFCONNECT_CLIENT_SECRET")
        .env_remove("SFCONNECT_LOG")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("binary runs");
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("error: Cannot set up HTTPS"), "{said}");
    assert!(said.contains(&format!("SSL_CERT_FILE={}", roots.display())), "the file is named: {said}");
    assert!(said.contains("fix:") && said.contains("PEM"), "{said}");
    assert!(!said.contains("Waiting for the consumer key"), "no request was started: {said}");
}

/// The wizard builds its client while its first frame is drawn: a failure gives the terminal back first, is
/// said on the normal screen, and the program ends by itself instead of opening screens whose every request
/// would fail.
#[test]
fn the_wizard_says_so_on_the_normal_screen() {
    let dir = tempfile::tempdir().unwrap();
    let roots = broken_roots(dir.path());
    let mut app = PtyApp::spawn(&[], 80, 24, &[("SSL_CERT_FILE", roots.to_str().unwrap())], dir.path());
    assert_eq!(app.wait_exit(Duration::from_secs(20)), Some(1), "the screen:\n{}", app.screen());
    let screen = app.screen();
    assert!(!app.alternate_screen(), "left on the full screen:\n{screen}");
    assert!(screen.contains("Cannot set up HTTPS") && screen.contains("SSL_CERT_FILE="), "{screen}");
    assert!(!screen.contains("continue"), "no wizard screen was drawn:\n{screen}");
}

/// `url --redirect-uri` with something that is not a URL used to be pasted into the authorize URL as it
/// was; Salesforce would only refuse it after the admin had signed in.
#[test]
fn a_callback_that_is_not_a_url_is_a_usage_error() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sfconnect"))
        .args(["url", "--client-id", "3MVG9abc", "--redirect-uri", "oauth2/success"])
        .env_remove("SFCONNECT_LOG")
        .output()
        .expect("binary runs");
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("--redirect-uri") && said.contains("oauth2/success"), "{said}");
    assert!(out.stdout.is_empty(), "no URL printed: {}", String::from_utf8_lossy(&out.stdout));
}

/// A force:// URL needs a host; rendering used to write `force://ID:SECRET:TOKEN@` with none.
#[test]
fn a_force_url_without_a_host_is_an_error_not_a_shorter_text() {
    use sfconnect::salesforce::RefreshToken;
    use sfconnect::settings::{ConnectorSettings, Format};

    let settings = ConnectorSettings::new("3MVG9abc", RefreshToken::new("5Aep861x"), "not a url");
    let err = settings.render(Format::SfdxUrl).expect_err("no host to write");
    let said = err.to_string();
    assert!(said.contains("instance_url") && said.contains("login_url"), "names the fields: {said}");
    assert!(!said.contains("5Aep861x"), "no value in the message: {said}");
    // The same settings still render where no host is needed, so the token is never lost.
    assert!(settings.render(Format::Json).expect("json carries any value").contains("5Aep861x"));
}
