//! The wizard's state machine, step by step, without a terminal: messages in, state and commands out.
//! Issue #4 (transitions, back and forth keeping input, validation messages).

use std::time::{Duration, Instant};

use sfconnect::salesforce::errors::OAuthError;
use sfconnect::salesforce::probe::Readiness;
use sfconnect::salesforce::{AccessToken, Error, RefreshToken, Scopes, TokenGrant};
use sfconnect::settings::Overwrite;
use sfconnect::wizard::msg::{ProbeUpdate, Verified};
use sfconnect::wizard::state::Mode;
use sfconnect::wizard::steps::start::{Environment, StartFocus};
use sfconnect::wizard::steps::verify::VerifyStatus;
use sfconnect::wizard::{Action, Command, Msg, State, Step, Surroundings, tick_interval, update};

const KEY: &str = "3MVG9abcdefghijklmnopqrstuvwxyz0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnop";
const SECRET: &str = "A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90";

fn new_state() -> State {
    State::new(sfconnect::presets::bundled(), Surroundings { ssh: true, ..Surroundings::default() }, Instant::now())
}

fn act(state: &mut State, action: Action) -> Vec<Command> {
    update(state, Msg::Action(action)).commands
}

fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        update(state, Msg::Char(c));
    }
}

/// Walks from the start to the credentials step with valid input.
fn to_credentials(state: &mut State) {
    act(state, Action::Next);
    act(state, Action::Next);
    // Create the app: the email row must be filled.
    while state.create_app.row() != sfconnect::wizard::steps::create_app::Row::Email {
        act(state, Action::Down);
    }
    type_text(state, "admin@acme.com");
    act(state, Action::Next);
    assert_eq!(state.step, Step::SCOPES);
    act(state, Action::Next);
    assert_eq!(state.step, Step::CREDENTIALS);
}

/// Through the credentials (the secret pasted with a trailing line break, as copies often are) to the wait.
fn to_propagation(state: &mut State) {
    to_credentials(state);
    update(state, Msg::Paste(KEY.into()));
    act(state, Action::FocusNext);
    update(state, Msg::Paste(format!("{SECRET}\n").into()));
    let commands = act(state, Action::Next);
    assert_eq!(state.step, Step::PROPAGATION);
    assert!(commands.iter().any(|c| matches!(c, Command::StartProbe { .. })));
}

fn to_authorize(state: &mut State) {
    to_propagation(state);
    update(state, Msg::Probe(Ok(ProbeUpdate { readiness: Readiness::Ready { secret_checked: true }, attempts: 3 })));
    assert_eq!(state.step, Step::AUTHORIZE);
}

fn grant(with_refresh: bool) -> TokenGrant {
    TokenGrant {
        access_token: AccessToken::new("00Dx!AQ"),
        refresh_token: with_refresh.then(|| RefreshToken::new("5Aep861refresh")),
        instance_url: "https://acme.my.salesforce.com".into(),
        id_url: "https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA".into(),
        issued_at: None,
        scopes: Scopes::parse("api refresh_token"),
        token_type: "Bearer".into(),
    }
}

/// A started device login's view, with this user code.
fn device_view(code: &str) -> sfconnect::wizard::msg::DeviceView {
    sfconnect::wizard::msg::DeviceView {
        user_code: code.into(),
        verification_uri: "https://login.salesforce.com/setup/connect".into(),
        verification_uri_complete: format!("https://login.salesforce.com/setup/connect?user_code={code}"),
    }
}

/// The proof that a token works, without rotation.
fn verified() -> Verified {
    Verified {
        username: "a@b.c".into(),
        org_name: "Acme".into(),
        edition: "EE".into(),
        is_sandbox: false,
        rotated: None,
    }
}

#[test]
fn back_and_forth_keeps_what_was_entered() {
    let mut state = new_state();
    act(&mut state, Action::Down);
    let chosen = state.start.preset_index;
    to_credentials(&mut state);
    type_text(&mut state, "3MVG9partial");
    act(&mut state, Action::Back);
    act(&mut state, Action::Back);
    act(&mut state, Action::Back);
    act(&mut state, Action::Back);
    assert_eq!(state.step, Step::START);
    assert_eq!(state.start.preset_index, chosen, "the target is kept");
    act(&mut state, Action::Next);
    act(&mut state, Action::Next);
    assert_eq!(state.create_app.email.value(), "admin@acme.com", "the email is kept");
    act(&mut state, Action::Next);
    act(&mut state, Action::Next);
    assert_eq!(state.credentials.key.value(), "3MVG9partial", "the typed key is kept");
}

