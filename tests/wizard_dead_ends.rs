//! Issue 10 (the wizard's dead ends and small untruths), issue 14 item 3 (a secret typed into the wrong
//! field) and issue 12 item 3 (nothing slow on the UI thread): each test fails without its fix.

use std::time::{Duration, SystemTime};

use crate::ui_support::{KEY, SECRET, Wizard, ssh};

use sfconnect::wizard::progress::{Progress, looks_like_secret};
use sfconnect::wizard::steps::create_app::Row;
use sfconnect::wizard::steps::credentials::CredFocus;
use sfconnect::wizard::{Action, Msg, Step};

/// Issue 14 item 3: the consumer secret pasted into Consumer Key or Contact email was written to the
/// progress file, and stayed there.
#[test]
fn a_secret_typed_into_the_wrong_field_never_reaches_the_progress_file() {
    let mut w = Wizard::new(ssh());
    w.act(Action::Next).act(Action::Next);
    while w.state.create_app.row() != Row::Email {
        w.act(Action::Down);
    }
    w.send(Msg::Paste(SECRET.into()));
    assert_eq!(w.state.create_app.email.value(), SECRET, "the paste went into the email field");
    let json = serde_json::to_string(&Progress::from_state(&w.state, SystemTime::now())).unwrap();
    assert!(!json.contains(SECRET), "{json}");

    let mut w = Wizard::new(ssh());
    w.reach_credentials();
    w.send(Msg::Paste(SECRET.into())); // into Consumer Key: the screen says it looks like the secret
    assert_eq!(w.state.credentials.focus, CredFocus::Key);
    let progress = Progress::from_state(&w.state, SystemTime::now());
    let json = serde_json::to_string(&progress).unwrap();
    assert!(!json.contains(SECRET) && progress.client_id.is_empty(), "{json}");

    // The secret typed in its own field, and then inside another one: not saved either.
    w.act(Action::ClearField).send(Msg::Paste(KEY.into())).act(Action::FocusNext);
    w.send(Msg::Paste("s3cr3t-not-hex-but-typed".into()));
    w.state.create_app.name.set("Acme s3cr3t-not-hex-but-typed");
    let progress = Progress::from_state(&w.state, SystemTime::now());
    assert_eq!(progress.client_id, KEY, "the consumer key is kept: it is no secret");
    assert!(progress.app_name.is_empty(), "{progress:?}");

    // Tokens and the older numeric secrets are recognised by their shape.
    for secret in [
        SECRET,
        "1234567890123456789",
        "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrFHdbXCrOIdJOxDpZqTkHnrtGsYnmoatIMrzq4bXQ_mJPUjwS",
        "00D5g000004Xq2B!AQ0AQHvZ7s9N0yB4Lh3lB0AQ0AQHvZ7s9N0yB4Lh3lB",
    ] {
        assert!(looks_like_secret(secret, ""), "{secret}");
        assert!(looks_like_secret(&format!("admin@acme.com {secret}"), ""), "{secret}");
    }
    for plain in [KEY, "admin@acme.com", "https://acme.my.salesforce.com", "Snow Atlas integration", ""] {
        assert!(!looks_like_secret(plain, ""), "{plain}");
    }
}

/// Issue 14 item 3: a progress file written before the rule may still hold a secret: resuming does not
/// put it back on screen (where it would be saved again).
#[test]
fn a_secret_in_an_old_progress_file_is_not_put_back() {
    let mut w = Wizard::new(ssh());
    w.reach_credentials().send(Msg::Paste(KEY.into()));
    let mut progress = Progress::from_state(&w.state, SystemTime::now());
    progress.contact_email = SECRET.into();
    let mut fresh = Wizard::new(ssh());
    progress.apply(&mut fresh.state, SystemTime::now() + Duration::from_secs(5));
    assert_eq!(fresh.state.credentials.key.value(), KEY);
    assert!(fresh.state.create_app.email.is_empty());
    assert_eq!(fresh.state.step, Step::START, "apply only fills the fields; the caller moves");
}

