//! Issue #12, the house: what the binary offers besides the flow (completions, man page) and where it gets
//! its trust (one root store, `SSL_CERT_FILE` honoured).

use std::process::Command;

fn sfconnect() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfconnect"));
    cmd.env_remove("SFCONNECT_LOG").env_remove("SFCONNECT_CLIENT_SECRET");
    cmd
}

#[test]
fn completions_cover_every_subcommand_in_each_shell() {
    for (shell, marker) in [("bash", "_sfconnect()"), ("zsh", "#compdef sfconnect"), ("fish", "complete -c sfconnect")]
    {
        let out = sfconnect().args(["completions", shell]).output().expect("binary runs");
        assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
        let script = String::from_utf8(out.stdout).expect("utf-8");
        assert!(script.contains(marker), "{shell}: no {marker:?} in the script");
        for sub in ["url", "exchange", "device", "wait", "check", "revoke"] {
            assert!(script.contains(sub), "{shell}: the script does not know `{sub}`");
        }
        assert!(script.contains("login-url"), "{shell}: flags are missing");
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error_naming_the_choices() {
    let out = sfconnect().args(["completions", "tcsh"]).output().expect("binary runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bash") && err.contains("zsh") && err.contains("fish"), "{err}");
}

#[test]
fn the_man_page_is_roff_with_the_commands() {
    let out = sfconnect().arg("man").output().expect("binary runs");
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).expect("utf-8");
    assert!(page.contains(".TH sfconnect 1"), "not a man page");
    assert!(page.contains("exchange") && page.contains("SFCONNECT_CLIENT_SECRET"), "commands or notes missing");
}

/// One reading of typed company names for the wizard and the CLI (they drifted: `;` worked in the wizard only).
#[test]
fn company_names_are_split_one_way_everywhere() {
    use sfconnect::settings::split_company_names;
    assert_eq!(
        split_company_names("acme.com; acme.co.uk,\ncontractor.io"),
        ["acme.com", "acme.co.uk", "contractor.io"]
    );
    assert_eq!(split_company_names(" ; , "), ["*"]);
    assert_eq!(split_company_names("acme.com;*"), ["*"]);
}

/// `sfconnect wait` against the simulator over https, whose CA is in no store: trusted only through
/// `SSL_CERT_FILE` (as behind a TLS-inspecting proxy whose CA the admin was given), and a TLS failure
/// without it, never a silent fallback to another store.
#[tokio::test]
async fn ssl_cert_file_is_the_trust_that_reaches_a_private_ca() {
    use sfconnect_sim::{SimConfig, Simulator, Transport};

    let sim = Simulator::start_with(SimConfig { auto_approve: true, ..SimConfig::default() }, Transport::Https)
        .await
        .expect("the simulator starts");
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("proxy-ca.pem");
    std::fs::write(&ca, sim.ca_pem().expect("a CA under https")).unwrap();
    let wait = |cert_file: Option<&std::path::Path>| {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_sfconnect"));
        cmd.args(["wait", "--client-id", &sim.client_id(), "--login-url", &sim.base_url(), "--timeout", "20"])
            .env("SFCONNECT_CLIENT_SECRET", sim.client_secret())
            .env_remove("SSL_CERT_DIR")
            .env_remove("SFCONNECT_LOG")
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        match cert_file {
            Some(path) => cmd.env("SSL_CERT_FILE", path),
            // A store without the simulator's CA: the system's on this machine.
            None => cmd.env_remove("SSL_CERT_FILE"),
        };
        cmd.output()
    };
    let trusted = wait(Some(&ca)).await.expect("binary runs");
    let said = String::from_utf8_lossy(&trusted.stderr).into_owned() + &String::from_utf8_lossy(&trusted.stdout);
    assert!(trusted.status.success(), "with SSL_CERT_FILE: {said}");
    assert!(said.contains("live"), "{said}");

    let untrusted = wait(None).await.expect("binary runs");
    let said = String::from_utf8_lossy(&untrusted.stderr).to_lowercase();
    assert_eq!(untrusted.status.code(), Some(1), "{said}");
    assert!(said.contains("certificate") || said.contains("tls"), "a TLS failure, named: {said}");
    // From a new-user trial: the fix never named the variables sfconnect reads.
    assert!(said.contains("ssl_cert_file"), "the fix names SSL_CERT_FILE: {said}");
    sim.shutdown().await;
}

/// From a new-user trial: the README listed no environment variables. Every variable the code reads (an
/// `env::var`, a clap `env = "..."`, a `*_ENV` constant, or the names the wizard's surroundings and the
/// clipboard look up) is in its table.
#[test]
fn every_environment_variable_the_code_reads_is_in_the_readme() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let table = readme.split("## Environment variables").nth(1).expect("an Environment variables section");
    let table = table.split("\n## ").next().unwrap();
    let mut sources = Vec::new();
    let mut folders = vec![root.join("src"), root.join("crates/sfconnect-salesforce/src")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                sources.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let reads = ["env::var", "var_os(", "env = \"", "_ENV: &str", "set(\"", "lookup(\""];
    let mut names = std::collections::BTreeSet::new();
    for line in sources.iter().flat_map(|s| s.lines()).filter(|l| reads.iter().any(|r| l.contains(r))) {
        let parts: Vec<&str> = line.split('"').collect();
        for (before, quoted) in parts.iter().zip(parts.iter().skip(1)).step_by(2) {
            // `value_name = "URL"` names a flag's value, not a variable.
            let is_name = !before.trim_end().ends_with("value_name =")
                && quoted.len() > 2
                && quoted.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                && quoted.starts_with(|c: char| c.is_ascii_uppercase());
            if is_name {
                names.insert(quoted.to_string());
            }
        }
    }
    for expected in ["SFCONNECT_CLIENT_SECRET", "SFCONNECT_LOG", "SFCONNECT_LOG_FILE", "NO_COLOR", "TMUX"] {
        assert!(names.contains(expected), "the scan finds {expected}: {names:?}");
    }
    let missing: Vec<&String> = names.iter().filter(|n| !table.contains(&format!("`{n}`"))).collect();
    assert!(missing.is_empty(), "read by the code, not in README's Environment variables: {missing:?}");
}

/// From a new-user trial: two bullets of the README's Security notes both pointed to SECURITY.md.
#[test]
fn the_security_notes_point_to_security_md_once() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let notes = readme.split("## Security notes").nth(1).expect("a Security notes section");
    let notes = notes.split("\n## ").next().unwrap();
    assert_eq!(notes.lines().filter(|l| l.contains("(SECURITY.md)")).count(), 1, "{notes}");
}
