//! Step 9, Checks: one line per verdict as it arrives (✓ pass, ! warn, ✗ fail, – skipped), the fix of
//! the line under the cursor, and the preview of what the connector will see.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::elapsed::{mm_ss, spinner};
use super::wrap::{labelled, lines};
use crate::checks::{Preview, Status};
use crate::wizard::State;

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: Ctx) {
    let theme = ctx.theme;
    let width = area.width as usize;
    let checks = &state.checks;
    let mut out: Vec<Line> = Vec::new();
    if checks.running {
        let waited = checks.started.map(|s| state.now.saturating_duration_since(s)).unwrap_or_default();
        out.push(Line::from(Span::styled(
            format!(
                "{} Checking the org with the new token… {} done, {}",
                spinner(waited),
                checks.verdicts.len(),
                mm_ss(waited)
            ),
            theme.text(),
        )));
    } else {
        let (fails, warns) = (checks.failures(), checks.warnings());
        let summary = match (fails, warns) {
            (0, 0) => Span::styled("✓ Every check passed.".to_string(), theme.success()),
            (0, w) => Span::styled(format!("! {w} to look at; nothing blocks the connector."), theme.warning()),
            (f, _) => Span::styled(
                format!("✗ {f} required check(s) failed: fix them in Setup, then run again."),
                theme.error(),
            ),
        };
        out.push(Line::from(summary));
    }
    // The list takes what is left after the detail and the preview.
    let reserve = 7 + if checks.preview.is_some() { 4 } else { 0 };
    let mut room = (area.height as usize).saturating_sub(reserve + 1).max(3);
    let mut start = checks.cursor.saturating_sub(room.saturating_sub(1));
    if start > 0 {
        // Scrolled: one row says how many are above.
        room = room.saturating_sub(1).max(2);
        start = checks.cursor.saturating_sub(room.saturating_sub(1));
        out.push(Line::from(Span::styled(format!("  ↑ {start} more"), theme.dim())));
    }
    let below = checks.verdicts.len().saturating_sub(start + room);
    for (i, verdict) in checks.verdicts.iter().enumerate().skip(start).take(room) {
        let (mark, style) = match verdict.status {
            Status::Pass => ("✓", theme.success()),
            Status::Warn => ("!", theme.warning()),
            Status::Fail => ("✗", theme.error()),
            Status::Skip => ("–", theme.dim()),
        };
        let pointer = if i == checks.cursor && !checks.running { "▸ " } else { "  " };
        let line = format!("{pointer}{mark} {:<26} {}", verdict.title, verdict.detail);
        let cut: String = if line.chars().count() > width {
            line.chars().take(width.saturating_sub(1)).chain(std::iter::once('…')).collect()
        } else {
            line
        };
        let row_style = if i == checks.cursor && !checks.running { theme.cursor() } else { style };
        out.push(Line::from(Span::styled(cut, row_style)));
    }
    if below > 0 {
        out.push(Line::from(Span::styled(format!("  ↓ {below} more"), theme.dim())));
    }
    if let Some(v) = checks.selected().filter(|_| !checks.running) {
        out.push(Line::default());
        out.extend(lines(&format!("{}: {}", v.title, v.detail), width, theme.text()).into_iter().take(3));
        if let Some(fix) = &v.fix {
            out.extend(labelled(Span::styled("Fix: ", theme.heading()), fix, width, theme.text()).into_iter().take(3));
        }
    }
    if let Some(preview) = &checks.preview {
        out.push(Line::default());
        out.extend(preview_lines(preview, width, ctx));
    }
    frame.render_widget(Paragraph::new(out), area);
}

fn preview_lines(p: &Preview, width: usize, ctx: Ctx) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let licences: Vec<String> = p
        .licences
        .iter()
        .filter(|l| l.total > 0)
        .take(3)
        .map(|l| format!("{} {}/{}", l.name, l.used, l.total))
        .collect();
    let domains: Vec<String> = p.domains.iter().take(4).map(|d| format!("{} ({})", d.domain, d.users)).collect();
    let more = p.domains.len().saturating_sub(4);
    let active =
        p.active_users.map_or("? active users".to_string(), |n| crate::checks::preview::count(n, "active user"));
    let mut text = format!("The connector will see: {active}");
    if !licences.is_empty() {
        text.push_str(&format!("; licences {}", licences.join(", ")));
    }
    let mut out = lines(&text, width, theme.heading());
    let mut by_domain = format!("Users by email domain: {}", domains.join(", "));
    if more > 0 {
        by_domain.push_str(&format!(" and {more} more"));
    }
    by_domain.push_str(&format!("; {} without email.", p.users_without_email));
    out.extend(lines(&by_domain, width, theme.text()));
    out
}
