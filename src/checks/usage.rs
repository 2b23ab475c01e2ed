//! `api_usage` (daily API requests left, from `/limits`) and `scopes_granted` (the token's scopes against the
//! target's).

use serde_json::Value;

use super::Finding;
use super::app_policy::{AppKind, oauth_settings_path, settings_delay_minutes};
use crate::salesforce::Scopes;
use crate::salesforce::scope::scope_info;

/// Below this share of the daily API requests left, warn.
pub const LOW_SHARE_PERCENT: u64 = 10;

pub fn api_usage(limits: &Value) -> Finding {
    let daily = &limits["DailyApiRequests"];
    let (Some(max), Some(remaining)) = (daily["Max"].as_u64(), daily["Remaining"].as_u64()) else {
        return Finding::unknown(
            "DailyApiRequests is not in the limits answer",
            "See Setup > Company Information: API Requests, Last 24 Hours.",
        );
    };
    let percent = (remaining * 100).checked_div(max).unwrap_or(0);
    let detail = format!("{remaining} of {max} left today ({percent}%)");
    if max == 0 || remaining * 100 < max * LOW_SHARE_PERCENT {
        Finding::problem(
            format!("{detail}: the connector's first sync may run out"),
            "Wait for the rolling 24-hour window to free requests, find the heavy user in Setup > Company \
             Information (API Requests, Last 24 Hours) and the API Usage report, or buy more API calls from your \
             Salesforce account executive.",
        )
    } else {
        Finding::Ok(detail)
    }
}

/// `scopes_granted`, its fix naming the OAuth settings page of `app` for its kind (both when unknown).
pub fn scopes_granted(granted: &Scopes, required: &Scopes, app: &str, kind: Option<AppKind>) -> Finding {
    let missing = required.missing_from(granted);
    if missing.is_empty() {
        return Finding::Ok(format!("granted: {}", granted.to_param()));
    }
    let labels: Vec<String> = missing
        .iter()
        .map(|token| match scope_info(token) {
            Some(info) => format!("\"{}\"", info.label),
            None => format!("\"{token}\""),
        })
        .collect();
    Finding::problem(
        format!("not granted: {} (granted: {})", missing.join(", "), granted.to_param()),
        format!(
            "{} > Selected OAuth Scopes: add {}, Save, wait up to {} minutes, then authorize again (a token keeps \
             the scopes it was granted).",
            oauth_settings_path(app, kind),
            labels.join(", "),
            settings_delay_minutes(kind)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn low_budget_warns_below_ten_percent() {
        let limits = |remaining: u64| json!({"DailyApiRequests": {"Max": 100_000, "Remaining": remaining}});
        assert!(matches!(api_usage(&limits(99_000)), Finding::Ok(d) if d.contains("99%")));
        assert!(matches!(api_usage(&limits(10_000)), Finding::Ok(_)));
        assert!(matches!(api_usage(&limits(4_000)), Finding::Problem { ref detail, .. } if detail.contains("4%")));
        assert!(matches!(api_usage(&json!({})), Finding::Unknown { .. }));
    }

    #[test]
    fn missing_scopes_are_named_with_their_setup_labels() {
        let granted = Scopes::parse("api refresh_token");
        assert!(matches!(scopes_granted(&granted, &Scopes::parse("api offline_access"), "Acme", None), Finding::Ok(_)));
        let Finding::Problem { detail, fix } = scopes_granted(&granted, &Scopes::parse("api full"), "Acme", None)
        else {
            panic!()
        };
        assert!(detail.starts_with("not granted: full"), "{detail}");
        assert!(fix.contains("Selected OAuth Scopes"), "{fix}");
    }

    /// From a new-user trial: the scopes fix named the Connected App's page for an External Client App.
    #[test]
    fn the_scopes_fix_names_the_page_of_the_kind_of_app() {
        let granted = Scopes::parse("api refresh_token");
        let fix = |kind| match scopes_granted(&granted, &Scopes::parse("api full"), "Acme", kind) {
            Finding::Problem { fix, .. } => fix,
            other => panic!("{other:?}"),
        };
        let eca = fix(Some(AppKind::ExternalClientApp));
        assert!(eca.contains("External Client App Manager > Acme > Settings > Edit > OAuth Settings"), "{eca}");
        assert!(!eca.contains("App Manager > Acme > View") && eca.contains("15 minutes"), "{eca}");
        let ca = fix(Some(AppKind::ConnectedApp));
        assert!(ca.contains("Setup > Apps > App Manager > Acme") && ca.contains("10 minutes"), "{ca}");
        assert!(!ca.contains("External Client App"), "{ca}");
    }
}