/// A loopback port nothing listens on: a connection to it is refused, as to a Salesforce behind a
/// firewall that rejects.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

/// Issue 10 item 11: a refused connection during the exchange means the code was never sent; the wizard
/// said "the code may or may not have been used" and sent the admin back to authorize again.
#[tokio::test]
async fn a_code_that_never_left_is_kept_and_sent_again() {
    use sfconnect::salesforce::{AppCredentials, Client, CodeExchange, LoginHost};
    use sfconnect::wizard::steps::verify::{VerifyStatus, never_sent};

    // The real client, against a port that refuses: the failure is one that never sent the code.
    let host = LoginHost::parse(&format!("http://127.0.0.1:{}", closed_port())).unwrap();
    let client = Client::new(host).unwrap();
    let app = AppCredentials { client_id: KEY.into(), client_secret: None };
    let code = sfconnect::salesforce::AuthCode::new("aPrxYXyxzkuBzbiGxmk6DWEBvT7bQ==");
    let exchange = CodeExchange {
        code: &code,
        redirect_uri: "https://login.salesforce.com/services/oauth2/success",
        code_verifier: None,
    };
    let refused = client.exchange_code(&app, &exchange).await.expect_err("nothing listens");
    assert!(never_sent(&refused), "{refused:?}");

    let mut w = Wizard::new(ssh());
    w.reach_authorize().reach_verify();
    assert_eq!(w.state.step, Step::VERIFY);
    let sent_code = w.state.verify.pending.as_ref().map(|p| p.code.expose().to_string()).expect("in flight");
    w.send(Msg::Authorized(Err(refused)));
    let VerifyStatus::Failed { headline, fix, can_retry, .. } = &w.state.verify.status else {
        panic!("{:?}", w.state.verify.status)
    };
    assert!(headline.contains("never sent") && *can_retry, "{headline}");
    assert!(fix.contains("code is kept") && !fix.contains("may or may not"), "{fix}");
    let screen = w.joined(80, 24);
    assert!(screen.contains("sends the same code again") && screen.contains("t try again"), "{screen}");
    // The kept code's remaining life counts down by itself (a new-user trial saw it freeze between keys).
    let every_second = sfconnect::wizard::tick_interval(&w.state);
    assert_eq!(every_second, Some(std::time::Duration::from_secs(1)), "the code's clock ticks");
    let received = w.state.authorize.code_received.expect("the code arrived");
    let before = w.joined(80, 24);
    w.send(Msg::Tick(received + std::time::Duration::from_secs(75)));
    let after = w.joined(80, 24);
    assert!(before != after && after.contains("arrived 01:15 ago"), "{after}");
    w.send(Msg::Tick(received + std::time::Duration::from_secs(16 * 60)));
    assert_eq!(sfconnect::wizard::tick_interval(&w.state), None, "a code past its life needs no more ticks");

    let commands = sfconnect::wizard::update(&mut w.state, Msg::Action(Action::Retry)).commands;
    let resent = commands.iter().find_map(|c| match c {
        sfconnect::wizard::Command::Exchange { code, .. } => Some(code.expose().to_string()),
        _ => None,
    });
    assert_eq!(resent.as_deref(), Some(sent_code.as_str()), "{commands:?}");
    assert!(matches!(w.state.verify.status, VerifyStatus::Exchanging { .. }));

    // Once Salesforce has seen it, the code is spent: no second try with it.
    let refused_by_salesforce = sfconnect::salesforce::Error::OAuth(sfconnect::salesforce::errors::OAuthError {
        status: 400,
        code: "invalid_grant".into(),
        description: Some("expired authorization code".into()),
    });
    w.send(Msg::Authorized(Err(refused_by_salesforce)));
    assert!(w.state.verify.pending.is_none());
    let commands = sfconnect::wizard::update(&mut w.state, Msg::Action(Action::Retry)).commands;
    assert!(commands.is_empty(), "{commands:?}");
}

