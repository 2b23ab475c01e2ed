//! Snapshots of every wizard screen at 80x24 (an admin in SSH) and 120x40, driven through
//! `wizard::update` the way the runtime drives it, plus the checks a user would notice: nothing cut off at
//! 80x24, the whole authorize URL on screen, no secret on screen unless revealed, a hint bar that fits.

use crate::ui_support;

use sfconnect::salesforce::errors::OAuthError;
use sfconnect::salesforce::probe::Readiness;
use sfconnect::salesforce::{ClientSecret, Error};
use sfconnect::ui::{Theme, hint_line};
use sfconnect::wizard::msg::DeviceView;
use sfconnect::wizard::state::{DemoApp, Mode};
use sfconnect::wizard::{Action, Msg, Step, Surroundings, steps};
use ui_support::{KEY, REFRESH, SECRET, Wizard, hints, ssh};

/// Snapshots of `w`'s screen at 80x24 and 120x40. The snapshots live next to this file.
fn snap(w: &Wizard, name: &str) {
    for (width, height) in [(80, 24), (120, 40)] {
        let terminal = w.draw(width, height);
        insta::with_settings!({
            filters => vec![
                (r"state=[A-Za-z0-9_-]+", "state=[STATE]"),
                (r"code_challenge=[A-Za-z0-9_-]+", "code_challenge=[CHALLENGE]"),
            ],
            snapshot_suffix => format!("{width}x{height}"),
        }, {
            insta::assert_snapshot!(name, terminal.backend());
        });
    }
}

#[test]
fn start() {
    let mut w = Wizard::new(ssh());
    snap(&w, "01_start");
    w.assert_fits_80x24("start");
    w.act(Action::FocusNext).act(Action::Down).act(Action::Down).type_text("not a url");
    w.act(Action::Next);
    assert!(w.state.start.error.is_some());
    snap(&w, "01_start_my_domain_error");
    w.assert_fits_80x24("start with my domain error");
}

#[test]
fn prerequisites() {
    let mut w = Wizard::new(ssh());
    w.act(Action::Next).act(Action::Toggle).act(Action::Down);
    assert_eq!(w.state.step, Step::PREREQUISITES);
    snap(&w, "02_prerequisites");
    w.assert_fits_80x24("prerequisites");
    assert!(w.joined(80, 24).contains("Nothing here blocks you"));
}

#[test]
fn create_app() {
    let mut w = Wizard::new(ssh());
    w.act(Action::Next).act(Action::Next);
    snap(&w, "03_create_app");
    w.assert_fits_80x24("create app");
    w.act(Action::Next);
    assert!(w.state.create_app.error.is_some());
    w.type_text("admin@acme");
    w.act(Action::Next);
    snap(&w, "03_create_app_email_error");
    w.assert_fits_80x24("create app with error");
    w.act(Action::Up).act(Action::Up).act(Action::Up).act(Action::Toggle);
    snap(&w, "03_create_app_connected_app");
    w.assert_fits_80x24("create app, connected app");
}

/// "Create it for me" (issue 13): the sessions found, the masked token with where to get one, the stages
/// with the spinner and time spent, the question before stopping a running deploy, and a refusal with its
/// ways on.
#[test]
fn create_app_for_me() {
    use sfconnect::salesforce::eca::create::CreateEvent;
    use sfconnect::wizard::msg::{CreateRefusal, OfferedSession, SessionOffer, WayOn};
    let mut w = Wizard::new(ssh());
    w.state.start.set_login_url("https://acme.my.salesforce.com");
    w.act(Action::Next).act(Action::Next).act(Action::CreateForMe);
    snap(&w, "03_create_for_me_finding");
    let offers = vec![
        SessionOffer {
            source: OfferedSession::SfAlias("acme".into()),
            label: "Salesforce CLI login acme (admin@acme.com)".into(),
            detail: "https://acme.my.salesforce.com".into(),
        },
        SessionOffer {
            source: OfferedSession::SettingsFile("/home/admin/.local/share/sfconnect/sfconnect-settings.json".into()),
            label: "sfconnect settings sfconnect-settings.json".into(),
            detail: "admin@acme.com on https://acme.my.salesforce.com".into(),
        },
    ];
    w.send(Msg::SessionsFound(offers));
    snap(&w, "03_create_for_me_pick");
    w.assert_fits_80x24("create for me, pick");
    w.act(Action::Down).act(Action::Down).act(Action::Next);
    w.send(Msg::Paste("00D5g000004Xq2B!AQ0AQ.sessiontoken".into()));
    snap(&w, "03_create_for_me_paste");
    w.assert_fits_80x24("create for me, paste");
    assert!(!w.joined(80, 24).contains("AQ0AQ"), "the token is masked");
    w.at(0).act(Action::Next);
    for event in [CreateEvent::Preflight, CreateEvent::Validating, CreateEvent::Deploying] {
        w.send(Msg::CreateProgress(event));
    }
    w.send(Msg::CreateProgress(CreateEvent::Progress { deployed: 2, total: 5 }));
    w.at(7);
    snap(&w, "03_create_for_me_running");
    w.assert_fits_80x24("create for me, running");
    w.act(Action::Back);
    snap(&w, "03_create_for_me_asking_stop");
    w.assert_fits_80x24("create for me, asking to stop");
    w.act(Action::Next);
    w.send(Msg::CreateFinished(Err(CreateRefusal {
        headline: "an External Client App named Snow_Atlas_integration already exists in this org".into(),
        fix: "type another App name on this step and press Ctrl-N again; or, to use that app, go on by the \
              click-through (Esc) and paste its key and secret on step 5"
            .into(),
        way_on: WayOn::AnotherName,
    })));
    snap(&w, "03_create_for_me_refused");
    w.assert_fits_80x24("create for me, refused");
}

