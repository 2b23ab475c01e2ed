//! The connected app's policies as far as `ConnectedApplication` shows them (refresh token policy, Permitted
//! Users), and the settings the API does not show (IP Relaxation, the device flow's checkbox, MFA, object access),
//! which are asked of the admin with the exact place to look.

use serde::Deserialize;

use super::{Finding, soql_text};

/// The query for the app called `name`. Consumer key, callback and scopes are not exposed (protocol notes §6).
pub fn query(name: &str) -> String {
    format!(
        "SELECT Id, Name, OptionsAllowAdminApprovedUsersOnly, OptionsRefreshTokenValidityMetric, \
         RefreshTokenValidityPeriod FROM ConnectedApplication WHERE Name = {}",
        soql_text(name)
    )
}

/// One ConnectedApplication row.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ConnectedAppRecord {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "OptionsAllowAdminApprovedUsersOnly", default)]
    pub admin_approved_only: Option<bool>,
    /// True when the validity period counts inactivity rather than lifetime.
    #[serde(rename = "OptionsRefreshTokenValidityMetric", default)]
    pub by_inactivity: Option<bool>,
    #[serde(rename = "RefreshTokenValidityPeriod", default)]
    pub validity_period: Option<i64>,
}

/// The query for an External Client App's OAuth policies, by its name as Setup shows it (its label) or its API
/// name (what `app create` records: the label is the API name with spaces). The object and
/// field names are from third-party tools that read them (sfdx-hardis, Salesforce Inspector Reloaded) [C-3p:
/// not in a Salesforce object reference we could cite]; the picklist values follow the metadata type
/// ExtlClntAppOauthConfigurablePolicies (Metadata API guide, API 59.0+).
pub fn eca_query(name: &str) -> String {
    let name = soql_text(name);
    format!(
        "SELECT ExternalClientApplication.MasterLabel, ExternalClientApplication.DeveloperName, \
         PermittedUsersPolicyType, IpRelaxationPolicyType, RefreshTokenPolicyType, RefreshTokenValidityPeriod, \
         RefreshTokenValidityUnit FROM ExtlClntAppOauthPlcyCnfg WHERE ExternalClientApplication.MasterLabel = {name} \
         OR ExternalClientApplication.DeveloperName = {name}"
    )
}

/// The app an `ExtlClntAppOauthPlcyCnfg` row belongs to.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct EcaNames {
    /// The name Setup shows, and `OauthToken.AppName` (protocol notes: External Client Apps).
    #[serde(rename = "MasterLabel", default)]
    pub label: Option<String>,
    #[serde(rename = "DeveloperName", default)]
    pub api_name: Option<String>,
}

/// One ExtlClntAppOauthPlcyCnfg row: an External Client App's OAuth policies.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct EcaPolicyRecord {
    #[serde(rename = "ExternalClientApplication", default)]
    pub app: Option<EcaNames>,
    /// `AdminApprovedPreAuthorized` or `AllSelfAuthorized`.
    #[serde(rename = "PermittedUsersPolicyType", default)]
    pub permitted_users: Option<String>,
    /// `Enforce`, `Bypass`, `Bypass_2factor` or `Enforce_RelaxRefresh`.
    #[serde(rename = "IpRelaxationPolicyType", default)]
    pub ip_relaxation: Option<String>,
    /// `Infinite`, `Zero` (expire immediately), `SpecificLifetime` or `SpecificInactivity` [C-3p].
    #[serde(rename = "RefreshTokenPolicyType", default)]
    pub refresh_policy: Option<String>,
    #[serde(rename = "RefreshTokenValidityPeriod", default)]
    pub validity_period: Option<i64>,
    #[serde(rename = "RefreshTokenValidityUnit", default)]
    pub validity_unit: Option<String>,
}

impl EcaPolicyRecord {
    /// The app's label, the name its tokens show.
    pub fn label(&self) -> Option<&str> {
        self.app.as_ref().and_then(|a| a.label.as_deref())
    }
}

/// Of the rows found for `name`, the one whose label is `name`, else the first (found by its API name).
pub fn eca_record_named(records: Vec<EcaPolicyRecord>, name: &str) -> Option<EcaPolicyRecord> {
    let exact = records.iter().position(|r| r.label() == Some(name)).unwrap_or(0);
    records.into_iter().nth(exact)
}

