//! Step 3, "Create it for me": the sessions found (or the search for them), the masked field for a pasted
//! token with where to get one, the creation's stages with a spinner and the time spent, and a refusal with
//! its fix and the ways on.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::Ctx;
use super::super::elapsed::{mm_ss, spinner};
use super::super::field::{FieldLook, field_line};
use super::super::wrap::{labelled, lines};
use crate::wizard::msg::WayOn;
use crate::wizard::steps::create_app::creation::{Phase, Stage};
use crate::wizard::steps::create_app::for_me::{
    MY_DOMAIN_FOR_A_TOKEN, WHERE_TO_GET_A_TOKEN, planned_api_name, token_needs_my_domain,
};
use crate::wizard::steps::create_app::scope_labels;
use crate::wizard::{Action, State};

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: Ctx) {
    let theme = ctx.theme;
    let width = area.width as usize;
    let me = &state.create_app.for_me;
    let org = state.login_host().map(|h| h.origin().to_string()).unwrap_or_default();
    let mut out: Vec<Line> = Vec::new();
    let heading = format!("Create it for me: the External Client App {} in {org}", planned_api_name(state));
    out.extend(lines(&heading, width, theme.heading()));
    match &me.phase {
        Phase::Off => {}
        Phase::Finding => {
            out.push(Line::default());
            out.extend(lines(
                "Looking for a Salesforce session for this org: the Salesforce CLI's logins (sf org list) and \
                 earlier sfconnect settings files…",
                width,
                theme.text(),
            ));
        }
        Phase::Pick => {
            out.extend(what_is_made(state, width, ctx));
            out.push(Line::default());
            let intro = if me.offers.is_empty() {
                "No Salesforce CLI login or sfconnect settings file for this org was found here. Paste a token:"
            } else {
                "Create it with which session? It is used for this only and kept nowhere."
            };
            out.extend(lines(intro, width, theme.text()));
            let paste = ("Paste an access token or session id".to_string(), "masked; where to get one follows".into());
            let rows = me.offers.iter().map(|o| (o.label.clone(), o.detail.clone())).chain(std::iter::once(paste));
            for (i, (label, detail)) in rows.enumerate() {
                let on = i == me.cursor;
                let pointer = Span::raw(if on { "▸ " } else { "  " });
                let style = if on { theme.cursor() } else { theme.value() };
                out.push(Line::from(vec![pointer, Span::styled(label, style)]));
                out.extend(labelled(Span::raw("    "), &detail, width, theme.dim()));
            }
        }
        Phase::Paste => {
            out.push(Line::default());
            out.extend(lines(
                "Paste an access token or session id of this org (it stays masked):",
                width,
                theme.text(),
            ));
            let look = FieldLook { focused: true, masked: !me.reveal };
            out.push(field_line(&me.token, width, look, theme));
            match &me.token_error {
                Some(error) => out.extend(lines(error, width, theme.error())),
                None if token_needs_my_domain(state) => {
                    out.extend(lines(MY_DOMAIN_FOR_A_TOKEN, width, theme.warning()))
                }
                None => {}
            }
            out.push(Line::default());
            out.extend(labelled(
                Span::styled("Where to get one: ", theme.heading()),
                WHERE_TO_GET_A_TOKEN,
                width,
                theme.text(),
            ));
            out.extend(lines(
                "Setup's Session Management lists sessions but never their tokens: it is no way to get one.",
                width,
                theme.dim(),
            ));
        }
        Phase::Running { started, stage, components, secret_retry, asking_stop } => {
            let waited = state.now.saturating_duration_since(*started);
            out.push(Line::default());
            for each in Stage::ALL {
                let (mark, style) = if each < *stage {
                    ("✓".to_string(), theme.success())
                } else if each == *stage {
                    (spinner(waited).to_string(), theme.value())
                } else {
                    ("·".to_string(), theme.dim())
                };
                let mut text = each.label().to_string();
                if each == *stage
                    && each == Stage::Deploy
                    && let Some((done, total)) = components.filter(|(_, t)| *t > 0)
                {
                    text.push_str(&format!(": {done}/{total} components"));
                }
                out.extend(labelled(Span::styled(format!("{mark} "), style), &text, width, style));
            }
            if *secret_retry {
                out.extend(lines(
                    "The org refuses a consumer secret written in the app: going on without it; the org makes one.",
                    width,
                    theme.warning(),
                ));
            }
            out.push(Line::default());
            out.push(Line::from(Span::styled(format!("Time spent: {}", mm_ss(waited)), theme.dim())));
            let esc = ctx.key(Action::Back);
            let note = if *asking_stop {
                format!(
                    "The deploy runs in Salesforce now: stopping only stops waiting, and the app may still be \
                     created (Setup > Deployment Status shows it). {esc} again stops waiting; any other key keeps waiting."
                )
            } else if *stage < Stage::Deploy {
                format!("{esc} stops: nothing is created before the dry run passes.")
            } else {
                format!("{esc} stops waiting (the deploy goes on in Salesforce).")
            };
            let style = if *asking_stop { theme.warning() } else { theme.dim() };
            out.extend(lines(&note, width, style));
        }
        Phase::Failed(refusal) => {
            out.push(Line::default());
            out.extend(labelled(Span::styled("✗ ", theme.error()), &ctx.fill(&refusal.headline), width, theme.error()));
            out.push(Line::default());
            out.extend(labelled(Span::styled("Fix: ", theme.heading()), &ctx.fill(&refusal.fix), width, theme.text()));
            out.push(Line::default());
            let (next, back) = (ctx.key(Action::Next), ctx.key(Action::Back));
            let first = match refusal.way_on {
                WayOn::AnotherSession => format!("{next}: pick or paste another session"),
                WayOn::AnotherName => format!("{next}: type another name"),
                WayOn::TryAgain => format!("{next}: try again"),
                WayOn::ClickThrough => format!("{next}: create it by hand, every value still filled in"),
            };
            out.extend(lines(&first, width, theme.text()));
            if refusal.way_on != WayOn::ClickThrough {
                let by_hand = format!("{back}: create it by hand, every value still filled in");
                out.extend(lines(&by_hand, width, theme.text()));
            }
        }
        Phase::Stopped => {
            out.push(Line::default());
            out.extend(lines(
                "Stopped waiting. The deploy may still finish in Salesforce: look at Setup > Deployment Status. \
                 If it succeeded, the app is in External Client App Manager: take its key and secret from there \
                 on step 5; if not, create it again.",
                width,
                theme.warning(),
            ));
        }
    }
    frame.render_widget(Paragraph::new(out), area);
}

/// What the app will be, in two lines: scopes and callbacks.
fn what_is_made(state: &State, width: usize, ctx: Ctx) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let mut out = Vec::new();
    let scopes = scope_labels(state).join("; ");
    out.extend(labelled(Span::styled("Scopes: ", theme.dim()), &scopes, width, theme.text()));
    let device = if state.create_app.device_flow { "web server and device flows" } else { "web server flow" };
    let email = match state.create_app.email.value().trim() {
        "" => "your user's email".to_string(),
        typed => typed.to_string(),
    };
    let text = format!("{device}, PKCE and secret required, contact {email}; a dry run first");
    out.extend(labelled(Span::styled("Flows: ", theme.dim()), &text, width, theme.text()));
    out
}
