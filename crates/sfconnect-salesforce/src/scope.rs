//! OAuth scopes: the tokens sent on the wire and the labels Salesforce's setup screen shows for them
//! (protocol notes §8). The label table reads as a table and may run long.

use std::fmt;

/// A set of scope tokens, in the order given, without duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// Reads space- or comma-separated tokens (`"refresh_token api"`, `"api,web"`).
    pub fn parse(text: &str) -> Self {
        let mut out: Vec<String> = Vec::new();
        for token in text.split([' ', ',', '\t', '\n', '+']).map(str::trim).filter(|t| !t.is_empty()) {
            if !out.iter().any(|t| t == token) {
                out.push(token.to_string());
            }
        }
        Scopes(out)
    }

    pub fn from_tokens<I: IntoIterator<Item = S>, S: Into<String>>(tokens: I) -> Self {
        let joined: Vec<String> = tokens.into_iter().map(Into::into).collect();
        Self::parse(&joined.join(" "))
    }

    pub fn contains(&self, token: &str) -> bool {
        self.0.iter().any(|t| t == token)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when a refresh token can come back: `refresh_token` or its synonym `offline_access`.
    pub fn allows_refresh(&self) -> bool {
        self.contains("refresh_token") || self.contains("offline_access")
    }

    /// Tokens in `self` that `other` lacks (for "granted vs required").
    pub fn missing_from(&self, other: &Scopes) -> Vec<String> {
        self.0.iter().filter(|t| !other.contains(t) && !synonym_present(t, other)).cloned().collect()
    }

    /// Space-separated, as the `scope` parameter wants.
    pub fn to_param(&self) -> String {
        self.0.join(" ")
    }

    pub fn toggle(&mut self, token: &str) {
        if let Some(i) = self.0.iter().position(|t| t == token) {
            self.0.remove(i);
        } else {
            self.0.push(token.to_string());
        }
    }
}

fn synonym_present(token: &str, set: &Scopes) -> bool {
    match token {
        "refresh_token" => set.contains("offline_access"),
        "offline_access" => set.contains("refresh_token"),
        // `full` grants everything but refresh_token (protocol notes §8).
        _ => set.contains("full") && token != "refresh_token" && token != "offline_access",
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_param())
    }
}

/// One row of Salesforce's "Selected OAuth Scopes" list: the tokens it grants, its exact label, what it
/// allows, and whether it deserves a warning.
#[derive(Debug, Clone, Copy)]
pub struct ScopeInfo {
    pub tokens: &'static [&'static str],
    pub label: &'static str,
    pub grants: &'static str,
    pub broad: bool,
}

/// The scopes an admin is likely to pick, as Salesforce's setup screen lists them.
pub const SCOPE_TABLE: &[ScopeInfo] = &[
    ScopeInfo {
        tokens: &["api"],
        label: "Manage user data via APIs (api)",
        grants: "REST and SOAP API access to the user's data: what most connectors need.",
        broad: false,
    },
    ScopeInfo {
        tokens: &["web"],
        label: "Manage user data via Web browsers (web)",
        grants: "Use the access token to open Salesforce pages in a browser.",
        broad: false,
    },
    ScopeInfo {
        tokens: &["full"],
        label: "Full access (full)",
        grants: "Everything the user can do, all scopes but refresh_token. Broad: pick it only if the vendor requires it.",
        broad: true,
    },
    ScopeInfo {
        tokens: &["refresh_token", "offline_access"],
        label: "Perform requests at any time (refresh_token, offline_access)",
        grants: "Issue a refresh token, so the connector keeps working without the user. Without it no refresh token comes back.",
        broad: false,
    },
    ScopeInfo {
        tokens: &["id", "profile", "email", "address", "phone"],
        label: "Access the identity URL service (id, profile, email, address, phone)",
        grants: "Read the user's identity (name, email, org) from the identity URL.",
        broad: false,
    },
    ScopeInfo {
        tokens: &["openid"],
        label: "Access unique user identifiers (openid)",
        grants: "An OpenID Connect id_token with the user's unique identifier.",
        broad: false,
    },
    ScopeInfo {
        tokens: &["chatter_api"],
        label: "Access Connect REST API resources (chatter_api)",
        grants: "Connect REST API (Chatter, feeds, files).",
        broad: false,
    },
    ScopeInfo {
        tokens: &["custom_permissions"],
        label: "Access custom permissions (custom_permissions)",
        grants: "Read which custom permissions the user has.",
        broad: false,
    },
    ScopeInfo {
        tokens: &["visualforce"],
        label: "Access Visualforce applications (visualforce)",
        grants: "Open Visualforce pages.",
        broad: false,
    },
    ScopeInfo {
        tokens: &["lightning"],
        label: "Access Lightning applications (lightning)",
        grants: "Open Lightning apps.",
        broad: false,
    },
    ScopeInfo {
        tokens: &["content"],
        label: "Access content resources (content)",
        grants: "Files and content resources.",
        broad: false,
    },
    ScopeInfo {
        tokens: &["wave_api"],
        label: "Access Analytics REST API resources (wave_api)",
        grants: "CRM Analytics REST API.",
        broad: false,
    },
    ScopeInfo {
        tokens: &["cdp_api"],
        label: "Access all Data Cloud API resources (cdp_api)",
        grants: "Every Data Cloud API. Broad.",
        broad: true,
    },
    ScopeInfo {
        tokens: &["pardot_api"],
        label: "Manage Pardot services (pardot_api)",
        grants: "Account Engagement (Pardot) API.",
        broad: false,
    },
];

/// The row for a token, if it is in the table.
pub fn scope_info(token: &str) -> Option<&'static ScopeInfo> {
    SCOPE_TABLE.iter().find(|s| s.tokens.contains(&token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_dedups_and_accepts_commas() {
        let s = Scopes::parse("api, refresh_token  api offline_access");
        assert_eq!(s.to_param(), "api refresh_token offline_access");
        assert!(s.allows_refresh());
        assert!(!Scopes::parse("api web").allows_refresh());
    }

    #[test]
    fn missing_honours_synonyms_and_full() {
        let required = Scopes::parse("refresh_token api");
        assert!(required.missing_from(&Scopes::parse("offline_access full")).is_empty());
        assert_eq!(required.missing_from(&Scopes::parse("full")), vec!["refresh_token".to_string()]);
    }

    #[test]
    fn labels_match_setup_screen() {
        assert_eq!(
            scope_info("offline_access").map(|s| s.label),
            Some("Perform requests at any time (refresh_token, offline_access)")
        );
        assert!(scope_info("full").is_some_and(|s| s.broad));
    }
}
