//! Keys to actions, through one table per context, and the same table back to key names for the hint
//! bar, so hints cannot drift from bindings (gitui's command list does the same).
//!
//! Two contexts: `Browse` (lists and values: letters are shortcuts) and `Text` (a field has the focus:
//! letters type, shortcuts need Ctrl).
//!
//! Prose names keys through the same table: a sentence writes `{copy}` (the key in the context on screen),
//! `{copy@text}` or `{copy@list}` (the key where a field has the focus, or in lists), and the screen fills
//! it in with [`fill`]. So no text names a key by hand, and changing a binding here changes every text.
//! The runtime reads keys with it, the screens name them with it; it depends on neither.

use std::borrow::Cow;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use serde::Deserialize;
use serde::de::IntoDeserializer;

use crate::wizard::{Action, Msg, State};

/// A key with its modifiers, as the table writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn k(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

const fn ctrl(c: char) -> Key {
    Key { code: KeyCode::Char(c), ctrl: true }
}

const fn ch(c: char) -> Key {
    k(KeyCode::Char(c))
}

/// Keys common to both contexts. The first key of an action is the one its hint shows.
const COMMON: &[(Key, Action)] = &[
    (k(KeyCode::Enter), Action::Next),
    (k(KeyCode::Esc), Action::Back),
    (k(KeyCode::Up), Action::Up),
    (k(KeyCode::Down), Action::Down),
    (k(KeyCode::Tab), Action::FocusNext),
    (k(KeyCode::BackTab), Action::FocusPrev),
    (ctrl('c'), Action::Interrupt),
    (k(KeyCode::F(1)), Action::Help),
    // The Ctrl forms of the value keys work everywhere, so a message can name one key that always
    // works ("press Ctrl-P"); in lists the plain letters below are shown.
    (ctrl('p'), Action::ShowPlain),
    (ctrl('y'), Action::Copy),
    (ctrl('g'), Action::ShowQr),
    (ctrl('o'), Action::OpenBrowser),
    // Ctrl in both contexts: the create step's name and email rows are text fields.
    (ctrl('n'), Action::CreateForMe),
];

/// Lists and values: single letters act.
const BROWSE: &[(Key, Action)] = &[
    (ch(' '), Action::Toggle),
    (k(KeyCode::Left), Action::Left),
    (k(KeyCode::Right), Action::Right),
    (k(KeyCode::Up), Action::Up),
    (k(KeyCode::Down), Action::Down),
    (ch('k'), Action::Up),
    (ch('j'), Action::Down),
    (ch('c'), Action::Copy),
    (ch('a'), Action::CopyAll),
    (ch('r'), Action::Reveal),
    (ch('w'), Action::Save),
    (ch('f'), Action::Format),
    (ch('e'), Action::Edit),
    (ch('s'), Action::Skip),
    (ch('t'), Action::Retry),
    (ch('m'), Action::SwitchMethod),
    (ch('o'), Action::OpenBrowser),
    (ch('v'), Action::ShowQr),
    (ch('x'), Action::ClearClipboard),
    (ch('p'), Action::ShowPlain),
    (ch('?'), Action::Help),
    (ch('q'), Action::Quit),
];

/// A field has the focus: letters type; editing keys edit; shortcuts take Ctrl.
const TEXT: &[(Key, Action)] = &[
    (k(KeyCode::Backspace), Action::Backspace),
    (k(KeyCode::Delete), Action::Delete),
    (k(KeyCode::Left), Action::Left),
    (k(KeyCode::Right), Action::Right),
    (k(KeyCode::Home), Action::Home),
    (k(KeyCode::End), Action::End),
    (ctrl('u'), Action::ClearField),
    (ctrl('p'), Action::ShowPlain),
    (ctrl('y'), Action::Copy),
    (ctrl('r'), Action::Reveal),
    (ctrl('g'), Action::ShowQr),
    (ctrl('o'), Action::OpenBrowser),
    (ctrl('s'), Action::Skip),
    // Start again after a failure (a new device code, the listener again) where letters type.
    (ctrl('t'), Action::Retry),
];

/// Which table applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Browse,
    Text,
}

fn table(context: Context) -> impl Iterator<Item = &'static (Key, Action)> {
    let own = match context {
        Context::Browse => BROWSE,
        Context::Text => TEXT,
    };
    // The context's own keys first, so its key for an action is the one a hint shows (? before F1).
    own.iter().chain(COMMON.iter())
}

/// The message a key press means in `context`, if any.
pub fn message_for(event: KeyEvent, context: Context) -> Option<Msg> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let is_ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    let code = match event.code {
        KeyCode::Char(c) if is_ctrl => KeyCode::Char(c.to_ascii_lowercase()),
        other => other,
    };
    let key = Key { code, ctrl: is_ctrl };
    if let Some((_, action)) = table(context).find(|(k, _)| *k == key) {
        return Some(Msg::Action(*action));
    }
    match (context, event.code) {
        (Context::Text, KeyCode::Char(c)) if !is_ctrl && !event.modifiers.contains(KeyModifiers::ALT) => {
            Some(Msg::Char(c))
        }
        // In a list, a confirmation prompt still needs letters (y/n).
        (Context::Browse, KeyCode::Char(c)) if !is_ctrl => Some(Msg::Char(c)),
        _ => None,
    }
}

/// The context of the step on screen: a focused text field types. Hints and sentences name keys in it.
pub fn screen_context(state: &State) -> Context {
    if crate::wizard::steps::text_focus(state) { Context::Text } else { Context::Browse }
}

/// The context a key press is read in: the step's, unless a popup or a question is on top of it (then
/// letters answer that).
pub fn reading_context(state: &State) -> Context {
    match screen_context(state) {
        Context::Text if state.mode == crate::wizard::state::Mode::Running && !state.help => Context::Text,
        _ => Context::Browse,
    }
}