/// After "Create it for me": the wait, and going back, the credentials filled in, the scopes done and the
/// create step saying what was made.
#[test]
fn after_create_it_for_me() {
    use sfconnect::salesforce::eca::create::SecretSource;
    use sfconnect::wizard::msg::CreatedApp;
    let mut w = Wizard::new(ssh());
    w.state.start.set_login_url("https://acme.my.salesforce.com");
    w.act(Action::Next).act(Action::Next).act(Action::CreateForMe);
    w.send(Msg::SessionsFound(Vec::new())).act(Action::Next);
    w.send(Msg::Paste("00D5g000004Xq2B!AQ0AQ.sessiontoken".into())).act(Action::Next);
    w.send(Msg::CreateFinished(Ok(Box::new(CreatedApp {
        app_name: "Snow_Atlas_integration".into(),
        client_id: KEY.into(),
        secret: Some(ClientSecret::new(SECRET)),
        secret_source: SecretSource::WrittenAndConfirmed,
        org_name: "Acme".into(),
        session: "the pasted token".into(),
        contact_email: "admin@acme.com".into(),
    }))));
    assert_eq!(w.state.step, Step::PROPAGATION);
    snap(&w, "06_propagation_after_create");
    w.act(Action::Back);
    snap(&w, "05_credentials_after_create");
    assert!(!w.joined(80, 24).contains(SECRET), "the secret stays masked");
    w.act(Action::Back);
    snap(&w, "04_scopes_after_create");
    w.act(Action::Back);
    snap(&w, "03_create_app_after_create");
    w.assert_fits_80x24("create app, after create");
}

#[test]
fn scopes() {
    let mut w = Wizard::new(ssh());
    w.reach_credentials().act(Action::Back);
    assert_eq!(w.state.step, Step::SCOPES);
    snap(&w, "04_scopes");
    // Untick "Perform requests at any time": the red warning shows.
    w.act(Action::Down).act(Action::Down).act(Action::Down).act(Action::Toggle);
    snap(&w, "04_scopes_no_refresh");
    for _ in 0..10 {
        w.act(Action::Down);
    }
    snap(&w, "04_scopes_scrolled");
    let screen = w.joined(80, 24);
    assert!(screen.contains("Without \"Perform requests at any time\""), "{screen}");
}

#[test]
fn credentials() {
    let mut w = Wizard::new(ssh());
    w.reach_credentials();
    snap(&w, "05_credentials_empty");
    w.assert_fits_80x24("credentials");
    w.send(Msg::Paste(KEY.into())).act(Action::FocusNext).send(Msg::Paste(SECRET.into()));
    snap(&w, "05_credentials_masked");
    w.assert_fits_80x24("credentials masked");
    let screen = w.joined(80, 24);
    assert!(!screen.contains(&SECRET[..12]), "the secret is on screen while hidden");
    assert!(screen.contains("64 characters"));
    w.act(Action::Reveal);
    snap(&w, "05_credentials_revealed");
    assert!(w.joined(120, 40).contains(SECRET));
    // Swapped fields: the problems show as typed.
    let mut swapped = Wizard::new(ssh());
    swapped.reach_credentials().send(Msg::Paste(SECRET.into())).act(Action::FocusNext).type_text("3MVG9abc");
    swapped.act(Action::Next);
    snap(&swapped, "05_credentials_swapped");
    swapped.assert_fits_80x24("credentials swapped");
    // Found in a new-user trial: the secret pasted into Consumer Key was shown in clear beside "That looks
    // like the Consumer Secret". It is masked there as in its own field, and the reveal key shows it.
    for (width, height) in [(80, 24), (120, 40)] {
        let screen = swapped.joined(width, height);
        assert!(!screen.contains(&SECRET[..12]) && !screen.contains(&SECRET[60..]), "secret on screen:\n{screen}");
        assert!(screen.contains("That looks like the Consumer Secret"), "{screen}");
    }
    swapped.act(Action::Reveal);
    assert!(swapped.joined(120, 40).contains(&SECRET[..12]), "the reveal key shows it");
}

