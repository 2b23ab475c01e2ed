//! The settings file as a user meets it: written, hand-edited, broken, read back.

use std::path::Path;

use proptest::prelude::*;
use sfconnect::salesforce::{AppKind, ClientSecret, RefreshToken};
use sfconnect::settings::{ConnectorSettings, Error, Format, Overwrite, read_settings, write_settings};

const SECRET: &str = "8F3A9C0D1E2B4A5F6C7D8E9F0A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6E7F8A9B";
const TOKEN: &str = "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrH1p0P8xMz8l4nhVt_I0KxeGIqL.jaJQvnDw7Zv6E0VVAUzVU";

fn sample() -> ConnectorSettings {
    ConnectorSettings {
        client_id: "3MVG9fMtCkV6eLheIEZplMqWfnGlf3Y.BcWdOf1qytXo9zxgbsrUbS.ExHTgUPJeb3jZeT8NYhc.hMyznKr".into(),
        client_secret: Some(ClientSecret::new(SECRET)),
        refresh_token: RefreshToken::new(TOKEN),
        login_url: "https://login.salesforce.com".into(),
        company_names: vec!["*".into()],
        instance_url: Some("https://acme.my.salesforce.com".into()),
        username: Some("admin@acme.example".into()),
        org_id: Some("00D5g000004ABCDEAA".into()),
        user_id: Some("0055g00000ABCDEAAA".into()),
        scopes: vec!["refresh_token".into(), "full".into()],
        issued_at: Some("2025-10-01T12:00:00Z".into()),
        preset: Some("snow-atlas".into()),
        app_kind: Some(AppKind::ExternalClientApp),
        app_name: Some("Snow Atlas integration".into()),
    }
}

#[test]
fn json_has_the_exact_keys_a_connector_reads() {
    let json = sample().render(Format::Json).unwrap();
    assert!(json.ends_with("}\n"), "pretty JSON ends with a newline");
    let value: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    let keys: Vec<&str> = value.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    assert_eq!(
        keys,
        [
            "app_kind",
            "app_name",
            "client_id",
            "client_secret",
            "company_names",
            "instance_url",
            "issued_at",
            "login_url",
            "org_id",
            "preset",
            "refresh_token",
            "scopes",
            "user_id",
            "username"
        ]
    );
    assert_eq!(value["company_names"], serde_json::json!(["*"]));
    assert_eq!(value["refresh_token"], TOKEN);
    assert_eq!(value["preset"], "snow-atlas");
}

#[test]
fn the_preset_is_written_in_every_format_with_room_for_it_and_read_back() {
    let settings = sample();
    let json = settings.render(Format::Json).unwrap();
    assert!(json.contains("  \"preset\": \"snow-atlas\",\n"), "{}", json.as_str());
    assert!(json.contains("  \"app_kind\": \"external_client_app\",\n"), "{}", json.as_str());
    // Issue 10, point 5: the app's name is recorded, so `check` reads that app's policies.
    assert!(json.contains("  \"app_name\": \"Snow Atlas integration\"\n"), "{}", json.as_str());
    let toml = settings.render(Format::Toml).unwrap();
    assert!(toml.contains("\npreset = \"snow-atlas\"\n"), "{}", toml.as_str());
    let env = settings.render(Format::Env).unwrap();
    assert!(env.contains("\nSALESFORCE_PRESET=\"snow-atlas\"\n"), "{}", env.as_str());
    let shell = settings.render(Format::Shell).unwrap();
    assert!(shell.contains("\nexport SALESFORCE_PRESET='snow-atlas'\n"), "{}", shell.as_str());
    for format in [Format::Json, Format::Toml, Format::Env, Format::Shell] {
        let back = ConnectorSettings::parse(&settings.render(format).unwrap(), None).ok();
        assert_eq!(back.as_ref().and_then(|s| s.preset.as_deref()), Some("snow-atlas"), "{format}");
        assert_eq!(back.as_ref().and_then(|s| s.app_kind), Some(AppKind::ExternalClientApp), "{format}");
        assert_eq!(back.as_ref().and_then(|s| s.app_name.as_deref()), Some("Snow Atlas integration"), "{format}");
    }
    // An app kind that is not one of the two is refused, naming the field and the two ids.
    for format in [Format::Json, Format::Toml, Format::Env, Format::Shell] {
        let odd = settings.render(format).unwrap().replace("external_client_app", "canvas_app");
        let error = ConnectorSettings::parse(&odd, Some(format)).err().map(|e| e.to_string());
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.contains("app_kind") && e.contains("external_client_app, connected_app")),
            "{format}: {error:?}"
        );
    }
    // force://ID:SECRET:TOKEN@HOST has no room for it: left out, and read back as absent.
    let sfdx = settings.render(Format::SfdxUrl).unwrap();
    assert!(!sfdx.contains("snow-atlas"), "{}", sfdx.as_str());
    let back = ConnectorSettings::parse(&sfdx, None).ok();
    assert_eq!(back.map(|s| s.preset), Some(None));
}

