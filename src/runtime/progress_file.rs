//! The progress file: `progress.json` in the state folder (`~/.local/state/sfconnect/` on Linux), mode
//! 0600 in a 0700 folder, written atomically once typing pauses after a resumable entry changed (never on
//! the UI thread: the runtime's worker runs the writes), deleted once the settings are saved or the user
//! starts over. It never holds a secret (see `wizard::progress`).

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use crate::settings::{Overwrite, write_settings};
use crate::wizard::progress::Progress;

pub fn path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "sfconnect")?;
    let dir = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
    Some(dir.join("progress.json"))
}

/// The saved progress, if there is a readable one worth offering. A broken file is ignored (and
/// replaced at the next save): it holds nothing that cannot be typed again. Why it was ignored (which
/// field, and the values it may have) goes to the log.
pub fn load(wall: SystemTime) -> Option<Progress> {
    let (_, text) = crate::settings::read_small_file(&path()?, crate::settings::MAX_SETTINGS_BYTES).ok()?;
    let progress =
        Progress::from_json(&text).inspect_err(|e| tracing::warn!(error = %e, "progress file ignored")).ok()?;
    progress.worth_resuming(wall).then_some(progress)
}

/// Writes the progress; failures are not worth interrupting the wizard for, and are logged.
pub fn save(progress: &Progress) {
    let Some(path) = path() else { return };
    if let Some(dir) = path.parent()
        && crate::settings::create_private_dir(dir).is_err()
    {
        return;
    }
    let Ok(json) = serde_json::to_string_pretty(progress) else { return };
    if let Err(e) = write_settings(&path, &json, Overwrite::Replace) {
        tracing::warn!(error = %e, "could not save progress");
    }
}

pub fn forget() {
    if let Some(path) = path() {
        let _ = std::fs::remove_file(path);
    }
}

/// How long typing must pause before the progress is written: a write costs two fsyncs, so it follows the
/// last key by this much instead of following every key.
pub const TYPING_PAUSE: Duration = Duration::from_millis(700);

/// The longest a change waits while changes keep coming (a countdown or a long paste): it is written
/// by then even without a pause.
pub const LONGEST_WAIT: Duration = Duration::from_secs(3);

/// Keeps the progress file in step with the state: notes each change, and hands over a write only once
/// the changes pause (debounced). The writes themselves run on the runtime's worker thread, never here.
#[derive(Debug, Default)]
pub struct ProgressKeeper {
    /// The content last handed over for writing.
    last: Option<Progress>,
    /// Changed content waiting for a pause, when it is due, and when the first unwritten change came.
    pending: Option<(Progress, Instant, Instant)>,
    enabled: bool,
}

/// What the keeper asks the worker to do.
#[derive(Debug, PartialEq, Eq)]
pub enum ProgressJob {
    Save(Box<Progress>),
    Forget,
}

impl ProgressJob {
    /// Does it: blocking file I/O, for the worker thread.
    pub fn run(self) {
        match self {
            ProgressJob::Save(progress) => save(&progress),
            ProgressJob::Forget => forget(),
        }
    }
}

impl ProgressKeeper {
    pub fn new(enabled: bool) -> Self {
        Self { last: None, pending: None, enabled }
    }

    /// Notes the state after a batch of messages. `wall` and `now` are the same moment. Returns a job
    /// to run at once: forgetting the file when the settings are saved.
    pub fn note(&mut self, state: &crate::wizard::State, wall: SystemTime, now: Instant) -> Option<ProgressJob> {
        if !self.enabled || state.resume.is_some() {
            return None;
        }
        if state.result.saved.is_some() {
            // Done: nothing left to resume.
            self.enabled = false;
            self.pending = None;
            return Some(ProgressJob::Forget);
        }
        if state.step == crate::wizard::Step::START && !state.touched {
            return None;
        }
        // `from_state` wants the wall time of `state.now`, which is the moment of the last message, not
        // this one: otherwise the wait's start drifts with every wake-up and always reads as changed.
        let wall_then = wall.checked_sub(now.saturating_duration_since(state.now)).unwrap_or(wall);
        let mut progress = Progress::from_state(state, wall_then);
        progress.saved_at = progress.saved_at.max(1);
        let newest = self.pending.as_ref().map(|(p, ..)| p).or(self.last.as_ref());
        let unchanged = newest.is_some_and(|p| Progress { saved_at: p.saved_at, ..progress.clone() } == *p);
        if !unchanged {
            let first = self.pending.as_ref().map_or(now, |(_, _, first)| *first);
            let due = (now + TYPING_PAUSE).min(first + LONGEST_WAIT);
            self.pending = Some((progress, due, first));
        }
        None
    }

    /// When the pending write falls due, if one is waiting.
    pub fn deadline(&self) -> Option<Instant> {
        self.pending.as_ref().map(|(_, due, _)| *due)
    }

