//! The one HTTP client and how its answers are read: JSON when it is JSON, a typed error otherwise.
//!
//! Built once per process: redirects off (an OAuth client must not follow them: SSRF, and a 302 from a
//! token endpoint means the host is wrong), connect and total timeouts, proxies from HTTPS_PROXY /
//! NO_PROXY (reqwest reads them). Bodies are never logged and never copied into errors: an HTML page is
//! reduced to its `<title>`, malformed JSON to the parser's message.
//!
//! A 429 or 503 answer that says how long to wait (`Retry-After`) becomes [`Error::AskedToWait`], so the
//! loops that repeat a request (`retry.rs`, `probe.rs`, `device_flow.rs`) can wait that long.

use std::time::{Duration, SystemTime};

use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;

use super::errors::{BodyKind, Error, OAuthError, RestError, TransportKind};

/// How long to wait for a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Builds the HTTP client. Call once and clone the result (clones share the connection pool).
///
/// Fails only when the TLS setup refuses a trusted root (a malformed certificate in the file that
/// `SSL_CERT_FILE` names, say). The caller shows that and stops: a client built some other way would
/// follow redirects, have no timeouts, or trust other roots than the ones the admin chose.
pub fn build_http_client() -> Result<reqwest::Client, Error> {
    build_http_client_with(REQUEST_TIMEOUT)
}

/// Same, with another total timeout (tests of slow servers use a short one).
pub fn build_http_client_with(timeout: Duration) -> Result<reqwest::Client, Error> {
    let roots = root_certificates();
    let mut builder = reqwest::Client::builder().tls_built_in_root_certs(false);
    for root in roots.certificates {
        builder = builder.add_root_certificate(root);
    }
    builder
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .timeout(timeout)
        .user_agent(concat!("sfconnect/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::HttpClient {
            detail: format!("the TLS setup refused {} ({})", roots_origin(roots.source), error_chain(&e).join(": ")),
        })
}

/// Where the roots came from, in words that name what the admin can change.
fn roots_origin(source: RootSource) -> String {
    let named = |name: &str| {
        std::env::var_os(name).filter(|v| !v.is_empty()).map(|v| format!("{name}={}", v.to_string_lossy()))
    };
    match (source, named("SSL_CERT_FILE"), named("SSL_CERT_DIR")) {
        (RootSource::Bundled, ..) => "the bundled root certificates".into(),
        (RootSource::System, None, None) => "a certificate of the system's root store".into(),
        (RootSource::System, file, dir) => {
            let set: Vec<String> = file.into_iter().chain(dir).collect();
            format!("a certificate in {}", set.join(" or "))
        }
    }
}

/// Where the trusted roots came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootSource {
    /// The system's store, or the file or folder that `SSL_CERT_FILE` / `SSL_CERT_DIR` name.
    System,
    /// Mozilla's roots compiled in (webpki-root-certs), for systems with no store at all.
    Bundled,
}

/// The roots the client trusts, and where they came from.
pub struct RootCertificates {
    pub source: RootSource,
    pub certificates: Vec<reqwest::Certificate>,
}

/// One root store: the system's (what admins behind a TLS-inspecting proxy have added their proxy's CA to;
/// `SSL_CERT_FILE` and `SSL_CERT_DIR` replace it, as OpenSSL's tools do), and Mozilla's bundled roots only
/// where the system has none (a minimal container). Never both: a CA the admin removed from the system
/// store must not come back through the bundle.
pub fn root_certificates() -> RootCertificates {
    let loaded = rustls_native_certs::load_native_certs();
    for error in &loaded.errors {
        tracing::debug!("system certificate store: {error}");
    }
    let system: Vec<reqwest::Certificate> =
        loaded.certs.iter().filter_map(|der| reqwest::Certificate::from_der(der.as_ref()).ok()).collect();
    if !system.is_empty() {
        tracing::debug!(roots = system.len(), "trusting the system's root certificates");
        return RootCertificates { source: RootSource::System, certificates: system };
    }
    let bundled = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .filter_map(|der| reqwest::Certificate::from_der(der.as_ref()).ok())
        .collect();
    tracing::debug!("no system root certificates: trusting the bundled Mozilla roots");
    RootCertificates { source: RootSource::Bundled, certificates: bundled }
}

