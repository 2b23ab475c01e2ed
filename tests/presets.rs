//! The integration targets as the wizard sees them: bundled, overridden, broken.

use std::path::Path;

use proptest::prelude::*;
use sfconnect::checks::CheckId;
use sfconnect::presets::{Preset, PresetError, SettingsKey, Source, bundled, find, load_all};

#[test]
fn every_bundled_preset_loads_with_what_the_wizard_needs() {
    let presets = bundled();
    let ids: Vec<&str> = presets.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["snow-atlas", "avepoint", "nintex", "ampersand", "generic"], "a bundled file failed to parse");
    for preset in &presets {
        assert!(!preset.scopes.is_empty() && !preset.summary.is_empty() && !preset.notes.is_empty(), "{}", preset.id);
        assert!(!preset.checks.required.is_empty(), "{} has no required checks", preset.id);
        assert!(preset.permissions.required.contains(&"PermissionsApiEnabled".to_owned()), "{}", preset.id);
    }
}

/// From a new-user trial: the Snow Atlas summary said "A connected app" while the wizard has the admin create
/// an External Client App (its default kind). A target's texts are shown before and whatever the kind: where
/// they name one kind's app, page or checkbox, they name the other's too.
#[test]
fn preset_texts_name_both_kinds_of_app_where_they_name_one() {
    let one_kind = ["connected app", "manage connected apps >", "oauth usage >", "enable for device flow"];
    for preset in bundled() {
        for text in std::iter::once(&preset.summary).chain(&preset.notes) {
            // "Approve Uninstalled Connected Apps" and "Manage Connected Apps" are permissions' names, not
            // kinds of app (a Setup page "Manage Connected Apps > ..." is one).
            let lower = text
                .to_lowercase()
                .replace("manage connected apps >", "manage connected-apps page >")
                .replace("uninstalled connected apps", "")
                .replace("manage connected apps", "");
            let names_one = one_kind
                .iter()
                .any(|w| lower.contains(&w.replace("manage connected apps", "manage connected-apps page")));
            if names_one {
                assert!(lower.contains("external client app"), "{}: {text}", preset.id);
            }
        }
    }
}

#[test]
fn snow_atlas_matches_its_procedure() {
    let presets = bundled();
    let snow = find(&presets, "snow-atlas");
    assert_eq!(snow.map(Preset::scope_parameter).as_deref(), Some("refresh_token offline_access full"));
    assert_eq!(snow.map(|p| p.device_flow), Some(true));
    let labels: Vec<&str> =
        snow.map(|p| p.settings_fields.iter().map(|f| f.label.as_str()).collect()).unwrap_or_default();
    assert_eq!(labels, ["Client ID", "Client secret", "Refresh token", "Login URL", "Company names"]);
    let notes = snow.map(|p| p.notes.join("\n")).unwrap_or_default();
    assert!(notes.contains("without an email address") && notes.contains("10 minutes"), "{notes}");
    let groups = snow.map(|p| p.permissions.one_of.clone()).unwrap_or_default();
    assert_eq!(groups, [["PermissionsModifyAllData", "PermissionsManageRemoteAccess"]]);
}

#[test]
fn each_target_asks_for_the_scopes_its_vendor_documents() {
    let presets = bundled();
    let scopes = |id: &str| find(&presets, id).map(Preset::scope_parameter).unwrap_or_default();
    assert_eq!(scopes("avepoint"), "id api refresh_token");
    assert_eq!(scopes("nintex"), "api web refresh_token offline_access");
    assert_eq!(scopes("ampersand"), "api refresh_token offline_access");
    assert_eq!(scopes("generic"), "api refresh_token offline_access");
    let nintex = find(&presets, "nintex");
    assert!(nintex.is_some_and(|p| p.checks.advisory.contains(&CheckId::TokensPerUser)));
    assert!(nintex.is_some_and(|p| { p.settings_fields.iter().all(|f| f.key == SettingsKey::Environment) }));
}

#[test]
fn every_listed_check_is_one_a_preset_may_list() {
    for preset in bundled() {
        for check in preset.checks.required.iter().chain(&preset.checks.advisory) {
            assert!(check.verifies().is_some(), "{}: {check:?}", preset.id);
        }
    }
}

