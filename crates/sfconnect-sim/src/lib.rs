//! A built-in Salesforce simulator: a real HTTP server that answers the OAuth endpoints (web server flow, device
//! flow, refresh, revoke), the identity endpoints and the REST calls sfconnect makes, with Salesforce's own
//! departures from the RFCs (see `shared/salesforce-protocol.md`). Used by the integration tests, by
//! `sfconnect simulate` and by the demo.
//!
//! It uses nothing else in the crate and keeps its own wire structs: if it shared the client's, a misreading of
//! the protocol could sit on both sides of a test and every test would still pass.

// Validation helpers return the finished error `Response` in `Err`, so handlers can `return` it as is; these
// run once per request, so the size of the `Err` variant costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

mod aggregate;
mod api_versions;
mod authorize;
mod config;
mod describe;
mod device;
mod expiry;
mod faults;
mod filter;
mod identity;
mod idle;
mod metadata;
mod oauth_apps;
mod org;
mod org_apps;
mod org_presets;
mod pages;
mod params;
mod paths;
mod query;
mod record;
mod rest;
mod sobject_rest;
mod sobjects;
mod sobjects_access;
mod soql;
mod state;
mod tls;
mod token;
mod tokens;
mod wire;

use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use api_versions::NEWEST_API_VERSION;
pub use config::{Approval, BASE_URL_PLACEHOLDER, SimConfig};
pub use expiry::MAX_PENDING as MAX_PENDING_GRANTS;
pub use faults::{Fault, FaultPlan, FaultScope};
pub use metadata::{AppRecord, MetadataConfig};
pub use oauth_apps::OAuthApp;
pub use org::{ConnectedAppFixture, OrgFixture, PERMISSION_FIELDS, PermissionSetFixture, TokenFixture, UserFixture};
pub use org_apps::{AppKind, AppSetup, ExternalClientAppFixture, UntilRevoked};
pub use org_presets::{ORG_NAMES, SAMPLE_DOMAINS};
pub use state::SeenRequest;

use state::{DeviceStatus, Shared};

/// How long `shutdown` waits for open requests before it drops them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// How the simulator serves: plain http, or https with a certificate made at start (see [`Simulator::ca_pem`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Transport {
    #[default]
    Http,
    Https,
}

/// A running simulator. Dropping it without [`Simulator::shutdown`] leaves the server running until the tokio
/// runtime ends.
pub struct Simulator {
    shared: Arc<Shared>,
    closing: watch::Sender<bool>,
    server: JoinHandle<io::Result<()>>,
    ca_pem: Option<String>,
}

impl Simulator {
    /// Binds `config.bind` and starts serving plain http in a background task.
    pub async fn start(config: SimConfig) -> io::Result<Simulator> {
        Simulator::start_with(config, Transport::Http).await
    }

    /// Binds `config.bind` and starts serving over `transport` in a background task.
    pub async fn start_with(config: SimConfig, transport: Transport) -> io::Result<Simulator> {
        let listener = tokio::net::TcpListener::bind(config.bind).await?;
        let address = listener.local_addr()?;
        let certificates = match transport {
            Transport::Http => None,
            Transport::Https => Some(tls::make_certificates()?),
        };
        let scheme = if certificates.is_some() { "https" } else { "http" };
        let (closing, closing_rx) = watch::channel(false);
        let idle_timeout = config.idle_connection_timeout;
        let shared = Arc::new(Shared::new(config, format!("{scheme}://{address}"), closing_rx.clone()));
        // Paths are rewritten before routing, so the router is wrapped rather than given a layer.
        let app = tower::ServiceExt::<Request>::map_request(router(shared.clone()), paths::normalize);
        let app = axum::ServiceExt::<Request>::into_make_service(app);
        let mut shutdown_rx = closing_rx;
        let stopped = async move {
            let _ = shutdown_rx.wait_for(|closed| *closed).await;
        };
        let ca_pem = certificates.as_ref().map(|c| c.ca_pem.clone());
        let server = match certificates {
            Some(certificates) => {
                let listener = idle::IdleListener::new(tls::TlsListener::new(listener, &certificates)?, idle_timeout);
                tokio::spawn(async move { axum::serve(listener, app).with_graceful_shutdown(stopped).await })
            }
            None => {
                // Without TCP_NODELAY each small response waits on the peer's delayed ACK (~40 ms on Linux),
                // which made every page of a paged query cost 40 ms.
                let listener = listener.tap_io(|tcp| {
                    if let Err(e) = tcp.set_nodelay(true) {
                        tracing::debug!("sim: could not set TCP_NODELAY: {e}");
                    }
                });
                let listener = idle::IdleListener::new(listener, idle_timeout);
                tokio::spawn(async move { axum::serve(listener, app).with_graceful_shutdown(stopped).await })
            }
        };
        tracing::info!("sim: listening");
        Ok(Simulator { shared, closing, server, ca_pem })
    }

