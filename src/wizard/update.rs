//! `update(&mut State, Msg) -> Update`: the one place the wizard's state changes. Global keys (help, quit,
//! time) are handled here; everything else goes to the current step's file.

use super::msg::{Action, Command, Msg};
use super::state::{Mode, State, Step};
use super::steps;

/// What an update asks of the runtime.
#[derive(Debug, Default)]
pub struct Update {
    pub commands: Vec<Command>,
    /// Something visible changed: draw a frame.
    pub dirty: bool,
    /// Messages for other steps, delivered (through their `on_result`) before this update returns.
    pub tell: Vec<Msg>,
}

impl Update {
    pub fn redraw() -> Self {
        Self { dirty: true, ..Self::default() }
    }

    pub fn none() -> Self {
        Self::default()
    }

    pub fn with(commands: Vec<Command>) -> Self {
        Self { commands, dirty: true, tell: Vec::new() }
    }

    /// Sends `msg` to whichever step takes it: how steps tell each other things instead of writing each
    /// other's state.
    pub fn tell(mut self, msg: Msg) -> Self {
        self.tell.push(msg);
        self
    }

    /// Adds what `other` asks for after what this update asks for.
    pub fn merge(&mut self, other: Update) {
        self.commands.extend(other.commands);
        self.dirty |= other.dirty;
        self.tell.extend(other.tell);
    }

    pub fn push(&mut self, command: Command) {
        self.commands.push(command);
        self.dirty = true;
    }
}

/// Applies one message, then delivers what steps told each other on the way.
pub fn update(state: &mut State, msg: Msg) -> Update {
    let mut update = apply(state, msg);
    let mut told = std::mem::take(&mut update.tell);
    // Bounded: a step answering a message with another message is fine, an endless exchange is a bug.
    for _ in 0..16 {
        if told.is_empty() {
            break;
        }
        for msg in std::mem::take(&mut told) {
            let mut answer = steps::on_result(state, msg);
            told.append(&mut answer.tell);
            update.merge(answer);
        }
    }
    debug_assert!(told.is_empty(), "steps kept telling each other things");
    update
}

fn apply(state: &mut State, msg: Msg) -> Update {
    match msg {
        Msg::Tick(now) => {
            state.now = now;
            let screen = state.screen();
            return screen.on_tick(state);
        }
        Msg::Resize => return Update::redraw(),
        Msg::SecretCopyExpired(label) => {
            let after = crate::clipboard::SECRET_ON_CLIPBOARD.as_secs();
            state.say(format!("{label} cleared from the clipboard, {after} s after it was copied."));
            return Update::with(vec![Command::ClearClipboard]);
        }
        Msg::Notice(notice) => {
            state.toast = Some(crate::wizard::state::Toast::Notice(notice));
            return Update::redraw();
        }
        _ => {}
    }
    // Results of the runtime's work always reach their step, whatever is on top of it (a help popup
    // or a question must not stop the probe or lose a token).
    let is_input = matches!(msg, Msg::Action(_) | Msg::Char(_) | Msg::Paste(_));
    if !is_input {
        return steps::on_result(state, msg);
    }
    if state.mode == Mode::ConfirmQuit {
        return confirm_quit(state, &msg);
    }
    if state.resume.is_some() {
        return answer_resume(state, &msg);
    }
    if state.help {
        if let Msg::Action(Action::Help | Action::Back | Action::Next | Action::Quit) = msg {
            state.help = false;
            return Update::redraw();
        }
        if let Msg::Action(Action::Interrupt) = msg {
            return ask_quit(state);
        }
        return Update::none();
    }
    match msg {
        Msg::Action(Action::Help) => {
            state.help = true;
            Update::redraw()
        }
        Msg::Action(Action::Quit | Action::Interrupt) => ask_quit(state),
        Msg::Action(Action::ClearClipboard) => {
            state.say("Clipboard cleared.");
            Update::with(vec![Command::ClearClipboard])
        }
        Msg::Action(action) => {
            // A key press clears the last message, so stale news does not linger.
            let had_toast = state.toast.take().is_some();
            let screen = state.screen();
            let mut update = screen.on_action(state, action);
            update.dirty |= had_toast;
            update
        }
        Msg::Char(_) | Msg::Paste(_) => {
            state.touched = true;
            steps::on_input(state, msg)
        }
        // Every other message was handed to its step above.
        _ => Update::none(),
    }
}

fn ask_quit(state: &mut State) -> Update {
    let unsaved_settings = state.result.settings.is_some() && !state.result.saved_current;
    if (state.touched && state.step != Step::RESULT) || unsaved_settings {
        state.mode = Mode::ConfirmQuit;
        Update::redraw()
    } else {
        quit(state)
    }
}

fn quit(state: &mut State) -> Update {
    state.mode = Mode::Quit;
    Update::with(vec![Command::StopProbe, Command::StopDevice, Command::StopListener, Command::Quit])
}

