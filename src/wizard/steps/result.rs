//! Step 9, Your settings: the values as the target's form names them, secrets masked with a reveal key,
//! one key per field to copy it, a key to copy all, and a key to write the file (JSON, .env or TOML;
//! 0600; an existing file is replaced only after a second press).

use std::path::PathBuf;

use crate::presets::SettingsKey;
use crate::settings::{ConnectorSettings, Format, Overwrite};
use crate::wizard::msg::{Action, Command, Msg, SaveFailure};
use crate::wizard::screen::Screen;
use crate::wizard::state::{State, Step};
use crate::wizard::text::TextField;
use crate::wizard::update::{Update, go_back};

use super::{Hint, edit, move_cursor};

/// The formats offered for the file, in the order `f` cycles them: every one `--format` takes.
pub fn file_formats() -> [Format; 5] {
    Format::all()
}

#[derive(Debug, Default)]
pub struct ResultState {
    pub settings: Option<ConnectorSettings>,
    pub cursor: usize,
    pub reveal: bool,
    /// Company names being edited, comma-separated (`*` for everyone).
    pub company: TextField,
    pub editing_company: bool,
    pub format: Format,
    /// From `--output`; otherwise `default_path` with the format's extension.
    pub output: Option<PathBuf>,
    pub default_dir: Option<PathBuf>,
    /// The default file's name before its extension; empty means `sfconnect-settings` (the demo's
    /// is `sfconnect-demo-settings`, so a demo never takes a real file's name).
    pub stem: String,
    pub saved: Option<PathBuf>,
    /// The file exists: the next save press replaces it.
    pub confirm_replace: bool,
    /// The saved file holds the settings as they are now (no edit since).
    pub saved_current: bool,
    /// Email domains of the org's users, most users first, from the checks' preview.
    pub domains: Vec<(String, u64)>,
    /// Users with no email address (a domain list leaves them out).
    pub users_without_email: u64,
    /// The company-names picker is open, with its cursor (0 is `*`, then the domains).
    pub picker: Option<usize>,
}

impl ResultState {
    /// Takes `--output` and `--format`. Without `--format`, the format follows the file's name (`x.env`
    /// holds env lines), so the name and the content agree; JSON when the name says nothing.
    pub fn set_output(&mut self, output: Option<PathBuf>, format: Option<Format>) {
        self.format = format.or_else(|| output.as_deref().and_then(Format::from_path)).unwrap_or_default();
        self.output = output;
    }

    /// The next format `f` gives; a file named by `--output` takes the format's extension along
    /// (x.env → x.toml), so its name never says one format while it holds another.
    fn cycle_format(&mut self) {
        let formats = file_formats();
        let i = formats.iter().position(|f| *f == self.format).unwrap_or(0);
        self.format = formats[(i + 1) % formats.len()];
        if let Some(path) = &self.output {
            self.output = Some(with_format_extension(path, self.format));
        }
        self.confirm_replace = false;
    }

    /// Takes the domains the preview counted, to offer them as company names.
    pub fn suggest_company_names(&mut self, preview: Option<&crate::checks::Preview>) {
        let Some(preview) = preview else { return };
        self.domains = preview.domains.iter().map(|d| (d.domain.clone(), d.users)).collect();
        self.users_without_email = preview.users_without_email;
    }

    /// Whether the picker line `i` is chosen (0 is `*`).
    pub fn picked(&self, i: usize) -> bool {
        let names = self.company_names();
        match i {
            0 => names.iter().any(|n| n == "*"),
            _ => self.domains.get(i - 1).is_some_and(|(d, _)| names.iter().any(|n| n.eq_ignore_ascii_case(d))),
        }
    }

    /// Toggles picker line `i`: `*` alone, or a domain in the list (which drops `*`).
    fn toggle_pick(&mut self, i: usize) {
        if i == 0 {
            self.company.set("*");
            return;
        }
        let Some((domain, _)) = self.domains.get(i - 1).cloned() else { return };
        let mut names: Vec<String> = self.company_names().into_iter().filter(|n| n != "*").collect();
        if let Some(at) = names.iter().position(|n| n.eq_ignore_ascii_case(&domain)) {
            names.remove(at);
        } else {
            names.push(domain);
        }
        self.company.set(&if names.is_empty() { "*".to_string() } else { names.join(", ") });
    }

    /// Company names from the field: `*` alone when empty or when `*` is among them.
    pub fn company_names(&self) -> Vec<String> {
        crate::settings::split_company_names(self.company.value())
    }

    /// What is wrong with the company names typed, naming the first bad one.
    pub fn company_problem(&self) -> Option<String> {
        self.company_names().into_iter().filter(|n| n != "*").find_map(|name| {
            let plausible = name.contains('.')
                && !name.starts_with('.')
                && !name.ends_with('.')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
            (!plausible).then(|| {
                format!("Company names: `{name}` is not a domain: type domains such as acme.com, separated by commas, or * for everyone")
            })
        })
    }

