//! What would stop `app create`, found before anything is created: the user's identity (for the
//! contact email), the edition (the Metadata API needs Enterprise, Unlimited, Developer or
//! Performance), the user's metadata permission ("Modify Metadata Through Metadata API Functions" or
//! "Modify All Data"), and an app of the same name. Whether the org allows External Client Apps is not
//! readable: the `checkOnly` deploy that follows finds it.

use serde::Deserialize;
use serde_json::Value;

use super::credentials::{OAuthApp, consumers, find_app};
use crate::errors::Error;
use crate::rest::{Organization, RestClient};

/// The user behind the session, from `/services/oauth2/userinfo` on the instance.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct SessionUser {
    pub user_id: String,
    pub organization_id: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub preferred_username: String,
}

/// A reason the app cannot be created, with the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// The edition has no Metadata API (Professional, Group, Essentials, …).
    Edition(String),
    /// Neither "Modify Metadata Through Metadata API Functions" nor "Modify All Data".
    NoMetadataPermission { username: String },
    /// An app of that name exists; its consumer key when the org lists it.
    NameTaken { name: String, client_id: Option<String> },
}

impl Blocker {
    pub fn headline(&self) -> String {
        match self {
            Blocker::Edition(edition) => format!("{edition} has no Metadata API, so sfconnect cannot create the app"),
            Blocker::NoMetadataPermission { username } => format!(
                "{username} may not deploy metadata: neither \"Modify Metadata Through Metadata API Functions\" nor \"Modify All Data\" is granted"
            ),
            Blocker::NameTaken { name, .. } => {
                format!("an External Client App named {name} already exists in this org")
            }
        }
    }

    pub fn fix(&self) -> String {
        match self {
            Blocker::Edition(_) => "create the app in Setup > External Client App Manager as the wizard shows (sfconnect walks you through it), or use an Enterprise, Unlimited, Developer or Performance edition org".into(),
            Blocker::NoMetadataPermission { .. } => "in Setup, give your user a permission set with \"Modify Metadata Through Metadata API Functions\" (or \"Modify All Data\") and \"Create, edit, and delete External Client Apps\", or ask an admin who has them to run app create".into(),
            Blocker::NameTaken { client_id: Some(key), .. } => format!(
                "reuse it (its Client ID is {key}: sfconnect url/exchange --client-id {key}, with its secret from Setup), or pick another name with --name"
            ),
            Blocker::NameTaken { client_id: None, .. } => {
                "reuse it (sfconnect url/exchange with its Client ID, from Setup), or pick another name with --name".into()
            }
        }
    }
}

/// What the preflight found.
#[derive(Debug, Clone)]
pub struct Preflight {
    pub user: SessionUser,
    pub organization: Organization,
    pub blockers: Vec<Blocker>,
    /// The app of the same name, when the usage list could be read and shows one.
    pub existing: Option<OAuthApp>,
    /// The usage list could not be read: a name clash shows only at the deploy.
    pub usage_unreadable: bool,
}

/// Editions without the Metadata API. A deny list, so that an edition name sfconnect does not know passes
/// and the deploy decides.
const EDITIONS_WITHOUT_METADATA_API: [&str; 6] =
    ["Professional", "Group", "Essentials", "Personal", "Contact Manager", "Team"];

pub async fn preflight(rest: &RestClient, app_name: &str) -> Result<Preflight, Error> {
    let user: SessionUser = rest.get_json("/services/oauth2/userinfo").await?;
    let organization = rest.organization().await?;
    let mut blockers = Vec::new();
    if EDITIONS_WITHOUT_METADATA_API.iter().any(|e| organization.edition.contains(e)) {
        blockers.push(Blocker::Edition(organization.edition.clone()));
    }
    if !user_id_ok(&user.user_id) {
        return Err(Error::Rest(crate::errors::RestError {
            status: 200,
            code: "INVALID_ID".into(),
            message: "userinfo returned an unusable user id".into(),
        }));
    }
    let soql = format!(
        "SELECT PermissionSet.PermissionsModifyMetadata, PermissionSet.PermissionsModifyAllData \
         FROM PermissionSetAssignment WHERE AssigneeId = '{}'",
        user.user_id
    );
    let mut may_deploy = false;
    rest.query_each(&soql, |records: Vec<Value>| {
        may_deploy |= records.iter().any(|r| {
            let set = &r["PermissionSet"];
            set["PermissionsModifyMetadata"].as_bool() == Some(true)
                || set["PermissionsModifyAllData"].as_bool() == Some(true)
        })
    })
    .await?;
    if !may_deploy {
        blockers.push(Blocker::NoMetadataPermission { username: user.preferred_username.clone() });
    }
    let (existing, usage_unreadable) = match find_app(rest, app_name).await {
        Ok(found) => (found, false),
        Err(e) => {
            tracing::info!(error = %e, "oauth usage unreadable: a name clash will show at the deploy");
            (None, true)
        }
    };
    if let Some(app) = &existing {
        // Its key, to offer the app for reuse; a refusal to list it changes nothing.
        let client_id = consumers(rest, app).await.ok().and_then(|list| list.into_iter().find_map(|c| c.key));
        blockers.push(Blocker::NameTaken { name: app.developer_name.clone(), client_id });
    }
    Ok(Preflight { user, organization, blockers, existing, usage_unreadable })
}

/// A Salesforce id: 15 or 18 letters and digits (it goes into a SOQL literal).
fn user_id_ok(id: &str) -> bool {
    matches!(id.len(), 15 | 18) && id.chars().all(|c| c.is_ascii_alphanumeric())
}
