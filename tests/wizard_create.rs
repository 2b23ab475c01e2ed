//! "Create it for me" on the create step (issue 13 item 6): the wizard's state and commands, with the
//! runtime's creation task run for real against the simulator over HTTP, so each refusal is the one
//! Salesforce's answer leads to: its sentence and fix on screen, and the way on the screen offers.

use crate::common;
use crate::ui_support;

use common::*;
use sfconnect::salesforce::eca::create::CreateEvent;
use sfconnect::wizard::msg::{CreateRefusal, OfferedSession, SessionChoice, SessionOffer, WayOn};
use sfconnect::wizard::steps::create_app::creation::Phase;
use sfconnect::wizard::steps::create_app::{ROWS, Row, app_name_of};
use sfconnect::wizard::{Action, Command, Msg, Step, update};
use sfconnect_sim::{MetadataConfig, OrgFixture, PERMISSION_FIELDS, PermissionSetFixture, SimConfig, Simulator};
use ui_support::{Wizard, ssh};

fn config(metadata: MetadataConfig) -> SimConfig {
    SimConfig { metadata: MetadataConfig { deploy_polls: 0, ..metadata }, ..quick_config() }
}

/// The wizard on the create step for the org at `base_url`, the generic target chosen.
fn on_create_step(base_url: &str) -> Wizard {
    let mut w = Wizard::new(ssh());
    w.state.start.preset_index = w.state.presets.iter().position(|p| p.id == "generic").unwrap();
    w.state.apply_preset();
    w.state.start.set_login_url(base_url);
    w.act(Action::Next).act(Action::Next);
    assert_eq!(w.state.step, Step::CREATE_APP);
    w
}

/// Ctrl-N, no session found, a pasted token: the command the runtime gets.
fn paste_token(w: &mut Wizard, token: &str) -> Command {
    let found = update(&mut w.state, Msg::Action(Action::CreateForMe));
    assert!(matches!(found.commands.as_slice(), [Command::FindSessions { .. }]), "{:?}", found.commands);
    w.send(Msg::SessionsFound(Vec::new()));
    assert_eq!(w.state.create_app.for_me.phase, Phase::Pick);
    w.act(Action::Next);
    assert_eq!(w.state.create_app.for_me.phase, Phase::Paste);
    w.send(Msg::Paste(token.into()));
    let mut started = update(&mut w.state, Msg::Action(Action::Next));
    assert_eq!(started.commands.len(), 1, "{:?}", started.commands);
    started.commands.remove(0)
}

/// Runs the runtime's creation task for `command` and feeds its progress and end to the wizard, as the
/// runtime does; returns the progress seen and the last update.
async fn run(w: &mut Wizard, command: Command) -> (Vec<CreateEvent>, sfconnect::wizard::Update) {
    let Command::CreateApp { host, session, app } = command else { panic!("not a creation: {command:?}") };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let http = sfconnect::salesforce::http::build_http_client().expect("the one HTTP client builds");
    let result = sfconnect::runtime::create_app::create_for_wizard(http, host, session, *app, None, tx).await;
    let mut events = Vec::new();
    while let Ok(msg) = rx.try_recv() {
        if let Msg::CreateProgress(event) = &msg {
            events.push(event.clone());
        }
        update(&mut w.state, msg);
    }
    let last = update(&mut w.state, Msg::CreateFinished(result));
    (events, last)
}

fn refusal(w: &Wizard) -> CreateRefusal {
    match &w.state.create_app.for_me.phase {
        Phase::Failed(refusal) => refusal.clone(),
        other => panic!("expected a refusal, the phase is {other:?}"),
    }
}

