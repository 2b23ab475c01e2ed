//! OAuth parameters from wherever Salesforce takes them: the query string (the vendor's curl procedure puts
//! everything there), a url-encoded body, or a multipart body (sfdx-core, protocol notes §11). Body values win
//! over query values of the same name. An `Authorization: Basic` header supplies `client_id` and `client_secret`
//! when the body does not (`client_secret_basic`, as the OpenID configuration advertises).

use std::collections::HashMap;

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use axum::response::Response;

use super::wire;

pub struct Params(HashMap<String, String>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The value, with an empty string treated as absent (as form posts send unset fields).
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    pub async fn read(request: Request) -> Result<Params, Response> {
        let mut values: HashMap<String, String> = request
            .uri()
            .query()
            .map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let basic = basic_credentials(request.headers());
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if content_type.starts_with("multipart/form-data") {
            let mut multipart = Multipart::from_request(request, &()).await.map_err(|_| malformed())?;
            while let Some(field) = multipart.next_field().await.map_err(|_| malformed())? {
                let Some(name) = field.name().map(str::to_string) else {
                    continue;
                };
                let value = field.text().await.map_err(|_| malformed())?;
                values.insert(name, value);
            }
        } else {
            let bytes = axum::body::Bytes::from_request(request, &()).await.map_err(|_| malformed())?;
            values.extend(url::form_urlencoded::parse(&bytes).into_owned());
        }
        if let Some((id, secret)) = basic {
            values.entry("client_id".to_string()).or_insert(id);
            values.entry("client_secret".to_string()).or_insert(secret);
        }
        Ok(Params(values))
    }
}

/// `Authorization: Basic base64(id:secret)`, each part form-decoded as RFC 6749 §2.3.1 asks.
fn basic_credentials(headers: &axum::http::HeaderMap) -> Option<(String, String)> {
    use base64::Engine;
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let form_decode = |s: &str| -> String {
        url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
    };
    Some((form_decode(id), form_decode(secret)))
}

fn malformed() -> Response {
    wire::oauth_error("invalid_request", "malformed request body")
}

impl Params {
    pub fn into_map(self) -> HashMap<String, String> {
        self.0
    }
}
