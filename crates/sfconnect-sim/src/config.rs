//! Simulator settings: the configured app (key, secret, callbacks, scopes, policies; the org's first OAuth app,
//! see `oauth_apps.rs`), the org fixture it serves, and the switches tests flip at run time. Plain data only;
//! nothing here talks HTTP or holds issued tokens.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use super::faults::FaultPlan;
use super::tokens;

pub use super::org::OrgFixture;

/// Stands for the simulator's own base URL inside [`SimConfig::callback_urls`]; it is only known after binding.
pub const BASE_URL_PLACEHOLDER: &str = "{base_url}";

/// What the simulated user does when asked to allow the app (auto-approved authorize, device polls).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Approval {
    #[default]
    Approve,
    Deny,
}

/// How the configured app and the org behave. Every field has a default that works for a plain web server
/// flow; change fields directly (`SimConfig { pkce_required: true, ..SimConfig::default() }`). The app fields
/// (`client_id` to `refresh_rotation`) are the configured app's: apps a deploy adds keep their own rules.
#[derive(Clone)]
pub struct SimConfig {
    /// Where to listen. Port 0 picks a free port.
    pub bind: SocketAddr,
    /// The consumer key. Default: a fresh realistic key (`3MVG9` + 80 chars of `[A-Za-z0-9._]`).
    pub client_id: String,
    /// The consumer secret. Default: 64 random upper-case hex chars. Never printed by `Debug`.
    pub client_secret: String,
    /// Registered callback URLs, compared as exact strings. `{base_url}` stands for the simulator's own URL.
    pub callback_urls: Vec<String>,
    /// Accept any `http://127.0.0.1:*`, `http://localhost:*` or `http://[::1]:*` redirect URI. Off by default:
    /// Salesforce matches a callback against the app's list exactly, so a flow must register what it uses.
    pub allow_loopback_callbacks: bool,
    /// The consumer key is unknown ("client identifier invalid") until this long after start, as a freshly
    /// created or edited app is for real (protocol notes §10). [`super::Simulator::make_live_now`] ends it early.
    pub live_after: Duration,
    /// Scopes configured on the app. Granted = requested ∩ these; no `scope` parameter grants all of them.
    pub app_scopes: Vec<String>,
    /// What the user does when the simulator approves on its own (see `auto_approve`).
    pub approval: Approval,
    /// Authorize answers 302 at once; a device code is approved (or denied) at its second poll (a poll answered
    /// `slow_down` does not count). Off: the login page waits for a click, a device code for
    /// [`super::Simulator::approve_device`] or the `/setup/connect` page.
    pub auto_approve: bool,
    /// The app's device flow checkbox ("Enable for Device Flow" on a Connected App, "Enable Device Flow" on an
    /// External Client App). Off, the device-flow start answers `invalid_grant` "device flow is
    /// not enabled for the app", as Salesforce does (forcedotcom/code-builder-feedback#263).
    pub device_flow_enabled: bool,
    /// The app is installed in the org. False is the September 2025 block of uninstalled apps: every token
    /// request for the app, and authorize, answer `invalid_client` "app must be installed into org", whether
    /// or not a secret is sent (protocol notes §3, docs.movedata.io).
    pub app_installed: bool,
    /// Minimum time between device polls; a faster poll gets `slow_down`.
    pub device_interval: Duration,
    pub device_ttl: Duration,
    /// "Require Proof Key for Code Exchange" on the app.
    pub pkce_required: bool,
    /// Authorization code lifetime (15 minutes per the help page, protocol notes §2).
    pub code_ttl: Duration,
    /// "Require Secret for Web Server Flow".
    pub secret_required_for_web_flow: bool,
    /// "Require Secret for Refresh Token Flow" (`isSecretRequiredForRefreshToken`, default true).
    pub secret_required_for_refresh: bool,
    /// Refresh token rotation (`isRefreshTokenRotationEnabled`).
    pub refresh_rotation: bool,
    /// When false every authenticated REST call answers 403 `API_DISABLED_FOR_ORG`.
    pub api_enabled: bool,
    pub fault: Option<FaultPlan>,
    /// How long an access token works (the org's session timeout, 2 hours by default in Session Settings).
    /// After it, userinfo and the identity URL answer 403 `Bad_OAuth_Token` and REST 401 `INVALID_SESSION_ID`;
    /// a refresh gives a working one. [`super::Simulator::expire_access_tokens`] ends them all at once.
    pub session_timeout: Duration,
    /// The newest API version the org serves (`GET /services/data/` lists up to it; newer ones answer 404
    /// NOT_FOUND). Lower it to play an older org. Default [`super::NEWEST_API_VERSION`].
    pub newest_api_version: u32,
    /// A keep-alive connection with no traffic for this long is closed (read when the simulator starts).
    pub idle_connection_timeout: Duration,
    /// Added before every answer, as a far data centre would (`sfconnect simulate --latency-ms`).
    pub latency: Duration,
    pub org: OrgFixture,
    /// The `instance_url` token answers name; `None` is the simulator's own URL. A foreign one tests that
    /// clients refuse to send a token outside Salesforce.
    pub instance_url: Option<String>,
    /// The metadata deploy and OAuth credentials resources: their refusals and the propagation delay.
    pub metadata: super::metadata::MetadataConfig,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            client_id: tokens::consumer_key(),
            client_secret: tokens::consumer_secret(),
            callback_urls: vec![
                "https://login.salesforce.com/services/oauth2/success".to_string(),
                "https://test.salesforce.com/services/oauth2/success".to_string(),
                format!("{BASE_URL_PLACEHOLDER}/services/oauth2/success"),
            ],
            allow_loopback_callbacks: false,
            live_after: Duration::ZERO,
            app_scopes: [
                "api",
                "web",
                "refresh_token",
                "offline_access",
                "id",
                "profile",
                "email",
                "address",
                "phone",
                "openid",
                "full",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            approval: Approval::Approve,
            auto_approve: false,
            device_flow_enabled: true,
            app_installed: true,
            device_interval: Duration::from_secs(5),
            device_ttl: Duration::from_secs(600),
            pkce_required: false,
            code_ttl: Duration::from_secs(15 * 60),
            secret_required_for_web_flow: true,
            secret_required_for_refresh: true,
            refresh_rotation: false,
            api_enabled: true,
            fault: None,
            session_timeout: Duration::from_secs(2 * 60 * 60),
            latency: Duration::ZERO,
            idle_connection_timeout: Duration::from_secs(60),
            newest_api_version: super::api_versions::NEWEST_API_VERSION,
            org: OrgFixture::default(),
            instance_url: None,
            metadata: Default::default(),
        }
    }
}

