//! The driver for the UI snapshot tests: a wizard state moved through `wizard::update` as the runtime
//! would, the key names the runtime's keymap gives, and drawing on a `TestBackend`.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sfconnect::salesforce::probe::Readiness;
use sfconnect::salesforce::{AccessToken, RefreshToken, Scopes, TokenGrant};
use sfconnect::ui::KeyHint;
use sfconnect::wizard::msg::{ProbeUpdate, Verified};
use sfconnect::wizard::{Action, Msg, State, Surroundings, update};

pub const KEY: &str = "3MVG9ZL0ppGP5UrBzTnVbh0oOBDLrHCTZsGJhsdL3ZQZqKTKDtS5nmJrT8xJq1z4pVqVdhUoXZz2GcUyq5aEo";
pub const SECRET: &str = "F4A1C0DE5EC2E7A5F00D5A1E5F0ACE0A1B2C3D4E5F60718293A4B5C6D7E8F901";
pub const REFRESH: &str = "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrFHdbXCrOIdJOxDpZqTkHnrtGsYnmoatIMrzq4bXQ_mJPUjwS";

/// The hints as the runtime computes them from its keymap, so snapshots show the real key names.
pub fn hints(state: &State) -> Vec<KeyHint> {
    sfconnect::keymap::hints(state)
}

pub fn ssh() -> Surroundings {
    Surroundings { ssh: true, display: false, ssh_target: Some("admin@build-01".into()), demo: false, no_color: false }
}

pub struct Wizard {
    pub state: State,
    t0: Instant,
}

impl Wizard {
    pub fn new(surroundings: Surroundings) -> Self {
        let t0 = Instant::now();
        Self { state: State::new(sfconnect::presets::bundled(), surroundings, t0), t0 }
    }

    /// A wizard around a state built by the test (its own list of steps, say).
    pub fn with_state(state: State) -> Self {
        Self { t0: state.now, state }
    }

    pub fn send(&mut self, msg: Msg) -> &mut Self {
        update(&mut self.state, msg);
        self
    }

    pub fn act(&mut self, action: Action) -> &mut Self {
        self.send(Msg::Action(action))
    }

    pub fn type_text(&mut self, text: &str) -> &mut Self {
        for c in text.chars() {
            self.send(Msg::Char(c));
        }
        self
    }

    pub fn at(&mut self, secs: u64) -> &mut Self {
        let t = self.t0 + Duration::from_secs(secs);
        self.send(Msg::Tick(t))
    }

    /// Through start, prerequisites, create app (with an email) and scopes, to the credentials step.
    pub fn reach_credentials(&mut self) -> &mut Self {
        self.act(Action::Next).act(Action::Next);
        self.act(Action::Down).act(Action::Down).act(Action::Down).type_text("admin@acme.com");
        self.act(Action::Next).act(Action::Next)
    }

    pub fn reach_propagation(&mut self) -> &mut Self {
        self.reach_credentials().send(Msg::Paste(KEY.into())).act(Action::FocusNext).send(Msg::Paste(SECRET.into()));
        self.act(Action::Next)
    }

    pub fn probe(&mut self, readiness: Readiness, attempts: u32) -> &mut Self {
        self.send(Msg::Probe(Ok(ProbeUpdate { readiness, attempts })))
    }

    /// On the authorize step, with the random parts of the authorize request replaced by fixed text of the
    /// same length, so snapshots are stable and show the real layout. `~` is outside the snapshot filters'
    /// character class, so the filters only ever catch a value this missed.
    pub fn reach_authorize(&mut self) -> &mut Self {
        self.reach_propagation().at(83).probe(Readiness::Ready { secret_checked: true }, 31);
        self.fix_request()
    }

    pub fn fix_request(&mut self) -> &mut Self {
        if let Some(request) = self.state.authorize.request.as_mut() {
            let fixed_state = "~".repeat(request.state.len());
            request.url = request.url.replace(&request.state, &fixed_state);
            request.state = fixed_state;
            if let Some(i) = request.url.find("code_challenge=") {
                let start = i + "code_challenge=".len();
                let end = request.url[start..].find('&').map_or(request.url.len(), |e| start + e);
                request.url.replace_range(start..end, &"~".repeat(end - start));
            }
        }
        self
    }

