//! Step 9, Your settings: the table of values as the target's form names them (secrets masked with their
//! length unless revealed), the cursor row highlighted, the company names with what `*` means or the
//! domains, the editing field, the target's note on company names, and the file line.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::field::{FieldLook, field_line};
use super::wrap::{hard_wrap, lines, wrap};
use crate::presets::SettingsKey;
use crate::settings::ConnectorSettings;
use crate::wizard::Action;
use crate::wizard::State;
use crate::wizard::steps::create_app::short_target;
use crate::wizard::steps::result::rows;
use crate::wizard::steps::verify::VerifyStatus;

/// Width of the label column.
const LABEL: usize = 18;

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: Ctx) {
    let theme = ctx.theme;
    let width = area.width as usize;
    let r = &state.result;
    let mut out: Vec<Line> = Vec::new();
    match &state.verify.status {
        VerifyStatus::Done { connected_as } => out.extend(lines(&format!("✓ {connected_as}"), width, theme.success())),
        VerifyStatus::Failed { headline, .. } => out.extend(lines(
            &format!("✗ These settings did not pass the check: {headline}. Save them if you will fix the org, then run `sfconnect check`."),
            width,
            theme.error(),
        )),
        _ => {}
    }
    // The checks' verdict follows the settings to the last step: a failed required check means the
    // connector will not work until the org is fixed, which is easy to forget two screens later.
    let checks = &state.checks;
    if checks.done {
        let failed: Vec<&str> =
            checks.verdicts.iter().filter(|v| v.status == crate::checks::Status::Fail).map(|v| v.title).collect();
        let (fails, warns) = (failed.len(), checks.warnings());
        if checks.unreachable.is_some() {
            out.extend(lines(
                "! The checks could not reach Salesforce, so nothing is known about the org yet: run \
                 `sfconnect check` with the saved settings once the network works.",
                width,
                theme.warning(),
            ));
        } else if fails > 0 {
            let text = format!(
                "✗ {} failed: {}. The connector will not work until it is fixed in Setup ({} shows the fix).",
                crate::checks::preview::count(fails as u64, "required check"),
                failed.join(", "),
                ctx.key(Action::Back)
            );
            out.extend(lines(&text, width, theme.error()));
        } else if warns > 0 {
            let text = format!(
                "! {} to look at on the checks step ({}); nothing blocks the connector.",
                crate::checks::preview::count(warns as u64, "advisory check"),
                ctx.key(Action::Back)
            );
            out.extend(lines(&text, width, theme.warning()));
        }
    }
    let Some(settings) = &r.settings else {
        out.extend(lines("No settings yet: go back and authorize first.", width, theme.text()));
        frame.render_widget(Paragraph::new(out), area);
        return;
    };
    let target = state.preset().map(|p| short_target(&p.name).to_string()).unwrap_or_else(|| "the connector".into());
    if state.preset().is_some_and(|p| p.brings_own_app()) {
        let text = format!(
            "{target} asks for none of these (its own app takes the consent when you connect). The checks were \
             the point; keep these only to run `sfconnect check` again, or revoke the token (`sfconnect revoke`) \
             and delete the app you made for this."
        );
        out.extend(lines(&text, width, theme.heading()));
    } else {
        out.extend(lines(
            &format!("Paste these into the settings of {target}, field by field:"),
            width,
            theme.heading(),
        ));
    }
    out.push(Line::default());

    let rows = rows(state);
    let cursor = r.cursor.min(rows.len().saturating_sub(1));
    let room = width.saturating_sub(LABEL + 1);
    for (i, row) in rows.iter().enumerate() {
        let on_cursor = i == cursor;
        let label_style = if on_cursor { theme.cursor() } else { theme.dim() };
        let label = format!("{:<w$}", row.label, w = LABEL - 2);
        let lead =
            vec![Span::raw(if on_cursor { "▸ " } else { "  " }), Span::styled(label, label_style), Span::raw(" ")];
        let value_lines: Vec<Line<'static>> = if row.key == SettingsKey::CompanyNames && r.picker.is_some() {
            picker_lines(state, room, ctx)
        } else if row.key == SettingsKey::CompanyNames && r.editing_company {
            let masked = state.looks_secret(r.company.value());
            let mut l = field_line(&r.company, room, FieldLook { focused: true, masked }, theme);
            l.spans.insert(0, Span::raw(""));
            let mut v = vec![l];
            v.extend(lines("domains separated by commas (copied one per row), or * for everyone", room, theme.dim()));
            v
        } else {
            value_lines(settings, row.key, r.reveal, room, ctx)
        };
        for (j, line) in value_lines.into_iter().enumerate() {
            let head = if j == 0 { lead.clone() } else { vec![Span::raw(" ".repeat(LABEL + 1))] };
            out.push(Line::from([head, line.spans].concat()));
        }
    }

    out.push(Line::default());
    // Where the file goes, worded by whether it is written yet, so a path is never mistaken for a save.
    let saved_here = r.saved.as_ref().filter(|s| r.saved_current && Some(*s) == r.path().as_ref());
    match (saved_here, r.path()) {
        (Some(saved), _) => out.extend(lines(
            &format!("✓ Saved: {} ({}, mode 0600)", saved.display(), r.format.name()),
            width,
            theme.success(),
        )),
        (None, Some(path)) => {
            let save = ctx.key_for(Action::Save).map(|k| format!("{k} saves to")).unwrap_or_else(|| "Saves to".into());
            let format = ctx.key_for(Action::Format).map(|k| format!("; {k} changes the format")).unwrap_or_default();
            out.extend(lines(
                &format!("{save}: {} ({}{format})", path.display(), r.format.name()),
                width,
                theme.text(),
            ));
            // Only the format (and so the file name) changed since the save: the values are in that file.
            match &r.saved {
                Some(saved) if r.saved_current => out.extend(lines(
                    &format!(
                        "These values are saved in {}; saving here writes them in this format too.",
                        saved.display()
                    ),
                    width,
                    theme.text(),
                )),
                Some(saved) => out.extend(lines(
                    &format!("Saved earlier: {}; what changed since is not saved yet.", saved.display()),
                    width,
                    theme.warning(),
                )),
                None => {}
            }
        }
        (None, None) => {
            out.extend(lines("File: none chosen (start sfconnect with --output FILE to save)", width, theme.text()))
        }
    }

    let on_company = rows.get(cursor).is_some_and(|row| row.key == SettingsKey::CompanyNames);
    if on_company && let Some(preset) = state.preset() {
        let notes: Vec<&String> =
            preset.notes.iter().filter(|n| n.contains("Company names") || n.contains("domains")).collect();
        if !notes.is_empty() {
            out.push(Line::default());
        }
        for note in notes {
            out.extend(lines(&format!("- {note}"), width, theme.dim()));
        }
    }
    if let Some(preset) = state.preset().filter(|p| p.brings_own_app()) {
        // What to do next happens in the target's product: its procedure's notes say how.
        out.push(Line::default());
        out.extend(lines(&format!("Next, in {}:", preset.vendor), width, theme.heading()));
        for note in &preset.notes {
            out.extend(lines(&format!("- {note}"), width, theme.text()));
        }
    }
    frame.render_widget(Paragraph::new(out), area);
}