impl fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimConfig")
            .field("bind", &self.bind)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("callback_urls", &self.callback_urls)
            .field("allow_loopback_callbacks", &self.allow_loopback_callbacks)
            .field("live_after", &self.live_after)
            .field("app_scopes", &self.app_scopes)
            .field("approval", &self.approval)
            .field("auto_approve", &self.auto_approve)
            .field("device_flow_enabled", &self.device_flow_enabled)
            .field("app_installed", &self.app_installed)
            .field("device_interval", &self.device_interval)
            .field("device_ttl", &self.device_ttl)
            .field("instance_url", &self.instance_url)
            .field("pkce_required", &self.pkce_required)
            .field("code_ttl", &self.code_ttl)
            .field("secret_required_for_web_flow", &self.secret_required_for_web_flow)
            .field("secret_required_for_refresh", &self.secret_required_for_refresh)
            .field("refresh_rotation", &self.refresh_rotation)
            .field("api_enabled", &self.api_enabled)
            .field("fault", &self.fault)
            .field("session_timeout", &self.session_timeout)
            .field("latency", &self.latency)
            .field("idle_connection_timeout", &self.idle_connection_timeout)
            .field("newest_api_version", &self.newest_api_version)
            .field("org", &self.org)
            .field("metadata", &self.metadata)
            .finish()
    }
}
