//! Step 3, Create the app: the kind of app with its click path, then the values table (label, value),
//! the cursor row highlighted, an editing cursor on the name and email rows, and the error from Enter;
//! or, once chosen, "Create it for me" ([`for_me`]).

mod for_me;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::field::{FieldLook, field_line};
use super::wrap::{labelled, lines, url_lines};
use crate::wizard::Action;
use crate::wizard::State;
use crate::wizard::steps::create_app::{ROWS, Row, row_value};

/// Width of the label column.
const LABEL: usize = 16;

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: Ctx) {
    let theme = ctx.theme;
    let width = area.width as usize;
    let app = &state.create_app;
    if app.for_me.active() {
        return for_me::render(frame, area, state, ctx);
    }
    let mut out: Vec<Line> = Vec::new();

    match &app.for_me.made {
        // Nothing is left to click in Setup: the app's values are below, as it was made.
        Some(made) => {
            let text = format!(
                "✓ sfconnect created {} in {} (with {}), with the values below: nothing is left to do in Setup.",
                made.app_name, made.org_name, made.session
            );
            out.extend(lines(&text, width, theme.success()));
        }
        None => {
            let label = app.kind.label();
            let article = if label.starts_with(['A', 'E', 'I', 'O', 'U']) { "an" } else { "a" };
            let mut heading = vec![Span::styled(format!("Create {article} {label} in Salesforce:"), theme.heading())];
            // The other way, on the same line: the click-through keeps its rows at 80x24.
            if let Some(key) = ctx.key_for(Action::CreateForMe) {
                heading.push(Span::styled(format!(" (or {key}: let sfconnect do it)"), theme.value()));
            }
            out.push(Line::from(heading));
            for step in crate::wizard::steps::create_app::click_path(app.kind) {
                // Each step wraps under itself, two columns in from its first line.
                let wrapped = lines(step, width.saturating_sub(4), theme.text());
                out.extend(wrapped.into_iter().enumerate().map(|(i, mut l)| {
                    l.spans.insert(0, Span::raw(if i == 0 { "  " } else { "    " }));
                    l
                }));
            }
        }
    }
    // The spacer between the click path and the table gives way first when the screen is short.
    let spacer = out.len();
    out.push(Line::default());

    let cursor_row = app.row();
    // The last line of the cursor's row: when the screen is short, the view scrolls to keep it in sight.
    let mut cursor_end = 0;
    for row in ROWS {
        let on_cursor = row == cursor_row;
        let pointer = Span::raw(if on_cursor { "▸ " } else { "  " });
        let label_style = if on_cursor { theme.cursor() } else { theme.dim() };
        let label = Span::styled(format!("{:<w$}", label_of(row), w = LABEL - 2), label_style);
        let room = width.saturating_sub(LABEL + 1);
        let lead = vec![pointer, label, Span::raw(" ")];
        match row {
            Row::Name | Row::Email if on_cursor => {
                let field = if row == Row::Name { &app.name } else { &app.email };
                // An empty name field falls back to the default name: show it beside a short field.
                let default = (row == Row::Name && app.name.is_empty())
                    .then(|| row_value(state, Row::Name).map(|(_, v)| v).unwrap_or_default());
                let field_room = match &default {
                    Some(d) => room.saturating_sub(d.chars().count() + 11).max(4),
                    None => room,
                };
                let masked = state.looks_secret(field.value());
                let mut line = field_line(field, field_room, FieldLook { focused: true, masked }, theme);
                if let Some(default) = default {
                    line.spans.push(Span::styled(format!(" default: {default}"), theme.dim()));
                }
                out.push(Line::from([lead, line.spans].concat()));
            }
            Row::Callback => {
                // One URL a line, as Setup's box takes them; the loopback one is for the local browser.
                let urls = row_value(state, row).map(|(_, v)| v).unwrap_or_default();
                let mut url_rows = urls
                    .lines()
                    .enumerate()
                    .flat_map(|(i, url)| {
                        let mut rows = url_lines(url, room, 0, theme.value());
                        let note = if i == 0 { "  (paste back)" } else { "  (local browser)" };
                        // Beside the URL when it fits, else on a row of its own: the label says which method
                        // each URL serves, and is never dropped.
                        match rows.last_mut() {
                            Some(last) if last.width() + note.len() <= room => {
                                last.spans.push(Span::styled(note, theme.dim()));
                            }
                            _ => rows.push(Line::from(Span::styled(format!("↑ {}", note.trim_start()), theme.dim()))),
                        }
                        rows
                    })
                    .collect::<Vec<_>>()
                    .into_iter();
                let first = url_rows.next().unwrap_or_default();
                out.push(Line::from([lead, first.spans].concat()));
                out.extend(url_rows.map(|mut l| {
                    l.spans.insert(0, Span::raw(" ".repeat(LABEL + 1)));
                    l
                }));
            }
            _ => {
                let (text, style) = row_text(state, row, ctx);
                let first = Span::raw(String::new());
                let mut wrapped = labelled(first, &text, room, style).into_iter();
                let head = wrapped.next().unwrap_or_default();
                out.push(Line::from([lead, head.spans].concat()));
                out.extend(wrapped.map(|mut l| {
                    l.spans.insert(0, Span::raw(" ".repeat(LABEL + 1)));
                    l
                }));
            }
        }
        if on_cursor {
            cursor_end = out.len();
        }
    }
    if let Some(error) = &app.error {
        out.extend(lines(error, width, theme.error()));
        cursor_end = out.len();
    }
    if out.len() > area.height as usize && spacer < cursor_end {
        out.remove(spacer);
        cursor_end -= 1;
    }
    let offset = cursor_end.saturating_sub(area.height as usize);
    frame.render_widget(Paragraph::new(out).scroll((offset as u16, 0)), area);
}