/// Issue 10 item 11: a timeout may come after Salesforce read the code: that one stays "may or may not".
#[test]
fn a_timeout_does_not_offer_the_same_code_again() {
    use sfconnect::salesforce::errors::TransportKind;
    let mut w = Wizard::new(ssh());
    w.reach_authorize().reach_verify();
    let timeout = sfconnect::salesforce::Error::Transport {
        kind: TransportKind::Timeout,
        host: "login.salesforce.com".into(),
        detail: String::new(),
    };
    w.send(Msg::Authorized(Err(timeout)));
    assert!(w.state.verify.pending.is_none());
    assert!(w.joined(80, 24).contains("may or may not have been used"));
}

/// Issue 10 item 11: checks that cannot reach Salesforce said "required check failed" (or counted
/// warnings) and previewed "? active users" with an empty domain list.
#[tokio::test(start_paused = true)]
async fn checks_that_cannot_reach_salesforce_say_so() {
    use sfconnect::checks::{CheckContext, run_checks};
    use sfconnect::salesforce::rest::RestClient;
    use sfconnect::salesforce::{AccessToken, HostKind, Scopes};

    let http = sfconnect::salesforce::http::build_http_client().unwrap();
    let instance = format!("http://127.0.0.1:{}", closed_port());
    let rest = RestClient::new(http, &instance, AccessToken::new("00Dx!AQ.access")).unwrap();
    let ctx = CheckContext {
        id_url: "https://login.salesforce.com/id/00D5g000004Xq2BEAS/0055g00000ABCDEAA4".into(),
        granted_scopes: Scopes::parse("api refresh_token"),
        login_kind: HostKind::Production,
        preset: sfconnect::presets::bundled().into_iter().next().unwrap(),
        app_name: None,
        app_kind: None,
        device_flow_used: false,
        refreshed: true,
    };
    let report = run_checks(&rest, ctx, |_| {}).await;
    let why = report.unreachable.clone().expect("the report says Salesforce was not reached");
    assert!(why.contains("refused the connection"), "{why}");

    let mut w = Wizard::new(ssh());
    w.reach_authorize().reach_verify().authorized().verified().act(Action::Next);
    w.send(Msg::ChecksDone(Box::new(report)));
    let screen = w.joined(80, 24);
    assert!(screen.contains("Salesforce could not be reached, so nothing was checked"), "{screen}");
    assert!(!screen.contains("required check") && !screen.contains("to look at"), "{screen}");
    assert!(screen.contains("needs an answer from Salesforce: none came"), "{screen}");
    assert!(!screen.contains("? active users"), "{screen}");
}

/// The copy command an update asked for: (label, text).
fn copied(commands: &[sfconnect::wizard::Command]) -> Option<(String, String)> {
    commands.iter().find_map(|c| match c {
        sfconnect::wizard::Command::Copy { label, text, .. } => Some((label.clone(), text.expose().to_string())),
        _ => None,
    })
}

/// Issue 10 item 8: Salesforce's own error page for a callback the app lacks (its address carries
/// `error=redirect_uri_mismatch`; docs.transflator.com) was a dead end: the wizard showed the error and no
/// fix, while `exchange` printed one. Now the fix comes from the same table, with the exact line to add
/// and a key that copies it.
#[test]
fn a_refused_callback_shows_the_line_to_add_and_copies_it() {
    use sfconnect::salesforce::{Error, PasteError};
    let mut w = Wizard::new(ssh());
    w.reach_authorize();
    let callback = w.state.authorize.request.as_ref().map(|r| r.redirect_uri.clone()).unwrap();
    assert_eq!(callback, "https://login.salesforce.com/services/oauth2/success", "paste-back's callback is unchanged");
    let page = "https://login.salesforce.com/setup/secur/RemoteAccessErrorPage.apexp?error=redirect_uri_mismatch&error_description=redirect_uri%20must%20match%20configuration";
    w.send(Msg::Paste(page.into()));
    let cli_fix = Error::Paste(PasteError::Authorization {
        error: "redirect_uri_mismatch".into(),
        description: Some("redirect_uri must match configuration".into()),
    })
    .explain()
    .fix;
    assert_eq!(w.state.authorize.paste_fix.as_deref(), Some(cli_fix.as_str()), "one explanation for both");
    assert!(w.state.authorize.paste.is_empty(), "the error address is not left in the field");
    let screen = w.joined(80, 24);
    assert!(screen.contains("The line to add to the app's Callback URL field (Ctrl-Y copies it):"), "{screen}");
    assert!(screen.contains(&callback) && screen.contains("^Y copy callback"), "{screen}");
    w.assert_fits_80x24("authorize with a refused callback");

    let commands = sfconnect::wizard::update(&mut w.state, Msg::Action(Action::Copy)).commands;
    assert_eq!(copied(&commands), Some(("Callback URL".to_string(), callback)));
}

