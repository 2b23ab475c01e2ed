//! Popups over a screen: the `?` help with the step's HELP text, and the quit confirmation.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::Ctx;
use super::theme::Theme;
use super::wrap::lines;
use crate::wizard::State;
use crate::wizard::steps;

/// The help popup: as wide as the screen allows up to 76 columns, as tall as the text needs.
pub fn help(frame: &mut Frame, area: Rect, state: &State, ctx: Ctx) {
    let theme = ctx.theme;
    // As wide as the screen up to 80 columns, so no text behind it shows at the edges on a small terminal.
    let width = area.width.min(80);
    let inner_width = width.saturating_sub(4) as usize;
    // The help names the keys of the screen under it; the popup itself reads keys as a list does.
    let mut text = lines(&ctx.fill(steps::help(state)), inner_width, theme.text());
    text.push(Line::default());
    // Named as on the screen under it (F1 where a field has the focus); the popup takes those keys too.
    let close =
        format!("{} or {} to close", ctx.key(crate::wizard::Action::Back), ctx.key(crate::wizard::Action::Help));
    text.push(Line::from(Span::styled(close, theme.dim())));
    let height = (text.len() as u16 + 2).min(area.height);
    let title = format!(" Help: {} ", state.title(state.step));
    popup(frame, area, width, height, &title, text);
}

/// "Quit sfconnect? … y / n", saying what is kept and what is lost.
pub fn confirm_quit(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let unsaved = state.result.settings.is_some() && !state.result.saved_current;
    // Saving is on the last step: from an earlier one, the way there is part of the advice.
    let save_key = crate::keymap::spoken(crate::wizard::Action::Save, crate::keymap::Context::Browse);
    let save_key = save_key.as_deref().unwrap_or("the save key");
    let save = if state.step == crate::wizard::Step::RESULT {
        format!("press n, then {save_key} to save it.")
    } else {
        format!("press n, go on to the last step, press {save_key}.")
    };
    let (title, body): (&str, &[&str]) = if unsaved && state.keyring {
        (
            "Quit without saving?",
            &["The refresh token is only in the keyring.", "Run sfconnect again to resume, or", &save],
        )
    } else if unsaved {
        ("Quit without saving?", &["The refresh token is saved nowhere yet.", "To keep it, do not quit:", &save])
    } else if state.demo.is_some() {
        ("Quit the demo?", &["Nothing of a real org is touched."])
    } else if state.keyring {
        ("Quit sfconnect?", &["Your entries are kept, the secrets in the", "keyring: run sfconnect again to resume."])
    } else {
        ("Quit sfconnect?", &["Your entries are kept (never the secrets):", "run sfconnect again to resume."])
    };
    let mut text = vec![Line::from(Span::styled(title.to_string(), theme.heading()))];
    text.extend(body.iter().map(|l| Line::from(Span::styled(l.to_string(), theme.text()))));
    text.push(Line::default());
    text.push(Line::from(vec![
        Span::styled(" y ", theme.key()),
        Span::raw(" quit   "),
        Span::styled(" n ", theme.key()),
        Span::raw(" keep going"),
    ]));
    let height = text.len() as u16 + 2;
    popup(frame, area, area.width.min(48), height, " Quit ", text);
}

/// "Resume where you stopped? Step 6 of 10 (Waiting for Salesforce), 3 minutes ago. y / n"
pub fn resume(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    let Some(offer) = &state.resume else { return };
    let step = offer.progress.step;
    let minutes = offer.progress.age(offer.offered_wall).as_secs() / 60;
    let ago = match minutes {
        0 => "less than a minute ago".to_string(),
        1 => "1 minute ago".to_string(),
        m if m < 120 => format!("{m} minutes ago"),
        m => format!("{} hours ago", m / 60),
    };
    let width = area.width.min(64);
    let mut text = vec![Line::from(Span::styled("Resume where you stopped?", theme.heading())), Line::default()];
    let past_credentials = state.is_after(step, crate::wizard::Step::CREDENTIALS);
    let past_verify = !state.is_after(crate::wizard::Step::VERIFY, step);
    let secrets = match (&offer.kept.client_secret, &offer.kept.refresh_token) {
        _ if !past_credentials => "",
        (Some(_), Some(_)) if past_verify => {
            " The consumer secret and refresh token are in the keyring: no need to authorize again."
        }
        (Some(_), _) => " The consumer secret is in the keyring.",
        _ if offer.progress.keyring && past_verify => {
            " The keyring no longer holds the secret: you will paste it again and authorize again."
        }
        _ if offer.progress.keyring => " The keyring no longer holds the secret: you will paste it again.",
        _ if past_verify => {
            " Secrets are never saved: you will paste the consumer secret again and authorize again, which \
             makes a new refresh token (the lost one still counts toward Salesforce's five per user per app \
             until revoked). --keyring keeps them across a drop."
        }
        _ => " Secrets are never saved, so you will paste the consumer secret again.",
    };
    // The org it resumes against, said outright: a resume takes the saved org, not a --login-url given now.
    let saved_org = match offer.progress.environment {
        steps::start::Environment::Sandbox => crate::salesforce::hosts::SANDBOX.to_string(),
        steps::start::Environment::MyDomain => offer.progress.my_domain.clone(),
        steps::start::Environment::Production => crate::salesforce::hosts::PRODUCTION.to_string(),
    };
    let differs = match state.start.login_host() {
        Ok(_) if !state.start.org_given => false,
        Ok(now) => crate::salesforce::LoginHost::parse(&saved_org).is_ok_and(|saved| saved.origin() != now.origin()),
        Err(_) => false,
    };
    let other_org = if differs { " That is not the org given now: n starts over with it." } else { "" };
    let detail = format!(
        "You were at step {} of {} ({}) with {saved_org}, {ago}. Your entries are kept.{other_org}{secrets}",
        state.number(step),
        state.screens.len(),
        state.title(step)
    );
    text.extend(lines(&detail, width.saturating_sub(4) as usize, theme.text()));
    text.push(Line::default());
    text.push(Line::from(vec![
        Span::styled(" y ", theme.key()),
        Span::raw(" or "),
        Span::styled(" Enter ", theme.key()),
        Span::raw(" resume (Esc too)   "),
        Span::styled(" n ", theme.key()),
        Span::raw(" start over"),
    ]));
    let height = text.len() as u16 + 2;
    popup(frame, area, width, height, " Resume ", text);
}

fn popup(frame: &mut Frame, area: Rect, width: u16, height: u16, title: &str, text: Vec<Line<'static>>) {
    let rect = Rect {
        x: area.x + area.width.saturating_sub(width) / 2,
        y: area.y + area.height.saturating_sub(height) / 2,
        width,
        height: height.min(area.height),
    };
    frame.render_widget(Clear, rect);
    let block = Block::new().borders(Borders::ALL).title(title.to_string());
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let inner = Rect { x: inner.x + 1, width: inner.width.saturating_sub(2), ..inner };
    frame.render_widget(Paragraph::new(text), inner);
}
