//! One file per step: each owns its part of the state, how it reacts to actions and results, the key
//! hints it shows, and its help text. This file only dispatches to the current step.

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
use super::state::{State, Step};
use super::update::Update;

/// A key hint: the action, and what it does on this screen.
pub type Hint = (Action, &'static str);

pub fn on_action(state: &mut State, action: Action) -> Update {
    match state.step {
        Step::Start => start::on_action(state, action),
        Step::Prerequisites => prerequisites::on_action(state, action),
        Step::CreateApp => create_app::on_action(state, action),
        Step::Scopes => scopes::on_action(state, action),
        Step::Credentials => credentials::on_action(state, action),
        Step::Propagation => propagation::on_action(state, action),
        Step::Authorize => authorize::on_action(state, action),
        Step::Verify => verify::on_action(state, action),
        Step::Checks => checks::on_action(state, action),
        Step::Result => result::on_action(state, action),
    }
}

/// Typed characters and pastes go to the focused text field, if the step has one.
pub fn on_input(state: &mut State, msg: Msg) -> Update {
    let text = match msg {
        Msg::Char(c) => c.to_string(),
        Msg::Paste(p) => p.expose().to_string(),
        _ => return Update::none(),
    };
    match state.step {
        Step::Start => start::on_text(state, &text),
        Step::CreateApp => create_app::on_text(state, &text),
        Step::Credentials => credentials::on_text(state, &text),
        Step::Authorize => authorize::on_text(state, &text),
        Step::Result => result::on_text(state, &text),
        _ => Update::none(),
    }
}

/// Results of the runtime's work. A result for a step the user has left still updates that step's
/// state (a probe answer, say), so coming back shows the truth.
pub fn on_result(state: &mut State, msg: Msg) -> Update {
    match msg {
        Msg::Probe(r) => propagation::on_probe(state, r),
        Msg::ProbeRetrying(text) => {
            state.propagation.status = propagation::ProbeStatus::Retrying(text);
            Update::redraw()
        }
        Msg::ProbeUnreachable { message, retry_in } => propagation::on_unreachable(state, message, retry_in),
        Msg::DeviceStarted(r) => authorize::on_device_started(state, r),
        Msg::DevicePending { polls } => authorize::on_device_pending(state, polls),
        Msg::ListenerReady(r) => authorize::on_listener_ready(state, r),
        Msg::RedirectArrived(url) => authorize::on_redirect(state, url.expose()),
        Msg::Authorized(r) => verify::on_authorized(state, r),
        Msg::DeviceAuthorized(r) => {
            let approved = r.is_ok();
            let update = verify::on_authorized(state, r);
            state.verify.via_device = approved;
            update
        }
        Msg::Verified(r) => verify::on_verified(state, r),
        Msg::Saved(r) => result::on_saved(state, r),
        Msg::CheckVerdict(v) => checks::on_verdict(state, v),
        Msg::ChecksDone(report) => checks::on_done(state, *report),
        Msg::Kept(Ok(text)) => {
            state.say(text);
            Update::redraw()
        }
        Msg::Kept(Err(text)) => {
            state.warn(text);
            Update::redraw()
        }
        msg => create_app::on_result(state, msg).unwrap_or_else(|_| Update::none()),
    }
}

pub fn on_tick(state: &mut State) -> Update {
    match state.step {
        Step::Propagation => propagation::on_tick(state),
        Step::Authorize => authorize::on_tick(state),
        Step::Verify => verify::on_tick(state),
        Step::Checks => checks::on_tick(state),
        Step::CreateApp => create_app::on_tick(state),
        _ => Update::none(),
    }
}

pub fn on_enter(state: &mut State) -> Update {
    match state.step {
        Step::Propagation => propagation::on_enter(state),
        Step::Authorize => authorize::on_enter(state),
        Step::Checks => checks::on_enter(state),
        _ => Update::none(),
    }
}

pub fn on_leave(state: &mut State, left: Step) -> Update {
    match left {
        Step::Authorize => authorize::on_leave(state),
        _ => Update::none(),
    }
}

/// True when a text field has the focus: printable keys type into it instead of acting as shortcuts.
pub fn text_focus(state: &State) -> bool {
    match state.step {
        Step::Start => start::text_focus(state),
        Step::CreateApp => create_app::text_focus(state),
        Step::Credentials => true,
        Step::Authorize => authorize::text_focus(state),
        Step::Result => result::text_focus(state),
        _ => false,
    }
}

/// The key hints for the bottom bar, in order.
pub fn hints(state: &State) -> Vec<Hint> {
    // A question on screen names its own keys (y / n); other keys would only mislead.
    if state.resume.is_some() || state.mode == super::state::Mode::ConfirmQuit {
        return Vec::new();
    }
    let mut hints = match state.step {
        Step::Start => start::hints(state),
        Step::Prerequisites => prerequisites::hints(state),
        Step::CreateApp => create_app::hints(state),
        Step::Scopes => scopes::hints(state),
        Step::Credentials => credentials::hints(state),
        Step::Propagation => propagation::hints(state),
        Step::Authorize => authorize::hints(state),
        Step::Verify => verify::hints(state),
        Step::Checks => checks::hints(state),
        Step::Result => result::hints(state),
    };
    hints.push((Action::Help, "help"));
    hints.push((if text_focus(state) { Action::Interrupt } else { Action::Quit }, "quit"));
    hints
}

/// The help text for the `?` overlay.
pub fn help(state: &State) -> &'static str {
    match state.step {
        Step::Start => start::HELP,
        Step::Prerequisites => prerequisites::HELP,
        Step::CreateApp => create_app::help(state),
        Step::Scopes => scopes::HELP,
        Step::Credentials => credentials::HELP,
        Step::Propagation => propagation::HELP,
        Step::Authorize => authorize::HELP,
        Step::Verify => verify::HELP,
        Step::Checks => checks::HELP,
        Step::Result if state.preset().is_some_and(|p| p.brings_own_app()) => result::HELP_OWN_APP,
        Step::Result => result::HELP,
    }
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