/// The same on step 3: a secret pasted into Contact email is masked, focused or not.
#[test]
fn create_app_secret_in_the_email_is_masked() {
    let mut w = Wizard::new(ssh());
    w.act(Action::Next).act(Action::Next);
    w.act(Action::Down).act(Action::Down).act(Action::Down).send(Msg::Paste(SECRET.into()));
    for (width, height) in [(80, 24), (120, 40)] {
        let screen = w.joined(width, height);
        assert!(!screen.contains(&SECRET[..12]) && !screen.contains(&SECRET[60..]), "focused:\n{screen}");
        assert!(screen.contains("••••"), "{screen}");
    }
    w.act(Action::Down);
    snap(&w, "03_create_app_secret_in_email");
    for (width, height) in [(80, 24), (120, 40)] {
        let screen = w.joined(width, height);
        assert!(!screen.contains(&SECRET[..12]) && !screen.contains(&SECRET[60..]), "unfocused:\n{screen}");
        assert!(screen.contains("looks like a secret"), "{screen}");
    }
}

#[test]
fn credentials_demo() {
    let mut w = Wizard::new(Surroundings { demo: true, display: true, ..Surroundings::default() });
    w.state.demo = Some(DemoApp {
        base_url: "http://127.0.0.1:41000".into(),
        client_id: KEY.into(),
        client_secret: ClientSecret::new(SECRET),
    });
    w.reach_credentials();
    w.state.credentials.key.set(KEY);
    w.state.credentials.secret.set(SECRET);
    snap(&w, "05_credentials_demo");
    assert!(w.joined(80, 24).contains("Demo org: values filled in for you"));
}

#[test]
fn propagation() {
    let mut w = Wizard::new(ssh());
    w.reach_propagation().at(83).probe(Readiness::NotLive, 12);
    assert_eq!(w.state.step, Step::PROPAGATION);
    snap(&w, "06_propagation_waiting");
    w.assert_fits_80x24("propagation");
    assert!(w.joined(80, 24).contains("01:23 of up to 15:00"));
    w.probe(Readiness::SecretRejected, 13);
    snap(&w, "06_propagation_secret_rejected");
    w.assert_fits_80x24("propagation, secret rejected");
    w.probe(Readiness::RedirectNotRegistered, 14);
    snap(&w, "06_propagation_redirect");
    w.assert_fits_80x24("propagation, redirect");
    // Issue 10, point 3: a missing callback is shown with a copy key, and the wait goes on.
    let screen = w.joined(80, 24);
    assert!(screen.contains("c copy callback") && screen.contains("wait goes on by itself"), "{screen}");
    // Issue 10, point 3: a refused connection is "cannot be reached", counted down, with no word on the key.
    w.send(Msg::ProbeUnreachable {
        message: "127.0.0.1:9 refused the connection".into(),
        retry_in: std::time::Duration::from_secs(8),
    });
    snap(&w, "06_propagation_unreachable");
    w.assert_fits_80x24("propagation, unreachable");
    assert!(w.joined(80, 24).contains("cannot be reached (the key was not checked)"));
    assert!(w.joined(80, 24).contains("next try in 8 s"));
    w.at(86);
    assert!(w.joined(80, 24).contains("next try in 5 s"), "{}", w.joined(80, 24));
    let failure = Error::OAuth(OAuthError { status: 400, code: "invalid_request".into(), description: None });
    w.send(Msg::Probe(Err(failure)));
    snap(&w, "06_propagation_failed");
    w.assert_fits_80x24("propagation, failed");
}

#[test]
fn authorize_paste_back() {
    let mut w = Wizard::new(ssh());
    w.reach_authorize();
    assert_eq!(w.state.step, Step::AUTHORIZE);
    snap(&w, "07_authorize_paste_back");
    w.assert_fits_80x24("authorize paste back");
    let url = w.state.authorize.request.as_ref().map(|r| r.url.clone()).expect("an authorize request");
    assert!(w.joined(80, 24).contains(&url), "the authorize URL is not whole on an 80x24 screen");
    // A pasted value that is not a redirect: the error shows, in full.
    w.send(Msg::Paste(url.clone().into()));
    assert!(w.state.authorize.paste_error.is_some());
    snap(&w, "07_authorize_paste_error");
    w.assert_fits_80x24("authorize paste error");
    w.act(Action::ShowQr);
    snap(&w, "07_authorize_paste_back_qr");
}

