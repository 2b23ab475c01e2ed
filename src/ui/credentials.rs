//! Step 5, Consumer key and secret: where to find them, the two fields (the secret as bullets unless
//! revealed, with its length), each field's problem as typed, and the error from Enter.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::field::{FieldLook, field_line};
use super::wrap::lines;
use crate::wizard::Action;
use crate::wizard::State;
use crate::wizard::steps::credentials::{CredFocus, key_problem, secret_problem, where_to_find};

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: Ctx) {
    let theme = ctx.theme;
    let width = area.width as usize;
    let c = &state.credentials;
    let mut out: Vec<Line> = Vec::new();

    out.push(Line::from(Span::styled("Where to find them:", theme.heading())));
    for line in where_to_find(state.create_app.kind) {
        out.extend(lines(line, width, theme.text()));
    }
    if let Some(app) = &c.from_app {
        out.push(Line::default());
        let text = if c.secret.is_empty() {
            format!("sfconnect created {app}: its key is filled in; the org keeps the secret from the API.")
        } else {
            format!("✓ Filled in from {app}, which sfconnect created.")
        };
        out.extend(lines(&text, width, theme.success()));
    } else if demo_filled(state) {
        out.push(Line::default());
        out.push(Line::from(Span::styled("Demo org: values filled in for you", theme.success())));
    }

    let key_focus = c.focus == CredFocus::Key;
    out.push(Line::default());
    out.push(label("Consumer Key", key_focus, c.key.len(), ctx));
    // The secret pasted here by mistake stays as hidden as in its own field, until the reveal key shows both.
    let key_masked = !c.reveal && state.looks_secret(c.key.value());
    out.push(field_line(&c.key, width, FieldLook { focused: key_focus, masked: key_masked }, theme));
    if !c.key.is_empty() {
        out.extend(problem_lines(key_problem(c.key.value()), width, ctx));
    }

    let secret_focus = c.focus == CredFocus::Secret;
    out.push(Line::default());
    let mut secret_label = label("Consumer Secret", secret_focus, c.secret.len(), ctx);
    let reveal = ctx.key_for(Action::Reveal);
    let state_text = match (c.reveal, reveal) {
        (true, Some(k)) => format!("  shown ({k} hides it)"),
        (false, Some(k)) => format!("  hidden ({k} shows it)"),
        (true, None) => "  shown".into(),
        (false, None) => "  hidden".into(),
    };
    secret_label.spans.push(Span::styled(state_text, theme.dim()));
    out.push(secret_label);
    out.push(field_line(&c.secret, width, FieldLook { focused: secret_focus, masked: !c.reveal }, theme));
    if !c.secret.is_empty() {
        let host = state.login_host().map(|h| h.origin().to_string()).unwrap_or_default();
        let rejected = state.propagation.rejected(&host, c.key.value().trim(), c.secret.value().trim());
        match secret_problem(c.secret.value(), c.key.value()) {
            None if rejected => out.extend(lines(
                "✗ Salesforce rejected this secret for this key: copy the Consumer Secret again (it is easy to \
                 take the key's by mistake)",
                width,
                ctx.theme.error(),
            )),
            problem => out.extend(problem_lines(problem, width, ctx)),
        }
    }

    // After Enter the error often is the problem already shown under a field: say it once. An empty
    // field shows no problem under it, so its error (Enter on an empty secret after a resume) shows here.
    let shown = [
        key_problem(c.key.value()).filter(|_| !c.key.is_empty()),
        secret_problem(c.secret.value(), c.key.value()).filter(|_| !c.secret.is_empty()),
    ];
    if let Some(error) = c.error.as_ref().filter(|e| !shown.iter().flatten().any(|p| p == *e)) {
        out.push(Line::default());
        out.extend(lines(error, width, theme.error()));
    }
    frame.render_widget(Paragraph::new(out), area);
}

/// True in demo mode when the fields still hold the demo org's values.
fn demo_filled(state: &State) -> bool {
    state
        .demo
        .as_ref()
        .is_some_and(|d| !state.credentials.key.is_empty() && state.credentials.key.value().trim() == d.client_id)
}

fn label(name: &str, focused: bool, len: usize, ctx: Ctx) -> Line<'static> {
    let style = if focused { ctx.theme.focus() } else { ctx.theme.heading() };
    let pointer = if focused { "▶ " } else { "  " };
    let mut spans = vec![Span::styled(pointer, style), Span::styled(name.to_string(), style)];
    if len > 0 {
        let unit = if len == 1 { "character" } else { "characters" };
        spans.push(Span::styled(format!("  {len} {unit}"), ctx.theme.dim()));
    }
    Line::from(spans)
}

fn problem_lines(problem: Option<String>, width: usize, ctx: Ctx) -> Vec<Line<'static>> {
    match problem {
        Some(p) => lines(&p, width, ctx.theme.warning()),
        None => vec![Line::from(Span::styled("✓ looks right", ctx.theme.success()))],
    }
}
