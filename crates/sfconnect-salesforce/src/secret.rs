//! Secret newtypes: the consumer secret, tokens, the authorization code, the PKCE verifier and the device code.
//!
//! Each wraps a [`secrecy::SecretString`], so the value is wiped from memory on drop and `Debug` prints
//! `ClientSecret([redacted])`. None of them implements `Display` or `Serialize`: the one way out is
//! [`expose`](ClientSecret::expose), and every call of it is a place where a secret leaves on purpose
//! (a POST body, the settings writer, a reveal the user asked for).

use secrecy::{ExposeSecret, SecretString};

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(SecretString);

        impl $name {
            /// Wraps a value. Surrounding white space is kept: callers that read user input trim first.
            pub fn new(value: impl Into<String>) -> Self {
                Self(SecretString::from(value.into()))
            }

            /// The value itself.
            ///
            /// Security: whatever is done with the returned `&str` is outside the wrapper's protection.
            /// Send it in a POST body or write it to a 0600 file; never log it, format it into an error, or
            /// put it in a URL.
            pub fn expose(&self) -> &str {
                self.0.expose_secret()
            }

            /// Length in characters, for messages such as "64 characters copied".
            pub fn char_len(&self) -> usize {
                self.expose().chars().count()
            }

            /// A masked preview that gives nothing useful away: the first four characters of a long
            /// value, then bullets. Short values are masked whole.
            pub fn masked(&self) -> String {
                mask(self.expose())
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "([redacted])"))
            }
        }

        impl PartialEq for $name {
            /// Constant-time comparison, so a comparison's timing does not tell how much of a guess was right.
            fn eq(&self, other: &Self) -> bool {
                constant_time_eq(self.expose().as_bytes(), other.expose().as_bytes())
            }
        }

        impl Eq for $name {}
    };
}

secret_type!(
    /// The consumer secret of a Connected App or External Client App.
    ClientSecret
);
secret_type!(
    /// A refresh token: long-lived access to the org. The most valuable thing sfconnect handles.
    RefreshToken
);
secret_type!(
    /// An access token (a Salesforce session id).
    AccessToken
);
secret_type!(
    /// An authorization code from the web server flow: single use, valid about 15 minutes.
    AuthCode
);
secret_type!(
    /// A PKCE code verifier.
    CodeVerifier
);
secret_type!(
    /// The device code of the device flow (the user code, shown on screen, is not secret).
    DeviceCode
);

/// Masks a secret for display: `3MVG••••••••` for values of 12 characters or more, all bullets otherwise.
pub fn mask(value: &str) -> String {
    let len = value.chars().count();
    if len >= 12 {
        let head: String = value.chars().take(4).collect();
        format!("{head}{}", "•".repeat(8))
    } else {
        "•".repeat(len.clamp(1, 8))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = ClientSecret::new("ABCDEF0123456789");
        let shown = format!("{secret:?} {:?}", Some(&secret));
        assert_eq!(shown, "ClientSecret([redacted]) Some(ClientSecret([redacted]))");
        assert!(!shown.contains("ABCDEF"));
    }

    #[test]
    fn masked_keeps_only_a_short_prefix() {
        assert_eq!(RefreshToken::new("5Aep861abcdefghijk").masked(), "5Aep••••••••");
        assert_eq!(AuthCode::new("short").masked(), "•••••");
        assert_eq!(AuthCode::new("").masked(), "•");
    }

    #[test]
    fn equality_compares_values() {
        assert_eq!(AccessToken::new("a"), AccessToken::new("a"));
        assert_ne!(AccessToken::new("a"), AccessToken::new("ab"));
    }
}
