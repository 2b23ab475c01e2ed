//! The identity endpoints: `/services/oauth2/userinfo`, the identity URL `/id/{org}/{user}` (Bearer header or
//! jsforce's `?oauth_token=`), and `/.well-known/openid-configuration`. Fields per protocol notes §4.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::config::OrgFixture;
use super::state::Shared;
use super::wire;

/// What the identity service answers for a missing, unknown, revoked or expired token: 403 and the plain text
/// `Bad_OAuth_Token` (not JSON), as issue 10 reports it and clients have met it.
fn bad_token() -> Response {
    (StatusCode::FORBIDDEN, "Bad_OAuth_Token").into_response()
}

/// `GET /services/oauth2/userinfo`
pub async fn userinfo(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let inner = shared.lock();
    if wire::bearer(&headers).and_then(|t| inner.live_access(t)).is_none() {
        return bad_token();
    }
    let org = &inner.config.org;
    let user = &org.user;
    let base = &shared.base_url;
    let body = json!({
        "sub": format!("{base}/id/{}/{}", org.org_id, user.user_id),
        "user_id": user.user_id,
        "organization_id": org.org_id,
        "preferred_username": user.username,
        "nickname": nickname(&user.username),
        "name": user.display_name,
        "email": user.email,
        "email_verified": true,
        "given_name": user.first_name,
        "family_name": user.last_name,
        "zoneinfo": "America/Los_Angeles",
        "photos": photos(base),
        "profile": format!("{base}/{}", user.user_id),
        "picture": format!("{base}/profilephoto/005/F"),
        "address": {"country": "US"},
        "is_salesforce_integration_user": false,
        "urls": urls(base, org),
        "active": user.is_active,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": -28_800_000,
        "updated_at": "2026-01-15T10:00:00Z",
        "is_app_installed": true,
    });
    tracing::info!("sim: userinfo served");
    wire::json_response(StatusCode::OK, &body)
}

/// `GET /id/{org}/{user}`
pub async fn id_url(
    State(shared): State<Arc<Shared>>,
    Path((org_id, user_id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let inner = shared.lock();
    let token = wire::bearer(&headers).or(query.get("oauth_token").map(String::as_str));
    if token.and_then(|t| inner.live_access(t)).is_none() {
        return bad_token();
    }
    let org = &inner.config.org;
    let user = &org.user;
    let same_id = |given: &str, full: &str| given == full || full.get(..15) == Some(given);
    if !same_id(&org_id, &org.org_id) || !same_id(&user_id, &user.user_id) {
        // [B]: the real answer for another user's identity URL is not known.
        return (StatusCode::NOT_FOUND, "Not Found").into_response();
    }
    let base = &shared.base_url;
    let body = json!({
        "id": format!("{base}/id/{}/{}", org.org_id, user.user_id),
        "asserted_user": true,
        "user_id": user.user_id,
        "organization_id": org.org_id,
        "username": user.username,
        "nick_name": nickname(&user.username),
        "display_name": user.display_name,
        "email": user.email,
        "email_verified": true,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "timezone": "America/Los_Angeles",
        "photos": photos(base),
        "addr_street": null,
        "addr_city": null,
        "addr_state": null,
        "addr_country": "US",
        "addr_zip": null,
        "mobile_phone": null,
        "mobile_phone_verified": false,
        "is_lightning_login_user": false,
        "status": {"created_date": null, "body": null},
        "urls": urls(base, org),
        "active": user.is_active,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": -28_800_000,
        "last_modified_date": "2026-01-15T10:00:00.000+0000",
        "is_app_installed": true,
    });
    tracing::info!("sim: identity URL served");
    wire::json_response(StatusCode::OK, &body)
}

/// `GET /.well-known/openid-configuration`
pub async fn openid_configuration(State(shared): State<Arc<Shared>>) -> Response {
    let base = &shared.base_url;
    let scopes: Vec<String> = shared.lock().config.app_scopes.clone();
    let body = json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/services/oauth2/authorize"),
        "token_endpoint": format!("{base}/services/oauth2/token"),
        "revocation_endpoint": format!("{base}/services/oauth2/revoke"),
        "userinfo_endpoint": format!("{base}/services/oauth2/userinfo"),
        "jwks_uri": format!("{base}/id/keys"),
        "scopes_supported": scopes,
        "response_types_supported": ["code", "token", "token id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "private_key_jwt"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "claims_supported": ["active", "address", "email", "email_verified", "family_name", "given_name",
            "is_app_installed", "language", "locale", "name", "nickname", "organization_id", "photos",
            "preferred_username", "profile", "sub", "updated_at", "user_id", "user_type", "zoneinfo"],
        "display_values_supported": ["page", "popup", "touch"],
    });
    wire::json_response(StatusCode::OK, &body)
}

fn nickname(username: &str) -> String {
    username.split('@').next().unwrap_or(username).to_string()
}

fn photos(base: &str) -> Value {
    json!({
        "picture": format!("{base}/profilephoto/005/F"),
        "thumbnail": format!("{base}/profilephoto/005/T"),
    })
}

/// The `urls` map, with Salesforce's literal `{version}` placeholder.
fn urls(base: &str, org: &OrgFixture) -> Value {
    let org15 = org.org_id15();
    let user_id = &org.user.user_id;
    let rest = format!("{base}/services/data/v{{version}}");
    json!({
        "enterprise": format!("{base}/services/Soap/c/{{version}}/{org15}"),
        "metadata": format!("{base}/services/Soap/m/{{version}}/{org15}"),
        "partner": format!("{base}/services/Soap/u/{{version}}/{org15}"),
        "rest": format!("{rest}/"),
        "sobjects": format!("{rest}/sobjects/"),
        "search": format!("{rest}/search/"),
        "query": format!("{rest}/query/"),
        "recent": format!("{rest}/recent/"),
        "tooling_soap": format!("{base}/services/Soap/T/{{version}}/{org15}"),
        "tooling_rest": format!("{rest}/tooling/"),
        "profile": format!("{base}/{user_id}"),
        "feeds": format!("{rest}/chatter/feeds"),
        "groups": format!("{rest}/chatter/groups"),
        "users": format!("{rest}/chatter/users"),
        "feed_items": format!("{rest}/chatter/feed-items"),
        "feed_elements": format!("{rest}/chatter/feed-elements"),
        "custom_domain": base,
    })
}