/// `refresh_policy_infinite` for an External Client App. As for a Connected App, "expire immediately" cannot
/// be what applies when the refresh token has just refreshed.
pub fn eca_refresh_policy(app: &str, record: &EcaPolicyRecord, refreshed: bool) -> Finding {
    let path = || policies_path(app, Some(AppKind::ExternalClientApp));
    let policy = record.refresh_policy.as_deref().unwrap_or("").to_ascii_lowercase();
    let period = record.validity_period.unwrap_or(0);
    let unit = record.validity_unit.as_deref().unwrap_or("units").to_ascii_lowercase();
    match policy.as_str() {
        "infinite" => Finding::Ok("Refresh token is valid until revoked".into()),
        "zero" | "expireimmediately" if refreshed => Finding::unknown(
            format!(
                "RefreshTokenPolicyType reads {} (\"expire immediately\"), but the refresh token has just refreshed, \
                 so that is not what Salesforce applies: the policy could not be read",
                record.refresh_policy.as_deref().unwrap_or("")
            ),
            format!("Check {}: Refresh Token Policy.", path()),
        ),
        "" => Finding::unknown("the Refresh Token Policy is empty", format!("Check {}.", path())),
        _ => {
            let detail = match policy.as_str() {
                "zero" | "expireimmediately" => "refresh tokens expire immediately".to_string(),
                p if p.contains("inactiv") => format!("a refresh token expires after {period} {unit} without use"),
                _ => format!("a refresh token expires {period} {unit} after it is issued"),
            };
            Finding::problem(
                format!("{detail}: the connector will stop working when its token expires"),
                format!("{}: Refresh Token Policy = \"Refresh token is valid until revoked\", then Save.", path()),
            )
        }
    }
}

/// `permitted_users` for an External Client App.
pub fn eca_permitted_users(app: &str, record: &EcaPolicyRecord) -> Finding {
    match record.permitted_users.as_deref() {
        Some(p) if p.eq_ignore_ascii_case("AllSelfAuthorized") => Finding::Ok("All users may self-authorize".into()),
        Some(p) if p.eq_ignore_ascii_case("AdminApprovedPreAuthorized") => Finding::Ok(format!(
            "Admin approved users are pre-authorized, and this user is (the token works); other users need their \
             profile or a permission set added: {} > Policies > App Policies",
            app
        )),
        other => Finding::unknown(
            format!("Permitted Users could not be read ({})", other.unwrap_or("empty")),
            format!("{}: see Permitted Users.", policies_path(app, Some(AppKind::ExternalClientApp))),
        ),
    }
}

/// `ip_relaxation` for an External Client App.
pub fn eca_ip_relaxation(app: &str, record: &EcaPolicyRecord) -> Finding {
    let fix = format!(
        "{}: IP Relaxation = \"Relax IP restrictions\" if the connector calls from addresses outside the org's \
         trusted ranges.",
        policies_path(app, Some(AppKind::ExternalClientApp))
    );
    match record.ip_relaxation.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("bypass") => Finding::Ok("Relax IP restrictions".into()),
        Some("bypass_2factor") => Finding::Ok("Relax IP restrictions with second factor".into()),
        Some("enforce_relaxrefresh") => Finding::Ok("Enforce IP restrictions, but relax for refresh tokens".into()),
        Some("enforce") => Finding::problem(
            "Enforce IP restrictions: the connector's addresses must be in the org's trusted IP ranges",
            fix,
        ),
        _ => Finding::unknown("IP Relaxation could not be read", fix),
    }
}

/// Which kind of app the admin created, when known (the wizard knows it; `check --app-kind` tells it).
/// The Setup paths in the fixes differ: an External Client App lives in its own manager.
pub use crate::salesforce::AppKind;

/// The device flow's checkbox as Setup labels it for this kind of app.
pub fn device_flow_label(kind: AppKind) -> &'static str {
    match kind {
        AppKind::ExternalClientApp => "Enable Device Flow",
        AppKind::ConnectedApp => "Enable for Device Flow",
    }
}

/// The device flow's checkbox, quoted, for a kind that may not be known (then both labels).
pub fn device_flow_checkbox(kind: Option<AppKind>) -> String {
    match kind {
        Some(kind) => format!("\"{}\"", device_flow_label(kind)),
        None => "\"Enable for Device Flow\" (External Client App: \"Enable Device Flow\")".to_string(),
    }
}