/// The company-names picker: `*` then the org's email domains with their user counts, five at a time.
fn picker_lines(state: &State, room: usize, ctx: Ctx) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let r = &state.result;
    let cursor = r.picker.unwrap_or(0);
    let total: u64 = r.domains.iter().map(|(_, n)| n).sum::<u64>() + r.users_without_email;
    let label = |i: usize| -> String {
        match i {
            0 => format!("* every user ({total}, {} without email)", r.users_without_email),
            _ => r
                .domains
                .get(i - 1)
                .map(|(d, n)| format!("{d} ({})", crate::checks::preview::count(*n, "user")))
                .unwrap_or_default(),
        }
    };
    const VISIBLE: usize = 5;
    let count = r.domains.len() + 1;
    let first = cursor.saturating_sub(VISIBLE - 1).min(count.saturating_sub(VISIBLE));
    let mut out: Vec<Line<'static>> = (first..count.min(first + VISIBLE))
        .map(|i| {
            let mark = if r.picked(i) { "[x]" } else { "[ ]" };
            let text: String = format!("{mark} {}", label(i)).chars().take(room).collect();
            Line::from(Span::styled(text, if i == cursor { theme.cursor() } else { theme.value() }))
        })
        .collect();
    if count > VISIBLE {
        out.push(Line::from(Span::styled(format!("({count} choices; ↑↓ for more)"), theme.dim())));
    }
    out
}

/// The value column of a row, wrapped to `room`.
fn value_lines(
    settings: &ConnectorSettings,
    key: SettingsKey,
    reveal: bool,
    room: usize,
    ctx: Ctx,
) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let styled = |pieces: Vec<String>| pieces.into_iter().map(|p| Line::from(Span::styled(p, theme.value()))).collect();
    let masked = |masked: String, len: usize| -> Vec<Line<'static>> {
        vec![Line::from(vec![
            Span::styled(masked, theme.value()),
            Span::styled(format!("  ({len} characters)"), theme.dim()),
        ])]
    };
    match key {
        SettingsKey::ClientSecret => match &settings.client_secret {
            Some(s) if reveal => styled(hard_wrap(s.expose(), room)),
            Some(s) => masked(s.masked(), s.char_len()),
            None => vec![Line::from(Span::styled("(none)", theme.dim()))],
        },
        SettingsKey::RefreshToken if reveal => styled(hard_wrap(settings.refresh_token.expose(), room)),
        SettingsKey::RefreshToken => masked(settings.refresh_token.masked(), settings.refresh_token.char_len()),
        SettingsKey::CompanyNames => {
            let names = &settings.company_names;
            if names.is_empty() || names.iter().any(|n| n == "*") {
                let mut v = vec![Line::from(Span::styled("*", theme.value()))];
                v.extend(lines("every user, including those without an email address", room, theme.dim()));
                v
            } else {
                styled(wrap(&names.join(", "), room))
            }
        }
        other => {
            let (text, _) = crate::wizard::steps::result::value(settings, other);
            styled(hard_wrap(&text, room))
        }
    }
}
