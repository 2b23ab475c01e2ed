//! What survives an SSH drop: the step, the non-secret entries, when the wait began (as wall time, so the
//! countdown is still right after a restart), the authorization method and its loopback port. Never a
//! secret: the consumer secret, codes and tokens are asked for again on resume, or, when the user opted
//! in (`--keyring`), read back from the OS keyring (`crate::vault`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::state::{State, Step};
use super::steps::authorize::Method;
use super::steps::start::Environment;
use crate::salesforce::{AppKind, Scopes};

/// How old a progress file may be and still be offered for resuming.
pub const RESUME_WITHIN: Duration = Duration::from_secs(24 * 3600);

/// The resumable part of the wizard's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    pub version: u32,
    pub step: Step,
    pub preset_id: String,
    pub environment: Environment,
    pub my_domain: String,
    pub app_kind: AppKind,
    pub app_name: String,
    pub contact_email: String,
    pub device_flow: bool,
    pub scopes: Vec<String>,
    /// The consumer key: not a secret (it appears in every authorize URL).
    pub client_id: String,
    /// Seconds since the epoch when the propagation wait began.
    pub wait_started: Option<u64>,
    pub auth_method: Method,
    /// The local-browser method's port, whose callback the app was told about.
    #[serde(default)]
    pub listen_port: Option<u16>,
    /// The session kept its secrets in the OS keyring (`--keyring`).
    #[serde(default)]
    pub keyring: bool,
    /// Seconds since the epoch when this was written.
    pub saved_at: u64,
}

/// Why a progress file was not read. It holds nothing that cannot be typed again, so the caller ignores it
/// (and logs this); the message names the field and the values it may have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProgressError {
    #[error("progress file: field `{field}`: {problem}; the file is ignored and replaced at the next save")]
    Field { field: &'static str, problem: String },
    #[error("progress file: {0}; the file is ignored and replaced at the next save")]
    Malformed(String),
}

impl Progress {
    /// Reads a progress file's text. A field with a value outside its fixed set is refused by name (serde
    /// lists the values it accepts); any other fault is reported as serde states it.
    pub fn from_json(text: &str) -> Result<Self, ProgressError> {
        serde_json::from_str(text).map_err(|whole| {
            let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(text) else {
                return ProgressError::Malformed(whole.to_string());
            };
            fn refused<T: serde::de::DeserializeOwned>(
                fields: &serde_json::Map<String, serde_json::Value>,
                field: &'static str,
            ) -> Option<ProgressError> {
                let value = fields.get(field)?;
                let problem = T::deserialize(value).err()?.to_string();
                Some(ProgressError::Field { field, problem })
            }
            refused::<Environment>(&fields, "environment")
                .or_else(|| refused::<AppKind>(&fields, "app_kind"))
                .or_else(|| refused::<Method>(&fields, "auth_method"))
                .unwrap_or_else(|| ProgressError::Malformed(whole.to_string()))
        })
    }
}

fn epoch_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// True when `value` looks like a secret, whichever field it was typed into: the consumer secret as
/// typed in its own field (or inside this value), a consumer secret's shape (64 hex characters, or the
/// 19-digit numbers of older Connected Apps), or a token's (a refresh token starts `5Aep`, an access token
/// is `00D…!…`). Such a value is never written to the progress file: an admin who pasted the secret into
/// the wrong field (the credentials step says "that looks like the Consumer Secret") must not find it
/// on disk after an SSH drop.
pub fn looks_like_secret(value: &str, typed_secret: &str) -> bool {
    let value = value.trim();
    let typed_secret = typed_secret.trim();
    if value.is_empty() {
        return false;
    }
    if typed_secret.len() >= 8 && value.contains(typed_secret) {
        return true;
    }
    value.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '"' | '\'' | '=' | ':')).any(|word| {
        let hex = word.len() >= 32 && word.chars().all(|c| c.is_ascii_hexdigit());
        let digits = (16..=24).contains(&word.len()) && word.chars().all(|c| c.is_ascii_digit());
        let refresh = word.starts_with("5Aep") && word.len() >= 40;
        let access = word.starts_with("00D") && word.contains('!') && word.len() >= 40;
        hex || digits || refresh || access
    })
}

/// `value`, or nothing when it looks like a secret (see [`looks_like_secret`]).
fn unless_secret(value: &str, typed_secret: &str) -> String {
    if looks_like_secret(value, typed_secret) { String::new() } else { value.to_string() }
}

impl Progress {
    /// Takes the resumable part of `state`. `wall` and `state.now` are the same moment. A free-text entry
    /// that looks like a secret is left out (saved empty), whatever field holds it.
    pub fn from_state(state: &State, wall: SystemTime) -> Self {
        let secret = state.credentials.secret.value();
        // The start as one wall-clock instant, truncated once: subtracting two truncated figures gave a
        // value that flipped by a second from one call to the next, which reads as a change.
        let wait_started = state.propagation.started.map(|s| {
            let elapsed = state.now.saturating_duration_since(s);
            epoch_secs(wall.checked_sub(elapsed).unwrap_or(UNIX_EPOCH))
        });
        Self {
            version: 1,
            step: state.step,
            preset_id: state.preset().map(|p| p.id.clone()).unwrap_or_default(),
            environment: state.start.environment,
            my_domain: unless_secret(state.start.my_domain.value(), secret),
            app_kind: state.create_app.kind,
            app_name: unless_secret(state.create_app.name.value(), secret),
            contact_email: unless_secret(state.create_app.email.value(), secret),
            device_flow: state.create_app.device_flow,
            scopes: state.scopes.selected.iter().map(str::to_string).collect(),
            client_id: unless_secret(state.credentials.key.value().trim(), secret),
            wait_started,
            auth_method: state.authorize.method,
            listen_port: Some(state.authorize.listen_port),
            keyring: state.keyring,
            saved_at: epoch_secs(wall),
        }
    }

