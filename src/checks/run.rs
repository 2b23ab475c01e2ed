//! [`run_checks`]: makes the requests the checks need and reports each verdict as it completes. The Organization
//! query goes first (if the API is off, nothing else can be read); then identity, user, permissions, tokens and
//! app policy, limits and the preview run concurrently on the one task, and the preview's three queries run
//! concurrently within it.

use std::future::Future;
use std::pin::Pin;

use futures_util::stream::{FuturesUnordered, StreamExt};
use serde_json::Value;

use super::permissions::{self, EffectivePermissions};
use super::preview::{self, DomainTally, LicenceCount, Preview, UserEmail};
use super::tokens::{self, TokenRecord};
use super::user::{self, UserRecord};
use super::{CheckContext, CheckId, Finding, Report, Verdict, app_policy, org, usage};
use crate::salesforce::Error;
use crate::salesforce::Scopes;
use crate::salesforce::rest::{Identity, RestClient};

/// What one concurrent group of requests produced.
enum Part {
    Verdicts(Vec<Verdict>),
    Identity(Option<Identity>, Vec<Verdict>),
    Preview(Preview),
}

type PartFuture<'a> = Pin<Box<dyn Future<Output = Part> + Send + 'a>>;

/// Runs every check `ctx.preset` asks for against the org behind `rest`, calling `on_verdict` as each completes
/// (the wizard shows them appearing). The report lists them in [`CheckId`] order.
pub async fn run_checks(rest: &RestClient, ctx: CheckContext, mut on_verdict: impl FnMut(Verdict)) -> Report {
    let mut report = Report::default();
    let mut emit = |verdicts: Vec<Verdict>, report: &mut Report| {
        for verdict in verdicts {
            on_verdict(verdict.clone());
            report.checks.push(verdict);
        }
    };
    let required_scopes = Scopes::from_tokens(ctx.preset.scopes.iter().cloned());
    emit(
        weigh(&ctx, CheckId::ScopesGranted, usage::scopes_granted(&ctx.granted_scopes, &required_scopes)),
        &mut report,
    );

    let organization = rest.organization().await;
    if let Err(e @ crate::salesforce::Error::Transport { .. }) = &organization {
        report.unreachable = Some(e.explain().headline);
    }
    let api_off = matches!(&organization, Err(e) if org::is_api_disabled(e));
    let mut first = weigh(&ctx, CheckId::ApiAccess, org::api_access(&organization));
    first.extend(weigh(
        &ctx,
        CheckId::Org,
        match &organization {
            Ok(o) => org::org(o, ctx.login_kind, rest.instance()),
            Err(e) => Finding::from_error(e),
        },
    ));
    report.org = organization.ok();
    emit(first, &mut report);

    let mut parts: FuturesUnordered<PartFuture<'_>> = FuturesUnordered::new();
    parts.push(Box::pin(identity_part(rest, &ctx)));
    if api_off {
        let not_run = Finding::NotRun("not checked: the REST API is not available (see API access)".into());
        let rest_ids = CheckId::ALL.into_iter().filter(|id| !is_done(*id));
        emit(rest_ids.flat_map(|id| weigh(&ctx, id, not_run.clone())).collect(), &mut report);
    } else {
        emit(weigh(&ctx, CheckId::MfaEnabled, app_policy::mfa()), &mut report);
        parts.push(Box::pin(user_part(rest, &ctx)));
        parts.push(Box::pin(permissions_part(rest, &ctx)));
        parts.push(Box::pin(tokens_and_app_part(rest, &ctx)));
        parts.push(Box::pin(async { Part::Verdicts(weigh(&ctx, CheckId::ApiUsage, limits_finding(rest).await)) }));
        parts.push(Box::pin(preview_part(rest)));
    }
    while let Some(part) = parts.next().await {
        match part {
            Part::Verdicts(verdicts) => emit(verdicts, &mut report),
            Part::Identity(identity, verdicts) => {
                report.user = identity;
                emit(verdicts, &mut report);
            }
            Part::Preview(preview) => report.preview = Some(preview),
        }
    }
    report.checks.sort_by_key(|v| v.id);
    report
}

/// Checks made before the concurrent groups, or by the caller, or in the identity group.
fn is_done(id: CheckId) -> bool {
    matches!(
        id,
        CheckId::FileExposure
            | CheckId::Refresh
            | CheckId::RefreshSecret
            | CheckId::Identity
            | CheckId::ApiAccess
            | CheckId::Org
            | CheckId::ScopesGranted
    )
}

