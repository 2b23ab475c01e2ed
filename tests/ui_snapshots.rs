//! Snapshots of every wizard screen at 80x24 (an admin in SSH) and 120x40, driven through
//! `wizard::update` the way the runtime drives it, plus the checks a user would notice: nothing cut off at
//! 80x24, the whole authorize URL on screen, no secret on screen unless revealed, a hint bar that fits.

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sfconnect::salesforce::errors::OAuthError;
use sfconnect::salesforce::probe::Readiness;
use sfconnect::salesforce::{AccessToken, ClientSecret, Error, RefreshToken, Scopes, TokenGrant};
use sfconnect::ui::{KeyHint, Theme, hint_line};
use sfconnect::wizard::msg::{DeviceView, ProbeUpdate, Verified};
use sfconnect::wizard::state::{DemoApp, Mode};
use sfconnect::wizard::{Action, Msg, State, Step, Surroundings, steps, update};

const KEY: &str = "3MVG9ZL0ppGP5UrBzTnVbh0oOBDLrHCTZsGJhsdL3ZQZqKTKDtS5nmJrT8xJq1z4pVqVdhUoXZz2GcUyq5aEo";
const SECRET: &str = "F4A1C0DE5EC2E7A5F00D5A1E5F0ACE0A1B2C3D4E5F60718293A4B5C6D7E8F901";
const REFRESH: &str = "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrFHdbXCrOIdJOxDpZqTkHnrtGsYnmoatIMrzq4bXQ_mJPUjwS";

/// The key names the runtime's keymap gives each action (src/runtime/keymap.rs), in lists and in fields.
fn key_name(action: Action, text: bool) -> String {
    let name = match action {
        Action::Next => "Enter",
        Action::Back => "Esc",
        Action::Up | Action::Down => "↑↓",
        Action::FocusNext => "Tab",
        Action::FocusPrev => "S-Tab",
        Action::Interrupt => "^C",
        Action::Toggle => "Space",
        Action::Copy if text => "^Y",
        Action::Copy => "c",
        Action::CopyAll => "a",
        Action::Reveal if text => "^R",
        Action::Reveal => "r",
        Action::Save => "w",
        Action::Format => "f",
        Action::Edit => "e",
        Action::Skip if text => "^S",
        Action::Skip => "s",
        Action::Retry => "t",
        Action::SwitchMethod => "m",
        Action::OpenBrowser if text => "^O",
        Action::OpenBrowser => "o",
        Action::ShowQr if text => "^G",
        Action::ShowQr => "v",
        Action::Help if text => "F1",
        Action::Help => "?",
        Action::Quit => "q",
        _ => "?",
    };
    name.to_string()
}

fn hints(state: &State) -> Vec<KeyHint> {
    let text = steps::text_focus(state);
    steps::hints(state).into_iter().map(|(a, d)| (key_name(a, text), d)).collect()
}

fn ssh() -> Surroundings {
    Surroundings { ssh: true, display: false, ssh_target: Some("admin@build-01".into()), demo: false, no_color: false }
}

struct Wizard {
    state: State,
    t0: Instant,
}

impl Wizard {
    fn new(surroundings: Surroundings) -> Self {
        let t0 = Instant::now();
        Self { state: State::new(sfconnect::presets::bundled(), surroundings, t0), t0 }
    }

    fn send(&mut self, msg: Msg) -> &mut Self {
        update(&mut self.state, msg);
        self
    }

    fn act(&mut self, action: Action) -> &mut Self {
        self.send(Msg::Action(action))
    }

    fn type_text(&mut self, text: &str) -> &mut Self {
        for c in text.chars() {
            self.send(Msg::Char(c));
        }
        self
    }

    fn at(&mut self, secs: u64) -> &mut Self {
        let t = self.t0 + Duration::from_secs(secs);
        self.send(Msg::Tick(t))
    }

