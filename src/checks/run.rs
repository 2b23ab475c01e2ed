//! [`run_checks`]: makes the requests the checks need, all at once, and reports each verdict as it completes.
//! Every read goes out together (Organization, identity, user, permissions, tokens, the app's policies, limits
//! and the preview's three queries), so the checks take one round trip plus paging where there is more, and a
//! permission column the org lacks at the API version asked (dropped and asked again). The Organization answer
//! decides whether the rest count: if the REST API is off, nothing else could be read, so the other verdicts
//! wait for it (they arrive together in practice) and are replaced by "not checked".
//!
//! The app: by its name (`ctx.app_name`: the wizard's, `--app-name`, or the settings file's) and kind, its
//! policies are read from `ConnectedApplication` or, for an External Client App, `ExtlClntAppOauthPlcyCnfg`;
//! with the kind unknown both are asked. Only without a name is the app of the user's most recently used
//! `OauthToken` assumed, after the tokens answer, and the verdicts then say which app was assumed.

use std::future::Future;
use std::pin::Pin;

use futures_util::stream::{FuturesUnordered, StreamExt};
use serde_json::Value;

use super::app_policy::{AppKind, ConnectedAppRecord, EcaPolicyRecord};
use super::permissions::{self, EffectivePermissions};
use super::preview::{self, DomainTally, LicenceCount, Preview, UserEmail};
use super::tokens::{self, TokenRecord};
use super::user::{self, UserRecord};
use super::{CheckContext, CheckId, Finding, Report, Verdict, app_policy, org, usage};
use crate::salesforce::Error;
use crate::salesforce::Scopes;
use crate::salesforce::rest::{Identity, Organization, RestClient};

/// What one concurrent group of requests produced.
enum Part {
    /// The organization, whether the REST API is off, the verdicts, and why Salesforce could not be reached.
    Org(Option<Organization>, bool, Vec<Verdict>, Option<String>),
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
        weigh(
            &ctx,
            CheckId::ScopesGranted,
            usage::scopes_granted(
                &ctx.granted_scopes,
                &required_scopes,
                ctx.app_name.as_deref().unwrap_or("(app)"),
                ctx.app_kind,
            ),
        ),
        &mut report,
    );

    let mut parts: FuturesUnordered<PartFuture<'_>> = FuturesUnordered::new();
    parts.push(Box::pin(org_part(rest, &ctx)));
    parts.push(Box::pin(identity_part(rest, &ctx)));
    parts.push(Box::pin(user_part(rest, &ctx)));
    parts.push(Box::pin(permissions_part(rest, &ctx)));
    parts.push(Box::pin(tokens_and_app_part(rest, &ctx)));
    parts.push(Box::pin(async { Part::Verdicts(weigh(&ctx, CheckId::ApiUsage, limits_finding(rest).await)) }));
    parts.push(Box::pin(preview_part(rest)));
    // `None` until the Organization answer: whether the REST API is off.
    let mut api_off: Option<bool> = None;
    let mut held: Vec<Part> = Vec::new();
    while let Some(part) = parts.next().await {
        match part {
            Part::Org(organization, off, verdicts, unreachable) => {
                report.org = organization;
                report.unreachable = unreachable;
                emit(verdicts, &mut report);
                api_off = Some(off);
                if off {
                    held.clear();
                    let not_run = Finding::NotRun("not checked: the REST API is not available (see API access)".into());
                    let rest_ids = CheckId::ALL.into_iter().filter(|id| !is_done(*id));
                    emit(rest_ids.flat_map(|id| weigh(&ctx, id, not_run.clone())).collect(), &mut report);
                } else {
                    emit(weigh(&ctx, CheckId::MfaEnabled, app_policy::mfa()), &mut report);
                    for part in std::mem::take(&mut held) {
                        take_part(part, &mut report, &mut emit);
                    }
                }
            }
            part @ Part::Identity(..) => take_part(part, &mut report, &mut emit),
            part => match api_off {
                None => held.push(part),
                Some(false) => take_part(part, &mut report, &mut emit),
                // Replaced by "not checked" above.
                Some(true) => {}
            },
        }
    }
    report.checks.sort_by_key(|v| v.id);
    report
}

fn take_part(part: Part, report: &mut Report, emit: &mut impl FnMut(Vec<Verdict>, &mut Report)) {
    match part {
        Part::Verdicts(verdicts) => emit(verdicts, report),
        Part::Identity(identity, verdicts) => {
            report.user = identity;
            emit(verdicts, report);
        }
        Part::Preview(preview) => report.preview = Some(preview),
        Part::Org(..) => {}
    }
}

