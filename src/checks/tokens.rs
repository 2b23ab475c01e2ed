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

/// `tokens_per_user` for `app` (the name Setup shows). `token_proven`: this run's refresh token was just issued
/// or refreshed, so the user holds at least one token: 0 under `app` then means the name is not the app's (or the
/// list is not readable), never a pass.
pub fn tokens_per_user(tokens: &[TokenRecord], app: &str, kind: Option<AppKind>, token_proven: bool) -> Finding {
    let held = held_by(tokens, app);
    if held.is_empty() && token_proven {
        return misnamed(tokens, app, kind);
    }
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
    Finding::problem(format!("{}{others_note}", crowded(&held, app, "")), revoke_fix(app, kind))
}

/// `app`'s tokens, oldest first.
fn held_by<'a>(tokens: &'a [TokenRecord], app: &str) -> Vec<&'a TokenRecord> {
    let mut held: Vec<&TokenRecord> = tokens.iter().filter(|t| t.app_name == app).collect();
    held.sort_by(|a, b| a.created.cmp(&b.created));
    held
}

/// The verdict's words for `held` (at least [`WARN_FROM`]), the consequence first: the list of screens shows only
/// the start of a verdict, and at the limit the next authorization is what the admin must not miss. `note`
/// follows the app's name, before the dates.
fn crowded(held: &[&TokenRecord], app: &str, note: &str) -> String {
    let dates: Vec<String> = held
        .iter()
        .map(|t| format!("{} (last used {})", day(&t.created), t.last_used.as_deref().map_or("never", day)))
        .collect();
    if held.len() >= TOKENS_KEPT {
        format!(
            "the next authorization silently revokes the oldest: {} of {TOKENS_KEPT} tokens for {app}{note}, the \
             oldest created {} ({})",
            held.len(),
            day(&held[0].created),
            dates.join(", ")
        )
    } else {
        format!(
            "{} of {TOKENS_KEPT} tokens for {app}{note} ({}): one more authorization reaches the limit, and the one \
             after revokes the oldest",
            held.len(),
            dates.join(", ")
        )
    }
}

fn revoke_fix(app: &str, kind: Option<AppKind>) -> String {
    format!(
        "Revoke the tokens no one uses: {} > User Count > Revoke, or the user's Settings > Personal > Advanced User \
         Details > OAuth Connected Apps.",
        oauth_usage_path(app, kind)
    )
}

/// The app that holds the user's newest token (by `CreatedDate`: a token issued in this run is the newest), when
/// no other app's token is as new. `LastUsedDate` is not used: another integration's constant use keeps it at now.
fn newest_tokens_app(tokens: &[TokenRecord]) -> Option<&str> {
    let newest = tokens.iter().map(|t| t.created.as_str()).max()?;
    let mut apps = tokens.iter().filter(|t| t.created == newest).map(|t| t.app_name.as_str());
    let first = apps.next()?;
    apps.all(|a| a == first).then_some(first)
}

