//! Every way a Salesforce request can fail, and the one table that turns each into a plain sentence and
//! the fix, written for an admin. The wizard and the command line both print from here, so a newly met
//! error is a new row in [`KNOWN_OAUTH_ERRORS`], nothing more.
//!
//! Errors are split as oauth2-rs splits them: the server said no ([`Error::OAuth`], [`Error::Rest`]), the
//! answer could not be read ([`Error::UnreadableResponse`]), or the request never got an answer
//! ([`Error::Transport`]). No variant ever holds a secret: bodies are kept only as a redacted excerpt.
//! A 429 or 503 that says how long to wait wraps whichever of these it was in [`Error::AskedToWait`].

use std::fmt;
use std::time::Duration;

use super::hosts::LoginUrlError;
use super::paste::PasteError;

/// A failure of a Salesforce request or of the input to one.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The OAuth endpoints said no: `{"error": …, "error_description": …}`.
    #[error("{}", explain_oauth(.0).headline)]
    OAuth(OAuthError),
    /// A REST endpoint said no: `[{"errorCode": …, "message": …}]`.
    #[error("{}", explain_rest(.0).headline)]
    Rest(RestError),
    /// An answer that was not what the endpoint sends: an HTML page, malformed or truncated JSON.
    #[error("Salesforce answered {what} (HTTP {status}) instead of the expected JSON{}", detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    UnreadableResponse { status: u16, what: BodyKind, detail: Option<String> },
    /// No answer: the connection failed, timed out, or TLS failed.
    #[error("{}", transport_headline(.kind, .host))]
    Transport { kind: TransportKind, host: String, detail: String },
    /// The token response had no refresh token.
    #[error(
        "Salesforce issued no refresh token: the app or the request lacks the refresh_token scope (granted: {granted})"
    )]
    MissingRefreshToken { granted: String },
    /// The login URL was refused before any request was made.
    #[error(transparent)]
    LoginUrl(#[from] LoginUrlError),
    /// A pasted redirect or code could not be used.
    #[error(transparent)]
    Paste(#[from] PasteError),
    /// A 429 or 503 answer that said how long to wait (`Retry-After`): the answer as it was read, and the
    /// wait as the server gave it (the loops that honour it cap it, see `retry::MAX_SERVER_WAIT`). Holds no
    /// more than the answer it wraps: a number of seconds is no secret.
    #[error("{answer}; Salesforce asked to wait {}", wait_text(.wait.as_secs()))]
    AskedToWait { wait: Duration, answer: Box<Error> },
    /// A wait ran out of time while Salesforce could not be reached: the last failure says how. Nothing was
    /// learnt about the key or the secret.
    #[error("Cannot reach Salesforce: {last} (still so after {})", wait_text(*.waited_secs))]
    Unreachable { waited_secs: u64, last: Box<Error> },
    /// A wait (device approval, key propagation) ran out of time.
    #[error("{what} did not finish within {}", wait_text(*.waited_secs))]
    TimedOut { what: &'static str, waited_secs: u64 },
    /// A callback URL that is not an absolute URL: no authorize request can carry it.
    #[error(
        "Callback URL `{0}` is not an absolute URL: give the one registered on the app, such as https://login.salesforce.com/services/oauth2/success"
    )]
    CallbackUrl(String),
    /// The HTTP client could not be set up (its trusted roots were refused): nothing was sent.
    #[error("Cannot set up HTTPS: {detail}")]
    HttpClient { detail: String },
}

/// An OAuth error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub status: u16,
    pub code: OAuthErrorCode,
    pub description: Option<String>,
}