/// Issue 10 item 8: a denial (Deny clicked, or a user the app does not permit) said what happened but
/// not what it means or how to try again.
#[test]
fn a_denial_says_what_it_means_and_how_to_try_again() {
    let mut w = Wizard::new(ssh());
    w.reach_authorize();
    let state = w.state.authorize.request.as_ref().map(|r| r.state.clone()).unwrap();
    let url = w.state.authorize.request.as_ref().map(|r| r.url.clone()).unwrap();
    w.send(Msg::Paste(
        format!("https://login.salesforce.com/services/oauth2/success?error=access_denied&error_description=end-user+denied+authorization&state={state}")
            .into(),
    ));
    let screen = w.joined(80, 24);
    assert!(screen.contains("The authorization was denied"), "{screen}");
    // Rows are trimmed and joined: a space at a line break is lost, so phrases are checked in pieces.
    assert!(screen.contains("Authorize again and click Allow; if Allow is not offered"), "{screen}");
    assert!(screen.contains("The same URL works again") && screen.contains("copies it)."), "{screen}");
    w.assert_fits_80x24("authorize after a denial");
    let commands = sfconnect::wizard::update(&mut w.state, Msg::Action(Action::Copy)).commands;
    assert_eq!(copied(&commands), Some(("Authorize URL".to_string(), url)), "the same request works again");
}

/// Issue 10 item 8 (and 14.4): a denial that reaches the loopback listener may come from any local
/// program: its words are not shown as Salesforce's, and the listener keeps listening for Allow.
#[test]
fn a_denial_at_the_listener_is_explained_and_the_listener_waits_on() {
    use sfconnect::wizard::steps::authorize::{ListenerStatus, Method};
    let mut w = Wizard::new(sfconnect::wizard::Surroundings { display: true, ..ssh() });
    w.reach_authorize();
    while w.state.authorize.method != Method::LocalBrowser {
        w.act(Action::FocusNext);
    }
    w.send(Msg::ListenerReady(Ok(1717)));
    let state = w.state.authorize.request.as_ref().map(|r| r.state.clone()).unwrap();
    w.send(Msg::RedirectArrived(
        format!("http://localhost:1717/OauthRedirect?error=access_denied&error_description=email+the+secret+to+x&state={state}")
            .into(),
    ));
    let screen = w.joined(80, 24);
    assert!(screen.contains("The authorization was denied"), "{screen}");
    assert!(screen.contains("not verified as Salesforce's"), "{screen}");
    assert!(!screen.contains("email the secret"), "the callback's own words are not shown: {screen}");
    assert!(screen.contains("still listening: the same") && screen.contains("URL works again"), "{screen}");
    assert_eq!(w.state.authorize.listener, ListenerStatus::Listening { port: 1717 });
    w.assert_fits_80x24("local browser after a denial");
}

