//! The screen table holds: a step added by a test (one file, `region.rs`, and one list entry) is reached,
//! drawn, helped and left like the built-in ones, and the built-in order is the one list.

mod region;

use std::time::Instant;

use crate::ui_support::{Wizard, ssh};
use region::{REGION, RegionScreen};
use sfconnect::wizard::{Action, Screen, State, Step, steps};

/// The built-in steps with the test's step after the first: the one list entry.
fn screens_with_region() -> Vec<&'static dyn Screen> {
    let mut screens = steps::SCREENS.to_vec();
    screens.insert(1, &RegionScreen);
    screens
}

fn wizard() -> Wizard {
    let state = State::with_screens(screens_with_region(), sfconnect::presets::bundled(), ssh(), Instant::now());
    Wizard::with_state(state)
}

#[test]
fn a_step_added_in_one_file_and_one_list_entry_is_reached_drawn_and_left() {
    let mut w = wizard();
    assert_eq!(w.state.step, Step::START);
    w.act(Action::Next);
    assert_eq!(w.state.step, REGION, "Next from the start reaches the added step");
    let screen = w.rows(80, 24).join("\n");
    assert!(screen.contains("Step 2 of 11 · Data residency"), "{screen}");
    assert!(screen.contains("Your org is hosted in the EU region."), "{screen}");
    assert!(screen.contains("the region is right"), "its hint is in the bar: {screen}");
    assert!(screen.contains("help") && screen.contains("quit"), "help and quit are added for it too: {screen}");

    w.act(Action::Help);
    let help = w.rows(80, 24).join("\n");
    assert!(help.contains("Help: Data residency"), "{help}");
    assert!(help.contains("the region your contract names"), "{help}");
    w.act(Action::Help);

    w.act(Action::Next);
    assert_eq!(w.state.step, Step::PREREQUISITES, "the built-in order goes on after it");
    assert!(w.rows(80, 24).join("\n").contains("Step 3 of 11 · Before you start"));
    w.act(Action::Back);
    assert_eq!(w.state.step, REGION, "Back from the next step returns to it");
    w.act(Action::Back);
    assert_eq!(w.state.step, Step::START);
}

#[test]
fn the_built_in_list_is_the_order_and_each_id_is_its_own() {
    let ids: Vec<&str> = steps::SCREENS.iter().map(|s| s.id().id()).collect();
    assert_eq!(
        ids,
        [
            "start",
            "prerequisites",
            "create_app",
            "scopes",
            "credentials",
            "propagation",
            "authorize",
            "verify",
            "checks",
            "result"
        ],
        "the progress file stores these ids: renaming one loses saved progress"
    );
    let state = State::new(sfconnect::presets::bundled(), ssh(), Instant::now());
    for (i, screen) in steps::SCREENS.iter().enumerate() {
        assert_eq!(state.number(screen.id()), i + 1);
        assert!(!screen.title().is_empty());
    }
}

#[test]
fn a_saved_step_that_no_screen_has_is_refused_with_the_known_ids() {
    let known: Step = serde_json::from_str("\"checks\"").expect("a built-in id reads back");
    assert_eq!(known, Step::CHECKS);
    let error = serde_json::from_str::<Step>("\"region\"").expect_err("an unknown id is refused").to_string();
    assert!(error.contains("unknown step \"region\"") && error.contains("create_app"), "{error}");
}

/// Key names in help come from the keymap: a help text names no key by hand, and every placeholder in it
/// is a key the keymap has, so changing a binding changes every help text.
#[test]
fn help_names_keys_only_through_the_keymap() {
    use sfconnect::keymap::{fill, screen_context};
    let mut state = State::new(sfconnect::presets::bundled(), ssh(), Instant::now());
    let by_hand = ["Enter", "Esc", "Ctrl-", "^", "Space", "Tab", "F1", "press c", "with c ", "(w)", "(t)"];
    for screen in steps::SCREENS {
        state.step = screen.id();
        let help = screen.help(&state);
        for name in by_hand {
            assert!(!help.contains(name), "{}: the help names {name:?} by hand: {help}", screen.title());
        }
        // Filled as the help popup fills it: in the context of the screen under it.
        let filled = fill(help, screen_context(&state));
        let left: Vec<&str> = filled.match_indices('{').map(|(i, _)| &filled[i..(i + 16).min(filled.len())]).collect();
        assert!(left.is_empty(), "{}: placeholders the keymap does not know: {left:?}", screen.title());
    }
}
