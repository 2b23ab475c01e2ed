//! sfconnect: from nothing to working Salesforce connector settings, in one terminal.
//!
//! The crate is a set of rooms with one-way doors (see `../shared/STYLE.md` §2):
//! - [`salesforce`]: the protocol client. Pure protocol, no UI, uses nothing else in the crate.
//! - [`sim`]: a built-in Salesforce simulator, a real HTTP server. Uses nothing else in the crate, so a
//!   misreading of the protocol cannot sit on both sides of a test.
//! - [`settings`]: what the connector needs, in the formats it reads; atomic 0600 writes.
//! - [`clipboard`]: OSC 52 or the system clipboard, chosen from the environment.
//! - [`presets`]: the integration targets, as data read from `assets/presets/`.
//! - [`vault`]: the opt-in OS keyring (`--keyring`) that keeps secrets across a resume.
//! - [`cli`]: the scriptable subcommands.
//! - [`ui`]: draws the wizard's state into a frame; reads `wizard` state, does no I/O.

pub mod checks;
pub mod cli;
pub mod clipboard;
pub mod presets;
pub mod runtime;
pub mod salesforce;
pub mod settings;
pub mod sim;
pub mod ui;
pub mod vault;
pub mod wizard;
