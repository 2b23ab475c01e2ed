//! The simulator's HTML: the login-and-Allow page, Salesforce's authorize error page, the paste-back success
//! page, and the device verification page. Markup only; the handlers decide what happens.

use std::collections::HashMap;

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;

use super::wire;

/// Escapes text for an HTML body or a double-quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n{body}\n</body></html>\n",
        escape(title)
    )
}

/// Parameters of the authorize request that the page carries through to its POST.
const CARRIED: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "display",
];

/// The login-and-Allow page. The password is not checked: this is a simulator.
pub fn authorize(params: &HashMap<String, String>, username: &str) -> Response {
    let hidden: String = CARRIED
        .iter()
        .filter_map(|name| {
            params
                .get(*name)
                .map(|value| format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n", escape(value)))
        })
        .collect();
    let scopes = params.get("scope").map(String::as_str).unwrap_or("(all)");
    let body = format!(
        "<h1>Login | Salesforce (simulated)</h1>\n\
         <form method=\"post\" action=\"/services/oauth2/authorize\">\n{hidden}\
         <label>Username <input type=\"text\" name=\"username\" value=\"{user}\"></label><br>\n\
         <label>Password <input type=\"password\" name=\"pw\" value=\"simulated\"></label><br>\n\
         <p>Allow Access? This app is asking for: {scopes}</p>\n\
         <button type=\"submit\" name=\"action\" value=\"Allow\">Allow</button>\n\
         <button type=\"submit\" name=\"action\" value=\"Deny\">Deny</button>\n\
         </form>",
        user = escape(username),
        scopes = escape(scopes),
    );
    wire::html(StatusCode::OK, page("Login | Salesforce", &body))
}

/// What Salesforce shows instead of redirecting when the client or callback is wrong.
pub fn authorize_error(error: &str, description: &str) -> Response {
    let body = format!(
        "<h1>Remote Access Application Authorization</h1>\n\
         <p>error={}&amp;error_description={}</p>\n<p>{}</p>",
        escape(error),
        escape(&description.replace(' ', "%20")),
        escape(description),
    );
    wire::html(StatusCode::BAD_REQUEST, page("Error | Salesforce", &body))
}

/// `GET /services/oauth2/success`: the paste-back callback page. Like the real one (protocol notes §2, [B]), it
/// does not print the code: the code is only in the address bar.
pub async fn success(Query(params): Query<HashMap<String, String>>) -> Response {
    let message = if params.contains_key("error") {
        "Authorization was not granted. Check the address bar for the error."
    } else {
        "Remote access application authorization has been granted. The authorization code is in this page's \
         address (the code= parameter)."
    };
    let body = format!("<h1>Remote Access Application Authorization</h1>\n<p>{}</p>", escape(message));
    wire::html(StatusCode::OK, page("Remote Access Application Authorization", &body))
}

/// The device verification page at `/setup/connect`.
pub fn device_connect(user_code: Option<&str>) -> Response {
    let body = format!(
        "<h1>Connect Your Device</h1>\n\
         <form method=\"post\" action=\"/setup/connect\">\n\
         <label>Enter the code displayed on your device <input type=\"text\" name=\"user_code\" value=\"{}\"></label><br>\n\
         <button type=\"submit\" name=\"action\" value=\"Allow\">Allow</button>\n\
         <button type=\"submit\" name=\"action\" value=\"Deny\">Deny</button>\n\
         </form>",
        escape(user_code.unwrap_or("")),
    );
    wire::html(StatusCode::OK, page("Connect Your Device", &body))
}

/// The page after a device decision.
pub fn device_result(status: StatusCode, message: &str) -> Response {
    let body = format!("<h1>Connect Your Device</h1>\n<p>{}</p>", escape(message));
    wire::html(status, page("Connect Your Device", &body))
}