#[test]
fn files_written_before_the_preset_was_recorded_still_load() {
    let json = format!(
        "{{\n  \"client_id\": \"3MVG9abc\",\n  \"client_secret\": \"{SECRET}\",\n  \"refresh_token\": \"{TOKEN}\",\n  \
         \"login_url\": \"https://login.salesforce.com\",\n  \"company_names\": [\"*\"],\n  \"username\": null\n}}\n"
    );
    let env = format!(
        "SALESFORCE_CLIENT_ID=\"3MVG9abc\"\nSALESFORCE_REFRESH_TOKEN=\"{TOKEN}\"\n\
         SALESFORCE_LOGIN_URL=\"https://login.salesforce.com\"\n"
    );
    let toml = format!(
        "client_id = \"3MVG9abc\"\nrefresh_token = \"{TOKEN}\"\nlogin_url = \"https://login.salesforce.com\"\n"
    );
    for (format, text) in [(Format::Json, json), (Format::Env, env), (Format::Toml, toml)] {
        let back = ConnectorSettings::parse(&text, Some(format));
        assert!(back.as_ref().is_ok_and(|s| s.preset.is_none()), "{format}: {:?}", back.err());
    }
}

#[test]
fn an_empty_or_spaced_preset_names_the_field() {
    for bad in ["", "snow atlas", "snow-atlas\n"] {
        let mut settings = sample();
        settings.preset = Some(bad.into());
        let err = settings.validate().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("`preset`"), "{bad:?}: {err}");
    }
    let env = format!(
        "SALESFORCE_CLIENT_ID=\"a\"\nSALESFORCE_REFRESH_TOKEN=\"{TOKEN}\"\nSALESFORCE_LOGIN_URL=\"https://login.salesforce.com\"\nSALESFORCE_PRESET=\"snow atlas\"\n"
    );
    let err = ConnectorSettings::parse(&env, None).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("`preset` has spaces"), "{err}");
}

#[test]
fn env_and_shell_lines_quote_what_a_shell_would_expand() {
    let mut settings = sample();
    settings.username = Some("o'brien$HOME\"`x`".into());
    settings.company_names = vec!["acme.com".into(), "acme.co.uk".into()];
    let env = settings.render(Format::Env).unwrap();
    assert!(env.contains("SALESFORCE_USERNAME=\"o'brien\\$HOME\\\"\\`x\\`\"\n"), "{}", env.as_str());
    assert!(env.contains("SALESFORCE_COMPANY_NAMES=\"acme.com,acme.co.uk\"\n"));
    assert!(env.contains("SALESFORCE_SCOPES=\"refresh_token full\"\n"));
    let shell = settings.render(Format::Shell).unwrap();
    assert!(shell.contains("export SALESFORCE_USERNAME='o'\\''brien$HOME\"`x`'\n"), "{}", shell.as_str());
}

#[test]
fn sfdx_url_is_what_sf_org_login_sfdx_url_accepts() {
    let url = sample().render(Format::SfdxUrl).unwrap();
    assert_eq!(url.as_str(), format!("force://{}:{SECRET}:{TOKEN}@acme.my.salesforce.com\n", sample().client_id));
    let back = ConnectorSettings::parse(&url, None).ok();
    assert_eq!(back.as_ref().map(|s| s.refresh_token.expose()), Some(TOKEN));
    assert_eq!(back.as_ref().map(|s| s.login_url.as_str()), Some("https://acme.my.salesforce.com"));
}