/// A key hint for the bottom bar: the action, its key as the bar writes it ("^Y"), and what it does here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHint {
    pub action: Action,
    pub key: String,
    pub description: &'static str,
}

/// The hints for the bottom bar, with key names from the table of the current context.
pub fn hints(state: &State) -> Vec<KeyHint> {
    let context = screen_context(state);
    crate::wizard::steps::hints(state)
        .into_iter()
        .filter_map(|(action, description)| key_name(action, context).map(|key| KeyHint { action, key, description }))
        .collect()
}

/// How a sentence names the first key bound to `action` in `context`: "Ctrl-Y", "Enter", "Space", "c".
pub fn spoken(action: Action, context: Context) -> Option<String> {
    let (key, _) = table(context).find(|(_, a)| *a == action)?;
    let base = match key.code {
        KeyCode::Up => "Up".to_string(),
        KeyCode::Down => "Down".to_string(),
        KeyCode::Left => "Left".to_string(),
        KeyCode::Right => "Right".to_string(),
        KeyCode::BackTab => "Shift-Tab".to_string(),
        KeyCode::Backspace => "Backspace".to_string(),
        KeyCode::Delete => "Delete".to_string(),
        _ => return key_name(action, context).map(|name| name.replacen('^', "Ctrl-", 1)),
    };
    Some(base)
}

/// Fills each `{action}`, `{action@text}` and `{action@list}` in `text` with the key's name as a sentence
/// writes it (see the module's doc). Braces around anything else stay as they are.
pub fn fill(text: &str, context: Context) -> Cow<'_, str> {
    if !text.contains('{') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return Cow::Owned(out);
        };
        let token = &after[..close];
        match placeholder(token, context) {
            Some(name) => out.push_str(&name),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The key name for one placeholder (`copy`, `copy@text`), or `None` when the braces hold something else.
fn placeholder(token: &str, context: Context) -> Option<String> {
    let (name, context) = match token.split_once('@') {
        Some((name, "text")) => (name, Context::Text),
        Some((name, "list")) => (name, Context::Browse),
        Some(_) => return None,
        None => (token, context),
    };
    let action = Action::deserialize(IntoDeserializer::<serde::de::value::Error>::into_deserializer(name)).ok()?;
    spoken(action, context)
}

/// The name of the first key bound to `action` in `context`, for the hint bar.
pub fn key_name(action: Action, context: Context) -> Option<String> {
    let (key, _) = table(context).find(|(_, a)| *a == action)?;
    let base = match key.code {
        KeyCode::Enter => "Enter".to_string(),
        KeyCode::Esc => "Esc".to_string(),
        KeyCode::Up => "↑↓".to_string(),
        KeyCode::Down => "↑↓".to_string(),
        KeyCode::Left => "←".to_string(),
        KeyCode::Right => "→".to_string(),
        KeyCode::Tab => "Tab".to_string(),
        KeyCode::BackTab => "S-Tab".to_string(),
        KeyCode::Backspace => "Bksp".to_string(),
        KeyCode::Delete => "Del".to_string(),
        KeyCode::Home => "Home".to_string(),
        KeyCode::End => "End".to_string(),
        KeyCode::F(n) => format!("F{n}"),
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        _ => "?".to_string(),
    };
    Some(if key.ctrl { format!("^{}", base.to_ascii_uppercase()) } else { base })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn letters_act_in_lists_and_type_in_fields() {
        let c = press(KeyCode::Char('c'), KeyModifiers::NONE);
        assert!(matches!(message_for(c, Context::Browse), Some(Msg::Action(Action::Copy))));
        assert!(matches!(message_for(c, Context::Text), Some(Msg::Char('c'))));
        let ctrl_y = press(KeyCode::Char('y'), KeyModifiers::CONTROL);
        assert!(matches!(message_for(ctrl_y, Context::Text), Some(Msg::Action(Action::Copy))));
        let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert!(matches!(message_for(ctrl_c, Context::Text), Some(Msg::Action(Action::Interrupt))));
    }

    #[test]
    fn every_action_a_step_hints_has_a_key_in_its_context() {
        for action in [Action::Next, Action::Back, Action::Help, Action::Interrupt, Action::Copy, Action::Reveal] {
            assert!(key_name(action, Context::Text).is_some(), "{action:?} in text");
        }
        for action in
            [Action::Toggle, Action::Save, Action::Skip, Action::Format, Action::Edit, Action::Quit, Action::ShowQr]
        {
            assert!(key_name(action, Context::Browse).is_some(), "{action:?} in lists");
        }
        assert_eq!(key_name(Action::Copy, Context::Text).as_deref(), Some("^Y"));
    }

    #[test]
    fn prose_takes_key_names_from_the_table() {
        assert_eq!(fill("{copy} copies it", Context::Browse), "c copies it");
        assert_eq!(fill("{copy} copies it", Context::Text), "Ctrl-Y copies it");
        assert_eq!(
            fill("press {copy@text} anywhere, {copy@list} in lists", Context::Browse),
            "press Ctrl-Y anywhere, c in lists"
        );
        assert_eq!(
            fill("{next} continues; {focus_prev} goes back", Context::Text),
            "Enter continues; Shift-Tab goes back"
        );
        // Braces that are not a key stay: JSON in a help text, a typo.
        assert_eq!(
            fill("{\"a\": 1} and {nonsense} and {copy@nowhere}", Context::Browse),
            "{\"a\": 1} and {nonsense} and {copy@nowhere}"
        );
        assert_eq!(fill("an open { brace", Context::Browse), "an open { brace");
    }
}
