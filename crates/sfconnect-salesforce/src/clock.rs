//! Time for the waits (device polling, the readiness probe), injected so tests need not wait in real
//! time (as oauth2-rs's device flow takes a sleep function).

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A source of "now" and a way to sleep.
pub trait Clock: Send + Sync {
    fn now(&self) -> Instant;
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;
}

/// Real time, through tokio.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration)
    }
}

/// Virtual time: `sleep` returns at once and moves "now" forward. Records every sleep, for tests that
/// check intervals and back-off.
#[derive(Debug)]
pub struct ManualClock {
    start: Instant,
    state: Mutex<(Duration, Vec<Duration>)>,
}

impl Default for ManualClock {
    fn default() -> Self {
        Self { start: Instant::now(), state: Mutex::new((Duration::ZERO, Vec::new())) }
    }
}

impl ManualClock {
    /// Every sleep asked for so far.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state.lock().map(|s| s.1.clone()).unwrap_or_default()
    }

    /// Total virtual time elapsed.
    pub fn elapsed(&self) -> Duration {
        self.state.lock().map(|s| s.0).unwrap_or_default()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + self.elapsed()
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        if let Ok(mut s) = self.state.lock() {
            s.0 += duration;
            s.1.push(duration);
        }
        tokio::task::yield_now()
    }
}
