//! The OSC 52 escape sequence: "terminal, put this on the clipboard", which travels over SSH with the rest of
//! the output. Owns the bytes, including the wrapping tmux and GNU screen need to pass it on. Must not decide
//! whether to use it (that is `environment.rs`).

use std::io::Write;

use base64::Engine;

/// How the sequence must be wrapped to get through a terminal multiplexer to the real terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passthrough {
    /// Straight to the terminal.
    None,
    /// Inside tmux: the plain sequence, which tmux takes itself with `set-clipboard on` (and hands to the
    /// outer terminal when that is `on` or `external`), then the same in a DCS `tmux;` passthrough with every
    /// ESC doubled, which reaches the outer terminal with `allow-passthrough on`. Either setting suffices;
    /// with both, the same text is set twice, which changes nothing.
    Tmux,
    /// Inside GNU screen: DCS strings, each at most 76 bytes of payload, because screen cuts long ones.
    Screen,
}

const ESC: &str = "\x1b";
const BEL: &str = "\x07";
/// GNU screen truncates a DCS string longer than its buffer; 76-byte pieces fit (the size other tools use).
const SCREEN_CHUNK_BYTES: usize = 76;

/// Writes `ESC ]52;c;BASE64 BEL`, wrapped for `passthrough`, and flushes. An empty `text` clears the clipboard
/// in terminals that honour OSC 52.
pub fn write_osc52(out: &mut impl Write, text: &str, passthrough: Passthrough) -> std::io::Result<()> {
    let payload = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let sequence = match passthrough {
        Passthrough::None => format!("{ESC}]52;c;{payload}{BEL}"),
        Passthrough::Tmux => format!("{ESC}]52;c;{payload}{BEL}{ESC}Ptmux;{ESC}{ESC}]52;c;{payload}{BEL}{ESC}\\"),
        Passthrough::Screen => screen_sequence(&payload),
    };
    out.write_all(sequence.as_bytes())?;
    out.flush()
}

/// `ESC P ESC ]52;c;` + the payload split into DCS strings (`ESC \ ESC P` between pieces) + `BEL ESC \`.
fn screen_sequence(payload: &str) -> String {
    let mut sequence = format!("{ESC}P{ESC}]52;c;");
    // Base64 is ASCII, so byte chunks are whole characters.
    for (index, chunk) in payload.as_bytes().chunks(SCREEN_CHUNK_BYTES).enumerate() {
        if index > 0 {
            sequence.push_str(&format!("{ESC}\\{ESC}P"));
        }
        sequence.push_str(&String::from_utf8_lossy(chunk));
    }
    sequence.push_str(&format!("{BEL}{ESC}\\"));
    sequence
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(text: &str, passthrough: Passthrough) -> String {
        let mut out = Vec::new();
        assert!(write_osc52(&mut out, text, passthrough).is_ok());
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn plain_terminal_gets_the_bare_sequence() {
        assert_eq!(bytes("foo", Passthrough::None), "\x1b]52;c;Zm9v\x07");
    }

    #[test]
    fn tmux_gets_the_plain_sequence_then_a_passthrough_with_the_inner_escape_doubled() {
        // Issue 10: only the wrapped form was sent, which tmux drops unless allow-passthrough is on; the
        // plain one is what tmux's own `set-clipboard on` takes.
        assert_eq!(bytes("foo", Passthrough::Tmux), "\x1b]52;c;Zm9v\x07\x1bPtmux;\x1b\x1b]52;c;Zm9v\x07\x1b\\");
    }

    #[test]
    fn screen_gets_short_dcs_pieces() {
        assert_eq!(bytes("foo", Passthrough::Screen), "\x1bP\x1b]52;c;Zm9v\x07\x1b\\");
        // 64 hex characters of a client secret encode to 88 base64 bytes: two pieces, 76 + 12.
        let secret = "A".repeat(64);
        let encoded = base64::engine::general_purpose::STANDARD.encode(&secret);
        let expected = format!("\x1bP\x1b]52;c;{}\x1b\\\x1bP{}\x07\x1b\\", &encoded[..76], &encoded[76..]);
        assert_eq!(bytes(&secret, Passthrough::Screen), expected);
    }

    #[test]
    fn clearing_sends_an_empty_payload() {
        assert_eq!(bytes("", Passthrough::None), "\x1b]52;c;\x07");
    }
}
