//! Step 1, Start: the target list with the chosen target's summary, the environment radio list, the My
//! Domain field when My Domain is chosen, and the error from Enter.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::field::{FieldLook, field_line};
use super::wrap::lines;
use crate::wizard::State;
use crate::wizard::steps::start::{Environment, StartFocus};

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: Ctx) {
    let theme = ctx.theme;
    let width = area.width as usize;
    let s = &state.start;
    let mut out: Vec<Line> = Vec::new();

    out.push(heading("What are you connecting Salesforce to?", s.focus == StartFocus::Target, ctx));
    for (i, preset) in state.presets.iter().enumerate() {
        let chosen = i == s.preset_index;
        let marker = if chosen { "▸ " } else { "  " };
        let style = if chosen && s.focus == StartFocus::Target {
            theme.cursor()
        } else if chosen {
            theme.heading()
        } else {
            theme.text()
        };
        out.push(Line::from(vec![Span::raw(marker), Span::styled(preset.name.clone(), style)]));
    }
    if let Some(preset) = state.preset() {
        out.extend(lines(&preset.summary, width.saturating_sub(2), theme.dim()).into_iter().map(indent));
        if preset.brings_own_app() {
            // A target with its own app asks for no values: say what the wizard is then for.
            let text = "It takes no values from you: sfconnect walks you through an app of your own only to \
                        check the org and the user before you connect, and you can delete it afterwards.";
            out.extend(lines(text, width.saturating_sub(2), theme.dim()).into_iter().map(indent));
        }
    }
    out.push(Line::default());

    let env_focus = matches!(s.focus, StartFocus::Environment | StartFocus::MyDomain);
    out.push(heading("Where does your org live?", env_focus, ctx));
    for env in Environment::ALL {
        let chosen = env == s.environment;
        let radio = if chosen { "(•) " } else { "( ) " };
        let style = if chosen && s.focus == StartFocus::Environment { theme.cursor() } else { theme.text() };
        out.push(Line::from(vec![Span::raw("  "), Span::raw(radio), Span::styled(env.label(), style)]));
    }
    if s.environment == Environment::MyDomain {
        let focused = s.focus == StartFocus::MyDomain;
        let label = Span::styled("  My Domain URL: ", if focused { theme.focus() } else { theme.text() });
        let room = width.saturating_sub(label.width());
        let masked = state.looks_secret(s.my_domain.value());
        let mut line = field_line(&s.my_domain, room, FieldLook { focused, masked }, theme);
        line.spans.insert(0, label);
        out.push(line);
        if s.my_domain.is_empty() {
            out.push(Line::from(Span::styled("  e.g. https://acme.my.salesforce.com", theme.dim())));
        } else if !masked && let Ok(host) = s.login_host() {
            // Say which host a pasted page URL becomes, so the admin can confirm it.
            // Wrapped, never cut: a long My Domain is exactly what the admin needs to read whole.
            out.extend(lines(&format!("  → login host: {}", host.origin()), width, theme.dim()));
        }
    }
    if let Some(error) = &s.error {
        out.push(Line::default());
        out.extend(lines(error, width, theme.error()));
    }
    frame.render_widget(Paragraph::new(out), area);
}

/// A section heading, marked when its list has the focus.
fn heading(text: &str, focused: bool, ctx: Ctx) -> Line<'static> {
    if focused {
        Line::from(vec![Span::styled("▶ ", ctx.theme.focus()), Span::styled(text.to_string(), ctx.theme.focus())])
    } else {
        Line::from(vec![Span::raw("  "), Span::styled(text.to_string(), ctx.theme.heading())])
    }
}

fn indent(mut line: Line<'static>) -> Line<'static> {
    line.spans.insert(0, Span::raw("  "));
    line
}