fn label_of(row: Row) -> &'static str {
    match row {
        Row::Kind => "App kind",
        Row::Name => "App name",
        Row::ApiName => "API name",
        Row::Email => "Contact email",
        Row::Callback => "Callback URLs",
        Row::DeviceFlow => "Device flow",
        Row::Scopes => "OAuth scopes",
        Row::Pkce => "PKCE",
        Row::Secrets => "Secret",
    }
}

/// The value column of a row that is not being edited.
fn row_text(state: &State, row: Row, ctx: Ctx) -> (String, ratatui::style::Style) {
    let theme = ctx.theme;
    let app = &state.create_app;
    match row {
        Row::Kind => {
            let other = app.kind.other().label();
            let switch = ctx.key_for(Action::Toggle).map(|k| format!("  ({k}: {other})")).unwrap_or_default();
            (format!("{}{switch}", app.kind.label()), theme.value())
        }
        Row::DeviceFlow => {
            let yes = if app.device_flow { "Yes" } else { "No" };
            (format!("{}: {yes}", crate::checks::device_flow_label(app.kind)), theme.value())
        }
        Row::Scopes => {
            let labels = crate::wizard::steps::create_app::scope_labels(state);
            (format!("{} (the target's; the next step lists them)", labels.join("; ")), theme.value())
        }
        Row::Pkce => ("Require PKCE: on (recommended)".into(), theme.text()),
        Row::Secrets => ("Require secret for Web Server and Refresh Token flows: on".into(), theme.text()),
        Row::Email if app.email.is_empty() => {
            ("(required: the address Salesforce mails about the app)".into(), theme.dim())
        }
        Row::Email if state.looks_secret(app.email.value()) => (
            format!("{} (looks like a secret, not an email: hidden)", "•".repeat(app.email.len().min(12))),
            theme.warning(),
        ),
        _ => (row_value(state, row).map(|(_, v)| v).unwrap_or_default(), theme.value()),
    }
}
