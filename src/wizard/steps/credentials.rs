//! Step 5, Consumer key and secret: where to find them, and two fields checked as typed. The secret is
//! masked unless revealed.

use crate::salesforce::ClientSecret;
use crate::wizard::msg::{Action, KeptSecret};
use crate::wizard::screen::Screen;
use crate::wizard::state::{State, Step};
use crate::wizard::text::TextField;
use crate::wizard::update::{Update, go_back, go_next, go_to};

use super::create_app::AppKind;
use super::{Hint, edit};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CredFocus {
    #[default]
    Key,
    Secret,
}

#[derive(Debug, Clone, Default)]
pub struct CredentialsState {
    pub key: TextField,
    pub secret: TextField,
    pub focus: CredFocus,
    pub reveal: bool,
    /// Shown after Enter when a field is not acceptable.
    pub error: Option<String>,
    /// The app sfconnect created, whose key (and secret, when the org gave it) fill the fields.
    pub from_app: Option<String>,
}

impl CredentialsState {
    pub fn client_secret(&self) -> Option<ClientSecret> {
        let s = self.secret.value().trim();
        (!s.is_empty()).then(|| ClientSecret::new(s))
    }
}

/// Where to find the key and secret, for each kind of app.
pub fn where_to_find(kind: AppKind) -> &'static [&'static str] {
    match kind {
        AppKind::ExternalClientApp => &[
            "External Client App Manager > your app > Settings tab > OAuth Settings >",
            "Consumer Key and Secret. Salesforce emails a verification code first.",
        ],
        AppKind::ConnectedApp => &[
            "App Manager > your app > View > Manage Consumer Details (verification code by",
            "email). Changed scopes? Staged Consumer Details > Generate, then Apply first.",
        ],
    }
}

/// What is wrong with a consumer key, as typed. `None` when it looks right.
pub fn key_problem(key: &str) -> Option<String> {
    let key = key.trim();
    if key.is_empty() {
        return Some("Consumer Key is empty: paste it from the app's consumer details".into());
    }
    if key.contains(char::is_whitespace) {
        return Some("Consumer Key contains a space or line break: copy it again, whole".into());
    }
    if key.len() == 64 && key.chars().all(|c| c.is_ascii_hexdigit()) {
        return Some("That looks like the Consumer Secret (64 hex characters): paste the Consumer Key here".into());
    }
    if let Some(bad) = key.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '.' || *c == '_')) {
        return Some(format!("Consumer Key contains `{bad}`, which keys never have: copy it again"));
    }
    if key.starts_with("3MVG") && key.len() < 80 {
        return Some(format!(
            "Consumer Key looks cut short ({} characters; Salesforce's keys starting 3MVG are about 85): copy it again, whole",
            key.len()
        ));
    }
    if key.len() < 8 {
        return Some(format!(
            "Consumer Key is {} characters; keys have 8 to 256 (usually 85, starting 3MVG)",
            key.len()
        ));
    }
    None
}

/// What is wrong with a consumer secret, as typed.
pub fn secret_problem(secret: &str, key: &str) -> Option<String> {
    let secret = secret.trim();
    if secret.is_empty() {
        return Some("Consumer Secret is empty: paste it from the app's consumer details".into());
    }
    if secret.contains(char::is_whitespace) {
        return Some("Consumer Secret contains a space or line break: copy it again, whole".into());
    }
    if !key.is_empty() && secret == key.trim() {
        return Some("Key and Secret are identical: one of them was pasted into the wrong field".into());
    }
    if secret.starts_with("3MVG") {
        return Some("That looks like the Consumer Key: paste the Consumer Secret here".into());
    }
    if secret.len() < 8 {
        return Some(format!("Consumer Secret is {} characters; secrets have 8 to 256", secret.len()));
    }
    None
}

const HELP: &str = "\
Paste the Consumer Key and the Consumer Secret of the app you created.

Salesforce shows them only after a verification code it emails you. If you changed the app's scopes \
after creating it, generate new consumer details first (Staged Consumer Details > Generate > Apply); \
the old ones stop working.

The secret is masked: {reveal} shows it. It is never written anywhere except the settings file you \
choose at the end, and never logged.

{focus_next} or {up}/{down} moves between the fields; {next} continues once both look right.";