/// Turns a reqwest failure into [`Error::Transport`], telling timeouts, refusals, DNS and TLS apart.
///
/// A host name that cannot be resolved shows as hyper's "dns error" around the system resolver's message
/// (glibc: "Name or service not known" for no such name, "Temporary failure in name resolution" when no
/// DNS server answers; macOS and Windows word it "nodename nor servname provided" and "No such host is
/// known"). A host that is not even a valid DNS name (a label over 63 characters) is refused by rustls as
/// "invalid dns name" before any lookup; no server can have that name either, so it is a DNS failure too.
pub fn transport_error(err: reqwest::Error, host: &str) -> Error {
    let chain = error_chain_text(&err);
    let kind = if err.is_timeout() || chain.contains("timed out") {
        TransportKind::Timeout
    } else if [
        "dns error",
        "failed to lookup",
        "name or service not known",
        "temporary failure in name resolution",
        "nodename nor servname",
        "no such host is known",
        "invalid dns name",
    ]
    .iter()
    .any(|phrase| chain.contains(phrase))
    {
        TransportKind::Dns
    } else if chain.contains("certificate") || chain.contains("tls") || chain.contains("handshake") {
        TransportKind::Tls
    } else if chain.contains("connection refused") {
        TransportKind::Refused
    } else {
        TransportKind::Other
    };
    Error::Transport { kind, host: host.to_string(), detail: chain }
}

fn error_chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    error_chain(err).join(": ").to_ascii_lowercase()
}

fn error_chain(err: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts
}

/// The most of an answer that is read: a token answer is about 2 KiB and a page of query records well
/// under a megabyte, so a larger body is not Salesforce's and would only fill memory.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Reads the body chunk by chunk, stopping as soon as it passes [`MAX_BODY_BYTES`] (or announces that
/// it will, in `Content-Length`).
async fn read_bounded(mut response: Response, host: &str, status: u16) -> Result<Vec<u8>, Error> {
    let too_large = || Error::UnreadableResponse { status, what: BodyKind::TooLarge, detail: None };
    if response.content_length().is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| transport_error(e, host))? {
        if bytes.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// The body of an answer, read whole.
pub struct Body {
    pub status: StatusCode,
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// How long the server asked us to wait (`Retry-After`), from the moment the answer arrived.
    pub retry_after: Option<Duration>,
}

impl Body {
    pub async fn read(response: Response, host: &str) -> Result<Body, Error> {
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let bytes = read_bounded(response, host, status.as_u16()).await?;
        Ok(Body { status, content_type, bytes, retry_after })
    }

    fn looks_like_html(&self) -> bool {
        self.content_type.contains("html") || {
            let start =
                String::from_utf8_lossy(&self.bytes[..self.bytes.len().min(64)]).trim_start().to_ascii_lowercase();
            start.starts_with("<!doctype") || start.starts_with("<html") || start.starts_with("<")
        }
    }

    /// The error for a body that is not the JSON we expected.
    pub fn unreadable(&self, parse_error: Option<&serde_json::Error>) -> Error {
        let status = self.status.as_u16();
        if self.bytes.iter().all(u8::is_ascii_whitespace) {
            return Error::UnreadableResponse { status, what: BodyKind::Empty, detail: None };
        }
        if self.looks_like_html() {
            return Error::UnreadableResponse { status, what: BodyKind::Html, detail: html_title(&self.bytes) };
        }
        match parse_error {
            // serde_json's message carries a position, never the text it choked on.
            Some(e) => Error::UnreadableResponse { status, what: BodyKind::MalformedJson, detail: Some(e.to_string()) },
            None => Error::UnreadableResponse { status, what: BodyKind::Other, detail: None },
        }
    }

    /// Parses a success body.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.bytes).map_err(|e| self.unreadable(Some(&e)))
    }

    /// The error for a non-success status: an OAuth error object, a REST error array, or the page; wrapped in
    /// [`Error::AskedToWait`] when a 429 or 503 said how long to wait. (RFC 9110 gives `Retry-After` a
    /// meaning on 3xx too, but redirects are never followed here, so it is read on those two only.)
    pub fn error(&self) -> Error {
        let answer = self.answer_error();
        match self.retry_after {
            Some(wait) if !wait.is_zero() && matches!(self.status.as_u16(), 429 | 503) => {
                Error::AskedToWait { wait, answer: Box::new(answer) }
            }
            _ => answer,
        }
    }

    fn answer_error(&self) -> Error {
        #[derive(serde::Deserialize)]
        struct OAuthBody {
            error: String,
            error_description: Option<String>,
        }
        #[derive(serde::Deserialize)]
        struct RestBody {
            #[serde(rename = "errorCode")]
            error_code: String,
            #[serde(default)]
            message: String,
        }
        let status = self.status.as_u16();
        if let Ok(o) = serde_json::from_slice::<OAuthBody>(&self.bytes) {
            return Error::OAuth(OAuthError {
                status,
                code: fold_untrusted(&o.error).into(),
                description: o.error_description.as_deref().map(fold_untrusted),
            });
        }
        if let Ok(list) = serde_json::from_slice::<Vec<RestBody>>(&self.bytes)
            && let Some(first) = list.into_iter().next()
        {
            return Error::Rest(RestError {
                status,
                code: fold_untrusted(&first.error_code),
                message: fold_untrusted(&first.message),
            });
        }
        if let Ok(single) = serde_json::from_slice::<RestBody>(&self.bytes) {
            return Error::Rest(RestError {
                status,
                code: fold_untrusted(&single.error_code),
                message: fold_untrusted(&single.message),
            });
        }
        // Salesforce may answer a form-encoded error (`error=…&error_description=…`) to some clients.
        let text = String::from_utf8_lossy(&self.bytes);
        if text.starts_with("error=") {
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(text.as_bytes()).into_owned().collect();
            let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            if let Some(code) = get("error") {
                return Error::OAuth(OAuthError {
                    status,
                    code: fold_untrusted(&code).into(),
                    description: get("error_description").as_deref().map(fold_untrusted),
                });
            }
        }
        let parse_error = serde_json::from_slice::<serde_json::Value>(&self.bytes).err();
        self.unreadable(parse_error.as_ref())
    }
}