    /// Through start, prerequisites, create app (with an email) and scopes, to the credentials step.
    fn reach_credentials(&mut self) -> &mut Self {
        self.act(Action::Next).act(Action::Next);
        self.act(Action::Down).act(Action::Down).act(Action::Down).type_text("admin@acme.com");
        self.act(Action::Next).act(Action::Next)
    }

    fn reach_propagation(&mut self) -> &mut Self {
        self.reach_credentials().send(Msg::Paste(KEY.into())).act(Action::FocusNext).send(Msg::Paste(SECRET.into()));
        self.act(Action::Next)
    }

    fn probe(&mut self, readiness: Readiness, attempts: u32) -> &mut Self {
        self.send(Msg::Probe(Ok(ProbeUpdate { readiness, attempts })))
    }

    /// On the authorize step, with the random parts of the authorize request replaced by fixed text of the
    /// same length, so snapshots are stable.
    fn reach_authorize(&mut self) -> &mut Self {
        self.reach_propagation().at(83).probe(Readiness::Ready { secret_checked: true }, 31);
        self.fix_request()
    }

    fn fix_request(&mut self) -> &mut Self {
        if let Some(request) = self.state.authorize.request.as_mut() {
            let fixed_state = "S".repeat(request.state.len());
            request.url = request.url.replace(&request.state, &fixed_state);
            request.state = fixed_state;
            if let Some(i) = request.url.find("code_challenge=") {
                let start = i + "code_challenge=".len();
                let end = request.url[start..].find('&').map_or(request.url.len(), |e| start + e);
                request.url.replace_range(start..end, &"C".repeat(end - start));
            }
        }
        self
    }

    fn reach_verify(&mut self) -> &mut Self {
        let state = self.state.authorize.request.as_ref().map(|r| r.state.clone()).unwrap_or_default();
        let redirect = format!(
            "https://login.salesforce.com/services/oauth2/success?code=aPrxYXyxzkuBzbiGxmk6DWEBvT7bQ%3D%3D&state={state}"
        );
        self.at(120).send(Msg::Paste(redirect)).at(122)
    }

    fn authorized(&mut self) -> &mut Self {
        let grant = TokenGrant {
            access_token: AccessToken::new("00D5g000004Xq2B!AQ0AQ.access"),
            refresh_token: Some(RefreshToken::new(REFRESH)),
            instance_url: "https://acme.my.salesforce.com".into(),
            id_url: "https://login.salesforce.com/id/00D5g000004Xq2BEAS/0055g00000ABCDEAA4".into(),
            issued_at: None,
            scopes: Scopes::parse("refresh_token full"),
            token_type: "Bearer".into(),
        };
        self.send(Msg::Authorized(Ok(grant)))
    }

    fn verified(&mut self) -> &mut Self {
        self.send(Msg::Verified(Ok(Verified {
            username: "admin@acme.com".into(),
            org_name: "Acme".into(),
            edition: "Enterprise Edition".into(),
            is_sandbox: false,
            rotated: None,
        })))
    }

    fn reach_result(&mut self) -> &mut Self {
        self.reach_authorize().reach_verify().authorized().verified().act(Action::Next);
        self.state.result.default_dir = Some("/home/admin".into());
        self
    }

