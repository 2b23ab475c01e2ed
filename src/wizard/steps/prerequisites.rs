//! Step 2, Before you start: the prerequisites the vendor procedures list, each with why it matters.
//! The user ticks what they know; nothing blocks, and the API checks confirm them later.

use crate::checks::CheckId;
use crate::presets::Preset;
use crate::wizard::msg::Action;
use crate::wizard::screen::Screen;
use crate::wizard::state::{State, Step};
use crate::wizard::update::{Update, go_back, go_next};

use super::{Hint, move_cursor};

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrereqItem {
    pub title: &'static str,
    pub why: &'static str,
}

#[derive(Debug, Clone, Default)]
pub struct PrereqState {
    pub ticked: Vec<bool>,
    pub cursor: usize,
}

/// The checklist for a target: the general items, then the target's own.
pub fn items(preset: Option<&Preset>) -> Vec<PrereqItem> {
    let mut items = vec![
        PrereqItem {
            title: "An edition with API access",
            why: "Enterprise, Unlimited, Performance and Developer have it; Professional needs the API add-on. Without it every connector call fails.",
        },
        PrereqItem {
            title: "You may create apps",
            why: "Creating and managing the app needs Customize Application, plus Modify All Data or Manage Connected Apps.",
        },
        PrereqItem {
            title: "MFA is set up first",
            why: "If the org uses multi-factor authentication, enable it before creating the app the integration will use.",
        },
        PrereqItem {
            title: "You may use an uninstalled app",
            why: "Since September 2025 uninstalled apps are blocked unless the user has \"Approve Uninstalled Connected Apps\" (or \"Use Any API Client\" with API Access Control).",
        },
    ];
    let required = |id: CheckId| preset.is_some_and(|p| p.checks.lists(id));
    if required(CheckId::SystemAdmin) {
        items.push(PrereqItem {
            title: "You are a System Administrator",
            why: "This target needs the System Administrator profile (or one with the same permissions) for some of its actions.",
        });
    }
    if required(CheckId::LicenceSalesforce) {
        items.push(PrereqItem {
            title: "The user has a Salesforce licence",
            why: "A Salesforce Platform licence is not enough for this integration: use a user with the full Salesforce licence.",
        });
    }
    items
}

const HELP: &str = "\
These are the prerequisites the vendor procedures list. Tick ({toggle}) the ones you know are true; \
leave the rest. Nothing here blocks you: once sfconnect holds a token it checks what it can through \
the API and tells you exactly what to fix.

If you are not sure about permissions, ask whoever administers your org, or continue and let the \
checks find out.";

impl Step {
    pub const PREREQUISITES: Step = Step::new("prerequisites");
}

#[derive(Debug)]
pub struct PrerequisitesScreen;

impl Screen for PrerequisitesScreen {
    fn id(&self) -> Step {
        Step::PREREQUISITES
    }

    fn title(&self) -> &'static str {
        "Before you start"
    }

    fn on_action(&self, state: &mut State, action: Action) -> Update {
        let len = items(state.preset()).len();
        state.prereq.ticked.resize(len, false);
        match action {
            Action::Up | Action::Down => {
                move_cursor(&mut state.prereq.cursor, len, action == Action::Down);
                Update::redraw()
            }
            Action::Toggle => {
                if let Some(t) = state.prereq.ticked.get_mut(state.prereq.cursor) {
                    *t = !*t;
                    state.touched = true;
                }
                Update::redraw()
            }
            Action::Next => go_next(state),
            Action::Back => go_back(state),
            _ => Update::none(),
        }
    }

    fn hints(&self, _: &State) -> Vec<Hint> {
        vec![(Action::Toggle, "tick"), (Action::Next, "continue"), (Action::Back, "back")]
    }

    fn help(&self, _state: &State) -> &'static str {
        HELP
    }

    fn render(&self, frame: &mut ratatui::Frame, area: ratatui::layout::Rect, state: &State, ctx: crate::ui::Ctx) {
        crate::ui::prerequisites::render(frame, area, state, ctx)
    }
}