#[test]
fn sfdx_url_with_an_optional_secret_keeps_the_empty_field() {
    let mut settings = sample();
    settings.client_secret = None;
    settings.instance_url = None;
    let url = settings.render(Format::SfdxUrl).unwrap();
    assert!(url.contains(&format!("{}::{TOKEN}@login.salesforce.com", settings.client_id)));
    let back = ConnectorSettings::parse(&url, Some(Format::SfdxUrl)).ok();
    assert_eq!(back.map(|s| s.client_secret.is_none()), Some(true));
}

#[test]
fn sfdx_url_refuses_values_the_cli_would_cut_short() {
    let mut settings = sample();
    settings.client_secret = Some(ClientSecret::new("has:colon"));
    let err = settings.validate_for(Format::SfdxUrl).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("`client_secret`") && !err.contains("has:colon"), "{err}");
    assert!(settings.validate_for(Format::Json).is_ok());
}

#[test]
fn a_missing_refresh_token_names_the_field_and_the_fix() {
    let dir = tempfile::tempdir().ok();
    let Some(dir) = dir else { return };
    let path = dir.path().join("x.json");
    std::fs::write(&path, r#"{"client_id": "abc", "login_url": "https://login.salesforce.com"}"#).ok();
    let err = read_settings(&path).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("`refresh_token` is missing"), "{err}");
    assert!(err.contains(&format!("--output {} --force", path.display())), "{err}");
}

#[test]
fn a_broken_hand_edit_points_at_line_column_and_field_without_the_value() {
    let json = format!(
        "{{\n  \"client_id\": \"abc\",\n  \"refresh_token\": \"{TOKEN}\",\n  \"company_names\": \"{SECRET}\"\n}}\n"
    );
    let err = ConnectorSettings::parse(&json, None).err();
    let shown = err.as_ref().map(ToString::to_string).unwrap_or_default();
    assert!(matches!(err, Some(Error::Syntax { line: 4, .. })), "{shown}");
    assert!(shown.contains("`company_names`"), "{shown}");
    assert!(!shown.contains(SECRET) && !shown.contains(TOKEN), "{shown}");

    let toml = "client_id = \"abc\"\nrefresh_token = \"x\nlogin_url = 1\n";
    let err = ConnectorSettings::parse(toml, Some(Format::Toml)).err().map(|e| e.to_string());
    assert!(err.as_deref().unwrap_or_default().contains("line 2"), "{err:?}");

    let env = "SALESFORCE_CLIENT_ID=\"abc\"\nSALESFORCE_CLIENT_SECERT=\"x\"\n";
    let err = ConnectorSettings::parse(env, None).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("line 2, column 1") && err.contains("SALESFORCE_CLIENT_SECERT"), "{err}");
}

#[test]
fn sniffing_tells_every_format_apart() {
    for format in Format::all() {
        let text = sample().render(format).unwrap();
        let back = ConnectorSettings::parse(&text, None);
        assert!(back.is_ok(), "{format}: {:?}", back.err());
    }
}

fn mode(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).map(|m| m.permissions().mode() & 0o777).unwrap_or(0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        0o600
    }
}

#[test]
fn writes_0600_and_never_replaces_without_force() {
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join("settings.json");
    let text = sample().render(Format::Json).unwrap();
    assert!(write_settings(&path, &text, Overwrite::Never).is_ok());
    assert_eq!(mode(&path), 0o600);

    let again = write_settings(&path, "{}", Overwrite::Never);
    assert!(matches!(again, Err(Error::AlreadyExists { .. })));
    assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some(text.as_str()), "old file untouched");

    let read = read_settings(&path).ok();
    assert_eq!(read.as_ref().map(|(s, _)| s), Some(&sample()));
    assert_eq!(read.map(|(_, e)| e.readable_by_others), Some(false));
}

