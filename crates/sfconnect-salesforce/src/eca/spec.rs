//! What the External Client App should be, as checked data: its API name, label, contact email,
//! callbacks, scopes (turned from OAuth scope tokens into the metadata names the package uses), the
//! flows it allows and its policies. Built once, before anything is generated, so that every later step
//! (the package, the deploy, the settings) reads the same values.

use std::fmt;

use super::keys::{ConsumerKey, ConsumerSecret, GenerateSecret};

/// Why a spec could not be built. Each message names the field and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    #[error(
        "--name `{name}` is not a valid API name: {why}; use letters, digits and single underscores, starting with a letter (e.g. Sfconnect_Acme)"
    )]
    Name { name: String, why: &'static str },
    #[error("--contact-email `{0}` is not an email address: pass the admin's address (name@example.com)")]
    Email(String),
    #[error(
        "--callback `{0}` is not a callback Salesforce accepts: use an https URL, or http only for localhost or 127.0.0.1"
    )]
    Callback(String),
    #[error("the scope `{0}` has no External Client App equivalent: remove it from the preset or pick another preset")]
    Scope(String),
    #[error("no scope was asked for: an app needs at least `api` or `full` to be of use to a connector")]
    NoScopes,
}

/// The longest API name sfconnect generates. Salesforce's limit for External Client App names is not
/// documented on the type's page; 40 leaves room for the `_oauth_defaultPolicy` suffix of the policy
/// files within the 80 characters most developer names allow (unconfirmed, docs/protocol.md).
pub const MAX_NAME_LEN: usize = 40;

/// A checked API name (developer name): starts with a letter; letters, digits, underscores; no double
/// underscore; does not end with an underscore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiName(String);

impl ApiName {
    pub fn parse(name: &str) -> Result<ApiName, SpecError> {
        let why = if name.is_empty() {
            Some("it is empty")
        } else if name.len() > MAX_NAME_LEN {
            Some("it is longer than 40 characters")
        } else if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            Some("it must start with a letter")
        } else if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            Some("it may hold only letters, digits and underscores")
        } else if name.contains("__") {
            Some("it may not hold two underscores in a row")
        } else if name.ends_with('_') {
            Some("it may not end with an underscore")
        } else {
            None
        };
        match why {
            Some(why) => Err(SpecError::Name { name: name.to_string(), why }),
            None => Ok(ApiName(name.to_string())),
        }
    }

    /// A default name for an org: `Sfconnect_` and the org's name reduced to an API name.
    pub fn default_for(org_name: &str) -> ApiName {
        let mut name = String::from("Sfconnect");
        let mut last_underscore = false;
        for c in org_name.chars() {
            if c.is_ascii_alphanumeric() {
                if !last_underscore && name.len() == "Sfconnect".len() {
                    name.push('_');
                }
                name.push(c);
                last_underscore = false;
            } else if !last_underscore && name.len() > "Sfconnect".len() {
                name.push('_');
                last_underscore = true;
            }
        }
        let mut name: String = name.chars().take(MAX_NAME_LEN).collect();
        while name.ends_with('_') {
            name.pop();
        }
        ApiName(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ApiName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The metadata name of an OAuth scope token (`commaSeparatedOauthScopes` in `.ecaOauth`), or `None` for a
/// token with no External Client App scope. `refresh_token` and `offline_access` are one scope in the
/// app ("Perform requests at any time"), `RefreshToken`; `id` is `Basic` (the identity URL service).
pub fn metadata_scope(token: &str) -> Option<&'static str> {
    Some(match token {
        "api" => "Api",
        "refresh_token" | "offline_access" => "RefreshToken",
        "full" => "Full",
        "web" => "Web",
        "id" => "Basic",
        "openid" => "OpenID",
        "profile" => "Profile",
        "email" => "Email",
        "address" => "Address",
        "phone" => "Phone",
        "chatter_api" => "Chatter",
        "visualforce" => "CustomApplications",
        "custom_permissions" => "CustomPermissions",
        "wave_api" => "Wave",
        "eclair_api" => "Eclair",
        "pardot_api" => "Pardot",
        "lightning" => "Lightning",
        "content" => "Content",
        _ => return None,
    })
}

/// `ipRelaxationPolicyType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpRelaxation {
    Enforce,
    /// "Relax IP restrictions".
    Bypass,
    /// Enforce IP restrictions, but let a refresh through from anywhere: a connector's servers are not on
    /// the admin's trusted ranges, and it only ever refreshes.
    EnforceRelaxRefresh,
}

impl IpRelaxation {
    pub fn metadata(self) -> &'static str {
        match self {
            IpRelaxation::Enforce => "Enforce",
            IpRelaxation::Bypass => "Bypass",
            IpRelaxation::EnforceRelaxRefresh => "Enforce_RelaxRefresh",
        }
    }
}

/// Who may use the app (`permittedUsersPolicyType`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PermittedUsers {
    AllSelfAuthorized,
    /// Admin approved, pre-authorized through these permission sets (API names).
    PermissionSets(Vec<String>),
}

/// The External Client App to create.
#[derive(Debug, Clone)]
pub struct EcaSpec {
    pub name: ApiName,
    pub label: String,
    pub description: String,
    pub contact_email: String,
    /// Registered redirect URIs, in order.
    pub callbacks: Vec<String>,
    /// Metadata scope names (`Api`, `RefreshToken`, …), without duplicates, in the order first asked.
    pub scopes: Vec<&'static str>,
    pub device_flow: bool,
    pub ip_relaxation: IpRelaxation,
    pub permitted_users: PermittedUsers,
    pub consumer_key: ConsumerKey,
    /// `None` lets the org generate the secret (the fallback when a supplied one is refused).
    pub consumer_secret: Option<ConsumerSecret>,
}