/// Issue 12 item 4: check ids are typed when the file is read. An unknown one, or one every report has
/// (a preset may not list it), is refused there, naming the preset, the list it is in and the valid ids.
#[test]
fn an_unknown_check_id_is_refused_at_load_naming_the_preset_the_field_and_the_valid_ids() {
    for (field, id) in [("required", "api_acess"), ("advisory", "refresh")] {
        let text = format!(
            "{}
[checks]
{field} = [\"api_access\", \"{id}\"]\n",
            ACME
        );
        let err = Preset::from_toml(&text, Path::new("acme.toml")).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.starts_with("acme.toml:8:"), "points at the id: {err}");
        assert!(err.contains("preset `acme`"), "{err}");
        assert!(err.contains(&format!("`checks.{field}`")), "{err}");
        assert!(err.contains(&format!("unknown check `{id}`")), "{err}");
        for valid in CheckId::listable() {
            assert!(err.contains(valid.as_str()), "names {valid:?}: {err}");
        }
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    assert!(std::fs::write(dir.join(name), text).is_ok());
}

const ACME: &str = r#"id = "acme"
name = "Acme CRM sync"
vendor = "Acme"
summary = "Reads accounts."
scopes = ["api", "refresh_token"]
"#;

#[test]
fn a_user_preset_with_a_bundled_id_overrides_it_and_new_ids_are_added() {
    let Ok(dir) = tempfile::tempdir() else { return };
    let custom = ACME.replace("\"acme\"", "\"nintex\"").replace("Acme CRM sync", "Our Nintex");
    write(dir.path(), "nintex.toml", &custom);
    write(dir.path(), "acme.toml", ACME);
    write(dir.path(), "README.md", "not a preset");
    let (presets, errors) = load_all(Some(dir.path()));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(presets.len(), 6);
    let nintex = find(&presets, "nintex");
    assert_eq!(nintex.map(|p| p.name.as_str()), Some("Our Nintex"));
    assert_eq!(nintex.map(|p| &p.source), Some(&Source::User(dir.path().join("nintex.toml"))));
    assert_eq!(presets.iter().position(|p| p.id == "nintex"), Some(2), "keeps its place in the picker");
    assert_eq!(presets.last().map(|p| p.id.as_str()), Some("acme"));
}

#[test]
fn a_broken_user_file_says_file_line_and_column_and_the_rest_still_load() {
    let Ok(dir) = tempfile::tempdir() else { return };
    let broken = format!("{ACME}\nscope = \"api\"\n");
    write(dir.path(), "acme.toml", &broken);
    let unknown_check = format!("{}\n[checks]\nrequired = [\"api_acess\"]\n", ACME.replace("acme", "beta"));
    write(dir.path(), "beta.toml", &unknown_check);
    let (presets, errors) = load_all(Some(dir.path()));
    assert_eq!(presets.len(), 5, "bundled presets still load");
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let acme = dir.path().join("acme.toml");
    assert!(shown[0].starts_with(&format!("{}:7:1: unknown field `scope`", acme.display())), "{shown:?}");
    assert!(shown[0].contains("expected one of"), "{shown:?}");
    assert!(matches!(errors[1], PresetError::At { line: 8, column: 13, .. }), "{shown:?}");
    assert!(shown[1].contains("unknown check `api_acess`") && shown[1].contains("api_access"), "{shown:?}");
}

#[test]
fn a_syntax_error_points_at_the_line() {
    let text = "id = \"x\"\nname = \"unterminated\nvendor = \"v\"\n";
    let err = Preset::from_toml(text, Path::new("x.toml")).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.starts_with("x.toml:2:"), "{err}");
}

#[test]
fn two_user_files_with_one_id_are_reported() {
    let Ok(dir) = tempfile::tempdir() else { return };
    write(dir.path(), "a.toml", ACME);
    write(dir.path(), "b.toml", ACME);
    let (presets, errors) = load_all(Some(dir.path()));
    assert_eq!(presets.iter().filter(|p| p.id == "acme").count(), 1);
    let shown = errors.first().map(ToString::to_string).unwrap_or_default();
    assert!(shown.contains("b.toml") && shown.contains("a.toml") && shown.contains("`acme`"), "{shown}");
}

#[test]
fn a_missing_user_folder_is_not_an_error() {
    let (presets, errors) = load_all(Some(Path::new("/nonexistent/sfconnect/presets")));
    assert_eq!((presets.len(), errors.len()), (5, 0));
}

proptest! {
    #[test]
    fn any_text_gives_a_preset_or_a_positioned_error(text in "\\PC{0,300}") {
        if let Err(err) = Preset::from_toml(&text, Path::new("fuzz.toml")) {
            prop_assert!(err.to_string().starts_with("fuzz.toml:"));
        }
    }

    #[test]
    fn mangled_bundled_files_never_panic(cut in 0usize..2000, insert in "[\\[\\]=\"a-z\n ]{0,5}") {
        let text = include_str!("../assets/presets/snow-atlas.toml");
        let mut cut = cut.min(text.len());
        while !text.is_char_boundary(cut) { cut -= 1; }
        let mangled = format!("{}{insert}{}", &text[..cut], &text[cut..]);
        let _ = Preset::from_toml(&mangled, Path::new("snow-atlas.toml"));
    }
}