    /// How long ago this was saved.
    pub fn age(&self, wall: SystemTime) -> Duration {
        Duration::from_secs(epoch_secs(wall).saturating_sub(self.saved_at))
    }

    /// True when it is worth offering: recent, and past the first step.
    pub fn worth_resuming(&self, wall: SystemTime) -> bool {
        self.step != Step::START && self.age(wall) < RESUME_WITHIN
    }

    /// Puts the entries back into `state` and returns the step to show: the credentials step when the
    /// saved step needs the secret, which is never saved here (the caller may have it from the keyring).
    pub fn apply(&self, state: &mut State, wall: SystemTime) -> Step {
        if let Ok(i) = crate::presets::position_of(&state.presets, &self.preset_id) {
            state.start.preset_index = i;
        }
        state.start.environment = self.environment;
        // A file written before secrets were kept out may still hold one: it is not put back.
        let kept = |value: &str| unless_secret(value, "");
        state.start.my_domain.set(&kept(&self.my_domain));
        state.create_app.kind = self.app_kind;
        state.create_app.name.set(&kept(&self.app_name));
        state.create_app.email.set(&kept(&self.contact_email));
        state.create_app.device_flow = self.device_flow;
        state.scopes.selected = Scopes::from_tokens(self.scopes.iter().cloned());
        state.credentials.key.set(&kept(&self.client_id));
        state.authorize.method = self.auth_method;
        if let Some(port) = self.listen_port {
            state.authorize.listen_port = port;
        }
        state.keyring |= self.keyring;
        if let Some(started) = self.wait_started {
            let ago = Duration::from_secs(epoch_secs(wall).saturating_sub(started));
            state.propagation.resume_from(state.now.checked_sub(ago).unwrap_or(state.now));
        }
        state.touched = true;
        if state.is_after(self.step, Step::CREDENTIALS) { Step::CREDENTIALS } else { self.step }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::wizard::Surroundings;

    fn written(edit: impl FnOnce(&mut State)) -> serde_json::Value {
        let mut state = State::new(crate::presets::bundled(), Surroundings::default(), Instant::now());
        edit(&mut state);
        serde_json::to_value(Progress::from_state(&state, SystemTime::now())).unwrap()
    }

    /// The typed fields keep the spellings files have always had, so a file written before they were
    /// typed still reads, with the same meaning.
    #[test]
    fn typed_fields_write_the_ids_older_files_hold_and_read_them_back() {
        let file = written(|s| {
            s.start.environment = Environment::MyDomain;
            s.create_app.kind = AppKind::ConnectedApp;
            s.authorize.method = Method::LocalBrowser;
        });
        assert_eq!(file["environment"], "my_domain");
        assert_eq!(file["app_kind"], "connected_app");
        assert_eq!(file["auth_method"], "local_browser");
        let back = Progress::from_json(&file.to_string()).unwrap();
        assert_eq!(
            (back.environment, back.app_kind, back.auth_method),
            (Environment::MyDomain, AppKind::ConnectedApp, Method::LocalBrowser)
        );
        for (field, old) in [
            ("environment", "sandbox"),
            ("environment", "production"),
            ("app_kind", "external_client_app"),
            ("auth_method", "paste_back"),
            ("auth_method", "device"),
        ] {
            let mut file = file.clone();
            file[field] = old.into();
            assert!(Progress::from_json(&file.to_string()).is_ok(), "{field} = {old}");
        }
    }

    /// Issue 12 item 4: a value outside a field's set is refused by the field's name, with the values it
    /// may have (before, an unknown environment silently became production).
    #[test]
    fn a_bad_field_is_refused_by_name_with_the_values_it_may_have() {
        for (field, bad, valid) in [
            ("environment", "moon", "my_domain"),
            ("app_kind", "canvas_app", "external_client_app"),
            ("auth_method", "carrier_pigeon", "local_browser"),
        ] {
            let mut file = written(|_| {});
            file[field] = bad.into();
            let error = Progress::from_json(&file.to_string()).unwrap_err();
            let ProgressError::Field { field: named, .. } = &error else { panic!("{field}: {error}") };
            assert_eq!(*named, field);
            let message = error.to_string();
            assert!(message.contains(bad) && message.contains(valid), "{message}");
        }
        // Anything else wrong is still refused, as serde states it.
        let mut extra = written(|_| {});
        extra["surprise"] = true.into();
        assert!(matches!(Progress::from_json(&extra.to_string()), Err(ProgressError::Malformed(_))));
        assert!(matches!(Progress::from_json("{not json"), Err(ProgressError::Malformed(_))));
    }
}
