//! What issued credentials look like: consumer keys and secrets, authorization codes, access and refresh tokens,
//! device and user codes, the token `signature`. Formats follow the samples in protocol notes §9; values are
//! random and carry no meaning, except the device code, which encodes what Salesforce's does.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::Rng;
use sha2::{Digest, Sha256};

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const ALNUM_DOT_UNDERSCORE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
const UPPER_HEX: &[u8] = b"0123456789ABCDEF";
const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn random_from(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len).map(|_| char::from(alphabet[rng.gen_range(0..alphabet.len())])).collect()
}

/// `3MVG9` + 80 chars of `[A-Za-z0-9._]`: 85 chars, as observed.
pub fn consumer_key() -> String {
    format!("3MVG9{}", random_from(ALNUM_DOT_UNDERSCORE, 80))
}

/// 64 upper-case hex chars, as observed.
pub fn consumer_secret() -> String {
    random_from(UPPER_HEX, 64)
}

/// `aPrx` + 80 alphanumerics + `==`, so the code needs percent-encoding in a redirect URL.
pub fn authorization_code() -> String {
    format!("aPrx{}==", random_from(ALNUM, 80))
}

/// `00D<org id 15>!AQ` + 100 chars, the shape of a session id.
pub fn access_token(org_id15: &str) -> String {
    format!("{org_id15}!AQ{}", random_from(ALNUM_DOT_UNDERSCORE, 100))
}

pub fn refresh_token() -> String {
    format!("5Aep861{}", random_from(ALNUM_DOT_UNDERSCORE, 80))
}

/// 8 chars of `[A-Z0-9]`.
pub fn user_code() -> String {
    random_from(UPPER_ALNUM, 8)
}

/// Real device codes base64-decode to `<consumerKey>;<ip>;<epoch ms>;<user_code>` (protocol notes §1).
/// A random suffix keeps two codes issued in the same millisecond apart.
pub fn device_code(client_id: &str, ip: &str, epoch_ms: u128, user_code: &str) -> String {
    let nonce = random_from(ALNUM, 8);
    STANDARD.encode(format!("{client_id};{ip};{epoch_ms};{user_code};{nonce}"))
}

/// A query locator id (`01g` + 15 alphanumerics).
pub fn query_locator() -> String {
    format!("01g{}", random_from(ALNUM, 15))
}

/// The token response `signature`: base64 of HMAC-SHA256(secret, id + issued_at).
pub fn signature(secret: &str, id_url: &str, issued_at: &str) -> String {
    STANDARD.encode(hmac_sha256(secret.as_bytes(), format!("{id_url}{issued_at}").as_bytes()))
}

/// HMAC (RFC 2104) over SHA-256, written out to avoid a dependency for one call.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block_key = [0u8; BLOCK];
    if key.len() > BLOCK {
        block_key[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block_key[..key.len()].copy_from_slice(key);
    }
    let inner_pad: Vec<u8> = block_key.iter().map(|b| b ^ 0x36).collect();
    let outer_pad: Vec<u8> = block_key.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new().chain_update(&inner_pad).chain_update(message).finalize();
    Sha256::new().chain_update(&outer_pad).chain_update(inner).finalize().into()
}

/// BASE64URL(SHA256(verifier)) without padding: the S256 PKCE challenge.
pub fn s256_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn formats_have_the_observed_shapes() {
        let key = consumer_key();
        assert_eq!(key.len(), 85);
        assert!(key.starts_with("3MVG9"));
        let secret = consumer_secret();
        assert_eq!(secret.len(), 64);
        assert!(secret.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
        assert!(authorization_code().ends_with("=="));
        assert_eq!(user_code().len(), 8);
    }
}