/// Declares [`OAuthErrorCode`] and its wire spellings in one list, so a code and its text cannot drift.
macro_rules! oauth_error_codes {
    ($($(#[$doc:meta])* $variant:ident => $wire:literal,)*) => {
        /// An OAuth `error` code, read once where the answer is read (the token endpoint's JSON or form
        /// body, the authorize redirect's `error=`) and compared as a value everywhere else, as oauth2-rs's
        /// `BasicErrorResponseType` with its `Extension(String)` arm. The known ones are the codes
        /// sfconnect acts on or explains: Salesforce's server list (protocol notes §3, mirrored from
        /// `OauthErrorCode.java` by the Mobile SDK's `OAuthErrorCode.kt`), the two upper-case codes seen in
        /// the wild, and RFC 6749/8628's standard codes. Any other code is kept as sent in [`Other`](Self::Other).
        /// `Display` and serde write the wire text back.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum OAuthErrorCode {
            $($(#[$doc])* $variant,)*
            /// A code sfconnect does not know, exactly as it came.
            Other(String),
        }

        impl OAuthErrorCode {
            /// Every known code (not [`Other`](Self::Other)).
            pub const KNOWN: &'static [OAuthErrorCode] = &[$(OAuthErrorCode::$variant),*];

            /// The code as Salesforce writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(OAuthErrorCode::$variant => $wire,)*
                    OAuthErrorCode::Other(code) => code,
                }
            }
        }
    };
}

oauth_error_codes! {
    InvalidClientId => "invalid_client_id",
    InvalidClient => "invalid_client",
    InvalidGrant => "invalid_grant",
    InvalidRequest => "invalid_request",
    InvalidScope => "invalid_scope",
    InvalidToken => "invalid_token",
    InvalidAppAccess => "invalid_app_access",
    RedirectUriMismatch => "redirect_uri_mismatch",
    RedirectUriMissing => "redirect_uri_missing",
    AccessDenied => "access_denied",
    AppBlocked => "app_blocked",
    /// Upper case as sent (protocol notes §3: "this app is blocked by admin").
    OauthAppBlocked => "OAUTH_APP_BLOCKED",
    AppNotFound => "app_not_found",
    OauthFlowDisabled => "oauth_flow_disabled",
    UnsupportedResponseType => "unsupported_response_type",
    UnsupportedGrantType => "unsupported_grant_type",
    UnsupportedTokenType => "unsupported_token_type",
    /// RFC 6749 §5.2; not in Salesforce's server list, read in case a proxy or a future release sends it.
    UnauthorizedClient => "unauthorized_client",
    AuthorizationPending => "authorization_pending",
    SlowDown => "slow_down",
    /// RFC 8628 §3.5; absent from Salesforce's server list, which answers `invalid_grant` "expired device
    /// code" instead. Known so that an answer in the RFC's words is still read as an expiry.
    ExpiredToken => "expired_token",
    RateLimitExceeded => "rate_limit_exceeded",
    /// Upper case as sent (restforce PR#744): 3600 logins per user per hour.
    LoginRateExceeded => "LOGIN_RATE_EXCEEDED",
    ServerError => "server_error",
    ServiceUnavailable => "service_unavailable",
    SystemDown => "system_down",
    ClientBlockedRetry => "client_blocked_retry",
    UnknownError => "unknown_error",
}

impl OAuthErrorCode {
    /// The code for `wire`. Known codes match without regard to case (Salesforce is not consistent: see
    /// the upper-case rows); anything else is kept exactly as sent.
    pub fn parse(wire: &str) -> Self {
        OAuthErrorCode::KNOWN
            .iter()
            .find(|known| known.as_str().eq_ignore_ascii_case(wire))
            .cloned()
            .unwrap_or_else(|| OAuthErrorCode::Other(wire.to_owned()))
    }

    /// Whether trying again later may succeed: Salesforce says it is down or busy.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            OAuthErrorCode::ServerError
                | OAuthErrorCode::ServiceUnavailable
                | OAuthErrorCode::SystemDown
                | OAuthErrorCode::ClientBlockedRetry
                | OAuthErrorCode::UnknownError
        )
    }
}

impl fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for OAuthErrorCode {
    fn from(wire: &str) -> Self {
        OAuthErrorCode::parse(wire)
    }
}

impl From<String> for OAuthErrorCode {
    fn from(wire: String) -> Self {
        OAuthErrorCode::parse(&wire)
    }
}

impl std::str::FromStr for OAuthErrorCode {
    type Err = std::convert::Infallible;

    fn from_str(wire: &str) -> Result<Self, Self::Err> {
        Ok(OAuthErrorCode::parse(wire))
    }
}

impl serde::Serialize for OAuthErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for OAuthErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(OAuthErrorCode::parse(&String::deserialize(deserializer)?))
    }
}

/// A REST error answer (the first element of the array).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

/// What came back instead of JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Html,
    MalformedJson,
    Empty,
    Other,
    /// More than [`crate::http::MAX_BODY_BYTES`]: read no further.
    TooLarge,
}

impl fmt::Display for BodyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BodyKind::Html => "a web page",
            BodyKind::MalformedJson => "malformed or cut-off JSON",
            BodyKind::Empty => "an empty answer",
            BodyKind::Other => "something unexpected",
            BodyKind::TooLarge => "an answer too large to be one (over 16 MiB; not read further)",
        })
    }
}

/// Why a request got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    Timeout,
    Refused,
    Dns,
    Tls,
    Other,
}

/// A sentence for what happened and one for what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub headline: String,
    pub fix: String,
}

