//! The org's apps beyond the simulated one: External Client Apps with their OAuth policies, other connected apps,
//! and how "valid until revoked" reads in `RefreshTokenValidityPeriod`. Data, plus the rows of
//! `ExternalClientApplication` and `ExtlClntAppOauthPlcyCnfg` (field names as real clients query them; see
//! docs/protocol.md, "Simulator").

use serde_json::{Value, json};

use super::org::{ConnectedAppFixture, OrgFixture, TokenFixture};
use super::sobjects::attributes;

/// Which kind of app the simulated one (the key in `SimConfig::client_id`) is. A Connected App is the first of
/// `OrgFixture::connected_apps` and shows in `ConnectedApplication`; an External Client App is the first of
/// `OrgFixture::external_client_apps` and shows only in the External Client App objects.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AppKind {
    #[default]
    ConnectedApp,
    ExternalClientApp,
}

/// How the org writes "valid until revoked" into `RefreshTokenValidityPeriod`. Unconfirmed which: the object
/// reference does not say, so the simulator can show either and clients must accept both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UntilRevoked {
    #[default]
    Null,
    Zero,
}

impl UntilRevoked {
    pub(crate) fn period(self, period: Option<u32>) -> Value {
        match (period, self) {
            (Some(days), _) => json!(days),
            (None, UntilRevoked::Null) => Value::Null,
            (None, UntilRevoked::Zero) => json!(0),
        }
    }
}

/// An External Client App and its OAuth policies (`ExtlClntAppOauthPlcyCnfg`, one per app).
#[derive(Clone, Debug)]
pub struct ExternalClientAppFixture {
    pub id: String,
    pub developer_name: String,
    /// `MasterLabel`; `OauthToken.AppName` shows it.
    pub label: String,
    pub contact_email: String,
    /// `Local` or `Packaged`.
    pub distribution_state: String,
    pub policy_id: String,
    /// `AllSelfAuthorized` or `AdminApprovedPreAuthorized`.
    pub permitted_users: String,
    /// `Enforce`, `Bypass`, `Bypass_2factor` or `Enforce_RelaxRefresh`.
    pub ip_relaxation: String,
    /// `Infinite` (valid until revoked), `Zero`, `SpecificLifetime` or `SpecificInactivity`.
    pub refresh_token_policy: String,
    /// With a `Specific…` policy: how many `refresh_token_validity_unit`s.
    pub refresh_token_validity_period: Option<u32>,
    /// `Hours`, `Days` or `Months`.
    pub refresh_token_validity_unit: Option<String>,
    pub session_timeout_minutes: Option<u32>,
}

impl ExternalClientAppFixture {
    /// A Local app that any user may authorize, IP ranges enforced, refresh tokens valid until revoked.
    pub fn new(developer_name: &str, label: &str, n: u32) -> Self {
        ExternalClientAppFixture {
            id: format!("0xI5g000000{n:04}ECA"),
            developer_name: developer_name.to_string(),
            label: label.to_string(),
            contact_email: "admin@acme.com".to_string(),
            distribution_state: "Local".to_string(),
            policy_id: format!("0xJ5g000000{n:04}POL"),
            permitted_users: "AllSelfAuthorized".to_string(),
            ip_relaxation: "Enforce".to_string(),
            refresh_token_policy: "Infinite".to_string(),
            refresh_token_validity_period: None,
            refresh_token_validity_unit: None,
            session_timeout_minutes: None,
        }
    }

    /// The same policies a Connected App fixture describes, as an External Client App holds them.
    fn from_connected_app(app: &ConnectedAppFixture) -> Self {
        let mut eca = ExternalClientAppFixture::new(&app.name.replace(' ', "_"), &app.name, 1);
        if app.admin_approved_users_only {
            eca.permitted_users = "AdminApprovedPreAuthorized".to_string();
        }
        if let Some(days) = app.refresh_token_validity_period {
            eca.refresh_token_policy =
                if app.refresh_validity_by_inactivity { "SpecificInactivity" } else { "SpecificLifetime" }.to_string();
            eca.refresh_token_validity_period = Some(days);
            eca.refresh_token_validity_unit = Some("Days".to_string());
        }
        eca
    }
}