/// How many minutes a change to the app's OAuth settings may take to reach every server
/// ([`AppKind::propagation_limit`]); with the kind unknown, the longer.
pub fn settings_delay_minutes(kind: Option<AppKind>) -> u64 {
    kind.unwrap_or(AppKind::ExternalClientApp).propagation_limit().as_secs() / 60
}

/// How to switch the device flow on for the app `app` of this kind (the answer to Salesforce's
/// "device flow is not enabled for the app").
pub fn device_flow_fix(app: &str, kind: AppKind) -> String {
    let flag = match kind {
        AppKind::ExternalClientApp => format!("Flow Enablement: tick \"{}\"", device_flow_label(kind)),
        AppKind::ConnectedApp => format!("tick \"{}\"", device_flow_label(kind)),
    };
    format!(
        "{}: {flag}. Save, wait up to {} minutes, then start the device login again.",
        oauth_settings_path(app, Some(kind)),
        settings_delay_minutes(Some(kind))
    )
}

/// Where an app's OAuth policies are. The External Client App path is our reading of Setup [B: not
/// confirmed from a Salesforce page]; with the kind unknown, both are given.
pub fn policies_path(app: &str, kind: Option<AppKind>) -> String {
    let connected =
        format!("Setup > Apps > Connected Apps > Manage Connected Apps > {app} > Edit Policies > OAuth Policies");
    let external = format!("Setup > External Client App Manager > {app} > Policies > Edit > OAuth Policies");
    match kind {
        Some(AppKind::ConnectedApp) => connected,
        Some(AppKind::ExternalClientApp) => external,
        None => format!("{connected} (for an External Client App: {external})"),
    }
}

/// Where an app's OAuth usage (the users and tokens it has) is. The External Client App path is our reading
/// of Setup [B: not confirmed from a Salesforce page]; with the kind unknown, both are given.
pub fn oauth_usage_path(app: &str, kind: Option<AppKind>) -> String {
    let connected = format!("Setup > Apps > Connected Apps > Connected Apps OAuth Usage > {app}");
    let external = format!("Setup > External Client App Manager > {app} > OAuth Usage");
    match kind {
        Some(AppKind::ConnectedApp) => connected,
        Some(AppKind::ExternalClientApp) => external,
        None => format!("{connected} (for an External Client App: {external})"),
    }
}

/// Where an app's OAuth settings (flows, callback, scopes) are.
pub fn oauth_settings_path(app: &str, kind: Option<AppKind>) -> String {
    let connected = format!("Setup > Apps > App Manager > {app} > View > API (Enable OAuth Settings)");
    let external = format!("Setup > External Client App Manager > {app} > Settings > Edit > OAuth Settings");
    match kind {
        Some(AppKind::ConnectedApp) => connected,
        Some(AppKind::ExternalClientApp) => external,
        None => format!("{connected} (for an External Client App: {external})"),
    }
}

/// `refresh_policy_infinite`. How Salesforce stores "valid until revoked" in `RefreshTokenValidityPeriod` is
/// unconfirmed (the object reference does not say how each Refresh Token Policy choice is stored): null and 0
/// are both read as "valid until revoked". A value that would mean "expire immediately" (below 0) cannot be
/// true when `refreshed` (the refresh token has just refreshed): then the policy is reported as not readable,
/// with where to look, never as a warning that contradicts what the run proved.
pub fn refresh_policy(app: &ConnectedAppRecord, refreshed: bool) -> Finding {
    let path = || policies_path(&app.name, Some(AppKind::ConnectedApp));
    match app.validity_period {
        None | Some(0) => Finding::Ok("Refresh token is valid until revoked (no validity period set)".into()),
        Some(period) if period < 0 && refreshed => Finding::unknown(
            format!(
                "RefreshTokenValidityPeriod reads {period} (\"expire immediately\"), but the refresh token has just \
                 refreshed, so that is not what Salesforce applies: the policy could not be read"
            ),
            format!("Check {}: Refresh Token Policy.", path()),
        ),
        Some(period) => {
            // The period's unit (hours, days, months) is not in the object: Setup shows it.
            let detail = match (period < 0, app.by_inactivity == Some(true)) {
                (true, _) => "refresh tokens expire immediately".to_string(),
                (false, true) => format!("a refresh token expires after {period} units (see Setup) without use"),
                (false, false) => format!("a refresh token expires {period} units (see Setup) after it is issued"),
            };
            Finding::problem(
                format!("{detail}: the connector will stop working when its token expires"),
                format!("{}: Refresh Token Policy = \"Refresh token is valid until revoked\", then Save.", path()),
            )
        }
    }
}