impl Error {
    /// The headline and the fix, for printing.
    pub fn explain(&self) -> Explanation {
        match self {
            Error::OAuth(e) => explain_oauth(e),
            Error::Rest(e) => explain_rest(e),
            Error::UnreadableResponse { status, .. } => Explanation {
                headline: self.to_string(),
                fix: if *status >= 500 {
                    "Salesforce may be under maintenance: check status.salesforce.com for your instance and try again in a few minutes.".into()
                } else {
                    "Check that the Login URL is your org's login host (not a proxy or a company portal), then try again.".into()
                },
            },
            Error::Transport { kind, .. } => Explanation { headline: self.to_string(), fix: transport_fix(*kind).into() },
            Error::AskedToWait { wait, answer } => {
                let inner = answer.explain();
                Explanation {
                    headline: format!("{}; Salesforce asked to wait {}", inner.headline, wait_text(wait.as_secs())),
                    fix: inner.fix,
                }
            }
            Error::MissingRefreshToken { .. } => Explanation {
                headline: self.to_string(),
                fix: "In the app's OAuth settings add \"Perform requests at any time (refresh_token, offline_access)\" to Selected OAuth Scopes, save, and authorize again with refresh_token in the requested scopes.".into(),
            },
            Error::Paste(PasteError::Authorization { error, description }) => {
                let said = match description {
                    Some(d) => format!("{error}: {d}"),
                    None => error.to_string(),
                };
                match lookup_oauth(error, description.as_deref()) {
                    Some(row) => Explanation {
                        headline: format!("Salesforce sent the browser back with an error: {} ({said})", row.meaning),
                        fix: row.fix.into(),
                    },
                    None => Explanation {
                        headline: format!("Salesforce sent the browser back with an error ({said})"),
                        fix: "Authorize again; if it repeats, search Salesforce Help for the error above.".into(),
                    },
                }
            }
            // These messages carry their own instruction.
            Error::LoginUrl(_) | Error::Paste(_) | Error::CallbackUrl(_) => Explanation { headline: self.to_string(), fix: String::new() },
            Error::Unreachable { last, .. } => Explanation {
                headline: self.to_string(),
                fix: format!(
                    "{} Salesforce never answered, so the consumer key and secret were not checked: run the wait again once it can be reached.",
                    last.explain().fix
                ),
            },
            Error::HttpClient { .. } => Explanation {
                headline: self.to_string(),
                fix: "The trusted root certificates come from the file SSL_CERT_FILE names and the folder SSL_CERT_DIR names when either is set, else from the system's store: make sure each certificate there is a whole PEM block (or unset the variables), then run sfconnect again.".into(),
            },
            Error::TimedOut { .. } => Explanation {
                headline: self.to_string(),
                fix: "Check that the Consumer Key was copied whole and belongs to the org behind the Login URL; a new app can take 10 minutes (15 for an External Client App). Then start again.".into(),
            },
        }
    }

    /// True when trying the same request again later may succeed (5xx, 429, a timeout, a refused
    /// connection). Never true for an error Salesforce gave on purpose.
    pub fn is_transient(&self) -> bool {
        match self {
            // A name that does not resolve (TransportKind::Dns) is not tried again. Mostly it is a typo in
            // the Login URL (a misspelt My Domain), which no retry mends: retrying would only hold back the
            // message that says so, and `wait` would probe a typo until its time limit. The rarer cause, a
            // DNS server that is down or out of reach, seldom heals within the seconds a retry covers
            // either; the message names DNS and the proxy, and the admin runs the command again.
            Error::Transport { kind, .. } => {
                matches!(kind, TransportKind::Timeout | TransportKind::Refused | TransportKind::Other)
            }
            Error::UnreadableResponse { status, .. } => *status >= 500 || *status == 429 || *status == 200,
            Error::OAuth(e) => e.status >= 500 || e.status == 429 || e.code.is_transient(),
            Error::Rest(e) => e.status >= 500 || e.status == 429 || e.code == "REQUEST_LIMIT_EXCEEDED",
            // Only a 429 or a 503 is wrapped, and the server said when to come back.
            Error::AskedToWait { .. } => true,
            _ => false,
        }
    }

    /// True when the request certainly never reached Salesforce (the connection was refused, or the
    /// host name did not resolve): a single-use code sent with it is still unused, and the same request
    /// may be made again. A timeout or a dropped connection is not this: the request may have arrived.
    pub fn is_unsent(&self) -> bool {
        matches!(self, Error::Transport { kind: TransportKind::Refused | TransportKind::Dns, .. })
    }

    /// The OAuth error code, when Salesforce sent one.
    pub fn oauth_code(&self) -> Option<&OAuthErrorCode> {
        match self {
            Error::OAuth(e) => Some(&e.code),
            Error::AskedToWait { answer, .. } => answer.oauth_code(),
            _ => None,
        }
    }