/// The verdict for `id`, or nothing when the target does not care about it.
fn weigh(ctx: &CheckContext, id: CheckId, finding: Finding) -> Vec<Verdict> {
    ctx.level(id).map(|level| Verdict::new(id, level, finding)).into_iter().collect()
}

fn no_user_id() -> Finding {
    Finding::unknown("the identity URL holds no user id", "Authorize again; the token answer's `id` names the user.")
}

async fn identity_part(rest: &RestClient, ctx: &CheckContext) -> Part {
    match rest.identity(&ctx.id_url).await {
        Ok(identity) => {
            let finding = Finding::Ok(format!("connected as {}", identity.username));
            Part::Identity(Some(identity), weigh(ctx, CheckId::Identity, finding))
        }
        Err(e) => {
            let ex = e.explain();
            Part::Identity(None, weigh(ctx, CheckId::Identity, Finding::Broken { detail: ex.headline, fix: ex.fix }))
        }
    }
}

async fn user_part(rest: &RestClient, ctx: &CheckContext) -> Part {
    let ids = [CheckId::User, CheckId::SystemAdmin, CheckId::LicenceSalesforce, CheckId::ObjectAccess];
    let Some(user_id) = ctx.user_id() else {
        return Part::Verdicts(ids.into_iter().flat_map(|id| weigh(ctx, id, no_user_id())).collect());
    };
    let record: Result<Option<UserRecord>, Error> =
        rest.query_page::<UserRecord>(&user::query(user_id)).await.map(|page| page.records.into_iter().next());
    let mut out = Vec::new();
    match record {
        Ok(Some(record)) => {
            out.extend(weigh(ctx, CheckId::User, user::user(&record)));
            out.extend(weigh(ctx, CheckId::SystemAdmin, user::system_admin(&record)));
            out.extend(weigh(ctx, CheckId::LicenceSalesforce, user::licence_salesforce(&record)));
            out.extend(weigh(ctx, CheckId::ObjectAccess, app_policy::object_access(record.profile_name())));
        }
        Ok(None) => {
            let finding = Finding::unknown("the User query returned no row", "Setup > Users > Users: find the user.");
            out.extend(ids.into_iter().flat_map(|id| weigh(ctx, id, finding.clone())));
        }
        Err(e) => out.extend(ids.into_iter().flat_map(|id| weigh(ctx, id, Finding::from_error(&e)))),
    }
    Part::Verdicts(out)
}

/// The assignments query, dropping each column the org says it lacks and asking again.
async fn read_permissions(rest: &RestClient, user_id: &str, ctx: &CheckContext) -> Result<EffectivePermissions, Error> {
    let mut fields = permissions::fields_for(&ctx.preset.permissions);
    let mut unreadable = Vec::new();
    loop {
        let mut records: Vec<Value> = Vec::new();
        match rest.query_each(&permissions::query(user_id, &fields), |page| records.extend(page)).await {
            Ok(_) => return Ok(EffectivePermissions::from_assignments(&records, &fields, unreadable)),
            Err(Error::Rest(e)) if e.code == "INVALID_FIELD" => {
                // Only a column we asked for may be dropped; anything else is a real error. Each pass drops one,
                // so the loop ends.
                let Some(column) = permissions::missing_column(&e.message).filter(|c| fields.iter().any(|f| f == c))
                else {
                    return Err(Error::Rest(e));
                };
                let column = column.to_string();
                tracing::info!(column = %column, "permission column missing, asking without it");
                fields.retain(|f| *f != column);
                unreadable.push(column);
            }
            Err(e) => return Err(e),
        }
    }
}

async fn permissions_part(rest: &RestClient, ctx: &CheckContext) -> Part {
    // Each permission check passes when the user has any one of its fields.
    let checks: [(CheckId, &[&str]); 5] = [
        (CheckId::PermApiEnabled, &["PermissionsApiEnabled"]),
        (CheckId::PermApproveUninstalled, &["PermissionsCanApproveUninstalledApps", "PermissionsUseAnyApiClient"]),
        (CheckId::PermCustomizeApplication, &["PermissionsCustomizeApplication"]),
        (CheckId::PermManageConnectedApps, &["PermissionsModifyAllData", "PermissionsManageRemoteAccess"]),
        (CheckId::PermViewSetup, &["PermissionsViewSetup"]),
    ];
    let all_ids = std::iter::once(CheckId::Permissions).chain(checks.iter().map(|(id, _)| *id));
    let Some(user_id) = ctx.user_id() else {
        return Part::Verdicts(all_ids.flat_map(|id| weigh(ctx, id, no_user_id())).collect());
    };
    match read_permissions(rest, user_id, ctx).await {
        Ok(effective) => {
            let mut out = weigh(ctx, CheckId::Permissions, effective.summary(&ctx.preset.permissions));
            for (id, fields) in checks {
                out.extend(weigh(ctx, id, effective.any_of(fields)));
            }
            Part::Verdicts(out)
        }
        Err(e) => Part::Verdicts(all_ids.flat_map(|id| weigh(ctx, id, Finding::from_error(&e))).collect()),
    }
}

