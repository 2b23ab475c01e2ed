//! Wrapping text to a width before it is drawn, so a screen knows how many rows each part takes and can
//! decide what fits in 80x24. Widths count characters: every text sfconnect shows is made of narrow
//! characters (ASCII, bullets, box drawing), so one character is one cell.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Wraps `text` at spaces to lines of at most `width` characters. Line breaks in `text` start a new line;
/// a word longer than the width (a URL, a token) is cut into pieces, never truncated. A line that starts
/// with "- " or "1. " (after any indent) continues under its text, not under the dash or number.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for paragraph in text.split('\n') {
        let indent = paragraph.len() - paragraph.trim_start().len();
        let hang = indent + bullet_width(paragraph.trim_start());
        let hang = if hang * 2 >= width { 0 } else { hang };
        let mut line = " ".repeat(indent);
        let mut line_len = indent;
        let mut has_word = false;
        for word in paragraph.split_whitespace() {
            let word_len = word.chars().count();
            if has_word && line_len + 1 + word_len <= width {
                line.push(' ');
                line.push_str(word);
                line_len += 1 + word_len;
                continue;
            }
            if has_word {
                out.push(std::mem::take(&mut line));
                line = " ".repeat(hang);
                line_len = hang;
            }
            // A word too long for the rest of the line is cut, the pieces filling whole lines.
            let mut rest: Vec<char> = word.chars().collect();
            while line_len + rest.len() > width {
                let room = width - line_len;
                line.extend(rest.drain(..room));
                out.push(std::mem::take(&mut line));
                line = " ".repeat(hang);
                line_len = hang;
            }
            line_len += rest.len();
            line.extend(rest);
            has_word = true;
        }
        out.push(line);
    }
    out
}

/// The width of a leading "- " or "12. ", or 0.
fn bullet_width(text: &str) -> usize {
    if text.starts_with("- ") {
        return 2;
    }
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && text[digits..].starts_with(". ") { digits + 2 } else { 0 }
}

/// Cuts `text` into pieces of exactly `width` characters (the last one shorter), ignoring spaces: for URLs,
/// so that joining the lines gives back the URL, character for character.
pub fn hard_wrap(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    chars.chunks(width.max(1)).map(|c| c.iter().collect()).collect()
}

/// [`wrap`], as styled lines.
pub fn lines(text: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    wrap(text, width).into_iter().map(|l| Line::from(Span::styled(l, style))).collect()
}

/// [`hard_wrap`], as styled lines, each indented by `indent` spaces.
pub fn url_lines(url: &str, width: usize, indent: usize, style: Style) -> Vec<Line<'static>> {
    hard_wrap(url, width.saturating_sub(indent))
        .into_iter()
        .map(|l| Line::from(vec![Span::raw(" ".repeat(indent)), Span::styled(l, style)]))
        .collect()
}

/// `label` followed by `text`, with `text` wrapped to the room after the label and continuation lines
/// indented to line up under it.
pub fn labelled(label: Span<'static>, text: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    let indent = label.width();
    let mut out = Vec::new();
    for (i, piece) in wrap(text, width.saturating_sub(indent)).into_iter().enumerate() {
        let lead = if i == 0 { label.clone() } else { Span::raw(" ".repeat(indent)) };
        out.push(Line::from(vec![lead, Span::styled(piece, style)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_wrap_and_long_words_are_cut_not_lost() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("ab abcdefghij", 4), vec!["ab", "abcd", "efgh", "ij"]);
        assert_eq!(wrap("- item with words", 8), vec!["- item", "  with", "  words"]);
        assert_eq!(wrap("a\n\nb", 5), vec!["a", "", "b"]);
        assert_eq!(wrap("3. paste it here", 10), vec!["3. paste", "   it here"]);
        let url = "https://example.com/a?b=c&d=e";
        assert_eq!(hard_wrap(url, 10).concat(), url);
        assert!(hard_wrap(url, 10).iter().all(|l| l.chars().count() <= 10));
    }
}