    /// The OAuth error description, lower-cased ("" when none was sent).
    fn oauth_description(&self) -> String {
        match self {
            Error::OAuth(e) => e.description.as_deref().unwrap_or("").to_ascii_lowercase(),
            Error::AskedToWait { answer, .. } => answer.oauth_description(),
            _ => String::new(),
        }
    }

    /// Salesforce's answer when the app's device flow is switched off: `invalid_grant` "device flow is not
    /// enabled for the app" (forcedotcom/code-builder-feedback#263). `oauth_flow_disabled` (in the server's
    /// code list, protocol notes §3) is read the same way when it comes from a device-flow request.
    pub fn is_device_flow_off(&self) -> bool {
        match self.oauth_code() {
            Some(OAuthErrorCode::InvalidGrant) => self.oauth_description().contains("device flow is not enabled"),
            Some(OAuthErrorCode::OauthFlowDisabled) => true,
            _ => false,
        }
    }

    /// The September 2025 block of uninstalled apps: `invalid_client` whose description speaks of installing
    /// the app ("app must be installed into org"), whether or not a secret was sent.
    pub fn is_app_not_installed(&self) -> bool {
        self.oauth_code() == Some(&OAuthErrorCode::InvalidClient) && self.oauth_description().contains("installed")
    }

    /// The request never reached Salesforce, or no answer came back: a refused connection, a name that does
    /// not resolve, a timeout. Nothing Salesforce decided, so nothing to blame on the key or the secret.
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            Error::Transport {
                kind: TransportKind::Timeout | TransportKind::Refused | TransportKind::Dns | TransportKind::Other,
                ..
            }
        )
    }

    /// A host name no DNS server can have (a label over 63 characters is refused before any lookup): waiting
    /// cannot mend it.
    pub fn is_impossible_host_name(&self) -> bool {
        matches!(self, Error::Transport { kind: TransportKind::Dns, detail, .. } if detail.contains("invalid dns name"))
    }

    /// The access token was refused as expired or revoked: REST's 401 `INVALID_SESSION_ID`, or the plain-text
    /// 403 `Bad_OAuth_Token` some endpoints send. A refresh may mend it.
    pub fn is_session_expired(&self) -> bool {
        match self {
            Error::Rest(e) => e.code == "INVALID_SESSION_ID" || e.code == BAD_OAUTH_TOKEN,
            _ => false,
        }
    }

    /// How long Salesforce asked to wait before trying again (`Retry-After` on a 429 or 503), as sent.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::AskedToWait { wait, .. } => Some(*wait),
            _ => None,
        }
    }
}

/// One row of the table: an OAuth `error` code, optionally narrowed by a phrase its `error_description`
/// contains, with what it means and the fix. Rows with a phrase come before the bare code's row.
pub struct KnownError {
    pub code: OAuthErrorCode,
    pub description_contains: Option<&'static str>,
    pub meaning: &'static str,
    pub fix: &'static str,
}

