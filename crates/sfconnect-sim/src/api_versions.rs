//! Which API versions the simulated org serves and which fields each version shows. Salesforce hides a field
//! from versions older than the one it arrived in: naming it there is `INVALID_FIELD` "No such column", exactly
//! as for a field the org does not have: a query sees the org through [`org_at`]. An org that serves fewer
//! versions (`SimConfig::newest_api_version`) answers 404 past its newest ([`refuse_unserved`]).

use std::borrow::Cow;

use axum::http::StatusCode;
use axum::response::Response;

use super::org::OrgFixture;
use super::state::Shared;
use super::wire;

/// The newest version Salesforce serves in late 2026: 68.0, Winter '27 (the Object Reference's and Life Sciences
/// Cloud Developer Guide's "Previous Versions" tables list 68.0 Winter '27, 67.0 Summer '26, 66.0 Spring '26).
pub const NEWEST_API_VERSION: u32 = 68;

/// Fields and the API version they arrived in, matched on the last segment of a path.
/// Unconfirmed: both came with the September 2025 connected-app restrictions (Approve Uninstalled Connected
/// Apps is a Summer '25 permission, admin.salesforce.com blog), so 64.0 (Summer '25) is our reading; no field
/// reference we could find gives the version.
const FIELDS_SINCE: &[(&str, u32)] =
    &[("PermissionsCanApproveUninstalledApps", 64), ("PermissionsUseAnyApiClient", 64)];

/// The major number of a `vNN.N` path segment.
pub fn major(segment: &str) -> Option<u32> {
    segment
        .strip_prefix('v')
        .and_then(|v| v.split_once('.'))
        .filter(|(_, minor)| *minor == "0")
        .and_then(|(major, _)| major.parse::<u32>().ok())
}

/// The org as a query at `version` (the `vNN.N` segment) sees it: the fields newer than the version are
/// columns it lacks. The org is copied only at versions that hide something.
pub fn org_at<'a>(org: &'a OrgFixture, version: &str) -> Cow<'a, OrgFixture> {
    let hidden: Vec<String> =
        FIELDS_SINCE.iter().filter(|(field, _)| !field_visible(field, version)).map(|(f, _)| f.to_string()).collect();
    if hidden.is_empty() {
        return Cow::Borrowed(org);
    }
    let mut older = org.clone();
    older.missing_columns.extend(hidden);
    Cow::Owned(older)
}

/// 404 NOT_FOUND, as Salesforce answers, for `/services/data/vNN.N…` past the org's newest version.
pub fn refuse_unserved(shared: &Shared, path: &str) -> Option<Response> {
    let segment = path.strip_prefix("/services/data/")?.split('/').next()?;
    let asked = major(segment)?;
    let newest = shared.lock().config.newest_api_version;
    (asked > newest && asked <= NEWEST_API_VERSION)
        .then(|| wire::rest_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist"))
}

/// Whether a query at `version` (the `vNN.N` segment) may name `path`.
pub fn field_visible(path: &str, version: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    let Some(asked) = major(version) else {
        return true;
    };
    FIELDS_SINCE.iter().all(|(field, since)| !field.eq_ignore_ascii_case(last) || asked >= *since)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_fields_are_hidden_from_older_versions_only() {
        assert!(!field_visible("PermissionsUseAnyApiClient", "v63.0"));
        assert!(!field_visible("PermissionSet.PermissionsCanApproveUninstalledApps", "v62.0"));
        assert!(field_visible("PermissionsCanApproveUninstalledApps", "v64.0"));
        assert!(field_visible("PermissionsApiEnabled", "v31.0"));
    }
}