#[test]
fn a_bad_my_domain_is_refused_with_the_field_named() {
    let mut state = new_state();
    act(&mut state, Action::FocusNext);
    act(&mut state, Action::Down);
    act(&mut state, Action::Down);
    assert_eq!(state.start.environment, Environment::MyDomain);
    assert_eq!(state.start.focus, StartFocus::MyDomain);
    type_text(&mut state, "http://acme.my.salesforce.com");
    act(&mut state, Action::Next);
    assert_eq!(state.step, Step::START);
    let error = state.start.error.clone().expect("an error is shown");
    assert!(error.contains("Login URL") && error.contains("https"), "{error}");
    for _ in 0.."http://acme.my.salesforce.com".len() {
        act(&mut state, Action::Backspace);
    }
    type_text(&mut state, "https://acme.lightning.force.com/lightning/setup/home");
    act(&mut state, Action::Next);
    assert_eq!(state.step, Step::PREREQUISITES);
    assert_eq!(state.login_host().unwrap().origin(), "https://acme.my.salesforce.com");
}

#[test]
fn create_app_needs_an_email_and_derives_the_api_name() {
    let mut state = new_state();
    act(&mut state, Action::Next);
    act(&mut state, Action::Next);
    act(&mut state, Action::Next);
    assert_eq!(state.step, Step::CREATE_APP);
    assert!(state.create_app.error.as_deref().unwrap_or("").contains("Contact Email"));
    let api =
        sfconnect::wizard::steps::create_app::row_value(&state, sfconnect::wizard::steps::create_app::Row::ApiName);
    let (_, api) = api.unwrap();
    assert!(api.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !api.contains("__"), "{api}");
    // The failed Enter put the cursor on the email row; copying a value asks the runtime to copy it.
    assert_eq!(state.create_app.row(), sfconnect::wizard::steps::create_app::Row::Email);
    act(&mut state, Action::Up);
    let commands = act(&mut state, Action::Copy);
    assert!(matches!(&commands[..], [Command::Copy { label, secret: false, .. }] if label == "API name"));
}

#[test]
fn scopes_warn_without_refresh_token() {
    let mut state = new_state();
    assert!(state.scopes.selected.allows_refresh(), "every target asks for a refresh token");
    let row =
        sfconnect::salesforce::scope::SCOPE_TABLE.iter().position(|s| s.tokens.contains(&"refresh_token")).unwrap();
    state.step = Step::SCOPES;
    state.scopes.cursor = row;
    act(&mut state, Action::Toggle);
    assert!(!state.scopes.selected.contains("refresh_token") && !state.scopes.selected.contains("offline_access"));
    let asked = state.preset().map(|p| p.scopes.clone()).unwrap_or_default();
    let warnings = sfconnect::wizard::steps::scopes::warnings(&state.scopes.selected, &asked);
    assert!(warnings.iter().any(|w| w.contains("no refresh token")), "{warnings:?}");
    // Snow Atlas asks for Full access: the warning says so instead of "keep it only if required".
    let full = warnings.iter().find(|w| w.contains("Full access")).unwrap();
    assert!(full.contains("this target asks for it"), "{full}");
    act(&mut state, Action::Toggle);
    assert!(state.scopes.selected.contains("refresh_token") && state.scopes.selected.contains("offline_access"));
}

#[test]
fn swapped_key_and_secret_are_caught_before_any_request() {
    let mut state = new_state();
    to_credentials(&mut state);
    update(&mut state, Msg::Paste(SECRET.into()));
    let commands = act(&mut state, Action::Next);
    assert!(commands.is_empty());
    assert_eq!(state.step, Step::CREDENTIALS);
    assert!(state.credentials.error.as_deref().unwrap().contains("Consumer Secret"));
}