async fn tokens_and_app_part(rest: &RestClient, ctx: &CheckContext) -> Part {
    let mut out = Vec::new();
    let mut held: Vec<TokenRecord> = Vec::new();
    let read = match ctx.user_id() {
        Some(user_id) => rest.query_each(&tokens::query(user_id), |page| held.extend(page)).await.map(|_| ()),
        None => Ok(()),
    };
    let app = ctx.app_name.clone().or_else(|| tokens::most_recently_used(&held).map(str::to_string));
    out.extend(weigh(
        ctx,
        CheckId::TokensPerUser,
        match (&read, &app) {
            (Err(e), _) => Finding::from_error(e),
            (Ok(()), Some(app)) => tokens::tokens_per_user(&held, app),
            (Ok(()), None) => Finding::Ok("no tokens are visible for this user".into()),
        },
    ));
    let policy_ids = [CheckId::RefreshPolicyInfinite, CheckId::PermittedUsers];
    let Some(app) = app else {
        let finding = Finding::unknown(
            "the app's name is not known (no token of this user is visible)",
            format!("Check {}.", app_policy::policies_path("(app)", ctx.app_kind)),
        );
        for id in policy_ids.into_iter().chain([CheckId::IpRelaxation, CheckId::DeviceFlowEnabled]) {
            out.extend(weigh(ctx, id, finding.clone()));
        }
        return Part::Verdicts(out);
    };
    out.extend(weigh(ctx, CheckId::IpRelaxation, app_policy::ip_relaxation(&app, ctx.app_kind)));
    out.extend(weigh(
        ctx,
        CheckId::DeviceFlowEnabled,
        app_policy::device_flow(&app, ctx.app_kind, ctx.device_flow_used),
    ));
    let wants_policy = policy_ids.iter().any(|id| ctx.level(*id).is_some());
    if !wants_policy {
        return Part::Verdicts(out);
    }
    let record = rest.query_page::<app_policy::ConnectedAppRecord>(&app_policy::query(&app)).await;
    let (refresh, permitted) = match record.map(|page| page.records.into_iter().next()) {
        Ok(Some(record)) => (app_policy::refresh_policy(&record), app_policy::permitted_users(&record)),
        Ok(None) => {
            let not_found = app_policy::app_not_found(&app, ctx.app_kind);
            (not_found.clone(), not_found)
        }
        Err(e) => (Finding::from_error(&e), Finding::from_error(&e)),
    };
    out.extend(weigh(ctx, CheckId::RefreshPolicyInfinite, refresh));
    out.extend(weigh(ctx, CheckId::PermittedUsers, permitted));
    Part::Verdicts(out)
}

async fn limits_finding(rest: &RestClient) -> Finding {
    match rest.limits().await {
        Ok(limits) => usage::api_usage(&limits),
        Err(e) => Finding::from_error(&e),
    }
}

/// Active users (server count), licences, and users by domain (streamed), concurrently.
async fn preview_part(rest: &RestClient) -> Part {
    let mut preview = Preview::default();
    let mut tally = DomainTally::default();
    let mut licences: Vec<LicenceCount> = Vec::new();
    let (active, licence_read, emails) = futures_util::future::join3(
        rest.query_page::<Value>(preview::ACTIVE_USERS_QUERY),
        rest.query_each(preview::LICENCES_QUERY, |page: Vec<LicenceCount>| licences.extend(page)),
        rest.query_each(preview::EMAILS_QUERY, |page: Vec<UserEmail>| tally.add_page(page)),
    )
    .await;
    match active {
        Ok(page) => preview.active_users = Some(page.total_size),
        Err(e) => preview.problems.push(format!("active users: {}", e.explain().headline)),
    }
    if let Err(e) = licence_read {
        preview.problems.push(format!("licences: {}", e.explain().headline));
    }
    if let Err(e) = emails {
        preview.problems.push(format!("users by domain: {}", e.explain().headline));
    }
    licences.sort_by(|a, b| b.used.cmp(&a.used).then_with(|| a.name.cmp(&b.name)));
    preview.licences = licences;
    tally.finish_into(&mut preview);
    Part::Preview(preview)
}
