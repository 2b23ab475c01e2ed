//! `tokens_per_user`: the refresh tokens this user already holds for the app (`OauthToken`). Salesforce keeps five
//! per user per app and a sixth silently revokes the oldest, which breaks whoever holds it (seed 002): warn from
//! four, naming the apps and dates.

use serde::Deserialize;

use super::Finding;
use super::app_policy::{AppKind, oauth_usage_path};

/// Salesforce's limit per user per app.
pub const TOKENS_KEPT: usize = 5;
/// From this many, the next authorizations come close to revoking someone's token.
pub const WARN_FROM: usize = 4;

/// The query for `user_id` (an id, checked by the caller). Users without Customize Application see only their
/// own tokens anyway (protocol notes §6).
pub fn query(user_id: &str) -> String {
    format!(
        "SELECT AppName, UserId, CreatedDate, LastUsedDate, UseCount FROM OauthToken WHERE UserId = '{user_id}' \
         ORDER BY CreatedDate"
    )
}

/// One OauthToken row.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct TokenRecord {
    #[serde(rename = "AppName")]
    pub app_name: String,
    #[serde(rename = "CreatedDate")]
    pub created: String,
    #[serde(rename = "LastUsedDate", default)]
    pub last_used: Option<String>,
    #[serde(rename = "UseCount", default)]
    pub use_count: Option<u64>,
}

/// The app whose token was used last: the refresh that sfconnect just made used this app's token. (That a refresh
/// moves `LastUsedDate` is unconfirmed; `app_name` in the context avoids the guess.)
pub fn most_recently_used(tokens: &[TokenRecord]) -> Option<&str> {
    tokens
        .iter()
        .max_by(|a, b| a.last_used.as_deref().unwrap_or("").cmp(b.last_used.as_deref().unwrap_or("")))
        .map(|t| t.app_name.as_str())
}

/// The date part of a Salesforce datetime (`2026-01-05T09:00:00.000+0000` → `2026-01-05`).
fn day(datetime: &str) -> &str {
    datetime.get(..10).unwrap_or(datetime)
}

pub fn tokens_per_user(tokens: &[TokenRecord], app: &str, kind: Option<AppKind>) -> Finding {
    let mut held: Vec<&TokenRecord> = tokens.iter().filter(|t| t.app_name == app).collect();
    held.sort_by(|a, b| a.created.cmp(&b.created));
    let mut apps: Vec<(&str, usize)> = Vec::new();
    for token in tokens.iter().filter(|t| t.app_name != app) {
        match apps.iter_mut().find(|(name, _)| *name == token.app_name) {
            Some((_, n)) => *n += 1,
            None => apps.push((&token.app_name, 1)),
        }
    }
    let others: Vec<String> =
        apps.iter().filter(|(_, n)| *n >= WARN_FROM).map(|(name, n)| format!("{name} holds {n}")).collect();
    let others_note = if others.is_empty() { String::new() } else { format!("; also {}", others.join(", ")) };
    if held.len() < WARN_FROM {
        return Finding::Ok(format!("{} of {TOKENS_KEPT} tokens for {app}{others_note}", held.len()));
    }
    let dates: Vec<String> = held
        .iter()
        .map(|t| format!("{} (last used {})", day(&t.created), t.last_used.as_deref().map_or("never", day)))
        .collect();
    let consequence = if held.len() >= TOKENS_KEPT {
        format!("the next authorization silently revokes the oldest, created {}", day(&held[0].created))
    } else {
        "one more authorization reaches the limit, and the one after revokes the oldest".to_string()
    };
    Finding::problem(
        format!("{} of {TOKENS_KEPT} tokens for {app} ({}): {consequence}{others_note}", held.len(), dates.join(", ")),
        format!(
            "Revoke the tokens no one uses: {} > User Count > Revoke, or the user's Settings > Personal > Advanced \
             User Details > OAuth Connected Apps.",
            oauth_usage_path(app, kind)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(app: &str, created: &str, used: &str) -> TokenRecord {
        TokenRecord { app_name: app.into(), created: created.into(), last_used: Some(used.into()), use_count: None }
    }

    #[test]
    fn warns_from_four_and_names_the_oldest_at_five() {
        let mut tokens: Vec<TokenRecord> = (1..=3)
            .map(|m| token("sfconnect", &format!("2026-0{m}-05T09:00:00.000+0000"), "2026-06-01T00:00:00.000+0000"))
            .collect();
        tokens.push(token("Salesforce CLI", "2026-02-01T00:00:00.000+0000", "2026-02-01T00:00:00.000+0000"));
        assert!(
            matches!(tokens_per_user(&tokens, "sfconnect", Some(AppKind::ConnectedApp)), Finding::Ok(d) if d.starts_with("3 of 5"))
        );
        tokens.push(token("sfconnect", "2026-04-05T09:00:00.000+0000", "2026-11-25T03:00:00.000+0000"));
        assert_eq!(most_recently_used(&tokens), Some("sfconnect"));
        assert!(
            matches!(tokens_per_user(&tokens, "sfconnect", Some(AppKind::ConnectedApp)), Finding::Problem { ref detail, .. } if detail.starts_with("4 of 5"))
        );
        tokens.push(token("sfconnect", "2026-05-05T09:00:00.000+0000", "2026-05-05T09:00:00.000+0000"));
        let Finding::Problem { detail, fix } = tokens_per_user(&tokens, "sfconnect", Some(AppKind::ConnectedApp))
        else {
            panic!()
        };
        assert!(detail.contains("revokes the oldest, created 2026-01-05"), "{detail}");
        assert!(fix.contains("Connected Apps OAuth Usage > sfconnect"));
    }

    /// From a new-user trial: the fix named the Connected App pages for an External Client App.
    #[test]
    fn the_revoke_fix_names_the_pages_of_the_kind_of_app() {
        let tokens: Vec<TokenRecord> = (1..=5)
            .map(|m| token("Acme", &format!("2026-0{m}-05T09:00:00.000+0000"), "2026-06-01T00:00:00.000+0000"))
            .collect();
        let fix = |kind| match tokens_per_user(&tokens, "Acme", kind) {
            Finding::Problem { fix, .. } => fix,
            other => panic!("{other:?}"),
        };
        let eca = fix(Some(AppKind::ExternalClientApp));
        assert!(
            eca.contains("External Client App Manager > Acme > OAuth Usage") && !eca.contains("Connected Apps OAuth")
        );
        let both = fix(None);
        assert!(
            both.contains("Connected Apps OAuth Usage > Acme") && both.contains("External Client App Manager > Acme")
        );
    }
}
