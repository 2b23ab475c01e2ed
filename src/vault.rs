//! The opt-in OS keyring (`sfconnect --keyring`): the consumer secret and the refresh token are kept
//! there, and only there, between a session cut off by a dropped SSH link and the session that
//! resumes it. Never the progress file, never a plain file.
//!
//! On Linux the store is the kernel keyring (keyutils), through `keyring-core` and
//! `linux-keyutils-keyring-store`: it needs no daemon and no desktop, so it works on the SSH servers
//! admins use. Entries live in the user's persistent keyring (kept across logins for a few days by
//! default, `/proc/sys/kernel/keys/persistent_keyring_expiry`; gone at reboot) and are deleted as
//! soon as the settings are saved or the user starts over. Other systems have no store in this build:
//! every call says so, and the wizard falls back to asking again.
//!
//! Entries are named `sfconnect` / `<consumer key>/<item>`: the consumer key is not a secret, and
//! naming by it keeps two apps' sessions apart.

use std::sync::{Arc, OnceLock};

use keyring_core::{CredentialStore, Entry};
use zeroize::Zeroizing;

/// The service name of every entry.
const SERVICE: &str = "sfconnect";

/// What is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    ClientSecret,
    RefreshToken,
}

impl Item {
    pub const ALL: [Item; 2] = [Item::ClientSecret, Item::RefreshToken];

    fn tag(self) -> &'static str {
        match self {
            Item::ClientSecret => "client_secret",
            Item::RefreshToken => "refresh_token",
        }
    }

    /// For messages: "consumer secret".
    pub fn label(self) -> &'static str {
        match self {
            Item::ClientSecret => "consumer secret",
            Item::RefreshToken => "refresh token",
        }
    }
}

/// Why the keyring could not be used. Never carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("this build has no OS keyring for this system (only the Linux kernel keyring)")]
    Unsupported,
    #[error("the kernel keyring is not available here ({0}); containers often block it")]
    Unavailable(String),
    #[error("the keyring refused the {item} ({reason})")]
    Failed { item: &'static str, reason: String },
}

/// The store's name, for messages: "the Linux kernel keyring".
pub fn store_name() -> &'static str {
    if cfg!(target_os = "linux") { "the Linux kernel keyring" } else { "the OS keyring" }
}

fn store() -> Result<&'static Arc<CredentialStore>, VaultError> {
    static STORE: OnceLock<Result<Arc<CredentialStore>, String>> = OnceLock::new();
    let made = STORE.get_or_init(|| {
        #[cfg(target_os = "linux")]
        {
            linux_keyutils_keyring_store::Store::new().map(|s| s as Arc<CredentialStore>).map_err(|e| e.to_string())
        }
        #[cfg(not(target_os = "linux"))]
        {
            Err(String::new())
        }
    });
    match made {
        Ok(store) => {
            static WARMED: std::sync::Once = std::sync::Once::new();
            WARMED.call_once(|| warm_up(store));
            Ok(store)
        }
        Err(_) if !cfg!(target_os = "linux") => Err(VaultError::Unsupported),
        Err(e) => Err(VaultError::Unavailable(e.clone())),
    }
}

/// The first keyring call of a process that has no session keyring of its own (no PAM login session,
/// as in containers and test harnesses) is refused ("AccessDenied") while the persistent keyring is
/// being linked in. Were that call a write, the refused write would still leave a copy of the secret
/// behind in the user's default session keyring, which a later delete does not find. So the first
/// call is a read of an entry that does not exist: refused or not, it writes nothing.
fn warm_up(store: &Arc<CredentialStore>) {
    if let Ok(entry) = Entry::new_in_store(store, SERVICE, "warm-up") {
        let _ = entry.get_secret();
    }
}

fn entry(client_id: &str, item: Item) -> Result<Entry, VaultError> {
    Entry::new_in_store(store()?, SERVICE, &format!("{client_id}/{}", item.tag()))
        .map_err(|e| VaultError::Failed { item: item.label(), reason: reason(&e) })
}

