//! What a preset must hold beyond its TOML shape: an id usable on the command line, at least one scope,
//! permission field names (check ids are typed as the file is read). Must not touch the file system.

use std::path::Path;

use super::{Preset, PresetError, SettingsKey};

pub(crate) fn validate(preset: &Preset, text: &str, path: &Path) -> Result<(), PresetError> {
    // Points at the first place `value` is written in the file, or at its start.
    let at = |value: &str, message: String| {
        let offset = text.find(&format!("\"{value}\"")).unwrap_or(0);
        PresetError::at(path, text, offset, message)
    };
    let id_ok =
        !preset.id.is_empty() && preset.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !id_ok {
        return Err(at(
            &preset.id,
            format!("id `{}` must be lower-case letters, digits and dashes, e.g. \"acme-crm\"", preset.id),
        ));
    }
    for (field, value) in [("name", &preset.name), ("vendor", &preset.vendor), ("summary", &preset.summary)] {
        if value.trim().is_empty() {
            return Err(at(value, format!("`{field}` is empty; write one for the target picker")));
        }
    }
    if preset.scopes.is_empty() {
        return Err(at(
            "",
            "`scopes` is empty; list the OAuth scope tokens, e.g. [\"api\", \"refresh_token\"]".to_owned(),
        ));
    }
    if let Some(scope) = preset.scopes.iter().find(|s| s.is_empty() || s.contains(char::is_whitespace)) {
        return Err(at(
            scope,
            format!(
                "scope `{scope}` must be one token without spaces; write [\"refresh_token\", \"offline_access\"], not one string"
            ),
        ));
    }
    let permissions = &preset.permissions;
    let all_permissions =
        permissions.required.iter().chain(&permissions.advisory).chain(permissions.one_of.iter().flatten());
    if let Some(name) = all_permissions.clone().find(|p| !is_permission_field(p)) {
        return Err(at(
            name,
            format!("`{name}` is not a permission field name; they look like \"PermissionsApiEnabled\""),
        ));
    }
    if let Some(group) = permissions.one_of.iter().find(|group| group.len() < 2) {
        let first = group.first().map_or("", String::as_str);
        return Err(at(
            first,
            "a `one_of` group needs at least two permissions; put a single one in `required`".to_owned(),
        ));
    }
    let has_company_field = preset.settings_fields.iter().any(|f| f.key == SettingsKey::CompanyNames);
    if preset.company_names != has_company_field {
        return Err(at(
            "",
            format!(
                "`company_names = {}` but settings_fields {} a `company_names` entry; make them agree",
                preset.company_names,
                if has_company_field { "has" } else { "has no" }
            ),
        ));
    }
    if let Some(field) = preset.settings_fields.iter().find(|f| f.label.trim().is_empty()) {
        return Err(at(
            &field.label,
            "a settings field has an empty `label`; use the target form's wording".to_owned(),
        ));
    }
    Ok(())
}

fn is_permission_field(name: &str) -> bool {
    name.strip_prefix("Permissions").is_some_and(|rest| {
        rest.starts_with(|c: char| c.is_ascii_uppercase()) && rest.chars().all(|c| c.is_ascii_alphanumeric())
    })
}
