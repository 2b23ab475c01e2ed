//! sfconnect: from nothing to working Salesforce connector settings, in one terminal.
//!
//! The workspace's crate graph is the architecture's one-way doors:
//! - [`salesforce`] (the `sfconnect-salesforce` crate): the protocol client. Pure protocol, no UI; it depends on
//!   neither this crate nor the simulator.
//! - `sim` (the `sfconnect-sim` crate, behind the default `sim` feature): a simulated Salesforce org, a real HTTP
//!   server with its own wire types, so a misreading of the protocol cannot sit on both sides of a test. Builds
//!   without the feature (`--no-default-features`) carry no simulator.
//!
//! This crate is the app:
//! - [`settings`]: what the connector needs, in the formats it reads; atomic 0600 writes.
//! - [`clipboard`]: OSC 52 or the system clipboard, chosen from the environment.
//! - [`presets`]: the integration targets, as data read from `assets/presets/`.
//! - [`vault`]: the opt-in OS keyring (`--keyring`) that keeps secrets across a resume.
//! - [`cli`]: the scriptable subcommands.
//! - [`ui`]: draws the wizard's state into a frame; reads `wizard` state, does no I/O.

pub mod checks;
pub mod cli;
pub mod clipboard;
pub mod keymap;
pub mod presets;
pub mod runtime;
pub use sfconnect_salesforce as salesforce;
pub mod settings;
#[cfg(feature = "sim")]
pub use sfconnect_sim as sim;
pub mod ui;
pub mod vault;
pub mod wizard;
