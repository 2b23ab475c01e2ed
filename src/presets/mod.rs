//! Integration targets as data: one TOML file per target in `assets/presets/` (built into the binary), plus
//! the user's own files in `<config folder>/presets/`, which override a bundled preset with the same id.
//!
//! Owns the preset schema, loading and validation. Must not decide anything about an org (the checks module
//! runs the check ids listed here) and must not stop at the first broken user file: every file that parses is
//! loaded and every one that doesn't is reported with file:line:column.

mod error;
mod validate;

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use error::PresetError;

use crate::checks::CheckId;

/// The bundled presets, by file name. `include_str!` makes the binary work from any folder.
const BUNDLED: [(&str, &str); 5] = [
    ("snow-atlas.toml", include_str!("../../assets/presets/snow-atlas.toml")),
    ("avepoint.toml", include_str!("../../assets/presets/avepoint.toml")),
    ("nintex.toml", include_str!("../../assets/presets/nintex.toml")),
    ("ampersand.toml", include_str!("../../assets/presets/ampersand.toml")),
    ("generic.toml", include_str!("../../assets/presets/generic.toml")),
];

/// One integration target: what to ask Salesforce for, what to check, what to tell the admin.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    /// Short name for `--preset`, lower case with dashes, e.g. `snow-atlas`.
    pub id: String,
    pub name: String,
    pub vendor: String,
    /// One or two sentences for the target picker.
    pub summary: String,
    /// OAuth scope tokens exactly as sent, e.g. `["refresh_token", "offline_access", "full"]`.
    pub scopes: Vec<String>,
    /// The target asks for the device flow on the app ("Enable Device Flow" on an External Client App,
    /// "Enable for Device Flow" on a Connected App).
    #[serde(default)]
    pub device_flow: bool,
    /// The target's settings form has a Company names field.
    #[serde(default)]
    pub company_names: bool,
    /// The target's settings form, in order: its label and which settings value goes there. Empty when the
    /// target runs its own OAuth consent and asks for no values.
    #[serde(default)]
    pub settings_fields: Vec<SettingsField>,
    #[serde(default)]
    pub checks: Checks,
    #[serde(default)]
    pub permissions: Permissions,
    /// Short lines from the target's procedure for the wizard to show.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Where this preset came from; not in the file.
    #[serde(skip)]
    pub source: Source,
}

/// A field in the target's settings form.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsField {
    /// The label the target's form shows, e.g. "Client secret".
    pub label: String,
    pub key: SettingsKey,
}

/// Which [`crate::settings::ConnectorSettings`] value fills a form field (named as in the settings file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingsKey {
    ClientId,
    ClientSecret,
    RefreshToken,
    LoginUrl,
    CompanyNames,
    InstanceUrl,
    Username,
    OrgId,
    /// "Production" or "Sandbox", from the login URL: for a form that asks which, not for a URL.
    Environment,
}

/// The checks the target asks for (the ids [`CheckId::listable`] gives): a failed required check blocks, an
/// advisory one warns. Read as [`CheckId`]s when the file loads, so an unknown id is refused there, naming
/// the preset, the field and the valid ids.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checks {
    #[serde(default, deserialize_with = "listed::<_, Required>")]
    pub required: Vec<CheckId>,
    #[serde(default, deserialize_with = "listed::<_, Advisory>")]
    pub advisory: Vec<CheckId>,
}

impl Checks {
    /// Whether the target lists `id` at all (required or advisory).
    pub fn lists(&self, id: CheckId) -> bool {
        self.required.contains(&id) || self.advisory.contains(&id)
    }
}

/// Which list of `[checks]` an id is in, for the message that refuses it.
trait ChecksField {
    const NAME: &'static str;
}
enum Required {}
impl ChecksField for Required {
    const NAME: &'static str = "checks.required";
}
enum Advisory {}
impl ChecksField for Advisory {
    const NAME: &'static str = "checks.advisory";
}

/// One id of a `[checks]` list. Read one by one, so that the TOML error points at the id itself.
struct Listed<F>(CheckId, std::marker::PhantomData<F>);

impl<'de, F: ChecksField> Deserialize<'de> for Listed<F> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = String::deserialize(deserializer)?;
        CheckId::parse_listable(&id)
            .map(|check| Listed(check, std::marker::PhantomData))
            .map_err(|problem| serde::de::Error::custom(format!("{CHECKS_ERROR}`{}`: {problem}", F::NAME)))
    }
}

fn listed<'de, D: serde::Deserializer<'de>, F: ChecksField>(deserializer: D) -> Result<Vec<CheckId>, D::Error> {
    Ok(Vec::<Listed<F>>::deserialize(deserializer)?.into_iter().map(|listed| listed.0).collect())
}

/// Where in `text` the first id of the list at `span` that a preset may not list is written.
fn refused_check_offset(text: &str, span: std::ops::Range<usize>) -> Option<usize> {
    let list = text.get(span.clone())?;
    let mut quotes = list.match_indices('"').map(|(i, _)| i);
    while let (Some(open), Some(close)) = (quotes.next(), quotes.next()) {
        if CheckId::parse_listable(&list[open + 1..close]).is_err() {
            return Some(span.start + open);
        }
    }
    None
}

/// Starts the message of a refused check id, so that [`Preset::from_toml`] can name the preset in it.
const CHECKS_ERROR: &str = "in ";

/// Permission fields of the user's profile and permission sets, e.g. `PermissionsApiEnabled`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Permissions {
    #[serde(default)]
    pub required: Vec<String>,
    /// Groups of which the user needs at least one each, e.g. Modify All Data or Manage Connected Apps.
    #[serde(default)]
    pub one_of: Vec<Vec<String>>,
    #[serde(default)]
    pub advisory: Vec<String>,
}

