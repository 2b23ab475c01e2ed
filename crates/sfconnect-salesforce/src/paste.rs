//! The paste-back parser: what the admin copies after clicking Allow, turned into an authorization code.
//!
//! Accepted, in any of these forms, with stray white space, line breaks or quotes around or inside:
//! - the whole redirect URL (`https://login.salesforce.com/services/oauth2/success?code=aPrx…%3D%3D&state=…`);
//! - the query part alone (`?code=…` or `code=…&state=…`);
//! - the bare code, still %-encoded (`aPrx…%3D%3D`) or already decoded (`aPrx…==`).
//!
//! The code is decoded exactly once. `+` is kept as `+` (Salesforce codes have no spaces). A redirect that
//! carries `error=` is explained, not sent on, and a `state` that does not match ours is refused.

use percent_encoding::percent_decode_str;

use super::secret::AuthCode;

/// A code taken from a paste, and the state that came with it.
#[derive(Debug)]
pub struct Pasted {
    pub code: AuthCode,
    pub state: Option<String>,
}

/// Why a paste gave no code. Messages name what was pasted and what to paste instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasteError {
    #[error("Nothing was pasted: after clicking Allow, copy the whole address from the browser's address bar")]
    Empty,
    #[error("Salesforce sent the browser back with an error: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Authorization { error: crate::errors::OAuthErrorCode, description: Option<String> },
    #[error(
        "That is the authorize URL itself: open it in a browser, click Allow, then copy the address the browser lands on"
    )]
    AuthorizeUrl,
    #[error("The pasted address has no `code=` part: copy the address of the page you land on after clicking Allow")]
    NoCode,
    #[error(
        "The `state` in the pasted address does not match this session's: it belongs to another authorization. Open this session's authorize URL again"
    )]
    StateMismatch,
    #[error(
        "The code contains `{0}`, which never appears in a Salesforce code: paste the address or code exactly as copied"
    )]
    BadCharacter(char),
    #[error(
        "The code looks encoded twice (it still has %-escapes after decoding): paste it exactly as the browser shows it"
    )]
    EncodedTwice,
    #[error("The code has a broken %-escape: paste it exactly as the browser shows it")]
    BadEscape,
    #[error(
        "The paste ({0} characters) is too short to be an authorization code (they are about 80 characters): paste the whole address the browser landed on after Allow"
    )]
    /// How many characters came: none of them is echoed (a secret pasted into the wrong box must not
    /// reach the screen or a log).
    TooShort(usize),
}

/// Bare codes shorter than this are a mistyped paste, not a code (real ones are about 80 characters).
const MIN_BARE_CODE: usize = 20;

/// Extracts the authorization code from a paste. `expected_state`, when given, must match the pasted
/// state if one is present (a bare code carries none).
pub fn parse_paste(input: &str, expected_state: Option<&str>) -> Result<Pasted, PasteError> {
    let cleaned = clean(input);
    if cleaned.is_empty() {
        return Err(PasteError::Empty);
    }
    let params_text = params_part(&cleaned);
    let Some(params_text) = params_text else {
        if cleaned.contains("://") || cleaned.starts_with("www.") || cleaned.contains(".com/") {
            return Err(PasteError::NoCode);
        }
        let code = bare_code(&cleaned)?;
        if code.char_len() < MIN_BARE_CODE {
            return Err(PasteError::TooShort(cleaned.chars().count()));
        }
        return Ok(Pasted { code, state: None });
    };
    let params = split_params(params_text);
    let get = |name: &str| params.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
    if let Some(error) = get("error") {
        return Err(PasteError::Authorization {
            error: form_decode(error).into(),
            // Anyone who can reach the callback can write this text: one line, no invisible characters.
            description: get("error_description").map(|d| crate::http::fold_untrusted(&form_decode(d))),
        });
    }
    if get("response_type").is_some() && get("client_id").is_some() {
        return Err(PasteError::AuthorizeUrl);
    }
    let raw_code = get("code").filter(|c| !c.is_empty()).ok_or(PasteError::NoCode)?;
    let state = get("state").map(form_decode);
    if let (Some(expected), Some(got)) = (expected_state, state.as_deref())
        && expected != got
    {
        return Err(PasteError::StateMismatch);
    }
    Ok(Pasted { code: bare_code(raw_code)?, state })
}

/// Removes white space anywhere (a terminal may wrap a long URL onto several lines) and quotes around it.
fn clean(input: &str) -> String {
    let no_space: String = input.chars().filter(|c| !c.is_whitespace() && *c != '\u{200b}').collect();
    no_space.trim_matches(|c| matches!(c, '"' | '\'' | '`' | '<' | '>')).to_string()
}

/// The `k=v&…` part of a paste, when it has one: the query and fragment of a URL, or a bare `code=…`.
fn params_part(text: &str) -> Option<&str> {
    if let Some(idx) = text.find(['?', '#']) {
        return Some(&text[idx + 1..]);
    }
    // A bare code may itself contain "code=" (…Xcode==): only a leading or &-joined key counts.
    let keyed = |k: &str| text.starts_with(&format!("{k}=")) || text.contains(&format!("&{k}="));
    if keyed("code") || keyed("error") {
        return Some(text);
    }
    None
}

