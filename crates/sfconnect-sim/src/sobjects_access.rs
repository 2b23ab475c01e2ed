//! Rows of the objects that say who may do what: `PermissionSet`, `PermissionSetAssignment` (with the set nested),
//! `OauthToken` and `ConnectedApplication`, built from the org fixture. Columns the fixture lists as missing are
//! left out of the rows as well as refused in queries.
//!
//! Simplification: a profile-owned set is listed as assigned to the logged-in user only (not to every user of the
//! profile), so that an org of 50 000 users does not build 50 000 assignment rows for each query.

use serde_json::{Map, Value, json};

use super::org::{OrgFixture, PERMISSION_FIELDS, PermissionSetFixture};
use super::sobjects::attributes;
use super::state::salesforce_now;

fn permission_set_row(org: &OrgFixture, set: &PermissionSetFixture, version: &str) -> Value {
    let mut row = Map::new();
    row.insert("attributes".into(), attributes("PermissionSet", version, &set.id));
    row.insert("Id".into(), json!(set.id));
    row.insert("Name".into(), json!(set.name));
    row.insert("Label".into(), json!(set.label));
    row.insert("IsOwnedByProfile".into(), json!(set.profile_id.is_some()));
    row.insert("ProfileId".into(), json!(set.profile_id));
    row.insert("Type".into(), json!(if set.profile_id.is_some() { "Profile" } else { "Regular" }));
    let profile = match (&set.profile_id, &set.profile_name) {
        (Some(id), Some(name)) => json!({"attributes": attributes("Profile", version, id), "Id": id, "Name": name}),
        _ => Value::Null,
    };
    row.insert("Profile".into(), profile);
    for field in PERMISSION_FIELDS.iter().filter(|f| org.has_column(f)) {
        row.insert((*field).into(), json!(set.grants(field)));
    }
    Value::Object(row)
}

pub fn permission_set_rows(org: &OrgFixture, version: &str) -> Vec<Value> {
    org.permission_sets.iter().map(|set| permission_set_row(org, set, version)).collect()
}

pub fn permission_set_assignment_rows(org: &OrgFixture, version: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    for (n, set) in org.permission_sets.iter().enumerate() {
        let assignees: Vec<&str> = match &set.profile_id {
            Some(profile) if *profile == org.user.profile_id => vec![org.user.user_id.as_str()],
            Some(_) => Vec::new(),
            None => set.assignees.iter().map(String::as_str).collect(),
        };
        for (m, assignee) in assignees.into_iter().enumerate() {
            let id = format!("0Pa5g{n:06}{m:07}");
            rows.push(json!({
                "attributes": attributes("PermissionSetAssignment", version, &id),
                "Id": id,
                "AssigneeId": assignee,
                "PermissionSetId": set.id,
                "PermissionSet": permission_set_row(org, set, version),
            }));
        }
    }
    rows
}

/// `Id` is always null on OauthToken (protocol notes §6); `DeleteToken` is what revoke takes.
pub fn oauth_token_rows(org: &OrgFixture, version: &str) -> Vec<Value> {
    org.tokens
        .iter()
        .enumerate()
        .map(|(n, token)| {
            json!({
                "attributes": {"type": "OauthToken", "url": format!("/services/data/{version}/sobjects/OauthToken/")},
                "Id": null,
                "AppName": token.app_name,
                "AppMenuItemId": (!org.is_external_client_app(&token.app_name)).then(|| format!("0DS5g{n:013}")),
                "UserId": token.user_id,
                "CreatedDate": token.created,
                "LastUsedDate": if token.in_constant_use { Some(salesforce_now()) } else { token.last_used.clone() },
                "UseCount": token.use_count,
                "DeleteToken": format!("sim-delete-token-{n}"),
            })
        })
        .collect()
}

/// Connected Apps only: an External Client App is not listed here (it has its own objects).
pub fn connected_app_rows(org: &OrgFixture, version: &str) -> Vec<Value> {
    org.connected_apps
        .iter()
        .map(|app| {
            json!({
                "attributes": attributes("ConnectedApplication", version, &app.id),
                "Id": app.id,
                "Name": app.name,
                "OptionsAllowAdminApprovedUsersOnly": app.admin_approved_users_only,
                "OptionsRefreshTokenValidityMetric": app.refresh_validity_by_inactivity,
                "OptionsHasSessionLevelPolicy": false,
                "RefreshTokenValidityPeriod": org.until_revoked.period(app.refresh_token_validity_period),
                "MobileSessionTimeout": null,
                "MobileStartUrl": null,
                "NamedUserUvidTimeout": null,
                "PinLength": null,
                "StartUrl": null,
            })
        })
        .collect()
}