#[cfg(unix)]
#[test]
fn replacing_a_world_readable_file_leaves_it_0600() {
    use std::os::unix::fs::PermissionsExt;
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join("settings.env");
    std::fs::write(&path, "old").ok();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).ok();
    let (_, exposure) = (0, read_settings(&path).map(|(_, e)| e));
    assert!(exposure.is_err(), "\"old\" is not valid settings");
    assert!(write_settings(&path, &sample().render(Format::Env).unwrap(), Overwrite::Replace).is_ok());
    assert_eq!(mode(&path), 0o600);
    let leftovers = std::fs::read_dir(dir.path()).map(|d| d.count()).unwrap_or(0);
    assert_eq!(leftovers, 1, "no temporary file left behind");
}

#[cfg(unix)]
#[test]
fn a_symlink_at_the_output_path_is_refused_and_its_target_untouched() {
    let Ok(dir) = tempfile::tempdir() else { return };
    let target = dir.path().join("someone-elses.txt");
    std::fs::write(&target, "theirs").ok();
    let link = dir.path().join("settings.json");
    std::os::unix::fs::symlink(&target, &link).ok();
    let err = write_settings(&link, "{}", Overwrite::Replace);
    assert!(matches!(err, Err(Error::Symlink { .. })));
    assert_eq!(std::fs::read_to_string(&target).ok().as_deref(), Some("theirs"));
}

#[test]
fn a_missing_folder_is_named_not_created() {
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join("nope").join("settings.json");
    let err = write_settings(&path, "{}", Overwrite::Never).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("nope") && err.contains("mkdir -p"), "{err}");
    assert!(!dir.path().join("nope").exists());
}

#[cfg(unix)]
#[test]
fn exposure_reports_a_readable_file_and_a_shared_folder() {
    use std::os::unix::fs::PermissionsExt;
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join("s.json");
    std::fs::write(&path, sample().render(Format::Json).unwrap().as_str()).ok();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).ok();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).ok();
    let exposure = read_settings(&path).map(|(_, e)| e).ok().unwrap_or_default();
    assert!(exposure.readable_by_others && exposure.folder_writable_by_others);
    let warnings = exposure.warnings(&path);
    assert!(warnings.iter().any(|w| w.contains("chmod 600")), "{warnings:?}");
}

fn printable() -> impl Strategy<Value = String> {
    "[ -~\n]{1,24}".prop_filter("not blank", |s| !s.trim().is_empty())
}

fn settings_strategy() -> impl Strategy<Value = ConnectorSettings> {
    let company = "[ -+\\--~]{1,16}".prop_map(|s| s.trim().to_owned()).prop_filter("non-empty", |s| !s.is_empty());
    (
        printable(),
        proptest::option::of(printable()),
        printable(),
        proptest::collection::vec(company, 1..4),
        proptest::option::of(printable()),
        proptest::collection::vec("[!-~]{1,12}", 0..4),
        proptest::option::of(printable()),
        proptest::option::of("[!-~]{1,16}"),
        proptest::option::of(proptest::sample::select(AppKind::ALL.to_vec())),
    )
        .prop_map(|(client_id, secret, token, company_names, username, scopes, issued_at, preset, app_kind)| {
            ConnectorSettings {
                client_id,
                client_secret: secret.map(ClientSecret::new),
                refresh_token: RefreshToken::new(token),
                login_url: "https://test.salesforce.com".into(),
                company_names,
                instance_url: Some("https://acme--dev.sandbox.my.salesforce.com".into()),
                username,
                org_id: None,
                user_id: Some("005".into()),
                scopes,
                issued_at,
                preset,
                app_kind,
                app_name: None,
            }
        })
}