/// `k=v` pairs; both `&` and `#` separate them, so a fragment (`#error=…`) is read too.
fn split_params(text: &str) -> Vec<(&str, &str)> {
    text.split(['&', '#', '?']).filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap_or((p, ""))).collect()
}

/// Decodes a non-code value the way browsers encode form values (`+` is a space).
fn form_decode(value: &str) -> String {
    let spaced = value.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

/// Decodes a code once and checks its characters.
fn bare_code(raw: &str) -> Result<AuthCode, PasteError> {
    let raw = raw.strip_prefix("code=").unwrap_or(raw);
    check_escapes(raw)?;
    let bytes: Vec<u8> = percent_decode_str(raw).collect();
    let decoded = String::from_utf8(bytes).map_err(|_| PasteError::BadEscape)?;
    if decoded.is_empty() {
        return Err(PasteError::NoCode);
    }
    if has_escape(&decoded) {
        return Err(PasteError::EncodedTwice);
    }
    if let Some(bad) = decoded.chars().find(|c| !(c.is_ascii_alphanumeric() || "+/=._-".contains(*c))) {
        return Err(PasteError::BadCharacter(bad));
    }
    Ok(AuthCode::new(decoded))
}

fn check_escapes(raw: &str) -> Result<(), PasteError> {
    let bytes = raw.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'%' {
            let ok = bytes.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
            if !ok {
                return Err(PasteError::BadEscape);
            }
        }
    }
    Ok(())
}

fn has_escape(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(3).any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str = "aPrxSGQ9kQjE3jV8.Rk_Xs0aL9Mn2Zq==";

    fn code_of(input: &str) -> String {
        parse_paste(input, None).map(|p| p.code.expose().to_string()).unwrap_or_else(|e| format!("ERR {e:?}"))
    }

    #[test]
    fn whole_redirect_url_encoded() {
        let url =
            "https://login.salesforce.com/services/oauth2/success?code=aPrxSGQ9kQjE3jV8.Rk_Xs0aL9Mn2Zq%3D%3D&state=abc";
        let p = parse_paste(url, Some("abc")).unwrap();
        assert_eq!(p.code.expose(), CODE);
        assert_eq!(p.state.as_deref(), Some("abc"));
    }

    #[test]
    fn bare_code_encoded_or_decoded_gives_the_same() {
        assert_eq!(code_of("aPrxSGQ9kQjE3jV8.Rk_Xs0aL9Mn2Zq%3D%3D"), CODE);
        assert_eq!(code_of(CODE), CODE);
        assert_eq!(code_of(&format!("  \"{CODE}\"\n")), CODE);
        assert_eq!(code_of(&format!("code={CODE}")), CODE);
    }

    #[test]
    fn wrapped_lines_and_plus_are_kept_right() {
        assert_eq!(
            code_of(
                "https://login.salesforce.com/services/oauth2/suc\ncess?code=aPrxSGQ9kQjE3jV8.Rk_Xs0a\nL9Mn2Zq%3D%3D"
            ),
            CODE
        );
        assert_eq!(code_of("aPrx+abcdefghij%2Bdefghijkl=="), "aPrx+abcdefghij+defghijkl==");
    }

    #[test]
    fn errors_are_explained_not_sent() {
        let e = parse_paste("https://x/services/oauth2/success?error=access_denied&error_description=end-user+denied+authorization&state=s", None).unwrap_err();
        assert_eq!(
            e,
            PasteError::Authorization {
                error: crate::errors::OAuthErrorCode::AccessDenied,
                description: Some("end-user denied authorization".into())
            }
        );
        let frag = parse_paste("https://x/cb#error=access_denied", None).unwrap_err();
        assert!(matches!(frag, PasteError::Authorization { .. }));
    }

    #[test]
    fn state_mismatch_is_refused() {
        let url = format!("https://x/cb?code={CODE}&state=other");
        assert_eq!(parse_paste(&url, Some("mine")).unwrap_err(), PasteError::StateMismatch);
    }

    #[test]
    fn wrong_pastes_say_what_to_paste() {
        assert_eq!(parse_paste("", None).unwrap_err(), PasteError::Empty);
        assert_eq!(
            parse_paste("https://login.salesforce.com/services/oauth2/success", None).unwrap_err(),
            PasteError::NoCode
        );
        assert_eq!(
            parse_paste(
                "https://login.salesforce.com/services/oauth2/authorize?response_type=code&client_id=3MVG",
                None
            )
            .unwrap_err(),
            PasteError::AuthorizeUrl
        );
        assert_eq!(parse_paste("aPrx%253D", None).unwrap_err(), PasteError::EncodedTwice);
        assert_eq!(parse_paste("aPrx%3", None).unwrap_err(), PasteError::BadEscape);
        assert_eq!(parse_paste("aPrx;drop", None).unwrap_err(), PasteError::BadCharacter(';'));
        assert_eq!(parse_paste("hello world", None).unwrap_err(), PasteError::TooShort(10));
        // Something typed into the wrong box may be a secret: not one character of it is echoed.
        let shown = parse_paste("Sec9retValue77", None).unwrap_err().to_string();
        assert!(!shown.contains("Sec9"), "{shown}");
    }

    #[test]
    fn a_code_containing_code_equals_is_still_a_code() {
        let code = "aPrxSGQ9kQjE3jV8Rk0aL9Mn2Zqcode==";
        assert_eq!(code_of(code), code);
    }
}
