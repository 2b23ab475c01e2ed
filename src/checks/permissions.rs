//! Effective permissions: what the user's profile and every assigned permission set grant, read in one query of
//! `PermissionSetAssignment` (the profile's own set is among the assignments, `IsOwnedByProfile`). A permission
//! column may be missing from an org (protocol notes §6): the runner drops it and asks again, and it is reported
//! as "could not be read", never guessed.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Finding;
use crate::presets::Permissions as PresetPermissions;

/// The permissions the checks read: field name and the label Setup shows (protocol notes §6).
pub const PERMISSIONS: &[(&str, &str)] = &[
    ("PermissionsApiEnabled", "API Enabled"),
    ("PermissionsModifyAllData", "Modify All Data"),
    ("PermissionsCustomizeApplication", "Customize Application"),
    ("PermissionsManageRemoteAccess", "Manage Connected Apps"),
    ("PermissionsViewSetup", "View Setup and Configuration"),
    ("PermissionsViewRoles", "View Roles and Role Hierarchy"),
    ("PermissionsManageCustomPermissions", "Manage Custom Permissions"),
    ("PermissionsModifyMetadata", "Modify Metadata Through Metadata API Functions"),
    ("PermissionsManageNamedCredentials", "Modify Named Credentials and External Credentials"),
    ("PermissionsCanApproveUninstalledApps", "Approve Uninstalled Connected Apps"),
    ("PermissionsUseAnyApiClient", "Use Any API Client"),
];

/// Permissions that stand in for each other for a target's purpose.
const ALTERNATIVES: &[&[&str]] = &[
    &["PermissionsCanApproveUninstalledApps", "PermissionsUseAnyApiClient"],
    &["PermissionsModifyAllData", "PermissionsManageRemoteAccess"],
];

/// Setup labels of permissions a preset may add to the query (see [`fields_for`]) beyond [`PERMISSIONS`],
/// so messages name them as Setup does.
const MORE_LABELS: &[(&str, &str)] = &[
    ("PermissionsManageUsers", "Manage Users"),
    ("PermissionsViewAllData", "View All Data"),
    ("PermissionsViewAllUsers", "View All Users"),
    ("PermissionsAuthorApex", "Author Apex"),
];

/// The Setup label of a permission field (`PermissionsFooBar` → `FooBar` when in neither table).
pub fn label(field: &str) -> &str {
    PERMISSIONS
        .iter()
        .chain(MORE_LABELS)
        .find(|(f, _)| *f == field)
        .map_or_else(|| field.strip_prefix("Permissions").unwrap_or(field), |(_, l)| *l)
}

/// The fields to ask for: the table's, then any other the preset names.
pub fn fields_for(preset: &PresetPermissions) -> Vec<String> {
    let mut fields: Vec<String> = PERMISSIONS.iter().map(|(f, _)| f.to_string()).collect();
    let named = preset.required.iter().chain(&preset.advisory).chain(preset.one_of.iter().flatten());
    for field in named {
        if !fields.contains(field) {
            fields.push(field.clone());
        }
    }
    fields
}

/// The assignments query for `user_id` (an id, checked by the caller), reading `fields` of each set.
pub fn query(user_id: &str, fields: &[String]) -> String {
    let mut select = String::from(
        "SELECT PermissionSet.Name, PermissionSet.Label, PermissionSet.IsOwnedByProfile, PermissionSet.Profile.Name",
    );
    for field in fields {
        select.push_str(", PermissionSet.");
        select.push_str(field);
    }
    format!("{select} FROM PermissionSetAssignment WHERE AssigneeId = '{user_id}'")
}

/// The column an `INVALID_FIELD` message says is missing: `No such column 'X' on entity 'Y'` gives `X`. When
/// Salesforce names the column by its relationship path (`'PermissionSet.X'`), the path is dropped: the
/// caller compares with the field's own name.
pub fn missing_column(message: &str) -> Option<&str> {
    let start = message.find("No such column '")? + "No such column '".len();
    let end = message[start..].find('\'')? + start;
    let named = &message[start..end];
    Some(named.rsplit('.').next().unwrap_or(named)).filter(|c| !c.is_empty())
}

