//! The sObjects the simulator can query, as data: each is a name, the field paths a query may name, and a plain
//! function from the org fixture to full rows (nested relationship records, `attributes` included). To make a
//! new object queryable (PermissionSetAssignment, OauthToken, ConnectedApplication…), add an entry to
//! [`objects`] and a row function; the engine in `query.rs` needs no change.

use serde_json::{Value, json};

use super::org::{OrgFixture, UserFixture, permission_fields};
use super::org_apps::{
    ECA_POLICY_FIELDS, EXTERNAL_CLIENT_APPLICATION_FIELDS, eca_policy_rows, external_client_app_rows,
};
use super::sobjects_access::{
    connected_app_rows, oauth_token_rows, permission_set_assignment_rows, permission_set_rows,
};

/// One queryable sObject.
pub struct SObject {
    pub name: &'static str,
    /// Every field path a query may name, in canonical spelling.
    pub fields: &'static [&'static str],
    /// All rows, each a full record with nested relationship records, `attributes` included.
    pub rows: fn(&OrgFixture, &str) -> Vec<Value>,
    /// The same rows without relationship records, when no selected or filtered path has a `.`: building the
    /// nested profile of 50 000 users for a `COUNT()` would dominate a large org's query time.
    pub flat_rows: Option<fn(&OrgFixture, &str) -> Vec<Value>>,
}

/// `PermissionSet`: its own fields, its profile, then every permission.
const PERMISSION_SET_FIELDS: [&str; 24] = {
    let head = ["Id", "Name", "Label", "IsOwnedByProfile", "ProfileId", "Profile.Id", "Profile.Name", "Type"];
    let perms = permission_fields!("");
    let mut out = [""; 24];
    let mut i = 0;
    while i < 24 {
        out[i] = if i < 8 { head[i] } else { perms[i - 8] };
        i += 1;
    }
    out
};

/// `PermissionSetAssignment`: its own fields, then the set's through the `PermissionSet.` relationship.
const PERMISSION_SET_ASSIGNMENT_FIELDS: [&str; 27] = {
    let head = [
        "Id",
        "AssigneeId",
        "PermissionSetId",
        "PermissionSet.Id",
        "PermissionSet.Name",
        "PermissionSet.Label",
        "PermissionSet.IsOwnedByProfile",
        "PermissionSet.ProfileId",
        "PermissionSet.Profile.Id",
        "PermissionSet.Profile.Name",
        "PermissionSet.Type",
    ];
    let perms = permission_fields!("PermissionSet.");
    let mut out = [""; 27];
    let mut i = 0;
    while i < 27 {
        out[i] = if i < 11 { head[i] } else { perms[i - 11] };
        i += 1;
    }
    out
};

pub fn objects() -> &'static [SObject] {
    &[
        SObject {
            name: "Organization",
            fields: &[
                "Id",
                "Name",
                "OrganizationType",
                "InstanceName",
                "IsSandbox",
                "Country",
                "LanguageLocaleKey",
                "DefaultLocaleSidKey",
                "TimeZoneSidKey",
                "NamespacePrefix",
                "TrialExpirationDate",
            ],
            rows: organization_rows,
            flat_rows: None,
        },
        SObject {
            name: "User",
            fields: &[
                "Id",
                "Username",
                "Name",
                "FirstName",
                "LastName",
                "Email",
                "IsActive",
                "UserType",
                "LanguageLocaleKey",
                "TimeZoneSidKey",
                "ProfileId",
                "Profile.Id",
                "Profile.Name",
                "Profile.UserLicenseId",
                "Profile.UserLicense.Id",
                "Profile.UserLicense.Name",
            ],
            rows: user_rows,
            flat_rows: Some(user_rows_flat),
        },
        SObject {
            name: "Profile",
            fields: &["Id", "Name", "UserLicenseId", "UserLicense.Id", "UserLicense.Name"],
            rows: profile_rows,
            flat_rows: None,
        },
        SObject {
            name: "UserLicense",
            fields: &["Id", "Name", "MasterLabel", "Status", "UsedLicenses", "TotalLicenses"],
            rows: licence_rows,
            flat_rows: None,
        },
        SObject { name: "PermissionSet", fields: &PERMISSION_SET_FIELDS, rows: permission_set_rows, flat_rows: None },
        SObject {
            name: "PermissionSetAssignment",
            fields: &PERMISSION_SET_ASSIGNMENT_FIELDS,
            rows: permission_set_assignment_rows,
            flat_rows: None,
        },
        SObject {
            name: "OauthToken",
            fields: &[
                "Id",
                "AppName",
                "AppMenuItemId",
                "UserId",
                "CreatedDate",
                "LastUsedDate",
                "UseCount",
                "DeleteToken",
            ],
            rows: oauth_token_rows,
            flat_rows: None,
        },
        SObject {
            name: "ConnectedApplication",
            fields: &[
                "Id",
                "Name",
                "OptionsAllowAdminApprovedUsersOnly",
                "OptionsRefreshTokenValidityMetric",
                "OptionsHasSessionLevelPolicy",
                "RefreshTokenValidityPeriod",
                "MobileSessionTimeout",
                "MobileStartUrl",
                "NamedUserUvidTimeout",
                "PinLength",
                "StartUrl",
            ],
            rows: connected_app_rows,
            flat_rows: None,
        },
        SObject {
            name: "ExternalClientApplication",
            fields: EXTERNAL_CLIENT_APPLICATION_FIELDS,
            rows: external_client_app_rows,
            flat_rows: None,
        },
        SObject { name: "ExtlClntAppOauthPlcyCnfg", fields: ECA_POLICY_FIELDS, rows: eca_policy_rows, flat_rows: None },
    ]
}