/// Known OAuth errors (protocol notes §3 and §10). Unknown ones are shown as they came.
pub const KNOWN_OAUTH_ERRORS: &[KnownError] = &[
    KnownError {
        code: OAuthErrorCode::InvalidClientId,
        description_contains: None,
        meaning: "Salesforce does not know this consumer key (yet)",
        fix: "A new or changed app takes up to 10 minutes (15 for an External Client App) to reach every server: wait, or check the Consumer Key was copied whole from Manage Consumer Details.",
    },
    KnownError {
        code: OAuthErrorCode::InvalidClient,
        description_contains: Some("installed"),
        meaning: "The app is not installed in this org, and since September 2025 uninstalled apps are blocked",
        fix: "Setup > Connected Apps OAuth Usage > Install next to the app, or give the user \"Approve Uninstalled Connected Apps\" (or \"Use Any API Client\" under API Access Control).",
    },
    KnownError {
        code: OAuthErrorCode::InvalidClient,
        description_contains: None,
        meaning: "Salesforce rejected the consumer secret",
        fix: "Copy the Consumer Secret again from Manage Consumer Details (after Apply, if you generated staged values) and paste it whole, without spaces.",
    },
    KnownError {
        code: OAuthErrorCode::InvalidGrant,
        description_contains: Some("expired access/refresh token"),
        meaning: "The refresh token is expired or revoked",
        fix: "Authorize again. If it worked once and then failed, refresh token rotation is on and the new token was not stored, or the refresh token policy expires it: set \"Refresh token is valid until revoked\".",
    },
    KnownError {
        code: OAuthErrorCode::InvalidGrant,
        description_contains: Some("expired authorization code"),
        // Salesforce says "expired" for a code already exchanged too (omniphx/forrest#169), and pasting
        // the same address twice is far more common than waiting 15 minutes: the likelier cause first.
        meaning: "This authorization code was already used, or is older than about 15 minutes (Salesforce says \"expired\" for both)",
        fix: "Each code works once: open the authorize URL again, click Allow, and paste the new address within a few minutes.",
    },
    KnownError {
        code: OAuthErrorCode::InvalidGrant,
        description_contains: Some("code verifier"),
        meaning: "The PKCE code verifier does not match the authorize request",
        fix: "Use the authorize URL and the code from the same sfconnect session (with `url --json`, pass its code_verifier to `exchange`).",
    },
    KnownError {
        code: OAuthErrorCode::InvalidGrant,
        description_contains: Some("hasn't approved"),
        meaning: "The user has not approved this app",
        fix: "Set Permitted Users to \"Admin approved users are pre-authorized\" and add the user's profile or permission set, or authorize interactively once.",
    },
    KnownError {
        code: OAuthErrorCode::InvalidGrant,
        description_contains: Some("authentication failure"),
        meaning: "Salesforce refused the login (wrong host, locked or inactive user, or IP restrictions)",
        fix: "Check the Login URL matches the org (production, sandbox or My Domain) and the app's IP Relaxation policy; then authorize again.",
    },
    KnownError {
        code: OAuthErrorCode::InvalidGrant,
        description_contains: Some("token validity expired"),
        meaning: "The refresh token's validity period is over",
        fix: "In the app's OAuth policies set the Refresh Token Policy to \"Refresh token is valid until revoked\", then authorize again.",
    },
    KnownError {
        code: OAuthErrorCode::InvalidGrant,
        description_contains: Some("ip restricted"),
        meaning: "The request came from an IP address the org or app does not allow",
        fix: "In the app's OAuth policies set IP Relaxation to \"Relax IP restrictions\", or add this address to the trusted ranges.",
    },
    KnownError {
        code: OAuthErrorCode::InvalidGrant,
        description_contains: Some("token exchange failed"),
        meaning: "Salesforce could not complete the device authorization (two device logins at once cause this)",
        fix: "Run one device login at a time, and start again.",
    },
    // forcedotcom/code-builder-feedback#263 (Aug 2025): the device-flow start, when the app does not have
    // device flow switched on, answers invalid_grant "device flow is not enabled for the app".
    KnownError {
        code: OAuthErrorCode::InvalidGrant,
        description_contains: Some("device flow is not enabled"),
        meaning: "Device flow is switched off on the app (\"Enable Device Flow\" on an External Client App, \"Enable for Device Flow\" on a Connected App, is not ticked)",
        fix: DEVICE_FLOW_OFF_FIX,
    },
    KnownError {
        code: OAuthErrorCode::InvalidGrant,
        description_contains: Some("device code"),
        meaning: "The device code expired before it was approved",
        fix: "Start the device login again and approve it within 10 minutes.",
    },
    KnownError {
        code: OAuthErrorCode::InvalidGrant,
        description_contains: None,
        meaning: "Salesforce refused the authorization code or token",
        fix: "Codes are single use and expire after about 15 minutes: authorize again and paste the new address.",
    },
    KnownError {
        code: OAuthErrorCode::RedirectUriMismatch,
        description_contains: None,
        meaning: "The callback URL is not one the app has registered",
        fix: "Add the callback URL shown by sfconnect to the app's Callback URL field (one per line), save, and wait for it to take effect.",
    },
    KnownError {
        code: OAuthErrorCode::RedirectUriMissing,
        description_contains: None,
        meaning: "The request had no callback URL",
        fix: "Pass --redirect-uri with the Callback URL registered on the app.",
    },
    KnownError {
        code: OAuthErrorCode::InvalidAppAccess,
        description_contains: None,
        meaning: "This user is not allowed to use the app (admin-approved users only)",
        fix: "In Manage Connected Apps > the app > Manage Profiles / Manage Permission Sets, add the user's profile or a permission set they have.",
    },
    KnownError {
        code: OAuthErrorCode::AppBlocked,
        description_contains: None,
        meaning: "An admin has blocked this app",
        fix: "Setup > Connected Apps OAuth Usage: unblock the app.",
    },
    KnownError {
        code: OAuthErrorCode::OauthAppBlocked,
        description_contains: None,
        meaning: "An admin has blocked this app",
        fix: "Setup > Connected Apps OAuth Usage: unblock the app, or install it and assign permissions.",
    },
    KnownError {
        code: OAuthErrorCode::AppNotFound,
        description_contains: None,
        meaning: "Salesforce found no app for this consumer key",
        fix: "Check the Consumer Key, and that the app exists in the org behind this Login URL (sandbox keys do not work in production).",
    },
    KnownError {
        code: OAuthErrorCode::AccessDenied,
        description_contains: None,
        meaning: "The authorization was denied (Deny was clicked, or the user may not use the app)",
        fix: "Authorize again and click Allow; if Allow is not offered, check Permitted Users in the app's OAuth policies.",
    },
    KnownError {
        code: OAuthErrorCode::OauthFlowDisabled,
        description_contains: None,
        meaning: "This OAuth flow is turned off for the app or the org",
        fix: "For the device flow tick \"Enable for Device Flow\" on the app (External Client App: Enable Device Flow); otherwise check Setup > OAuth and OpenID Connect Settings.",
    },
    KnownError {
        code: OAuthErrorCode::UnsupportedResponseType,
        description_contains: None,
        meaning: "Salesforce does not allow this flow for the app",
        fix: "For the device flow tick \"Enable for Device Flow\" on the app (External Client App: Enable Device Flow), save, and wait for it to take effect.",
    },
    KnownError {
        code: OAuthErrorCode::UnsupportedGrantType,
        description_contains: None,
        meaning: "Salesforce does not accept this grant type here",
        fix: "Check the Login URL is a Salesforce login host; if it is, report this to the sfconnect maintainers.",
    },
    KnownError {
        code: OAuthErrorCode::InvalidScope,
        description_contains: None,
        meaning: "A requested scope is not allowed for the app",
        fix: "Add the scope to the app's Selected OAuth Scopes, or request only the scopes the app has.",
    },
    KnownError {
        code: OAuthErrorCode::InvalidRequest,
        description_contains: Some("refresh_token scope is required"),
        meaning: "The app needs the refresh_token scope and must be installed and pre-authorized",
        fix: "Add \"Perform requests at any time (refresh_token, offline_access)\" to the app's scopes and set Permitted Users to admin-approved with the user's profile.",
    },
    KnownError {
        code: OAuthErrorCode::InvalidRequest,
        description_contains: Some("code challenge"),
        meaning: "The app requires PKCE and the request had no code challenge",
        fix: "Leave PKCE on (the default); do not pass --no-pkce for this app.",
    },
    KnownError {
        code: OAuthErrorCode::InvalidRequest,
        description_contains: None,
        meaning: "Salesforce found the request malformed",
        fix: "Check the Consumer Key and Login URL; if they are right, report this to the sfconnect maintainers with the message below.",
    },
    KnownError {
        code: OAuthErrorCode::AuthorizationPending,
        description_contains: None,
        meaning: "The device code has not been approved yet",
        fix: "Open the verification URL, enter the code, and click Allow.",
    },
    KnownError {
        code: OAuthErrorCode::SlowDown,
        description_contains: None,
        meaning: "Polled too quickly",
        fix: "Nothing to do: sfconnect waits longer between polls.",
    },
    KnownError {
        code: OAuthErrorCode::InvalidToken,
        description_contains: None,
        meaning: "Salesforce does not recognise this token (already revoked or never valid)",
        fix: "Nothing to revoke; authorize again if you need a working token.",
    },
    KnownError {
        code: OAuthErrorCode::UnsupportedTokenType,
        description_contains: None,
        meaning: "This kind of token cannot be revoked here",
        fix: "Revoke the refresh token, not the access token.",
    },
    KnownError {
        code: OAuthErrorCode::RateLimitExceeded,
        description_contains: None,
        meaning: "Too many requests: Salesforce is rate-limiting this client",
        fix: "Wait a minute and try again; at most 3600 logins per user per hour are allowed.",
    },
    KnownError {
        code: OAuthErrorCode::LoginRateExceeded,
        description_contains: None,
        meaning: "This user has logged in too often (3600 logins per hour)",
        fix: "Wait an hour, and cache tokens instead of logging in for every request.",
    },
    KnownError {
        code: OAuthErrorCode::ServerError,
        description_contains: None,
        meaning: "Salesforce had an internal error",
        fix: "Try again in a few minutes; check status.salesforce.com if it persists.",
    },
    KnownError {
        code: OAuthErrorCode::ServiceUnavailable,
        description_contains: None,
        meaning: "Salesforce is temporarily unavailable",
        fix: "Try again in a few minutes; check status.salesforce.com for maintenance.",
    },
    KnownError {
        code: OAuthErrorCode::UnknownError,
        description_contains: None,
        meaning: "Salesforce reported an unknown error",
        fix: "Retry. With an External Client App, use the org's own My Domain Login URL and a browser signed in to that org only.",
    },
];

