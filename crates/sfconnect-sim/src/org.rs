//! The org the simulator pretends to be, as plain data: its users, profiles' and permission sets' permissions,
//! the connected apps' policies, the OAuth tokens users hold, licences and API limits. Ready-made orgs (healthy,
//! API disabled, Platform licence…) are in `org_presets.rs`; the rows a query sees are built in `sobjects.rs`.

use super::org_apps::{AppKind, ExternalClientAppFixture, UntilRevoked};

/// The permission fields the simulated `PermissionSet` has (protocol notes §6), as a macro so that the same list
/// can be spelled with a relationship prefix (`PermissionSet.PermissionsApiEnabled`) in a `const`.
macro_rules! permission_fields {
    ($prefix:literal) => {
        [
            concat!($prefix, "PermissionsApiEnabled"),
            concat!($prefix, "PermissionsApiUserOnly"),
            concat!($prefix, "PermissionsModifyAllData"),
            concat!($prefix, "PermissionsViewAllData"),
            concat!($prefix, "PermissionsCustomizeApplication"),
            concat!($prefix, "PermissionsManageRemoteAccess"),
            concat!($prefix, "PermissionsViewSetup"),
            concat!($prefix, "PermissionsViewRoles"),
            concat!($prefix, "PermissionsManageCustomPermissions"),
            concat!($prefix, "PermissionsModifyMetadata"),
            concat!($prefix, "PermissionsManageNamedCredentials"),
            concat!($prefix, "PermissionsCanApproveUninstalledApps"),
            concat!($prefix, "PermissionsUseAnyApiClient"),
            concat!($prefix, "PermissionsManageUsers"),
            concat!($prefix, "PermissionsManageProfilesPermissionsets"),
            concat!($prefix, "PermissionsAuthorApex"),
        ]
    };
}
pub(crate) use permission_fields;

/// Every permission field name, unprefixed.
pub const PERMISSION_FIELDS: [&str; 16] = permission_fields!("");

/// The org, its users and what they hold. The logged-in user is `user`.
#[derive(Clone, Debug)]
pub struct OrgFixture {
    /// 18-char org id (`00D…`).
    pub org_id: String,
    pub name: String,
    /// `Organization.OrganizationType`, e.g. "Enterprise Edition".
    pub edition: String,
    pub is_sandbox: bool,
    /// `Organization.InstanceName`, e.g. "NA224".
    pub instance: String,
    /// My Domain prefix (`acme` in `acme.my.salesforce.com`).
    pub my_domain: String,
    /// The edition includes the API. When false every REST call answers 403 `API_DISABLED_FOR_ORG`, as
    /// [`super::SimConfig::api_enabled`] does (that one is the switch tests flip at run time).
    pub api_enabled: bool,
    pub user: UserFixture,
    pub other_users: Vec<UserFixture>,
    /// Profile-owned sets (`profile_id` set) carry a profile's permissions; the others are assigned to
    /// `assignees`. Every user holds the profile-owned set of their profile.
    pub permission_sets: Vec<PermissionSetFixture>,
    /// Columns this org lacks: naming one in a query is `INVALID_FIELD` "No such column" (protocol notes §6).
    pub missing_columns: Vec<String>,
    /// With `app_kind` ConnectedApp, the first is the simulated app (the one whose key is
    /// `SimConfig::client_id`); its tokens are added to `tokens` as they are issued.
    pub connected_apps: Vec<ConnectedAppFixture>,
    /// Which list holds the simulated app. [`OrgFixture::as_external_client_app`] moves it.
    pub app_kind: AppKind,
    /// With `app_kind` ExternalClientApp, the first is the simulated app.
    pub external_client_apps: Vec<ExternalClientAppFixture>,
    /// How `RefreshTokenValidityPeriod` reads for "valid until revoked" (unconfirmed: null or 0).
    pub until_revoked: UntilRevoked,
    /// `OauthToken` rows. Salesforce keeps five per user per app: issuing a sixth drops the oldest.
    pub tokens: Vec<TokenFixture>,
    /// `UserLicense.TotalLicenses` by licence name; a licence not listed has 10 more than it uses.
    pub licence_totals: Vec<(String, u64)>,
    pub daily_api_requests_max: u64,
    pub daily_api_requests_remaining: u64,
}

