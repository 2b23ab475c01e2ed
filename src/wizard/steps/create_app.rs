//! Step 3, Create the app: External Client App (what Salesforce offers since Spring '26) or classic
//! Connected App, each with its click path, and every value to type with a key that copies it; or
//! "Create it for me" ([`for_me`]), which creates the External Client App with a Salesforce session.

pub mod creation;
pub mod for_me;

use crate::wizard::msg::{Action, Command};
use crate::wizard::screen::Screen;
use crate::wizard::state::{State, Step};
use crate::wizard::text::TextField;
use crate::wizard::update::{Update, go_back, go_next};

use super::{Hint, edit, move_cursor};

/// Which kind of app to create: the one kind the client, the checks and the files share.
pub use crate::salesforce::AppKind;

/// The click path for `kind`, one line a step.
pub fn click_path(kind: AppKind) -> &'static [&'static str] {
    match kind {
        AppKind::ExternalClientApp => &[
            "Setup > Quick Find \"External Client App Manager\" > New External Client App",
            // One row at 80 columns: step 3 has none to spare at 80x24.
            "Basic Information: name, API name, email below; Distribution State: Local",
            "API (Enable OAuth Settings): tick Enable OAuth, paste both Callback URLs, add the OAuth scopes \
             below, set Flow Enablement and Security as below",
            "Create",
        ],
        AppKind::ConnectedApp => &[
            "Setup > Quick Find \"App Manager\" > New Connected App (since Spring '26 only if Support \
             allows it: prefer an External Client App)",
            "Type the name, API name and contact email below",
            "Tick Enable OAuth Settings; Callback URLs, scopes, checkboxes as below",
            "Save, then Continue",
        ],
    }
}

/// The rows of the values table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Kind,
    Name,
    ApiName,
    Email,
    Callback,
    /// The scopes to pick on the same form: the next step's list, shown here so the form is filled in
    /// one go (a first-time user otherwise goes forward to read them and back).
    Scopes,
    DeviceFlow,
    Pkce,
    Secrets,
}

pub const ROWS: [Row; 9] = [
    Row::Kind,
    Row::Name,
    Row::ApiName,
    Row::Email,
    Row::Callback,
    Row::Scopes,
    Row::DeviceFlow,
    Row::Pkce,
    Row::Secrets,
];

/// The selected scopes by their labels in Setup's "Selected OAuth Scopes" list, each once.
pub fn scope_labels(state: &State) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for token in state.scopes.selected.iter() {
        let label = crate::salesforce::scope::scope_info(token).map_or_else(|| token.to_string(), |i| i.label.into());
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    labels
}

#[derive(Debug, Clone, Default)]
pub struct CreateAppState {
    pub kind: AppKind,
    pub name: TextField,
    pub email: TextField,
    pub device_flow: bool,
    pub cursor: usize,
    pub error: Option<String>,
    /// "Create it for me": its phase, the sessions found, the app made.
    pub for_me: creation::ForMe,
}

impl CreateAppState {
    pub fn row(&self) -> Row {
        ROWS[self.cursor.min(ROWS.len() - 1)]
    }

    /// The app name, defaulting to "sfconnect <target>" when nothing was typed.
    pub fn app_name(&self, target: &str) -> String {
        if self.name.is_empty() { format!("{target} integration") } else { self.name.value().to_string() }
    }
}

/// Derives a valid API name: letters, digits and single underscores, starting with a letter, not ending
/// with an underscore, at most 40 characters (Salesforce's rules for API names).
pub fn api_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '_' };
        if c == '_' && (out.is_empty() || out.ends_with('_')) {
            continue;
        }
        out.push(c);
    }
    if out.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        out.insert_str(0, "App_");
    }
    out.truncate(40);
    let trimmed = out.trim_end_matches('_');
    if trimmed.is_empty() { "Integration_App".into() } else { trimmed.to_string() }
}

/// Checks an email address loosely: one @, a dot in the domain, no spaces.
pub fn email_problem(email: &str) -> Option<&'static str> {
    if email.is_empty() {
        return Some("Contact Email is required: type an address that reads mail about the app");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Some("Contact Email looks wrong: type it as name@example.com");
    };
    if local.is_empty() || !domain.contains('.') || email.contains(char::is_whitespace) || domain.contains('@') {
        return Some("Contact Email looks wrong: type it as name@example.com");
    }
    None
}

