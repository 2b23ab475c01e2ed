//! "Create it for me" on step 3: sfconnect creates the External Client App with a Salesforce session the
//! admin brings once. The stages: find the sessions at hand (the runtime looks), pick one or paste a token
//! (masked), then the creation with each stage on screen (preflight, dry run, deploy, credentials), Esc
//! stopping it safely; a refusal is a sentence with its fix and a way on (another session, another name,
//! try again, or the click-through with every value still filled in). On success the app's values go to
//! the steps that hold them, by message, and the wizard goes on to the wait.
//!
//! The token of a pasted session leaves the state with the command that uses it.

use crate::salesforce::AccessToken;
use crate::salesforce::eca::create::CreateEvent;
use crate::wizard::msg::{Action, AppMade, AppToCreate, Command, CreatedApp, Msg, SessionChoice, WayOn};
use crate::wizard::state::State;
use crate::wizard::update::Update;

use super::super::{Hint, edit, move_cursor};
use super::creation::{Made, Phase, Stage};
use super::{AppKind, ROWS, Row, api_name, app_name_of, email_problem};

/// Why a pasted token needs the org's My Domain, and the way on.
pub const MY_DOMAIN_FOR_A_TOKEN: &str = "A token works only on its org's own domain: go back to step 1 and type \
     your My Domain (https://yourdomain.my.salesforce.com), or pick the Salesforce CLI's login of the org.";

/// Where an admin without a session at hand gets one. Accurate on purpose: Setup's Session Management lists
/// sessions but never their tokens, so it is no way to get one (docs/protocol.md, "Session").
pub const WHERE_TO_GET_A_TOKEN: &str = "`sf org auth show-access-token --target-org ALIAS --json` (older \
     Salesforce CLIs: `sf org display --target-org ALIAS --json`), the accessToken value; log in first with \
     `sf org login web --alias ALIAS` on a machine with a browser";

/// The API name the app is created with: the one typed on this step, as an API name.
pub fn planned_api_name(state: &State) -> String {
    api_name(&app_name_of(state))
}

/// Ctrl-N on the click-through: look for sessions.
pub fn begin(state: &mut State) -> Update {
    if state.preset().is_some_and(|p| p.brings_own_app()) {
        state.warn("This target brings its own app: there is nothing to create here.");
        return Update::redraw();
    }
    let Some(host) = state.login_host() else {
        state.warn("Choose the org on step 1 first: the app is created in it.");
        return Update::redraw();
    };
    let email = state.create_app.email.value().trim().to_string();
    if !email.is_empty()
        && let Some(problem) = email_problem(&email)
    {
        state.create_app.error = Some(problem.into());
        state.create_app.cursor = ROWS.iter().position(|r| *r == Row::Email).unwrap_or(0);
        return Update::redraw();
    }
    if state.create_app.kind != AppKind::ExternalClientApp {
        state.create_app.kind = AppKind::ExternalClientApp;
        state.say("sfconnect creates External Client Apps (what Salesforce offers since Spring '26).");
    }
    state.create_app.error = None;
    state.touched = true;
    let me = &mut state.create_app.for_me;
    me.phase = Phase::Finding;
    me.offers.clear();
    me.token_error = None;
    Update::with(vec![Command::FindSessions { host }])
}

/// Starts the creation with `choice`.
fn start(state: &mut State, choice: SessionChoice) -> Update {
    let Some(host) = state.login_host() else { return Update::none() };
    let Some(preset) = state.preset().cloned() else { return Update::none() };
    let email = state.create_app.email.value().trim().to_string();
    let app = AppToCreate {
        preset: Box::new(preset),
        scopes: state.scopes.selected.iter().map(ToString::to_string).collect(),
        api_name: planned_api_name(state),
        contact_email: (!email.is_empty()).then_some(email),
        callbacks: vec![state.redirect_uri(), state.authorize.loopback_callback()],
        device_flow: state.create_app.device_flow,
    };
    let me = &mut state.create_app.for_me;
    me.last = match &choice {
        SessionChoice::Offered(offered) => Some(offered.clone()),
        SessionChoice::Pasted(_) => None,
    };
    me.phase = Phase::Running {
        started: state.now,
        stage: Stage::Session,
        components: None,
        secret_retry: false,
        asking_stop: false,
    };
    Update::with(vec![Command::CreateApp { host, session: choice, app: Box::new(app) }])
}

fn leave(state: &mut State) -> Update {
    state.create_app.for_me.phase = Phase::Off;
    state.create_app.for_me.token.clear();
    Update::redraw()
}

pub fn on_action(state: &mut State, action: Action) -> Update {
    match state.create_app.for_me.phase.clone() {
        Phase::Off => Update::none(),
        Phase::Finding => match action {
            Action::Back => leave(state),
            // The search waits on `sf`, which may be slow to start: pasting a token need not wait for it.
            Action::Next => {
                state.create_app.for_me.phase = Phase::Paste;
                Update::redraw()
            }
            _ => Update::none(),
        },
        Phase::Pick => on_pick(state, action),
        Phase::Paste => on_paste(state, action),
        Phase::Running { .. } => on_running(state, action),
        Phase::Failed(refusal) => on_failed(state, action, refusal.way_on),
        Phase::Stopped => match action {
            Action::Back | Action::Next => leave(state),
            _ => Update::none(),
        },
    }
}