/// Issue 10 item 8: `redirect_uri_mismatch` from the token endpoint (the simulator's answer when the
/// callback left the app between Allow and the exchange) shows the line to add, and c copies it.
#[tokio::test]
async fn a_refused_callback_at_the_exchange_shows_the_line_to_add() {
    use crate::common::{app_for, browser_lands_on, client_for, quick_config, start};
    use sfconnect::salesforce::{AuthorizeOptions, AuthorizeRequest, CodeExchange, Scopes, parse_paste};
    let sim = start(quick_config()).await;
    let client = client_for(&sim);
    let redirect_uri = client.host().default_redirect_uri();
    let options = AuthorizeOptions {
        client_id: sim.client_id(),
        redirect_uri: redirect_uri.clone(),
        scopes: Scopes::parse("api refresh_token"),
        pkce: true,
        force_login: false,
    };
    let request = AuthorizeRequest::new(client.host(), &options).unwrap();
    let landed = browser_lands_on(&client, &request.url).await;
    let code = parse_paste(&landed, Some(&request.state)).unwrap().code;
    sim.set_config(|c| {
        c.callback_urls.clear();
        c.allow_loopback_callbacks = false;
    });
    let exchange =
        CodeExchange { code: &code, redirect_uri: &redirect_uri, code_verifier: request.code_verifier.as_ref() };
    let refused = client.exchange_code(&app_for(&sim), &exchange).await.expect_err("the callback was removed");
    assert_eq!(refused.oauth_code(), Some(&sfconnect::salesforce::OAuthErrorCode::RedirectUriMismatch));

    let mut w = Wizard::new(ssh());
    w.reach_authorize().reach_verify();
    let callback = w.state.verify.pending.as_ref().map(|p| p.redirect_uri.clone()).unwrap();
    w.send(Msg::Authorized(Err(refused)));
    let screen = w.joined(80, 24);
    assert!(screen.contains("The line to add to the app's Callback URL field (c copies it):"), "{screen}");
    assert!(screen.contains(&callback) && screen.contains("c copy callback"), "{screen}");
    w.assert_fits_80x24("verify with a refused callback");
    let commands = sfconnect::wizard::update(&mut w.state, Msg::Action(Action::Copy)).commands;
    assert_eq!(copied(&commands), Some(("Callback URL".to_string(), callback)));
    sim.shutdown().await;
}

/// Issue 10, smaller things: "11 characters: Enter uses it" stood above the error that refused the paste.
#[test]
fn a_refused_paste_is_not_announced_as_usable() {
    let mut w = Wizard::new(ssh());
    w.reach_authorize().type_text("abc").act(Action::Next);
    assert!(w.state.authorize.paste_error.is_some());
    let screen = w.joined(80, 24);
    assert!(!screen.contains("uses it"), "{screen}");
    w.type_text("d");
    assert!(w.joined(80, 24).contains("4 characters: Enter uses it"), "typing again clears the error");
}

/// Issue 10, smaller things: the demo took any text as a My Domain.
#[test]
fn the_demo_checks_a_typed_my_domain() {
    use sfconnect::salesforce::ClientSecret;
    use sfconnect::wizard::state::DemoApp;
    use sfconnect::wizard::steps::start::Environment;
    let mut w = Wizard::new(sfconnect::wizard::Surroundings { demo: true, ..ssh() });
    w.state.demo = Some(DemoApp {
        base_url: "http://127.0.0.1:9".into(),
        client_id: KEY.into(),
        client_secret: ClientSecret::new(SECRET),
    });
    w.act(Action::FocusNext).act(Action::Down).act(Action::Down);
    assert_eq!(w.state.start.environment, Environment::MyDomain);
    w.type_text("not a url").act(Action::Next);
    assert_eq!(w.state.step, Step::START);
    assert!(w.state.start.error.is_some());
    w.act(Action::ClearField).type_text("https://acme.my.salesforce.com").act(Action::Next);
    assert_eq!(w.state.step, Step::PREREQUISITES);
}