/// Each permission: granted (by which set), not granted, or unreadable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EffectivePermissions {
    /// Field → the first set that grants it, as "profile X" or "permission set Y"; `None` when none does.
    read: BTreeMap<String, Option<String>>,
    /// Fields the org has no column for.
    unreadable: Vec<String>,
    /// The profile's name, from its own set.
    pub profile: Option<String>,
    /// How many sets were read (the profile's included).
    pub sets: usize,
    /// The API version the columns were asked at ("66.0"): a missing column is missing at that version.
    pub api_version: Option<String>,
}

impl EffectivePermissions {
    /// Folds the assignment records of the query over `fields`; `unreadable` are those dropped from it.
    pub fn from_assignments(records: &[Value], fields: &[String], unreadable: Vec<String>) -> Self {
        let mut out = EffectivePermissions { unreadable, sets: records.len(), ..Self::default() };
        for field in fields.iter().filter(|f| !out.unreadable.contains(f)) {
            out.read.insert(field.clone(), None);
        }
        for record in records {
            let set = &record["PermissionSet"];
            let owned_by_profile = set["IsOwnedByProfile"].as_bool().unwrap_or(false);
            let source = if owned_by_profile {
                let profile = set["Profile"]["Name"].as_str().unwrap_or("(unnamed)").to_string();
                out.profile = Some(profile.clone());
                format!("profile {profile}")
            } else {
                format!("permission set {}", set["Label"].as_str().or(set["Name"].as_str()).unwrap_or("(unnamed)"))
            };
            for (field, granted_by) in out.read.iter_mut() {
                if granted_by.is_none() && set[field.as_str()].as_bool() == Some(true) {
                    *granted_by = Some(source.clone());
                }
            }
        }
        out
    }

    /// The same, noting the API version the columns were asked at.
    pub fn at_version(mut self, version: &str) -> Self {
        self.api_version = Some(version.to_string());
        self
    }

    /// "not in this org at API v66.0": a column Salesforce did not show at the version asked (it hides
    /// fields newer than that version, and some exist only where a feature is on).
    fn absent_text(&self) -> String {
        match &self.api_version {
            Some(v) => format!("not in this org at API v{v}"),
            None => "not in this org at the API version asked".to_string(),
        }
    }

    /// `Some(true)` granted, `Some(false)` not granted, `None` could not be read (or was not asked for).
    pub fn has(&self, field: &str) -> Option<bool> {
        self.read.get(field).map(Option::is_some)
    }

    /// At least one of `fields`: found, lacking, or unknown because a column is missing.
    pub fn any_of(&self, fields: &[&str]) -> Finding {
        let labels: Vec<&str> = fields.iter().map(|f| label(f)).collect();
        if let Some((field, source)) =
            fields.iter().find_map(|f| self.read.get(*f).and_then(|s| s.as_ref()).map(|s| (*f, s)))
        {
            return Finding::Ok(format!("{} (from {source})", label(field)));
        }
        let fix = format!(
            "{}: enable {}, or assign a permission set that has it (Setup > Users > Permission Sets > (set) > \
             System Permissions, then Manage Assignments).",
            self.where_to_edit(),
            labels.join(" or ")
        );
        let unknown: Vec<&str> = fields.iter().filter(|f| self.has(f).is_none()).map(|f| label(f)).collect();
        if unknown.is_empty() {
            Finding::problem(format!("the user lacks {}", labels.join(" and ")), fix)
        } else {
            let lacking: Vec<&str> = fields.iter().filter(|f| self.has(f) == Some(false)).map(|f| label(f)).collect();
            let mut detail = format!("{} could not be read ({})", unknown.join(", "), self.absent_text());
            if !lacking.is_empty() {
                detail = format!("the user lacks {}; {detail}", lacking.join(", "));
                return Finding::unknown(detail, fix);
            }
            // Nothing readable. The column being absent at this version does not prove the permission is
            // absent from Setup: say where to look, not that there is nothing to enable.
            let fix = format!(
                "Look in {} for {}: if it is listed, enable it there (or in a permission set assigned to the user).",
                self.where_to_edit(),
                unknown.join(" or ")
            );
            Finding::unknown(detail, fix)
        }
    }

