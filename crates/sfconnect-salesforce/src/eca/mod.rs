//! Creating an External Client App through the API (issue 13): the app as checked data ([`spec`]), its
//! Metadata API package ([`package`], one builder for `app create` and `app emit`), a consumer key and
//! secret from a CSPRNG ([`keys`]), the preflight ([`preflight`]), the REST deploy with its status and
//! failures ([`deploy`]), and the Connect REST credentials read-back ([`credentials`]).
//!
//! No I/O but the requests a deploy needs; no files. See docs/protocol.md, "External Client App
//! creation", for what is confirmed and what is not.

pub mod create;
pub mod credentials;
pub mod deploy;
pub mod keys;
pub mod package;
pub mod preflight;
pub mod spec;

#[cfg(test)]
mod package_tests;

pub use keys::{ConsumerKey, ConsumerSecret, GenerateSecret};
pub use package::{PACKAGE_API_VERSION, Package};
pub use spec::{ApiName, EcaRequest, EcaSpec, IpRelaxation, PermittedUsers, SpecError};