/// `permitted_users`: both choices let this user in (the token just worked); admin-approved means every other
/// user needs their profile or a permission set added to the app.
pub fn permitted_users(app: &ConnectedAppRecord) -> Finding {
    match app.admin_approved_only {
        Some(false) => Finding::Ok("All users may self-authorize".into()),
        Some(true) => Finding::Ok(format!(
            "Admin approved users are pre-authorized, and this user is (the token works); other users need their \
             profile or a permission set added: Manage Connected Apps > {} > Manage Profiles / Manage Permission Sets",
            app.name
        )),
        None => Finding::unknown(
            "Permitted Users could not be read",
            format!("{}: see Permitted Users.", policies_path(&app.name, Some(AppKind::ConnectedApp))),
        ),
    }
}

/// When the app is not in `ConnectedApplication`: an External Client App is not listed there, or the
/// name differs.
pub fn app_not_found(name: &str, kind: Option<AppKind>) -> Finding {
    let detail = match kind {
        Some(AppKind::ExternalClientApp) => format!(
            "no External Client App labelled or named {name} is visible through the API (ExtlClntAppOauthPlcyCnfg): \
             check its policies in Setup"
        ),
        _ => format!("no connected app named {name} is visible through the API (an External Client App is not listed)"),
    };
    Finding::unknown(detail, format!("Check it in {}.", policies_path(name, kind)))
}

/// `ip_relaxation`: not in ConnectedApplication.
pub fn ip_relaxation(app: &str, kind: Option<AppKind>) -> Finding {
    Finding::unknown(
        "not visible through the API: look in Setup (the fix says where)",
        format!("Check {}: IP Relaxation = \"Relax IP restrictions\".", policies_path(app, kind)),
    )
}

/// `device_flow_enabled`: an OAuth setting the API does not show, unless this very authorization used
/// the device flow, which proves it is on.
pub fn device_flow(app: &str, kind: Option<AppKind>, used: bool) -> Finding {
    if used {
        return Finding::Ok("on: this authorization used the device flow".into());
    }
    let flag = match kind {
        Some(AppKind::ExternalClientApp) => format!("Flow Enablement: {}", device_flow_checkbox(kind)),
        _ => device_flow_checkbox(kind),
    };
    Finding::unknown(
        "not visible through the API: look in Setup (the fix says where)",
        format!("Check {}: {flag}.", oauth_settings_path(app, kind)),
    )
}

pub fn mfa() -> Finding {
    Finding::unknown(
        "not visible through the API: look in Setup (the fix says where)",
        "Check Setup > Identity Verification: \"Require multi-factor authentication (MFA) for all direct UI logins \
         to your Salesforce org\".",
    )
}