const HELP: &str = "\
Create the app in Salesforce while this screen shows what to type.

External Client App or Connected App? Since Spring '26 Salesforce restricts creating new Connected \
Apps and points to External Client Apps, which do the same for an integration like this. Pick the kind \
your org offers ({toggle} on the first row switches).

Move with the arrows; on a value, press {copy@list} ({copy@text} on the name and email rows) to copy it and paste it into the \
Salesforce form. The name and email are yours to change: type over them.

Settings to tick:
- Enable Device Flow (a Connected App says Enable for Device Flow): only if you will authorize with a code \
on another device.
- Require PKCE: leave on; sfconnect always sends PKCE.
- Require secret for the Web Server and Refresh Token flows: leave on; the connector stores the secret.";

fn toggle_kind(state: &mut State) {
    state.create_app.kind = state.create_app.kind.other();
    state.touched = true;
}

/// The name the app is created with (the one typed, else the default this step shows); for an app this
/// step created, its API name, as `app create` records it.
pub fn app_name_of(state: &State) -> String {
    if let Some(made) = &state.create_app.for_me.made {
        return made.app_name.clone();
    }
    match state.preset() {
        // Only for the checks: the target makes its own app, so the name says this one can go.
        Some(p) if p.brings_own_app() && state.create_app.name.is_empty() => "sfconnect check (delete after)".into(),
        p => state.create_app.app_name(short_target(p.map(|p| p.name.as_str()).unwrap_or("Salesforce"))),
    }
}

/// The value a row copies, if it has one.
pub fn row_value(state: &State, row: Row) -> Option<(&'static str, String)> {
    let name = app_name_of(state);
    match row {
        Row::Name => Some(("App name", name)),
        Row::ApiName => Some(("API name", api_name(&name))),
        Row::Email => Some(("Contact email", state.create_app.email.value().to_string())),
        // Both callbacks, one per line as Setup's Callback URL box takes them: paste-back's and the
        // local-browser method's loopback one (exact, port included: protocol notes §2).
        Row::Callback => {
            Some(("Callback URLs", format!("{}\n{}", state.redirect_uri(), state.authorize.loopback_callback())))
        }
        _ => None,
    }
}

/// "Snow Atlas: Salesforce Sales Cloud connector" → "Snow Atlas".
pub fn short_target(name: &str) -> &str {
    name.split([':', '(']).next().unwrap_or(name).trim()
}

fn copy_row(state: &mut State, row: Row) -> Update {
    match row_value(state, row) {
        Some((label, value)) if !value.is_empty() => {
            // A secret pasted into the email row is copied as a secret: cleared from the clipboard after a while.
            let secret = state.looks_secret(&value);
            Update::with(vec![Command::Copy { label: label.into(), text: value.into(), secret }])
        }
        _ => {
            state.warn("This row has nothing to copy: move to a value (name, API name, email, callback URL)");
            Update::redraw()
        }
    }
}

/// "Create it for me" is offered where sfconnect can create the app: not for a target that brings its own.
pub fn offers_for_me(state: &State) -> bool {
    !state.preset().is_some_and(|p| p.brings_own_app())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_names_follow_salesforce_rules() {
        assert_eq!(api_name("Snow Atlas integration"), "Snow_Atlas_integration");
        assert_eq!(api_name("  --9 lives!! app__x_ "), "App_9_lives_app_x");
        assert_eq!(api_name("!!!"), "Integration_App");
        let long = api_name(&"a ".repeat(50));
        assert!(long.len() <= 40 && !long.ends_with('_'));
    }

    #[test]
    fn emails_are_checked_loosely() {
        assert!(email_problem("admin@acme.com").is_none());
        assert!(email_problem("").is_some());
        assert!(email_problem("admin@acme").is_some());
        assert!(email_problem("admin").is_some());
        assert!(email_problem("ad min@acme.com").is_some());
    }
}

impl Step {
    pub const CREATE_APP: Step = Step::new("create_app");
}

#[derive(Debug)]
pub struct CreateAppScreen;

impl Screen for CreateAppScreen {
    fn id(&self) -> Step {
        Step::CREATE_APP
    }