/// How to switch the device flow on, for both kinds of app (the wizard, which knows the kind, names one).
pub const DEVICE_FLOW_OFF_FIX: &str = "Connected App: Setup > Apps > App Manager > (the app) > Edit > API (Enable OAuth Settings): tick \"Enable for Device Flow\". External Client App: Setup > External Client App Manager > (the app) > Settings > Edit > OAuth Settings > Flow Enablement: tick \"Enable Device Flow\". Save, wait up to 10 minutes (15 for an External Client App), then start the device login again.";

/// Looks up the row for an OAuth error.
pub fn lookup_oauth(code: &OAuthErrorCode, description: Option<&str>) -> Option<&'static KnownError> {
    let desc = description.unwrap_or("").to_ascii_lowercase();
    KNOWN_OAUTH_ERRORS.iter().find(|row| {
        row.code == *code && row.description_contains.is_none_or(|p| desc.contains(&p.to_ascii_lowercase()))
    })
}

fn explain_oauth(e: &OAuthError) -> Explanation {
    let said = match &e.description {
        Some(d) => format!("{}: {d}", e.code),
        None => e.code.to_string(),
    };
    match lookup_oauth(&e.code, e.description.as_deref()) {
        Some(row) => Explanation { headline: format!("{} ({said})", row.meaning), fix: row.fix.into() },
        None => Explanation {
            headline: format!("Salesforce refused the request (HTTP {}, {said})", e.status),
            fix: "This error is not in sfconnect's table: search Salesforce Help for the code above, or report it to the sfconnect maintainers.".into(),
        },
    }
}