pub fn object_access(profile: Option<&str>) -> Finding {
    Finding::unknown(
        "not checked yet: which objects and fields the integration reads depends on the target",
        format!(
            "Check Setup > Users > Profiles > {} > Object Settings: Read, View All Records and View All Fields on \
             each object the integration reads.",
            profile.unwrap_or("(the user's profile)")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(period: Option<i64>, admin_only: bool) -> ConnectedAppRecord {
        ConnectedAppRecord {
            name: "sfconnect".into(),
            admin_approved_only: Some(admin_only),
            by_inactivity: Some(true),
            validity_period: period,
        }
    }

    #[test]
    fn an_expiring_refresh_token_is_a_problem() {
        assert!(matches!(refresh_policy(&app(None, false), true), Finding::Ok(_)));
        let Finding::Problem { detail, fix } = refresh_policy(&app(Some(90), false), true) else { panic!() };
        assert!(detail.contains("90") && detail.contains("without use"), "{detail}");
        assert!(fix.contains("Manage Connected Apps > sfconnect > Edit Policies"), "{fix}");
    }

    /// Issue 10, point 5: an External Client App's policies come from its own objects.
    #[test]
    fn an_external_client_app_s_policies_are_read_from_its_policy_record() {
        let record: EcaPolicyRecord = serde_json::from_value(serde_json::json!({
            "attributes": {"type": "ExtlClntAppOauthPlcyCnfg"},
            "ExternalClientApplication": {"MasterLabel": "Acme", "DeveloperName": "Acme"},
            "PermittedUsersPolicyType": "AdminApprovedPreAuthorized", "IpRelaxationPolicyType": "Enforce",
            "RefreshTokenPolicyType": "SpecificLifetime", "RefreshTokenValidityPeriod": 90,
            "RefreshTokenValidityUnit": "Days",
        }))
        .unwrap();
        assert_eq!(record.label(), Some("Acme"), "the label its tokens show");
        let Finding::Problem { detail, fix } = eca_refresh_policy("Acme", &record, true) else { panic!() };
        assert!(detail.contains("90 days after it is issued"), "{detail}");
        assert!(fix.contains("External Client App Manager > Acme > Policies"), "{fix}");
        assert!(matches!(eca_permitted_users("Acme", &record), Finding::Ok(d) if d.contains("pre-authorized")));
        assert!(matches!(eca_ip_relaxation("Acme", &record), Finding::Problem { .. }));
        let zero = EcaPolicyRecord { refresh_policy: Some("Zero".into()), ..record.clone() };
        assert!(matches!(eca_refresh_policy("Acme", &zero, true), Finding::Unknown { .. }));
        let infinite = EcaPolicyRecord { refresh_policy: Some("Infinite".into()), ..record };
        assert!(matches!(eca_refresh_policy("Acme", &infinite, true), Finding::Ok(_)));
        assert!(
            eca_query("O'Brien")
                .ends_with("MasterLabel = 'O\\'Brien' OR ExternalClientApplication.DeveloperName = 'O\\'Brien'")
        );
    }

    /// Issue 10, point 6: a verdict never contradicts what the run has just proven.
    #[test]
    fn a_policy_that_the_refresh_disproves_is_not_readable_and_null_or_0_is_until_revoked() {
        assert!(
            matches!(refresh_policy(&app(Some(0), false), true), Finding::Ok(ref d) if d.contains("until revoked"))
        );
        assert!(matches!(refresh_policy(&app(None, false), false), Finding::Ok(_)));
        let Finding::Unknown { detail, fix } = refresh_policy(&app(Some(-1), false), true) else { panic!() };
        assert!(detail.contains("has just refreshed") && detail.contains("could not be read"), "{detail}");
        assert!(fix.contains("Edit Policies") && fix.contains("Refresh Token Policy"), "{fix}");
        // Without a refresh to go by, the value is taken at its word.
        assert!(matches!(refresh_policy(&app(Some(-1), false), false), Finding::Problem { .. }));
    }

    #[test]
    fn names_are_quoted_for_soql() {
        assert!(query("O'Brien \\ Co").ends_with("WHERE Name = 'O\\'Brien \\\\ Co'"));
        assert!(matches!(permitted_users(&app(None, true)), Finding::Ok(d) if d.contains("pre-authorized")));
        assert!(
            matches!(ip_relaxation("x", None), Finding::Unknown { ref detail, .. } if detail.contains("not visible"))
        );
    }

    #[test]
    fn fixes_follow_the_kind_of_app() {
        let Finding::Unknown { fix: eca, .. } = ip_relaxation("Acme", Some(AppKind::ExternalClientApp)) else {
            panic!()
        };
        assert!(eca.contains("External Client App Manager > Acme > Policies"), "{eca}");
        assert!(!eca.contains("Manage Connected Apps"), "{eca}");
        let Finding::Unknown { fix: ca, .. } = device_flow("Acme", Some(AppKind::ConnectedApp), false) else {
            panic!()
        };
        assert!(matches!(device_flow("Acme", None, true), Finding::Ok(_)));
        assert!(ca.contains("App Manager > Acme > View") && ca.contains("Enable for Device Flow"), "{ca}");
        let Finding::Unknown { fix: both, .. } = app_not_found("Acme", None) else { panic!() };
        assert!(both.contains("Manage Connected Apps > Acme") && both.contains("External Client App Manager > Acme"));
        let Finding::Unknown { detail, .. } = app_not_found("Acme", Some(AppKind::ExternalClientApp)) else { panic!() };
        assert!(detail.contains("External Client App"), "{detail}");
    }
}
