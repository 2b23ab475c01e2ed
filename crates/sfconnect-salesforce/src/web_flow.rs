//! The web server flow's first half: the authorize URL, with a random `state` and PKCE (S256) by default.
//!
//! oauth2 builds it (its `CsrfToken`, `PkceCodeChallenge` and authorize request, on the client type in
//! `oauth.rs`); Salesforce wants nothing beyond the standard parameters and, when asked, `prompt`.

use std::borrow::Cow;

use oauth2::{AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope};

use super::errors::Error;
use super::hosts::{LoginHost, LoginUrlError};
use super::oauth::SalesforceOAuthClient;
use super::scope::Scopes;
use super::secret::CodeVerifier;

pub(crate) const AUTHORIZE_PATH: &str = "/services/oauth2/authorize";

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

/// The callback given is not an absolute URL: Salesforce would refuse it (`redirect_uri_mismatch`), and
/// no URL can be built around it.
pub(crate) fn bad_callback(redirect_uri: &str) -> Error {
    Error::CallbackUrl(redirect_uri.to_string())
}

impl AuthorizeRequest {
    /// Builds the URL for `host`, making a fresh state and (with `pkce`) a fresh verifier. Fails when the
    /// callback URL is not an absolute URL.
    pub fn new(host: &LoginHost, options: &AuthorizeOptions) -> Result<Self, Error> {
        let auth_url = AuthUrl::new(host.url(AUTHORIZE_PATH))
            .map_err(|_| Error::LoginUrl(LoginUrlError::NotAUrl(host.origin().to_string())))?;
        let redirect =
            RedirectUrl::new(options.redirect_uri.clone()).map_err(|_| bad_callback(&options.redirect_uri))?;
        let client = SalesforceOAuthClient::new(ClientId::new(options.client_id.clone())).set_auth_uri(auth_url);
        let mut request = client
            .authorize_url(CsrfToken::new_random)
            .set_redirect_uri(Cow::Owned(redirect))
            .add_scopes(options.scopes.iter().map(|s| Scope::new(s.to_string())));
        let verifier = if options.pkce {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            request = request.set_pkce_challenge(challenge);
            Some(CodeVerifier::new(verifier.into_secret()))
        } else {
            None
        };
        if options.force_login {
            request = request.add_extra_param("prompt", "login consent");
        }
        let (url, state) = request.url();
        Ok(Self {
            url: url.to_string(),
            state: state.into_secret(),
            redirect_uri: options.redirect_uri.clone(),
            code_verifier: verifier,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use sha2::Digest;
    use url::Url;

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
        let req = AuthorizeRequest::new(&LoginHost::production(), &options(true)).unwrap();
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
        let a = AuthorizeRequest::new(&LoginHost::production(), &options(false)).unwrap();
        let b = AuthorizeRequest::new(&LoginHost::production(), &options(false)).unwrap();
        assert!(!a.url.contains("code_challenge"));
        assert!(a.code_verifier.is_none());
        assert_ne!(a.state, b.state);
    }

    #[test]
    fn a_callback_that_is_not_a_url_is_an_error_not_an_empty_url() {
        let relative = AuthorizeOptions { redirect_uri: "oauth2/success".into(), ..options(true) };
        let err = AuthorizeRequest::new(&LoginHost::production(), &relative).unwrap_err();
        assert!(matches!(err, Error::CallbackUrl(ref u) if u == "oauth2/success"), "{err:?}");
        assert!(err.to_string().contains("not an absolute URL"));
    }

    #[test]
    fn force_login_asks_for_the_login_page_and_consent() {
        let forced = AuthorizeOptions { force_login: true, ..options(false) };
        let req = AuthorizeRequest::new(&LoginHost::production(), &forced).unwrap();
        let url = Url::parse(&req.url).unwrap();
        let prompt = url.query_pairs().find(|(k, _)| k == "prompt").map(|(_, v)| v.into_owned());
        assert_eq!(prompt.as_deref(), Some("login consent"));
    }
}
