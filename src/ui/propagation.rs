//! Step 6, Waiting for Salesforce: a gauge of the time waited against the longest Salesforce may take,
//! "mm:ss of up to 15:00", what the probe found so far, and what to do meanwhile.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph};

use super::Ctx;
use super::elapsed::mm_ss;
use super::wrap::{labelled, lines, url_lines};
use crate::wizard::Action;
use crate::wizard::State;
use crate::wizard::steps::propagation::{MEANWHILE, ProbeStatus};

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: Ctx) {
    let theme = ctx.theme;
    let width = area.width as usize;
    let p = &state.propagation;
    let limit = state.create_app.kind.propagation_limit();
    let elapsed = p.elapsed(state.now);

    let title = if p.status == ProbeStatus::Ready {
        "Salesforce accepts the new consumer key"
    } else {
        "Waiting for Salesforce to accept the new consumer key"
    };
    let head = vec![Line::from(Span::styled(title, theme.heading()))];
    frame.render_widget(Paragraph::new(head), Rect { height: 1.min(area.height), ..area });

    if area.height > 1 {
        let ratio = (elapsed.as_secs_f64() / limit.as_secs_f64().max(1.0)).clamp(0.0, 1.0);
        // No text inside the bar: without colours it would be unreadable on the filled part.
        let gauge = Gauge::default().ratio(ratio).label("").gauge_style(theme.value()).use_unicode(true);
        frame.render_widget(gauge, Rect { y: area.y + 1, height: 1, ..area });
    }

    let mut out: Vec<Line> = Vec::new();
    out.push(Line::from(Span::styled(format!("{} of up to {}", mm_ss(elapsed), mm_ss(limit)), theme.text())));
    out.extend(status_lines(state, width, ctx));
    out.push(Line::default());
    if let Some(made) = &state.create_app.for_me.made {
        // The app sfconnect made has its policies written in it: nothing is left to set by hand.
        let text = format!(
            "sfconnect created {} with its policies set: all users may self-authorize, refresh tokens are valid \
             until revoked, IP relaxation as the target needs. A new app takes up to 15 minutes to go live.",
            made.app_name
        );
        out.extend(lines(&text, width, theme.dim()));
    } else {
        for line in MEANWHILE {
            out.extend(lines(line, width, theme.dim()));
        }
    }
    let rest = Rect { y: area.y + 2, height: area.height.saturating_sub(2), ..area };
    frame.render_widget(Paragraph::new(out), rest);
}

fn status_lines(state: &State, width: usize, ctx: Ctx) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let p = &state.propagation;
    let label = Span::styled("Salesforce: ", theme.heading());
    match &p.status {
        ProbeStatus::Starting => labelled(label, "asking…", width, theme.text()),
        ProbeStatus::NotLive => {
            let checks = if p.attempts == 1 { "1 check".to_string() } else { format!("{} checks", p.attempts) };
            labelled(label, &format!("not live yet ({checks})"), width, theme.text())
        }
        ProbeStatus::Retrying(msg) => labelled(label, &format!("{msg}; trying again"), width, theme.warning()),
        ProbeStatus::Unreachable { message, .. } => {
            let left = p.next_try_in(state.now).unwrap_or(0);
            let next = if left == 0 { "trying again now".to_string() } else { format!("next try in {left} s") };
            let mut out = labelled(label, "cannot be reached (the key was not checked)", width, theme.warning());
            out.extend(lines(&format!("{message}; {next}"), width, theme.text()));
            out
        }
        ProbeStatus::Ready => labelled(label, "the key is live and the secret is accepted", width, theme.success()),
        ProbeStatus::SecretRejected => {
            let mut out = labelled(label, "the key is live, but the consumer secret is wrong", width, theme.error());
            let back = ctx.key_for(Action::Back).map(|k| format!(" ({k})")).unwrap_or_default();
            out.extend(lines(
                &format!(
                    "Fix: go back{back} and paste the Consumer Secret again, whole, from the app's consumer details."
                ),
                width,
                theme.text(),
            ));
            out
        }
        ProbeStatus::RedirectNotRegistered => {
            let mut out = labelled(label, "the key is live, but the app lacks this callback URL", width, theme.error());
            let copy = ctx.key_for(Action::Copy).map(|k| format!(" ({k} copies it)")).unwrap_or_default();
            out.extend(lines(
                &format!(
                    "Fix: add this line to the app's Callback URL field{copy} and save; the wait goes on by itself:"
                ),
                width,
                theme.text(),
            ));
            out.extend(url_lines(&state.redirect_uri(), width, 2, theme.value()));
            out
        }
        ProbeStatus::Failed { headline, fix } => {
            let mut out = labelled(label, headline, width, theme.error());
            out.extend(labelled(Span::styled("Fix: ", theme.heading()), fix, width, theme.text()));
            out
        }
    }
}