fn on_pick(state: &mut State, action: Action) -> Update {
    let me = &mut state.create_app.for_me;
    let rows = me.offers.len() + 1;
    match action {
        Action::Up | Action::Down | Action::FocusNext | Action::FocusPrev => {
            move_cursor(&mut me.cursor, rows, matches!(action, Action::Down | Action::FocusNext));
            Update::redraw()
        }
        Action::Next => match me.offers.get(me.cursor) {
            Some(offer) => {
                let source = offer.source.clone();
                start(state, SessionChoice::Offered(source))
            }
            None => {
                me.phase = Phase::Paste;
                Update::redraw()
            }
        },
        Action::Back => leave(state),
        _ => Update::none(),
    }
}

/// True when the org is named by login.salesforce.com or test.salesforce.com: a pasted token works only on
/// its org's own domain, which those do not name.
pub fn token_needs_my_domain(state: &State) -> bool {
    use crate::salesforce::HostKind;
    state.login_host().is_some_and(|h| matches!(h.kind(), HostKind::Production | HostKind::Sandbox))
}

/// What is wrong with a pasted token, if anything.
pub fn token_problem(token: &str) -> Option<&'static str> {
    let token = token.trim();
    if token.is_empty() {
        return Some("Paste an access token or session id first.");
    }
    if token.chars().any(char::is_whitespace) {
        return Some("The token has a space or line break in it: paste the accessToken value alone.");
    }
    None
}

fn on_paste(state: &mut State, action: Action) -> Update {
    let me = &mut state.create_app.for_me;
    if edit(&mut me.token, action) {
        me.token_error = None;
        return Update::redraw();
    }
    match action {
        Action::Reveal => {
            me.reveal = !me.reveal;
            Update::redraw()
        }
        Action::Next => {
            if let Some(problem) = token_problem(me.token.value()) {
                me.token_error = Some(problem.into());
                return Update::redraw();
            }
            if token_needs_my_domain(state) {
                state.create_app.for_me.token_error = Some(MY_DOMAIN_FOR_A_TOKEN.into());
                return Update::redraw();
            }
            let me = &mut state.create_app.for_me;
            let token = AccessToken::new(me.token.value().trim());
            me.token.clear();
            me.reveal = false;
            start(state, SessionChoice::Pasted(token))
        }
        Action::Back => {
            me.token.clear();
            me.token_error = None;
            me.phase = Phase::Pick;
            Update::redraw()
        }
        _ => Update::none(),
    }
}

pub fn on_text(state: &mut State, text: &str) -> Update {
    let me = &mut state.create_app.for_me;
    if me.phase != Phase::Paste {
        return Update::none();
    }
    // A paste into an empty field is trimmed: copied values often carry a trailing line break.
    let text = if me.token.is_empty() { text.trim() } else { text };
    me.token.insert(text);
    me.token_error = None;
    Update::redraw()
}

fn on_running(state: &mut State, action: Action) -> Update {
    let past_dry_run = state.create_app.for_me.past_dry_run();
    let Phase::Running { asking_stop, .. } = &mut state.create_app.for_me.phase else { return Update::none() };
    match action {
        Action::Back if !past_dry_run => {
            state.create_app.for_me.phase = Phase::Pick;
            state.say("Stopped before the deploy: nothing was created.");
            Update::with(vec![Command::StopCreate])
        }
        Action::Back if !*asking_stop => {
            *asking_stop = true;
            Update::redraw()
        }
        Action::Back => {
            state.create_app.for_me.phase = Phase::Stopped;
            Update::with(vec![Command::StopCreate])
        }
        _ if *asking_stop => {
            *asking_stop = false;
            Update::redraw()
        }
        _ => Update::none(),
    }
}

fn on_failed(state: &mut State, action: Action, way_on: WayOn) -> Update {
    match action {
        Action::Retry => match state.create_app.for_me.last.clone() {
            Some(offered) => start(state, SessionChoice::Offered(offered)),
            None => {
                state.create_app.for_me.phase = Phase::Paste;
                Update::redraw()
            }
        },
        Action::Next => match way_on {
            WayOn::AnotherSession => {
                state.create_app.for_me.phase = Phase::Pick;
                Update::redraw()
            }
            WayOn::AnotherName => {
                let update = leave(state);
                state.create_app.cursor = ROWS.iter().position(|r| *r == Row::Name).unwrap_or(0);
                state.say("Type another App name, then press {create_for_me} again.");
                update
            }
            WayOn::TryAgain => on_failed(state, Action::Retry, way_on),
            WayOn::ClickThrough => leave(state),
        },
        Action::Back => leave(state),
        _ => Update::none(),
    }
}