/// Issue 10, smaller things: after a resume, Enter with the secret still empty did nothing visible (the
/// error was hidden as "already shown under the field", which an empty field never shows).
#[test]
fn enter_with_an_empty_secret_says_so() {
    let mut w = Wizard::new(ssh());
    w.reach_credentials().send(Msg::Paste(KEY.into())).act(Action::FocusNext).act(Action::Next);
    assert_eq!(w.state.step, Step::CREDENTIALS);
    let screen = w.joined(80, 24);
    assert!(screen.contains("Consumer Secret is empty"), "{screen}");
}

/// Issue 10, smaller things: the login-host preview was cut at 80 columns without a mark.
#[test]
fn a_long_login_host_is_shown_whole() {
    let name = "acme-international-holdings-emea-production-org";
    let mut w = Wizard::new(ssh());
    w.act(Action::FocusNext).act(Action::Down).act(Action::Down);
    w.type_text(&format!("https://{name}.lightning.force.com/lightning/setup/SetupOneHome/home"));
    let host = format!("https://{name}.my.salesforce.com");
    let screen = w.joined(80, 24);
    // Rows are trimmed and joined: the host may start on the next row, but it is there whole.
    assert!(
        screen.contains(&format!("→ login host:{host}")) || screen.contains(&format!("→ login host: {host}")),
        "{screen}"
    );
}

/// Issue 10, smaller things: step 10 said "Saved" twice (the line on screen and a message below).
#[test]
fn saving_is_said_once() {
    let mut w = Wizard::new(ssh());
    w.reach_result();
    let path = w.state.result.path().unwrap();
    w.send(Msg::Saved(Ok(path)));
    let screen = w.joined(80, 24);
    assert_eq!(screen.matches("Saved").count(), 1, "{screen}");
    assert!(screen.contains("✓ Saved: "), "{screen}");

    // Another format after the save changes the file name, not the values: nothing is "not saved yet"
    // (a new-user trial read that and saved twice). A changed value is.
    w.act(Action::Format);
    let screen = w.joined(80, 24);
    assert!(screen.contains("These values are saved in") && !screen.contains("not saved yet"), "{screen}");
    w.send(Msg::Saved(Ok(w.state.result.path().unwrap())));
    w.state.result.saved_current = false;
    w.act(Action::Format);
    let screen = w.rows(80, 24).iter().map(|r| r.trim()).collect::<Vec<_>>().join(" ");
    assert!(screen.contains("what changed since is not saved yet"), "{screen}");
}

/// Issue 10, smaller things: `sfconnect --help` listed json, env and toml for --format, though the wizard
/// takes every settings format.
#[test]
fn the_wizard_help_lists_every_format_it_accepts() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sfconnect")).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    let line = help.lines().skip_while(|l| !l.contains("--format")).take(3).collect::<String>();
    for format in sfconnect::settings::Format::all() {
        assert!(line.contains(format.name()), "{} missing: {line}", format.name());
    }
}

/// Issue 10, smaller things: a stale or reused code was explained by its least likely cause. Salesforce
/// answers a code used twice with "expired authorization code" (omniphx/forrest#169).
#[test]
fn a_reused_code_is_explained_by_its_likeliest_cause_first() {
    use sfconnect::salesforce::Error;
    use sfconnect::salesforce::errors::OAuthError;
    let reused = Error::OAuth(OAuthError {
        status: 400,
        code: "invalid_grant".into(),
        description: Some("expired authorization code".into()),
    })
    .explain();
    let used = reused.headline.find("already used").expect("reuse is named");
    let old = reused.headline.find("15 minutes").expect("age is named");
    assert!(used < old, "{}", reused.headline);
}

/// Issue 10, smaller things: `?` types in a text field, so the help key there is F1, and it works.
#[test]
fn f1_opens_the_help_where_a_field_has_the_focus() {
    let mut w = Wizard::new(ssh());
    w.reach_credentials();
    let hint = crate::ui_support::hints(&w.state);
    assert!(hint.iter().any(|h| h.key == "F1" && h.description == "help"), "{hint:?}");
    let f1 = crossterm::event::KeyEvent::new(crossterm::event::KeyCode::F(1), crossterm::event::KeyModifiers::NONE);
    let msg = sfconnect::runtime::message_for(f1, sfconnect::runtime::Context::Text).expect("F1 means something");
    w.send(msg);
    assert!(w.state.help);
    assert!(w.joined(80, 24).contains("Esc or F1 to close"));
}