    /// The write that is due at `now`, if any.
    pub fn take_due(&mut self, now: Instant) -> Option<ProgressJob> {
        if self.deadline().is_none_or(|due| due > now) {
            return None;
        }
        self.take_pending()
    }

    /// The pending write, due or not (at exit, or after an SSH drop: it must land).
    pub fn take_pending(&mut self) -> Option<ProgressJob> {
        let (progress, ..) = self.pending.take()?;
        self.last = Some(progress.clone());
        Some(ProgressJob::Save(Box::new(progress)))
    }

    /// The user started over: a pending write is dropped, and the next change is written afresh.
    pub fn forget(&mut self) -> ProgressJob {
        self.pending = None;
        self.last = None;
        ProgressJob::Forget
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wizard::{Action, Msg, State, Surroundings, Update, update};

    fn state_on_the_email_row(now: Instant) -> State {
        let mut state = State::new(crate::presets::bundled(), Surroundings::default(), now);
        let _: Update = update(&mut state, Msg::Action(Action::Next));
        let _ = update(&mut state, Msg::Action(Action::Next));
        while state.create_app.row() != crate::wizard::steps::create_app::Row::Email {
            let _ = update(&mut state, Msg::Action(Action::Down));
        }
        state
    }

    /// Issue 12 item 3: typing one email address rewrote the progress file (two fsyncs each) 14 times, on
    /// the UI thread. Typed at a brisk 8 keys a second, it is written once, after the pause.
    #[test]
    fn typing_a_kept_field_writes_the_progress_once_after_the_pause() {
        let t0 = Instant::now();
        let wall = SystemTime::now();
        let mut state = state_on_the_email_row(t0);
        let mut keeper = ProgressKeeper::new(true);
        let mut writes = Vec::new();
        let mut now = t0;
        for c in "admin@acme.com".chars() {
            now += Duration::from_millis(125);
            let _ = update(&mut state, Msg::Char(c));
            assert_eq!(keeper.note(&state, wall, now), None);
            writes.extend(keeper.take_due(now));
        }
        assert!(writes.is_empty(), "no write while typing: {writes:?}");
        let due = keeper.deadline().expect("a write waits for the pause");
        assert_eq!(due, now + TYPING_PAUSE);
        assert_eq!(keeper.take_due(due - Duration::from_millis(1)), None);
        writes.extend(keeper.take_due(due));
        let [ProgressJob::Save(saved)] = writes.as_slice() else { panic!("one write: {writes:?}") };
        assert_eq!(saved.contact_email, "admin@acme.com", "the write holds the whole address");
        assert_eq!(keeper.deadline(), None);
        // Nothing changed since: nothing more to write.
        assert_eq!(keeper.note(&state, wall, due), None);
        assert_eq!(keeper.deadline(), None);
    }

    /// Changes that never pause (a long paste, a countdown that changes what is kept) are still written
    /// within [`LONGEST_WAIT`]; and a wait that began once reads the same at every later moment, so
    /// it is no change.
    #[test]
    fn changes_that_never_pause_are_written_within_the_longest_wait() {
        let t0 = Instant::now();
        let wall = SystemTime::now();
        let mut state = state_on_the_email_row(t0);
        state.propagation.started = Some(t0);
        let mut keeper = ProgressKeeper::new(true);
        let mut writes = 0;
        let mut now = t0;
        for c in "a-very-long-address-typed-without-a-pause@acme.com".chars() {
            now += Duration::from_millis(300);
            let _ = update(&mut state, Msg::Char(c));
            let elapsed = now - t0;
            let _ = keeper.note(&state, wall + elapsed, now);
            writes += usize::from(keeper.take_due(now).is_some());
        }
        assert!((4..=6).contains(&writes), "{writes} writes in 15 s of typing");
        let _ = keeper.take_pending();
        for ms in (0..5000).step_by(137) {
            let later = now + Duration::from_millis(ms);
            let _ = keeper.note(&state, wall + (later - t0), later);
            assert_eq!(keeper.deadline(), None, "{ms} ms later: the wait's start reads as a change");
        }
    }

    /// The last change before quitting (or an SSH drop) is not lost to the pause.
    #[test]
    fn a_pending_write_is_handed_over_at_exit_and_dropped_on_start_over() {
        let t0 = Instant::now();
        let mut state = state_on_the_email_row(t0);
        let mut keeper = ProgressKeeper::new(true);
        let _ = update(&mut state, Msg::Char('a'));
        let _ = keeper.note(&state, SystemTime::now(), t0);
        assert!(matches!(keeper.take_pending(), Some(ProgressJob::Save(_))));
        let _ = update(&mut state, Msg::Char('b'));
        let _ = keeper.note(&state, SystemTime::now(), t0);
        assert_eq!(keeper.forget(), ProgressJob::Forget);
        assert_eq!(keeper.take_pending(), None, "started over: the pending write is dropped");
    }
}
