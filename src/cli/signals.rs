//! SIGINT, SIGTERM and SIGHUP while a command holds a token that is not yet on disk. Once these are
//! taken (tokio installs its handler for the rest of the process), a signal no longer ends the process
//! by itself: the command finishes what must not be cut short (a refresh whose answer rotates the
//! token, writing the token down), then exits with 128 + the signal's number.

use std::future::Future;

/// The three stop signals as one awaitable.
pub struct StopSignals {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hup: tokio::signal::unix::Signal,
    /// The first signal that arrived while something was being finished.
    pub pending: Option<i32>,
}

impl StopSignals {
    /// Takes the signals. `None` when the system refuses (then they keep their default action).
    pub fn take() -> Option<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Some(Self {
                int: signal(SignalKind::interrupt()).ok()?,
                term: signal(SignalKind::terminate()).ok()?,
                hup: signal(SignalKind::hangup()).ok()?,
                pending: None,
            })
        }
        #[cfg(not(unix))]
        None
    }

    async fn recv(&mut self) -> i32 {
        #[cfg(unix)]
        tokio::select! {
            _ = self.int.recv() => 2,
            _ = self.term.recv() => 15,
            _ = self.hup.recv() => 1,
        }
        #[cfg(not(unix))]
        std::future::pending::<i32>().await
    }

    /// Runs `work` to its end whatever arrives meanwhile; a signal is kept in [`pending`](Self::pending)
    /// and said once, so the user knows the stop was heard.
    pub async fn finish<F: Future>(&mut self, work: F) -> F::Output {
        tokio::pin!(work);
        loop {
            tokio::select! {
                out = &mut work => return out,
                n = self.recv(), if self.pending.is_none() => {
                    self.pending = Some(n);
                    errln!("Stopping once the token is safely written...");
                }
            }
        }
    }

    /// Runs `work` unless a signal comes first (or came already): then `Err(signal number)`.
    pub async fn or_stop<F: Future>(&mut self, work: F) -> Result<F::Output, i32> {
        if let Some(n) = self.pending {
            return Err(n);
        }
        tokio::select! {
            out = work => Ok(out),
            n = self.recv() => Err(n),
        }
    }
}

/// Takes the signals if it can; the `Option` lets callers go on without (non-Unix, or refused).
pub async fn finish<F: Future>(signals: &mut Option<StopSignals>, work: F) -> F::Output {
    match signals {
        Some(s) => s.finish(work).await,
        None => work.await,
    }
}

/// [`StopSignals::or_stop`] when the signals are taken, else just `work`.
pub async fn or_stop<F: Future>(signals: &mut Option<StopSignals>, work: F) -> Result<F::Output, i32> {
    match signals {
        Some(s) => s.or_stop(work).await,
        None => Ok(work.await),
    }
}

/// The signal that arrived while something was finished, if any.
pub fn pending(signals: &Option<StopSignals>) -> Option<i32> {
    signals.as_ref().and_then(|s| s.pending)
}