/// The plain-text answer (not JSON) Salesforce sends with a 403 for an expired or revoked access token on
/// some REST resources.
pub const BAD_OAUTH_TOKEN: &str = "Bad_OAuth_Token";

/// Known REST error codes (protocol notes §5).
const KNOWN_REST_ERRORS: &[(&str, &str, &str)] = &[
    (
        "API_DISABLED_FOR_ORG",
        "The REST API is not enabled for this org or user",
        "The org's edition must include API access (Enterprise, Unlimited, Performance, Developer), and the user needs the \"API Enabled\" permission (Setup > Profiles or Permission Sets > System Permissions).",
    ),
    (
        "API_CURRENTLY_DISABLED",
        "The API is disabled for this user",
        "Give the user \"API Enabled\" in their profile or a permission set.",
    ),
    (
        "INVALID_SESSION_ID",
        "The access token was refused (expired or revoked session)",
        "sfconnect gets a fresh one from the refresh token; if this persists, the refresh token was revoked: authorize again.",
    ),
    (
        BAD_OAUTH_TOKEN,
        "The access token was refused (expired or revoked session)",
        "sfconnect gets a fresh one from the refresh token; if this persists, the refresh token was revoked: authorize again.",
    ),
    (
        "REQUEST_LIMIT_EXCEEDED",
        "The org has used up its API requests for now",
        "Wait, or check Setup > Company Information > API Requests, Last 24 Hours.",
    ),
    (
        "INVALID_FIELD",
        "A field is not available in this org",
        "Nothing to fix in sfconnect: the check that needed it reports it could not be read.",
    ),
    (
        "INSUFFICIENT_ACCESS",
        "The user may not read this",
        "Give the user \"View Setup and Configuration\", or run the checks as a System Administrator.",
    ),
    ("NOT_FOUND", "The requested resource does not exist", "Check the API version and the instance URL."),
];

fn explain_rest(e: &RestError) -> Explanation {
    match KNOWN_REST_ERRORS.iter().find(|(code, ..)| *code == e.code) {
        Some((_, meaning, fix)) => {
            Explanation { headline: format!("{meaning} ({}: {})", e.code, e.message), fix: (*fix).into() }
        }
        None => Explanation {
            headline: format!("Salesforce refused the request (HTTP {}, {}: {})", e.status, e.code, e.message),
            fix: "Search Salesforce Help for the code above, or report it to the sfconnect maintainers.".into(),
        },
    }
}

/// "90 s" or "10 minutes".
fn wait_text(secs: u64) -> String {
    if secs < 120 { format!("{secs} s") } else { format!("{} minutes", secs / 60) }
}

fn transport_headline(kind: &TransportKind, host: &str) -> String {
    match kind {
        TransportKind::Timeout => format!("{host} did not answer in time"),
        TransportKind::Refused => format!("{host} refused the connection"),
        TransportKind::Dns => format!("The host name of {host} could not be found (DNS)"),
        TransportKind::Tls => format!("The secure connection to {host} failed (TLS)"),
        TransportKind::Other => format!("The request to {host} failed"),
    }
}