#[test]
fn authorize_device() {
    let mut w = Wizard::new(ssh());
    w.reach_authorize().act(Action::FocusNext);
    assert_eq!(w.state.authorize.method, steps::authorize::Method::Device);
    snap(&w, "07_authorize_device_starting");
    w.send(Msg::DeviceStarted(Ok(DeviceView {
        user_code: "QWRT7KZP".into(),
        verification_uri: "https://login.salesforce.com/setup/connect".into(),
        verification_uri_complete: "https://login.salesforce.com/setup/connect?user_code=QWRT7KZP".into(),
    })));
    w.send(Msg::DevicePending { polls: 13 }).at(148);
    snap(&w, "07_authorize_device_polling");
    w.assert_fits_80x24("authorize device");
    assert!(w.joined(80, 24).contains("waiting for approval — 01:05"));
    w.act(Action::ShowQr);
    snap(&w, "07_authorize_device_qr");
    // tmux's pane in an 80x24 window is 80x23: the code still fits (without its caption).
    let tmux = w.joined(80, 23);
    assert!(!tmux.contains("Make the terminal at least"), "{tmux}");
    assert!(tmux.contains("█▀"), "{tmux}");
    let failed = Wizard::new(ssh());
    let mut failed = failed;
    failed.reach_authorize().act(Action::FocusNext);
    let error = Error::OAuth(OAuthError { status: 400, code: "invalid_grant".into(), description: None });
    failed.send(Msg::DeviceStarted(Err(error)));
    snap(&failed, "07_authorize_device_failed");
    failed.assert_fits_80x24("authorize device failed");
}

#[test]
fn authorize_local_browser() {
    let mut w = Wizard::new(ssh());
    w.reach_authorize().act(Action::FocusNext).act(Action::FocusNext);
    w.fix_request().send(Msg::ListenerReady(Ok(1717)));
    snap(&w, "07_authorize_local_browser_ssh");
    w.assert_fits_80x24("authorize local browser");
    let screen = w.joined(80, 24);
    assert!(screen.contains("ssh -L 1717:127.0.0.1:1717 admin@build-01"));
    let url = w.state.authorize.request.as_ref().map(|r| r.url.clone()).expect("an authorize request");
    assert!(screen.contains(&url));

    let mut desktop = Wizard::new(Surroundings { display: true, ..Surroundings::default() });
    desktop.reach_authorize();
    snap(&desktop, "07_authorize_local_browser_desktop");
}

#[test]
fn verify() {
    let mut w = Wizard::new(ssh());
    w.reach_authorize().reach_verify();
    assert_eq!(w.state.step, Step::VERIFY);
    snap(&w, "08_verify_exchanging");
    w.authorized().at(123);
    snap(&w, "08_verify_verifying");
    w.verified();
    snap(&w, "08_verify_done");
    w.assert_fits_80x24("verify done");
    assert!(w.joined(80, 24).contains("Connected as admin@acme.com to Acme"));

    let mut failed = Wizard::new(ssh());
    failed.reach_authorize().reach_verify().authorized().at(300);
    let error = Error::OAuth(OAuthError {
        status: 400,
        code: "invalid_grant".into(),
        description: Some("expired access/refresh token".into()),
    });
    failed.send(Msg::Verified(Err(error)));
    snap(&failed, "08_verify_failed_retryable");
    failed.assert_fits_80x24("verify failed");
    // The code was exchanged already: its 15-minute clock no longer matters and is not shown.
    assert!(!failed.joined(80, 24).contains("12:00"));

    let mut bad_client = Wizard::new(ssh());
    bad_client.reach_authorize().reach_verify();
    let error = Error::OAuth(OAuthError {
        status: 400,
        code: "invalid_client".into(),
        description: Some("invalid client credentials".into()),
    });
    bad_client.send(Msg::Authorized(Err(error)));
    snap(&bad_client, "08_verify_failed_exchange");
    bad_client.assert_fits_80x24("verify failed exchange");
    assert!(bad_client.joined(80, 24).contains("Consumer key and secret"));
}

#[test]
fn checks() {
    let mut w = Wizard::new(ssh());
    w.reach_checks();
    assert_eq!(w.state.step, Step::CHECKS);
    snap(&w, "085_checks");
    w.assert_fits_80x24("checks");
    let screen = w.joined(80, 24);
    assert!(screen.contains("1 required check failed"), "{screen}");
    assert!(screen.contains("tick API Enabled"), "the failing check's fix is shown first: {screen}");
    assert!(screen.contains("acme.com (4000)"), "{screen}");
}

#[test]
fn company_names_picker() {
    let mut w = Wizard::new(ssh());
    w.reach_result();
    let row = sfconnect::wizard::steps::result::rows(&w.state)
        .iter()
        .position(|r| r.key == sfconnect::presets::SettingsKey::CompanyNames)
        .expect("Snow Atlas has company names");
    w.state.result.cursor = row;
    w.act(Action::Edit).act(Action::Down).act(Action::Toggle).act(Action::Down).act(Action::Toggle);
    snap(&w, "095_company_picker");
    w.act(Action::Next);
    let names = &w.state.result.settings.as_ref().unwrap().company_names;
    assert_eq!(names, &vec!["acme.com".to_string(), "acme.co.uk".to_string()]);
}