async fn admin_token(sim: &Simulator) -> String {
    sim.admin_session()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pasted_session_creates_the_app_and_the_wizard_goes_on_to_the_wait() {
    let sim = start(config(MetadataConfig::default())).await;
    let old_key = sim.client_id();
    let mut w = on_create_step(&sim.base_url());
    let token = admin_token(&sim).await;
    let command = paste_token(&mut w, &token);
    assert!(w.state.create_app.for_me.token.is_empty(), "the pasted token leaves the state with the command");
    assert!(!format!("{:?}{command:?}", w.state).contains(&token), "no token in the state or the command's Debug");
    assert!(matches!(w.state.create_app.for_me.phase, Phase::Running { .. }));

    let (events, last) = run(&mut w, command).await;
    assert!(events.contains(&CreateEvent::Validating) && events.contains(&CreateEvent::Deploying), "{events:?}");
    let new_key = sim.client_id();
    assert_ne!(new_key, old_key, "the simulator serves the app the wizard created");
    assert_eq!(w.state.step, Step::PROPAGATION, "on to the wait");
    assert_eq!(w.state.credentials.key.value(), new_key);
    assert_eq!(w.state.credentials.secret.value(), sim.client_secret());
    let probe = last.commands.iter().find_map(|c| match c {
        Command::StartProbe { app, .. } => Some(app.client_id.clone()),
        _ => None,
    });
    assert_eq!(probe.as_deref(), Some(new_key.as_str()), "the wait probes the new key: {:?}", last.commands);
    let deployed = sim.deployed_apps();
    assert_eq!(deployed.len(), 1);
    assert_eq!(app_name_of(&w.state), deployed[0].name, "the settings record the app's API name");
    assert_eq!(w.state.create_app.name.value(), deployed[0].name, "and a resumed session keeps it");
    assert_eq!(w.state.create_app.kind.id(), "external_client_app");
    assert_eq!(w.state.scopes.set_on_app.as_deref(), Some(deployed[0].name.as_str()), "scopes step done");
    assert!(w.joined(80, 24).contains("Created"), "{}", w.joined(80, 24));

    // Going back shows the scopes and the create step as done.
    w.act(Action::Back);
    assert!(w.joined(80, 24).contains("Filled in from"), "{}", w.joined(80, 24));
    w.act(Action::Back);
    assert!(w.joined(80, 24).contains("Done: sfconnect created"), "{}", w.joined(80, 24));
    w.act(Action::Back);
    assert!(w.joined(80, 24).contains("sfconnect created"), "{}", w.joined(80, 24));
}

#[tokio::test(flavor = "multi_thread")]
async fn each_refusal_gives_its_sentence_and_a_way_on() {
    let sim = start(config(MetadataConfig::default())).await;
    let token = admin_token(&sim).await;
    let mut w = on_create_step(&sim.base_url());
    w.state.create_app.email.set("admin@acme.com");
    let typed_name = app_name_of(&w.state);

    // A refused session: pick or paste another.
    let command = paste_token(&mut w, "00Dnot!avalidtoken");
    run(&mut w, command).await;
    let r = refusal(&w);
    assert_eq!(r.way_on, WayOn::AnotherSession, "{r:?}");
    assert!(r.headline.contains("refused the session") && r.fix.contains("show-access-token"), "{r:?}");
    let screen = w.joined(80, 24);
    assert!(screen.contains("refused the session") && screen.contains("Fix:"), "{screen}");
    w.act(Action::Next);
    assert_eq!(w.state.create_app.for_me.phase, Phase::Pick, "Enter leads to another session");
    w.act(Action::Back);

    // The name is taken: type another.
    let api_name = sfconnect::wizard::steps::create_app::api_name(&typed_name);
    sim.set_config(|c| c.metadata.existing_apps = vec![api_name.clone()]);
    let command = paste_token(&mut w, &token);
    run(&mut w, command).await;
    let r = refusal(&w);
    assert_eq!(r.way_on, WayOn::AnotherName, "{r:?}");
    assert!(r.headline.contains(&api_name) && r.fix.contains("another App name"), "{r:?}");
    w.act(Action::Next);
    assert_eq!(w.state.create_app.for_me.phase, Phase::Off);
    assert_eq!(ROWS[w.state.create_app.cursor], Row::Name, "the cursor waits on the name");
    sim.set_config(|c| c.metadata.existing_apps.clear());

    // External Client Apps are off in the org: the click-through, every value still there.
    sim.set_config(|c| c.metadata.eca_allowed = false);
    let command = paste_token(&mut w, &token);
    run(&mut w, command).await;
    let r = refusal(&w);
    assert_eq!(r.way_on, WayOn::ClickThrough, "{r:?}");
    assert!(r.headline.contains("External Client Apps are not enabled"), "{r:?}");
    assert!(r.fix.contains("Allow creation of External Client Apps"), "{r:?}");
    w.act(Action::Next);
    assert_eq!(w.state.create_app.for_me.phase, Phase::Off);
    assert_eq!(w.state.create_app.email.value(), "admin@acme.com");
    assert_eq!(app_name_of(&w.state), typed_name);
    sim.set_config(|c| c.metadata.eca_allowed = true);

    // The user may not deploy metadata: the click-through.
    sim.set_config(|c| c.org = org_without_metadata_permission());
    let command = paste_token(&mut w, &token);
    run(&mut w, command).await;
    let r = refusal(&w);
    assert_eq!(r.way_on, WayOn::ClickThrough, "{r:?}");
    assert!(r.headline.contains("may not deploy metadata"), "{r:?}");
    assert!(r.fix.contains("Modify Metadata Through Metadata API Functions"), "{r:?}");
    w.act(Action::Back);
    assert_eq!(w.state.create_app.for_me.phase, Phase::Off, "Esc is the click-through");

    // An edition without the Metadata API: the click-through.
    sim.set_config(|c| c.org = OrgFixture { edition: "Professional Edition".into(), ..OrgFixture::default() });
    let command = paste_token(&mut w, &token);
    run(&mut w, command).await;
    let r = refusal(&w);
    assert_eq!(r.way_on, WayOn::ClickThrough, "{r:?}");
    assert!(r.headline.contains("Professional Edition has no Metadata API"), "{r:?}");

    assert!(sim.deployed_apps().is_empty(), "no refusal created anything");
    assert_eq!(w.state.step, Step::CREATE_APP);
}

/// An org whose admin lacks both metadata permissions.
fn org_without_metadata_permission() -> OrgFixture {
    let mut org = OrgFixture::default();
    let user = org.user.clone();
    org.permission_sets =
        vec![
            PermissionSetFixture::for_profile(&user.profile_id, &user.profile_name).granting(
                PERMISSION_FIELDS
                    .iter()
                    .filter(|p| !matches!(**p, "PermissionsModifyMetadata" | "PermissionsModifyAllData")),
            ),
        ];
    org
}

#[tokio::test(flavor = "multi_thread")]
async fn an_org_keeping_its_secret_leads_to_the_secret_field_with_where_to_copy_it() {
    let metadata = MetadataConfig { supplied_secret_refused: true, secrets_via_rest: false, ..Default::default() };
    let sim = start(config(metadata)).await;
    let mut w = on_create_step(&sim.base_url());
    let command = paste_token(&mut w, &admin_token(&sim).await);
    let (events, _) = run(&mut w, command).await;
    assert!(events.contains(&CreateEvent::SecretRefusedRetryingWithout), "{events:?}");
    assert_eq!(w.state.step, Step::CREDENTIALS);
    assert_eq!(w.state.credentials.key.value(), sim.client_id());
    assert!(w.state.credentials.secret.is_empty());
    assert_eq!(w.state.credentials.focus, sfconnect::wizard::steps::credentials::CredFocus::Secret);
    let toast = w.state.toast.clone().expect("a warning");
    let sfconnect::wizard::state::Toast::Said { text, error } = &toast else { panic!("{toast:?}") };
    assert!(*error && text.contains("External Client App Manager"), "{toast:?}");
}

#[test]
fn a_found_session_is_offered_and_used_again_on_try_again() {
    let mut w = on_create_step("https://acme.my.salesforce.com");
    update(&mut w.state, Msg::Action(Action::CreateForMe));
    let offer = SessionOffer {
        source: OfferedSession::SfAlias("acme".into()),
        label: "Salesforce CLI login acme (admin@acme.com)".into(),
        detail: "https://acme.my.salesforce.com".into(),
    };
    w.send(Msg::SessionsFound(vec![offer]));
    assert!(w.joined(80, 24).contains("Salesforce CLI login acme"), "{}", w.joined(80, 24));
    let started = update(&mut w.state, Msg::Action(Action::Next));
    let [Command::CreateApp { session: SessionChoice::Offered(OfferedSession::SfAlias(alias)), app, .. }] =
        started.commands.as_slice()
    else {
        panic!("{:?}", started.commands)
    };
    assert_eq!(alias, "acme");
    assert_eq!(app.api_name, sfconnect::wizard::steps::create_app::api_name(&app_name_of(&w.state)));
    assert!(app.callbacks.iter().any(|c| c.ends_with("/services/oauth2/success")), "{:?}", app.callbacks);
    assert!(app.callbacks.iter().any(|c| c.starts_with("http://localhost:")), "{:?}", app.callbacks);
    assert_eq!(app.scopes, vec!["api", "refresh_token", "offline_access"]);
    let refused = CreateRefusal { headline: "timed out".into(), fix: "try again".into(), way_on: WayOn::TryAgain };
    w.send(Msg::CreateFinished(Err(refused)));
    let again = update(&mut w.state, Msg::Action(Action::Retry));
    assert!(
        matches!(again.commands.as_slice(), [Command::CreateApp { session: SessionChoice::Offered(OfferedSession::SfAlias(a)), .. }] if a == "acme"),
        "{:?}",
        again.commands
    );
}

#[test]
fn esc_stops_before_the_deploy_and_asks_first_once_it_runs() {
    let mut w = on_create_step("https://acme.my.salesforce.com");
    paste_token(&mut w, "00D5g000004Xq2B!AQ0AQ.token");
    w.send(Msg::CreateProgress(CreateEvent::Validating));
    let stopped = update(&mut w.state, Msg::Action(Action::Back));
    assert!(matches!(stopped.commands.as_slice(), [Command::StopCreate]), "{:?}", stopped.commands);
    assert_eq!(w.state.create_app.for_me.phase, Phase::Pick);
    assert!(w.state.toast.as_ref().and_then(|t| t.said()).is_some_and(|t| t.contains("nothing was created")));

    w.act(Action::Next).send(Msg::Paste("00D5g000004Xq2B!AQ0AQ.token".into())).act(Action::Next);
    w.send(Msg::CreateProgress(CreateEvent::Deploying));
    let asked = update(&mut w.state, Msg::Action(Action::Back));
    assert!(asked.commands.is_empty(), "the first Esc during the deploy only asks");
    assert!(w.joined(80, 24).contains("may still be created"), "{}", w.joined(80, 24));
    w.act(Action::Next);
    assert!(matches!(w.state.create_app.for_me.phase, Phase::Running { asking_stop: false, .. }), "kept waiting");
    w.act(Action::Back);
    let stopped = update(&mut w.state, Msg::Action(Action::Back));
    assert!(matches!(stopped.commands.as_slice(), [Command::StopCreate]), "{:?}", stopped.commands);
    assert_eq!(w.state.create_app.for_me.phase, Phase::Stopped);
    assert!(w.joined(80, 24).contains("Deployment Status"), "{}", w.joined(80, 24));
}

#[test]
fn a_token_can_be_pasted_without_waiting_for_the_search() {
    let mut w = on_create_step("https://acme.my.salesforce.com");
    update(&mut w.state, Msg::Action(Action::CreateForMe));
    assert_eq!(w.state.create_app.for_me.phase, Phase::Finding);
    w.act(Action::Next);
    assert_eq!(w.state.create_app.for_me.phase, Phase::Paste);
    // The search's answer, arriving late, does not take the screen away from the field.
    w.send(Msg::SessionsFound(Vec::new()));
    assert_eq!(w.state.create_app.for_me.phase, Phase::Paste);
}

#[test]
fn a_pasted_token_is_checked_before_it_is_used() {
    let mut w = on_create_step("https://acme.my.salesforce.com");
    update(&mut w.state, Msg::Action(Action::CreateForMe));
    w.send(Msg::SessionsFound(Vec::new())).act(Action::Next);
    let empty = update(&mut w.state, Msg::Action(Action::Next));
    assert!(empty.commands.is_empty());
    assert!(w.state.create_app.for_me.token_error.as_deref().is_some_and(|e| e.contains("Paste")));
    w.send(Msg::Paste("00D5g!AQ0 tail".into()));
    let spaced = update(&mut w.state, Msg::Action(Action::Next));
    assert!(spaced.commands.is_empty());
    assert!(w.joined(80, 24).contains("space"), "{}", w.joined(80, 24));
    assert!(!w.joined(80, 24).contains("AQ0"), "the token stays masked");
    assert!(w.joined(80, 24).contains("show-access-token"), "where to get one");
}

/// An earlier settings file of this org, with the api scope, is found in the data folder and offered; a
/// file of another org, or without the api scope, is not. Picking it refreshes its token once and creates
/// the app with it.
#[tokio::test(flavor = "multi_thread")]
async fn an_earlier_settings_file_of_the_org_is_offered_and_creates_the_app() {
    let sim = start(config(MetadataConfig::default())).await;
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, login: &str, scopes: &str, refresh: &str| {
        let json = serde_json::json!({
            "client_id": sim.client_id(), "client_secret": sim.client_secret(), "refresh_token": refresh,
            "login_url": login, "instance_url": login, "scopes": scopes.split(' ').collect::<Vec<_>>(),
        });
        sfconnect::settings::write_settings(
            &dir.path().join(name),
            &json.to_string(),
            sfconnect::settings::Overwrite::Never,
        )
        .unwrap();
    };
    let refresh = authorize_with(&sim, "api refresh_token").await;
    write("sfconnect-settings.json", &sim.base_url(), "api refresh_token", refresh.expose());
    write("sfconnect-other.json", "https://globex.my.salesforce.com", "api refresh_token", refresh.expose());
    write("sfconnect-no-api.json", &sim.base_url(), "refresh_token", refresh.expose());
    let host = sfconnect::salesforce::LoginHost::parse(&sim.base_url()).unwrap();
    let offers = sfconnect::runtime::session_find::settings_files(dir.path(), &host);
    assert_eq!(offers.len(), 1, "{offers:?}");
    assert_eq!(offers[0].source, OfferedSession::SettingsFile(dir.path().join("sfconnect-settings.json")));

    let mut w = on_create_step(&sim.base_url());
    update(&mut w.state, Msg::Action(Action::CreateForMe));
    w.send(Msg::SessionsFound(offers));
    let mut started = update(&mut w.state, Msg::Action(Action::Next));
    let (_, _) = run(&mut w, started.commands.remove(0)).await;
    assert_eq!(w.state.step, Step::PROPAGATION, "{:?}", w.state.create_app.for_me.phase);
    assert_eq!(w.state.credentials.key.value(), sim.client_id());
    let made = w.state.create_app.for_me.made.clone().unwrap();
    assert!(made.session.contains("sfconnect-settings.json"), "{made:?}");
}

/// A token is valid on its org's own domain only: with login.salesforce.com as the org, the paste screen
/// says so before anything is sent, and names the two ways on.
#[test]
fn a_pasted_token_needs_the_orgs_my_domain() {
    let mut w = Wizard::new(ssh());
    w.act(Action::Next).act(Action::Next);
    assert_eq!(w.state.step, Step::CREATE_APP);
    update(&mut w.state, Msg::Action(Action::CreateForMe));
    w.send(Msg::SessionsFound(Vec::new())).act(Action::Next);
    assert!(w.joined(80, 24).contains("works only on its org's own domain"), "{}", w.joined(80, 24));
    w.send(Msg::Paste("00D5g000004Xq2B!AQ0AQ.token".into()));
    let refused = update(&mut w.state, Msg::Action(Action::Next));
    assert!(refused.commands.is_empty(), "{:?}", refused.commands);
    let error = w.state.create_app.for_me.token_error.clone().unwrap_or_default();
    assert!(error.contains("step 1") && error.contains("Salesforce CLI's login"), "{error}");
}
