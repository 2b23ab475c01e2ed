//! Step 9, Checks: the prerequisite checks run through the API with the new token, each line turning
//! from pending to its verdict as it completes, then a preview of what the connector will see. A failing
//! required check shows the fix in the words of Setup, and a key re-runs the checks after fixing it.

use std::time::Instant;

use crate::checks::{Preview, Report, Status, Verdict};
use crate::wizard::msg::{Action, Command, Msg};
use crate::wizard::screen::Screen;
use crate::wizard::state::{State, Step};
use crate::wizard::update::{Update, go_back, go_next};

use super::{Hint, move_cursor};

#[derive(Debug, Default)]
pub struct ChecksState {
    /// Verdicts so far: in completion order while running, in the report's order once done.
    pub verdicts: Vec<Verdict>,
    pub running: bool,
    pub started: Option<Instant>,
    pub done: bool,
    pub preview: Option<Preview>,
    pub cursor: usize,
    /// Salesforce could not be reached at all: why (the report's one line).
    pub unreachable: Option<String>,
}

impl ChecksState {
    pub fn failures(&self) -> usize {
        self.verdicts.iter().filter(|v| v.status == Status::Fail).count()
    }

    pub fn warnings(&self) -> usize {
        self.verdicts.iter().filter(|v| v.status == Status::Warn).count()
    }

    /// The verdict under the cursor.
    pub fn selected(&self) -> Option<&Verdict> {
        self.verdicts.get(self.cursor)
    }
}

/// The setup labels of scopes the checks found not granted that the user unticked on the Scopes step:
/// the fix is there, not in Setup.
pub fn unticked_not_granted(state: &State) -> Vec<&'static str> {
    let checks = &state.checks;
    let scopes_failed = checks
        .verdicts
        .iter()
        .any(|v| v.id == crate::checks::CheckId::ScopesGranted && matches!(v.status, Status::Warn | Status::Fail));
    if !scopes_failed {
        return Vec::new();
    }
    let asked = state.preset().map(|p| p.scopes.as_slice()).unwrap_or_default();
    let granted =
        state.result.settings.as_ref().map(|s| crate::salesforce::Scopes::from_tokens(s.scopes.iter().cloned()));
    super::scopes::unticked_needed(&state.scopes.selected, asked)
        .into_iter()
        .filter(|label| {
            let row = crate::salesforce::scope::SCOPE_TABLE.iter().find(|i| i.label == *label);
            // Not granted: none of the row's tokens is in the token's scopes (all of them when unknown).
            match (&granted, row) {
                (Some(granted), Some(row)) => !row.tokens.iter().any(|t| granted.contains(t)),
                _ => true,
            }
        })
        .collect()
}

const HELP: &str = "\
With the new token, sfconnect checks what the vendor procedures ask you to verify by hand: API access \
for the org and the user, the user's licence and permissions (from the profile and every permission \
set), the app's refresh-token policy, how many tokens the user already holds for the app (Salesforce \
keeps five; a sixth silently revokes the oldest), the API budget, and the granted scopes.

Red is required by the target and must be fixed; yellow is advice. Move to a line to read its fix, fix \
it in Setup, then press {retry} to run the checks again.

The preview shows what the connector will see: active users, licences and users by email domain, \
which helps choose Company names on the next screen.";

fn start(state: &mut State) -> Update {
    let (Some(host), Some(grant), Some(preset)) =
        (state.login_host(), state.verify.grant.clone(), state.preset().cloned())
    else {
        return Update::redraw();
    };
    state.checks = ChecksState { running: true, started: Some(state.now), ..ChecksState::default() };
    let app_kind = state.create_app.kind;
    let device_flow_used = state.verify.via_device;
    Update::with(vec![Command::RunChecks {
        host,
        grant: Box::new(grant),
        preset: Box::new(preset),
        app_kind,
        device_flow_used,
        app_name: super::create_app::app_name_of(state),
    }])
}

fn on_verdict(state: &mut State, verdict: Verdict) -> Update {
    if !state.checks.running {
        return Update::none();
    }
    state.checks.verdicts.retain(|v| v.id != verdict.id);
    state.checks.verdicts.push(verdict);
    Update::redraw()
}

fn on_done(state: &mut State, report: Report) -> Update {
    state.checks.running = false;
    state.checks.done = true;
    // Problems first, so nothing that needs the admin sits below the fold.
    let mut verdicts = report.checks;
    verdicts.sort_by_key(|v| match v.status {
        Status::Fail => 0,
        Status::Warn => 1,
        Status::Skip => 2,
        Status::Pass => 3,
    });
    state.checks.verdicts = verdicts;
    state.checks.preview = report.preview;
    state.checks.unreachable = report.unreachable;
    state.checks.cursor = 0;
    state.result.suggest_company_names(state.checks.preview.as_ref());
    Update::redraw()
}

impl Step {
    pub const CHECKS: Step = Step::new("checks");
}

#[derive(Debug)]
pub struct ChecksScreen;

impl Screen for ChecksScreen {
    fn id(&self) -> Step {
        Step::CHECKS
    }

    fn title(&self) -> &'static str {
        "Checks"
    }

    fn on_action(&self, state: &mut State, action: Action) -> Update {
        match action {
            Action::Up | Action::Down => {
                move_cursor(&mut state.checks.cursor, state.checks.verdicts.len(), action == Action::Down);
                Update::redraw()
            }
            Action::Retry if !state.checks.running => start(state),
            Action::Next if !state.checks.running => go_next(state),
            // While the checks run, Enter skips them: they are advice, not a gate.
            Action::Next | Action::Skip => go_next(state),
            Action::Back => go_back(state),
            _ => Update::none(),
        }
    }

    fn hints(&self, state: &State) -> Vec<Hint> {
        if state.checks.running {
            return vec![(Action::Next, "skip the checks"), (Action::Back, "back")];
        }
        vec![
            (Action::Down, "details"),
            (Action::Retry, "run again"),
            (Action::Next, "continue"),
            (Action::Back, "back"),
        ]
    }

    fn help(&self, _state: &State) -> &'static str {
        HELP
    }

    fn render(&self, frame: &mut ratatui::Frame, area: ratatui::layout::Rect, state: &State, ctx: crate::ui::Ctx) {
        crate::ui::checks::render(frame, area, state, ctx)
    }

    fn on_result(&self, state: &mut State, msg: Msg) -> Result<Update, Msg> {
        Ok(match msg {
            Msg::CheckVerdict(v) => on_verdict(state, v),
            Msg::ChecksDone(report) => on_done(state, *report),
            other => return Err(other),
        })
    }

    fn on_enter(&self, state: &mut State) -> Update {
        if state.checks.done || state.checks.running {
            return Update::redraw();
        }
        start(state)
    }

    fn on_tick(&self, state: &mut State) -> Update {
        if state.checks.running { Update::redraw() } else { Update::none() }
    }

    fn tick_interval(&self, state: &State) -> Option<std::time::Duration> {
        state.checks.running.then_some(std::time::Duration::from_millis(250))
    }
}
