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
mod notice;
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

use crate::keymap::Context;
pub use crate::keymap::KeyHint;
use crate::wizard::Action;

/// What every screen gets besides the state.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub theme: Theme,
    pub hints: &'a [KeyHint],
    /// Where keys are read now (a field with the focus, or lists), for naming them in sentences.
    pub keys: Context,
}

impl Ctx<'_> {
    /// How a sentence names the key for `action` here ("Ctrl-Y"), when the hint bar offers it: a sentence
    /// that names a key only when it does something now.
    pub fn key_for(&self, action: Action) -> Option<String> {
        self.hints.iter().any(|h| h.action == action).then(|| self.key(action))
    }

    /// How a sentence names the key for `action` here, whether or not the bar shows it.
    pub fn key(&self, action: Action) -> String {
        crate::keymap::spoken(action, self.keys).unwrap_or_else(|| format!("{action:?}"))
    }

    /// `text` with its key placeholders (`{copy}`) filled in from the keymap.
    pub fn fill<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        crate::keymap::fill(text, self.keys)
    }
}

/// Draws the whole screen for `state`: the frame, the step's screen, and any popup on top.
/// The smallest terminal the screens are laid out for; below it, rows would go missing without a trace,
/// so a notice asks for a larger window instead (nothing typed is lost, and the keys still work).
pub const MIN_SIZE: (u16, u16) = (70, 20);

pub fn render(frame: &mut Frame, state: &State, hints: &[KeyHint]) {
    let theme = Theme::new(state.surroundings.no_color);
    let ctx = Ctx { theme, hints, keys: crate::keymap::screen_context(state) };
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        let text = format!(
            "This terminal is {}x{}; sfconnect needs at least {}x{} (80x24 is best). Make the window larger: \
             nothing you entered is lost. {} quits.",
            area.width,
            area.height,
            MIN_SIZE.0,
            MIN_SIZE.1,
            ctx.key(Action::Interrupt)
        );
        let lines = wrap::lines(&text, usize::from(area.width.saturating_sub(2)).max(10), theme.warning());
        frame.render_widget(ratatui::widgets::Paragraph::new(lines), area.inner(ratatui::layout::Margin::new(1, 1)));
        return;
    }
    let areas = chrome::areas(frame.area(), state);
    chrome::render(frame, &areas, state, ctx);
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
