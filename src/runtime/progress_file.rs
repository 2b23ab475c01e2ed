//! The progress file: `progress.json` in the state folder (`~/.local/state/sfconnect/` on Linux), mode
//! 0600 in a 0700 folder, written atomically whenever a resumable entry changes, deleted once the
//! settings are saved or the user starts over. It never holds a secret (see `wizard::progress`).

use std::path::PathBuf;
use std::time::SystemTime;

use crate::settings::{Overwrite, write_settings};
use crate::wizard::progress::Progress;

pub fn path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "sfconnect")?;
    let dir = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
    Some(dir.join("progress.json"))
}

/// The saved progress, if there is a readable one worth offering. A broken file is ignored (and
/// replaced at the next save): it holds nothing that cannot be typed again.
pub fn load(wall: SystemTime) -> Option<Progress> {
    let (_, text) = crate::settings::read_small_file(&path()?, crate::settings::MAX_SETTINGS_BYTES).ok()?;
    let progress: Progress = serde_json::from_str(&text).ok()?;
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

/// Keeps the progress file in step with the state, writing only when a resumable entry changed.
#[derive(Debug, Default)]
pub struct ProgressKeeper {
    last: Option<Progress>,
    enabled: bool,
}

impl ProgressKeeper {
    pub fn new(enabled: bool) -> Self {
        Self { last: None, enabled }
    }

    pub fn sync(&mut self, state: &crate::wizard::State) {
        if !self.enabled || state.resume.is_some() {
            return;
        }
        if state.result.saved.is_some() {
            // Done: nothing left to resume.
            forget();
            self.enabled = false;
            return;
        }
        let mut progress = Progress::from_state(state, SystemTime::now());
        let unchanged =
            self.last.as_ref().is_some_and(|last| Progress { saved_at: last.saved_at, ..progress.clone() } == *last);
        if unchanged || state.step == crate::wizard::Step::Start && !state.touched {
            return;
        }
        progress.saved_at = progress.saved_at.max(1);
        save(&progress);
        self.last = Some(progress);
    }
}
