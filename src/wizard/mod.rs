//! The wizard: a pure state machine. `update(&mut State, Msg)` returns the commands to run and whether
//! anything visible changed; it never awaits, never touches the network, files or the terminal. The
//! runtime turns keys into messages, runs the commands on tasks, and draws with `ui`.

pub mod msg;
pub mod notice;
pub mod progress;
pub mod screen;
pub mod state;
pub mod steps;
pub mod text;
pub mod update;

pub use msg::{Action, Command, Msg};
pub use screen::Screen;
pub use state::{State, Step, Surroundings};
pub use update::{Update, update};

/// How often the runtime should send [`Msg::Tick`] for what is on screen now; `None` when nothing on
/// screen changes with time (then the loop sleeps until a key or a result arrives).
pub fn tick_interval(state: &State) -> Option<std::time::Duration> {
    state.screen().tick_interval(state)
}
