//! Step 8, Exchange and verify: a spinner with the time spent while exchanging and verifying, then
//! "Connected as …" in green, or the failure in red with its fix, the step Esc goes back to, and how long
//! the authorization code still lives.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::Ctx;
use super::elapsed::{mm_ss, spinner};
use super::wrap::{labelled, lines};
use crate::wizard::Action;
use crate::wizard::State;
use crate::wizard::steps::verify::{CODE_LIFETIME, VerifyStatus};

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: Ctx) {
    let theme = ctx.theme;
    let width = area.width as usize;
    let mut out: Vec<Line> = Vec::new();
    match &state.verify.status {
        VerifyStatus::Idle => {
            let text = format!("Nothing to verify yet: authorize first ({}).", ctx.key(Action::Back));
            out.extend(lines(&text, width, theme.text()))
        }
        VerifyStatus::Exchanging { since } => {
            let waited = state.now.saturating_duration_since(*since);
            let text = if state.verify.resumed {
                "Using the refresh token kept in the keyring by the earlier session…"
            } else {
                "Exchanging the authorization code for tokens…"
            };
            out.push(busy_line(text, waited, ctx));
        }
        VerifyStatus::Verifying { since } => {
            let waited = state.now.saturating_duration_since(*since);
            out.push(Line::from(Span::styled("✓ Tokens received, with a refresh token", theme.success())));
            out.push(busy_line("Proving the refresh token works: one refresh, then who it belongs to…", waited, ctx));
        }
        VerifyStatus::Done { connected_as } => {
            let text = lines(connected_as, width.saturating_sub(4), theme.success());
            let height = (text.len() as u16 + 2).min(area.height);
            let block = Block::new().borders(Borders::ALL).border_style(theme.success());
            let boxed = Rect { height, ..area };
            let inner = block.inner(boxed);
            frame.render_widget(block, boxed);
            frame.render_widget(
                Paragraph::new(text),
                Rect { x: inner.x + 1, width: inner.width.saturating_sub(1), ..inner },
            );
            let mut rest = vec![Line::default()];
            rest.extend(lines(
                "The refresh token works: Salesforce refreshed it and said who it belongs to.",
                width,
                theme.text(),
            ));
            if let Some(k) = ctx.key_for(Action::Next) {
                rest.extend(lines(&format!("Press {k} to check the org's prerequisites with it."), width, theme.dim()));
            }
            let below = Rect { y: area.y + height, height: area.height.saturating_sub(height), ..area };
            frame.render_widget(Paragraph::new(rest), below);
            return;
        }
        VerifyStatus::Failed { headline, fix, back_to, can_retry } => {
            out.extend(lines(headline, width, theme.error()));
            out.push(Line::default());
            out.extend(labelled(Span::styled("Fix: ", theme.heading()), fix, width, theme.text()));
            if let Some(callback) = &state.verify.callback_to_add {
                let copy = ctx.key_for(Action::Copy).map(|k| format!(" ({k} copies it)")).unwrap_or_default();
                out.extend(lines(
                    &format!("The line to add to the app's Callback URL field{copy}:"),
                    width,
                    theme.text(),
                ));
                out.extend(super::wrap::url_lines(callback, width, 3, theme.value()));
            }
            out.push(Line::default());
            let esc = ctx.key(Action::Back);
            out.extend(lines(
                &format!("{esc} goes back to step {}, {}.", state.number(*back_to), state.title(*back_to)),
                width,
                theme.text(),
            ));
            if *can_retry {
                if let Some(k) = ctx.key_for(Action::Retry) {
                    let what = if state.verify.grant.is_some() {
                        "tries the verification again with the same tokens"
                    } else {
                        "sends the same code again"
                    };
                    out.extend(lines(&format!("{k} {what}."), width, theme.dim()));
                }
                // The code's clock only matters while it has not been exchanged.
                if let Some(received) = state.authorize.code_received.filter(|_| state.verify.grant.is_none()) {
                    out.extend(lines(&code_life(state.now.saturating_duration_since(received)), width, theme.dim()));
                }
            }
        }
    }
    frame.render_widget(Paragraph::new(out), area);
}

fn busy_line(text: &str, waited: std::time::Duration, ctx: Ctx) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{} ", spinner(waited)), ctx.theme.value()),
        Span::styled(text.to_string(), ctx.theme.text()),
        Span::styled(format!("  {}", mm_ss(waited)), ctx.theme.dim()),
    ])
}

/// How much of the code's 15 minutes is left, `age` after it arrived.
fn code_life(age: std::time::Duration) -> String {
    match CODE_LIFETIME.checked_sub(age) {
        Some(left) if !left.is_zero() => {
            format!(
                "The authorization code arrived {} ago; codes live about 15 minutes: {} left.",
                mm_ss(age),
                mm_ss(left)
            )
        }
        _ => "The authorization code is older than 15 minutes: authorizing again gives a fresh one.".into(),
    }
}
