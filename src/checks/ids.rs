//! The check ids: the ones presets may list ([`CheckId::verifies`] says what each of those verifies) and the
//! ones every report has (refresh, identity, org, user…). The order of [`CheckId::ALL`] is the order of a
//! report. A preset's `checks` are read into this type when the file loads (`crate::presets`).

use serde::{Serialize, Serializer};

use super::Level;

/// One check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CheckId {
    FileExposure,
    Refresh,
    RefreshSecret,
    Identity,
    ApiAccess,
    Org,
    User,
    SystemAdmin,
    LicenceSalesforce,
    Permissions,
    PermApiEnabled,
    PermApproveUninstalled,
    PermCustomizeApplication,
    PermManageConnectedApps,
    PermViewSetup,
    ScopesGranted,
    TokensPerUser,
    RefreshPolicyInfinite,
    PermittedUsers,
    IpRelaxation,
    DeviceFlowEnabled,
    MfaEnabled,
    ObjectAccess,
    ApiUsage,
}

impl CheckId {
    pub const ALL: [CheckId; 24] = [
        CheckId::FileExposure,
        CheckId::Refresh,
        CheckId::RefreshSecret,
        CheckId::Identity,
        CheckId::ApiAccess,
        CheckId::Org,
        CheckId::User,
        CheckId::SystemAdmin,
        CheckId::LicenceSalesforce,
        CheckId::Permissions,
        CheckId::PermApiEnabled,
        CheckId::PermApproveUninstalled,
        CheckId::PermCustomizeApplication,
        CheckId::PermManageConnectedApps,
        CheckId::PermViewSetup,
        CheckId::ScopesGranted,
        CheckId::TokensPerUser,
        CheckId::RefreshPolicyInfinite,
        CheckId::PermittedUsers,
        CheckId::IpRelaxation,
        CheckId::DeviceFlowEnabled,
        CheckId::MfaEnabled,
        CheckId::ObjectAccess,
        CheckId::ApiUsage,
    ];

