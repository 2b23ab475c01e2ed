//! The request log behind `Simulator::requests_seen`: method, path, content type, parameter and form-field
//! *names*, and the raw query string. Runs outermost, so faulted requests are logged too. Never logs values
//! through tracing.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::state::{SeenRequest, Shared};

/// Larger bodies are refused; no real client sends a token request anywhere near this.
const BODY_LIMIT_BYTES: usize = 1 << 20;

pub async fn record(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_LIMIT_BYTES).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let query = parts.uri.query().unwrap_or("").to_string();
    let form_fields = match content_type.as_deref() {
        Some(ct) if ct.starts_with("application/x-www-form-urlencoded") => {
            url::form_urlencoded::parse(&bytes).map(|(name, _)| name.into_owned()).collect()
        }
        Some(ct) if ct.starts_with("multipart/form-data") => multipart_field_names(&bytes),
        _ => Vec::new(),
    };
    let seen = SeenRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        content_type,
        query_params: url::form_urlencoded::parse(query.as_bytes()).map(|(name, _)| name.into_owned()).collect(),
        form_fields,
        query,
    };
    tracing::debug!(method = %seen.method, path = %seen.path, "sim: request");
    shared.lock().record(seen);
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// The `name="…"` of each part's Content-Disposition header. A scan, not a parser: it only feeds the log.
fn multipart_field_names(body: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(body);
    text.lines()
        .filter(|line| line.to_ascii_lowercase().starts_with("content-disposition: form-data"))
        .filter_map(|line| {
            let start = line.find("name=\"")? + "name=\"".len();
            let end = line[start..].find('"')? + start;
            Some(line[start..end].to_string())
        })
        .collect()
}
