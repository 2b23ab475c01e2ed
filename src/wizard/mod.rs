//! The wizard: a pure state machine. `update(&mut State, Msg)` returns the commands to run and whether
//! anything visible changed; it never awaits, never touches the network, files or the terminal. The
//! runtime turns keys into messages, runs the commands on tasks, and draws with `ui`.

pub mod msg;
pub mod progress;
pub mod state;
pub mod steps;
pub mod text;
pub mod update;

pub use msg::{Action, Command, Msg};
pub use state::{State, Step, Surroundings};
pub use update::{Update, update};

/// How often the runtime should send [`Msg::Tick`] for what is on screen now; `None` when nothing on
/// screen changes with time (then the loop sleeps until a key or a result arrives).
pub fn tick_interval(state: &State) -> Option<std::time::Duration> {
    use steps::authorize::{DeviceStatus, Method};
    let second = Some(std::time::Duration::from_secs(1));
    match state.step {
        Step::Propagation if state.propagation.waiting() => second,
        Step::Authorize
            if state.authorize.method == Method::Device
                && matches!(state.authorize.device, DeviceStatus::Polling { .. }) =>
        {
            second
        }
        Step::Verify if state.verify.busy() => Some(std::time::Duration::from_millis(250)),
        Step::Checks if state.checks.running => Some(std::time::Duration::from_millis(250)),
        Step::CreateApp if state.create_app.for_me.busy() => Some(std::time::Duration::from_millis(250)),
        _ => None,
    }
}
