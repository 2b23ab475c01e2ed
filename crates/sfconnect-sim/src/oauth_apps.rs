//! The org's OAuth apps as the OAuth endpoints see them: each with its own consumer key and secret, callbacks,
//! scopes, flags and propagation clock. In Salesforce every app of an org keeps working when another is created,
//! so the endpoints find the app by the `client_id` a request names and answer with that app's rules.
//!
//! The configured app (the fields of [`SimConfig`], so `set_config` keeps switching it) comes first; each app a
//! deploy creates is appended. Nothing here talks HTTP or holds issued tokens.

use std::fmt;
use std::time::{Duration, Instant};

use super::config::{BASE_URL_PLACEHOLDER, SimConfig};
use super::state::Inner;

/// One OAuth client of the org and the rules the OAuth endpoints apply to it.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthApp {
    /// The consumer key.
    pub client_id: String,
    /// The consumer secret. Never printed by `Debug`.
    pub client_secret: String,
    /// Registered callback URLs, compared as exact strings. `{base_url}` stands for the simulator's own URL.
    pub callback_urls: Vec<String>,
    /// Accept any loopback `http` redirect URI (see [`SimConfig::allow_loopback_callbacks`]).
    pub allow_loopback_callbacks: bool,
    /// Scopes configured on the app. Granted = requested ∩ these; no `scope` parameter grants all of them.
    pub scopes: Vec<String>,
    /// "Require Proof Key for Code Exchange".
    pub pkce_required: bool,
    /// "Enable Device Flow" (External Client App) or "Enable for Device Flow" (Connected App).
    pub device_flow_enabled: bool,
    /// Installed in the org (see [`SimConfig::app_installed`]).
    pub installed: bool,
    /// "Require Secret for Web Server Flow".
    pub secret_required_for_web_flow: bool,
    /// "Require Secret for Refresh Token Flow".
    pub secret_required_for_refresh: bool,
    /// Refresh token rotation.
    pub refresh_rotation: bool,
    /// The name its tokens show in `OauthToken.AppName`: the configured app's is the org fixture's (so
    /// [`crate::Simulator::set_up_app`] renames it), a deployed app's is the package's label.
    pub label: String,
}

impl fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("callback_urls", &self.callback_urls)
            .field("allow_loopback_callbacks", &self.allow_loopback_callbacks)
            .field("scopes", &self.scopes)
            .field("pkce_required", &self.pkce_required)
            .field("device_flow_enabled", &self.device_flow_enabled)
            .field("installed", &self.installed)
            .field("secret_required_for_web_flow", &self.secret_required_for_web_flow)
            .field("secret_required_for_refresh", &self.secret_required_for_refresh)
            .field("refresh_rotation", &self.refresh_rotation)
            .field("label", &self.label)
            .finish()
    }
}

impl OAuthApp {
    /// True when `redirect_uri` is registered (exactly) or is an allowed loopback URI.
    pub(crate) fn callback_allowed(&self, redirect_uri: &str, base_url: &str) -> bool {
        let registered = self.callback_urls.iter().any(|c| c.replace(BASE_URL_PLACEHOLDER, base_url) == redirect_uri);
        registered || (self.allow_loopback_callbacks && is_loopback_http(redirect_uri))
    }

    /// requested ∩ app scopes, in the app's order; no request grants every app scope.
    pub(crate) fn grant_scopes(&self, requested: Option<&str>) -> Vec<String> {
        match requested {
            None => self.scopes.clone(),
            Some(requested) => {
                let wanted: Vec<&str> = requested.split_whitespace().collect();
                self.scopes.iter().filter(|s| wanted.contains(&s.as_str())).cloned().collect()
            }
        }
    }
}

fn is_loopback_http(uri: &str) -> bool {
    let Ok(url) = url::Url::parse(uri) else {
        return false;
    };
    url.scheme() == "http" && matches!(url.host_str(), Some("127.0.0.1") | Some("localhost") | Some("[::1]"))
}

impl SimConfig {
    /// The configured app, as its fields describe it now.
    pub(crate) fn configured_app(&self) -> OAuthApp {
        OAuthApp {
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            callback_urls: self.callback_urls.clone(),
            allow_loopback_callbacks: self.allow_loopback_callbacks,
            scopes: self.app_scopes.clone(),
            pkce_required: self.pkce_required,
            device_flow_enabled: self.device_flow_enabled,
            installed: self.app_installed,
            secret_required_for_web_flow: self.secret_required_for_web_flow,
            secret_required_for_refresh: self.secret_required_for_refresh,
            refresh_rotation: self.refresh_rotation,
            label: self.org.app_name().to_string(),
        }
    }

    /// Writes `app` back into the configured app's fields. Its label is the org fixture's and stays as it is.
    fn set_configured_app(&mut self, app: OAuthApp) {
        self.client_id = app.client_id;
        self.client_secret = app.client_secret;
        self.callback_urls = app.callback_urls;
        self.allow_loopback_callbacks = app.allow_loopback_callbacks;
        self.app_scopes = app.scopes;
        self.pkce_required = app.pkce_required;
        self.device_flow_enabled = app.device_flow_enabled;
        self.app_installed = app.installed;
        self.secret_required_for_web_flow = app.secret_required_for_web_flow;
        self.secret_required_for_refresh = app.secret_required_for_refresh;
        self.refresh_rotation = app.refresh_rotation;
    }
}

/// An app a deploy created, with the instant its key reaches every server.
pub struct DeployedApp {
    pub app: OAuthApp,
    pub live_at: Instant,
}

impl Inner {
    /// Every OAuth app of the org, live or not: the configured one first, then each deployed one in order.
    pub fn oauth_apps(&self) -> Vec<OAuthApp> {
        std::iter::once(self.config.configured_app()).chain(self.deployed.iter().map(|d| d.app.clone())).collect()
    }

    /// The app whose consumer key is `client_id`, once its key is live. An unknown key and a key still
    /// propagating get the same answer from Salesforce ("client identifier invalid", protocol notes §10).
    pub fn live_app(&self, client_id: Option<&str>) -> Option<OAuthApp> {
        let client_id = client_id?;
        if client_id == self.config.client_id {
            return self.configured_app_live().then(|| self.config.configured_app());
        }
        let now = Instant::now();
        self.deployed.iter().find(|d| d.app.client_id == client_id && d.live_at <= now).map(|d| d.app.clone())
    }

    /// Adds a deployed app whose key goes live `propagation` from now.
    pub fn add_deployed_app(&mut self, app: OAuthApp, propagation: Duration) {
        self.deployed.push(DeployedApp { app, live_at: Instant::now() + propagation });
    }

    /// Every app's key live at once.
    pub fn make_live_now(&mut self) {
        self.configured_live_now = true;
        let now = Instant::now();
        for deployed in &mut self.deployed {
            deployed.live_at = deployed.live_at.min(now);
        }
    }

    /// Changes the app whose key is `client_id`; false when no app has it.
    pub fn change_app(&mut self, client_id: &str, change: impl FnOnce(&mut OAuthApp)) -> bool {
        if client_id == self.config.client_id {
            let mut app = self.config.configured_app();
            change(&mut app);
            self.config.set_configured_app(app);
            return true;
        }
        match self.deployed.iter_mut().find(|d| d.app.client_id == client_id) {
            Some(deployed) => {
                change(&mut deployed.app);
                true
            }
            None => false,
        }
    }

    /// The app added last: the configured one until a deploy.
    pub fn newest_app(&self) -> OAuthApp {
        self.deployed.last().map_or_else(|| self.config.configured_app(), |d| d.app.clone())
    }
}
