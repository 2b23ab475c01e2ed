//! The Salesforce protocol client: login hosts, the web server flow with PKCE, the device flow, the
//! readiness probe, token refresh and revocation, and the REST reads the checks make.
//!
//! Pure protocol: no UI, no terminal, no files. Nothing in here imports another module of the crate.

pub mod secret;

pub use secret::{AccessToken, AuthCode, ClientSecret, CodeVerifier, DeviceCode, RefreshToken};