    /// Under [`Transport::Https`], the PEM of the CA that signed the server's certificate: what a client is
    /// told to trust. Made for this run only.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The consumer key of the app added to the org last: the configured app's (`SimConfig::client_id`) until a
    /// deploy adds one. Every app of the org keeps answering; [`Simulator::apps`] lists them.
    pub fn client_id(&self) -> String {
        self.shared.lock().newest_app().client_id
    }

    /// The consumer secret of the app [`Simulator::client_id`] names.
    pub fn client_secret(&self) -> String {
        self.shared.lock().newest_app().client_secret
    }

    /// Every OAuth app of the org, each with its own rules: the configured one first, then those deploys
    /// added, in order.
    pub fn apps(&self) -> Vec<OAuthApp> {
        self.shared.lock().oauth_apps()
    }

    /// Changes the app whose consumer key is `client_id`, as an admin would edit it in Setup (uninstall it,
    /// untick device flow, add a callback...). The configured app's changes land in its `SimConfig` fields; its
    /// label is the org fixture's ([`Simulator::set_up_app`] renames it). False when the org has no such app.
    pub fn set_app(&self, client_id: &str, change: impl FnOnce(&mut OAuthApp)) -> bool {
        self.shared.lock().change_app(client_id, change)
    }

    /// A new access token of the org's admin with the `api` and `web` scopes, as a browser login through the
    /// Salesforce CLI gives one: the session an admin brings to create an app (the demo offers it). Not tied
    /// to any refresh token; it lasts the session timeout.
    pub fn admin_session(&self) -> String {
        self.shared.lock().issue_access(vec!["api".into(), "web".into()], None)
    }

    /// Ends every app's propagation delay (`live_after`, and a deployed app's) at once.
    pub fn make_live_now(&self) {
        self.shared.lock().make_live_now();
    }

    /// Forgets every access token issued so far, as if their sessions timed out: REST answers 401
    /// `INVALID_SESSION_ID` to them; refresh tokens still work.
    pub fn expire_access_tokens(&self) {
        self.shared.lock().access.clear();
    }

    pub fn set_fault(&self, fault: Option<FaultPlan>) {
        self.shared.lock().config.fault = fault;
    }

    /// As if the user entered `user_code` on the verification page and clicked Allow. False if no pending
    /// device grant has that code.
    pub fn approve_device(&self, user_code: &str) -> bool {
        self.shared.lock().decide_device(user_code, DeviceStatus::Approved)
    }

    /// As if the user clicked Deny.
    pub fn deny_device(&self, user_code: &str) -> bool {
        self.shared.lock().decide_device(user_code, DeviceStatus::Denied)
    }

    /// Sets the configured app up as an admin would in Setup (see [`AppSetup`]): its kind and names in the
    /// org's app objects and token rows, and its device flow switch. Apps deploys added are left as they are.
    pub fn set_up_app(&self, setup: &AppSetup) {
        self.app_setup()(setup);
    }