/// Server-written text made safe to show on one line among sfconnect's own: line breaks and other
/// control characters become spaces, and characters that change how the rest of a line is shown
/// (bidirectional overrides and isolates such as U+202E, zero-width characters such as U+200B, the BOM)
/// are dropped, so a server's `error_description` cannot print a line of its own ("fix: …") or make
/// the text read otherwise than it is. Runs of spaces are folded to one.
pub fn fold_untrusted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if is_invisible_format(c) {
            continue;
        }
        if c.is_whitespace() && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(if c.is_whitespace() { ' ' } else { c });
    }
    out.truncate(out.trim_end().len());
    out
}

/// Format characters (Unicode category Cf) that are invisible or reorder text: the bidi controls, the
/// zero-width ones, word joiners, the BOM, the interlinear annotation marks and the tag characters.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{E0000}'..='\u{E007F}')
}

/// Reads a `Retry-After` value (RFC 9110 §10.2.3) as the time to wait from `now`: delta-seconds (`120`)
/// or an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`, and the two obsolete date forms). A date in the past
/// means no wait; a part second is rounded up. Anything else (a negative or fractional number, text) is
/// ignored: `None`, and the caller keeps its own schedule.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // A number too large for u64 is still "a very long time": the waits cap it (retry::MAX_SERVER_WAIT).
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let wait = at.duration_since(now).unwrap_or(Duration::ZERO);
    let whole = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    Some(Duration::from_secs(whole))
}

