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

impl ExternalClientAppFixture {
    /// The same app and policies as a Connected App holds them (IP relaxation is not in its API).
    fn to_connected_app(&self) -> ConnectedAppFixture {
        let specific = self.refresh_token_policy.starts_with("Specific");
        let days = |period: u32| match self.refresh_token_validity_unit.as_deref() {
            Some("Hours") => period.div_ceil(24),
            Some("Months") => period * 30,
            _ => period,
        };
        ConnectedAppFixture {
            name: self.label.clone(),
            admin_approved_users_only: self.permitted_users == "AdminApprovedPreAuthorized",
            refresh_token_validity_period: self.refresh_token_validity_period.filter(|_| specific).map(days),
            refresh_validity_by_inactivity: self.refresh_token_policy == "SpecificInactivity",
            ..ConnectedAppFixture::default()
        }
    }
}

/// The simulated app as an admin sets it up in Setup (the demo does it for its user, from what the wizard told
/// them to create): its kind, the name Setup shows (`label`, which `OauthToken.AppName` shows too), its API
/// name, and what the org records of it. See [`crate::Simulator::set_up_app`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppSetup {
    pub kind: AppKind,
    pub label: String,
    pub developer_name: String,
    /// "Enable Device Flow" (External Client App) or "Enable for Device Flow" (Connected App).
    pub device_flow: bool,
    /// `IpRelaxationPolicyType`: `Enforce`, `Bypass`, `Bypass_2factor` or `Enforce_RelaxRefresh`. Recorded
    /// for an External Client App only: a Connected App's IP relaxation is not in the API.
    pub ip_relaxation: String,
}

impl OrgFixture {
    /// Makes the simulated app the one `setup` describes: it moves to the objects of its kind under its new
    /// names, keeping its other policies, and its tokens show the new name (`OauthToken.AppName` names the
    /// app as it is now, so the tokens and the app's records agree as they do in Salesforce).
    pub fn set_up_app(&mut self, setup: &AppSetup) {
        let old_name = self.app_name().to_string();
        let previous = match self.app_kind {
            AppKind::ExternalClientApp if !self.external_client_apps.is_empty() => {
                Some(self.external_client_apps.remove(0))
            }
            AppKind::ConnectedApp if !self.connected_apps.is_empty() => {
                Some(ExternalClientAppFixture::from_connected_app(&self.connected_apps.remove(0)))
            }
            _ => None,
        };
        let mut app = previous.unwrap_or_else(|| ExternalClientAppFixture::new(&setup.developer_name, &setup.label, 1));
        app.developer_name = setup.developer_name.clone();
        app.label = setup.label.clone();
        match setup.kind {
            AppKind::ExternalClientApp => {
                app.ip_relaxation = setup.ip_relaxation.clone();
                self.external_client_apps.insert(0, app);
            }
            AppKind::ConnectedApp => self.connected_apps.insert(0, app.to_connected_app()),
        }
        self.app_kind = setup.kind;
        for token in self.tokens.iter_mut().filter(|t| t.app_name == old_name) {
            token.app_name = setup.label.clone();
        }
    }

    /// A deployed External Client App joins the org's apps, after the configured one, which stays the first of
    /// its kind (so [`OrgFixture::app_name`] and [`OrgFixture::set_up_app`] keep meaning it). Each app's tokens
    /// show its own label.
    pub(crate) fn adopt_deployed_app(&mut self, app: ExternalClientAppFixture) {
        if self.app_kind == AppKind::ExternalClientApp && self.external_client_apps.is_empty() {
            // The configured app had no record; it gets one under the name its tokens already show, so the
            // deployed app is not taken for it.
            let name = self.app_name().to_string();
            self.external_client_apps.push(ExternalClientAppFixture::new(&name, &name, 1));
        }
        self.external_client_apps.push(app);
    }

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