    /// [`Simulator::set_up_app`] as a function that outlives this borrow (the demo hands it to the wizard's
    /// loop, which does not know the simulator).
    pub fn app_setup(&self) -> impl Fn(&AppSetup) + Send + Sync + 'static {
        let shared = self.shared.clone();
        move |setup: &AppSetup| {
            let mut inner = shared.lock();
            inner.config.org.set_up_app(setup);
            inner.config.device_flow_enabled = setup.device_flow;
        }
    }

    /// Changes behaviour at run time; the app fields are the configured app's. Changing `client_id` makes
    /// already issued codes unusable.
    pub fn set_config(&self, f: impl FnOnce(&mut SimConfig)) {
        f(&mut self.shared.lock().config);
    }

    /// Authorization codes (unexchanged, or exchanged and remembered to tell a reuse) and device grants the
    /// simulator holds: bounded by their lifetimes and [`MAX_PENDING_GRANTS`] each.
    pub fn stored_grants(&self) -> usize {
        self.shared.lock().stored_grants()
    }

    /// Refresh tokens that would still be accepted.
    pub fn issued_refresh_tokens(&self) -> usize {
        self.shared.lock().live_refresh_tokens()
    }

    pub fn requests_seen(&self) -> Vec<SeenRequest> {
        self.shared.lock().seen.clone()
    }

    /// Stops accepting, lets open requests finish (a hanging fault lets go), and waits for the server.
    pub async fn shutdown(self) {
        let _ = self.closing.send(true);
        let mut server = self.server;
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut server).await.is_err() {
            server.abort();
        }
        tracing::info!("sim: stopped");
    }
}

/// For `sfconnect simulate`: starts the simulator, calls `ready`, and serves until Ctrl-C or SIGTERM.
pub async fn serve_forever(config: SimConfig, ready: impl FnOnce(&Simulator)) -> io::Result<()> {
    serve_forever_over(config, Transport::Http, |sim| {
        ready(sim);
        Ok(())
    })
    .await
}

/// [`serve_forever`] over `transport`; an error from `ready` stops the simulator and is returned.
pub async fn serve_forever_over(
    config: SimConfig,
    transport: Transport,
    ready: impl FnOnce(&Simulator) -> io::Result<()>,
) -> io::Result<()> {
    let simulator = Simulator::start_with(config, transport).await?;
    if let Err(e) = ready(&simulator) {
        simulator.shutdown().await;
        return Err(e);
    }
    wait_for_stop_signal().await?;
    simulator.shutdown().await;
    Ok(())
}

#[cfg(unix)]
async fn wait_for_stop_signal() -> io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result,
        _ = terminate.recv() => Ok(()),
    }
}

#[cfg(not(unix))]
async fn wait_for_stop_signal() -> io::Result<()> {
    tokio::signal::ctrl_c().await
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/services/oauth2/authorize", get(authorize::show).post(authorize::decide))
        .route("/services/oauth2/success", get(pages::success))
        .route("/services/oauth2/token", post(token::token))
        .route("/services/oauth2/revoke", get(token::revoke).post(token::revoke))
        .route("/services/oauth2/userinfo", get(identity::userinfo))
        .route("/id/{org_id}/{user_id}", get(identity::id_url))
        .route("/.well-known/openid-configuration", get(identity::openid_configuration))
        .route("/setup/connect", get(device::page).post(device::decide))
        .route("/services/data", get(rest::versions))
        .route("/services/data/", get(rest::versions))
        .route("/services/data/{version}", get(rest::resources))
        .route("/services/data/{version}/limits", get(rest::limits))
        .route("/services/data/{version}/query", get(rest::query))
        .route("/services/data/{version}/query/{locator}", get(rest::query_more))
        // No deleted records are kept, so queryAll answers as query does.
        .route("/services/data/{version}/queryAll", get(rest::query))
        .route("/services/data/{version}/queryAll/{locator}", get(rest::query_more))
        .route("/services/data/{version}/sobjects", get(sobject_rest::global))
        .route("/services/data/{version}/sobjects/{object}", get(sobject_rest::basic_info))
        .route("/services/data/{version}/sobjects/{object}/{record}", get(sobject_rest::describe_or_retrieve))
        .merge(metadata::routes())
        .fallback(rest::not_found)
        .layer(from_fn_with_state(shared.clone(), faults::apply))
        .layer(from_fn_with_state(shared.clone(), record::record))
        .with_state(shared)
}