/// No token under `app` although this run's token exists: the name is not the app's, or the token list is not
/// readable. Graded by the app of the user's newest token when it is the only candidate, as a warning.
fn misnamed(tokens: &[TokenRecord], app: &str, kind: Option<AppKind>) -> Finding {
    let not_here = format!("no token under the name \"{app}\", though this run's token was just issued or refreshed");
    let name_fix = |actual: &str| {
        format!(
            "Check the app's name in Setup (App Manager, or External Client App Manager); if it is {actual}, name \
             it so: --app-name \"{actual}\" for sfconnect check, or app_name in the settings file."
        )
    };
    let Some(actual) = newest_tokens_app(tokens) else {
        if tokens.is_empty() {
            return Finding::unknown(
                format!("{not_here}: this user's token list is not readable"),
                format!(
                    "Count the user's tokens in {}, or in the user's Settings > Personal > Advanced User Details > \
                     OAuth Connected Apps (5 per app; a sixth revokes the oldest).",
                    oauth_usage_path(app, kind)
                ),
            );
        }
        let mut apps: Vec<&str> = tokens.iter().map(|t| t.app_name.as_str()).collect();
        apps.sort_unstable();
        apps.dedup();
        return Finding::unknown(
            format!(
                "{not_here}: the app may have another name in Setup; the user holds tokens for {}",
                apps.join(", ")
            ),
            name_fix("one of these"),
        );
    };
    let held = held_by(tokens, actual);
    let where_it_went = "the app of the user's newest token, likely this run's";
    if held.len() >= WARN_FROM {
        return Finding::problem(
            crowded(&held, actual, &format!(" ({where_it_went}; {not_here}: the app may have another name in Setup)")),
            format!("{} {}", revoke_fix(actual, kind), name_fix(actual)),
        );
    }
    Finding::problem(
        format!(
            "{not_here}: the app may have another name in Setup; the user holds {} of {TOKENS_KEPT} tokens for \
             {actual}, {where_it_went}",
            held.len()
        ),
        name_fix(actual),
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
            matches!(tokens_per_user(&tokens, "sfconnect", Some(AppKind::ConnectedApp), true), Finding::Ok(d) if d.starts_with("3 of 5"))
        );
        tokens.push(token("sfconnect", "2026-04-05T09:00:00.000+0000", "2026-11-25T03:00:00.000+0000"));
        assert_eq!(most_recently_used(&tokens), Some("sfconnect"));
        assert!(
            matches!(tokens_per_user(&tokens, "sfconnect", Some(AppKind::ConnectedApp), true), Finding::Problem { ref detail, .. } if detail.starts_with("4 of 5"))
        );
        tokens.push(token("sfconnect", "2026-05-05T09:00:00.000+0000", "2026-05-05T09:00:00.000+0000"));
        let Finding::Problem { detail, fix } = tokens_per_user(&tokens, "sfconnect", Some(AppKind::ConnectedApp), true)
        else {
            panic!()
        };
        assert!(detail.starts_with("the next authorization silently revokes the oldest: 5 of 5"), "{detail}");
        assert!(detail.contains("the oldest created 2026-01-05"), "{detail}");
        assert!(fix.contains("Connected Apps OAuth Usage > sfconnect"));
    }

    /// From a new-user trial: the fix named the Connected App pages for an External Client App.
    #[test]
    fn the_revoke_fix_names_the_pages_of_the_kind_of_app() {
        let tokens: Vec<TokenRecord> = (1..=5)
            .map(|m| token("Acme", &format!("2026-0{m}-05T09:00:00.000+0000"), "2026-06-01T00:00:00.000+0000"))
            .collect();
        let fix = |kind| match tokens_per_user(&tokens, "Acme", kind, true) {
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

    /// From a new-user trial (five-tokens org, the wizard's default app name): "✓ 0 of 5 tokens for Generic
    /// OAuth connector…" right after a token was issued, while sfconnect held 5.
    #[test]
    fn no_token_under_the_name_although_one_was_just_issued_is_a_warning_about_the_app_that_has_them() {
        let mut tokens: Vec<TokenRecord> = (2..=5)
            .map(|m| token("sfconnect", &format!("2026-0{m}-05T09:00:00.000+0000"), "2026-06-01T00:00:00.000+0000"))
            .collect();
        tokens.push(token("Salesforce CLI", "2026-03-01T12:00:00.000+0000", "2026-12-01T19:00:00.000+0000"));
        tokens.push(token("sfconnect", "2026-12-01T19:00:00.000+0000", "2026-12-01T19:00:00.000+0000"));
        let name = "Generic OAuth connector integration";
        let Finding::Problem { detail, fix } = tokens_per_user(&tokens, name, Some(AppKind::ConnectedApp), true) else {
            panic!()
        };
        assert!(
            detail.starts_with("the next authorization silently revokes the oldest: 5 of 5 tokens for sfconnect"),
            "{detail}"
        );
        assert!(detail.contains("no token under the name \"Generic OAuth connector integration\""), "{detail}");
        assert!(detail.contains("another name in Setup"), "{detail}");
        assert!(
            fix.contains("Connected Apps OAuth Usage > sfconnect") && fix.contains("--app-name \"sfconnect\""),
            "{fix}"
        );

        // Below the limit: still a warning, naming the app the tokens are under.
        tokens.drain(..3);
        let Finding::Problem { detail, .. } = tokens_per_user(&tokens, name, None, true) else { panic!() };
        assert!(detail.starts_with("no token under the name"), "{detail}");
        assert!(detail.contains("2 of 5 tokens for sfconnect"), "{detail}");

        // Nothing readable at all: not a pass either.
        assert!(
            matches!(tokens_per_user(&[], name, None, true), Finding::Unknown { ref detail, .. } if detail.contains("not readable"))
        );
        // Without a token of this run, 0 is just 0.
        assert!(matches!(tokens_per_user(&tokens, name, None, false), Finding::Ok(d) if d.starts_with("0 of 5")));
    }

    #[test]
    fn two_apps_with_tokens_equally_new_are_no_single_candidate() {
        let tokens = vec![
            token("A", "2026-12-01T19:00:00.000+0000", "2026-12-01T19:00:00.000+0000"),
            token("B", "2026-12-01T19:00:00.000+0000", "2026-12-01T19:00:00.000+0000"),
        ];
        let Finding::Unknown { detail, .. } = tokens_per_user(&tokens, "C", None, true) else { panic!() };
        assert!(detail.contains("tokens for A, B"), "{detail}");
    }
}