    /// Where the file goes.
    pub fn path(&self) -> Option<PathBuf> {
        self.output.clone().or_else(|| {
            let stem = if self.stem.is_empty() { "sfconnect-settings" } else { self.stem.as_str() };
            let name = format!("{stem}.{}", self.format.extension());
            self.default_dir.as_ref().map(|d| d.join(name))
        })
    }
}

/// `path` renamed for `format`: its extension replaced (x.env → x.toml, settings → settings.json); a dotenv
/// file's name (`.env`, `.env.toml`) goes back to `.env` for env.
fn with_format_extension(path: &std::path::Path, format: Format) -> PathBuf {
    let dotenv = path.file_stem().and_then(|s| s.to_str()).is_some_and(|s| s.eq_ignore_ascii_case(".env"));
    if dotenv && format == Format::Env {
        return path.with_file_name(".env");
    }
    path.with_extension(format.extension())
}

/// A row of the table: the key, and the label the target's form uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub key: SettingsKey,
    pub label: String,
}

/// The rows for the chosen target: the five settings, named as its form names them.
pub fn rows(state: &State) -> Vec<Row> {
    let keys = [
        SettingsKey::ClientId,
        SettingsKey::ClientSecret,
        SettingsKey::RefreshToken,
        SettingsKey::LoginUrl,
        SettingsKey::CompanyNames,
    ];
    let preset = state.preset();
    // A form field of the target's beyond the five (Nintex's Environment) comes after them.
    let extra = preset.into_iter().flat_map(|p| p.settings_fields.iter().map(|f| f.key)).filter(|k| !keys.contains(k));
    let keys: Vec<SettingsKey> = keys.into_iter().chain(extra).collect();
    keys.into_iter()
        .filter(|k| *k != SettingsKey::CompanyNames || preset.is_none_or(|p| p.company_names))
        .map(|key| {
            let label = preset
                .and_then(|p| p.settings_fields.iter().find(|f| f.key == key))
                .map(|f| f.label.clone())
                .unwrap_or_else(|| default_label(key).to_string());
            Row { key, label }
        })
        .collect()
}

pub fn default_label(key: SettingsKey) -> &'static str {
    match key {
        SettingsKey::ClientId => "Client ID",
        SettingsKey::ClientSecret => "Client secret",
        SettingsKey::RefreshToken => "Refresh token",
        SettingsKey::LoginUrl => "Login URL",
        SettingsKey::CompanyNames => "Company names",
        SettingsKey::InstanceUrl => "Instance URL",
        SettingsKey::Username => "Username",
        SettingsKey::OrgId => "Org ID",
        SettingsKey::Environment => "Environment",
    }
}

/// A row's full value, and whether it is a secret.
pub fn value(settings: &ConnectorSettings, key: SettingsKey) -> (String, bool) {
    match key {
        SettingsKey::ClientId => (settings.client_id.clone(), false),
        SettingsKey::ClientSecret => {
            (settings.client_secret.as_ref().map(|s| s.expose().to_string()).unwrap_or_default(), true)
        }
        SettingsKey::RefreshToken => (settings.refresh_token.expose().to_string(), true),
        SettingsKey::LoginUrl => (settings.login_url.clone(), false),
        SettingsKey::CompanyNames => (settings.company_names.join("\n"), false),
        SettingsKey::InstanceUrl => (settings.instance_url.clone().unwrap_or_default(), false),
        SettingsKey::Username => (settings.username.clone().unwrap_or_default(), false),
        SettingsKey::OrgId => (settings.org_id.clone().unwrap_or_default(), false),
        SettingsKey::Environment => (environment(&settings.login_url).to_string(), false),
    }
}

/// "Sandbox" for a sandbox login host (test.salesforce.com, a sandbox My Domain), else "Production".
pub fn environment(login_url: &str) -> &'static str {
    use crate::salesforce::{HostKind, LoginHost};
    match LoginHost::parse(login_url).map(|h| h.kind()) {
        Ok(HostKind::Sandbox | HostKind::MyDomain { sandbox: true }) => "Sandbox",
        _ => "Production",
    }
}

const HELP: &str = "\
These are the values the connector's settings form asks for, named as that form names them.

Copy one value at a time with {copy} (move with the arrows) and paste it into the form field by field, or \
copy all with {copy_all}. Over SSH, copying goes through your terminal (OSC 52); if your terminal ignores that, \
press {show_plain@list} ({show_plain@text}) to show one value alone on one line and select it by hand.

