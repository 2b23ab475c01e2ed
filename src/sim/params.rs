//! OAuth parameters from wherever Salesforce takes them: the query string (the vendor's curl procedure puts
//! everything there), a url-encoded body, or a multipart body (sfdx-core, protocol notes §11). Body values win
//! over query values of the same name.

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
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if content_type.starts_with("multipart/form-data") {
            let mut multipart = Multipart::from_request(request, &())
                .await
                .map_err(|_| malformed())?;
            while let Some(field) = multipart.next_field().await.map_err(|_| malformed())? {
                let Some(name) = field.name().map(str::to_string) else {
                    continue;
                };
                let value = field.text().await.map_err(|_| malformed())?;
                values.insert(name, value);
            }
        } else {
            let bytes = axum::body::Bytes::from_request(request, &())
                .await
                .map_err(|_| malformed())?;
            values.extend(url::form_urlencoded::parse(&bytes).into_owned());
        }
        Ok(Params(values))
    }
}

fn malformed() -> Response {
    wire::oauth_error("invalid_request", "malformed request body")
}

impl Params {
    pub fn into_map(self) -> HashMap<String, String> {
        self.0
    }
}