/// Found in a new-user trial: `--output x.env` showed "(json; …)" and saved JSON into x.env, and `f` then
/// wrote env lines into a file named settings.json. Without `--format`, the format follows the file's
/// name; `f` cycles every format the wizard takes and renames the file with it, so name and content agree.
#[test]
fn the_output_file_name_and_its_format_agree() {
    use sfconnect::settings::Format;
    use sfconnect::wizard::Command;
    let mut w = Wizard::new(ssh());
    w.reach_result();
    w.state.result.set_output(Some("/tmp/out/x.env".into()), None);
    assert_eq!(w.state.result.format, Format::Env);
    let screen = w.rows(80, 24).iter().map(|r| r.trim()).collect::<Vec<_>>().join(" ");
    assert!(screen.contains("/tmp/out/x.env (env;"), "{screen}");

    let mut seen = vec![];
    for _ in 0..Format::all().len() {
        w.act(Action::Format);
        let (format, path) = (w.state.result.format, w.state.result.path().unwrap());
        assert_eq!(Format::from_path(&path).unwrap_or(Format::SfdxUrl), format, "{}", path.display());
        assert_eq!(path.extension().unwrap(), format.extension());
        seen.push(format);
        let commands = sfconnect::wizard::update(&mut w.state, Msg::Action(Action::Save)).commands;
        assert!(
            matches!(commands.first(), Some(Command::Save { path: p, format: f, .. }) if *p == path && *f == format),
            "{commands:?}"
        );
    }
    assert_eq!(seen.len(), 5);
    for format in Format::all() {
        assert!(seen.contains(&format), "f never offers {format}");
    }
    assert_eq!(w.state.result.path().unwrap(), std::path::Path::new("/tmp/out/x.env"), "back to the start");

    // An explicit --format wins over the name; a name that says nothing keeps JSON.
    w.state.result.set_output(Some("/tmp/out/x.env".into()), Some(Format::Toml));
    assert_eq!(w.state.result.format, Format::Toml);
    w.state.result.set_output(Some("/tmp/out/settings".into()), None);
    assert_eq!(w.state.result.format, Format::Json);
    w.act(Action::Format);
    assert_eq!(w.state.result.path().unwrap(), std::path::Path::new("/tmp/out/settings.env"));
    // A dotenv file keeps its name for env.
    w.state.result.set_output(Some("/tmp/out/.env".into()), None);
    assert_eq!(w.state.result.format, Format::Env);
    w.act(Action::Format);
    assert_eq!(w.state.result.path().unwrap(), std::path::Path::new("/tmp/out/.env.toml"));
    for _ in 0..4 {
        w.act(Action::Format);
    }
    assert_eq!(w.state.result.path().unwrap(), std::path::Path::new("/tmp/out/.env"));
}

