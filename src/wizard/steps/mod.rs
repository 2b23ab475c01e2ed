//! One file per step: each is a type implementing [`Screen`] and owns its part of the state, how it reacts
//! to actions and results, the key hints it shows and its help text. This file holds their order and hands
//! each message to the step it is for.

pub mod authorize;
pub mod checks;
pub mod create_app;
pub mod credentials;
pub mod prerequisites;
pub mod propagation;
pub mod result;
pub mod scopes;
pub mod start;
pub mod verify;

use super::msg::{Action, Msg};
use super::screen::Screen;
use super::state::State;
use super::update::Update;

/// A key hint: the action, and what it does on this screen.
pub type Hint = (Action, &'static str);

/// The steps, in the order the wizard shows them. Adding a step is one file implementing [`Screen`] and
/// one line here.
pub static SCREENS: &[&dyn Screen] = &[
    &start::StartScreen,
    &prerequisites::PrerequisitesScreen,
    &create_app::CreateAppScreen,
    &scopes::ScopesScreen,
    &credentials::CredentialsScreen,
    &propagation::PropagationScreen,
    &authorize::AuthorizeScreen,
    &verify::VerifyScreen,
    &checks::ChecksScreen,
    &result::ResultScreen,
];

/// Typed characters and pastes go to the focused text field, if the step has one.
pub fn on_input(state: &mut State, msg: Msg) -> Update {
    let text = match msg {
        Msg::Char(c) => c.to_string(),
        Msg::Paste(p) => p.expose().to_string(),
        _ => return Update::none(),
    };
    let screen = state.screen();
    if !screen.text_focus(state) {
        return Update::none();
    }
    screen.on_text(state, &text)
}

/// Results of the runtime's work and messages between steps. Each is offered to every step until one
/// takes it: a result for a step the user has left still updates that step's state (a probe answer, say),
/// so coming back shows the truth.
pub fn on_result(state: &mut State, mut msg: Msg) -> Update {
    for i in 0..state.screens.len() {
        let screen = state.screens[i];
        match screen.on_result(state, msg) {
            Ok(update) => return update,
            Err(unclaimed) => msg = unclaimed,
        }
    }
    match msg {
        Msg::Kept(Ok(text)) => {
            state.say(text);
            Update::redraw()
        }
        Msg::Kept(Err(text)) => {
            state.warn(text);
            Update::redraw()
        }
        _ => {
            tracing::debug!("a message no step took");
            Update::none()
        }
    }
}

/// True when a text field has the focus: printable keys type into it instead of acting as shortcuts.
pub fn text_focus(state: &State) -> bool {
    state.screen().text_focus(state)
}

/// The key hints for the bottom bar, in order.
pub fn hints(state: &State) -> Vec<Hint> {
    // A question on screen names its own keys (y / n); other keys would only mislead.
    if state.resume.is_some() || state.mode == super::state::Mode::ConfirmQuit {
        return Vec::new();
    }
    let mut hints = state.screen().hints(state);
    hints.push((Action::Help, "help"));
    hints.push((if text_focus(state) { Action::Interrupt } else { Action::Quit }, "quit"));
    hints
}

/// The help text for the `?` overlay.
pub fn help(state: &State) -> &'static str {
    state.screen().help(state)
}

/// The copy and plain-view keys on a screen that explains a refused callback: they carry the line to add to
/// the app's Callback URL field. `None` for any other key.
pub fn callback_line_action(action: Action, callback: String) -> Option<Update> {
    let command = match action {
        Action::Copy => {
            super::msg::Command::Copy { label: "Callback URL".into(), text: callback.into(), secret: false }
        }
        Action::ShowPlain => super::msg::Command::ShowPlain { label: "Callback URL".into(), text: callback.into() },
        _ => return None,
    };
    Some(Update::with(vec![command]))
}

/// Moves a cursor within `0..len`, wrapping.
pub fn move_cursor(cursor: &mut usize, len: usize, down: bool) {
    if len == 0 {
        return;
    }
    *cursor = if down { (*cursor + 1) % len } else { (*cursor + len - 1) % len };
}

/// Applies an editing action to a text field; true when it was one.
pub fn edit(field: &mut super::text::TextField, action: Action) -> bool {
    match action {
        Action::Backspace => field.backspace(),
        Action::Delete => field.delete(),
        Action::Left => field.left(),
        Action::Right => field.right(),
        Action::Home => field.home(),
        Action::End => field.end(),
        Action::ClearField => field.clear(),
        _ => return false,
    }
    true
}
