//! Copying a value to the user's clipboard, wherever the user is: the system clipboard on a local desktop, the
//! terminal's own clipboard through OSC 52 over SSH or without a display, and OSC 52 again when the system
//! clipboard fails ("Can't open display"). Every copy reports how it was done.
//!
//! Must not: log or report the copied text (only its length), keep a copy of it, or fail without saying so.

mod environment;
mod osc52;
mod system;

use std::hash::BuildHasher;

pub use environment::{Environment, choose_method};
pub use osc52::{Passthrough, write_osc52};

pub(crate) use system::{Opener, SystemClipboard};

/// How a value reaches the clipboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// An escape sequence the terminal turns into a clipboard write; works over SSH.
    Osc52 { passthrough: Passthrough },
    /// The desktop's clipboard, through arboard.
    System,
}

/// Terminals cap OSC 52 payloads (about 100,000 bytes of base64 in several); a longer one is dropped without a
/// word, so we refuse it instead.
pub const OSC52_MAX_TEXT_BYTES: usize = 74_994;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "could not send the copy sequence to the terminal: {0}; reveal the value and select it by hand, or \
         write the settings to a file with --output"
    )]
    Terminal(#[source] std::io::Error),
    #[error(
        "{label} is {bytes} bytes, too long for the terminal clipboard (OSC 52, at most {max} bytes); write it \
         to a file with --output instead"
    )]
    TooLongForTerminal { label: String, bytes: usize, max: usize },
    #[error("could not clear the system clipboard: {0}; copy something else over it")]
    SystemClear(String),
}

/// How long a copied secret stays on the clipboard before the wizard clears it, as password managers
/// do: long enough to paste it into the connector's form, short enough not to linger for the next paste.
/// Any later copy, or x, ends the wait (the clipboard no longer holds the secret, or is clear).
pub const SECRET_ON_CLIPBOARD: std::time::Duration = std::time::Duration::from_secs(60);

/// What a copy did: facts only (the UI words them, `ui::notice`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// What was copied, e.g. "Client secret".
    pub label: String,
    /// Length of the copied text in characters.
    pub chars: usize,
    pub method: Method,
    /// Why the system clipboard was not used although it was the first choice (arboard's message).
    pub system_error: Option<String>,
}

/// What the last copy was, to clear it later without keeping the text.
struct LastCopy {
    method: Method,
    fingerprint: u64,
}

/// The clipboard for this process. Keep it alive as long as a copied value should stay pasteable: on X11
/// the value lives in this process, and dropping the system clipboard takes it away.
pub struct Clipboard {
    env: Environment,
    method: Method,
    open_system: Opener,
    system: Option<Box<dyn SystemClipboard>>,
    system_error: Option<String>,
    hasher: std::collections::hash_map::RandomState,
    last: Option<LastCopy>,
}

impl Clipboard {
    /// A clipboard using the method `env` calls for. The system clipboard is opened at the first copy.
    pub fn new(env: Environment) -> Self {
        Self::with_opener(env, system::open_arboard)
    }

    pub(crate) fn with_opener(env: Environment, open_system: Opener) -> Self {
        Self {
            env,
            method: choose_method(&env),
            open_system,
            system: None,
            system_error: None,
            hasher: Default::default(),
            last: None,
        }
    }

    /// The method the next copy will try first.
    pub fn method(&self) -> Method {
        self.method
    }

    /// Copies `text`; OSC 52 sequences go to `out` (the terminal). Falls back to OSC 52 when the system
    /// clipboard fails, and from then on uses OSC 52 directly.
    pub fn copy(&mut self, label: &str, text: &str, out: &mut impl std::io::Write) -> Result<CopyReport, Error> {
        if self.method == Method::System {
            match self.system_set(text) {
                Ok(()) => return Ok(self.copied(label, text, Method::System)),
                Err(reason) => {
                    self.system_error = Some(reason);
                    self.method = Method::Osc52 { passthrough: self.env.passthrough() };
                }
            }
        }
        let Method::Osc52 { passthrough } = self.method else {
            // Invariant: the branch above returns on success and switches to OSC 52 on failure.
            return Ok(self.copied(label, text, Method::System));
        };
        if text.len() > OSC52_MAX_TEXT_BYTES {
            return Err(Error::TooLongForTerminal {
                label: label.to_owned(),
                bytes: text.len(),
                max: OSC52_MAX_TEXT_BYTES,
            });
        }
        write_osc52(out, text, passthrough).map_err(Error::Terminal)?;
        Ok(self.copied(label, text, self.method))
    }

    /// Clears what the last copy put on the clipboard (for "clear the copied secret after 30 s"). The system
    /// clipboard is cleared only if it still holds our value, so a later copy of the user's own survives.
    pub fn clear(&mut self, out: &mut impl std::io::Write) -> Result<(), Error> {
        let Some(last) = self.last.take() else {
            return Ok(());
        };
        match last.method {
            Method::Osc52 { passthrough } => write_osc52(out, "", passthrough).map_err(Error::Terminal),
            Method::System => {
                let Some(system) = self.system.as_mut() else {
                    return Ok(());
                };
                let current = system.get_text().map(zeroize::Zeroizing::new);
                let still_ours = current.is_ok_and(|text| self.hasher.hash_one(text.as_str()) == last.fingerprint);
                if still_ours { system.clear().map_err(Error::SystemClear) } else { Ok(()) }
            }
        }
    }

    fn system_set(&mut self, text: &str) -> Result<(), String> {
        if self.system.is_none() {
            self.system = Some((self.open_system)()?);
        }
        match self.system.as_mut() {
            Some(system) => system.set_text(text),
            None => Err("the system clipboard could not be opened".to_owned()),
        }
    }

    fn copied(&mut self, label: &str, text: &str, method: Method) -> CopyReport {
        self.last = Some(LastCopy { method, fingerprint: self.hasher.hash_one(text) });
        CopyReport {
            label: label.to_owned(),
            chars: text.chars().count(),
            method,
            system_error: if method == Method::System { None } else { self.system_error.clone() },
        }
    }
}

#[cfg(test)]
mod tests;
