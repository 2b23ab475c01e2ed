//! Creating the External Client App: the spec a target asks for (one function, for `app create`, `app
//! emit` and the wizard), and the wizard's task ("Create it for me"): read the session picked, check it is
//! the org's, create the app through `salesforce::eca::create`, and report each stage and the end as
//! messages. The session's token lives in this task only.

use tokio::sync::mpsc::UnboundedSender;

use super::session::{SessionError, SessionSource, open, session_refused};
use crate::presets::Preset;
use crate::salesforce::clock::TokioClock;
use crate::salesforce::eca::create::{CreateError, create_app};
use crate::salesforce::eca::deploy::FailureKind;
use crate::salesforce::eca::preflight::Blocker;
use crate::salesforce::eca::{EcaRequest, EcaSpec, IpRelaxation, PermittedUsers, SpecError};
use crate::salesforce::{AccessToken, LoginHost};
use crate::wizard::Msg;
use crate::wizard::msg::{AppToCreate, CreateRefusal, CreatedApp, OfferedSession, SessionChoice, WayOn};

/// IP relaxation as the target asks: "Relax IP restrictions" when it checks for it, else enforced with
/// refresh let through.
pub fn ip_relaxation(preset: &Preset) -> IpRelaxation {
    if preset.checks_ip_relaxation() { IpRelaxation::Bypass } else { IpRelaxation::EnforceRelaxRefresh }
}

/// The one place a target's app becomes a spec: IP relaxation from the preset, the scopes given (the
/// preset's, or the wizard's selection), all users may self-authorize.
pub fn app_spec(
    preset: &Preset,
    scope_tokens: &[String],
    name: &str,
    email: &str,
    callbacks: &[String],
    device_flow: bool,
) -> Result<EcaSpec, SpecError> {
    let request = EcaRequest {
        name,
        contact_email: email,
        callbacks,
        scope_tokens,
        device_flow,
        ip_relaxation: ip_relaxation(preset),
        permitted_users: PermittedUsers::AllSelfAuthorized,
    };
    EcaSpec::new(&request)
}

fn refusal(headline: impl Into<String>, fix: impl Into<String>, way_on: WayOn) -> CreateRefusal {
    CreateRefusal { headline: headline.into(), fix: fix.into(), way_on }
}

fn session_refusal(e: SessionError) -> CreateRefusal {
    let fix = if e.fix.is_empty() { "pick another session, or paste a token".to_string() } else { e.fix };
    refusal(e.headline, fix, WayOn::AnotherSession)
}

/// Where the picked session is read from; the demo's admin token is the runtime's, given here.
fn source_of(choice: SessionChoice, demo_token: Option<AccessToken>) -> Result<SessionSource, CreateRefusal> {
    Ok(match choice {
        SessionChoice::Offered(OfferedSession::SfAlias(alias)) => SessionSource::SfOrg(alias),
        SessionChoice::Offered(OfferedSession::SettingsFile(path)) => SessionSource::FromSettings(path),
        SessionChoice::Offered(OfferedSession::Demo) => match demo_token {
            Some(token) => SessionSource::Token { token, described: "the demo org's admin".into() },
            None => {
                return Err(refusal(
                    "the demo org's session is not available outside the demo",
                    "pick another session, or paste a token",
                    WayOn::AnotherSession,
                ));
            }
        },
        SessionChoice::Pasted(token) => SessionSource::Token { token, described: "the pasted token".into() },
    })
}

/// Creates the app for the wizard, sending `Msg::CreateProgress` at each stage.
pub async fn create_for_wizard(
    http: reqwest::Client,
    host: LoginHost,
    choice: SessionChoice,
    app: AppToCreate,
    demo_token: Option<AccessToken>,
    tx: UnboundedSender<Msg>,
) -> Result<Box<CreatedApp>, CreateRefusal> {
    let source = source_of(choice, demo_token)?;
    let opened = open(source, &host, &http).await.map_err(session_refusal)?;
    let email = app.contact_email.clone().unwrap_or_else(|| opened.user.email.clone());
    if email.trim().is_empty() {
        return Err(refusal(
            "the session's user has no email address for the app's Contact Email",
            "type a Contact Email on this step, then press {create_for_me} again",
            WayOn::ClickThrough,
        ));
    }
    let spec =
        app_spec(&app.preset, &app.scopes, &app.api_name, &email, &app.callbacks, app.device_flow).map_err(|e| {
            refusal(
                e.to_string(),
                "change the value on this step, then press {create_for_me} again",
                WayOn::ClickThrough,
            )
        })?;
    let events = tx.clone();
    let created = create_app(&opened.rest, spec, false, &TokioClock, move |event| {
        let _ = events.send(Msg::CreateProgress(event));
    })
    .await
    .map_err(explain_refusal)?;
    tracing::info!(secret_source = ?created.secret_source, "app created from the wizard");
    Ok(Box::new(CreatedApp {
        app_name: created.app_name,
        client_id: created.client_id,
        secret: created.secret,
        secret_source: created.secret_source,
        org_name: opened.organization.name,
        session: opened.described,
        contact_email: created.contact_email,
    }))
}

/// A creation error as the wizard says it, with the way on it offers first.
pub fn explain_refusal(e: CreateError) -> CreateRefusal {
    match e {
        CreateError::Request(e) if e.is_session_expired() => session_refusal(session_refused(e)),
        CreateError::Blocked(blockers) => {
            if let Some(Blocker::NameTaken { name, .. }) =
                blockers.iter().find(|b| matches!(b, Blocker::NameTaken { .. }))
            {
                return refusal(
                    format!("an External Client App named {name} already exists in this org"),
                    "type another App name on this step and press {create_for_me} again; or, to use that app, go on by \
                     the click-through ({back}) and paste its key and secret on step 5",
                    WayOn::AnotherName,
                );
            }
            let (headline, fix) = CreateError::Blocked(blockers).explain();
            refusal(headline, fix, WayOn::ClickThrough)
        }
        other => {
            let kinds = other.kinds();
            let way_on = if kinds.contains(&FailureKind::NameTaken) {
                WayOn::AnotherName
            } else if kinds
                .iter()
                .any(|k| matches!(k, FailureKind::EcaNotAllowed | FailureKind::Permission | FailureKind::Package))
            {
                WayOn::ClickThrough
            } else {
                WayOn::TryAgain
            };
            let (headline, fix) = other.explain();
            refusal(headline, fix, way_on)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_name_leads_to_another_name() {
        let taken = CreateError::Blocked(vec![Blocker::NameTaken { name: "Acme_App".into(), client_id: None }]);
        let r = explain_refusal(taken);
        assert_eq!(r.way_on, WayOn::AnotherName);
        assert!(r.headline.contains("Acme_App") && r.fix.contains("another App name"), "{r:?}");
        let edition = CreateError::Blocked(vec![Blocker::Edition("Professional Edition".into())]);
        let r = explain_refusal(edition);
        assert_eq!(r.way_on, WayOn::ClickThrough);
        assert!(r.headline.contains("Professional Edition"), "{r:?}");
    }

    #[test]
    fn the_demo_session_exists_only_in_the_demo() {
        let r = source_of(SessionChoice::Offered(OfferedSession::Demo), None).unwrap_err();
        assert_eq!(r.way_on, WayOn::AnotherSession);
    }
}