    fn title(&self) -> &'static str {
        "Create the app"
    }

    fn on_action(&self, state: &mut State, action: Action) -> Update {
        if state.create_app.for_me.active() {
            return for_me::on_action(state, action);
        }
        if action == Action::CreateForMe {
            return for_me::begin(state);
        }
        let row = state.create_app.row();
        let editing = match row {
            Row::Name => Some(&mut state.create_app.name),
            Row::Email => Some(&mut state.create_app.email),
            _ => None,
        };
        if let Some(field) = editing
            && edit(field, action)
        {
            state.create_app.error = None;
            return Update::redraw();
        }
        match action {
            Action::Up | Action::Down | Action::FocusNext | Action::FocusPrev => {
                let down = matches!(action, Action::Down | Action::FocusNext);
                move_cursor(&mut state.create_app.cursor, ROWS.len(), down);
                Update::redraw()
            }
            Action::Toggle if row == Row::Kind => {
                toggle_kind(state);
                Update::redraw()
            }
            Action::Toggle if row == Row::DeviceFlow => {
                state.create_app.device_flow = !state.create_app.device_flow;
                Update::redraw()
            }
            Action::Copy => copy_row(state, row),
            Action::ShowPlain => match row_value(state, row) {
                Some((label, value)) if !value.is_empty() => {
                    Update::with(vec![Command::ShowPlain { label: label.into(), text: value.into() }])
                }
                _ => Update::none(),
            },
            Action::Next => {
                let email = state.create_app.email.value().trim().to_string();
                if let Some(problem) = email_problem(&email) {
                    state.create_app.error = Some(problem.into());
                    state.create_app.cursor = ROWS.iter().position(|r| *r == Row::Email).unwrap_or(0);
                    return Update::redraw();
                }
                go_next(state)
            }
            Action::Back => go_back(state),
            _ => Update::none(),
        }
    }

    fn hints(&self, state: &State) -> Vec<Hint> {
        if state.create_app.for_me.active() {
            return for_me::hints(state);
        }
        let mut h = vec![(Action::Down, "move")];
        match state.create_app.row() {
            Row::Kind | Row::DeviceFlow => h.push((Action::Toggle, "change")),
            Row::Pkce | Row::Secrets | Row::Scopes => {}
            _ => h.push((Action::Copy, "copy")),
        }
        h.extend([(Action::Next, "continue"), (Action::Back, "back")]);
        if offers_for_me(state) {
            h.push((Action::CreateForMe, "auto-create"));
        }
        h
    }

    fn help(&self, state: &State) -> &'static str {
        if state.create_app.for_me.active() { for_me::HELP } else { HELP }
    }

    fn render(&self, frame: &mut ratatui::Frame, area: ratatui::layout::Rect, state: &State, ctx: crate::ui::Ctx) {
        crate::ui::create_app::render(frame, area, state, ctx)
    }

    fn on_text(&self, state: &mut State, text: &str) -> Update {
        if state.create_app.for_me.active() {
            return for_me::on_text(state, text);
        }
        let field = match state.create_app.row() {
            Row::Name => &mut state.create_app.name,
            Row::Email => &mut state.create_app.email,
            _ => return Update::none(),
        };
        field.insert(text);
        state.create_app.error = None;
        Update::redraw()
    }

    fn text_focus(&self, state: &State) -> bool {
        if state.create_app.for_me.active() {
            return for_me::text_focus(state);
        }
        matches!(state.create_app.row(), Row::Name | Row::Email)
    }

    /// The sessions found, the creation's stages and its end.
    fn on_result(&self, state: &mut State, msg: crate::wizard::msg::Msg) -> Result<Update, crate::wizard::msg::Msg> {
        for_me::on_result(state, msg)
    }

    /// Time moves the creation's spinner and the time spent.
    fn on_tick(&self, state: &mut State) -> Update {
        if state.create_app.for_me.busy() { Update::redraw() } else { Update::none() }
    }

    fn tick_interval(&self, state: &State) -> Option<std::time::Duration> {
        // A spinner at 4 Hz, only while the creation runs.
        state.create_app.for_me.busy().then_some(std::time::Duration::from_millis(250))
    }
}