/// The create step made the app: its key and secret fill the fields (read back from the org, or the ones
/// sfconnect wrote), and the wizard goes on to the wait, which proves them. Without a secret (the org keeps
/// it from the API) this step opens on the secret's field, saying where to copy it from.
fn on_app_created(state: &mut State, app: &crate::wizard::msg::AppMade) -> Update {
    let c = &mut state.credentials;
    c.key.set(&app.client_id);
    match &app.secret {
        Some(secret) => c.secret.set(secret.expose()),
        None => {
            c.secret.clear();
            c.focus = CredFocus::Secret;
        }
    }
    c.error = None;
    c.from_app = Some(app.app_name.clone());
    let host = state.login_host().map(|h| h.origin().to_string()).unwrap_or_default();
    let c = &state.credentials;
    state.propagation.reset_if_changed(&host, c.key.value().trim(), c.secret.value().trim());
    let keep = app.secret.clone().and_then(|s| state.keep(KeptSecret::ClientSecret(s)));
    let next = if app.secret.is_some() { Step::PROPAGATION } else { Step::CREDENTIALS };
    let mut update = go_to(state, next);
    update.commands.extend(keep);
    if app.secret.is_some() {
        state.say(format!("Created {} in {}: its key and secret are filled in.", app.app_name, app.org_name));
    } else {
        state.warn(format!(
            "Created {}; the org keeps its secret from the API: copy it from {} and paste it here.",
            app.app_name,
            crate::salesforce::eca::create::where_to_copy_the_secret(&app.app_name)
        ));
    }
    update
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swapped_fields_are_caught() {
        let secret = "A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90";
        assert!(key_problem(secret).unwrap().contains("Consumer Secret"));
        assert!(secret_problem("3MVG9xyzabcdefgh", "").unwrap().contains("Consumer Key"));
        assert!(secret_problem("ABCD EFGH1234", "3MVG9").unwrap().contains("space"));
        assert!(key_problem("3MVG9abcdefgh.x_y").unwrap().contains("cut short"));
        assert!(key_problem("CustomKey_1").is_none(), "custom keys may be short");
        assert!(secret_problem(secret, "3MVG9abcdefgh").is_none());
    }
}

impl Step {
    pub const CREDENTIALS: Step = Step::new("credentials");
}

#[derive(Debug)]
pub struct CredentialsScreen;

impl Screen for CredentialsScreen {
    fn id(&self) -> Step {
        Step::CREDENTIALS
    }

    fn title(&self) -> &'static str {
        "Consumer key and secret"
    }

    fn on_action(&self, state: &mut State, action: Action) -> Update {
        let field = match state.credentials.focus {
            CredFocus::Key => &mut state.credentials.key,
            CredFocus::Secret => &mut state.credentials.secret,
        };
        if edit(field, action) {
            state.credentials.error = None;
            return Update::redraw();
        }
        match action {
            Action::Up | Action::Down | Action::FocusNext | Action::FocusPrev => {
                state.credentials.focus = match state.credentials.focus {
                    CredFocus::Key => CredFocus::Secret,
                    CredFocus::Secret => CredFocus::Key,
                };
                Update::redraw()
            }
            Action::Reveal => {
                state.credentials.reveal = !state.credentials.reveal;
                Update::redraw()
            }
            Action::Next => {
                let c = &state.credentials;
                if let Some(problem) = key_problem(c.key.value()) {
                    state.credentials.error = Some(problem);
                    state.credentials.focus = CredFocus::Key;
                    return Update::redraw();
                }
                if let Some(problem) = secret_problem(c.secret.value(), c.key.value()) {
                    state.credentials.error = Some(problem);
                    state.credentials.focus = CredFocus::Secret;
                    return Update::redraw();
                }
                let host = state.login_host().map(|h| h.origin().to_string()).unwrap_or_default();
                let c = &state.credentials;
                state.propagation.reset_if_changed(&host, c.key.value().trim(), c.secret.value().trim());
                let keep = state.credentials.client_secret().and_then(|s| state.keep(KeptSecret::ClientSecret(s)));
                let mut update = go_next(state);
                update.commands.extend(keep);
                update
            }
            Action::Back => go_back(state),
            _ => Update::none(),
        }
    }

    fn hints(&self, state: &State) -> Vec<Hint> {
        let reveal = if state.credentials.reveal { "hide secret" } else { "show secret" };
        vec![
            (Action::FocusNext, "next field"),
            (Action::Reveal, reveal),
            (Action::Next, "continue"),
            (Action::Back, "back"),
        ]
    }

    fn help(&self, _state: &State) -> &'static str {
        HELP
    }

    fn render(&self, frame: &mut ratatui::Frame, area: ratatui::layout::Rect, state: &State, ctx: crate::ui::Ctx) {
        crate::ui::credentials::render(frame, area, state, ctx)
    }

    fn on_text(&self, state: &mut State, text: &str) -> Update {
        let field = match state.credentials.focus {
            CredFocus::Key => &mut state.credentials.key,
            CredFocus::Secret => &mut state.credentials.secret,
        };
        // A paste into an empty field is trimmed: copied values often carry a trailing line break.
        let text = if field.is_empty() { text.trim() } else { text };
        field.insert(text);
        state.credentials.error = None;
        Update::redraw()
    }

    fn text_focus(&self, _state: &State) -> bool {
        true
    }

    fn on_result(&self, state: &mut State, msg: crate::wizard::msg::Msg) -> Result<Update, crate::wizard::msg::Msg> {
        match msg {
            crate::wizard::msg::Msg::AppCreated(app) => Ok(on_app_created(state, &app)),
            other => Err(other),
        }
    }
}
