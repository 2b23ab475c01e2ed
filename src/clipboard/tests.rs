//! The copy and clear decisions, with a fake system clipboard standing in for arboard.

use std::sync::Mutex;

use super::system::SystemClipboard;
use super::*;

const DESKTOP: Environment = Environment { ssh: false, display: true, tmux: false, screen: false };
const SSH_IN_TMUX: Environment = Environment { ssh: true, display: false, tmux: true, screen: false };

/// What the fake clipboard holds; one per test, picked by the opener function.
static HELD: Mutex<Option<String>> = Mutex::new(None);

struct Fake;

impl SystemClipboard for Fake {
    fn set_text(&mut self, text: &str) -> Result<(), String> {
        *HELD.lock().map_err(|e| e.to_string())? = Some(text.to_owned());
        Ok(())
    }
    fn get_text(&mut self) -> Result<String, String> {
        HELD.lock().map_err(|e| e.to_string())?.clone().ok_or_else(|| "empty".to_owned())
    }
    fn clear(&mut self) -> Result<(), String> {
        *HELD.lock().map_err(|e| e.to_string())? = None;
        Ok(())
    }
}

fn open_fake() -> Result<Box<dyn SystemClipboard>, String> {
    Ok(Box::new(Fake))
}

fn open_broken() -> Result<Box<dyn SystemClipboard>, String> {
    Err("Can't open display".to_owned())
}

#[test]
fn over_ssh_the_value_goes_to_the_terminal_and_the_report_says_so() {
    let mut clipboard = Clipboard::with_opener(SSH_IN_TMUX, open_broken);
    let mut out = Vec::new();
    let report = clipboard.copy("Client secret", "foo", &mut out).ok();
    assert_eq!(out, b"\x1b]52;c;Zm9v\x07\x1bPtmux;\x1b\x1b]52;c;Zm9v\x07\x1b\\");
    let report = report.expect("copied");
    assert_eq!((report.label.as_str(), report.chars), ("Client secret", 3));
    assert_eq!(report.method, Method::Osc52 { passthrough: Passthrough::Tmux }, "the report says how");
    assert!(!format!("{report:?}").contains("foo"), "the report never holds the text");
}

#[test]
fn a_failing_system_clipboard_falls_back_to_osc52_and_says_why() {
    let mut clipboard = Clipboard::with_opener(DESKTOP, open_broken);
    let mut out = Vec::new();
    let report = clipboard.copy("Refresh token", "foo", &mut out).ok();
    assert_eq!(out, b"\x1b]52;c;Zm9v\x07");
    let report = report.expect("copied");
    assert_eq!(report.method, Method::Osc52 { passthrough: Passthrough::None });
    assert_eq!(report.system_error.as_deref(), Some("Can't open display"), "and why not the system clipboard");
    assert_eq!(clipboard.method(), Method::Osc52 { passthrough: Passthrough::None });
}

#[test]
fn system_copy_is_reported_and_cleared_only_while_still_ours() {
    let mut clipboard = Clipboard::with_opener(DESKTOP, open_fake);
    let mut out = Vec::new();
    let secret = "A".repeat(64);
    let report = clipboard.copy("Client secret", &secret, &mut out).ok();
    assert!(out.is_empty(), "nothing is written to the terminal");
    assert_eq!(report.map(|r| (r.chars, r.method, r.system_error)), Some((64, Method::System, None)));
    assert!(clipboard.clear(&mut out).is_ok());
    assert_eq!(HELD.lock().ok().and_then(|h| h.clone()), None, "our secret was cleared");

    assert!(clipboard.copy("Client ID", "3MVG9", &mut out).is_ok());
    if let Ok(mut held) = HELD.lock() {
        *held = Some("something the user copied since".to_owned());
    }
    assert!(clipboard.clear(&mut out).is_ok());
    assert_eq!(HELD.lock().ok().and_then(|h| h.clone()).as_deref(), Some("something the user copied since"));
}

#[test]
fn clearing_over_osc52_sends_an_empty_clipboard() {
    let mut clipboard = Clipboard::with_opener(SSH_IN_TMUX, open_broken);
    let mut out = Vec::new();
    assert!(clipboard.copy("Client secret", "foo", &mut out).is_ok());
    out.clear();
    assert!(clipboard.clear(&mut out).is_ok());
    assert_eq!(out, b"\x1b]52;c;\x07\x1bPtmux;\x1b\x1b]52;c;\x07\x1b\\");
}

#[test]
fn a_value_too_long_for_osc52_is_refused_not_dropped() {
    let mut clipboard = Clipboard::with_opener(SSH_IN_TMUX, open_broken);
    let mut out = Vec::new();
    let err = clipboard.copy("Settings", &"x".repeat(OSC52_MAX_TEXT_BYTES + 1), &mut out).err();
    assert!(out.is_empty());
    assert!(err.map(|e| e.to_string()).unwrap_or_default().contains("--output"));
}