/// The results of the runtime's work for this step; `Err` gives back a message that is not this step's.
// The step-dispatch shape: a message that is not this step's goes back whole, moved, not copied.
#[allow(clippy::result_large_err)]
pub fn on_result(state: &mut State, msg: Msg) -> Result<Update, Msg> {
    match msg {
        Msg::SessionsFound(offers) => {
            let me = &mut state.create_app.for_me;
            if me.phase != Phase::Finding {
                return Ok(Update::none());
            }
            me.cursor = 0;
            me.offers = offers;
            me.phase = Phase::Pick;
            Ok(Update::redraw())
        }
        Msg::CreateProgress(event) => Ok(on_progress(state, event)),
        Msg::CreateFinished(Ok(app)) => Ok(on_created(state, *app)),
        Msg::CreateFinished(Err(refusal)) => {
            let me = &mut state.create_app.for_me;
            if !matches!(me.phase, Phase::Running { .. }) {
                return Ok(Update::none());
            }
            me.phase = Phase::Failed(refusal);
            Ok(Update::redraw())
        }
        other => Err(other),
    }
}

fn on_progress(state: &mut State, event: CreateEvent) -> Update {
    let Phase::Running { stage, components, secret_retry, .. } = &mut state.create_app.for_me.phase else {
        return Update::none();
    };
    match event {
        CreateEvent::Preflight => *stage = Stage::Preflight,
        CreateEvent::Validating => *stage = Stage::DryRun,
        CreateEvent::SecretRefusedRetryingWithout => *secret_retry = true,
        CreateEvent::Deploying => {
            *stage = Stage::Deploy;
            *components = None;
        }
        CreateEvent::Progress { deployed, total } => *components = Some((deployed, total)),
        CreateEvent::ReadingCredentials => *stage = Stage::Credentials,
    }
    Update::redraw()
}

/// The app exists: its scopes and values go to the steps that hold them, by message, and the credentials
/// step takes the wizard on to the wait.
fn on_created(state: &mut State, app: CreatedApp) -> Update {
    let me = &mut state.create_app.for_me;
    me.phase = Phase::Off;
    me.made = Some(Made {
        app_name: app.app_name.clone(),
        org_name: app.org_name.clone(),
        session: app.session.clone(),
        secret_source: app.secret_source,
    });
    state.create_app.kind = AppKind::ExternalClientApp;
    // The name field takes the app's API name: what the settings record, and what a resumed session keeps.
    state.create_app.name.set(&app.app_name);
    if state.create_app.email.is_empty() {
        state.create_app.email.set(&app.contact_email);
    }
    let made = AppMade {
        app_name: app.app_name.clone(),
        org_name: app.org_name,
        client_id: app.client_id,
        secret: app.secret,
    };
    Update::redraw().tell(Msg::ScopesSetOnApp { app_name: app.app_name }).tell(Msg::AppCreated(Box::new(made)))
}

pub fn text_focus(state: &State) -> bool {
    state.create_app.for_me.phase == Phase::Paste
}

pub fn hints(state: &State) -> Vec<Hint> {
    let me = &state.create_app.for_me;
    match &me.phase {
        Phase::Off => Vec::new(),
        Phase::Finding => vec![(Action::Next, "paste a token instead"), (Action::Back, "back")],
        Phase::Pick => vec![(Action::Down, "move"), (Action::Next, "use it"), (Action::Back, "back")],
        Phase::Paste => vec![
            (Action::Reveal, if me.reveal { "hide" } else { "show" }),
            (Action::Next, "create"),
            (Action::Back, "back"),
        ],
        Phase::Running { asking_stop: true, .. } => {
            vec![(Action::Back, "stop waiting"), (Action::Next, "keep waiting")]
        }
        Phase::Running { .. } => vec![(Action::Back, "stop")],
        Phase::Failed(refusal) => {
            let first = match refusal.way_on {
                WayOn::AnotherSession => "another session",
                WayOn::AnotherName => "another name",
                WayOn::TryAgain => "try again",
                WayOn::ClickThrough => "click-through",
            };
            let mut h = vec![(Action::Next, first)];
            if refusal.way_on != WayOn::TryAgain {
                h.push((Action::Retry, "try again"));
            }
            if refusal.way_on != WayOn::ClickThrough {
                h.push((Action::Back, "click-through"));
            }
            h
        }
        Phase::Stopped => vec![(Action::Next, "click-through")],
    }
}

pub const HELP: &str = "\
Create it for me: sfconnect creates the External Client App in your org with a Salesforce session you \
bring once, then fills in its key and secret and goes on to the wait.

The session: a login of the Salesforce CLI for this org (sf org list shows them), an earlier sfconnect \
settings file for this org whose app has the api scope, or an access token you paste. It is used for this \
only and kept nowhere.

Nothing is created before a dry run (a checkOnly deploy) passes. {back} stops at any stage; once the deploy \
has started, Salesforce finishes it on its side, so the screen asks first.

The app: the name, contact email, callback URLs, scopes and device flow of this step; PKCE and the \
secret required; refresh tokens valid until revoked. {back}, or a refusal, goes back to the click-through \
with every value still filled in.";
