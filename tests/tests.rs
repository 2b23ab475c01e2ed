//! The integration tests, in one binary (as ripgrep does): each module used to be its own test binary, and each
//! linked the whole app, which made a cold `cargo test` build three times longer.

mod common;
mod ui_support;

mod app_create;
mod checks;
mod cli;
mod command_logs;
mod demo_org;
mod device_and_probe;
mod house;
mod json_failures;
mod loud_failures;
mod oauth_exchange;
mod parsers_property;
mod presets;
mod retry_after;
mod screen_fixture;
mod settings_crash;
mod settings_files;
mod sim_apps;
mod sim_metadata;
mod sim_protocol;
mod standard_clients;
mod token_safety;
mod ui_snapshots;
mod verdicts;
mod web_flow;
mod wire_faults;
mod wire_faults_flows;
mod wizard_create;
mod wizard_dead_ends;
mod wizard_e2e;
mod wizard_resume;
mod wizard_steps;
