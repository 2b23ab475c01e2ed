//! The Metadata API's REST deploy (`/metadata/deployRequest`, its status) and the Connect REST OAuth
//! credentials resources (`/apps/oauth/usage`, `/apps/oauth/credentials/...`), for the External Client
//! App that `sfconnect app create` deploys. A valid deploy adds the new app to the org's OAuth apps (see
//! `oauth_apps.rs`) with its own key, secret, callbacks, scopes and flags; its key goes live after
//! [`MetadataConfig::propagation`], as a new app's does for real, and every app already there keeps working.
//!
//! Every refusal Salesforce can give on the way has a switch in [`MetadataConfig`] (or follows from the
//! org fixture: the user's permissions, the edition), so each fallback of the client is tested over HTTP.

mod credentials;
mod deploy;
mod rules;
mod validate;
mod xml;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};

use super::Simulator;
use super::state::Shared;

/// The switches of the metadata and credentials resources.
#[derive(Clone, Debug)]
pub struct MetadataConfig {
    /// The org allows External Client Apps ("Allow creation of External Client Apps"). Off: a deploy of
    /// one fails on the `.eca` file.
    pub eca_allowed: bool,
    /// The org refuses a `consumerSecret` written in the metadata; the deploy fails on that line.
    pub supplied_secret_refused: bool,
    /// "Allow access to External Client App consumer secrets via REST API". Off: `part=secret` and
    /// `part=keyandsecret` answer 403.
    pub secrets_via_rest: bool,
    /// The org accepts a supplied secret but uses one of its own (reported on scratch orgs).
    pub org_replaces_secret: bool,
    /// External Client Apps that already exist, by API name.
    pub existing_apps: Vec<String>,
    /// How long a deployed app's key stays unknown to the OAuth endpoints (each app has its own clock).
    pub propagation: Duration,
    /// Status reads that answer `InProgress` before a deploy is done.
    pub deploy_polls: u32,
}

impl Default for MetadataConfig {
    fn default() -> Self {
        MetadataConfig {
            eca_allowed: true,
            supplied_secret_refused: false,
            secrets_via_rest: true,
            org_replaces_secret: false,
            existing_apps: Vec::new(),
            propagation: Duration::from_secs(3),
            deploy_polls: 1,
        }
    }
}

/// An External Client App the org holds.
#[derive(Clone)]
pub struct AppRecord {
    pub name: String,
    pub label: String,
    /// The app's id, as `/apps/oauth/usage` gives it.
    pub identifier: String,
    pub consumer_id: String,
    pub key: String,
    pub secret: String,
}

impl std::fmt::Debug for AppRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppRecord").field("name", &self.name).field("key", &self.key).finish_non_exhaustive()
    }
}

/// A deploy, until it is read as done.
pub struct DeployRecord {
    pub polls_left: u32,
    pub result: serde_json::Value,
}

/// Deploys and the apps they created.
#[derive(Default)]
pub struct MetadataState {
    pub deploys: HashMap<String, DeployRecord>,
    pub apps: Vec<AppRecord>,
    pub deploy_requests: u32,
    next_id: u64,
}

impl MetadataState {
    /// A Salesforce-looking 18-character id with the given 3-character prefix.
    pub fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}5g{:013}", self.next_id)
    }
}

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/services/data/{version}/metadata/deployRequest", post(deploy::start))
        .route("/services/data/{version}/metadata/deployRequest/{id}", get(deploy::status))
        .route("/services/data/{version}/apps/oauth/usage", get(credentials::usage))
        .route("/services/data/{version}/apps/oauth/credentials/{app}", get(credentials::consumers))
        .route("/services/data/{version}/apps/oauth/credentials/{app}/{consumer}", get(credentials::pair))
}

impl Simulator {
    /// The External Client Apps deployed so far (not those configured as already existing).
    pub fn deployed_apps(&self) -> Vec<AppRecord> {
        self.shared.lock().metadata.apps.clone()
    }

    /// How many deploy requests (checkOnly ones included) were accepted for processing.
    pub fn deploy_requests(&self) -> u32 {
        self.shared.lock().metadata.deploy_requests
    }
}
