//! The REST API under `/services/data`: the version list, a version's resource map, `limits`, and `query` with
//! paging. Every call but the version list needs a live Bearer token with the `api` (or `full`) scope; errors
//! are Salesforce's `[{"message","errorCode"}]` arrays (protocol notes §5).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::api_versions;
use super::query::{self, QueryError};
use super::state::Shared;
use super::tokens;
use super::wire;

/// The oldest and newest versions served. 21.0–30.0 were retired in Summer '25 (protocol notes §11).
const OLDEST: u32 = 31;
/// An org older than this is answered before any handler runs (`api_versions::refuse_unserved`).
const NEWEST: u32 = api_versions::NEWEST_API_VERSION;
const OLDEST_RETIRED: u32 = 21;
/// Records per query page, as Salesforce's default batch size.
const PAGE_SIZE: usize = 2000;

/// "Spring '26" for 66.0: three releases a year, 30.0 was Spring '14.
fn release_label(major: u32) -> String {
    let k = major.saturating_sub(30);
    let season = ["Spring", "Summer", "Winter"][(k % 3) as usize];
    format!("{season} '{:02}", 14 + (k + 1) / 3)
}

/// `GET /services/data/`: public, no token needed (as for real).
pub async fn versions(State(shared): State<Arc<Shared>>) -> Response {
    let newest = shared.lock().config.newest_api_version;
    let list: Vec<Value> = (OLDEST..=newest)
        .map(|v| {
            json!({
                "label": release_label(v),
                "url": format!("/services/data/v{v}.0"),
                "version": format!("{v}.0"),
            })
        })
        .collect();
    wire::json_response(StatusCode::OK, &list)
}

/// Checks the `vNN.N` segment: served, retired (410) or unknown (404).
pub(crate) fn check_version(segment: &str) -> Result<u32, Response> {
    let parsed = segment
        .strip_prefix('v')
        .and_then(|v| v.split_once('.'))
        .filter(|(_, minor)| *minor == "0")
        .and_then(|(major, _)| major.parse::<u32>().ok());
    match parsed {
        Some(v) if (OLDEST..=NEWEST).contains(&v) => Ok(v),
        // [B]: the body of the 410 for a retired version is a plausible guess.
        Some(v) if (OLDEST_RETIRED..OLDEST).contains(&v) => Err(wire::rest_error(
            StatusCode::GONE,
            "UNSUPPORTED_API_VERSION",
            &format!("Version {v}.0 of the API has been retired and is no longer supported."),
        )),
        _ => Err(not_found_error()),
    }
}

fn not_found_error() -> Response {
    wire::rest_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist")
}

/// The session check every REST resource makes.
pub(crate) fn check_session(shared: &Shared, headers: &HeaderMap) -> Result<(), Response> {
    let inner = shared.lock();
    let Some(grant) = wire::bearer(headers).and_then(|t| inner.live_access(t)) else {
        return Err(wire::rest_error(StatusCode::UNAUTHORIZED, "INVALID_SESSION_ID", "Session expired or invalid"));
    };
    if !grant.scopes.iter().any(|s| s == "api" || s == "full") {
        // Seen in the wild for a token without the api scope (protocol notes §5, nango.dev).
        return Err(wire::rest_error(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "This session is not valid for use with the REST API",
        ));
    }
    // A user without API Enabled gets the same answer as an org without the API (protocol notes §5).
    let org = &inner.config.org;
    if !inner.config.api_enabled || !org.api_enabled || !org.user_granted("PermissionsApiEnabled") {
        return Err(wire::rest_error(
            StatusCode::FORBIDDEN,
            "API_DISABLED_FOR_ORG",
            "The REST API is not enabled for this Organization.",
        ));
    }
    Ok(())
}

/// `GET /services/data/vNN.N`: resource name → path, `identity` among them (jsforce reads it, §11).
pub async fn resources(State(shared): State<Arc<Shared>>, Path(version): Path<String>, headers: HeaderMap) -> Response {
    if let Err(r) = check_version(&version).and_then(|_| check_session(&shared, &headers)) {
        return r;
    }
    let inner = shared.lock();
    let org = &inner.config.org;
    let mut map = Map::new();
    for name in [
        "tooling",
        "metadata",
        "eclair",
        "folders",
        "prechatForms",
        "chatter",
        "tabs",
        "appMenu",
        "quickActions",
        "queryAll",
        "commerce",
        "wave",
        "iot",
        "analytics",
        "search",
        "composite",
        "parameterizedSearch",
        "theme",
        "nouns",
        "event",
        "recent",
        "connect",
        "licensing",
        "limits",
        "process",
        "async-queries",
        "query",
        "match",
        "compactLayouts",
        "knowledgeManagement",
        "sobjects",
        "actions",
        "support",
    ] {
        map.insert(name.to_string(), Value::String(format!("/services/data/{version}/{name}")));
    }
    map.insert(
        "identity".to_string(),
        Value::String(format!("{}/id/{}/{}", shared.base_url, org.org_id, org.user.user_id)),
    );
    wire::json_response(StatusCode::OK, &Value::Object(map))
}

