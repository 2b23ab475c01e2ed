//! The one trait every wizard step implements, and the identity of a step.
//!
//! A step is one type implementing [`Screen`], placed in the ordered list `steps::SCREENS`: the list is the
//! order of the wizard, and nothing else in the program enumerates the steps. Methods without a default are
//! the ones every screen must think about (keys, hints, help, drawing); the defaults are the ones where doing
//! nothing is right (a screen without a text field ignores typing, one without background work owns no
//! results, one that shows nothing moving needs no tick).

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::msg::{Action, Msg};
use super::state::State;
use super::steps::Hint;
use super::update::Update;
use crate::ui::Ctx;

/// Which step: a short stable id (the progress file stores it). Built-in steps name theirs as associated
/// constants in their own file (`Step::SCOPES` in `steps/scopes.rs`); the order lives in the screen list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Step(&'static str);

impl Step {
    pub const fn new(id: &'static str) -> Step {
        Step(id)
    }

    pub fn id(self) -> &'static str {
        self.0
    }
}

impl serde::Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

/// Only the built-in steps can be read back from a file: an id no screen has (a file from another version)
/// is refused, and the caller starts over rather than showing a step that does not exist.
impl<'de> serde::Deserialize<'de> for Step {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        super::steps::SCREENS.iter().map(|s| s.id()).find(|s| s.0 == id).ok_or_else(|| {
            let known: Vec<&str> = super::steps::SCREENS.iter().map(|s| s.id().0).collect();
            serde::de::Error::custom(format!("unknown step \"{id}\" (known: {})", known.join(", ")))
        })
    }
}

/// One wizard step: how it reacts to keys, typing, results and time, what keys it offers, its help, and how
/// it is drawn. Steps change only their own part of the state; to tell another step something, a step sends
/// a message ([`Update::tell`]), which reaches the other step's [`Screen::on_result`].
pub trait Screen: std::fmt::Debug + Sync {
    /// The step's id (an associated constant of [`Step`]).
    fn id(&self) -> Step;

    /// The title in the top line and the help popup.
    fn title(&self) -> &'static str;

    /// A key the keymap turned into an action, while this step is on screen.
    fn on_action(&self, state: &mut State, action: Action) -> Update;

    /// The key hints for the bottom bar, in order (help and quit are added for every step).
    fn hints(&self, state: &State) -> Vec<Hint>;

    /// The text of the help popup.
    fn help(&self, state: &State) -> &'static str;

    /// Draws the step into `area` (the frame around it is drawn already). Borrows the state: drawing never
    /// changes anything.
    fn render(&self, frame: &mut Frame, area: Rect, state: &State, ctx: Ctx);

    /// Typed characters or a paste, while [`Screen::text_focus`] is true.
    fn on_text(&self, _state: &mut State, _text: &str) -> Update {
        Update::none()
    }

    /// True while a text field has the focus: printable keys then type instead of acting as shortcuts.
    fn text_focus(&self, _state: &State) -> bool {
        false
    }

    /// A result of the runtime's work, or a message from another step, offered to every step in turn
    /// whatever is on screen: `Err` gives it back when it is not this step's.
    #[allow(
        clippy::result_large_err,
        reason = "a message is handed back by value to be offered to the next step: moving it is the point, \
                  and boxing every result to shrink this return would allocate for nothing"
    )]
    fn on_result(&self, _state: &mut State, msg: Msg) -> Result<Update, Msg> {
        Err(msg)
    }

    /// The step comes on screen: start what it does by itself.
    fn on_enter(&self, _state: &mut State) -> Update {
        Update::none()
    }

    /// The step leaves the screen: stop what only makes sense while it is shown.
    fn on_leave(&self, _state: &mut State) -> Update {
        Update::none()
    }

    /// Time passed (only sent while [`Screen::tick_interval`] asks for it).
    fn on_tick(&self, _state: &mut State) -> Update {
        Update::none()
    }

    /// How often to tick while this step is on screen; `None` when nothing shown changes with time.
    fn tick_interval(&self, _state: &State) -> Option<Duration> {
        None
    }
}
