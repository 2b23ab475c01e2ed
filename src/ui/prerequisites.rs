//! Step 2, Before you start: the checklist with [x]/[ ], the "why" of every item when the screen has room
//! (else of the item under the cursor), and the reminder that nothing here blocks.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::wrap::lines;
use crate::wizard::State;
use crate::wizard::steps::prerequisites::items;

const NOTHING_BLOCKS: &str = "Nothing here blocks you: sfconnect checks these through the API later.";

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: Ctx) {
    let theme = ctx.theme;
    let width = area.width as usize;
    let items = items(state.preset());
    let cursor = state.prereq.cursor.min(items.len().saturating_sub(1));
    let ticked = |i: usize| state.prereq.ticked.get(i).copied().unwrap_or(false);
    let why_width = width.saturating_sub(6);

    let mut head =
        lines("Tick what you know is true of your org and the user who will authorize:", width, theme.text());
    head.push(Line::default());
    let tail = {
        let mut t = vec![Line::default()];
        t.extend(lines(NOTHING_BLOCKS, width, theme.dim()));
        t
    };
    let all_whys: usize = items.iter().map(|i| 1 + lines(i.why, why_width, theme.dim()).len()).sum();
    let show_all = head.len() + all_whys + tail.len() <= area.height as usize;

    let mut out = head;
    for (i, item) in items.iter().enumerate() {
        let on_cursor = i == cursor;
        let mark = if ticked(i) { "[x] " } else { "[ ] " };
        let style = if on_cursor { theme.cursor() } else { theme.text() };
        let pointer = if on_cursor { "▸ " } else { "  " };
        out.push(Line::from(vec![Span::raw(pointer), Span::styled(format!("{mark}{}", item.title), style)]));
        if show_all || on_cursor {
            let why_style = if on_cursor { theme.text() } else { theme.dim() };
            for line in lines(item.why, why_width, why_style) {
                let mut line = line;
                line.spans.insert(0, Span::raw("      "));
                out.push(line);
            }
        }
    }
    out.extend(tail);
    frame.render_widget(Paragraph::new(out), area);
}
