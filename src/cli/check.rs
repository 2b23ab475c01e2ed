//! `sfconnect check`: proves a settings file works: refreshes the token, reads the identity and the org,
//! and warns when the file can be read by others. (The prerequisite checks extend this list.)

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::output::host_of;
use super::{CmdResult, Failure};
use crate::salesforce::clock::TokioClock;
use crate::salesforce::rest::{Identity, Organization, RestClient};
use crate::salesforce::retry::RetryPolicy;
use crate::salesforce::{AppCredentials, Client};
use crate::settings::{Overwrite, read_settings, write_settings};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The settings file written by `exchange`, `device` or the wizard.
    #[arg(long, value_name = "FILE")]
    pub settings: PathBuf,
    /// Print {"checks": [...], "org": {...}, "user": {...}} instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// One check's verdict.
#[derive(Debug, Serialize)]
pub struct CheckLine {
    pub id: &'static str,
    pub title: &'static str,
    pub status: Status,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

#[derive(Debug, Serialize)]
struct Report {
    checks: Vec<CheckLine>,
    org: Option<Organization>,
    user: Option<Identity>,
}

pub async fn run(args: CheckArgs) -> CmdResult {
    let (settings, exposure) = read_settings(&args.settings)?;
    let host = host_of(&settings)?;
    let client = Client::new(host);
    let app = AppCredentials { client_id: settings.client_id.clone(), client_secret: settings.client_secret.clone() };
    let mut checks = Vec::new();
    checks.push(exposure_check(&exposure, &args.settings));

    let grant =
        match client.refresh_with_retry(&app, &settings.refresh_token, &TokioClock, RetryPolicy::REPEATABLE_READ).await
        {
            Ok(grant) => grant,
            Err(e) => {
                let ex = e.explain();
                checks.push(CheckLine {
                    id: "refresh",
                    title: "The refresh token refreshes",
                    status: Status::Fail,
                    detail: ex.headline,
                    fix: Some(ex.fix),
                });
                return finish(&args, Report { checks, org: None, user: None });
            }
        };
    let mut refresh_detail = format!("new access token issued ({} scopes)", grant.scopes.len());
    if let Some(rotated) = &grant.refresh_token {
        // Rotation is on: the old token is now dead, so the file must hold the new one.
        let mut updated = settings.clone();
        updated.refresh_token = rotated.clone();
        let format = crate::settings::format_of_file(&args.settings).unwrap_or_default();
        write_settings(&args.settings, &updated.render(format), Overwrite::Replace)?;
        refresh_detail.push_str("; refresh token rotation is on, the new token was saved to the file");
    }
    checks.push(CheckLine {
        id: "refresh",
        title: "The refresh token refreshes",
        status: Status::Pass,
        detail: refresh_detail,
        fix: None,
    });

    let rest = RestClient::new(client.http().clone(), &grant.instance_url, grant.access_token.clone())?;
    let (identity, org) = tokio::join!(rest.identity(&grant.id_url), rest.organization());
    let user = match identity {
        Ok(i) => {
            checks.push(CheckLine {
                id: "identity",
                title: "Identity",
                status: Status::Pass,
                detail: format!("connected as {}", i.username),
                fix: None,
            });
            Some(i)
        }
        Err(e) => {
            let ex = e.explain();
            checks.push(CheckLine {
                id: "identity",
                title: "Identity",
                status: Status::Fail,
                detail: ex.headline,
                fix: Some(ex.fix),
            });
            None
        }
    };
    let org = match org {
        Ok(o) => {
            let kind = if o.is_sandbox { "sandbox" } else { "production" };
            checks.push(CheckLine {
                id: "org",
                title: "Org",
                status: Status::Pass,
                detail: format!("{} ({}, {kind})", o.name, o.edition),
                fix: None,
            });
            Some(o)
        }
        Err(e) => {
            let ex = e.explain();
            checks.push(CheckLine {
                id: "org",
                title: "Org",
                status: Status::Fail,
                detail: ex.headline,
                fix: Some(ex.fix),
            });
            None
        }
    };
    finish(&args, Report { checks, org, user })
}

fn exposure_check(exposure: &crate::settings::FileExposure, path: &std::path::Path) -> CheckLine {
    let problems = exposure.warnings(path);
    if problems.is_empty() {
        CheckLine {
            id: "file_exposure",
            title: "Settings file is private",
            status: Status::Pass,
            detail: "only you can read it".into(),
            fix: None,
        }
    } else {
        CheckLine {
            id: "file_exposure",
            title: "Settings file is private",
            status: Status::Warn,
            detail: problems.join("; "),
            fix: Some("chmod 600 the file and keep it in a folder only you can write (chmod 700)".into()),
        }
    }
}

fn finish(args: &CheckArgs, report: Report) -> CmdResult {
    if args.json {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|e| Failure::failed(format!("could not format the report: {e}"), ""))?;
        println!("{json}");
    } else {
        if let (Some(user), Some(org)) = (&report.user, &report.org) {
            println!("Connected as {} to {} ({})\n", user.username, org.name, org.edition);
        }
        for c in &report.checks {
            let mark = match c.status {
                Status::Pass => "ok  ",
                Status::Warn => "warn",
                Status::Fail => "FAIL",
            };
            println!("{mark}  {:<28} {}", c.title, c.detail);
            if let Some(fix) = &c.fix {
                println!("      {:<28} fix: {fix}", "");
            }
        }
    }
    if report.checks.iter().any(|c| c.status == Status::Fail) {
        return Err(Failure::Failed { headline: "a required check failed (see above)".into(), fix: None });
    }
    Ok(())
}
