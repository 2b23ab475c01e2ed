//! The check ids: the ones presets may list ([`crate::presets::KNOWN_CHECKS`]) and the ones every report has
//! (refresh, identity, org, user…). The order of [`CheckId::ALL`] is the order of a report.

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
    fn every_check_a_preset_may_list_has_an_id_here() {
        for (id, _) in crate::presets::KNOWN_CHECKS {
            assert!(CheckId::parse(id).is_some(), "{id} is in KNOWN_CHECKS but not implemented");
        }
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
