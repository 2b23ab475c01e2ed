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