#[test]
fn result() {
    let mut w = Wizard::new(ssh());
    w.reach_result();
    assert_eq!(w.state.step, Step::RESULT);
    snap(&w, "09_result");
    w.assert_fits_80x24("result");
    let screen = w.joined(120, 40);
    assert!(!screen.contains(&SECRET[..12]) && !screen.contains(&REFRESH[..12]), "a secret is on screen");
    assert!(screen.contains("(64 characters)"));
    w.act(Action::Reveal);
    snap(&w, "09_result_revealed");
    w.assert_fits_80x24("result revealed");
    let screen = w.joined(80, 24);
    assert!(screen.contains(SECRET) && screen.contains(REFRESH));
    w.act(Action::Reveal);
    for _ in 0..4 {
        w.act(Action::Down);
    }
    snap(&w, "09_result_company_names");
    w.assert_fits_80x24("result company names");
    w.act(Action::Edit).type_text("acme.com, acme.co.uk");
    snap(&w, "09_result_editing_company");
    w.act(Action::Next).send(Msg::Saved(Ok("/home/admin/sfconnect-settings.json".into())));
    snap(&w, "09_result_saved");
    w.assert_fits_80x24("result saved");
}

#[test]
fn help_and_quit() {
    let mut w = Wizard::new(ssh());
    w.reach_credentials().act(Action::Help);
    assert!(w.state.help);
    snap(&w, "help_credentials");
    let mut q = Wizard::new(ssh());
    q.reach_credentials().act(Action::Interrupt);
    assert_eq!(q.state.mode, Mode::ConfirmQuit);
    snap(&q, "quit_confirm");
    assert!(q.joined(80, 24).contains("run sfconnect again to resume"));
}

/// A fresh wizard offered to resume what `earlier` reached, `secs` later, with `kept` from the keyring.
fn offered(earlier: &Wizard, secs: u64, kept: sfconnect::wizard::msg::KeptSecrets) -> Wizard {
    use sfconnect::wizard::progress::Progress;
    use sfconnect::wizard::state::ResumeOffer;
    let wall = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
    let progress = Progress::from_state(&earlier.state, wall);
    assert_eq!(progress.keyring, earlier.state.keyring);
    let mut fresh = Wizard::new(ssh());
    fresh.state.resume = Some(ResumeOffer {
        progress,
        offered_wall: wall + std::time::Duration::from_secs(secs),
        offered_at: fresh.state.now,
        kept,
    });
    fresh
}

#[test]
fn resume_offer() {
    let mut w = Wizard::new(ssh());
    w.reach_propagation();
    let fresh = offered(&w, 180, Default::default());
    snap(&fresh, "resume_offer");
    let text = fresh.joined(80, 24);
    assert!(text.contains("step 6 of 10 (Waiting for Salesforce) with"), "{text}");
    assert!(text.contains("secret again"), "{text}");
    assert!(!text.contains("not the org given now"), "no org was given now: {text}");
    assert!(text.contains("y  or  Enter  resume (Esc too)"), "Esc does not start over, and the prompt says so: {text}");
}

/// Found in a new-user trial: a resume took the saved org over a `--login-url` given now, without a word.
#[test]
fn resume_offer_names_its_org_and_says_when_another_was_given() {
    let mut w = Wizard::new(ssh());
    w.reach_propagation();
    let mut fresh = offered(&w, 180, Default::default());
    fresh.state.start.set_login_url("https://other-org.my.salesforce.com");
    let text = fresh.joined(80, 24);
    assert!(text.contains("login.salesforce.com"), "the saved org is named: {text}");
    assert!(text.contains("not the org given now"), "{text}");
}

/// After the authorization, without the keyring: the popup says the token is lost and what that means.
#[test]
fn resume_offer_after_the_authorization() {
    let mut w = Wizard::new(ssh());
    w.reach_checks();
    let fresh = offered(&w, 120, Default::default());
    snap(&fresh, "resume_offer_after_authorization");
    let text = fresh.joined(80, 24);
    assert!(text.contains("authorize again"), "{text}");
    assert!(text.contains("--keyring"), "{text}");
}