    fn where_to_edit(&self) -> String {
        match &self.profile {
            Some(profile) => format!("Setup > Users > Profiles > {profile} > System Permissions"),
            None => "Setup > Users > Profiles > (the user's profile) > System Permissions".to_string(),
        }
    }

    /// `permissions`: what the user has, lacks and what could not be read, weighed by the preset's lists: a
    /// required permission or `one_of` group lacking is a problem, an advisory one lacking or unreadable too.
    pub fn summary(&self, wanted: &PresetPermissions) -> Finding {
        let names = |pred: &dyn Fn(&Option<String>) -> bool| -> Vec<&str> {
            self.read.iter().filter(|(_, s)| pred(s)).map(|(f, _)| label(f)).collect()
        };
        let has = names(&|s| s.is_some());
        let lacks = names(&|s| s.is_none());
        let mut detail = format!("has: {}", list_or_none(&has));
        detail.push_str(&format!("; lacks: {}", list_or_none(&lacks)));
        let plural = if self.sets == 1 { "" } else { "s" };
        detail.push_str(&format!(" (from {} permission set{plural}, the profile's included)", self.sets));
        if !self.unreadable.is_empty() {
            let unreadable: Vec<&str> = self.unreadable.iter().map(|f| label(f)).collect();
            detail.push_str(&format!("; could not be read ({}): {}", self.absent_text(), unreadable.join(", ")));
        }
        let held = |field: &String| self.has(field) == Some(true);
        let lacking = |field: &String| self.has(field) == Some(false);
        let group_label = |group: &[String]| group.iter().map(|f| label(f)).collect::<Vec<_>>().join(" or ");
        // Needed and surely not held; needed and unreadable (never guessed to be lacking).
        let mut missing: Vec<String> = wanted.required.iter().filter(|f| lacking(f)).map(|f| label(f).into()).collect();
        let mut unknown: Vec<String> =
            wanted.required.iter().filter(|f| self.has(f).is_none()).map(|f| label(f).into()).collect();
        for group in wanted.one_of.iter().filter(|g| !g.iter().any(held)) {
            if group.iter().all(lacking) { missing.push(group_label(group)) } else { unknown.push(group_label(group)) }
        }
        // Advised and not held; an unreadable one is not "not held" (the detail lists it as unreadable).
        let advisory: Vec<&str> =
            wanted.advisory.iter().filter(|f| lacking(f) && !self.alternative_held(f)).map(|f| label(f)).collect();
        let fix = format!("{}, or a permission set assigned to the user.", self.where_to_edit());
        if !missing.is_empty() {
            // The target's own list says these are required: fail whatever the checks list says.
            Finding::Broken { detail: format!("target needs {}: {detail}", missing.join(", ")), fix }
        } else if !unknown.is_empty() {
            Finding::problem(format!("target needs {}, which could not be read: {detail}", unknown.join(", ")), fix)
        } else if !advisory.is_empty() {
            Finding::problem(format!("target advises {}: {detail}", advisory.join(", ")), fix)
        } else if wanted.advisory.iter().any(|f| self.has(f).is_none()) {
            // Advised, and not shown at this API version: nothing is known either way.
            let fix = format!(
                "Look in {} for the permissions that could not be read: enable any that is listed there.",
                self.where_to_edit()
            );
            Finding::unknown(detail, fix)
        } else {
            Finding::Ok(detail)
        }
    }

    /// Whether a permission that does the same job as `field` is held (protocol notes §7: Use Any API Client is
    /// broader than Approve Uninstalled Connected Apps; Modify All Data covers Manage Connected Apps).
    fn alternative_held(&self, field: &str) -> bool {
        ALTERNATIVES
            .iter()
            .filter(|group| group.contains(&field))
            .any(|group| group.iter().any(|f| self.has(f) == Some(true)))
    }
}

