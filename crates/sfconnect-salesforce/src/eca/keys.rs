//! The consumer key and secret sfconnect writes into a new app: drawn from a CSPRNG (`rand`'s thread
//! generator, ChaCha12 seeded from the operating system), letters and digits only. Salesforce does not
//! publish a format for a supplied key or secret; letters and digits are what its own generated values
//! and sfdx-hardis's supplied keys have in common, and they survive a URL or a form body unescaped.

use rand::Rng;
use rand::distributions::Alphanumeric;

use crate::secret::ClientSecret;

/// Characters in a generated consumer key (Salesforce's own keys have 85; any length from 8 to 256 is read
/// by the rest of sfconnect).
pub const CONSUMER_KEY_LEN: usize = 64;
/// Characters in a generated consumer secret (Salesforce's own secrets have 64).
pub const CONSUMER_SECRET_LEN: usize = 64;

/// A consumer key (client id). Not a secret: it is shown, logged and put in URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerKey(String);

impl ConsumerKey {
    pub fn generate() -> ConsumerKey {
        ConsumerKey(random_alphanumeric(CONSUMER_KEY_LEN))
    }

    /// A key read back from the org.
    pub fn from_org(key: impl Into<String>) -> ConsumerKey {
        ConsumerKey(key.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The consumer secret is a [`ClientSecret`]: redacted in `Debug`, wiped on drop.
pub type ConsumerSecret = ClientSecret;

/// Generation for [`ConsumerSecret`].
pub trait GenerateSecret {
    fn generate() -> Self;
}

impl GenerateSecret for ClientSecret {
    fn generate() -> ClientSecret {
        ClientSecret::new(random_alphanumeric(CONSUMER_SECRET_LEN))
    }
}

fn random_alphanumeric(len: usize) -> String {
    rand::thread_rng().sample_iter(&Alphanumeric).take(len).map(char::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_secrets_are_letters_and_digits_and_never_repeat() {
        let keys: Vec<ConsumerKey> = (0..50).map(|_| ConsumerKey::generate()).collect();
        for key in &keys {
            assert_eq!(key.as_str().len(), CONSUMER_KEY_LEN);
            assert!(key.as_str().chars().all(|c| c.is_ascii_alphanumeric()), "{key:?}");
        }
        let mut distinct: Vec<&str> = keys.iter().map(ConsumerKey::as_str).collect();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), keys.len());
        let secret = ClientSecret::generate();
        assert_eq!(secret.char_len(), CONSUMER_SECRET_LEN);
        assert!(secret.expose().chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(secret.expose(), ClientSecret::generate().expose());
        assert_eq!(format!("{secret:?}"), "ClientSecret([redacted])");
    }
}
