//! Named styles for every screen. With `NO_COLOR` set (`state.surroundings.no_color`) only plain, bold and
//! reversed are used, so nothing depends on colour to be read.

use ratatui::style::{Color, Modifier, Style};

/// The styles of one frame, chosen once from the surroundings.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    no_color: bool,
}

impl Theme {
    pub fn new(no_color: bool) -> Self {
        Self { no_color }
    }

    pub fn no_color(self) -> bool {
        self.no_color
    }

    fn coloured(self, color: Color, modifier: Modifier) -> Style {
        if self.no_color {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new().fg(color).add_modifier(modifier)
        }
    }

    /// Ordinary text.
    pub fn text(self) -> Style {
        Style::new()
    }

    /// The top line and section headings.
    pub fn heading(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// Secondary text: explanations under a value, "why" lines.
    pub fn dim(self) -> Style {
        if self.no_color { Style::new() } else { Style::new().fg(Color::Gray) }
    }

    /// Values the user copies into Salesforce: URLs, names, codes.
    pub fn value(self) -> Style {
        self.coloured(Color::Cyan, Modifier::empty())
    }

    /// The row or item under the cursor.
    pub fn cursor(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// The heading of the list or field that has the focus.
    pub fn focus(self) -> Style {
        if self.no_color {
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        } else {
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
        }
    }

    /// The cell under a text cursor.
    pub fn text_cursor(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn error(self) -> Style {
        self.coloured(Color::Red, Modifier::BOLD)
    }

    pub fn warning(self) -> Style {
        self.coloured(Color::Yellow, Modifier::empty())
    }

    pub fn success(self) -> Style {
        self.coloured(Color::Green, Modifier::BOLD)
    }

    /// A key name in the hint bar.
    pub fn key(self) -> Style {
        if self.no_color {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
        }
    }

    /// The DEMO tag on the top line.
    pub fn demo_tag(self) -> Style {
        if self.no_color {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::new().fg(Color::Black).bg(Color::Magenta).add_modifier(Modifier::BOLD)
        }
    }

    /// Dark and light modules of a QR code: dark on light, whatever the terminal's own colours.
    pub fn qr(self) -> Style {
        if self.no_color { Style::new() } else { Style::new().fg(Color::White).bg(Color::Black) }
    }
}
