//! Step 1, Start: pick the target (a preset) and the environment (production, sandbox, or a My Domain
//! typed and checked).

use crate::salesforce::{LoginHost, LoginUrlError};
use crate::wizard::msg::Action;
use crate::wizard::screen::Screen;
use crate::wizard::state::{State, Step};
use crate::wizard::text::TextField;
use crate::wizard::update::{Update, go_next};

use super::{Hint, edit, move_cursor};

/// Which org the admin connects. The progress file writes it as `production`, `sandbox` or `my_domain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    #[default]
    Production,
    Sandbox,
    MyDomain,
}

impl Environment {
    pub const ALL: [Environment; 3] = [Environment::Production, Environment::Sandbox, Environment::MyDomain];

    pub fn label(self) -> &'static str {
        match self {
            Environment::Production => "Production  (https://login.salesforce.com)",
            Environment::Sandbox => "Sandbox     (https://test.salesforce.com)",
            Environment::MyDomain => "My Domain   (type or paste your org's URL)",
        }
    }
}

/// Which part of the screen has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StartFocus {
    #[default]
    Target,
    Environment,
    MyDomain,
}

#[derive(Debug, Clone, Default)]
pub struct StartState {
    pub preset_index: usize,
    pub environment: Environment,
    pub my_domain: TextField,
    pub focus: StartFocus,
    pub error: Option<String>,
    /// The org came from the command line (`--login-url` or `--sandbox`), so a resume offer for another org
    /// says so.
    pub org_given: bool,
}

impl StartState {
    pub fn login_host(&self) -> Result<LoginHost, LoginUrlError> {
        match self.environment {
            Environment::Production => Ok(LoginHost::production()),
            Environment::Sandbox => Ok(LoginHost::sandbox()),
            Environment::MyDomain => LoginHost::parse(self.my_domain.value()),
        }
    }

    /// Pre-selects from `--login-url`.
    pub fn set_login_url(&mut self, url: &str) {
        self.org_given = true;
        match LoginHost::parse(url) {
            Ok(h) if h.origin() == crate::salesforce::hosts::PRODUCTION => self.environment = Environment::Production,
            Ok(h) if h.origin() == crate::salesforce::hosts::SANDBOX => self.environment = Environment::Sandbox,
            _ => {
                self.environment = Environment::MyDomain;
                self.my_domain.set(url);
            }
        }
    }
}

const HELP: &str = "\
Pick the product you are connecting Salesforce to: its preset decides the OAuth scopes, the settings \
names and the checks. Pick Generic for anything else.

Then pick where your org lives:
- Production: https://login.salesforce.com, for most orgs.
- Sandbox: https://test.salesforce.com, for sandbox copies.
- My Domain: your org's own login address, such as https://acme.my.salesforce.com. Paste any address \
from your org (a Lightning page or a Setup page works): sfconnect finds the login host in it.

{focus_next} moves between the lists; {next} continues.";

impl Step {
    pub const START: Step = Step::new("start");
}

#[derive(Debug)]
pub struct StartScreen;

impl Screen for StartScreen {
    fn id(&self) -> Step {
        Step::START
    }

    fn title(&self) -> &'static str {
        "Start"
    }

    fn on_action(&self, state: &mut State, action: Action) -> Update {
        let focus = state.start.focus;
        if focus == StartFocus::MyDomain && edit(&mut state.start.my_domain, action) {
            state.start.error = None;
            return Update::redraw();
        }
        match action {
            Action::Up | Action::Down => {
                let down = action == Action::Down;
                match focus {
                    StartFocus::Target => {
                        move_cursor(&mut state.start.preset_index, state.presets.len(), down);
                        state.apply_preset();
                        state.touched = true;
                    }
                    StartFocus::Environment | StartFocus::MyDomain => {
                        let mut i = Environment::ALL.iter().position(|e| *e == state.start.environment).unwrap_or(0);
                        move_cursor(&mut i, Environment::ALL.len(), down);
                        state.start.environment = Environment::ALL[i];
                        state.start.focus = if state.start.environment == Environment::MyDomain {
                            StartFocus::MyDomain
                        } else {
                            StartFocus::Environment
                        };
                        state.start.error = None;
                        state.touched = true;
                    }
                }
                Update::redraw()
            }
            Action::FocusNext | Action::FocusPrev | Action::Toggle => {
                state.start.focus = match (focus, state.start.environment) {
                    (StartFocus::Target, Environment::MyDomain) => StartFocus::MyDomain,
                    (StartFocus::Target, _) => StartFocus::Environment,
                    _ => StartFocus::Target,
                };
                Update::redraw()
            }
            Action::Next => {
                // The demo runs against its simulated org whatever is chosen, but a typed My Domain is still
                // checked, so the demo teaches what the real run will refuse.
                if state.demo.is_some() && state.start.environment != Environment::MyDomain {
                    return go_next(state);
                }
                match state.start.login_host() {
                    Ok(_) => go_next(state),
                    Err(e) => {
                        state.start.error = Some(e.to_string());
                        state.start.focus = StartFocus::MyDomain;
                        Update::redraw()
                    }
                }
            }
            _ => Update::none(),
        }
    }

    fn hints(&self, state: &State) -> Vec<Hint> {
        let mut h = vec![(Action::Up, "choose"), (Action::FocusNext, "switch list"), (Action::Next, "continue")];
        if state.start.focus == StartFocus::MyDomain {
            h.retain(|(a, _)| *a != Action::Up);
        }
        h
    }

    fn help(&self, _state: &State) -> &'static str {
        HELP
    }

    fn render(&self, frame: &mut ratatui::Frame, area: ratatui::layout::Rect, state: &State, ctx: crate::ui::Ctx) {
        crate::ui::start::render(frame, area, state, ctx)
    }

    fn on_text(&self, state: &mut State, text: &str) -> Update {
        if state.start.focus != StartFocus::MyDomain {
            return Update::none();
        }
        state.start.my_domain.insert(text);
        state.start.error = None;
        Update::redraw()
    }

    fn text_focus(&self, state: &State) -> bool {
        state.start.focus == StartFocus::MyDomain
    }
}