/// Where a preset was read from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Source {
    /// Built into the binary from `assets/presets/<file>`.
    #[default]
    Bundled,
    /// A file in the user's presets folder.
    User(PathBuf),
}

impl Preset {
    /// True when the target brings its own app (AvePoint, Nintex, Ampersand): its form takes no Client
    /// ID, so the wizard's app and token serve only to check the org and user.
    pub fn brings_own_app(&self) -> bool {
        !self.settings_fields.iter().any(|f| f.key == SettingsKey::ClientId)
    }

    /// True when the target checks IP relaxation (it calls from addresses outside the org's trusted
    /// ranges): an app made for it relaxes IP restrictions.
    pub fn checks_ip_relaxation(&self) -> bool {
        self.checks.lists(CheckId::IpRelaxation)
    }

    /// The scopes as the `scope` parameter of an authorize request: tokens separated by spaces.
    pub fn scope_parameter(&self) -> String {
        self.scopes.join(" ")
    }

    /// Parses and validates one preset file; `path` is only used in messages.
    pub fn from_toml(text: &str, path: &Path) -> Result<Preset, PresetError> {
        let preset: Preset = toml::from_str(text).map_err(|err| {
            let mut offset = err.span().map_or(0, |span| span.start);
            let mut message = err.message().trim().to_owned();
            if message.starts_with(CHECKS_ERROR) {
                // A refused check id. The span is the whole list: point at the id itself, and name the
                // preset (the file is valid TOML, so its id can be read).
                offset = err.span().and_then(|span| refused_check_offset(text, span)).unwrap_or(offset);
                let table = toml::from_str::<toml::Table>(text).ok();
                if let Some(id) = table.as_ref().and_then(|t| t.get("id")?.as_str()) {
                    message = format!("preset `{id}`, {message}");
                }
            }
            PresetError::at(path, text, offset, message)
        })?;
        validate::validate(&preset, text, path)?;
        Ok(preset)
    }
}

/// The presets built into the binary, in picker order. A broken bundled file is a bug, caught by the tests;
/// here it is left out rather than taking the program down.
pub fn bundled() -> Vec<Preset> {
    BUNDLED
        .iter()
        .filter_map(|(file, text)| Preset::from_toml(text, &Path::new("assets/presets").join(file)).ok())
        .collect()
}

/// The user's presets folder: `<config folder>/presets`, e.g. `~/.config/sfconnect/presets`.
pub fn user_preset_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "sfconnect").map(|dirs| dirs.config_dir().join("presets"))
}

/// The bundled presets plus every `*.toml` in `user_dir` (in file-name order). A user preset with a bundled
/// id replaces it in place; a new id is added at the end. A missing folder is not an error.
pub fn load_all(user_dir: Option<&Path>) -> (Vec<Preset>, Vec<PresetError>) {
    let mut presets = bundled();
    let mut errors = Vec::new();
    let Some(dir) = user_dir else {
        return (presets, errors);
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return (presets, errors),
        Err(source) => {
            errors.push(PresetError::Read { path: dir.to_owned(), source });
            return (presets, errors);
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml") && path.is_file())
        .collect();
    files.sort();
    let mut user_ids: Vec<(String, PathBuf)> = Vec::new();
    for path in files {
        // A preset is a few KiB: a file over 1 MiB is not one, and is not read whole.
        let read = std::fs::File::open(&path).and_then(|file| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::Read::take(file, (1 << 20) + 1), &mut text)?;
            if text.len() > 1 << 20 {
                return Err(std::io::Error::other("larger than 1 MiB, so not a preset"));
            }
            Ok(text)
        });
        let text = match read {
            Ok(text) => text,
            Err(source) => {
                errors.push(PresetError::Read { path, source });
                continue;
            }
        };
        let mut preset = match Preset::from_toml(&text, &path) {
            Ok(preset) => preset,
            Err(err) => {
                errors.push(err);
                continue;
            }
        };
        if let Some((_, first)) = user_ids.iter().find(|(id, _)| *id == preset.id) {
            errors.push(PresetError::DuplicateId { path, id: preset.id, first: first.clone() });
            continue;
        }
        user_ids.push((preset.id.clone(), path.clone()));
        preset.source = Source::User(path);
        match presets.iter_mut().find(|bundled| bundled.id == preset.id) {
            Some(slot) => *slot = preset,
            None => presets.push(preset),
        }
    }
    (presets, errors)
}

/// The preset with this id.
pub fn find<'p>(presets: &'p [Preset], id: &str) -> Option<&'p Preset> {
    presets.iter().find(|preset| preset.id == id)
}

/// `--preset ID` named no preset: the one message for it, whichever command (or the wizard) was given it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown --preset `{id}`, expected one of {valid}")]
pub struct UnknownPreset {
    pub id: String,
    /// The ids there are, comma-separated ([`ids`]).
    pub valid: String,
}

/// Where the preset `--preset ID` names is in `presets` (bundled and the user's, as [`load_all`] gives
/// them). The one lookup of that flag: the command line and the wizard both call it.
pub fn position_of(presets: &[Preset], id: &str) -> Result<usize, UnknownPreset> {
    presets
        .iter()
        .position(|preset| preset.id == id)
        .ok_or_else(|| UnknownPreset { id: id.to_owned(), valid: ids(presets) })
}

/// The preset `--preset ID` names, as [`position_of`] finds it.
pub fn named<'p>(presets: &'p [Preset], id: &str) -> Result<&'p Preset, UnknownPreset> {
    position_of(presets, id).map(|i| &presets[i])
}

/// The ids of `presets`, comma-separated, for messages that list the choices.
pub fn ids(presets: &[Preset]) -> String {
    presets.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(", ")
}