/// Found in a new-user trial: unticking a scope the target needs (step 4) said nothing, and the checks'
/// fix then pointed to Setup. Step 4 warns at once; the checks step says where the fix is.
#[test]
fn unticking_a_scope_the_target_needs_is_said_on_step_4_and_on_the_checks() {
    use sfconnect::checks::{CheckId, Finding, Level, Report, Verdict};
    use sfconnect::salesforce::scope::SCOPE_TABLE;
    let mut w = Wizard::new(ssh());
    w.act(Action::Next).act(Action::Next);
    w.act(Action::Down).act(Action::Down).act(Action::Down).type_text("admin@acme.com").act(Action::Next);
    assert_eq!(w.state.step, Step::SCOPES);
    let needed = "The target needs Full access (full): ticking it back is the fix.";
    assert!(!w.joined(80, 24).contains("The target needs"), "nothing unticked yet");
    w.state.scopes.cursor = SCOPE_TABLE.iter().position(|s| s.tokens.contains(&"full")).unwrap();
    w.act(Action::Toggle);
    let screen = w.rows(80, 24).iter().map(|r| r.trim()).collect::<Vec<_>>().join(" ");
    assert!(screen.contains(needed), "{screen}");
    w.act(Action::Toggle);
    assert!(!w.joined(80, 24).contains("The target needs"), "ticked back: the warning goes");

    // Through to the checks with full unticked: the token lacks it, and the checks step says why.
    let checks_with = |untick: bool| {
        let mut w = Wizard::new(ssh());
        w.reach_authorize();
        if untick {
            w.state.scopes.selected.toggle("full");
        }
        w.reach_verify();
        let grant = sfconnect::salesforce::TokenGrant {
            access_token: sfconnect::salesforce::AccessToken::new("00D5g000004Xq2B!AQ0AQ.access"),
            refresh_token: Some(sfconnect::salesforce::RefreshToken::new(crate::ui_support::REFRESH)),
            instance_url: "https://acme.my.salesforce.com".into(),
            id_url: "https://login.salesforce.com/id/00D5g000004Xq2BEAS/0055g00000ABCDEAA4".into(),
            issued_at: None,
            scopes: sfconnect::salesforce::Scopes::parse("refresh_token"),
            token_type: "Bearer".into(),
        };
        w.send(Msg::Authorized(Ok(grant))).verified().act(Action::Next);
        assert_eq!(w.state.step, Step::CHECKS);
        let checks = vec![Verdict::new(
            CheckId::ScopesGranted,
            Level::Advisory,
            Finding::problem("not granted: full (granted: refresh_token)", "Setup > … > Selected OAuth Scopes: add"),
        )];
        w.send(Msg::ChecksDone(Box::new(Report { checks, ..Default::default() })));
        w.rows(80, 24).iter().map(|r| r.trim()).collect::<Vec<_>>().join(" ")
    };
    let screen = checks_with(true);
    assert!(
        screen.contains(
            "You unticked Full access (full) on step 4: Esc back to the Scopes step, tick it, then authorize again."
        ),
        "{screen}"
    );
    let screen = checks_with(false);
    assert!(!screen.contains("You unticked"), "ticked on step 4: the fix is in Setup, as the check says: {screen}");
}

/// Found in a new-user trial: `?` did nothing on the Local browser tab (the authorize step reads keys as a
/// text field on every tab). On the tabs without a field it opens the help; on Paste back it types.
#[test]
fn question_mark_opens_the_help_on_the_authorize_tabs_without_a_field() {
    use sfconnect::wizard::steps::authorize::Method;
    let question =
        crossterm::event::KeyEvent::new(crossterm::event::KeyCode::Char('?'), crossterm::event::KeyModifiers::NONE);
    let mut w = Wizard::new(ssh());
    w.reach_authorize();
    let mut seen = vec![];
    for _ in 0..3 {
        let context = if w.state.screen().text_focus(&w.state) {
            sfconnect::runtime::Context::Text
        } else {
            sfconnect::runtime::Context::Browse
        };
        let msg = sfconnect::runtime::message_for(question, context).expect("? means something");
        w.send(msg);
        let method = w.state.authorize.method;
        seen.push(method);
        if method == Method::PasteBack {
            assert!(!w.state.help, "on Paste back, ? is typed into the field");
            assert!(w.state.authorize.paste.value().ends_with('?'));
            w.act(Action::ClearField);
        } else {
            assert!(w.state.help, "? opens the help on {method:?}");
            assert!(w.joined(80, 24).contains("Help: Authorize"), "{}", w.joined(80, 24));
            w.act(Action::Back);
            assert!(!w.state.help);
        }
        w.act(Action::FocusNext);
    }
    assert!(seen.contains(&Method::Device) && seen.contains(&Method::LocalBrowser), "{seen:?}");
}
