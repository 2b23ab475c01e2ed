//! The web server flow's first half: the authorize URL, with a random `state` and PKCE (S256) by default.
//!
//! The oauth2 crate makes the random state and the PKCE pair (its `CsrfToken` and `PkceCodeChallenge`);
//! the URL is built here because Salesforce wants nothing beyond the standard parameters, and the
//! token requests that follow do not fit oauth2's client (device flow, probe, multipart, error table).

use oauth2::{CsrfToken, PkceCodeChallenge};
use url::Url;

use super::hosts::LoginHost;
use super::scope::Scopes;
use super::secret::CodeVerifier;

/// Everything needed to send a user to authorize, and to finish the flow afterwards.
#[derive(Debug)]
pub struct AuthorizeRequest {
    /// The URL to open in a browser. Holds no secret: the challenge is a hash of the verifier.
    pub url: String,
    pub state: String,
    pub redirect_uri: String,
    /// Present when PKCE is on; must be sent with the code exchange.
    pub code_verifier: Option<CodeVerifier>,
}

/// Options of an authorize request.
#[derive(Debug, Clone)]
pub struct AuthorizeOptions {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Scopes,
    pub pkce: bool,
    /// `prompt=login consent`: force the login page (useful when a browser is signed in to another org).
    pub force_login: bool,
}

impl AuthorizeRequest {
    /// Builds the URL for `host`, making a fresh state and (with `pkce`) a fresh verifier.
    pub fn new(host: &LoginHost, options: &AuthorizeOptions) -> Self {
        let state = CsrfToken::new_random().secret().clone();
        let pkce = options.pkce.then(PkceCodeChallenge::new_random_sha256);
        let mut url = match Url::parse(&host.url("/services/oauth2/authorize")) {
            Ok(u) => u,
            // Invariant: a LoginHost origin is a valid absolute URL, so this branch is not taken.
            Err(_) => {
                return Self {
                    url: String::new(),
                    state,
                    redirect_uri: options.redirect_uri.clone(),
                    code_verifier: None,
                };
            }
        };
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code");
            q.append_pair("client_id", &options.client_id);
            q.append_pair("redirect_uri", &options.redirect_uri);
            if !options.scopes.is_empty() {
                q.append_pair("scope", &options.scopes.to_param());
            }
            q.append_pair("state", &state);
            if let Some((challenge, _)) = &pkce {
                q.append_pair("code_challenge", challenge.as_str());
                q.append_pair("code_challenge_method", "S256");
            }
            if options.force_login {
                q.append_pair("prompt", "login consent");
            }
        }
        Self {
            url: url.to_string(),
            state,
            redirect_uri: options.redirect_uri.clone(),
            code_verifier: pkce.map(|(_, verifier)| CodeVerifier::new(verifier.into_secret())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use sha2::Digest;

    fn options(pkce: bool) -> AuthorizeOptions {
        AuthorizeOptions {
            client_id: "3MVG9abc".into(),
            redirect_uri: "https://login.salesforce.com/services/oauth2/success".into(),
            scopes: Scopes::parse("refresh_token full"),
            pkce,
            force_login: false,
        }
    }

    #[test]
    fn url_has_the_standard_parameters_and_a_matching_challenge() {
        let req = AuthorizeRequest::new(&LoginHost::production(), &options(true));
        let url = Url::parse(&req.url).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(url.path(), "/services/oauth2/authorize");
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "3MVG9abc");
        assert_eq!(q["redirect_uri"], "https://login.salesforce.com/services/oauth2/success");
        assert_eq!(q["scope"], "refresh_token full");
        assert_eq!(q["state"], req.state);
        assert_eq!(q["code_challenge_method"], "S256");
        let verifier = req.code_verifier.as_ref().unwrap();
        let expected =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.expose().as_bytes()));
        assert_eq!(q["code_challenge"], expected);
        assert!(!req.url.contains(verifier.expose()));
    }

    #[test]
    fn pkce_off_sends_no_challenge_and_states_differ() {
        let a = AuthorizeRequest::new(&LoginHost::production(), &options(false));
        let b = AuthorizeRequest::new(&LoginHost::production(), &options(false));
        assert!(!a.url.contains("code_challenge"));
        assert!(a.code_verifier.is_none());
        assert_ne!(a.state, b.state);
    }
}
