//! TEMPORARY stub until the ui branch merges.
pub type KeyHint = (String, &'static str);
pub fn render(frame: &mut ratatui::Frame, state: &crate::wizard::State, hints: &[KeyHint]) {
    let text = format!(
        "{:?} {:?}\n{}",
        state.step,
        state.toast,
        hints.iter().map(|(k, d)| format!("{k} {d}")).collect::<Vec<_>>().join("  ")
    );
    frame.render_widget(ratatui::widgets::Paragraph::new(text), frame.area());
}
