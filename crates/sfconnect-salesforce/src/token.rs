//! The token endpoint's success answer, as Salesforce sends it (protocol notes §2): `access_token`,
//! `refresh_token` (only with the refresh_token scope), `instance_url`, `id`, `issued_at` (epoch
//! milliseconds, as a string), `signature`, `scope`, `token_type`, and no `expires_in`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;

use super::oauth::{IssuedAt, SalesforceTokenResponse};
use super::scope::Scopes;
use super::secret::{AccessToken, RefreshToken};

/// What a successful token request gives.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub access_token: AccessToken,
    pub refresh_token: Option<RefreshToken>,
    pub instance_url: String,
    /// The identity URL: `https://login.salesforce.com/id/<org id>/<user id>`.
    pub id_url: String,
    pub issued_at: Option<SystemTime>,
    pub scopes: Scopes,
    pub token_type: String,
}

/// The wire shape. Secrets are read as `String` and moved straight into their wrappers.
#[derive(Deserialize)]
pub(crate) struct WireTokenResponse {
    access_token: String,
    refresh_token: Option<String>,
    #[serde(default)]
    instance_url: String,
    #[serde(default)]
    id: String,
    issued_at: Option<IssuedAt>,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    token_type: String,
}

impl From<WireTokenResponse> for TokenGrant {
    fn from(w: WireTokenResponse) -> Self {
        let issued_ms = w.issued_at.as_ref().and_then(IssuedAt::millis);
        TokenGrant {
            access_token: AccessToken::new(w.access_token),
            refresh_token: w.refresh_token.filter(|t| !t.is_empty()).map(RefreshToken::new),
            instance_url: w.instance_url.trim_end_matches('/').to_string(),
            id_url: w.id,
            issued_at: issued_ms.map(|ms| UNIX_EPOCH + Duration::from_millis(ms)),
            scopes: Scopes::parse(&w.scope),
            token_type: w.token_type,
        }
    }
}

impl TokenGrant {
    /// The grant in an answer oauth2 read (the code exchange). The tokens are copied into wiped wrappers;
    /// oauth2's own copies go with its answer.
    pub(crate) fn from_oauth(answer: &SalesforceTokenResponse) -> Self {
        use oauth2::TokenResponse;
        let extra = answer.extra_fields();
        let scopes = answer.scopes().map(|s| s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "));
        TokenGrant {
            access_token: AccessToken::new(answer.access_token().secret().as_str()),
            refresh_token: answer
                .refresh_token()
                .map(|t| t.secret().as_str())
                .filter(|t| !t.is_empty())
                .map(RefreshToken::new),
            instance_url: extra.instance_url.trim_end_matches('/').to_string(),
            id_url: extra.id.clone(),
            issued_at: extra
                .issued_at
                .as_ref()
                .and_then(IssuedAt::millis)
                .map(|ms| UNIX_EPOCH + Duration::from_millis(ms)),
            scopes: Scopes::parse(scopes.as_deref().unwrap_or("")),
            token_type: token_type_name(answer.token_type()),
        }
    }

    /// The org id from the identity URL (`…/id/<org>/<user>`).
    pub fn org_id(&self) -> Option<&str> {
        id_parts(&self.id_url).map(|(org, _)| org)
    }

    /// The user id from the identity URL.
    pub fn user_id(&self) -> Option<&str> {
        id_parts(&self.id_url).map(|(_, user)| user)
    }

    /// `issued_at` as RFC 3339 UTC text.
    pub fn issued_at_rfc3339(&self) -> Option<String> {
        self.issued_at.map(|t| humantime::format_rfc3339_seconds(t).to_string())
    }
}

/// The token type as Salesforce wrote it ("Bearer"), whatever case oauth2 read it in.
fn token_type_name(kind: &oauth2::basic::BasicTokenType) -> String {
    use oauth2::basic::BasicTokenType;
    match kind {
        BasicTokenType::Bearer => "Bearer".into(),
        BasicTokenType::Mac => "mac".into(),
        BasicTokenType::Extension(other) => other.clone(),
    }
}

fn id_parts(id_url: &str) -> Option<(&str, &str)> {
    let path = id_url.split_once("/id/")?.1;
    let mut parts = path.trim_end_matches('/').split('/');
    let org = parts.next().filter(|s| !s.is_empty())?;
    let user = parts.next().filter(|s| !s.is_empty())?;
    Some((org, user.split(['?', '#']).next().unwrap_or(user)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salesforce_shape_without_expires_in() {
        let json = r#"{"access_token":"00Dxx!AQ","refresh_token":"5Aep861","signature":"c2ln","scope":"refresh_token api id",
            "instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D5g000000abcDEAQ/0055g000000xyzAAAA",
            "token_type":"Bearer","issued_at":"1764000000000"}"#;
        let grant: TokenGrant = serde_json::from_str::<WireTokenResponse>(json).unwrap().into();
        assert_eq!(grant.org_id(), Some("00D5g000000abcDEAQ"));
        assert_eq!(grant.user_id(), Some("0055g000000xyzAAAA"));
        assert_eq!(grant.issued_at_rfc3339().as_deref(), Some("2025-11-24T16:00:00Z"));
        assert!(grant.scopes.contains("refresh_token"));
        assert_eq!(grant.refresh_token.as_ref().map(|t| t.expose()), Some("5Aep861"));
    }

    #[test]
    fn numeric_issued_at_and_missing_refresh_token() {
        let json = r#"{"access_token":"a","issued_at":1764000000000,"scope":"api"}"#;
        let grant: TokenGrant = serde_json::from_str::<WireTokenResponse>(json).unwrap().into();
        assert!(grant.refresh_token.is_none());
        assert!(grant.issued_at.is_some());
        assert_eq!(grant.org_id(), None);
    }
}