    fn draw(&self, width: u16, height: u16) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
        let hints = hints(&self.state);
        terminal.draw(|frame| sfconnect::ui::render(frame, &self.state, &hints)).expect("draw");
        terminal
    }

    /// The screen's rows as text.
    fn rows(&self, width: u16, height: u16) -> Vec<String> {
        let terminal = self.draw(width, height);
        let buffer = terminal.backend().buffer();
        (0..height).map(|y| (0..width).map(|x| buffer[(x, y)].symbol().to_string()).collect::<String>()).collect()
    }

    /// Everything on screen, each row trimmed and the rows joined: a URL cut into rows reads whole again.
    fn joined(&self, width: u16, height: u16) -> String {
        self.rows(width, height).iter().map(|r| r.trim()).collect()
    }

    /// Nothing is cut off at 80x24: drawn on a very tall 80-column screen, the body ends where the body of
    /// an 80x24 screen ends.
    fn assert_fits_80x24(&self, name: &str) {
        let tall = self.rows(80, 200);
        let toast_rows = tall[..199].iter().rev().take_while(|r| !r.trim().is_empty()).count().max(1);
        let last_body = tall[2..200 - 1 - toast_rows].iter().rposition(|r| !r.trim().is_empty()).map_or(0, |i| i + 2);
        let body_end = 24 - 1 - toast_rows;
        assert!(last_body < body_end, "{name}: the body needs {} rows, 80x24 has {}", last_body - 1, body_end - 2);
    }

    fn snap(&self, name: &str) {
        for (w, h) in [(80, 24), (120, 40)] {
            let terminal = self.draw(w, h);
            insta::with_settings!({
                filters => vec![
                    (r"state=[A-Za-z0-9_-]+", "state=[STATE]"),
                    (r"code_challenge=[A-Za-z0-9_-]+", "code_challenge=[CHALLENGE]"),
                ],
                snapshot_suffix => format!("{w}x{h}"),
            }, {
                insta::assert_snapshot!(name, terminal.backend());
            });
        }
    }
}

#[test]
fn start() {
    let mut w = Wizard::new(ssh());
    w.snap("01_start");
    w.assert_fits_80x24("start");
    w.act(Action::FocusNext).act(Action::Down).act(Action::Down).type_text("not a url");
    w.act(Action::Next);
    assert!(w.state.start.error.is_some());
    w.snap("01_start_my_domain_error");
    w.assert_fits_80x24("start with my domain error");
}

#[test]
fn prerequisites() {
    let mut w = Wizard::new(ssh());
    w.act(Action::Next).act(Action::Toggle).act(Action::Down);
    assert_eq!(w.state.step, Step::Prerequisites);
    w.snap("02_prerequisites");
    w.assert_fits_80x24("prerequisites");
    assert!(w.joined(80, 24).contains("Nothing here blocks you"));
}

#[test]
fn create_app() {
    let mut w = Wizard::new(ssh());
    w.act(Action::Next).act(Action::Next);
    w.snap("03_create_app");
    w.assert_fits_80x24("create app");
    w.act(Action::Next);
    assert!(w.state.create_app.error.is_some());
    w.type_text("admin@acme");
    w.act(Action::Next);
    w.snap("03_create_app_email_error");
    w.assert_fits_80x24("create app with error");
    w.act(Action::Up).act(Action::Up).act(Action::Up).act(Action::Toggle);
    w.snap("03_create_app_connected_app");
    w.assert_fits_80x24("create app, connected app");
}

#[test]
fn scopes() {
    let mut w = Wizard::new(ssh());
    w.reach_credentials().act(Action::Back);
    assert_eq!(w.state.step, Step::Scopes);
    w.snap("04_scopes");
    // Untick "Perform requests at any time": the red warning shows.
    w.act(Action::Down).act(Action::Down).act(Action::Down).act(Action::Toggle);
    w.snap("04_scopes_no_refresh");
    for _ in 0..10 {
        w.act(Action::Down);
    }
    w.snap("04_scopes_scrolled");
    let screen = w.joined(80, 24);
    assert!(screen.contains("Without \"Perform requests at any time\""), "{screen}");
}

