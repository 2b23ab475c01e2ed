//! Step 4, Scopes: the target's scope set, the scrollable list of Salesforce's scope labels with [x] on the
//! selected rows, what the row under the cursor grants, and the selection's warnings.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::wrap::{labelled, lines};
use crate::salesforce::scope::SCOPE_TABLE;
use crate::wizard::State;
use crate::wizard::steps::scopes::{row_selected, warnings};

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: Ctx) {
    let theme = ctx.theme;
    let width = area.width as usize;
    let selected = &state.scopes.selected;
    let cursor = state.scopes.cursor.min(SCOPE_TABLE.len().saturating_sub(1));

    let mut head: Vec<Line> = Vec::new();
    let target = state.preset().map(|p| p.scopes.join(" ")).unwrap_or_default();
    head.extend(labelled(Span::styled("Target asks for: ", theme.dim()), &target, width, theme.value()));
    match &state.scopes.set_on_app {
        Some(app) => {
            let text = format!("✓ Done: sfconnect created {app} with the scopes ticked below.");
            head.extend(lines(&text, width, theme.success()));
        }
        None => {
            head.extend(lines("Move these to Selected OAuth Scopes in the app's OAuth settings:", width, theme.text()))
        }
    }

    let mut tail: Vec<Line> = vec![Line::default()];
    if let Some(info) = SCOPE_TABLE.get(cursor) {
        tail.extend(labelled(Span::styled("Grants: ", theme.heading()), info.grants, width, theme.text()));
    }
    let asked = state.preset().map(|p| p.scopes.as_slice()).unwrap_or_default();
    for warning in warnings(selected, asked) {
        let style = if ["Without", "No scope", "The target needs"].iter().any(|s| warning.starts_with(s)) {
            theme.error()
        } else {
            theme.warning()
        };
        tail.extend(labelled(Span::styled("! ", style), &warning, width, style));
    }

    // The list gets what is left; it scrolls to keep the cursor in view.
    let room = (area.height as usize).saturating_sub(head.len() + tail.len()).max(3);
    let total = SCOPE_TABLE.len();
    let visible = room.min(total);
    let offset = cursor.saturating_sub(visible.saturating_sub(1)).min(total - visible);
    let mut out = head;
    for (i, info) in SCOPE_TABLE.iter().enumerate().skip(offset).take(visible) {
        let on_cursor = i == cursor;
        let mark = if row_selected(selected, i) { "[x] " } else { "[ ] " };
        let style = if on_cursor {
            theme.cursor()
        } else if info.broad {
            theme.warning()
        } else {
            theme.text()
        };
        let mut spans =
            vec![Span::raw(if on_cursor { "▸ " } else { "  " }), Span::styled(format!("{mark}{}", info.label), style)];
        let more_above = i == offset && offset > 0;
        let more_below = i + 1 == offset + visible && offset + visible < total;
        if more_above || more_below {
            let used: usize = spans.iter().map(|s| s.width()).sum();
            let arrow = if more_above { "↑ more" } else { "↓ more" };
            spans.push(Span::raw(" ".repeat(width.saturating_sub(used + arrow.len()).max(1))));
            spans.push(Span::styled(arrow, theme.dim()));
        }
        out.push(Line::from(spans));
    }
    out.extend(tail);
    frame.render_widget(Paragraph::new(out), area);
}