    /// The id as presets and the JSON spell it.
    pub fn as_str(self) -> &'static str {
        self.row().0
    }

    pub fn title(self) -> &'static str {
        self.row().1
    }

    pub fn parse(id: &str) -> Option<CheckId> {
        CheckId::ALL.into_iter().find(|c| c.as_str() == id)
    }

    /// What the check verifies, for the ones a preset may list in `checks.required` or `checks.advisory`;
    /// `None` for the ones every report has whatever the preset says.
    pub fn verifies(self) -> Option<&'static str> {
        Some(match self {
            CheckId::ApiAccess => "the org's edition includes API access",
            CheckId::PermApiEnabled => "the user has API Enabled",
            CheckId::PermApproveUninstalled => {
                "the user may use uninstalled connected apps (Approve Uninstalled Connected Apps or Use Any API Client)"
            }
            CheckId::PermCustomizeApplication => "the user has Customize Application",
            CheckId::PermManageConnectedApps => "the user has Modify All Data or Manage Connected Apps",
            CheckId::PermViewSetup => "the user has View Setup and Configuration",
            CheckId::SystemAdmin => "the user has the System Administrator profile",
            CheckId::LicenceSalesforce => "the user's licence is Salesforce, not Salesforce Platform",
            CheckId::RefreshPolicyInfinite => "the app's refresh token policy is \"valid until revoked\"",
            CheckId::IpRelaxation => "the app's IP relaxation is \"Relax IP restrictions\"",
            CheckId::PermittedUsers => "the app's Permitted Users lets this user authorize",
            CheckId::TokensPerUser => "the user holds fewer than five tokens for the app (a sixth revokes the oldest)",
            CheckId::ScopesGranted => "the token was granted every scope the preset asks for",
            CheckId::DeviceFlowEnabled => "the app has Enable for Device Flow",
            CheckId::MfaEnabled => "multi-factor authentication is on for the org",
            CheckId::ObjectAccess => "the user can read the objects and fields the integration reads",
            CheckId::FileExposure
            | CheckId::Refresh
            | CheckId::RefreshSecret
            | CheckId::Identity
            | CheckId::Org
            | CheckId::User
            | CheckId::Permissions
            | CheckId::ApiUsage => return None,
        })
    }

    /// The checks a preset may list, in report order.
    pub fn listable() -> impl Iterator<Item = CheckId> {
        CheckId::ALL.into_iter().filter(|id| id.verifies().is_some())
    }

    /// A check id as a preset lists it: one of [`listable`](Self::listable), or a message naming the
    /// valid ids.
    pub fn parse_listable(id: &str) -> Result<CheckId, String> {
        CheckId::parse(id).filter(|check| check.verifies().is_some()).ok_or_else(|| {
            let valid: Vec<&str> = CheckId::listable().map(CheckId::as_str).collect();
            format!("unknown check `{id}`; the valid ids are {}", valid.join(", "))
        })
    }

    /// The weight when the preset does not list the check; `None`: not reported unless listed.
    pub fn default_level(self) -> Option<Level> {
        match self {
            CheckId::ApiAccess | CheckId::PermApiEnabled => Some(Level::Required),
            CheckId::ScopesGranted | CheckId::TokensPerUser => Some(Level::Advisory),
            CheckId::FileExposure
            | CheckId::Refresh
            | CheckId::RefreshSecret
            | CheckId::Identity
            | CheckId::Org
            | CheckId::User
            | CheckId::Permissions
            | CheckId::ApiUsage => Some(Level::Info),
            _ => None,
        }
    }

    fn row(self) -> (&'static str, &'static str) {
        match self {
            CheckId::FileExposure => ("file_exposure", "Settings file is private"),
            CheckId::Refresh => ("refresh", "The refresh token refreshes"),
            CheckId::RefreshSecret => ("refresh_secret", "Secret needed for refresh"),
            CheckId::Identity => ("identity", "Identity"),
            CheckId::ApiAccess => ("api_access", "API access"),
            CheckId::Org => ("org", "Org"),
            CheckId::User => ("user", "User"),
            CheckId::SystemAdmin => ("system_admin", "System Administrator"),
            CheckId::LicenceSalesforce => ("licence_salesforce", "Salesforce licence"),
            CheckId::Permissions => ("permissions", "Effective permissions"),
            CheckId::PermApiEnabled => ("perm_api_enabled", "API Enabled"),
            CheckId::PermApproveUninstalled => ("perm_approve_uninstalled", "Uninstalled connected apps"),
            CheckId::PermCustomizeApplication => ("perm_customize_application", "Customize Application"),
            CheckId::PermManageConnectedApps => ("perm_manage_connected_apps", "Manage Connected Apps"),
            CheckId::PermViewSetup => ("perm_view_setup", "View Setup and Configuration"),
            CheckId::ScopesGranted => ("scopes_granted", "Scopes granted"),
            CheckId::TokensPerUser => ("tokens_per_user", "Tokens for this app"),
            CheckId::RefreshPolicyInfinite => ("refresh_policy_infinite", "Refresh token policy"),
            CheckId::PermittedUsers => ("permitted_users", "Permitted Users"),
            CheckId::IpRelaxation => ("ip_relaxation", "IP Relaxation"),
            CheckId::DeviceFlowEnabled => ("device_flow_enabled", "Device flow on the app"),
            CheckId::MfaEnabled => ("mfa_enabled", "Multi-factor authentication"),
            CheckId::ObjectAccess => ("object_access", "Object access"),
            CheckId::ApiUsage => ("api_usage", "Daily API requests"),
        }
    }
}

impl Serialize for CheckId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_checks_a_preset_may_list_parse_as_listed() {
        assert_eq!(CheckId::listable().count(), 16);
        assert_eq!(CheckId::parse_listable("ip_relaxation"), Ok(CheckId::IpRelaxation));
        let refused = CheckId::parse_listable("refresh").unwrap_err();
        assert!(refused.contains("unknown check `refresh`") && refused.contains("api_access"), "{refused}");
    }

    #[test]
    fn ids_round_trip_and_are_unique() {
        for id in CheckId::ALL {
            assert_eq!(CheckId::parse(id.as_str()), Some(id));
        }
        let mut sorted = CheckId::ALL.to_vec();
        sorted.sort();
        assert_eq!(sorted, CheckId::ALL.to_vec(), "ALL is in declaration order");
    }
}
