//! What the runtime reports back about a copy or the browser, as facts: what was copied, its length, the
//! method used, or why it failed. Worded in one place, the UI's `notice` module, so the runtime and the
//! clipboard build no prose and a key rebinding or a rewording changes one file.

use std::time::Duration;

/// A finished copy or browser opening, for the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A value reached the clipboard.
    Copied {
        /// What was copied, e.g. "Client secret".
        label: String,
        /// Its length in characters (never the text itself).
        chars: usize,
        method: CopyMethod,
        /// Why the system clipboard was not used although it was the first choice.
        system_failed: Option<String>,
        /// A secret is cleared from the clipboard after this long.
        clears_in: Option<Duration>,
    },
    /// A value did not reach the clipboard.
    NotCopied { label: String, why: CopyFailure },
    /// The browser was opened on the authorize URL.
    BrowserOpened,
    /// No browser could be opened here.
    NoBrowser,
    /// The demo's simulated browser clicked Allow and came back to the listener.
    DemoAllowed,
    /// The demo org answered the authorize request without a redirect.
    DemoNoRedirect,
    /// The demo's simulated browser could not reach the demo org.
    DemoBrowserFailed(String),
}

/// How a copy reached the clipboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyMethod {
    /// The desktop's clipboard.
    System,
    /// The terminal's clipboard (OSC 52); `tmux`: through tmux, which passes it on only when told to.
    Terminal { tmux: bool },
}

/// Why a copy failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyFailure {
    /// `--no-clipboard`.
    Off,
    /// The clipboard broke on an earlier copy (a panic while it was held).
    FailedEarlier,
    /// Longer than terminals accept through OSC 52.
    TooLongForTerminal { bytes: usize, max: usize },
    /// The copy sequence could not be written to the terminal.
    Terminal(String),
    /// The system clipboard failed, with no fallback left.
    System(String),
}

impl Notice {
    /// True when the notice reports a failure (shown as an error).
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Notice::NotCopied { .. } | Notice::NoBrowser | Notice::DemoNoRedirect | Notice::DemoBrowserFailed(_)
        )
    }
}