    pub fn reach_verify(&mut self) -> &mut Self {
        let state = self.state.authorize.request.as_ref().map(|r| r.state.clone()).unwrap_or_default();
        let redirect = format!(
            "https://login.salesforce.com/services/oauth2/success?code=aPrxYXyxzkuBzbiGxmk6DWEBvT7bQ%3D%3D&state={state}"
        );
        self.at(120).send(Msg::Paste(redirect.into())).at(122)
    }

    pub fn authorized(&mut self) -> &mut Self {
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

    pub fn verified(&mut self) -> &mut Self {
        self.send(Msg::Verified(Ok(Verified {
            username: "admin@acme.com".into(),
            org_name: "Acme".into(),
            edition: "Enterprise Edition".into(),
            is_sandbox: false,
            rotated: None,
        })))
    }

    /// Through the verification to the checks, with a report of a pass, a warning and a failure and a
    /// preview of an org with three domains.
    pub fn reach_checks(&mut self) -> &mut Self {
        use sfconnect::checks::{CheckId, DomainCount, Finding, Level, LicenceCount, Preview, Report, Verdict};
        self.reach_authorize().reach_verify().authorized().verified().act(Action::Next);
        let checks = vec![
            Verdict::new(
                CheckId::ApiAccess,
                Level::Required,
                Finding::Ok("the REST API answers (Enterprise Edition)".into()),
            ),
            Verdict::new(
                CheckId::TokensPerUser,
                Level::Advisory,
                Finding::problem(
                    "4 tokens for this app; a sixth revokes the oldest (2026-01-02)",
                    "Revoke unused tokens in Setup > Connected Apps OAuth Usage",
                ),
            ),
            Verdict::new(
                CheckId::PermApiEnabled,
                Level::Required,
                Finding::problem("API Enabled is missing", "Setup > Profiles > System Permissions: tick API Enabled"),
            ),
        ];
        let domain = |d: &str, n: u64| DomainCount { domain: d.into(), users: n, active: n };
        let preview = Preview {
            active_users: Some(4210),
            users: 4601,
            users_without_email: 12,
            active_users_without_email: 3,
            domains: vec![domain("acme.com", 4000), domain("acme.co.uk", 500), domain("contractor.io", 89)],
            other_domains: None,
            licences: vec![LicenceCount { name: "Salesforce".into(), total: 5000, used: 4210 }],
            problems: vec![],
            users_read: true,
            unreachable: None,
        };
        update(
            &mut self.state,
            Msg::ChecksDone(Box::new(Report { checks, preview: Some(preview), ..Default::default() })),
        );
        self
    }

    pub fn reach_result(&mut self) -> &mut Self {
        self.reach_checks().act(Action::Next);
        self.state.result.default_dir = Some("/home/admin".into());
        self
    }

    pub fn draw(&self, width: u16, height: u16) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
        let hints = hints(&self.state);
        terminal.draw(|frame| sfconnect::ui::render(frame, &self.state, &hints)).expect("draw");
        terminal
    }

    /// The screen's rows as text.
    pub fn rows(&self, width: u16, height: u16) -> Vec<String> {
        let terminal = self.draw(width, height);
        let buffer = terminal.backend().buffer();
        (0..height).map(|y| (0..width).map(|x| buffer[(x, y)].symbol().to_string()).collect::<String>()).collect()
    }

    /// Everything on screen, each row trimmed and the rows joined: a URL cut into rows reads whole again.
    pub fn joined(&self, width: u16, height: u16) -> String {
        self.rows(width, height).iter().map(|r| r.trim()).collect()
    }

    /// Nothing is cut off at 80x24: drawn on a very tall 80-column screen, the body ends where the body of
    /// an 80x24 screen ends.
    pub fn assert_fits_80x24(&self, name: &str) {
        let tall = self.rows(80, 200);
        let toast_rows = tall[..199].iter().rev().take_while(|r| !r.trim().is_empty()).count().max(1);
        let last_body = tall[2..200 - 1 - toast_rows].iter().rposition(|r| !r.trim().is_empty()).map_or(0, |i| i + 2);
        let body_end = 24 - 1 - toast_rows;
        assert!(last_body < body_end, "{name}: the body needs {} rows, 80x24 has {}", last_body - 1, body_end - 2);
    }
}
