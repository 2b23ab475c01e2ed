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
use crate::wizard::Action;
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
    } else if let Some(why) = &checks.unreachable {
        // One cause behind every line: say it, rather than count checks that could not be made.
        let again = ctx.key_for(Action::Retry).map(|k| format!(", then run again ({k})")).unwrap_or_default();
        out.extend(lines(
            &format!("✗ Salesforce could not be reached, so nothing was checked: {why}. Check the network{again}."),
            width,
            theme.error(),
        ));
    } else {
        let (fails, warns) = (checks.failures(), checks.warnings());
        let summary = match (fails, warns) {
            // Checks the API cannot see are marked – and are not "passed".
            (0, 0) if checks.verdicts.iter().any(|v| v.status == Status::Skip) => Span::styled(
                "✓ Every check that could be made passed; look at the – lines in Setup.".to_string(),
                theme.success(),
            ),
            (0, 0) => Span::styled("✓ Every check passed.".to_string(), theme.success()),
            (0, w) => Span::styled(format!("! {w} to look at; nothing blocks the connector."), theme.warning()),
            (f, _) => Span::styled(
                format!(
                    "✗ {} failed: fix {} in Setup, then run again ({}).",
                    crate::checks::preview::count(f as u64, "required check"),
                    if f == 1 { "it" } else { "them" },
                    ctx.key(Action::Retry)
                ),
                theme.error(),
            ),
        };
        out.push(Line::from(summary));
        let unticked = crate::wizard::steps::checks::unticked_not_granted(state);
        if !unticked.is_empty() {
            let text = format!(
                "You unticked {} on step 4: {} back to the Scopes step, tick {}, then authorize again.",
                unticked.join(", "),
                ctx.key(Action::Back),
                if unticked.len() == 1 { "it" } else { "them" }
            );
            out.extend(lines(&text, width, theme.warning()));
        }
    }
    // The selected line's detail and fix are shown whole: they are what the admin acts on. The list
    // takes what is left, at least a few rows; the preview gives way first when space is short.
    let height = area.height as usize;
    let mut detail: Vec<Line> = Vec::new();
    if let Some(v) = checks.selected().filter(|_| !checks.running) {
        detail.push(Line::default());
        detail.extend(lines(&format!("{}: {}", v.title, v.detail), width, theme.text()));
        if let Some(fix) = &v.fix {
            detail.extend(labelled(Span::styled("Fix: ", theme.heading()), fix, width, theme.text()));
        }
    }
    let mut preview: Vec<Line> = Vec::new();
    if checks.unreachable.is_some() && !checks.running {
        preview.push(Line::default());
        preview.extend(lines(
            "The preview of what the connector will see (users, licences, email domains) needs an answer from \
             Salesforce: none came.",
            width,
            theme.text(),
        ));
    } else if let Some(p) = &checks.preview {
        preview.push(Line::default());
        preview.extend(preview_lines(p, width, ctx));
    }
    let list_min = checks.verdicts.len().clamp(1, 4);
    if out.len() + list_min + detail.len() + preview.len() > height {
        preview.clear();
    }
    let detail_room = height.saturating_sub(out.len() + list_min);
    if detail.len() > detail_room {
        detail.truncate(detail_room.saturating_sub(1));
        detail.push(Line::from(Span::styled("… (sfconnect check shows it all)", theme.dim())));
    }
    let room = height.saturating_sub(out.len() + detail.len() + preview.len()).max(list_min);
    out.extend(list_lines(state, room, width, ctx));
    out.extend(detail);
    out.extend(preview);
    frame.render_widget(Paragraph::new(out), area);
}

/// At most `room` lines of verdicts around the cursor, with "↑ N more" / "↓ N more" when cut.
fn list_lines(state: &State, room: usize, width: usize, ctx: Ctx) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let checks = &state.checks;
    let total = checks.verdicts.len();
    let mut out = Vec::new();
    // The window of rows around the cursor: all of them if they fit, else room less a row for each
    // marker needed ("↑ N more" above, "↓ N more" below).
    let window = |rows: usize| checks.cursor.saturating_sub(rows.saturating_sub(1)).min(total.saturating_sub(rows));
    let (mut rows, mut start) = (total.min(room), 0);
    if total > room {
        rows = room.saturating_sub(1).max(1);
        start = window(rows);
        if start > 0 && start + rows < total {
            rows = room.saturating_sub(2).max(1);
            start = window(rows);
        }
    }
    if start > 0 {
        out.push(Line::from(Span::styled(format!("  ↑ {start} more"), theme.dim())));
    }
    for (i, verdict) in checks.verdicts.iter().enumerate().skip(start).take(rows) {
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
    let below = total.saturating_sub(start + rows);
    if below > 0 {
        out.push(Line::from(Span::styled(format!("  ↓ {below} more"), theme.dim())));
    }
    out
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
    // All users and, when they differ, the active ones: the headline counts active users only.
    let domains: Vec<String> = p
        .domains
        .iter()
        .take(4)
        .map(|d| match d.active == d.users {
            true => format!("{} ({})", d.domain, d.users),
            false => format!("{} ({}, {} active)", d.domain, d.users, d.active),
        })
        .collect();
    let more = p.domains.len().saturating_sub(4);
    let active = p.active_users.map_or("active users not counted (could not be read)".to_string(), |n| {
        crate::checks::preview::count(n, "active user")
    });
    let mut text = format!("The connector will see: {active}");
    if !licences.is_empty() {
        text.push_str(&format!("; licences {}", licences.join(", ")));
    }
    let mut out = lines(&text, width, theme.heading());
    let by_domain = if p.domains.is_empty() && p.users == 0 {
        // Nothing came back: an empty list would read as an org without users.
        "Users by email domain: could not be read.".to_string()
    } else {
        let mut text = format!("Users by email domain: {}", domains.join(", "));
        if more > 0 {
            text.push_str(&format!(" and {more} more"));
        }
        text.push_str(&format!("; {} without email.", p.users_without_email));
        text
    };
    out.extend(lines(&by_domain, width, theme.text()));
    out
}
