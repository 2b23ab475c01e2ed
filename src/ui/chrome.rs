//! The frame around every screen: the top line ("sfconnect · Step N of 9 · <title>", the target's short
//! name, a DEMO tag), the progress line of step dots, the toast line and the hint bar.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::KeyHint;
use super::theme::Theme;
use super::wrap::{lines, wrap};
use crate::wizard::State;
use crate::wizard::steps::create_app::short_target;

/// The rows of the frame.
pub struct Areas {
    pub title: Rect,
    pub progress: Rect,
    pub body: Rect,
    pub toast: Rect,
    pub hints: Rect,
}

/// The frame's rows for `state` in `area`: the toast line grows to up to three rows so a long message is
/// wrapped, not cut.
pub fn areas(area: Rect, state: &State) -> Areas {
    let toast_rows = state.toast.as_ref().map_or(1, |t| {
        let said = super::notice::toast_text(t);
        let text = crate::keymap::fill(&said, crate::keymap::screen_context(state));
        wrap(&text, area.width.saturating_sub(2) as usize).len().clamp(1, 3)
    });
    let [title, progress, body, toast, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(toast_rows as u16),
        Constraint::Length(1),
    ])
    .areas(area);
    // One column of margin on each side of the body reads better and costs little at 80 columns.
    let body = Rect { x: body.x + 1, width: body.width.saturating_sub(2), ..body };
    Areas { title, progress, body, toast, hints }
}

pub fn render(frame: &mut Frame, areas: &Areas, state: &State, ctx: super::Ctx) {
    let (hints, theme) = (ctx.hints, ctx.theme);
    frame.render_widget(Paragraph::new(title_line(state, areas.title.width as usize, theme)), areas.title);
    frame.render_widget(Paragraph::new(progress_line(state, theme)), areas.progress);
    if let Some(toast) = &state.toast {
        let style = if toast.is_error() { theme.error() } else { theme.success() };
        let toast_area = Rect { x: areas.toast.x + 1, width: areas.toast.width.saturating_sub(2), ..areas.toast };
        let said = super::notice::toast_text(toast);
        let text = ctx.fill(&said);
        frame.render_widget(Paragraph::new(lines(&text, toast_area.width as usize, style)), toast_area);
    }
    frame.render_widget(Paragraph::new(hint_line(hints, areas.hints.width as usize, theme)), areas.hints);
}

fn title_line(state: &State, width: usize, theme: Theme) -> Line<'static> {
    let step = state.step;
    let left = format!(" sfconnect · Step {} of {} · {}", state.number(step), state.screens.len(), state.title(step));
    let mut right: Vec<Span<'static>> = Vec::new();
    if let Some(preset) = state.preset() {
        right.push(Span::styled(short_target(&preset.name).to_string(), theme.dim()));
    }
    if state.demo.is_some() {
        right.push(Span::raw(" "));
        right.push(Span::styled(" DEMO ", theme.demo_tag()));
    }
    right.push(Span::raw(" "));
    let left_len = left.chars().count();
    let right_len: usize = right.iter().map(|s| s.width()).sum();
    let mut spans = vec![Span::styled(left, theme.heading())];
    if left_len + 2 + right_len <= width {
        spans.push(Span::raw(" ".repeat(width - left_len - right_len)));
        spans.extend(right);
    }
    Line::from(spans)
}

fn progress_line(state: &State, theme: Theme) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    let current = state.number(state.step);
    for i in 1..=state.screens.len() {
        if i > 1 {
            spans.push(Span::styled("──", theme.dim()));
        }
        let (dot, style) = match i.cmp(&current) {
            std::cmp::Ordering::Less => ("●", theme.success()),
            std::cmp::Ordering::Equal => ("◉", theme.focus()),
            std::cmp::Ordering::Greater => ("○", theme.dim()),
        };
        spans.push(Span::styled(dot, style));
    }
    Line::from(spans)
}

/// The hint bar: "Enter continue  Esc back  ? help  q quit", dropping hints from the end until it fits.
pub fn hint_line(hints: &[KeyHint], width: usize, theme: Theme) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for KeyHint { key, description, .. } in hints {
        let gap = if used > 1 { 2 } else { 0 };
        let need = gap + key.chars().count() + 1 + description.chars().count();
        if used + need > width {
            break;
        }
        if gap > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(key.clone(), theme.key()));
        spans.push(Span::raw(format!(" {description}")));
        used += need;
    }
    Line::from(spans)
}