fn list_or_none(items: &[&str]) -> String {
    if items.is_empty() { "none".to_string() } else { items.join(", ") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields() -> Vec<String> {
        PERMISSIONS.iter().map(|(f, _)| f.to_string()).collect()
    }

    fn assignments() -> Vec<Value> {
        vec![
            json!({"PermissionSet": {"IsOwnedByProfile": true, "Profile": {"Name": "Custom Integration"},
                "PermissionsApiEnabled": true, "PermissionsModifyAllData": false}}),
            json!({"PermissionSet": {"IsOwnedByProfile": false, "Label": "Connected App Admins",
                "Profile": null, "PermissionsManageRemoteAccess": true, "PermissionsApiEnabled": true}}),
        ]
    }

    #[test]
    fn missing_column_is_read_from_salesforce_wording() {
        let message = "\nSELECT ...\n^\nERROR at Row:1:Column:70\nNo such column 'PermissionsUseAnyApiClient' on \
                       entity 'PermissionSet'. If you are attempting to use a custom field, be sure to append the \
                       '__c' after the custom field name.";
        assert_eq!(missing_column(message), Some("PermissionsUseAnyApiClient"));
        assert_eq!(missing_column("unexpected token: 'FROM'"), None);
        // Issue 10, point 4: the column named by its relationship path.
        let by_path = "No such column 'PermissionSet.PermissionsCanApproveUninstalledApps' on entity \
                       'PermissionSetAssignment'.";
        assert_eq!(missing_column(by_path), Some("PermissionsCanApproveUninstalledApps"));
    }

    #[test]
    fn permissions_come_from_the_profile_and_every_set() {
        let effective = EffectivePermissions::from_assignments(&assignments(), &fields(), vec![]);
        assert_eq!(effective.profile.as_deref(), Some("Custom Integration"));
        assert_eq!(effective.has("PermissionsApiEnabled"), Some(true));
        assert_eq!(effective.has("PermissionsModifyAllData"), Some(false));
        let found = effective.any_of(&["PermissionsModifyAllData", "PermissionsManageRemoteAccess"]);
        assert_eq!(found, Finding::Ok("Manage Connected Apps (from permission set Connected App Admins)".into()));
        let lacking = effective.any_of(&["PermissionsViewSetup"]);
        assert!(matches!(lacking, Finding::Problem { ref fix, .. } if fix.contains("Profiles > Custom Integration")));
    }

    #[test]
    fn a_missing_column_is_unknown_not_false() {
        let unreadable = vec!["PermissionsUseAnyApiClient".to_string()];
        let effective = EffectivePermissions::from_assignments(&assignments(), &fields(), unreadable);
        assert_eq!(effective.has("PermissionsUseAnyApiClient"), None);
        let finding = effective.any_of(&["PermissionsCanApproveUninstalledApps", "PermissionsUseAnyApiClient"]);
        let Finding::Unknown { detail, .. } = finding else { panic!("{finding:?}") };
        assert!(detail.contains("lacks Approve Uninstalled Connected Apps"), "{detail}");
        assert!(detail.contains("Use Any API Client could not be read"), "{detail}");
        let wanted = PresetPermissions { required: vec!["PermissionsApiEnabled".into()], ..Default::default() };
        assert!(
            matches!(effective.summary(&wanted), Finding::Ok(d) if d.contains("could not be read (not in this org at the API version asked): Use Any"))
        );
    }

    /// Issue 10, point 4: a column missing at the version asked is "not in this org at API vNN", never
    /// "nothing to enable".
    #[test]
    fn a_column_missing_at_the_version_asked_says_the_version() {
        let unreadable = vec!["PermissionsCanApproveUninstalledApps".into(), "PermissionsUseAnyApiClient".into()];
        let effective =
            EffectivePermissions::from_assignments(&assignments(), &fields(), unreadable).at_version("66.0");
        let finding = effective.any_of(&["PermissionsCanApproveUninstalledApps", "PermissionsUseAnyApiClient"]);
        let Finding::Unknown { detail, fix } = finding else { panic!("{finding:?}") };
        assert!(detail.contains("not in this org at API v66.0"), "{detail}");
        assert!(!fix.contains("nothing to enable"), "{fix}");
        let wanted = PresetPermissions { advisory: vec!["PermissionsUseAnyApiClient".into()], ..Default::default() };
        let Finding::Unknown { detail, fix } = effective.summary(&wanted) else { panic!() };
        assert!(
            detail.contains("not in this org at API v66.0") && !fix.contains("nothing to enable"),
            "{detail} {fix}"
        );
    }
}