/// The inputs of [`EcaSpec::new`] that the caller chooses.
#[derive(Debug, Clone)]
pub struct EcaRequest<'a> {
    pub name: &'a str,
    pub contact_email: &'a str,
    pub callbacks: &'a [String],
    /// OAuth scope tokens as a preset lists them (`api`, `refresh_token`, …).
    pub scope_tokens: &'a [String],
    pub device_flow: bool,
    pub ip_relaxation: IpRelaxation,
    pub permitted_users: PermittedUsers,
}

impl EcaSpec {
    /// Checks every input and generates a fresh consumer key and secret.
    pub fn new(request: &EcaRequest<'_>) -> Result<EcaSpec, SpecError> {
        let name = ApiName::parse(request.name)?;
        let email = request.contact_email.trim();
        if !looks_like_email(email) {
            return Err(SpecError::Email(email.to_string()));
        }
        for callback in request.callbacks {
            if !callback_allowed(callback) {
                return Err(SpecError::Callback(callback.clone()));
            }
        }
        let mut scopes: Vec<&'static str> = Vec::new();
        for token in request.scope_tokens {
            let scope = metadata_scope(token).ok_or_else(|| SpecError::Scope(token.clone()))?;
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        if !scopes.iter().any(|s| *s == "Api" || *s == "Full") {
            return Err(SpecError::NoScopes);
        }
        Ok(EcaSpec {
            label: name.as_str().replace('_', " "),
            description:
                "Created by sfconnect for a connector's OAuth access (web server flow with PKCE and a refresh token)."
                    .to_string(),
            name,
            contact_email: email.to_string(),
            callbacks: request.callbacks.to_vec(),
            scopes,
            device_flow: request.device_flow,
            ip_relaxation: request.ip_relaxation,
            permitted_users: request.permitted_users.clone(),
            consumer_key: ConsumerKey::generate(),
            consumer_secret: Some(ConsumerSecret::generate()),
        })
    }

    /// Whether the app can issue refresh tokens (`RefreshToken` among its scopes).
    pub fn issues_refresh_tokens(&self) -> bool {
        self.scopes.contains(&"RefreshToken")
    }
}

fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c == '<' || c == '>' || c == '&' || c == ',')
}

/// https anywhere, http only on loopback (Salesforce refuses other plain-http callbacks).
fn callback_allowed(callback: &str) -> bool {
    let Ok(url) = url::Url::parse(callback) else { return false };
    if callback.contains(['\n', '\r', ',']) {
        return false;
    }
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'a>(name: &'a str, callbacks: &'a [String], scopes: &'a [String]) -> EcaRequest<'a> {
        EcaRequest {
            name,
            contact_email: "admin@acme.example",
            callbacks,
            scope_tokens: scopes,
            device_flow: false,
            ip_relaxation: IpRelaxation::EnforceRelaxRefresh,
            permitted_users: PermittedUsers::AllSelfAuthorized,
        }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn api_names_follow_salesforce_rules() {
        for good in ["Sfconnect", "Sfconnect_Acme", "A1", "x_y_z"] {
            assert!(ApiName::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "1abc", "_abc", "a__b", "abc_", "a-b", "a b", "é", &"a".repeat(41)] {
            assert!(matches!(ApiName::parse(bad), Err(SpecError::Name { .. })), "{bad:?}");
        }
        assert_eq!(ApiName::default_for("Acme, Inc.").as_str(), "Sfconnect_Acme_Inc");
        assert_eq!(ApiName::default_for("").as_str(), "Sfconnect");
        assert_eq!(ApiName::default_for("  ÄÖ--Big   Co  ").as_str(), "Sfconnect_Big_Co");
        let long = ApiName::default_for(&"x".repeat(100));
        assert!(ApiName::parse(long.as_str()).is_ok());
    }

    #[test]
    fn scopes_become_metadata_names_once_each() {
        let callbacks = strings(&["https://login.salesforce.com/services/oauth2/success"]);
        let scopes = strings(&["api", "refresh_token", "offline_access", "full"]);
        let spec = EcaSpec::new(&request("Sfc", &callbacks, &scopes)).unwrap();
        assert_eq!(spec.scopes, vec!["Api", "RefreshToken", "Full"]);
        let unknown = strings(&["api", "made_up"]);
        assert_eq!(
            EcaSpec::new(&request("Sfc", &callbacks, &unknown)).unwrap_err(),
            SpecError::Scope("made_up".into())
        );
        let useless = strings(&["refresh_token"]);
        assert_eq!(EcaSpec::new(&request("Sfc", &callbacks, &useless)).unwrap_err(), SpecError::NoScopes);
    }

    #[test]
    fn callbacks_are_https_or_loopback_and_emails_are_addresses() {
        let scopes = strings(&["api"]);
        for good in ["https://acme.my.salesforce.com/services/oauth2/success", "http://localhost:1717/OauthRedirect"] {
            let callbacks = strings(&[good]);
            assert!(EcaSpec::new(&request("Sfc", &callbacks, &scopes)).is_ok(), "{good}");
        }
        for bad in ["http://example.com/cb", "ftp://x", "not a url", "https://a.example/x,https://b.example"] {
            let callbacks = strings(&[bad]);
            assert!(matches!(EcaSpec::new(&request("Sfc", &callbacks, &scopes)), Err(SpecError::Callback(_))), "{bad}");
        }
        let callbacks = strings(&["https://login.salesforce.com/services/oauth2/success"]);
        let mut r = request("Sfc", &callbacks, &scopes);
        for bad in ["", "admin", "admin@localhost", "a b@c.d", "<x@y.z>"] {
            r.contact_email = bad;
            assert!(matches!(EcaSpec::new(&r), Err(SpecError::Email(_))), "{bad}");
        }
    }
}
