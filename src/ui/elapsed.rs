//! Time as the screens show it, derived from `state.now` and the instants stored in state (never from the
//! clock): "mm:ss" and a spinner frame.

use std::time::Duration;

/// "07:05" for seven minutes and five seconds; hours roll into minutes ("75:00").
pub fn mm_ss(d: Duration) -> String {
    let s = d.as_secs();
    format!("{:02}:{:02}", s / 60, s % 60)
}

// Ten frames: at a 1 Hz tick (four quarter seconds a tick) five different frames still take turns.
const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// A spinner frame that moves on every quarter second of `elapsed`, so each tick shows a new frame.
pub fn spinner(elapsed: Duration) -> char {
    SPINNER[(elapsed.as_millis() / 250) as usize % SPINNER.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_and_seconds() {
        assert_eq!(mm_ss(Duration::from_secs(425)), "07:05");
        assert_eq!(mm_ss(Duration::from_secs(0)), "00:00");
        assert_ne!(spinner(Duration::from_millis(0)), spinner(Duration::from_millis(250)));
    }
}