/// `GET /services/data/vNN.N/limits`
pub async fn limits(State(shared): State<Arc<Shared>>, Path(version): Path<String>, headers: HeaderMap) -> Response {
    if let Err(r) = check_version(&version).and_then(|_| check_session(&shared, &headers)) {
        return r;
    }
    let org = shared.lock().config.org.clone();
    let pair = |max: u64, remaining: u64| json!({"Max": max, "Remaining": remaining});
    let body = json!({
        "ConcurrentAsyncGetReportInstances": pair(200, 200),
        "ConcurrentSyncReportRuns": pair(20, 20),
        "DailyApiRequests": pair(org.daily_api_requests_max, org.daily_api_requests_remaining),
        "DailyAsyncApexExecutions": pair(250_000, 250_000),
        "DailyBulkApiBatches": pair(15_000, 15_000),
        "DailyBulkV2QueryJobs": pair(10_000, 10_000),
        "DailyStreamingApiEvents": pair(1_000_000, 1_000_000),
        "DataStorageMB": pair(1_024, 1_020),
        "FileStorageMB": pair(1_024, 1_024),
        "HourlyODataCallout": pair(20_000, 20_000),
        "SingleEmail": pair(5_000, 5_000),
    });
    wire::json_response(StatusCode::OK, &body)
}

/// `GET /services/data/vNN.N/query?q=SOQL`
pub async fn query(
    State(shared): State<Arc<Shared>>,
    Path(version): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = check_version(&version).and_then(|_| check_session(&shared, &headers)) {
        return r;
    }
    let Some(soql) = params.get("q") else {
        return wire::rest_error(StatusCode::BAD_REQUEST, "MALFORMED_QUERY", "A query string has to be specified");
    };
    let records = {
        let inner = shared.lock();
        query::run(soql, &api_versions::org_at(&inner.config.org, &version), &version)
    };
    let output = match records {
        Ok(output) => output,
        Err(QueryError { code, message }) => {
            return wire::rest_error(StatusCode::BAD_REQUEST, code, &message);
        }
    };
    tracing::info!(records = output.total, "sim: query answered");
    let (total, records) = (output.total, output.records);
    if records.len() <= PAGE_SIZE {
        return page_body(total, records, None);
    }
    let locator = tokens::query_locator();
    let first: Vec<Value> = records[..PAGE_SIZE].to_vec();
    shared.lock().store_locator(locator.clone(), records);
    let next = format!("/services/data/{version}/query/{locator}-{PAGE_SIZE}");
    page_body(total, first, Some(next))
}

/// `GET /services/data/vNN.N/query/<locator>-<offset>`: the whole last segment is the locator (jsforce, §11).
pub async fn query_more(
    State(shared): State<Arc<Shared>>,
    Path((version, locator)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = check_version(&version).and_then(|_| check_session(&shared, &headers)) {
        return r;
    }
    let invalid = || wire::rest_error(StatusCode::BAD_REQUEST, "INVALID_QUERY_LOCATOR", "invalid query locator");
    let Some((id, offset)) =
        locator.rsplit_once('-').and_then(|(id, n)| Some((id.to_string(), n.parse::<usize>().ok()?)))
    else {
        return invalid();
    };
    let mut inner = shared.lock();
    let Some(records) = inner.read_locator(&id) else {
        return invalid();
    };
    let total = records.len();
    if offset >= total {
        return invalid();
    }
    let end = (offset + PAGE_SIZE).min(total);
    let page: Vec<Value> = records[offset..end].to_vec();
    let next = (end < total).then(|| format!("/services/data/{version}/query/{id}-{end}"));
    page_body(total, page, next)
}

fn page_body(total: usize, records: Vec<Value>, next: Option<String>) -> Response {
    let mut body = Map::new();
    body.insert("totalSize".to_string(), json!(total));
    body.insert("done".to_string(), json!(next.is_none()));
    if let Some(next) = next {
        body.insert("nextRecordsUrl".to_string(), json!(next));
    }
    body.insert("records".to_string(), Value::Array(records));
    wire::json_response(StatusCode::OK, &Value::Object(body))
}

/// Anything not routed: REST-shaped under `/services/data`, plain otherwise.
pub async fn not_found(request: Request) -> Response {
    if request.uri().path().starts_with("/services/data/") {
        not_found_error()
    } else {
        wire::html(StatusCode::NOT_FOUND, "<html><body><h1>Not Found</h1></body></html>".to_string())
    }
}
