//! Step 4, Scopes: the scopes with the exact labels of Salesforce's setup screen, the target's set
//! ticked, what each grants, and warnings on broad ones and on a set without refresh_token.

use crate::salesforce::Scopes;
use crate::salesforce::scope::SCOPE_TABLE;
use crate::wizard::msg::{Action, Command};
use crate::wizard::screen::Screen;
use crate::wizard::state::{State, Step};
use crate::wizard::update::{Update, go_back, go_next};

use super::{Hint, move_cursor};

#[derive(Debug, Clone, Default)]
pub struct ScopesState {
    pub selected: Scopes,
    pub cursor: usize,
    /// The app sfconnect created with these scopes: nothing is left to pick in Setup.
    pub set_on_app: Option<String>,
}

/// True when any token of a table row is selected.
pub fn row_selected(selected: &Scopes, row: usize) -> bool {
    SCOPE_TABLE.get(row).is_some_and(|info| info.tokens.iter().any(|t| selected.contains(t)))
}

/// The setup labels of the scopes the target asks for that are not ticked, one per row of Salesforce's list
/// (a row's two tokens, such as refresh_token and offline_access, count once).
pub fn unticked_needed(selected: &Scopes, asked: &[String]) -> Vec<&'static str> {
    let mut labels: Vec<&'static str> = Vec::new();
    for token in Scopes::from_tokens(asked.iter().cloned()).missing_from(selected) {
        if let Some(info) = crate::salesforce::scope::scope_info(&token)
            && !labels.contains(&info.label)
        {
            labels.push(info.label);
        }
    }
    labels
}

/// Warnings for the current selection; `asked` is what the target asks for.
pub fn warnings(selected: &Scopes, asked: &[String]) -> Vec<String> {
    let mut w: Vec<String> = Vec::new();
    if !selected.allows_refresh() {
        w.push("Without \"Perform requests at any time\" Salesforce issues no refresh token: the connector cannot keep working.".into());
    }
    // Said at once: unticked here, the scope is missing from the token, and only step 9 would notice.
    let refresh = crate::salesforce::scope::scope_info("refresh_token").map(|i| i.label);
    for label in unticked_needed(selected, asked).into_iter().filter(|l| Some(*l) != refresh) {
        w.push(format!("The target needs {label}: ticking it back is the fix."));
    }
    if selected.contains("full") {
        w.push(if asked.iter().any(|s| s == "full") {
            "\"Full access\" grants everything the user can do; this target asks for it.".into()
        } else {
            "\"Full access\" grants everything the user can do: keep it only if the target requires it.".into()
        });
    }
    if selected.is_empty() {
        w.push("No scope selected: Salesforce grants nothing useful.".into());
    }
    w
}

const HELP: &str = "\
In the app's OAuth settings, move these scopes from Available OAuth Scopes to Selected OAuth Scopes. \
The labels here are exactly those Salesforce shows.

The target's scopes are ticked. {toggle} ticks or unticks the scope under the cursor; {copy} copies its label, \
to paste into the filter of Salesforce's list.

Perform requests at any time (refresh_token, offline_access) is what gives a refresh token: without it \
the connector stops working when the session ends.

If you change scopes on an app that already exists, Salesforce may need new consumer details: \
Manage Consumer Details > Staged Consumer Details > Generate, then Apply.";

impl Step {
    pub const SCOPES: Step = Step::new("scopes");
}

#[derive(Debug)]
pub struct ScopesScreen;

impl Screen for ScopesScreen {
    fn id(&self) -> Step {
        Step::SCOPES
    }

    fn title(&self) -> &'static str {
        "Scopes"
    }

    fn on_action(&self, state: &mut State, action: Action) -> Update {
        match action {
            Action::Up | Action::Down => {
                move_cursor(&mut state.scopes.cursor, SCOPE_TABLE.len(), action == Action::Down);
                Update::redraw()
            }
            // The app exists with the scopes it was made with: changing them here would not change it.
            Action::Toggle if state.scopes.set_on_app.is_some() => {
                state.warn("These scopes are set on the app sfconnect created; change them in Setup if you must.");
                Update::redraw()
            }
            Action::Toggle => {
                if let Some(info) = SCOPE_TABLE.get(state.scopes.cursor) {
                    let on = row_selected(&state.scopes.selected, state.scopes.cursor);
                    for token in info.tokens {
                        if state.scopes.selected.contains(token) == on {
                            state.scopes.selected.toggle(token);
                        }
                    }
                    // Keep the pair together: Salesforce's one checkbox grants both tokens.
                    state.touched = true;
                }
                Update::redraw()
            }
            Action::Copy => match SCOPE_TABLE.get(state.scopes.cursor) {
                Some(info) => Update::with(vec![Command::Copy {
                    label: "Scope label".into(),
                    text: info.label.to_string().into(),
                    secret: false,
                }]),
                None => Update::none(),
            },
            Action::Next => go_next(state),
            Action::Back => go_back(state),
            _ => Update::none(),
        }
    }

    fn hints(&self, _: &State) -> Vec<Hint> {
        vec![(Action::Toggle, "tick"), (Action::Copy, "copy label"), (Action::Next, "continue"), (Action::Back, "back")]
    }

    fn help(&self, _state: &State) -> &'static str {
        HELP
    }

    fn render(&self, frame: &mut ratatui::Frame, area: ratatui::layout::Rect, state: &State, ctx: crate::ui::Ctx) {
        crate::ui::scopes::render(frame, area, state, ctx)
    }

    /// The create step made the app with the selected scopes: this step is done.
    fn on_result(&self, state: &mut State, msg: crate::wizard::msg::Msg) -> Result<Update, crate::wizard::msg::Msg> {
        match msg {
            crate::wizard::msg::Msg::ScopesSetOnApp { app_name } => {
                state.scopes.set_on_app = Some(app_name);
                Ok(Update::redraw())
            }
            other => Err(other),
        }
    }
}
