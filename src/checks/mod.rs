//! Prerequisite checks through the Salesforce API, and a preview of what a connector will see. Shared by
//! `sfconnect check` and the wizard's Checks step, so both show the same results from the same code.
//!
//! Each concern has a file of pure functions from REST answers to [`Finding`]s (`org.rs`, `user.rs`,
//! `permissions.rs`, `tokens.rs`, `app_policy.rs`, `usage.rs`, `preview.rs`); the preset decides how much a
//! finding weighs ([`Level`]), which gives the [`Verdict`]'s [`Status`]. `run.rs` makes the requests,
//! concurrently, and reports each verdict as it completes; `refresh.rs` tries the refresh token. This module
//! uses `crate::salesforce` and `crate::presets` only: no terminal, no files.

mod app_policy;
mod ids;
mod org;
mod permissions;
pub mod preview;
mod refresh;
mod run;
mod tokens;
mod usage;
mod user;

use serde::Serialize;

use crate::presets::Preset;
use crate::salesforce::rest::{Identity, Organization};
use crate::salesforce::{HostKind, Scopes};

pub use app_policy::{AppKind, device_flow_fix, device_flow_label};
pub use ids::CheckId;
pub use permissions::{PERMISSIONS, missing_column};
pub use preview::{DomainCount, DomainTally, LicenceCount, Preview};
pub use refresh::{
    RefreshOutcome, SecretProbe, probe_secret, refresh_and_probe, refresh_and_probe_saving, refresh_first_saving,
};
pub use run::run_checks;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    /// Not checked: not visible through the API, could not be read, or needs something that failed first.
    Skip,
}

/// One check's result, as the table, the JSON and the wizard show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub id: CheckId,
    pub title: &'static str,
    pub status: Status,
    /// One line: what was found.
    pub detail: String,
    /// When not passing: what to do, in the words of Salesforce's Setup screens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// What a check found, before the preset weighs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    Ok(String),
    /// Not as the target needs: fails a required check, warns for an advisory one.
    Problem {
        detail: String,
        fix: String,
    },
    /// Broken whatever the preset says (the token does not refresh, the identity cannot be read).
    Broken {
        detail: String,
        fix: String,
    },
    /// Could not be read, or not visible through the API: `fix` says where to look.
    Unknown {
        detail: String,
        fix: String,
    },
    /// Not run because something it needs failed first.
    NotRun(String),
}

impl Finding {
    pub fn problem(detail: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding::Problem { detail: detail.into(), fix: fix.into() }
    }

    pub fn unknown(detail: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding::Unknown { detail: detail.into(), fix: fix.into() }
    }

    /// A failed request: the check could not be made.
    pub fn from_error(error: &crate::salesforce::Error) -> Finding {
        let ex = error.explain();
        Finding::Unknown { detail: format!("could not be read: {}", ex.headline), fix: ex.fix }
    }
}

/// How much a check weighs for the chosen target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// In the preset's `checks.required`: a problem fails.
    Required,
    /// In the preset's `checks.advisory`: a problem warns.
    Advisory,
    /// Always reported, whatever the target (org, user, API usage…): a problem warns.
    Info,
}

impl Verdict {
    /// Weighs `finding` at `level`. Something that could not be seen warns only when the target requires it.
    pub fn new(id: CheckId, level: Level, finding: Finding) -> Verdict {
        let (status, detail, fix) = match finding {
            Finding::Ok(detail) => (Status::Pass, detail, None),
            Finding::Problem { detail, fix } => {
                (if level == Level::Required { Status::Fail } else { Status::Warn }, detail, Some(fix))
            }
            Finding::Broken { detail, fix } => (Status::Fail, detail, Some(fix)),
            Finding::Unknown { detail, fix } => {
                (if level == Level::Required { Status::Warn } else { Status::Skip }, detail, Some(fix))
            }
            Finding::NotRun(detail) => (Status::Skip, detail, None),
        };
        Verdict { id, title: id.title(), status, detail, fix: fix.filter(|f| !f.is_empty()) }
    }
}

/// What the checks need to know besides the REST answers.
#[derive(Debug, Clone)]
pub struct CheckContext {
    /// The identity URL from the token answer (`…/id/<org id>/<user id>`).
    pub id_url: String,
    /// The scopes the token was granted.
    pub granted_scopes: Scopes,
    /// The kind of login URL the settings use, to compare with the org's sandbox flag.
    pub login_kind: HostKind,
    /// The target: which checks are required or advisory, its scopes and permissions.
    pub preset: Preset,
    /// The app's name as Setup shows it, when known (the wizard's, `--app-name`, the settings file's);
    /// otherwise the app of the user's most recently used token is assumed, and the verdicts say so.
    pub app_name: Option<String>,
    /// The kind of app, when known: the fixes then name the right Setup pages.
    pub app_kind: Option<AppKind>,
    /// The token came from the device flow, which proves the app has it enabled.
    pub device_flow_used: bool,
    /// The refresh token refreshed in this run: a policy value saying it would expire at once cannot be
    /// what applies (see `app_policy::refresh_policy`).
    pub refreshed: bool,
}

impl CheckContext {
    /// How `id` weighs for the preset; `None` when the target does not care and it is not reported.
    pub fn level(&self, id: CheckId) -> Option<Level> {
        if self.preset.checks.required.contains(&id) {
            Some(Level::Required)
        } else if self.preset.checks.advisory.contains(&id) {
            Some(Level::Advisory)
        } else {
            id.default_level()
        }
    }

    /// The user id: the last segment of the identity URL, checked to be an id (it goes into SOQL).
    pub fn user_id(&self) -> Option<&str> {
        let id = self.id_url.trim_end_matches('/').rsplit('/').next()?;
        let plausible = matches!(id.len(), 15 | 18) && id.chars().all(|c| c.is_ascii_alphanumeric());
        plausible.then_some(id)
    }
}

/// Everything the checks found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Salesforce could not be reached at all (no answer to the first read): why, in one line. Every
    /// verdict then says "could not be read", which is true but hides the one cause.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreachable: Option<String>,
    /// In [`CheckId`] order (not completion order).
    pub checks: Vec<Verdict>,
    pub org: Option<Organization>,
    pub user: Option<Identity>,
    pub preview: Option<Preview>,
}

impl Report {
    /// True when a check failed: a required one, or one that fails for every target.
    pub fn has_failure(&self) -> bool {
        self.checks.iter().any(|c| c.status == Status::Fail)
    }

    /// True when nothing reached Salesforce: the refresh (or the first reads) could not connect. The
    /// headline then says Salesforce could not be reached, not that a check failed.
    pub fn unreachable(&self) -> bool {
        let refresh_unreachable = self
            .verdict(CheckId::Refresh)
            .is_some_and(|v| v.status == Status::Fail && v.detail.starts_with(UNREACHABLE_PREFIX));
        refresh_unreachable || self.preview.as_ref().is_some_and(|p| p.unreachable.is_some())
    }

    /// The verdict for `id`, if it was reported.
    pub fn verdict(&self, id: CheckId) -> Option<&Verdict> {
        self.checks.iter().find(|v| v.id == id)
    }
}

/// How a verdict's detail begins when the request never reached Salesforce.
pub const UNREACHABLE_PREFIX: &str = "Salesforce could not be reached: ";

/// A SOQL string literal: backslashes and quotes escaped.
pub(crate) fn soql_text(value: &str) -> String {
    let escaped = value.replace('\\', "\\\\").replace('\'', "\\'");
    format!("'{escaped}'")
}
