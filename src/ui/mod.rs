//! Rendering only: draws the wizard's [`State`] into a ratatui frame. One file per step screen, plus the
//! frame around them (`chrome`), the popups (`overlay`), named styles (`theme`) and the shared pieces a
//! screen is made of (`wrap`, `field`, `elapsed`, `qr`).
//!
//! Must not: change state (it is borrowed), do I/O, read the clock (time on screen comes from `state.now`
//! and the instants in state), or decide anything the wizard decides. Every screen fits 80x24; long text
//! is wrapped, long URLs are cut into lines and never truncated.

pub(crate) mod authorize;
pub(crate) mod checks;
mod chrome;
pub(crate) mod create_app;
pub(crate) mod credentials;
mod elapsed;
mod field;
mod overlay;
pub(crate) mod prerequisites;
pub(crate) mod propagation;
mod qr;
pub(crate) mod result;
pub(crate) mod scopes;
pub(crate) mod start;
mod theme;
pub(crate) mod verify;
mod wrap;

use ratatui::Frame;

use crate::wizard::state::{Mode, State};
pub use chrome::hint_line;
pub use qr::qr_rows;
pub use theme::Theme;

/// A key hint as the runtime computed it from the keymap: (key name like "Enter", "^Y", "↑↓", "Space", "q";
/// description).
pub type KeyHint = (String, &'static str);

/// What every screen gets besides the state.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub theme: Theme,
    pub hints: &'a [KeyHint],
}

impl Ctx<'_> {
    /// The key the hint bar shows for `description` ("copy URL" → "^Y"), to name it in a sentence.
    pub fn key_for(&self, description: &str) -> Option<&str> {
        self.hints.iter().find(|(_, d)| *d == description).map(|(k, _)| k.as_str())
    }
}

/// Draws the whole screen for `state`: the frame, the step's screen, and any popup on top.
/// The smallest terminal the screens are laid out for; below it, rows would go missing without a trace,
/// so a notice asks for a larger window instead (nothing typed is lost, and the keys still work).
pub const MIN_SIZE: (u16, u16) = (70, 20);

pub fn render(frame: &mut Frame, state: &State, hints: &[KeyHint]) {
    let theme = Theme::new(state.surroundings.no_color);
    let ctx = Ctx { theme, hints };
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        let text = format!(
            "This terminal is {}x{}; sfconnect needs at least {}x{} (80x24 is best). Make the window larger: \
             nothing you entered is lost. Ctrl-C quits.",
            area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
        );
        let lines = wrap::lines(&text, usize::from(area.width.saturating_sub(2)).max(10), theme.warning());
        frame.render_widget(ratatui::widgets::Paragraph::new(lines), area.inner(ratatui::layout::Margin::new(1, 1)));
        return;
    }
    let areas = chrome::areas(frame.area(), state);
    chrome::render(frame, &areas, state, hints, theme);
    state.screen().render(frame, areas.body, state, ctx);
    if state.help {
        overlay::help(frame, frame.area(), state, ctx);
    }
    if state.mode == Mode::ConfirmQuit {
        overlay::confirm_quit(frame, frame.area(), state, theme);
    } else if state.resume.is_some() {
        overlay::resume(frame, frame.area(), state, theme);
    }
}