#[test]
fn credentials() {
    let mut w = Wizard::new(ssh());
    w.reach_credentials();
    w.snap("05_credentials_empty");
    w.assert_fits_80x24("credentials");
    w.send(Msg::Paste(KEY.into())).act(Action::FocusNext).send(Msg::Paste(SECRET.into()));
    w.snap("05_credentials_masked");
    w.assert_fits_80x24("credentials masked");
    let screen = w.joined(80, 24);
    assert!(!screen.contains(&SECRET[..12]), "the secret is on screen while hidden");
    assert!(screen.contains("64 characters"));
    w.act(Action::Reveal);
    w.snap("05_credentials_revealed");
    assert!(w.joined(120, 40).contains(SECRET));
    // Swapped fields: the problems show as typed.
    let mut swapped = Wizard::new(ssh());
    swapped.reach_credentials().send(Msg::Paste(SECRET.into())).act(Action::FocusNext).type_text("3MVG9abc");
    swapped.act(Action::Next);
    swapped.snap("05_credentials_swapped");
    swapped.assert_fits_80x24("credentials swapped");
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
    w.snap("05_credentials_demo");
    assert!(w.joined(80, 24).contains("Demo org: values filled in for you"));
}

#[test]
fn propagation() {
    let mut w = Wizard::new(ssh());
    w.reach_propagation().at(83).probe(Readiness::NotLive, 12);
    assert_eq!(w.state.step, Step::Propagation);
    w.snap("06_propagation_waiting");
    w.assert_fits_80x24("propagation");
    assert!(w.joined(80, 24).contains("01:23 of up to 15:00"));
    w.probe(Readiness::SecretRejected, 13);
    w.snap("06_propagation_secret_rejected");
    w.assert_fits_80x24("propagation, secret rejected");
    w.probe(Readiness::RedirectNotRegistered, 14);
    w.snap("06_propagation_redirect");
    w.assert_fits_80x24("propagation, redirect");
    let failure = Error::OAuth(OAuthError { status: 400, code: "invalid_request".into(), description: None });
    w.send(Msg::Probe(Err(failure)));
    w.snap("06_propagation_failed");
    w.assert_fits_80x24("propagation, failed");
}

#[test]
fn authorize_paste_back() {
    let mut w = Wizard::new(ssh());
    w.reach_authorize();
    assert_eq!(w.state.step, Step::Authorize);
    w.snap("07_authorize_paste_back");
    w.assert_fits_80x24("authorize paste back");
    let url = w.state.authorize.request.as_ref().map(|r| r.url.clone()).expect("an authorize request");
    assert!(w.joined(80, 24).contains(&url), "the authorize URL is not whole on an 80x24 screen");
    // A pasted value that is not a redirect: the error shows, in full.
    w.send(Msg::Paste(url.clone()));
    assert!(w.state.authorize.paste_error.is_some());
    w.snap("07_authorize_paste_error");
    w.assert_fits_80x24("authorize paste error");
    w.act(Action::ShowQr);
    w.snap("07_authorize_paste_back_qr");
}

#[test]
fn authorize_device() {
    let mut w = Wizard::new(ssh());
    w.reach_authorize().act(Action::FocusNext);
    assert_eq!(w.state.authorize.method, steps::authorize::Method::Device);
    w.snap("07_authorize_device_starting");
    w.send(Msg::DeviceStarted(Ok(DeviceView {
        user_code: "QWRT7KZP".into(),
        verification_uri: "https://login.salesforce.com/setup/connect".into(),
        verification_uri_complete: "https://login.salesforce.com/setup/connect?user_code=QWRT7KZP".into(),
    })));
    w.send(Msg::DevicePending { polls: 13 }).at(148);
    w.snap("07_authorize_device_polling");
    w.assert_fits_80x24("authorize device");
    assert!(w.joined(80, 24).contains("waiting for approval — 01:05"));
    w.act(Action::ShowQr);
    w.snap("07_authorize_device_qr");
    let failed = Wizard::new(ssh());
    let mut failed = failed;
    failed.reach_authorize().act(Action::FocusNext);
    let error = Error::OAuth(OAuthError { status: 400, code: "invalid_grant".into(), description: None });
    failed.send(Msg::DeviceStarted(Err(error)));
    failed.snap("07_authorize_device_failed");
    failed.assert_fits_80x24("authorize device failed");
}