#[test]
fn resume_offer_with_the_keyring() {
    use sfconnect::salesforce::{ClientSecret, RefreshToken};
    use sfconnect::wizard::msg::KeptSecrets;
    let mut w = Wizard::new(ssh());
    w.state.keyring = true;
    w.reach_result();
    let kept = KeptSecrets {
        client_secret: Some(ClientSecret::new(SECRET)),
        refresh_token: Some(RefreshToken::new(REFRESH)),
        error: None,
    };
    let mut fresh = offered(&w, 600, kept);
    snap(&fresh, "resume_offer_keyring");
    let text = fresh.joined(80, 24);
    assert!(text.contains("step 10 of 10 (Your settings) with"), "{text}");
    assert!(text.contains("no need to authorize again"), "{text}");
    assert!(!text.contains(&SECRET[..8]) && !text.contains(&REFRESH[..8]), "{text}");
    // y: back at the verification, with the kept token standing in for a new authorization.
    fresh.act(Action::Next);
    assert_eq!(fresh.state.step, sfconnect::wizard::Step::VERIFY);
    snap(&fresh, "08_verify_resumed");
    assert!(fresh.joined(80, 24).contains("kept in the keyring"));
}

#[test]
fn no_color_uses_no_colours() {
    let mut w = Wizard::new(Surroundings { no_color: true, ..ssh() });
    w.reach_propagation().probe(Readiness::SecretRejected, 3);
    let terminal = w.draw(80, 24);
    for cell in terminal.backend().buffer().content() {
        assert_eq!(cell.fg, ratatui::style::Color::Reset, "a coloured cell with NO_COLOR: {cell:?}");
        assert_eq!(cell.bg, ratatui::style::Color::Reset, "a coloured cell with NO_COLOR: {cell:?}");
    }
}

#[test]
fn hint_bars_fit_80_columns() {
    let theme = Theme::new(false);
    let mut w = Wizard::new(ssh());
    let check = |w: &Wizard| {
        let line = hint_line(&hints(&w.state), 80, theme);
        assert!(line.width() <= 80, "{:?}: hint bar is {} wide", w.state.step, line.width());
        // Nothing a step offers is dropped at 80 columns.
        assert_eq!(line.spans.len(), 1 + hints(&w.state).len() * 2 + hints(&w.state).len().saturating_sub(1));
    };
    check(&w);
    w.act(Action::Next).act(Action::Next);
    check(&w);
    w.act(Action::CreateForMe);
    w.send(Msg::SessionsFound(Vec::new()));
    check(&w);
    w.act(Action::Back);
    w.act(Action::Back).act(Action::Back);
    w.reach_credentials();
    check(&w);
    w.reach_propagation();
    check(&w);
    w.at(90).probe(Readiness::Ready { secret_checked: true }, 3);
    check(&w);
    // Every tab of the authorize step, and the same in the demo (which adds its "click Allow" key).
    for _ in 0..3 {
        w.act(Action::FocusNext);
        check(&w);
    }
    let mut demo = Wizard::new(Surroundings { demo: true, display: true, ..Surroundings::default() });
    demo.state.demo = Some(DemoApp {
        base_url: "http://127.0.0.1:41000".into(),
        client_id: KEY.into(),
        client_secret: ClientSecret::new(SECRET),
    });
    demo.reach_authorize();
    for _ in 0..3 {
        assert_eq!(demo.state.step, sfconnect::wizard::Step::AUTHORIZE);
        check(&demo);
        demo.act(Action::FocusNext);
    }
    let mut r = Wizard::new(ssh());
    r.reach_result();
    check(&r);
    let narrow = hint_line(&hints(&w.state), 30, theme);
    assert!(narrow.width() <= 30);
}

/// From a new-user trial: after Salesforce rejected the secret, the credentials step said "looks right".
#[test]
fn a_rejected_secret_is_marked_on_the_credentials_step() {
    let mut w = Wizard::new(ssh());
    w.reach_propagation().probe(Readiness::SecretRejected, 3);
    w.act(Action::Back);
    assert_eq!(w.state.step, sfconnect::wizard::Step::CREDENTIALS);
    let text = w.joined(80, 24);
    assert!(text.contains("Salesforce rejected this secret"), "{text}");
    w.act(Action::FocusNext);
    w.send(Msg::Char('x'));
    assert!(!w.joined(80, 24).contains("rejected this secret"), "a changed secret is not the rejected one");
}

/// A long list of checks says how many are above and below the rows shown.
#[test]
fn a_scrolled_checks_list_shows_more_markers() {
    use sfconnect::checks::{CheckId, Finding, Level, Report, Verdict};
    let mut w = Wizard::new(ssh());
    w.reach_checks();
    let ids = [
        CheckId::ApiAccess,
        CheckId::PermApiEnabled,
        CheckId::TokensPerUser,
        CheckId::IpRelaxation,
        CheckId::DeviceFlowEnabled,
        CheckId::RefreshPolicyInfinite,
        CheckId::PermittedUsers,
        CheckId::PermManageConnectedApps,
        CheckId::Refresh,
        CheckId::RefreshSecret,
        CheckId::ApiUsage,
        CheckId::ScopesGranted,
    ];
    let checks = ids.iter().map(|id| Verdict::new(*id, Level::Info, Finding::Ok("fine".into()))).collect();
    w.send(Msg::ChecksDone(Box::new(Report { checks, preview: None, ..Default::default() })));
    assert!(w.joined(80, 24).contains("↓"), "{}", w.joined(80, 24));
    for _ in 0..ids.len() {
        w.act(Action::Down);
    }
    let text = w.joined(80, 24);
    assert!(text.contains("↑"), "{text}");
    assert!(text.contains("▸"), "the cursor row is on screen: {text}");
    w.assert_fits_80x24("checks scrolled");
}

