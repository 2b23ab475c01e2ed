//! A step that exists only in this test: the whole of what adding a step takes is this file plus one entry
//! in the list the test builds (`screens_with_region`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Paragraph;
use sfconnect::ui::Ctx;
use sfconnect::wizard::steps::Hint;
use sfconnect::wizard::update::{Update, go_back, go_next};
use sfconnect::wizard::{Action, Screen, State, Step};

pub const REGION: Step = Step::new("region");

#[derive(Debug)]
pub struct RegionScreen;

impl Screen for RegionScreen {
    fn id(&self) -> Step {
        REGION
    }

    fn title(&self) -> &'static str {
        "Data residency"
    }

    fn on_action(&self, state: &mut State, action: Action) -> Update {
        match action {
            Action::Next => go_next(state),
            Action::Back => go_back(state),
            _ => Update::none(),
        }
    }

    fn hints(&self, _state: &State) -> Vec<Hint> {
        vec![(Action::Next, "the region is right"), (Action::Back, "back")]
    }

    fn help(&self, _state: &State) -> &'static str {
        "Check that the org lives in the region your contract names."
    }

    fn render(&self, frame: &mut Frame, area: Rect, _state: &State, ctx: Ctx) {
        let text = Paragraph::new("Your org is hosted in the EU region.").style(ctx.theme.text());
        frame.render_widget(text, area);
    }
}
