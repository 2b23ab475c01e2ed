//! Step 7, Authorize: the tab row of the three methods (the recommended one marked, and why), then the
//! chosen method's screen: paste-back (the whole authorize URL, the paste field), device code (the user
//! code large, the URLs, the wait), or local browser (the callback to add, the `ssh -L` line, the
//! listener). With the QR key on, the QR code of the method's URL takes the screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ctx;
use super::elapsed::{mm_ss, spinner};
use super::field::{FieldLook, field_line};
use super::wrap::{labelled, lines, url_lines};
use crate::wizard::Action;
use crate::wizard::State;
use crate::wizard::steps::authorize::{DeviceStatus, ListenerStatus, Method};

pub fn render(frame: &mut Frame, area: Rect, state: &State, ctx: Ctx) {
    let a = &state.authorize;
    if a.show_qr
        && let Some(url) = a.url_for_method()
    {
        let caption = match a.method {
            Method::Device => "Scan with a phone: opens the approval page with the code filled in",
            _ => "Scan with a phone signed in to the org, then paste back what the browser shows",
        };
        super::qr::render(frame, area, &url, caption, ctx.theme);
        return;
    }
    let width = area.width as usize;
    let mut out = vec![tabs(state, ctx), why_line(state, ctx), Line::default()];
    match a.method {
        Method::PasteBack => paste_back(&mut out, state, width, ctx),
        Method::Device => device(&mut out, state, width, ctx),
        Method::LocalBrowser => local_browser(&mut out, state, width, ctx),
    }
    frame.render_widget(Paragraph::new(out), area);
}

fn tabs(state: &State, ctx: Ctx) -> Line<'static> {
    let theme = ctx.theme;
    let mut spans = Vec::new();
    for (i, method) in Method::ALL.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", theme.dim()));
        }
        let recommended = if *method == state.authorize.recommended { " (recommended)" } else { "" };
        // Brackets mark the open tab in any terminal, colours or not.
        let text = if *method == state.authorize.method {
            format!("[{}{recommended}]", method.label())
        } else {
            format!(" {}{recommended} ", method.label())
        };
        let style = if *method == state.authorize.method { theme.cursor() } else { theme.text() };
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}

fn why_line(state: &State, ctx: Ctx) -> Line<'static> {
    let s = &state.surroundings;
    let why = if s.ssh {
        "SSH session detected"
    } else if !s.display {
        "no display"
    } else {
        "desktop"
    };
    let switch = ctx.key_for(Action::FocusNext).map(|k| format!("; {k} switches")).unwrap_or_default();
    Line::from(Span::styled(
        format!(" {} recommended: {why}{switch}", state.authorize.recommended.label()),
        ctx.theme.dim(),
    ))
}

fn paste_back(out: &mut Vec<Line<'static>>, state: &State, width: usize, ctx: Ctx) {
    let theme = ctx.theme;
    let a = &state.authorize;
    // The URL is wrapped here: selecting it by hand takes the plain view, where it is one line.
    let plain = ctx.key(Action::ShowPlain);
    let copy = ctx
        .key_for(Action::Copy)
        .map(|k| format!(" ({k} copies it, {plain} shows it on one line)"))
        .unwrap_or_default();
    match (&a.request, &a.paste_fix) {
        // An explained error needs the room at 80x24; the URL is unchanged and still one key away.
        (Some(_), Some(_)) => {
            let how = match a.callback_to_add {
                Some(_) => format!(": {} clears the error and shows it again", ctx.key(Action::ClearField)),
                None => copy.clone(),
            };
            out.extend(lines(
                &format!("1. The authorize URL is hidden while the error below is shown{how}."),
                width,
                theme.text(),
            ));
        }
        (Some(request), None) => {
            out.extend(lines(
                &format!("1. Open this URL in a browser signed in to your org{copy}:"),
                width,
                theme.text(),
            ));
            out.extend(url_lines(&request.url, width, 3, theme.value()));
        }
        (None, _) => {
            out.extend(lines("1. Open the authorize URL in a browser signed in to your org:", width, theme.text()));
            out.extend(lines("   (no URL: go back and check the org and the consumer key)", width, theme.error()));
        }
    }
    out.extend(lines("2. Click Allow. A code is valid about 15 minutes after you click Allow.", width, theme.text()));
    out.extend(lines(
        "3. Copy the whole address the browser lands on (or just the code) and paste it here:",
        width,
        theme.text(),
    ));
    let mut field = field_line(&a.paste, width.saturating_sub(3), FieldLook { focused: true, masked: false }, theme);
    field.spans.insert(0, Span::raw("   "));
    out.push(field);
    // The count says the paste is ready to use: not above the error that refuses it.
    if !a.paste.is_empty() && a.paste_error.is_none() {
        let submit = ctx.key_for(Action::Next).map(|k| format!(": {k} uses it")).unwrap_or_default();
        out.push(Line::from(Span::styled(
            format!("   {}{submit}", crate::checks::preview::count(a.paste.len() as u64, "character")),
            theme.dim(),
        )));
    }
    problem(out, state, width, ctx);
}