proptest! {
    #[test]
    fn every_text_format_reads_back_what_it_wrote(settings in settings_strategy()) {
        prop_assert!(settings.validate().is_ok(), "{:?}", settings.validate().err());
        for format in [Format::Json, Format::Env, Format::Toml, Format::Shell] {
            let text = settings.render(format).unwrap();
            let back = ConnectorSettings::parse(&text, Some(format));
            prop_assert_eq!(back.as_ref().ok(), Some(&settings), "{} {:?}", format, back.as_ref().err());
            let sniffed = ConnectorSettings::parse(&text, None);
            prop_assert_eq!(sniffed.as_ref().ok(), Some(&settings), "{} sniffed", format);
        }
    }

    #[test]
    fn sfdx_url_reads_back_the_credentials(id in "[A-Za-z0-9._-]{1,40}", secret in "[A-Za-z0-9._-]{0,40}",
                                           token in "[A-Za-z0-9._-]{1,60}={0,2}") {
        let mut settings = ConnectorSettings::new(id, RefreshToken::new(token), "https://login.salesforce.com");
        settings.client_secret = (!secret.is_empty()).then(|| ClientSecret::new(secret));
        prop_assert!(settings.validate_for(Format::SfdxUrl).is_ok());
        let back = ConnectorSettings::parse(&settings.render(Format::SfdxUrl).unwrap(), None);
        prop_assert!(back.is_ok(), "{:?}", back.as_ref().err());
        if let Ok(back) = back {
            prop_assert_eq!(&back.client_id, &settings.client_id);
            prop_assert_eq!(&back.client_secret, &settings.client_secret);
            prop_assert_eq!(&back.refresh_token, &settings.refresh_token);
            prop_assert_eq!(back.login_url.as_str(), "https://login.salesforce.com");
        }
    }

    #[test]
    fn parsing_any_text_never_panics(text in "\\PC{0,200}", pick in 0usize..6) {
        let hint = Format::all().get(pick).copied();
        let _ = ConnectorSettings::parse(&text, hint);
    }

    /// A file of each format, hand-edited badly: cut short, or with quotes, brackets, `=`, escapes and line
    /// breaks typed into it. Read with the format sniffed and with each format named.
    #[test]
    fn mangled_settings_files_never_panic(
        written in 0usize..5,
        cut in 0usize..600,
        insert in "[\\[\\]{}=\"'\\\\:,#@/%$ \n\ta-zA-Z0-9é\u{0}]{0,8}",
        drop_rest in any::<bool>(),
        pick in 0usize..6,
    ) {
        let text = sample().render(Format::all()[written]).unwrap();
        let mut cut = cut.min(text.len());
        while !text.is_char_boundary(cut) { cut -= 1; }
        let rest = if drop_rest { "" } else { &text[cut..] };
        let mangled = format!("{}{insert}{rest}", &text[..cut]);
        let hint = Format::all().get(pick).copied();
        if let Err(err) = ConnectorSettings::parse(&mangled, hint) {
            let shown = err.to_string();
            prop_assert!(!shown.contains(SECRET) && !shown.contains(TOKEN), "{}", shown);
        }
    }

    #[test]
    fn company_names_with_a_comma_or_line_break_are_refused(name in "[a-z]{1,5}[,\n][a-z]{1,5}") {
        let mut settings = sample();
        settings.company_names = vec![name];
        let err = settings.validate().err().map(|e| e.to_string()).unwrap_or_default();
        prop_assert!(err.contains("`company_names`"), "{}", err);
    }
}

#[test]
fn debug_output_and_errors_never_show_the_secrets() {
    let shown = format!("{:?}", sample());
    assert!(!shown.contains(SECRET) && !shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("ClientSecret([redacted])"));
    let env = format!("SALESFORCE_CLIENT_ID=\"a\"\nSALESFORCE_REFRESH_TOKEN=\"{TOKEN}\" trailing\n");
    let err = ConnectorSettings::parse(&env, None).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("line 2") && !err.contains(TOKEN), "{err}");
}

/// From a security review: a FIFO hung `check`, /dev/zero grew memory without end. A settings path that
/// is not a regular file is refused before it is opened, and a huge file after 1 MiB.
#[test]
fn pipes_devices_and_huge_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("settings.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().map(|s| s.success()).unwrap_or(false);
    if made {
        let error = sfconnect::settings::read_settings(&fifo).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("is not a regular file"), "{error}");
    }
    let error = sfconnect::settings::read_settings(std::path::Path::new("/dev/zero")).err().map(|e| e.to_string());
    assert!(error.as_deref().is_some_and(|e| e.contains("is not a regular file")), "{error:?}");
    let huge = dir.path().join("huge.json");
    std::fs::write(&huge, vec![b' '; 2 << 20]).unwrap();
    let error = sfconnect::settings::read_settings(&huge).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(error.contains("is larger than 1048576 bytes"), "{error}");
}