/// The error's text, which for keyring-core's errors names the kind of failure, never the value.
fn reason(e: &keyring_core::Error) -> String {
    match e {
        keyring_core::Error::PlatformFailure(inner) | keyring_core::Error::NoStorageAccess(inner) => inner.to_string(),
        other => other.to_string(),
    }
}

/// Runs a keyring operation, once more through a new entry if the kernel refused it (see [`warm_up`]:
/// should the warm-up not have been enough, the second try links the persistent keyring again). A real
/// refusal fails twice.
fn twice<T>(
    client_id: &str,
    item: Item,
    op: impl Fn(&Entry) -> keyring_core::Result<T>,
) -> Result<keyring_core::Result<T>, VaultError> {
    match op(&entry(client_id, item)?) {
        Err(keyring_core::Error::NoStorageAccess(_) | keyring_core::Error::PlatformFailure(_)) => {
            Ok(op(&entry(client_id, item)?))
        }
        other => Ok(other),
    }
}

/// Keeps `value` as `item` of the app `client_id`, replacing what was there.
pub fn keep(client_id: &str, item: Item, value: &str) -> Result<(), VaultError> {
    twice(client_id, item, |e| e.set_secret(value.as_bytes()))?.map_err(|e| match e {
        keyring_core::Error::NoStorageAccess(inner) => VaultError::Unavailable(inner.to_string()),
        other => VaultError::Failed { item: item.label(), reason: reason(&other) },
    })
}

/// The kept `item` of the app `client_id`, or None when there is none.
pub fn read(client_id: &str, item: Item) -> Result<Option<Zeroizing<String>>, VaultError> {
    match twice(client_id, item, Entry::get_secret)? {
        Ok(bytes) => {
            let bytes = Zeroizing::new(bytes);
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| VaultError::Failed { item: item.label(), reason: "not text".into() })?;
            Ok(Some(Zeroizing::new(text.to_string())))
        }
        Err(keyring_core::Error::NoEntry) => Ok(None),
        Err(e) => Err(VaultError::Failed { item: item.label(), reason: reason(&e) }),
    }
}

/// Deletes everything kept for the app `client_id`. Missing entries are fine.
pub fn forget(client_id: &str) -> Result<(), VaultError> {
    for item in Item::ALL {
        match twice(client_id, item, Entry::delete_credential)? {
            Ok(()) | Err(keyring_core::Error::NoEntry) => {}
            Err(e) => return Err(VaultError::Failed { item: item.label(), reason: reason(&e) }),
        }
    }
    Ok(())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// Against the real kernel keyring; where a sandbox blocks it, the error must say so instead.
    #[test]
    fn keeps_reads_and_forgets_or_says_why_not() {
        let id = format!("3MVGtest{}", std::process::id());
        match keep(&id, Item::ClientSecret, "s3cret-value") {
            Ok(()) => {
                assert_eq!(read(&id, Item::ClientSecret).unwrap().as_deref().map(String::as_str), Some("s3cret-value"));
                assert_eq!(read(&id, Item::RefreshToken).unwrap(), None);
                keep(&id, Item::ClientSecret, "replaced").unwrap();
                assert_eq!(read(&id, Item::ClientSecret).unwrap().as_deref().map(String::as_str), Some("replaced"));
                forget(&id).unwrap();
                assert_eq!(read(&id, Item::ClientSecret).unwrap(), None);
                // No copy left anywhere this user can see: /proc/keys lists them, flag `i` = invalidated.
                let keys = std::fs::read_to_string("/proc/keys").unwrap_or_default();
                let live: Vec<&str> = keys
                    .lines()
                    .filter(|l| l.contains(&id) && l.split_whitespace().nth(1).is_some_and(|f| !f.contains('i')))
                    .collect();
                assert!(live.is_empty(), "a copy of the secret is left behind: {live:?}");
            }
            Err(e) => {
                let text = e.to_string();
                assert!(!text.contains("s3cret-value"), "{text}");
                assert!(matches!(e, VaultError::Unavailable(_) | VaultError::Failed { .. }), "{e:?}");
            }
        }
    }
}
