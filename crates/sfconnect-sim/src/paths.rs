//! Request paths as Salesforce takes them, before routing: under `/services/data/vNN.N`, a trailing slash names
//! the same resource as the path without it (simple-salesforce calls `…/query/?q=`, `…/limits/`, `…/sobjects/`,
//! and `restful('')` asks for `…/vNN.N/`). Only the path changes; the query string is kept.

use axum::extract::Request;
use axum::http::Uri;
use axum::http::uri::PathAndQuery;

/// Strips one trailing slash from a path under `/services/data/v…/` (the version list, `/services/data/`, is
/// routed as it is).
pub fn normalize(mut request: Request) -> Request {
    let path = request.uri().path();
    if !(path.starts_with("/services/data/v") && path.len() > "/services/data/v".len() && path.ends_with('/')) {
        return request;
    }
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    let rebuilt = match request.uri().query() {
        Some(query) => format!("{trimmed}?{query}"),
        None => trimmed.to_string(),
    };
    let mut parts = request.uri().clone().into_parts();
    let Ok(path_and_query) = rebuilt.parse::<PathAndQuery>() else {
        return request;
    };
    parts.path_and_query = Some(path_and_query);
    if let Ok(uri) = Uri::from_parts(parts) {
        *request.uri_mut() = uri;
    }
    request
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn path_of(uri: &str) -> String {
        let request = Request::builder().uri(uri).body(Body::empty()).unwrap();
        normalize(request).uri().to_string()
    }

    #[test]
    fn a_trailing_slash_under_a_version_is_dropped_and_the_query_kept() {
        assert_eq!(path_of("/services/data/v59.0/query/?q=SELECT+Id"), "/services/data/v59.0/query?q=SELECT+Id");
        assert_eq!(path_of("/services/data/v59.0/"), "/services/data/v59.0");
        assert_eq!(path_of("/services/data/v59.0/sobjects/User/"), "/services/data/v59.0/sobjects/User");
        assert_eq!(path_of("/services/data/"), "/services/data/");
        assert_eq!(path_of("/services/oauth2/token"), "/services/oauth2/token");
    }
}