impl Default for OrgFixture {
    /// A healthy Enterprise Edition org whose admin has every permission but Use Any API Client.
    fn default() -> Self {
        let user = UserFixture::default();
        let sysadmin = PermissionSetFixture::for_profile(&user.profile_id, &user.profile_name)
            .granting(PERMISSION_FIELDS.iter().filter(|p| **p != "PermissionsUseAnyApiClient"));
        OrgFixture {
            org_id: "00D5g00000ACMEsEAF".to_string(),
            name: "Acme".to_string(),
            edition: "Enterprise Edition".to_string(),
            is_sandbox: false,
            instance: "NA224".to_string(),
            my_domain: "acme".to_string(),
            api_enabled: true,
            user,
            other_users: Vec::new(),
            permission_sets: vec![sysadmin],
            missing_columns: Vec::new(),
            connected_apps: vec![ConnectedAppFixture::default()],
            app_kind: AppKind::ConnectedApp,
            external_client_apps: Vec::new(),
            until_revoked: UntilRevoked::Null,
            tokens: Vec::new(),
            licence_totals: vec![("Salesforce".to_string(), 50), ("Salesforce Platform".to_string(), 20)],
            daily_api_requests_max: 100_000,
            daily_api_requests_remaining: 99_000,
        }
    }
}

impl OrgFixture {
    /// The first 15 chars of the org id, as they appear in access tokens.
    pub fn org_id15(&self) -> &str {
        self.org_id.get(..15).unwrap_or(&self.org_id)
    }

    /// Every user: the logged-in one first.
    pub fn users(&self) -> impl Iterator<Item = &UserFixture> {
        std::iter::once(&self.user).chain(self.other_users.iter())
    }

    /// The simulated app's name, as `OauthToken.AppName` and `ConnectedApplication.Name` (or
    /// `ExternalClientApplication.MasterLabel`) show it.
    pub fn app_name(&self) -> &str {
        match self.app_kind {
            AppKind::ConnectedApp => self.connected_apps.first().map_or("sfconnect", |a| a.name.as_str()),
            AppKind::ExternalClientApp => self.external_client_apps.first().map_or("sfconnect", |a| a.label.as_str()),
        }
    }

    /// Whether the logged-in user's profile or one of their permission sets grants `field`.
    pub fn user_granted(&self, field: &str) -> bool {
        let user = &self.user;
        self.permission_sets.iter().filter(|set| set.grants(field)).any(|set| match &set.profile_id {
            Some(profile) => *profile == user.profile_id,
            None => set.assignees.contains(&user.user_id),
        })
    }

    /// Whether a query may name `field` (the last segment of a path).
    pub fn has_column(&self, field: &str) -> bool {
        let last = field.rsplit('.').next().unwrap_or(field);
        !self.missing_columns.iter().any(|m| m.eq_ignore_ascii_case(last))
    }
}

/// One user of the org.
#[derive(Clone, Debug)]
pub struct UserFixture {
    /// 18-char user id (`005…`).
    pub user_id: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    /// `User.Name`, normally "First Last".
    pub display_name: String,
    /// Empty for a user without an email (the query shows `null`).
    pub email: String,
    pub profile_id: String,
    pub profile_name: String,
    pub licence_id: String,
    /// `Profile.UserLicense.Name`, e.g. "Salesforce".
    pub licence_name: String,
    pub is_active: bool,
}

impl Default for UserFixture {
    fn default() -> Self {
        UserFixture {
            user_id: "0055g00000ADMINAAA".to_string(),
            username: "admin@acme.com".to_string(),
            first_name: "Ada".to_string(),
            last_name: "Admin".to_string(),
            display_name: "Ada Admin".to_string(),
            email: "admin@acme.com".to_string(),
            profile_id: "00e5g000000SYSADMA".to_string(),
            profile_name: "System Administrator".to_string(),
            licence_id: "1005g000000SFLICAA".to_string(),
            licence_name: "Salesforce".to_string(),
            is_active: true,
        }
    }
}