Company names: * collects every user, including those without an email address. A list of domains \
collects only those domains and leaves out users without email. On the Company names row, {edit} opens \
the org's email domains to tick with {toggle} (when the checks could not read them, {edit} lets you type \
names, comma-separated).

{save} writes the file (mode 0600, only you can read it); {format} switches JSON, .env, TOML, shell and sfdx-url (with --output, the file's extension \
follows). An existing file is replaced only if you press {save} a second time.";

/// The last step's help for a target that brings its own app (AvePoint, Nintex, Ampersand).
const HELP_OWN_APP: &str = "\
This target takes none of these values: it connects through its own app when you connect in its \
product, as its notes below say. The app you made and its token served the checks: they showed \
whether the user who will connect has what the target needs.

Keep the settings ({save}) only to run `sfconnect check --settings FILE` again after fixing something in \
Setup; afterwards `sfconnect revoke --settings FILE` ends the token, and you can delete the app you \
made for the checks in Setup.";

fn save(state: &mut State) -> Update {
    let (Some(settings), Some(path)) = (state.result.settings.clone(), state.result.path()) else {
        state.warn("Nothing to save yet, or no place to save it: start sfconnect with --output FILE");
        return Update::redraw();
    };
    if state.result.saved_current && state.result.saved.as_ref() == Some(&path) {
        state.say(format!("Already saved to {}: nothing changed since.", path.display()));
        return Update::redraw();
    }
    // The file this session wrote may be rewritten with the edits; any other file needs a second press.
    let ours = state.result.saved.as_ref() == Some(&path);
    let overwrite = if state.result.confirm_replace || ours { Overwrite::Replace } else { Overwrite::Never };
    let create_folder = state.result.output.is_none();
    Update::with(vec![Command::Save {
        path,
        settings: Box::new(settings),
        format: state.result.format,
        overwrite,
        create_folder,
    }])
}

fn on_saved(state: &mut State, result: Result<PathBuf, SaveFailure>) -> Update {
    match result {
        Ok(path) => {
            state.result.confirm_replace = false;
            state.result.saved_current = true;
            // The screen itself says "✓ Saved: PATH", so a message would only repeat it. Only what the
            // screen does not show is said: a keyring copy has done its job, and is deleted.
            if state.keyring {
                state.say("The keyring copies of the secrets are deleted.");
            } else {
                state.toast = None;
            }
            state.result.saved = Some(path);
            if state.keyring {
                // Saved: every keyring copy this session made, under whichever key, is deleted.
                let mut forget = state.forget_kept();
                let client_id = state.credentials.key.value().trim().to_string();
                if !forget.iter().any(|c| matches!(c, Command::ForgetKept { client_id: id } if *id == client_id)) {
                    // Kept by the session this one resumed.
                    forget.push(Command::ForgetKept { client_id });
                }
                return Update::with(forget);
            }
        }
        Err(failure) if failure.exists && !state.result.confirm_replace => {
            state.result.confirm_replace = true;
            state.warn(format!("{} Press w again to replace it, or f for another format.", failure.message));
        }
        Err(failure) => {
            state.result.confirm_replace = false;
            state.warn(failure.message);
        }
    }
    Update::redraw()
}

/// New settings from the exchange, completed with what the earlier steps chose.
fn on_granted(state: &mut State, mut settings: ConnectorSettings) -> Update {
    settings.company_names = state.result.company_names();
    settings.preset = state.preset().map(|p| p.id.clone());
    settings.app_kind = Some(state.create_app.kind);
    settings.app_name = Some(super::create_app::app_name_of(state));
    state.result.settings = Some(settings);
    state.result.saved_current = false;
    Update::redraw()
}

impl Step {
    pub const RESULT: Step = Step::new("result");
}

#[derive(Debug)]
pub struct ResultScreen;

impl Screen for ResultScreen {
    fn id(&self) -> Step {
        Step::RESULT
    }

    fn title(&self) -> &'static str {
        "Your settings"
    }

    fn on_action(&self, state: &mut State, action: Action) -> Update {
        if state.result.editing_company {
            if edit(&mut state.result.company, action) {
                return Update::redraw();
            }
            if matches!(action, Action::Next | Action::Edit)
                && let Some(problem) = state.result.company_problem()
            {
                state.warn(problem);
                return Update::redraw();
            }
            if action == Action::Back {
                // Esc cancels the edit: the names go back to what the settings hold.
                state.result.editing_company = false;
                let current = state.result.settings.as_ref().map(|s| s.company_names.join(", ")).unwrap_or_default();
                state.result.company.set(&current);
                return Update::redraw();
            }
            if matches!(action, Action::Next | Action::Edit) {
                state.result.editing_company = false;
                let names = state.result.company_names();
                if let Some(s) = &mut state.result.settings
                    && s.company_names != names
                {
                    s.company_names = names;
                    state.result.saved_current = false;
                }
                return Update::redraw();
            }
            return Update::none();
        }
        if let Some(cursor) = state.result.picker {
            match action {
                Action::Up | Action::Down => {
                    let mut c = cursor;
                    move_cursor(&mut c, state.result.domains.len() + 1, action == Action::Down);
                    state.result.picker = Some(c);
                }
                Action::Toggle => state.result.toggle_pick(cursor),
                Action::Next | Action::Back | Action::Edit => {
                    state.result.picker = None;
                    let names = state.result.company_names();
                    if let Some(s) = &mut state.result.settings
                        && s.company_names != names
                    {
                        s.company_names = names;
                        state.result.saved_current = false;
                    }
                }
                _ => return Update::none(),
            }
            return Update::redraw();
        }
        let rows = rows(state);
        match action {
            Action::Up | Action::Down => {
                move_cursor(&mut state.result.cursor, rows.len(), action == Action::Down);
                Update::redraw()
            }
            Action::Reveal => {
                state.result.reveal = !state.result.reveal;
                Update::redraw()
            }
            Action::Copy => {
                let (Some(settings), Some(row)) = (&state.result.settings, rows.get(state.result.cursor)) else {
                    return Update::none();
                };
                let (text, secret) = value(settings, row.key);
                Update::with(vec![Command::Copy { label: row.label.clone(), text: text.into(), secret }])
            }
            Action::ShowPlain => {
                let (Some(settings), Some(row)) = (&state.result.settings, rows.get(state.result.cursor)) else {
                    return Update::none();
                };
                let (text, _) = value(settings, row.key);
                Update::with(vec![Command::ShowPlain { label: row.label.clone(), text: text.into() }])
            }
            Action::CopyAll => {
                let Some(settings) = &state.result.settings else { return Update::none() };
                let block: Vec<String> = rows
                    .iter()
                    .map(|r| format!("{}: {}", r.label, value(settings, r.key).0.replace('\n', ", ")))
                    .collect();
                Update::with(vec![Command::Copy {
                    label: "All settings".into(),
                    text: block.join("\n").into(),
                    secret: true,
                }])
            }
            Action::Edit | Action::Toggle
                if rows.get(state.result.cursor).is_some_and(|r| r.key == SettingsKey::CompanyNames) =>
            {
                // With the org's domains known, pick from them; otherwise type them.
                if state.result.domains.is_empty() {
                    state.result.editing_company = true;
                } else {
                    state.result.picker = Some(0);
                }
                Update::redraw()
            }
            Action::Format => {
                state.result.cycle_format();
                Update::redraw()
            }
            Action::Save => save(state),
            Action::Back => go_back(state),
            _ => Update::none(),
        }
    }

    fn hints(&self, state: &State) -> Vec<Hint> {
        if state.result.editing_company {
            return vec![(Action::Next, "done")];
        }
        if state.result.picker.is_some() {
            return vec![(Action::Down, "move"), (Action::Toggle, "pick"), (Action::Next, "done")];
        }
        let mut h = vec![
            (Action::Copy, "copy"),
            (Action::ShowPlain, "plain"),
            (Action::CopyAll, "copy all"),
            (Action::Reveal, "reveal"),
            (Action::Save, "save"),
            (Action::Format, "format"),
        ];
        let on_company = rows(state).get(state.result.cursor).is_some_and(|r| r.key == SettingsKey::CompanyNames);
        if on_company {
            h.push((Action::Edit, "edit"));
        }
        h
    }

    fn help(&self, state: &State) -> &'static str {
        if state.preset().is_some_and(|p| p.brings_own_app()) { HELP_OWN_APP } else { HELP }
    }

    fn render(&self, frame: &mut ratatui::Frame, area: ratatui::layout::Rect, state: &State, ctx: crate::ui::Ctx) {
        crate::ui::result::render(frame, area, state, ctx)
    }

    fn on_text(&self, state: &mut State, text: &str) -> Update {
        if !state.result.editing_company {
            return Update::none();
        }
        state.result.company.insert(text);
        Update::redraw()
    }

    fn text_focus(&self, state: &State) -> bool {
        state.result.editing_company
    }

    fn on_result(&self, state: &mut State, msg: Msg) -> Result<Update, Msg> {
        Ok(match msg {
            Msg::Saved(r) => on_saved(state, r),
            Msg::Granted(settings) => on_granted(state, *settings),
            Msg::Proven { username, rotated } => {
                if let Some(settings) = &mut state.result.settings {
                    settings.username = Some(username);
                    if let Some(rotated) = rotated {
                        settings.refresh_token = rotated;
                        state.result.saved_current = false;
                    }
                }
                Update::none()
            }
            other => return Err(other),
        })
    }
}