#[test]
fn authorize_local_browser() {
    let mut w = Wizard::new(ssh());
    w.reach_authorize().act(Action::FocusNext).act(Action::FocusNext);
    w.fix_request().send(Msg::ListenerReady(Ok(1717)));
    w.snap("07_authorize_local_browser_ssh");
    w.assert_fits_80x24("authorize local browser");
    let screen = w.joined(80, 24);
    assert!(screen.contains("ssh -L 1717:127.0.0.1:1717 admin@build-01"));
    let url = w.state.authorize.request.as_ref().map(|r| r.url.clone()).expect("an authorize request");
    assert!(screen.contains(&url));

    let mut desktop = Wizard::new(Surroundings { display: true, ..Surroundings::default() });
    desktop.reach_authorize();
    desktop.snap("07_authorize_local_browser_desktop");
}

#[test]
fn verify() {
    let mut w = Wizard::new(ssh());
    w.reach_authorize().reach_verify();
    assert_eq!(w.state.step, Step::Verify);
    w.snap("08_verify_exchanging");
    w.authorized().at(123);
    w.snap("08_verify_verifying");
    w.verified();
    w.snap("08_verify_done");
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
    failed.snap("08_verify_failed_retryable");
    failed.assert_fits_80x24("verify failed");
    assert!(failed.joined(80, 24).contains("12:00"));

    let mut bad_client = Wizard::new(ssh());
    bad_client.reach_authorize().reach_verify();
    let error = Error::OAuth(OAuthError {
        status: 400,
        code: "invalid_client".into(),
        description: Some("invalid client credentials".into()),
    });
    bad_client.send(Msg::Authorized(Err(error)));
    bad_client.snap("08_verify_failed_exchange");
    bad_client.assert_fits_80x24("verify failed exchange");
    assert!(bad_client.joined(80, 24).contains("Consumer key and secret"));
}

#[test]
fn result() {
    let mut w = Wizard::new(ssh());
    w.reach_result();
    assert_eq!(w.state.step, Step::Result);
    w.snap("09_result");
    w.assert_fits_80x24("result");
    let screen = w.joined(120, 40);
    assert!(!screen.contains(&SECRET[..12]) && !screen.contains(&REFRESH[..12]), "a secret is on screen");
    assert!(screen.contains("(64 characters)"));
    w.act(Action::Reveal);
    w.snap("09_result_revealed");
    w.assert_fits_80x24("result revealed");
    let screen = w.joined(80, 24);
    assert!(screen.contains(SECRET) && screen.contains(REFRESH));
    w.act(Action::Reveal);
    for _ in 0..4 {
        w.act(Action::Down);
    }
    w.snap("09_result_company_names");
    w.assert_fits_80x24("result company names");
    w.act(Action::Edit).type_text("acme.com, acme.co.uk");
    w.snap("09_result_editing_company");
    w.act(Action::Next).send(Msg::Saved(Ok("/home/admin/sfconnect-settings.json".into())));
    w.snap("09_result_saved");
    w.assert_fits_80x24("result saved");
}

#[test]
fn help_and_quit() {
    let mut w = Wizard::new(ssh());
    w.reach_credentials().act(Action::Help);
    assert!(w.state.help);
    w.snap("help_credentials");
    let mut q = Wizard::new(ssh());
    q.reach_credentials().act(Action::Interrupt);
    assert_eq!(q.state.mode, Mode::ConfirmQuit);
    q.snap("quit_confirm");
    assert!(q.joined(80, 24).contains("Quit sfconnect? Nothing is saved yet."));
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
    w.reach_credentials();
    check(&w);
    w.reach_propagation();
    check(&w);
    w.at(90).probe(Readiness::Ready { secret_checked: true }, 3);
    check(&w);
    w.act(Action::FocusNext).act(Action::FocusNext);
    check(&w);
    let mut r = Wizard::new(ssh());
    r.reach_result();
    check(&r);
    let narrow = hint_line(&hints(&w.state), 30, theme);
    assert!(narrow.width() <= 30);
}