async fn org_part(rest: &RestClient, ctx: &CheckContext) -> Part {
    let organization = rest.organization().await;
    let unreachable = match &organization {
        Err(e @ crate::salesforce::Error::Transport { .. }) => Some(e.explain().headline),
        _ => None,
    };
    let api_off = matches!(&organization, Err(e) if org::is_api_disabled(e));
    let mut verdicts = weigh(ctx, CheckId::ApiAccess, org::api_access(&organization));
    verdicts.extend(weigh(
        ctx,
        CheckId::Org,
        match &organization {
            Ok(o) => org::org(o, ctx.login_kind, rest.instance()),
            Err(e) => Finding::from_error(e),
        },
    ));
    Part::Org(organization.ok(), api_off, verdicts, unreachable)
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
            Ok(_) => {
                return Ok(EffectivePermissions::from_assignments(&records, &fields, unreadable)
                    .at_version(rest.api_version()));
            }
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

/// The policy verdicts for `app`: refresh token policy, Permitted Users, IP Relaxation.
struct AppPolicies {
    refresh: Finding,
    permitted: Finding,
    ip: Finding,
    /// The name the app's tokens show (`OauthToken.AppName`), when its record was found: an External Client
    /// App named by its API name shows its label there.
    shown_as: Option<String>,
}

/// Reads `app`'s policies from the object that holds them for its kind (both when the kind is unknown).
async fn app_policies(rest: &RestClient, ctx: &CheckContext, app: &str) -> AppPolicies {
    let connected = async {
        match ctx.app_kind {
            Some(AppKind::ExternalClientApp) => None,
            _ => Some(
                rest.query_page::<ConnectedAppRecord>(&app_policy::query(app))
                    .await
                    .map(|page| page.records.into_iter().next()),
            ),
        }
    };
    let external = async {
        match ctx.app_kind {
            Some(AppKind::ConnectedApp) => None,
            _ => Some(
                rest.query_page::<EcaPolicyRecord>(&app_policy::eca_query(app))
                    .await
                    .map(|page| app_policy::eca_record_named(page.records, app)),
            ),
        }
    };
    let (connected, external) = futures_util::future::join(connected, external).await;
    if let Some(Ok(Some(record))) = &connected {
        return AppPolicies {
            refresh: app_policy::refresh_policy(record, ctx.refreshed),
            permitted: app_policy::permitted_users(record),
            ip: app_policy::ip_relaxation(app, Some(AppKind::ConnectedApp)),
            shown_as: Some(record.name.clone()),
        };
    }
    if let Some(Ok(Some(record))) = &external {
        // Setup lists it by its label: the fixes name that.
        let label = record.label().unwrap_or(app);
        return AppPolicies {
            refresh: app_policy::eca_refresh_policy(label, record, ctx.refreshed),
            permitted: app_policy::eca_permitted_users(label, record),
            ip: app_policy::eca_ip_relaxation(label, record),
            shown_as: Some(label.to_string()),
        };
    }
    // Not found where it should be: an error of the object asked for first (the one the kind names, or the
    // Connected App's) says why; otherwise the app is not visible by that name.
    let error = connected.and_then(Result::err).or_else(|| external.and_then(Result::err));
    let not_found = match error {
        // An org without External Client Apps has no such object: that is not found, not an error.
        Some(e) if !matches!(&e, Error::Rest(r) if r.code == "INVALID_TYPE") => Finding::from_error(&e),
        _ => app_policy::app_not_found(app, ctx.app_kind),
    };
    AppPolicies {
        refresh: not_found.clone(),
        permitted: not_found,
        ip: app_policy::ip_relaxation(app, ctx.app_kind),
        shown_as: None,
    }
}

/// Appends which app was assumed to a finding's detail.
fn with_assumption(finding: Finding, note: Option<&str>) -> Finding {
    let Some(note) = note else { return finding };
    match finding {
        Finding::Ok(d) => Finding::Ok(format!("{d} ({note})")),
        Finding::Problem { detail, fix } => Finding::Problem { detail: format!("{detail} ({note})"), fix },
        Finding::Broken { detail, fix } => Finding::Broken { detail: format!("{detail} ({note})"), fix },
        Finding::Unknown { detail, fix } => Finding::Unknown { detail: format!("{detail} ({note})"), fix },
        Finding::NotRun(d) => Finding::NotRun(d),
    }
}

async fn tokens_and_app_part(rest: &RestClient, ctx: &CheckContext) -> Part {
    let policy_ids = [CheckId::RefreshPolicyInfinite, CheckId::PermittedUsers, CheckId::IpRelaxation];
    // An External Client App's record also says the name its tokens show: read it for the token count too.
    let wants_policy = policy_ids.iter().any(|id| ctx.level(*id).is_some())
        || (ctx.level(CheckId::TokensPerUser).is_some() && ctx.app_kind != Some(AppKind::ConnectedApp));
    let read_tokens = async {
        let mut held: Vec<TokenRecord> = Vec::new();
        let read = match ctx.user_id() {
            Some(user_id) => rest.query_each(&tokens::query(user_id), |page| held.extend(page)).await.map(|_| ()),
            None => Ok(()),
        };
        (read, held)
    };
    // A known name: the tokens and the app's policies together. Otherwise the tokens first, to find the app.
    let ((read, held), app, policies, assumed) = match &ctx.app_name {
        Some(app) => {
            let policies = async { if wants_policy { Some(app_policies(rest, ctx, app).await) } else { None } };
            let (tokens, policies) = futures_util::future::join(read_tokens, policies).await;
            (tokens, Some(app.clone()), policies, false)
        }
        None => {
            let (read, held) = read_tokens.await;
            let app = tokens::most_recently_used(&held).map(str::to_string);
            let policies = match &app {
                Some(app) if wants_policy => Some(app_policies(rest, ctx, app).await),
                _ => None,
            };
            ((read, held), app, policies, true)
        }
    };
    let mut out = Vec::new();
    let shown_as = policies.as_ref().and_then(|p| p.shown_as.clone()).or(app);
    out.extend(weigh(
        ctx,
        CheckId::TokensPerUser,
        match (&read, &shown_as) {
            (Err(e), _) => Finding::from_error(e),
            (Ok(()), Some(app)) => tokens::tokens_per_user(&held, app, ctx.app_kind, ctx.refreshed),
            // This run's token exists, so an empty list is an unreadable one.
            (Ok(()), None) if ctx.refreshed => Finding::unknown(
                "no token is visible for this user, though this run's token was just issued or refreshed: the \
                 token list is not readable",
                "Count the user's tokens in the user's Settings > Personal > Advanced User Details > OAuth \
                 Connected Apps (5 per app; a sixth revokes the oldest).",
            ),
            (Ok(()), None) => Finding::Ok("no tokens are visible for this user".into()),
        },
    ));
    let Some(app) = shown_as else {
        let finding = Finding::unknown(
            "the app's name is not known (no token of this user is visible)",
            format!(
                "Pass --app-name with the app's name as Setup shows it, or check {}.",
                app_policy::policies_path("(app)", ctx.app_kind)
            ),
        );
        for id in policy_ids.into_iter().chain([CheckId::DeviceFlowEnabled]) {
            out.extend(weigh(ctx, id, finding.clone()));
        }
        return Part::Verdicts(out);
    };
    let note = assumed.then(|| {
        format!("app assumed: {app}, the app of this user's most recently used token; --app-name names another")
    });
    let note = note.as_deref();
    out.extend(weigh(
        ctx,
        CheckId::DeviceFlowEnabled,
        with_assumption(app_policy::device_flow(&app, ctx.app_kind, ctx.device_flow_used), note),
    ));
    let policies = policies.unwrap_or_else(|| AppPolicies {
        refresh: Finding::NotRun("not asked for".into()),
        permitted: Finding::NotRun("not asked for".into()),
        ip: app_policy::ip_relaxation(&app, ctx.app_kind),
        shown_as: None,
    });
    out.extend(weigh(ctx, CheckId::IpRelaxation, with_assumption(policies.ip, note)));
    out.extend(weigh(ctx, CheckId::RefreshPolicyInfinite, with_assumption(policies.refresh, note)));
    out.extend(weigh(ctx, CheckId::PermittedUsers, with_assumption(policies.permitted, note)));
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
    let errors = [active.as_ref().err(), licence_read.as_ref().err(), emails.as_ref().err()];
    if let [Some(first), ..] = errors
        && errors.iter().all(|e| e.is_some_and(Error::is_unreachable))
    {
        preview.unreachable = Some(first.explain().headline);
        return Part::Preview(preview);
    }
    match active {
        Ok(page) => preview.active_users = Some(page.total_size),
        Err(e) => preview.problems.push(format!("active users: {}", e.explain().headline)),
    }
    if let Err(e) = licence_read {
        preview.problems.push(format!("licences: {}", e.explain().headline));
    }
    match emails {
        Ok(_) => preview.users_read = true,
        Err(e) => preview.problems.push(format!("users by domain: {}", e.explain().headline)),
    }
    licences.sort_by(|a, b| b.used.cmp(&a.used).then_with(|| a.name.cmp(&b.name)));
    preview.licences = licences;
    tally.finish_into(&mut preview);
    Part::Preview(preview)
}