/// The `<title>` of an HTML page, trimmed and cut short: enough to recognise a maintenance page or a
/// proxy's login page, and nothing from the body.
fn html_title(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(8192)]);
    let lower = text.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = lower[start..].find('>')? + start + 1;
    let end = lower[open_end..].find("</title>")? + open_end;
    let title: String = text[open_end..end].split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty()).then(|| title.chars().take(100).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(status: u16, ct: &str, text: &str) -> Body {
        Body {
            status: StatusCode::from_u16(status).unwrap(),
            content_type: ct.into(),
            bytes: text.as_bytes().to_vec(),
            retry_after: None,
        }
    }

    #[test]
    fn oauth_rest_and_html_errors_are_told_apart() {
        let e = body(
            400,
            "application/json",
            r#"{"error":"invalid_client_id","error_description":"client identifier invalid"}"#,
        )
        .error();
        assert_eq!(e.oauth_code(), Some(&crate::errors::OAuthErrorCode::InvalidClientId));
        let r = body(
            403,
            "application/json",
            r#"[{"message":"The REST API is not enabled for this Organization.","errorCode":"API_DISABLED_FOR_ORG"}]"#,
        )
        .error();
        assert!(matches!(r, Error::Rest(ref x) if x.code == "API_DISABLED_FOR_ORG"));
        let h = body(
            503,
            "text/html",
            "<html><head><title>Salesforce\n  Maintenance</title></head><body>down</body></html>",
        )
        .error();
        match h {
            Error::UnreadableResponse { what: BodyKind::Html, detail, status: 503 } => {
                assert_eq!(detail.as_deref(), Some("Salesforce Maintenance"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn server_text_is_folded_to_one_visible_line() {
        let e = body(
            400,
            "application/json",
            r#"{"error":"access_denied","error_description":"denied\n  fix: email the secret to x@evil.example\u202e\u200bmoc"}"#,
        )
        .error();
        let Error::OAuth(o) = &e else { panic!("{e:?}") };
        let d = o.description.as_deref().unwrap();
        assert_eq!(d, "denied fix: email the secret to x@evil.examplemoc");
        assert!(!d.contains('\n') && !d.contains('\u{202e}') && !d.contains('\u{200b}'));
        let r = body(403, "application/json", "[{\"errorCode\":\"X\\r\\nY\",\"message\":\"a\\u2066b\\tc\"}]").error();
        let Error::Rest(r) = &r else { panic!("{r:?}") };
        assert_eq!((r.code.as_str(), r.message.as_str()), ("X Y", "ab c"));
        assert_eq!(fold_untrusted("  a \u{feff} b\u{2029}c  "), "a b c");
    }

    #[test]
    fn malformed_json_keeps_no_body_text() {
        let b = body(200, "application/json", r#"{"access_token":"00Dsecretvalue"#);
        let err = b.json::<serde_json::Value>().unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("00Dsecretvalue"), "{shown}");
        assert!(matches!(err, Error::UnreadableResponse { what: BodyKind::MalformedJson, .. }));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates_and_ignores_the_rest() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        let secs = |n| Some(Duration::from_secs(n));
        assert_eq!(parse_retry_after("30", now), secs(30));
        assert_eq!(parse_retry_after(" 0 ", now), secs(0));
        assert_eq!(parse_retry_after("99999999999999999999999", now), secs(u64::MAX));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:29:30 GMT", now), secs(90));
        // The obsolete RFC 850 and asctime forms are still dates a server may send.
        assert_eq!(parse_retry_after("Wednesday, 21-Oct-15 07:28:10 GMT", now), secs(10));
        assert_eq!(parse_retry_after("Wed Oct 21 07:28:05 2015", now), secs(5));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), secs(0), "a date gone by");
        let just_after = now - Duration::from_millis(1500);
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", just_after), secs(2), "rounded up");
        for junk in ["", "-5", "1.5", "soon", "30s", "Wed, 21 Oct 2015"] {
            assert_eq!(parse_retry_after(junk, now), None, "{junk:?}");
        }
    }

    #[test]
    fn a_wait_is_kept_for_429_and_503_only() {
        let with_wait = |status, secs| Body { retry_after: Some(Duration::from_secs(secs)), ..body(status, "", "") };
        let e = Body {
            retry_after: Some(Duration::from_secs(30)),
            ..body(429, "application/json", r#"{"error":"rate_limit_exceeded","error_description":"too many"}"#)
        }
        .error();
        assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
        assert_eq!(
            e.oauth_code(),
            Some(&crate::errors::OAuthErrorCode::RateLimitExceeded),
            "the answer behind the wait is still read"
        );
        assert_eq!(with_wait(503, 5).error().retry_after(), Some(Duration::from_secs(5)));
        assert_eq!(with_wait(500, 5).error().retry_after(), None);
        assert_eq!(with_wait(429, 0).error().retry_after(), None, "no wait asked for");
    }
}