fn transport_fix(kind: TransportKind) -> &'static str {
    match kind {
        TransportKind::Timeout => "Check the network and any proxy (HTTPS_PROXY), then try again.",
        TransportKind::Refused => "Check the Login URL and port, and that nothing blocks outgoing HTTPS.",
        TransportKind::Dns => {
            "Check the Login URL's spelling: a My Domain is NAME.my.salesforce.com (a sandbox's NAME--SANDBOX.sandbox.my.salesforce.com), as Setup > My Domain shows it. If it is right, check this machine's DNS settings and any proxy (HTTPS_PROXY / NO_PROXY)."
        }
        TransportKind::Tls => {
            "A proxy may be intercepting HTTPS: set HTTPS_PROXY, or install the proxy's CA certificate in the system store."
        }
        TransportKind::Other => "Check the network and any proxy (HTTPS_PROXY / NO_PROXY), then try again.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oauth(code: &str, desc: &str) -> Error {
        Error::OAuth(OAuthError { status: 400, code: code.into(), description: Some(desc.into()) })
    }

    #[test]
    fn specific_rows_win_over_the_bare_code() {
        let e = oauth("invalid_grant", "expired access/refresh token").explain();
        assert!(e.headline.starts_with("The refresh token is expired or revoked"), "{}", e.headline);
        assert!(e.fix.contains("valid until revoked"));
        let generic = oauth("invalid_grant", "something else").explain();
        assert!(generic.headline.contains("refused the authorization code"));
    }

    #[test]
    fn unknown_codes_are_shown_as_they_came() {
        let e = oauth("brand_new_error", "never seen").explain();
        assert!(e.headline.contains("brand_new_error: never seen"), "{}", e.headline);
        assert!(e.headline.contains("HTTP 400"));
    }

    #[test]
    fn codes_round_trip_through_display_and_serde_and_unknown_ones_stay_as_sent() {
        for code in OAuthErrorCode::KNOWN {
            let wire = code.to_string();
            assert_eq!(OAuthErrorCode::parse(&wire), *code, "{wire}");
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{wire}\""));
            assert_eq!(serde_json::from_str::<OAuthErrorCode>(&json).unwrap(), *code);
            assert!(!matches!(code, OAuthErrorCode::Other(_)));
        }
        // Known codes are read whatever their case; Salesforce writes a few in upper case.
        assert_eq!(OAuthErrorCode::parse("INVALID_GRANT"), OAuthErrorCode::InvalidGrant);
        assert_eq!(OAuthErrorCode::parse("oauth_app_blocked"), OAuthErrorCode::OauthAppBlocked);
        let unknown: OAuthErrorCode = serde_json::from_str("\"Brand_New_Code\"").unwrap();
        assert_eq!(unknown, OAuthErrorCode::Other("Brand_New_Code".into()));
        assert_eq!(serde_json::to_string(&unknown).unwrap(), "\"Brand_New_Code\"");
        assert_eq!(
            "Brand_New_Code".parse::<OAuthErrorCode>().map(|c| c.to_string()).ok().as_deref(),
            Some("Brand_New_Code")
        );
    }

    #[test]
    fn every_row_has_a_fix_and_no_duplicate_key() {
        for (i, row) in KNOWN_OAUTH_ERRORS.iter().enumerate() {
            assert!(!row.fix.is_empty() && !row.meaning.is_empty(), "{}", row.code);
            let dup = KNOWN_OAUTH_ERRORS[..i]
                .iter()
                .any(|r| r.code == row.code && r.description_contains == row.description_contains);
            assert!(!dup, "duplicate row {}", row.code);
        }
    }

    #[test]
    fn transient_is_only_for_retryable_failures() {
        assert!(!oauth("invalid_client_id", "client identifier invalid").is_transient());
        assert!(Error::OAuth(OAuthError { status: 503, code: "x".into(), description: None }).is_transient());
        assert!(Error::UnreadableResponse { status: 503, what: BodyKind::Html, detail: None }.is_transient());
        assert!(!Error::UnreadableResponse { status: 404, what: BodyKind::Html, detail: None }.is_transient());
    }

    #[test]
    fn a_wait_asked_for_is_named_after_the_answer_and_keeps_its_fix() {
        let answer = Error::OAuth(OAuthError {
            status: 429,
            code: "rate_limit_exceeded".into(),
            description: Some("too many requests".into()),
        });
        let plain = answer.explain();
        let e = Error::AskedToWait { wait: Duration::from_secs(30), answer: Box::new(answer) };
        let ex = e.explain();
        assert_eq!(ex.headline, format!("{}; Salesforce asked to wait 30 s", plain.headline));
        assert_eq!(ex.fix, plain.fix);
        assert_eq!(e.to_string(), ex.headline);
        assert!(e.is_transient());
        let long = Error::AskedToWait { wait: Duration::from_secs(3600), answer: Box::new(oauth("x", "y")) };
        assert!(long.explain().headline.ends_with("asked to wait 60 minutes"), "{}", long.explain().headline);
    }
}