impl OrgFixture {
    /// This org with the simulated app turned into an External Client App of the same name and policies: it
    /// leaves `ConnectedApplication` and shows in the External Client App objects instead.
    pub fn as_external_client_app(mut self) -> OrgFixture {
        if self.app_kind == AppKind::ExternalClientApp {
            return self;
        }
        let app =
            if self.connected_apps.is_empty() { ConnectedAppFixture::default() } else { self.connected_apps.remove(0) };
        self.external_client_apps.insert(0, ExternalClientAppFixture::from_connected_app(&app));
        self.app_kind = AppKind::ExternalClientApp;
        self
    }

    /// Adds apps the admin did not make with sfconnect, each with a token in constant use by the logged-in user
    /// (its `LastUsedDate` is always now): a client that grades "the most recently used app" grades one of these.
    /// An External Client App that expires refresh tokens at once and admits only pre-authorized users, and a
    /// Connected App (Data Loader) with a 90-day refresh token policy.
    pub fn with_other_apps(mut self) -> OrgFixture {
        let mut integration = ExternalClientAppFixture::new("Acme_Integration", "Acme Integration", 2);
        integration.permitted_users = "AdminApprovedPreAuthorized".to_string();
        integration.refresh_token_policy = "Zero".to_string();
        integration.ip_relaxation = "Bypass".to_string();
        let data_loader = ConnectedAppFixture {
            id: "0H45g000000DLOADAA".to_string(),
            name: "Data Loader".to_string(),
            admin_approved_users_only: true,
            refresh_token_validity_period: Some(90),
            refresh_validity_by_inactivity: false,
        };
        let user_id = self.user.user_id.clone();
        for name in [integration.label.as_str(), data_loader.name.as_str()] {
            self.tokens.push(TokenFixture {
                in_constant_use: true,
                ..TokenFixture::new(name, &user_id, "2026-02-01T08:00:00.000+0000")
            });
        }
        self.external_client_apps.push(integration);
        self.connected_apps.push(data_loader);
        self
    }

    /// Whether `app_name` (as `OauthToken.AppName` shows it) is an External Client App. Its tokens have no
    /// `AppMenuItemId` (sfdx-hardis, `hardis:org:diagnose:unsecure-connected-apps`).
    pub fn is_external_client_app(&self, app_name: &str) -> bool {
        self.external_client_apps.iter().any(|e| e.label == app_name)
    }
}

pub fn external_client_app_rows(org: &OrgFixture, version: &str) -> Vec<Value> {
    org.external_client_apps.iter().map(|app| external_client_app_row(app, version)).collect()
}

fn external_client_app_row(app: &ExternalClientAppFixture, version: &str) -> Value {
    json!({
        "attributes": attributes("ExternalClientApplication", version, &app.id),
        "Id": app.id,
        "DeveloperName": app.developer_name,
        "MasterLabel": app.label,
        "Description": null,
        "ContactEmail": app.contact_email,
        "DistributionState": app.distribution_state,
    })
}

pub fn eca_policy_rows(org: &OrgFixture, version: &str) -> Vec<Value> {
    org.external_client_apps
        .iter()
        .map(|app| {
            json!({
                "attributes": attributes("ExtlClntAppOauthPlcyCnfg", version, &app.policy_id),
                "Id": app.policy_id,
                "ExternalClientApplicationId": app.id,
                "ExternalClientApplication": external_client_app_row(app, version),
                "PermittedUsersPolicyType": app.permitted_users,
                "IpRelaxationPolicyType": app.ip_relaxation,
                "RefreshTokenPolicyType": app.refresh_token_policy,
                "RefreshTokenValidityPeriod": org.until_revoked.period(app.refresh_token_validity_period),
                "RefreshTokenValidityUnit": app.refresh_token_validity_unit,
                "SessionTimeoutInMinutes": app.session_timeout_minutes,
                "RequiredSessionLevel": null,
            })
        })
        .collect()
}

pub const EXTERNAL_CLIENT_APPLICATION_FIELDS: &[&str] =
    &["Id", "DeveloperName", "MasterLabel", "Description", "ContactEmail", "DistributionState"];

pub const ECA_POLICY_FIELDS: &[&str] = &[
    "Id",
    "ExternalClientApplicationId",
    "ExternalClientApplication.Id",
    "ExternalClientApplication.DeveloperName",
    "ExternalClientApplication.MasterLabel",
    "ExternalClientApplication.DistributionState",
    "PermittedUsersPolicyType",
    "IpRelaxationPolicyType",
    "RefreshTokenPolicyType",
    "RefreshTokenValidityPeriod",
    "RefreshTokenValidityUnit",
    "SessionTimeoutInMinutes",
    "RequiredSessionLevel",
];