/// From a new-user trial: a long fix was cut after three lines. It is shown whole; the preview gives way.
#[test]
fn a_long_fix_is_shown_whole() {
    use sfconnect::checks::{CheckId, Finding, Level, Report, Verdict};
    let mut w = Wizard::new(ssh());
    w.reach_checks();
    let fix = "The REST API is off for this org: its edition has no API access (Professional Edition needs \
               the API add-on), or use Enterprise, Unlimited, Performance or Developer Edition. If the edition \
               has it, the user lacks API Enabled: Setup > Users > Profiles > (profile) > System Permissions > \
               API Enabled, then Save, then run the checks again with t.";
    let mut checks: Vec<Verdict> = [CheckId::Refresh, CheckId::RefreshSecret, CheckId::Identity, CheckId::Org]
        .iter()
        .map(|id| Verdict::new(*id, Level::Info, Finding::Ok("fine".into())))
        .collect();
    checks.insert(0, Verdict::new(CheckId::ApiAccess, Level::Required, Finding::problem("API_DISABLED_FOR_ORG", fix)));
    w.send(Msg::ChecksDone(Box::new(Report { checks, preview: None, ..Default::default() })));
    let text = w.joined(80, 24);
    assert!(text.contains("run the checks again with t."), "{text}");
    w.assert_fits_80x24("long fix");
    snap(&w, "085_checks_long_fix");
}

/// Below the smallest size the screens are laid out for, a notice asks for a larger window instead of
/// rows going missing without a trace (from a new-user trial at 60x20).
#[test]
fn a_too_small_terminal_gets_a_notice() {
    let mut w = Wizard::new(ssh());
    w.reach_credentials();
    let text = w.joined(60, 20);
    assert!(text.contains("This terminal is 60x20; sfconnect needs at least 70x20"), "{text}");
    assert!(!w.joined(80, 24).contains("This terminal is"), "80x24 is laid out as usual");
}

/// From a new-user trial: AvePoint brings its own app, yet the wizard handed over a Client ID as if it
/// were wanted. The start and last steps now say what the wizard is for with such a target.
#[test]
fn a_target_with_its_own_app_is_told_apart() {
    let mut w = Wizard::new(ssh());
    let avepoint = w.state.presets.iter().position(|p| p.id == "avepoint").unwrap();
    w.state.start.preset_index = avepoint;
    w.state.apply_preset();
    assert!(w.joined(80, 24).contains("It takes no values from you"), "{}", w.joined(80, 24));
    w.act(Action::Next).act(Action::Next);
    assert!(w.joined(80, 24).contains("sfconnect check (delete after)"), "the app's name says it can go");
    w.act(Action::Back).act(Action::Back);
    w.reach_result();
    let text = w.joined(120, 40);
    assert!(text.contains("AvePoint Online Services asks for none of these"), "{text}");
    assert!(text.contains("Next, in AvePoint:"), "{text}");
    assert!(sfconnect::wizard::steps::help(&w.state).contains("takes none of these values"));
    let mut snow = Wizard::new(ssh());
    snow.reach_result();
    assert!(snow.joined(80, 24).contains("Paste these into the settings of Snow Atlas"));
}

/// Nintex's form asks for Environment (Production or Sandbox), not a URL: the last step shows that.
#[test]
fn nintex_gets_its_environment_not_a_url() {
    let mut w = Wizard::new(ssh());
    w.state.start.preset_index = w.state.presets.iter().position(|p| p.id == "nintex").unwrap();
    w.state.apply_preset();
    w.reach_result();
    let text = w.joined(120, 40);
    assert!(text.contains("Environment      Production"), "{text}");
    assert_eq!(sfconnect::wizard::steps::result::environment("https://acme--uat.sandbox.my.salesforce.com"), "Sandbox");
    assert_eq!(sfconnect::wizard::steps::result::environment("https://test.salesforce.com"), "Sandbox");
    assert_eq!(sfconnect::wizard::steps::result::environment("https://acme.my.salesforce.com"), "Production");
}