fn confirm_quit(state: &mut State, msg: &Msg) -> Update {
    match msg {
        Msg::Char('y' | 'Y') | Msg::Action(Action::Interrupt) => quit(state),
        Msg::Char(_) | Msg::Action(_) => {
            state.mode = Mode::Running;
            Update::redraw()
        }
        _ => Update::none(),
    }
}

/// y, Enter or Esc resume the earlier session, n starts over and forgets it. Secrets are asked again, unless the
/// earlier session kept them in the OS keyring (`--keyring`): then the secret goes back in its field
/// and a kept refresh token stands in for a new authorization.
fn answer_resume(state: &mut State, msg: &Msg) -> Update {
    let yes = match msg {
        // Esc closes every other popup, so it must not be the key that forgets: it resumes, and the user can
        // still go back and start over. Only n forgets.
        Msg::Char('y' | 'Y') | Msg::Action(Action::Next | Action::Back) => true,
        Msg::Char('n' | 'N') => false,
        Msg::Action(Action::Interrupt | Action::Quit) => return quit(state),
        _ => return Update::none(),
    };
    let Some(offer) = state.resume.take() else { return Update::none() };
    if !yes {
        let mut update = Update::with(vec![Command::ForgetProgress]);
        if offer.progress.keyring && !offer.progress.client_id.is_empty() {
            update.push(Command::ForgetKept { client_id: offer.progress.client_id.clone() });
        }
        return update;
    }
    let wall = offer.offered_wall + state.now.saturating_duration_since(offer.offered_at);
    let saved_step = offer.progress.step;
    let past_credentials = state.is_after(saved_step, Step::CREDENTIALS);
    let past_verify = !state.is_after(Step::VERIFY, saved_step);
    let step = offer.progress.apply(state, wall);
    let kept = offer.kept;
    let Some(secret) = kept.client_secret.filter(|_| past_credentials) else {
        let mut update = go_to(state, step);
        if past_credentials {
            let why = match &kept.error {
                Some(e) => {
                    format!(
                        "The keyring could not be read ({e}): paste the consumer secret again, then press {{next}}."
                    )
                }
                None if offer.progress.keyring => {
                    "The keyring no longer holds the secret: paste the consumer secret again, then press {next}.".into()
                }
                None if past_verify => "Welcome back. Secrets are never saved: paste the consumer \
                     secret again, press {next}, then authorize again."
                    .to_string(),
                None => "Welcome back. Secrets are never saved: paste the consumer secret again, then press {next}."
                    .to_string(),
            };
            if kept.error.is_some() || offer.progress.keyring {
                state.warn(why)
            } else {
                state.say(why)
            }
            state.credentials.focus = super::steps::credentials::CredFocus::Secret;
        } else {
            state.say("Welcome back: everything you entered is here.");
        }
        update.dirty = true;
        return update;
    };
    // The secret came back from the keyring: go on where the session stopped.
    state.credentials.secret.set(secret.expose());
    let key = state.credentials.key.value().trim().to_string();
    let origin = state.login_host().map(|h| h.origin().to_string()).unwrap_or_default();
    state.propagation.reset_if_changed(&origin, &key, secret.expose().trim());
    let (host, refresh_token) = (state.login_host(), kept.refresh_token);
    match (past_verify, refresh_token, host) {
        (true, Some(refresh_token), Some(host)) => {
            state.verify.begin_exchange(state.now);
            state.verify.resumed = true;
            state.verify.resume_to = (saved_step != Step::VERIFY).then_some(saved_step);
            let app = crate::salesforce::AppCredentials { client_id: key, client_secret: Some(secret) };
            let mut update = go_to(state, Step::VERIFY);
            update.commands.insert(0, Command::RefreshKept { host, app, refresh_token });
            state.say("Welcome back: the consumer secret and refresh token came from the keyring.");
            update
        }
        (true, _, _) => {
            let update = go_to(state, Step::AUTHORIZE);
            state.warn(
                "Welcome back: the secret came from the keyring, but no refresh token was kept: authorize again.",
            );
            update
        }
        _ => {
            let update = go_to(state, saved_step);
            state.say("Welcome back: the consumer secret came from the keyring.");
            update
        }
    }
}

/// Moves to `step`, starting whatever work that step does on entry.
pub fn go_to(state: &mut State, step: Step) -> Update {
    let leaving = state.screen();
    state.step = step;
    state.toast = None;
    let mut update = leaving.on_leave(state);
    let entering = state.screen();
    update.merge(entering.on_enter(state));
    update.dirty = true;
    update
}

/// Moves to the step after the one on screen, in the wizard's order.
pub fn go_next(state: &mut State) -> Update {
    let next = state.next_step();
    go_to(state, next)
}

/// Moves to the step before the one on screen, in the wizard's order.
pub fn go_back(state: &mut State) -> Update {
    let prev = state.prev_step();
    go_to(state, prev)
}