/// Why the paste (or the browser's return) gave no code, the fix, and for a refused callback the exact
/// line to add to the app with the key that copies it.
fn problem(out: &mut Vec<Line<'static>>, state: &State, width: usize, ctx: Ctx) {
    let theme = ctx.theme;
    let a = &state.authorize;
    let Some(error) = &a.paste_error else { return };
    out.extend(lines(error, width, theme.error()));
    if let Some(fix) = &a.paste_fix {
        out.extend(labelled(Span::styled("Fix: ", theme.heading()), &ctx.fill(fix), width, theme.text()));
    }
    if let Some(callback) = &a.callback_to_add {
        let key = ctx.key_for(Action::Copy);
        let copy = key.map(|k| format!(" ({k} copies it)")).unwrap_or_default();
        out.extend(lines(&format!("The line to add to the app's Callback URL field{copy}:"), width, theme.text()));
        out.extend(url_lines(callback, width, 3, theme.value()));
    }
}

fn device(out: &mut Vec<Line<'static>>, state: &State, width: usize, ctx: Ctx) {
    let theme = ctx.theme;
    let checkbox = crate::checks::device_flow_label(state.create_app.kind);
    if !state.create_app.device_flow {
        out.extend(lines(
            &format!(
                "You set \"{checkbox}\" to No in step 3: Salesforce refuses this method until it is ticked on the app."
            ),
            width,
            theme.warning(),
        ));
    }
    match &state.authorize.device {
        DeviceStatus::Idle | DeviceStatus::Starting => {
            out.push(Line::from(Span::styled(
                format!("{} Asking Salesforce for a device code…", spinner(std::time::Duration::ZERO)),
                theme.text(),
            )));
            out.extend(lines(&format!("This needs \"{checkbox}\" on the app."), width, theme.dim()));
        }
        DeviceStatus::Polling { view, since, polls } => {
            out.extend(labelled(
                Span::styled("1. On any device, open ", theme.text()),
                &view.verification_uri,
                width,
                theme.value(),
            ));
            out.push(Line::from(Span::styled("2. Type this code:", theme.text())));
            out.extend(big_code(&view.user_code, ctx));
            out.extend(lines("   or open this address, with the code filled in:", width, theme.dim()));
            out.extend(url_lines(&view.verification_uri_complete, width, 3, theme.value()));
            let allow = if state.demo.is_some() {
                "3. The demo approves the code by itself in a few seconds (with a real org, you click Allow)."
            } else {
                "3. Click Allow; sfconnect notices by itself."
            };
            out.extend(lines(allow, width, theme.text()));
            out.push(Line::default());
            let waited = state.now.saturating_duration_since(*since);
            let checks = if *polls == 1 { "1 check".to_string() } else { format!("{polls} checks") };
            out.push(Line::from(Span::styled(
                format!("{} waiting for approval — {} ({checks})", spinner(waited), mm_ss(waited)),
                theme.text(),
            )));
        }
        DeviceStatus::Failed { headline, fix } => {
            out.extend(lines(headline, width, theme.error()));
            out.extend(labelled(Span::styled("Fix: ", theme.heading()), fix, width, theme.text()));
        }
    }
}

