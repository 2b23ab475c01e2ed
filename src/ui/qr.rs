//! A QR code of a URL, for a phone to open: drawn with Unicode half blocks (▀ ▄ █), two rows of modules to
//! one row of text, light modules filled, so it reads dark-on-light on a dark terminal, and with explicit
//! colours it reads the same on any terminal. When the area is too small it says how big the terminal must
//! be instead of drawing a code no phone can read.

use qrcode::{Color, EcLevel, QrCode};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::wrap::lines;

/// Light modules around the code; scanners need some, and 2 is enough on a screen.
const QUIET_ZONE: usize = 2;

/// The code as rows of text, or `None` when the URL is too long for any QR code.
pub fn qr_rows(url: &str) -> Option<Vec<String>> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::L).ok()?;
    let width = code.width();
    let modules = code.to_colors();
    let size = width + 2 * QUIET_ZONE;
    let light = |x: usize, y: usize| -> bool {
        if x < QUIET_ZONE || y < QUIET_ZONE || x >= width + QUIET_ZONE || y >= width + QUIET_ZONE {
            return true;
        }
        modules.get((y - QUIET_ZONE) * width + (x - QUIET_ZONE)) == Some(&Color::Light)
    };
    let mut rows = Vec::with_capacity(size.div_ceil(2));
    for y in (0..size).step_by(2) {
        let row: String = (0..size)
            .map(|x| match (light(x, y), y + 1 < size && light(x, y + 1)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            })
            .collect();
        rows.push(row);
    }
    Some(rows)
}

/// Draws the QR code of `url` centred in `area`, with a caption line under it.
pub fn render(frame: &mut Frame, area: Rect, url: &str, caption: &str, theme: Theme) {
    let Some(rows) = qr_rows(url) else {
        let text = "This URL is too long for a QR code: copy it instead.";
        frame.render_widget(Paragraph::new(lines(text, area.width as usize, theme.warning())), area);
        return;
    };
    let qr_width = rows.first().map_or(0, |r| r.chars().count()) as u16;
    let qr_height = rows.len() as u16;
    // The caption goes when only the code fits: one row less, so 80x23 (tmux's pane in an 80x24 window)
    // still shows the device code's QR.
    if qr_width > area.width || qr_height > area.height {
        // Whatever the rest of the screen takes around `area` is still needed.
        let full = frame.area();
        let need_w = qr_width.max(area.width) + full.width.saturating_sub(area.width);
        let need_h = qr_height + full.height.saturating_sub(area.height);
        let text = format!(
            "Make the terminal at least {need_w}x{need_h} to show the QR code (it is {}x{} now), or copy the URL instead.",
            full.width, full.height
        );
        frame.render_widget(Paragraph::new(lines(&text, area.width as usize, theme.warning())), area);
        return;
    }
    let x = area.x + (area.width - qr_width) / 2;
    let code_area = Rect { x, y: area.y, width: qr_width, height: qr_height };
    let style = theme.qr();
    let text: Vec<Line> = rows.into_iter().map(|r| Line::from(Span::styled(r, style))).collect();
    frame.render_widget(Paragraph::new(text), code_area);
    if qr_height < area.height {
        let caption_area = Rect { y: area.y + qr_height, height: 1, ..area };
        frame.render_widget(Paragraph::new(Line::from(caption.to_string()).centered()), caption_area);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_module_rows_per_text_row() {
        let rows = qr_rows("https://login.salesforce.com/setup/connect?user_code=ABCD1234").expect("fits a QR code");
        let width = rows[0].chars().count();
        assert_eq!(rows.len(), width.div_ceil(2));
        // The quiet zone is light all round.
        assert!(rows[0].chars().all(|c| c == '█'));
    }
}