/// From a new-user trial: the create step and the device tab said "Enable for Device Flow" (a Connected App's
/// label) for an External Client App, whose checkbox Setup labels "Enable Device Flow".
#[test]
fn the_device_flow_checkbox_is_named_as_the_kind_of_app_labels_it() {
    use sfconnect::wizard::steps::create_app::AppKind;
    let kinds = [
        (AppKind::ExternalClientApp, "Enable Device Flow", "Enable for Device Flow"),
        (AppKind::ConnectedApp, "Enable for Device Flow", "\"Enable Device Flow\""),
    ];
    for (kind, label, other) in kinds {
        let mut w = Wizard::new(ssh());
        w.act(Action::Next).act(Action::Next);
        w.state.create_app.kind = kind;
        w.state.create_app.device_flow = false;
        let create = w.joined(120, 40);
        assert!(create.contains(&format!("{label}: No")), "{create}");
        w.act(Action::Back).act(Action::Back);
        w.reach_authorize().act(Action::FocusNext);
        w.state.create_app.kind = kind;
        w.state.create_app.device_flow = false;
        let device = w.joined(120, 40);
        assert!(device.contains(&format!("You set \"{label}\" to No")), "{device}");
        assert!(!device.contains(other), "{device}");
    }
}

/// Found in a new-user trial: on the demo's Device code tab, Ctrl-O said "The demo org did not redirect:
/// check the key and the callback URL", which was false: the demo approves the device code by itself. The
/// tab says so, and the open key says it too (with the verification URL), sending nothing.
#[test]
fn authorize_device_in_the_demo() {
    let mut w = Wizard::new(Surroundings { demo: true, display: true, ..Surroundings::default() });
    w.state.demo = Some(DemoApp {
        base_url: "http://127.0.0.1:41000".into(),
        client_id: KEY.into(),
        client_secret: ClientSecret::new(SECRET),
    });
    w.reach_authorize();
    assert_eq!(w.state.step, Step::AUTHORIZE);
    for _ in 0..3 {
        if w.state.authorize.method != steps::authorize::Method::Device {
            w.act(Action::FocusNext);
        }
    }
    assert_eq!(w.state.authorize.method, steps::authorize::Method::Device);
    let uri = "http://127.0.0.1:41000/setup/connect?user_code=QWRT7KZP";
    w.send(Msg::DeviceStarted(Ok(DeviceView {
        user_code: "QWRT7KZP".into(),
        verification_uri: "http://127.0.0.1:41000/setup/connect".into(),
        verification_uri_complete: uri.into(),
    })));
    w.send(Msg::DevicePending { polls: 1 }).at(125);
    let commands = sfconnect::wizard::update(&mut w.state, Msg::Action(Action::OpenBrowser)).commands;
    assert!(commands.is_empty(), "nothing to open in the demo: {commands:?}");
    snap(&w, "07_authorize_device_demo");
    w.assert_fits_80x24("authorize device demo");
    let screen = w.rows(80, 24).iter().map(|r| r.trim()).collect::<Vec<_>>().join(" ");
    assert!(screen.contains("The demo approves the code by itself in a few seconds (with a real org"), "{screen}");
    let said = w.state.toast.as_ref().and_then(|t| t.said()).unwrap_or_default();
    assert!(said.contains("approves the code by itself") && said.contains(uri), "{said}");
    assert!(!screen.contains("did not redirect"), "{screen}");
}

/// Found in a new-user trial at 80x24: on step 3, the "Contact Email is required" error pushed the click
/// path's heading off the top, and with --sandbox or a My Domain the first callback URL lost its "(paste
/// back)" label. Both stay on screen, whichever org.
#[test]
fn create_app_keeps_its_heading_and_labels_at_80x24() {
    for org in ["production", "sandbox", "https://acme.my.salesforce.com"] {
        let mut w = Wizard::new(ssh());
        match org {
            "production" => {}
            "sandbox" => {
                w.state.start.environment = steps::start::Environment::Sandbox;
            }
            url => w.state.start.set_login_url(url),
        }
        w.act(Action::Next).act(Action::Next);
        assert_eq!(w.state.step, Step::CREATE_APP, "{org}");
        for error in [false, true] {
            if error {
                w.act(Action::Next);
                assert!(w.state.create_app.error.is_some(), "{org}: Enter on an empty email is refused");
            }
            let rows = w.rows(80, 24);
            let screen = rows.join("\n");
            assert!(screen.contains("Create an External Client App in Salesforce:"), "{org}:\n{screen}");
            assert!(screen.contains("(paste back)"), "{org}:\n{screen}");
            assert!(screen.contains("(local browser)"), "{org}:\n{screen}");
            assert!(screen.contains("Secret         Require secret"), "{org}: the last row shows:\n{screen}");
            if error {
                assert!(w.joined(80, 24).contains("Contact Email is required"), "{org}:\n{screen}");
            }
        }
    }
    let mut w = Wizard::new(ssh());
    w.state.start.environment = steps::start::Environment::Sandbox;
    w.act(Action::Next).act(Action::Next).act(Action::Next);
    snap(&w, "03_create_app_sandbox_email_required");
}