/// The user code in a box, letters spaced out and bold, so it can be read from across a desk.
fn big_code(code: &str, ctx: Ctx) -> Vec<Line<'static>> {
    let spaced: String = code.chars().map(|c| c.to_string()).collect::<Vec<_>>().join(" ");
    let inner = spaced.chars().count() + 4;
    let style = ctx.theme.heading();
    vec![
        Line::from(Span::styled(format!("   ┌{}┐", "─".repeat(inner)), ctx.theme.dim())),
        Line::from(vec![
            Span::styled("   │  ", ctx.theme.dim()),
            Span::styled(spaced, style),
            Span::styled("  │", ctx.theme.dim()),
        ]),
        Line::from(Span::styled(format!("   └{}┘", "─".repeat(inner)), ctx.theme.dim())),
    ]
}

fn local_browser(out: &mut Vec<Line<'static>>, state: &State, width: usize, ctx: Ctx) {
    let theme = ctx.theme;
    let a = &state.authorize;
    let mut n = 1;
    out.extend(lines(
        &format!(
            "{n}. The app's Callback URLs must include this one (the create step listed it; adding it later can take minutes to reach every server):"
        ),
        width,
        theme.text(),
    ));
    out.extend(url_lines(&a.loopback_callback(), width, 3, theme.value()));
    if state.surroundings.ssh {
        n += 1;
        let target = state.surroundings.ssh_target.as_deref().unwrap_or("user@this-host");
        out.extend(lines(
            &format!("{n}. On your laptop, run this so its browser reaches this machine:"),
            width,
            theme.text(),
        ));
        let port = a.listen_port;
        let ssh = format!("ssh -L {port}:127.0.0.1:{port} {target}");
        out.extend(url_lines(&ssh, width, 3, theme.value()));
    }
    n += 1;
    let open = match (state.surroundings.ssh, ctx.key_for(Action::OpenBrowser)) {
        (false, Some(k)) => format!(" ({k} opens it)"),
        _ => String::new(),
    };
    out.extend(lines(&format!("{n}. Open this URL in the browser and click Allow{open}:"), width, theme.text()));
    match (&a.request, &a.paste_fix) {
        // An explained error needs the room at 80x24; the URL is unchanged and one key away.
        (Some(_), Some(_)) => {
            let copy = ctx.key_for(Action::Copy).map(|k| format!("; {k} copies it")).unwrap_or_default();
            out.extend(lines(&format!("   (hidden while the error below is shown{copy})"), width, theme.dim()))
        }
        (Some(request), None) => out.extend(url_lines(&request.url, width, 3, theme.value())),
        (None, _) => out.extend(lines("   (no URL yet)", width, theme.dim())),
    }
    let (text, style) = match &a.listener {
        ListenerStatus::Idle | ListenerStatus::Starting => ("starting…".to_string(), theme.text()),
        ListenerStatus::Listening { port } => (format!("waiting for the browser on localhost:{port}"), theme.text()),
        ListenerStatus::Arrived => ("the browser came back".to_string(), theme.success()),
        ListenerStatus::Failed(e) => (format!("failed: {e}"), theme.error()),
    };
    out.extend(labelled(Span::styled("Listener: ", theme.heading()), &text, width, style));
    if matches!(a.listener, ListenerStatus::Listening { .. }) && a.paste_fix.is_none() {
        // Salesforce refuses an unregistered callback on its own page, so nothing ever reaches the listener:
        // the one case this screen cannot see, said before the user is left waiting.
        let switch = ctx.key_for(Action::FocusNext).map(|k| format!(" ({k})")).unwrap_or_default();
        out.extend(lines(
            &format!(
                "Nothing comes back? If the browser shows \"redirect_uri must match configuration\", the app \
                 lacks the callback in 1.: add it (it takes minutes to apply) or use Paste back{switch}."
            ),
            width,
            theme.dim(),
        ));
    }
    problem(out, state, width, ctx);
}