pub(super) fn attributes(kind: &str, version: &str, id: &str) -> Value {
    json!({"type": kind, "url": format!("/services/data/{version}/sobjects/{kind}/{id}")})
}

fn organization_rows(org: &OrgFixture, version: &str) -> Vec<Value> {
    vec![json!({
        "attributes": attributes("Organization", version, &org.org_id),
        "Id": org.org_id,
        "Name": org.name,
        "OrganizationType": org.edition,
        "InstanceName": org.instance,
        "IsSandbox": org.is_sandbox,
        "Country": "US",
        "LanguageLocaleKey": "en_US",
        "DefaultLocaleSidKey": "en_US",
        "TimeZoneSidKey": "America/Los_Angeles",
        "NamespacePrefix": null,
        "TrialExpirationDate": null,
    })]
}

fn user_row(user: &UserFixture, version: &str) -> Value {
    let mut row = user_row_flat(user, version);
    if let Value::Object(map) = &mut row {
        map.insert("Profile".to_string(), profile_row(user, version));
    }
    row
}

/// A User row without its `Profile` relationship record.
fn user_row_flat(user: &UserFixture, version: &str) -> Value {
    json!({
        "attributes": attributes("User", version, &user.user_id),
        "Id": user.user_id,
        "Username": user.username,
        "Name": user.display_name,
        "FirstName": user.first_name,
        "LastName": user.last_name,
        "Email": (!user.email.is_empty()).then_some(&user.email),
        "IsActive": user.is_active,
        "UserType": "Standard",
        "LanguageLocaleKey": "en_US",
        "TimeZoneSidKey": "America/Los_Angeles",
        "ProfileId": user.profile_id,
    })
}

/// The profile of `user`, with its licence nested.
fn profile_row(user: &UserFixture, version: &str) -> Value {
    json!({
        "attributes": attributes("Profile", version, &user.profile_id),
        "Id": user.profile_id,
        "Name": user.profile_name,
        "UserLicenseId": user.licence_id,
        "UserLicense": {
            "attributes": attributes("UserLicense", version, &user.licence_id),
            "Id": user.licence_id,
            "Name": user.licence_name,
        },
    })
}

/// One user of each distinct value of `key`, in fixture order.
fn distinct_by(org: &OrgFixture, key: fn(&UserFixture) -> &str) -> Vec<&UserFixture> {
    let mut seen: Vec<&str> = Vec::new();
    org.users()
        .filter(|u| {
            let fresh = !seen.contains(&key(u));
            if fresh {
                seen.push(key(u));
            }
            fresh
        })
        .collect()
}

/// Profiles are those the fixture's users have.
fn profile_rows(org: &OrgFixture, version: &str) -> Vec<Value> {
    distinct_by(org, |u| &u.profile_id).into_iter().map(|u| profile_row(u, version)).collect()
}

/// Licences are those the fixture's users have; `UsedLicenses` counts their active users.
fn licence_rows(org: &OrgFixture, version: &str) -> Vec<Value> {
    distinct_by(org, |u| &u.licence_id)
        .into_iter()
        .map(|u| {
            let used = org.users().filter(|o| o.is_active && o.licence_id == u.licence_id).count();
            json!({
                "attributes": attributes("UserLicense", version, &u.licence_id),
                "Id": u.licence_id,
                "Name": u.licence_name,
                "MasterLabel": u.licence_name,
                "Status": "Active",
                "UsedLicenses": used,
                "TotalLicenses": org
                    .licence_totals
                    .iter()
                    .find(|(name, _)| *name == u.licence_name)
                    .map_or(used as u64 + 10, |(_, total)| *total),
            })
        })
        .collect()
}

fn user_rows(org: &OrgFixture, version: &str) -> Vec<Value> {
    org.users().map(|u| user_row(u, version)).collect()
}

fn user_rows_flat(org: &OrgFixture, version: &str) -> Vec<Value> {
    org.users().map(|u| user_row_flat(u, version)).collect()
}
