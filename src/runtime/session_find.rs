//! Finds the Salesforce sessions at hand for creating the app, for the wizard to offer: the Salesforce
//! CLI's logins whose instance is the org's (`sf org list --json`), and earlier sfconnect settings files
//! for the same org whose app has the `api` (or `full`) scope. Reads no token: the one picked is read when
//! it is used ([`super::session`]). Blocking (a child process, files): run it on a blocking task.

use std::path::{Path, PathBuf};

use crate::salesforce::LoginHost;
use crate::wizard::msg::{OfferedSession, SessionOffer};

use super::session::{instance_agrees, run_sf};

/// Files larger than this in the data folder are not settings files (and are not read).
const MAX_SETTINGS_FILE: u64 = 64 * 1024;

/// Every session at hand for the org `login` names: the CLI's first, then settings files.
pub fn find_sessions(login: &LoginHost, data_dir: Option<&Path>) -> Vec<SessionOffer> {
    let mut offers = match run_sf(&["org", "list", "--json", "--skip-connection-status"]) {
        Ok(result) => sf_logins(&result, login),
        Err(e) => {
            tracing::info!(error = %e, "no Salesforce CLI logins");
            Vec::new()
        }
    };
    if let Some(dir) = data_dir {
        offers.extend(settings_files(dir, login));
    }
    offers
}

/// The logins of `sf org list --json` whose instance is the org's. The result holds lists by kind
/// (`nonScratchOrgs`, kept for older readers, duplicates `devHubs`, `sandboxes` and the others), each
/// entry with `alias`, `username` and `instanceUrl` [salesforcecli/plugin-org `schemas/org-list.json`];
/// every list is read and each username kept once.
pub fn sf_logins(result: &serde_json::Value, login: &LoginHost) -> Vec<SessionOffer> {
    let mut offers: Vec<SessionOffer> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let Some(lists) = result.as_object() else { return offers };
    for entry in lists.values().filter_map(|v| v.as_array()).flatten() {
        let text = |key: &str| entry.get(key).and_then(|v| v.as_str()).map(str::trim).filter(|s| !s.is_empty());
        let (Some(username), Some(instance)) = (text("username"), text("instanceUrl")) else { continue };
        if seen.iter().any(|u| u == username) {
            continue;
        }
        let Ok(instance_host) = LoginHost::parse(instance) else { continue };
        if !instance_agrees(login, &instance_host) {
            continue;
        }
        seen.push(username.to_string());
        let alias = text("alias");
        offers.push(SessionOffer {
            source: OfferedSession::SfAlias(alias.unwrap_or(username).to_string()),
            label: match alias {
                Some(alias) => format!("Salesforce CLI login {alias} ({username})"),
                None => format!("Salesforce CLI login {username}"),
            },
            detail: instance_host.origin().to_string(),
        });
    }
    offers
}

/// Settings files in `dir` for the org, whose app has the `api` or `full` scope.
pub fn settings_files(dir: &Path, login: &LoginHost) -> Vec<SessionOffer> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.metadata().is_ok_and(|m| m.is_file() && m.len() <= MAX_SETTINGS_FILE))
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("sfconnect-")))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            // Files that are not settings (an app file has no refresh token) do not parse: skipped.
            let (settings, _) = crate::settings::read_settings(&path).ok()?;
            let deploys = settings.scopes.iter().any(|s| s == "api" || s == "full");
            let place = settings.instance_url.as_deref().unwrap_or(&settings.login_url);
            let host = LoginHost::parse(place).ok()?;
            (deploys && instance_agrees(login, &host)).then(|| SessionOffer {
                label: format!("sfconnect settings {}", path.file_name().unwrap_or_default().to_string_lossy()),
                detail: match &settings.username {
                    Some(user) => format!("{user} on {}", host.origin()),
                    None => host.origin().to_string(),
                },
                source: OfferedSession::SettingsFile(path),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_logins_of_the_org_are_offered_once() {
        let result = serde_json::json!({
            "nonScratchOrgs": [
                {"alias": "acme", "username": "admin@acme.com", "instanceUrl": "https://acme.my.salesforce.com"},
                {"username": "me@other.com", "instanceUrl": "https://other.my.salesforce.com"}
            ],
            "regularOrgs": [
                {"alias": "acme", "username": "admin@acme.com", "instanceUrl": "https://acme.my.salesforce.com"}
            ],
            "scratchOrgs": []
        });
        let login = LoginHost::parse("https://acme.my.salesforce.com").unwrap();
        let offers = sf_logins(&result, &login);
        assert_eq!(offers.len(), 1, "{offers:?}");
        assert_eq!(offers[0].source, OfferedSession::SfAlias("acme".into()));
        assert!(offers[0].label.contains("admin@acme.com"));
        let any_production = LoginHost::parse("https://login.salesforce.com").unwrap();
        assert_eq!(sf_logins(&result, &any_production).len(), 2);
        let simulated = LoginHost::parse("http://127.0.0.1:41000").unwrap();
        assert!(sf_logins(&result, &simulated).is_empty(), "a simulated org is only its own origin");
    }
}