/// A permission set, or the set a profile owns.
#[derive(Clone, Debug)]
pub struct PermissionSetFixture {
    pub id: String,
    /// API name, e.g. `X00e5g000000SYSADMA` for a profile's set.
    pub name: String,
    pub label: String,
    /// Set for a profile-owned set (`IsOwnedByProfile`).
    pub profile_id: Option<String>,
    pub profile_name: Option<String>,
    /// Permission fields that are true; every other is false.
    pub granted: Vec<String>,
    /// Users this (not profile-owned) set is assigned to.
    pub assignees: Vec<String>,
}

impl PermissionSetFixture {
    /// The set owned by a profile, granting nothing yet.
    pub fn for_profile(profile_id: &str, profile_name: &str) -> Self {
        let suffix = profile_id.get(3..).unwrap_or(profile_id);
        PermissionSetFixture {
            id: format!("0PS{suffix}"),
            name: format!("X{profile_id}"),
            label: profile_name.to_string(),
            profile_id: Some(profile_id.to_string()),
            profile_name: Some(profile_name.to_string()),
            granted: Vec::new(),
            assignees: Vec::new(),
        }
    }

    /// A set assigned to `assignees`, granting nothing yet.
    pub fn assigned(id: &str, name: &str, assignees: &[&str]) -> Self {
        PermissionSetFixture {
            id: id.to_string(),
            name: name.to_string(),
            label: name.replace('_', " "),
            profile_id: None,
            profile_name: None,
            granted: Vec::new(),
            assignees: assignees.iter().map(|a| a.to_string()).collect(),
        }
    }

    pub fn granting<S: AsRef<str>>(mut self, permissions: impl IntoIterator<Item = S>) -> Self {
        self.granted.extend(permissions.into_iter().map(|p| p.as_ref().to_string()));
        self
    }

    pub fn grants(&self, field: &str) -> bool {
        self.granted.iter().any(|g| g.eq_ignore_ascii_case(field))
    }
}

/// A connected app's policies as `ConnectedApplication` shows them (protocol notes §6).
#[derive(Clone, Debug)]
pub struct ConnectedAppFixture {
    pub id: String,
    pub name: String,
    /// Permitted Users = "Admin approved users are pre-authorized".
    pub admin_approved_users_only: bool,
    /// `RefreshTokenValidityPeriod`: `None` for "valid until revoked" (how the API shows that is unconfirmed).
    pub refresh_token_validity_period: Option<u32>,
    /// `OptionsRefreshTokenValidityMetric`: true when the period counts inactivity.
    pub refresh_validity_by_inactivity: bool,
}

impl Default for ConnectedAppFixture {
    fn default() -> Self {
        ConnectedAppFixture {
            id: "0H45g000000SFCAPPA".to_string(),
            name: "sfconnect".to_string(),
            admin_approved_users_only: false,
            refresh_token_validity_period: None,
            refresh_validity_by_inactivity: false,
        }
    }
}

/// One `OauthToken` row: a refresh token a user holds for an app.
#[derive(Clone, Debug)]
pub struct TokenFixture {
    pub app_name: String,
    pub user_id: String,
    /// Salesforce's datetime format, e.g. `2026-01-05T09:00:00.000+0000`.
    pub created: String,
    pub last_used: Option<String>,
    pub use_count: u64,
    /// Another integration uses it all the time: `LastUsedDate` always reads now.
    pub in_constant_use: bool,
    /// The simulator's refresh-token family, for tokens it issued itself.
    pub(crate) family: Option<u64>,
}

impl TokenFixture {
    pub fn new(app_name: &str, user_id: &str, created: &str) -> Self {
        TokenFixture {
            app_name: app_name.to_string(),
            user_id: user_id.to_string(),
            created: created.to_string(),
            last_used: Some(created.to_string()),
            use_count: 1,
            in_constant_use: false,
            family: None,
        }
    }
}
