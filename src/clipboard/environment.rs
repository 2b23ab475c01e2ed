//! Which clipboard can work here: the facts read from environment variables, and the choice made from them.
//! Owns the rules (OSC 52 over SSH or without a display, the system clipboard otherwise); must not touch a
//! clipboard or the terminal.

use super::{Method, Passthrough};

/// What the environment says about where we run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Environment {
    /// Running over SSH (`SSH_CONNECTION` or `SSH_TTY` set): the system clipboard here is not the user's.
    pub ssh: bool,
    /// A display server is reachable (`DISPLAY` or `WAYLAND_DISPLAY`; always true on macOS and Windows).
    pub display: bool,
    /// Inside tmux (`TMUX` set).
    pub tmux: bool,
    /// Inside GNU screen (`STY` set, or `TERM` starting with `screen` outside tmux).
    pub screen: bool,
}

impl Environment {
    /// Reads the process environment.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the variables through `lookup`, so tests need not change the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let set = |name: &str| lookup(name).is_some_and(|value| !value.is_empty());
        let tmux = set("TMUX");
        let term_is_screen = lookup("TERM").is_some_and(|term| term.starts_with("screen"));
        Self {
            ssh: set("SSH_CONNECTION") || set("SSH_TTY"),
            // macOS and Windows have a system clipboard without any display variable.
            display: cfg!(any(target_os = "macos", windows)) || set("DISPLAY") || set("WAYLAND_DISPLAY"),
            tmux,
            screen: set("STY") || (term_is_screen && !tmux),
        }
    }

    /// The wrapping OSC 52 needs to get through the multiplexer we run in (tmux wins when both are set: it is
    /// the one that sets `TMUX` for its own panes).
    pub fn passthrough(&self) -> Passthrough {
        if self.tmux {
            Passthrough::Tmux
        } else if self.screen {
            Passthrough::Screen
        } else {
            Passthrough::None
        }
    }
}

/// OSC 52 when the system clipboard is not the user's (SSH) or does not exist (no display); the system
/// clipboard otherwise.
pub fn choose_method(env: &Environment) -> Method {
    if env.ssh || !env.display { Method::Osc52 { passthrough: env.passthrough() } } else { Method::System }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(vars: &[(&str, &str)]) -> Environment {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Environment::from_lookup(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn ssh_uses_osc52_even_with_a_forwarded_display() {
        let env = env_of(&[("SSH_CONNECTION", "10.0.0.2 5122 10.0.0.1 22"), ("DISPLAY", "localhost:10.0")]);
        assert_eq!(choose_method(&env), Method::Osc52 { passthrough: Passthrough::None });
        let env = env_of(&[("SSH_TTY", "/dev/pts/3"), ("TMUX", "/tmp/tmux-1000/default,1,0")]);
        assert_eq!(choose_method(&env), Method::Osc52 { passthrough: Passthrough::Tmux });
    }

    #[test]
    fn a_local_desktop_uses_the_system_clipboard() {
        assert_eq!(choose_method(&env_of(&[("DISPLAY", ":0")])), Method::System);
        assert_eq!(choose_method(&env_of(&[("WAYLAND_DISPLAY", "wayland-0"), ("TMUX", "x")])), Method::System);
    }

    #[cfg(not(any(target_os = "macos", windows)))]
    #[test]
    fn no_display_means_osc52_wrapped_for_the_multiplexer() {
        assert_eq!(choose_method(&env_of(&[])), Method::Osc52 { passthrough: Passthrough::None });
        let screen = env_of(&[("STY", "1234.pts-0.host")]);
        assert_eq!(choose_method(&screen), Method::Osc52 { passthrough: Passthrough::Screen });
        let term_only = env_of(&[("TERM", "screen-256color")]);
        assert_eq!(choose_method(&term_only), Method::Osc52 { passthrough: Passthrough::Screen });
        // tmux sets TERM=screen too; TMUX says which multiplexer it really is.
        let tmux = env_of(&[("TERM", "screen-256color"), ("TMUX", "/tmp/tmux-1000/default,1,0")]);
        assert_eq!(choose_method(&tmux), Method::Osc52 { passthrough: Passthrough::Tmux });
    }

    #[test]
    fn empty_variables_count_as_unset() {
        let env = env_of(&[("SSH_TTY", ""), ("DISPLAY", ":0"), ("TMUX", "")]);
        assert!(!env.ssh && !env.tmux);
        assert_eq!(choose_method(&env), Method::System);
    }
}
