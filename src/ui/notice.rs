//! The words for the runtime's notices (a copy, the browser): the one place they are written. Keys are
//! named through the keymap's `{action}` placeholders, which the toast line fills.

use std::borrow::Cow;

use crate::wizard::notice::{CopyFailure, CopyMethod, Notice};
use crate::wizard::state::Toast;

/// The toast's text, before the keymap fills its key names.
pub fn toast_text(toast: &Toast) -> Cow<'_, str> {
    match toast {
        Toast::Said { text, .. } => Cow::Borrowed(text),
        Toast::Notice(notice) => Cow::Owned(words(notice)),
    }
}

/// E.g. "Client secret copied: 64 characters, via the system clipboard. Cleared in 60 s ({clear_clipboard}: now)."
pub fn words(notice: &Notice) -> String {
    match notice {
        Notice::Copied { label, chars, method, system_failed, clears_in } => {
            let unit = if *chars == 1 { "character" } else { "characters" };
            let mut text = format!("{label} copied: {chars} {unit}");
            match method {
                CopyMethod::System => text.push_str(", via the system clipboard"),
                CopyMethod::Terminal { tmux } => {
                    // Kept short: the status line has three rows at most, and the timer note follows.
                    text.push_str(", via the terminal (OSC 52). Nothing pasted? {show_plain@text} shows it to select");
                    if *tmux {
                        text.push_str("; tmux needs `set -g set-clipboard on`");
                    }
                    text.push('.');
                    if let Some(reason) = system_failed {
                        text.push_str(&format!(" (The system clipboard failed: {reason}.)"));
                    }
                }
            }
            if let Some(after) = clears_in {
                text.push_str(&format!(" Cleared in {} s ({{clear_clipboard@list}}: now).", after.as_secs()));
            }
            text
        }
        Notice::NotCopied { label, why } => match why {
            CopyFailure::Off => format!(
                "{label} not copied: the clipboard is off (--no-clipboard). Press {{reveal}} to show it and select \
                 it by hand."
            ),
            CopyFailure::FailedEarlier => {
                format!("{label} not copied: the clipboard failed earlier; press {{reveal}} to show it.")
            }
            CopyFailure::TooLongForTerminal { bytes, max } => format!(
                "{label} is {bytes} bytes, too long for the terminal clipboard (OSC 52, at most {max} bytes); write \
                 it to a file with --output instead"
            ),
            CopyFailure::System(reason) => {
                format!("{label} not copied: the system clipboard failed ({reason}); press {{reveal}} to show it.")
            }
            CopyFailure::Terminal(reason) => format!(
                "{label} not copied: could not send the copy sequence to the terminal ({reason}); reveal the value \
                 and select it by hand, or write the settings to a file with --output"
            ),
        },
        Notice::BrowserOpened => "Opened the browser. Sign in to the org and click Allow.".into(),
        Notice::NoBrowser => "No browser could be opened here: copy the URL and open it on your computer.".into(),
        Notice::DemoAllowed => "Demo: the simulated browser clicked Allow and came back to the listener.".into(),
        Notice::DemoNoRedirect => "The demo org did not redirect: check the key and the callback URL".into(),
        Notice::DemoBrowserFailed(reason) => format!("The demo browser failed: {reason}"),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::keymap::{Context, fill};

    fn copied(method: CopyMethod, system_failed: Option<&str>, clears_in: Option<Duration>) -> String {
        let notice = Notice::Copied {
            label: "Client secret".into(),
            chars: 64,
            method,
            system_failed: system_failed.map(str::to_owned),
            clears_in,
        };
        fill(&words(&notice), Context::Browse).into_owned()
    }

    /// Issue 12 item 4: the runtime reports a copy as facts; the words, with the key names from the keymap,
    /// are made here.
    #[test]
    fn a_copy_is_worded_from_its_facts_with_keys_from_the_keymap() {
        assert_eq!(
            copied(CopyMethod::System, None, None),
            "Client secret copied: 64 characters, via the system clipboard"
        );
        let over_ssh = copied(CopyMethod::Terminal { tmux: true }, None, Some(Duration::from_secs(60)));
        assert!(over_ssh.starts_with("Client secret copied: 64 characters, via the terminal (OSC 52)."), "{over_ssh}");
        assert!(over_ssh.contains("Ctrl-P shows it") && over_ssh.contains("set-clipboard on"), "{over_ssh}");
        assert!(over_ssh.ends_with("Cleared in 60 s (x: now)."), "{over_ssh}");
        let fell_back = copied(CopyMethod::Terminal { tmux: false }, Some("Can't open display"), None);
        assert!(fell_back.contains("(The system clipboard failed: Can't open display.)"), "{fell_back}");
        assert!(!fell_back.contains("tmux"), "{fell_back}");
    }

    #[test]
    fn a_failed_copy_names_the_value_and_what_to_do() {
        let off = Notice::NotCopied { label: "Refresh token".into(), why: CopyFailure::Off };
        let text = fill(&words(&off), Context::Browse).into_owned();
        assert!(text.starts_with("Refresh token not copied: the clipboard is off (--no-clipboard). Press r"), "{text}");
        let long = Notice::NotCopied {
            label: "Refresh token".into(),
            why: CopyFailure::TooLongForTerminal { bytes: 80_000, max: 74_994 },
        };
        assert!(words(&long).contains("80000 bytes") && words(&long).contains("--output"), "{}", words(&long));
        assert!(off.is_failure() && !Notice::BrowserOpened.is_failure());
        let toast = Toast::Notice(off);
        assert!(toast.is_error() && toast.said().is_none());
        assert!(toast_text(&toast).starts_with("Refresh token not copied"));
    }
}
