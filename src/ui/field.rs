//! A one-line text field as drawn: the value between brackets, the cursor cell reversed when the field has
//! the focus, and a window that follows the cursor when the value is wider than the field (the tail shows
//! while typing or after a paste; "…" marks a cut side). Secret values are drawn as bullets.

use ratatui::text::{Line, Span};

use super::theme::Theme;
use crate::wizard::text::TextField;

/// How a field is drawn.
#[derive(Debug, Clone, Copy)]
pub struct FieldLook {
    pub focused: bool,
    /// Draw each character as a bullet.
    pub masked: bool,
}

/// The field as one line of `width` cells (brackets included).
pub fn field_line(field: &TextField, width: usize, look: FieldLook, theme: Theme) -> Line<'static> {
    let chars: Vec<char> = if look.masked { vec!['•'; field.len()] } else { field.value().chars().collect() };
    let inner = width.saturating_sub(2).max(3);
    let cursor = field.cursor().min(chars.len());
    let (start, end, left_cut, right_cut) = window(chars.len() + 1, cursor, inner);
    let mut spans = vec![Span::styled("[", theme.dim())];
    if left_cut {
        spans.push(Span::styled("…", theme.dim()));
    }
    let value_style = theme.value();
    let mut run = String::new();
    for i in start..end {
        let c = chars.get(i).copied().unwrap_or(' ');
        if look.focused && i == cursor {
            spans.push(Span::styled(std::mem::take(&mut run), value_style));
            spans.push(Span::styled(c.to_string(), theme.text_cursor()));
        } else {
            run.push(c);
        }
    }
    spans.push(Span::styled(run, value_style));
    if right_cut {
        spans.push(Span::styled("…", theme.dim()));
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    spans.push(Span::raw(" ".repeat((inner + 1).saturating_sub(used))));
    spans.push(Span::styled("]", theme.dim()));
    Line::from(spans)
}

/// Which of `cells` cells (the value plus the cursor slot after it) to show in `inner` columns so the
/// cursor stays visible: (start, end, cut on the left, cut on the right).
fn window(cells: usize, cursor: usize, inner: usize) -> (usize, usize, bool, bool) {
    if cells <= inner {
        return (0, cells, false, false);
    }
    // The head, with "…" on the right.
    if cursor < inner - 1 {
        return (0, inner - 1, false, true);
    }
    // The tail, with "…" on the left.
    let tail_start = cells - (inner - 1);
    if cursor >= tail_start {
        return (tail_start, cells, true, false);
    }
    // The middle, cut on both sides.
    let avail = inner - 2;
    let start = cursor.saturating_sub(avail / 2).max(1);
    (start, start + avail, true, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_stays_in_the_window() {
        for cells in 1..30 {
            for cursor in 0..cells {
                let (start, end, left, right) = window(cells, cursor, 10);
                assert!(start <= cursor && cursor < end, "cells {cells} cursor {cursor}");
                assert_eq!(end - start + left as usize + right as usize, cells.min(10));
            }
        }
    }
}
