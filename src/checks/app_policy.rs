//! The connected app's policies as far as `ConnectedApplication` shows them (refresh token policy, Permitted
//! Users), and the settings the API does not show (IP Relaxation, Enable for Device Flow, MFA, object access),
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

/// Which kind of app the admin created, when known (the wizard knows it; `check --app-kind` tells it).
/// The Setup paths in the fixes differ: an External Client App lives in its own manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppKind {
    ConnectedApp,
    ExternalClientApp,
}

impl AppKind {
    /// The kind as settings and progress files write it (`settings::APP_KINDS`).
    pub fn id(self) -> &'static str {
        match self {
            AppKind::ConnectedApp => "connected_app",
            AppKind::ExternalClientApp => "external_client_app",
        }
    }

    /// The kind a file names, if it names one.
    pub fn from_id(id: &str) -> Option<Self> {
        [AppKind::ConnectedApp, AppKind::ExternalClientApp].into_iter().find(|k| k.id() == id)
    }
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

/// `refresh_policy_infinite`. Reading a null `RefreshTokenValidityPeriod` as "valid until revoked" is
/// unconfirmed (the object reference does not say how each Refresh Token Policy choice is stored).
pub fn refresh_policy(app: &ConnectedAppRecord) -> Finding {
    match app.validity_period {
        None => Finding::Ok("Refresh token is valid until revoked (no validity period set)".into()),
        Some(period) => {
            // The period's unit (hours, days, months) is not in the object: Setup shows it.
            let detail = match (period <= 0, app.by_inactivity == Some(true)) {
                (true, _) => "refresh tokens expire immediately".to_string(),
                (false, true) => format!("a refresh token expires after {period} units (see Setup) without use"),
                (false, false) => format!("a refresh token expires {period} units (see Setup) after it is issued"),
            };
            Finding::problem(
                format!("{detail}: the connector will stop working when its token expires"),
                format!(
                    "{}: Refresh Token Policy = \"Refresh token is valid until revoked\", then Save.",
                    policies_path(&app.name, Some(AppKind::ConnectedApp))
                ),
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
        Some(AppKind::ExternalClientApp) => {
            format!("{name} is an External Client App, whose policies the API does not show: check them in Setup")
        }
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
        Some(AppKind::ExternalClientApp) => "Flow Enablement: Enable Device Flow",
        _ => "Enable for Device Flow",
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
        assert!(matches!(refresh_policy(&app(None, false)), Finding::Ok(_)));
        let Finding::Problem { detail, fix } = refresh_policy(&app(Some(90), false)) else { panic!() };
        assert!(detail.contains("90") && detail.contains("without use"), "{detail}");
        assert!(fix.contains("Manage Connected Apps > sfconnect > Edit Policies"), "{fix}");
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