#[test]
fn propagation_moves_on_when_live_and_stops_on_a_wrong_secret() {
    let mut state = new_state();
    to_propagation(&mut state);
    assert_eq!(tick_interval(&state), Some(Duration::from_secs(1)), "the countdown ticks while waiting");
    update(&mut state, Msg::Probe(Ok(ProbeUpdate { readiness: Readiness::NotLive, attempts: 1 })));
    assert_eq!(state.step, Step::PROPAGATION);
    update(&mut state, Msg::Probe(Ok(ProbeUpdate { readiness: Readiness::SecretRejected, attempts: 2 })));
    assert_eq!(state.step, Step::PROPAGATION, "a wrong secret does not move on");
    assert_eq!(tick_interval(&state), None, "nothing ticks once the wait is over");
    act(&mut state, Action::Back);
    assert_eq!(state.step, Step::CREDENTIALS);
}

#[test]
fn skipping_the_wait_stops_the_probe() {
    let mut state = new_state();
    to_propagation(&mut state);
    let commands = act(&mut state, Action::Skip);
    assert!(matches!(commands.first(), Some(Command::StopProbe)));
    assert_eq!(state.step, Step::AUTHORIZE);
}

#[test]
fn a_pasted_redirect_is_exchanged_and_a_foreign_state_refused() {
    let mut state = new_state();
    to_authorize(&mut state);
    let request_state = state.authorize.request.as_ref().unwrap().state.clone();
    update(
        &mut state,
        Msg::Paste("https://login.salesforce.com/services/oauth2/success?code=aPrx1%3D%3D&state=other".into()),
    );
    assert_eq!(state.step, Step::AUTHORIZE);
    assert!(state.authorize.paste_error.as_deref().unwrap().contains("state"));
    state.authorize.paste.clear();
    let url = format!("https://login.salesforce.com/services/oauth2/success?code=aPrx1%3D%3D&state={request_state}");
    let commands = update(&mut state, Msg::Paste(url.into())).commands;
    assert_eq!(state.step, Step::VERIFY);
    match commands.first() {
        Some(Command::Exchange { code, verifier, .. }) => {
            assert_eq!(code.expose(), "aPrx1==");
            assert!(verifier.is_some(), "PKCE verifier goes with the exchange");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn tab_switches_to_the_device_flow() {
    let mut state = new_state();
    to_authorize(&mut state);
    let commands = act(&mut state, Action::FocusNext);
    assert!(commands.iter().any(|c| matches!(c, Command::StartDevice { .. })), "{commands:?}");
}

/// Found by walking it in tmux: the device code arrived after its polling was stopped, was shown, and
/// blocked a new start, so nobody polled. A late code is dropped; a listener that reports after it was
/// stopped stays stopped.
#[test]
fn a_device_code_that_arrives_after_leaving_the_step_is_dropped() {
    use sfconnect::wizard::steps::authorize::{DeviceStatus, ListenerStatus};
    let mut state = new_state();
    to_authorize(&mut state);
    act(&mut state, Action::FocusNext); // device: started
    let commands = act(&mut state, Action::Back); // left the step before the code came
    assert!(commands.iter().any(|c| matches!(c, Command::StopDevice)), "{commands:?}");
    let late = device_view("LATE1234");
    update(&mut state, Msg::DeviceStarted(Ok(late)));
    assert_eq!(state.authorize.device, DeviceStatus::Idle, "the stale code is not shown");
    act(&mut state, Action::Next); // back to authorize, on the device tab
    assert_eq!(state.step, Step::AUTHORIZE);
    // The same for the listener: one stopped before it reported stays stopped, and going back starts one.
    act(&mut state, Action::FocusNext); // local browser
    act(&mut state, Action::FocusNext); // paste-back: the listener was stopped
    update(&mut state, Msg::ListenerReady(Ok(1717)));
    assert_eq!(state.authorize.listener, ListenerStatus::Idle);
    let commands = act(&mut state, Action::FocusPrev);
    assert!(commands.iter().any(|c| matches!(c, Command::StartListener { .. })), "{commands:?}");
}

/// From a new-user trial: coming back to the device tab made a new code, so the one already typed on a
/// phone stopped working. The device login now goes on across tabs and stops when the step is left.
#[test]
fn the_device_login_goes_on_across_tabs() {
    use sfconnect::wizard::steps::authorize::DeviceStatus;
    let mut state = new_state();
    to_authorize(&mut state);
    act(&mut state, Action::FocusNext);
    let view = device_view("KEEP1234");
    update(&mut state, Msg::DeviceStarted(Ok(view)));
    let commands = act(&mut state, Action::FocusNext);
    assert!(!commands.iter().any(|c| matches!(c, Command::StopDevice)), "{commands:?}");
    let commands = act(&mut state, Action::FocusPrev);
    assert!(!commands.iter().any(|c| matches!(c, Command::StartDevice { .. })), "no new code: {commands:?}");
    assert!(matches!(&state.authorize.device, DeviceStatus::Polling { view, .. } if view.user_code == "KEEP1234"));
    // Approved while the paste-back tab shows: on to the verification all the same.
    act(&mut state, Action::FocusPrev);
    let commands = update(&mut state, Msg::Authorized(Ok(grant(true)))).commands;
    assert_eq!(state.step, Step::VERIFY);
    assert!(commands.iter().any(|c| matches!(c, Command::StopDevice)), "leaving the step stops it: {commands:?}");
}

#[test]
fn verify_keeps_the_token_and_sends_errors_to_the_step_that_fixes_them() {
    let mut state = new_state();
    to_authorize(&mut state);
    update(
        &mut state,
        Msg::Authorized(Err(Error::OAuth(OAuthError {
            status: 400,
            code: "invalid_client".into(),
            description: None,
        }))),
    );
    match &state.verify.status {
        VerifyStatus::Failed { back_to, .. } => assert_eq!(*back_to, Step::CREDENTIALS),
        other => panic!("{other:?}"),
    }
    update(&mut state, Msg::Authorized(Ok(grant(false))));
    match &state.verify.status {
        VerifyStatus::Failed { back_to, headline, .. } => {
            assert_eq!(*back_to, Step::SCOPES);
            assert!(headline.contains("no refresh token"));
        }
        other => panic!("{other:?}"),
    }
    let commands = update(&mut state, Msg::Authorized(Ok(grant(true)))).commands;
    assert!(commands.iter().any(|c| matches!(c, Command::Verify { .. })));
    assert!(state.result.settings.is_some(), "the settings exist before the proof finishes");
    update(
        &mut state,
        Msg::Verified(Ok(Verified {
            username: "admin@acme.com".into(),
            org_name: "Acme".into(),
            edition: "Enterprise Edition".into(),
            is_sandbox: false,
            rotated: Some(RefreshToken::new("5Aep861rotated")),
        })),
    );
    assert!(
        matches!(&state.verify.status, VerifyStatus::Done { connected_as } if connected_as.contains("admin@acme.com"))
    );
    assert_eq!(
        state.result.settings.as_ref().unwrap().refresh_token.expose(),
        "5Aep861rotated",
        "a rotated token replaces the old"
    );
    let commands = act(&mut state, Action::Next);
    assert_eq!(state.step, Step::CHECKS);
    assert!(commands.iter().any(|c| matches!(c, Command::RunChecks { .. })), "the checks start on entry");
    act(&mut state, Action::Next);
    assert_eq!(state.step, Step::RESULT, "Enter skips checks still running: they advise, they do not gate");
}

#[test]
fn saving_never_replaces_without_a_second_press() {
    let mut state = new_state();
    to_authorize(&mut state);
    update(&mut state, Msg::Authorized(Ok(grant(true))));
    state.step = Step::RESULT;
    state.result.output = Some("/tmp/x.json".into());
    let commands = act(&mut state, Action::Save);
    assert!(matches!(commands.first(), Some(Command::Save { overwrite: Overwrite::Never, create_folder: false, .. })));
    // Quitting with settings not yet saved asks first: the refresh token exists nowhere else.
    act(&mut state, Action::Quit);
    assert_eq!(state.mode, Mode::ConfirmQuit);
    update(&mut state, Msg::Char('n'));
    update(
        &mut state,
        Msg::Saved(Err(sfconnect::wizard::msg::SaveFailure {
            exists: true,
            message: "A file is already there.".into(),
        })),
    );
    assert!(state.toast.as_ref().and_then(|t| t.said()).unwrap().contains("w again"));
    let commands = act(&mut state, Action::Save);
    assert!(matches!(commands.first(), Some(Command::Save { overwrite: Overwrite::Replace, .. })));
    update(&mut state, Msg::Saved(Ok("/tmp/x.json".into())));
    act(&mut state, Action::Quit);
    assert_eq!(state.mode, Mode::Quit, "saved: quits at once");
    state.mode = Mode::Running;
    // Copying a secret row marks it as a secret.
    state.result.cursor = 1;
    let commands = act(&mut state, Action::Copy);
    assert!(matches!(commands.first(), Some(Command::Copy { secret: true, .. })));
}

#[test]
fn company_names_must_be_domains_and_esc_cancels() {
    let mut state = new_state();
    to_authorize(&mut state);
    update(&mut state, Msg::Authorized(Ok(grant(true))));
    state.step = Step::RESULT;
    let row = sfconnect::wizard::steps::result::rows(&state)
        .iter()
        .position(|r| r.key == sfconnect::presets::SettingsKey::CompanyNames)
        .unwrap();
    state.result.cursor = row;
    act(&mut state, Action::Edit);
    assert!(state.result.editing_company, "no preview: the names are typed");
    type_text(&mut state, "acme.com, https://example.org");
    act(&mut state, Action::Next);
    assert!(state.result.editing_company, "a URL is refused, the edit stays open");
    assert!(state.toast.as_ref().and_then(|t| t.said()).unwrap().contains("`https://example.org` is not a domain"));
    act(&mut state, Action::Back);
    assert!(!state.result.editing_company);
    assert_eq!(state.result.settings.as_ref().unwrap().company_names, vec!["*".to_string()], "Esc cancels");
    act(&mut state, Action::Edit);
    act(&mut state, Action::ClearField);
    type_text(&mut state, "acme.com,acme.co.uk");
    act(&mut state, Action::Next);
    assert_eq!(
        state.result.settings.as_ref().unwrap().company_names,
        vec!["acme.com".to_string(), "acme.co.uk".to_string()]
    );
}

#[test]
fn quitting_asks_once_something_was_typed() {
    let mut state = new_state();
    act(&mut state, Action::Quit);
    assert_eq!(state.mode, Mode::Quit, "nothing typed: quits at once");
    let mut state = new_state();
    act(&mut state, Action::Down);
    act(&mut state, Action::Quit);
    assert_eq!(state.mode, Mode::ConfirmQuit);
    update(&mut state, Msg::Char('n'));
    assert_eq!(state.mode, Mode::Running);
    act(&mut state, Action::Interrupt);
    update(&mut state, Msg::Char('y'));
    assert_eq!(state.mode, Mode::Quit);
}

#[test]
fn messages_and_commands_print_no_secret() {
    let mut state = new_state();
    to_authorize(&mut state);
    let pasted =
        Msg::Paste("https://login.salesforce.com/services/oauth2/success?code=aPrxSECRETCODEVALUE%3D%3D".into());
    assert!(!format!("{pasted:?}").contains("SECRETCODE"), "a pasted redirect prints its length only");
    update(&mut state, Msg::Authorized(Ok(grant(true))));
    state.step = Step::RESULT;
    state.result.cursor = 1;
    let commands = act(&mut state, Action::Copy);
    let shown = format!("{commands:?} {state:?}");
    assert!(!shown.contains(SECRET), "Debug of commands and state never shows the consumer secret");
    assert!(!shown.contains("5Aep861refresh"), "nor the refresh token");
}

/// `--keyring`: the secret is kept when the user moves on, the refresh token when it arrives (and again
/// when rotated), and both are forgotten once the settings are saved.
#[test]
fn with_the_keyring_secrets_are_kept_until_saved() {
    use sfconnect::wizard::msg::KeptSecret;
    let mut state = new_state();
    state.keyring = true;
    to_credentials(&mut state);
    update(&mut state, Msg::Paste(KEY.into()));
    act(&mut state, Action::FocusNext);
    update(&mut state, Msg::Paste(SECRET.into()));
    let commands = act(&mut state, Action::Next);
    let kept = commands.iter().find_map(|c| match c {
        Command::Keep { client_id, secret: KeptSecret::ClientSecret(s) } => {
            Some((client_id.clone(), s.expose().to_string()))
        }
        _ => None,
    });
    assert_eq!(kept, Some((KEY.to_string(), SECRET.to_string())));
    update(
        &mut state,
        Msg::Probe(Ok(ProbeUpdate { readiness: Readiness::Ready { secret_checked: true }, attempts: 1 })),
    );
    let commands = update(&mut state, Msg::Authorized(Ok(grant(true)))).commands;
    assert!(commands.iter().any(
        |c| matches!(c, Command::Keep { secret: KeptSecret::RefreshToken(t), .. } if t.expose() == "5Aep861refresh")
    ));
    let rotated = Verified {
        username: "admin@acme.com".into(),
        org_name: "Acme".into(),
        edition: "Enterprise Edition".into(),
        is_sandbox: false,
        rotated: Some(RefreshToken::new("5Aep861rotated")),
    };
    let commands = update(&mut state, Msg::Verified(Ok(rotated))).commands;
    assert!(commands.iter().any(
        |c| matches!(c, Command::Keep { secret: KeptSecret::RefreshToken(t), .. } if t.expose() == "5Aep861rotated")
    ));
    let commands = update(&mut state, Msg::Saved(Ok("/tmp/settings.json".into()))).commands;
    assert!(matches!(commands.as_slice(), [Command::ForgetKept { client_id }] if client_id == KEY));
}

#[test]
fn without_the_keyring_nothing_is_kept() {
    let mut state = new_state();
    to_propagation(&mut state);
    update(
        &mut state,
        Msg::Probe(Ok(ProbeUpdate { readiness: Readiness::Ready { secret_checked: true }, attempts: 1 })),
    );
    let commands = update(&mut state, Msg::Authorized(Ok(grant(true)))).commands;
    assert!(!commands.iter().any(|c| matches!(c, Command::Keep { .. })));
    let commands = update(&mut state, Msg::Saved(Ok("/tmp/settings.json".into()))).commands;
    assert!(commands.is_empty());
}

/// A resumed session with kept secrets: past the secret, a kept refresh token replaces the
/// authorization; without one, back to authorize; starting over forgets the keyring copy.
#[test]
fn resuming_with_kept_secrets_skips_what_they_cover() {
    use sfconnect::salesforce::ClientSecret;
    use sfconnect::wizard::msg::KeptSecrets;
    use sfconnect::wizard::progress::Progress;
    use sfconnect::wizard::state::ResumeOffer;
    let wall = std::time::SystemTime::now();
    let offer = |step: Step, token: bool| {
        let mut earlier = new_state();
        earlier.keyring = true;
        to_authorize(&mut earlier);
        earlier.step = step;
        let mut state = new_state();
        state.resume = Some(ResumeOffer {
            progress: Progress::from_state(&earlier, wall),
            offered_wall: wall,
            offered_at: state.now,
            kept: KeptSecrets {
                client_secret: Some(ClientSecret::new(SECRET)),
                refresh_token: token.then(|| RefreshToken::new("5Aep861kept")),
                error: None,
            },
        });
        state
    };

    let mut state = offer(Step::CHECKS, true);
    let commands = update(&mut state, Msg::Char('y')).commands;
    assert_eq!(state.step, Step::VERIFY);
    assert!(state.keyring, "a resumed keyring session keeps using it");
    assert_eq!(state.credentials.secret.value(), SECRET);
    assert!(
        matches!(commands.first(), Some(Command::RefreshKept { refresh_token, .. }) if refresh_token.expose() == "5Aep861kept")
    );
    // The refresh answers like an exchange: on to the proof, as after a new authorization, then on to
    // the step the session stopped at.
    let commands = update(&mut state, Msg::Authorized(Ok(grant(true)))).commands;
    assert!(commands.iter().any(|c| matches!(c, Command::Verify { .. })));
    update(&mut state, Msg::Verified(Ok(verified())));
    assert_eq!(state.step, Step::CHECKS, "back where it stopped");

    let mut state = offer(Step::RESULT, false);
    update(&mut state, Msg::Char('y'));
    assert_eq!(state.step, Step::AUTHORIZE, "no kept token: authorize again, the secret is back");
    assert_eq!(state.credentials.secret.value(), SECRET);

    let mut state = offer(Step::AUTHORIZE, true);
    update(&mut state, Msg::Char('y'));
    assert_eq!(state.step, Step::AUTHORIZE, "before the exchange, the secret alone takes it back where it was");

    let mut state = offer(Step::AUTHORIZE, true);
    let commands = update(&mut state, Msg::Char('n')).commands;
    assert!(commands.iter().any(|c| matches!(c, Command::ForgetKept { client_id } if client_id == KEY)));
    assert!(commands.iter().any(|c| matches!(c, Command::ForgetProgress)));
}

/// Found in a new-user trial: Esc on the Resume prompt started over and forgot the saved progress. Esc
/// closes every other popup, so there it resumes; only n forgets.
#[test]
fn esc_on_the_resume_prompt_resumes_and_forgets_nothing() {
    use sfconnect::wizard::progress::Progress;
    use sfconnect::wizard::state::ResumeOffer;
    let wall = std::time::SystemTime::now();
    let mut earlier = new_state();
    to_authorize(&mut earlier);
    let mut state = new_state();
    state.resume = Some(ResumeOffer {
        progress: Progress::from_state(&earlier, wall),
        offered_wall: wall,
        offered_at: state.now,
        kept: Default::default(),
    });
    let commands = update(&mut state, Msg::Action(Action::Back)).commands;
    assert!(state.resume.is_none(), "the prompt is answered");
    assert!(
        !commands.iter().any(|c| matches!(c, Command::ForgetProgress | Command::ForgetKept { .. })),
        "{commands:?}"
    );
    assert_eq!(state.step, Step::CREDENTIALS, "on to paste the secret again, as y does");
    assert_eq!(state.credentials.key.value(), KEY, "the entries are kept");
}

#[test]
fn a_secret_left_on_the_clipboard_is_cleared_with_a_word() {
    let mut state = new_state();
    to_credentials(&mut state);
    let commands = update(&mut state, Msg::SecretCopyExpired("Client secret".into())).commands;
    assert!(matches!(commands.as_slice(), [Command::ClearClipboard]), "{commands:?}");
    let toast = state.toast.as_ref().and_then(|t| t.said()).unwrap_or_default();
    assert_eq!(toast, "Client secret cleared from the clipboard, 60 s after it was copied.");
}

/// From a new-user trial: Esc on a working token went back to authorize at once and the token was
/// dropped. Now the first Esc says what going back means; the second goes.
#[test]
fn going_back_from_a_working_token_asks_first() {
    let mut state = new_state();
    to_authorize(&mut state);
    update(&mut state, Msg::Authorized(Ok(grant(true))));
    update(&mut state, Msg::Verified(Ok(verified())));
    act(&mut state, Action::Back);
    assert_eq!(state.step, Step::VERIFY, "one Esc only warns");
    let said = |t: &sfconnect::wizard::state::Toast| {
        sfconnect::keymap::fill(t.said().unwrap_or_default(), sfconnect::keymap::Context::Browse).contains("Esc again")
    };
    assert!(state.toast.as_ref().is_some_and(said), "{:?}", state.toast);
    act(&mut state, Action::Next);
    assert_eq!(state.step, Step::CHECKS, "Enter goes on, and forgets the Esc");
    act(&mut state, Action::Back);
    assert_eq!(state.step, Step::VERIFY);
    act(&mut state, Action::Back);
    assert_eq!(state.step, Step::VERIFY, "a fresh first Esc warns again");
    act(&mut state, Action::Back);
    assert_eq!(state.step, Step::AUTHORIZE);
}

/// Tokens from the device flow prove the app has it enabled: the checks are told so.
#[test]
fn the_checks_hear_that_the_device_flow_was_used() {
    let mut state = new_state();
    to_authorize(&mut state);
    act(&mut state, Action::FocusNext);
    update(&mut state, Msg::DeviceAuthorized(Ok(grant(true))));
    update(&mut state, Msg::Verified(Ok(verified())));
    let commands = act(&mut state, Action::Next);
    assert_eq!(state.step, Step::CHECKS);
    assert!(commands.iter().any(|c| matches!(c, Command::RunChecks { device_flow_used: true, .. })), "{commands:?}");
}

/// The token works but the proof failed (API access off, say): Enter goes on to the checks, which say
/// what is wrong with the org and how to fix it, rather than straight to the settings.
#[test]
fn after_a_failed_proof_the_checks_explain_it() {
    let mut state = new_state();
    to_authorize(&mut state);
    update(&mut state, Msg::Authorized(Ok(grant(true))));
    let api_off = Error::Rest(sfconnect::salesforce::errors::RestError {
        status: 403,
        code: "API_DISABLED_FOR_ORG".into(),
        message: "The REST API is not enabled for this Organization.".into(),
    });
    update(&mut state, Msg::Verified(Err(api_off)));
    assert!(matches!(state.verify.status, VerifyStatus::Failed { can_retry: true, .. }));
    let commands = act(&mut state, Action::Next);
    assert_eq!(state.step, Step::CHECKS);
    assert!(commands.iter().any(|c| matches!(c, Command::RunChecks { .. })), "{commands:?}");
}

/// From a security review: with --keyring, going back and changing the consumer key left the first
/// key's secret in the keyring after the save. Every key something was kept under is forgotten.
#[test]
fn every_key_kept_under_is_forgotten_on_save() {
    let mut state = new_state();
    state.keyring = true;
    to_credentials(&mut state);
    update(&mut state, Msg::Paste(KEY.into()));
    act(&mut state, Action::FocusNext);
    update(&mut state, Msg::Paste(SECRET.into()));
    act(&mut state, Action::Next);
    act(&mut state, Action::Back); // back to the credentials: another key
    let other = format!("{}X", &KEY[..KEY.len() - 1]);
    state.credentials.key.set(&other);
    act(&mut state, Action::Next);
    assert_eq!(state.step, Step::PROPAGATION);
    let commands = update(&mut state, Msg::Saved(Ok("/tmp/settings.json".into()))).commands;
    let forgotten: Vec<&str> = commands
        .iter()
        .filter_map(|c| match c {
            Command::ForgetKept { client_id } => Some(client_id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(forgotten, [KEY, other.as_str()], "{commands:?}");
}

/// From a security review: after changing the org at the start, the wait still said the old org's key
/// was live. The org is part of what the wait is for.
#[test]
fn a_new_org_means_a_new_wait() {
    let mut state = new_state();
    to_propagation(&mut state);
    update(
        &mut state,
        Msg::Probe(Ok(ProbeUpdate { readiness: Readiness::Ready { secret_checked: true }, attempts: 1 })),
    );
    assert_eq!(state.step, Step::AUTHORIZE);
    state.start.environment = Environment::Sandbox; // another org, same key and secret
    state.step = Step::CREDENTIALS;
    let commands = act(&mut state, Action::Next);
    assert_eq!(state.step, Step::PROPAGATION, "not straight on to authorize with the old answer");
    assert!(commands.iter().any(|c| matches!(c, Command::StartProbe { .. })), "{commands:?}");
}

/// A denied device login, then Esc on the verify step: back on the Device code tab with a new code
/// coming, not on the recommended Paste back tab (a new-user trial lost its place there).
#[test]
fn authorizing_again_after_a_denied_device_login_stays_on_the_device_tab() {
    use sfconnect::wizard::steps::authorize::Method;
    let mut state = new_state();
    to_authorize(&mut state);
    act(&mut state, Action::FocusNext);
    assert_eq!(state.authorize.method, Method::Device);
    update(&mut state, Msg::DeviceStarted(Ok(device_view("ABCD-EFGH"))));
    let denied = Error::OAuth(OAuthError {
        status: 400,
        code: "access_denied".into(),
        description: Some("end-user denied authorization".into()),
    });
    update(&mut state, Msg::DeviceAuthorized(Err(denied)));
    assert_eq!(state.step, Step::VERIFY);
    let commands = act(&mut state, Action::Back);
    assert_eq!(state.step, Step::AUTHORIZE);
    assert_eq!(state.authorize.method, Method::Device, "the method used stays");
    assert!(commands.iter().any(|c| matches!(c, Command::StartDevice { .. })), "a new code is asked for: {commands:?}");
}
