//! The Salesforce protocol client: login hosts, the web server flow with PKCE, the paste-back parser,
//! the device flow, the readiness probe, token refresh and revocation, and the REST reads.
//!
//! Pure protocol: no UI, no terminal, no files. Nothing in here imports another module of the crate.
//! See `docs/protocol.md` for where Salesforce departs from the RFCs and what is unconfirmed.

// A library that panics takes the wizard down with it: failures are values here (tests may unwrap).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod app_kind;
pub mod client;
pub mod clock;
pub mod device_flow;
pub mod eca;
pub mod errors;
pub mod hosts;
pub mod http;
pub mod oauth;
pub mod paste;
pub mod probe;
pub mod rest;
pub mod retry;
pub mod scope;
pub mod secret;
pub mod token;
pub mod web_flow;

pub use app_kind::{AppKind, UnknownAppKind};
pub use client::{AppCredentials, Client, CodeExchange};
pub use errors::{Error, Explanation, OAuthErrorCode};
pub use hosts::{HostKind, LoginHost, LoginUrlError};
pub use paste::{PasteError, Pasted, parse_paste};
pub use scope::Scopes;
pub use secret::{AccessToken, AuthCode, ClientSecret, CodeVerifier, DeviceCode, RefreshToken};
pub use token::TokenGrant;
pub use web_flow::{AuthorizeOptions, AuthorizeRequest};
