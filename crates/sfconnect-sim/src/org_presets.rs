//! Ready-made orgs for the prerequisite checks, one constructor each (healthy, API disabled, Platform licence,
//! missing permission columns, five tokens already, low API budget, many users, an External Client App, other
//! apps in use), and [`OrgFixture::named`] for
//! `sfconnect simulate --org NAME`. Data only.

use super::org::{ConnectedAppFixture, OrgFixture, PermissionSetFixture, TokenFixture, UserFixture};

/// The names `OrgFixture::named` knows, with what each one shows.
pub const ORG_NAMES: &[(&str, &str)] = &[
    ("healthy", "Enterprise Edition, a System Administrator with every permission the checks read"),
    ("api-disabled", "Professional Edition without the API: every REST call answers API_DISABLED_FOR_ORG"),
    ("platform-licence", "the user has a Salesforce Platform licence, a custom profile and few permissions"),
    ("missing-permission-columns", "the org lacks the Use Any API Client and Approve Uninstalled columns"),
    ("five-tokens", "the user already holds five tokens for the app, and the app expires refresh tokens"),
    ("low-api-budget", "4% of the daily API requests left"),
    ("many-users", "thousands of users over several domains, some without email (size: --users)"),
    ("external-client-app", "the app is an External Client App, beside other apps whose tokens are in constant use"),
    ("other-apps", "the app is a Connected App, beside other apps whose tokens are in constant use"),
];

/// Email domains of [`OrgFixture::with_users`] when none are given.
pub const SAMPLE_DOMAINS: &[&str] = &["acme.com", "acme.co.uk", "subsidiary.example", "contractors.example"];

impl OrgFixture {
    /// The org called `name` in [`ORG_NAMES`]; `users` sizes `many-users`.
    pub fn named(name: &str, users: usize) -> Option<OrgFixture> {
        Some(match name {
            "healthy" => OrgFixture::healthy(),
            "api-disabled" => OrgFixture::api_disabled(),
            "platform-licence" => OrgFixture::platform_licence(),
            "missing-permission-columns" => OrgFixture::missing_permission_columns(),
            "five-tokens" => OrgFixture::five_tokens(),
            "low-api-budget" => OrgFixture::low_api_budget(),
            "many-users" => OrgFixture::with_users(users, SAMPLE_DOMAINS),
            "external-client-app" => OrgFixture::default().as_external_client_app().with_other_apps(),
            "other-apps" => OrgFixture::default().with_other_apps(),
            _ => return None,
        })
    }

    /// Everything the checks read is in order (the default org).
    pub fn healthy() -> OrgFixture {
        OrgFixture::default()
    }

    /// An edition without API access.
    pub fn api_disabled() -> OrgFixture {
        OrgFixture { edition: "Professional Edition".to_string(), api_enabled: false, ..OrgFixture::default() }
    }

    /// The user's licence is Salesforce Platform (not enough for Ampersand), on a custom profile with API
    /// Enabled and View Setup only.
    pub fn platform_licence() -> OrgFixture {
        let user = UserFixture {
            profile_id: "00e5g000000PLATFMA".to_string(),
            profile_name: "Integration Platform User".to_string(),
            licence_id: "1005g000000PLATFAA".to_string(),
            licence_name: "Salesforce Platform".to_string(),
            ..UserFixture::default()
        };
        let profile = PermissionSetFixture::for_profile(&user.profile_id, &user.profile_name)
            .granting(["PermissionsApiEnabled", "PermissionsViewSetup"]);
        OrgFixture { user, permission_sets: vec![profile], ..OrgFixture::default() }
    }

    /// An org without the Use Any API Client column (no API Access Control) and, as one tool saw, without
    /// Approve Uninstalled Connected Apps either (protocol notes §6).
    pub fn missing_permission_columns() -> OrgFixture {
        OrgFixture {
            missing_columns: vec![
                "PermissionsUseAnyApiClient".to_string(),
                "PermissionsCanApproveUninstalledApps".to_string(),
            ],
            ..OrgFixture::default()
        }
    }

    /// The user holds five tokens for the app already (a new one revokes the oldest), and the app's refresh
    /// tokens expire after 90 days of inactivity with admin-approved users only.
    pub fn five_tokens() -> OrgFixture {
        let mut org = OrgFixture::default();
        let user_id = org.user.user_id.clone();
        let app = org.app_name().to_string();
        org.tokens = (1..=5)
            .map(|month| TokenFixture::new(&app, &user_id, &format!("2026-0{month}-05T09:00:00.000+0000")))
            .collect();
        org.tokens.push(TokenFixture::new("Salesforce CLI", &user_id, "2026-03-01T12:00:00.000+0000"));
        org.connected_apps = vec![ConnectedAppFixture {
            admin_approved_users_only: true,
            refresh_token_validity_period: Some(90),
            refresh_validity_by_inactivity: true,
            ..ConnectedAppFixture::default()
        }];
        org
    }

    /// 4 000 of 100 000 daily API requests left.
    pub fn low_api_budget() -> OrgFixture {
        OrgFixture { daily_api_requests_remaining: 4_000, ..OrgFixture::default() }
    }

    /// A healthy org with `n` more users spread over `domains` in turn. Every 10th is inactive, every 7th has no
    /// email, every 5th has a Salesforce Platform licence.
    pub fn with_users(n: usize, domains: &[&str]) -> OrgFixture {
        let other_users = (0..n)
            .map(|i| {
                let domain = if domains.is_empty() { "acme.com" } else { domains[i % domains.len()] };
                let platform = i % 5 == 4;
                UserFixture {
                    user_id: format!("005{i:015}"),
                    username: format!("user{i}@{domain}"),
                    first_name: "User".to_string(),
                    last_name: format!("{i}"),
                    display_name: format!("User {i}"),
                    email: if i % 7 == 6 { String::new() } else { format!("user{i}@{domain}") },
                    profile_id: if platform { "00e5g000000PLATFMA" } else { "00e5g000000STDUSRA" }.to_string(),
                    profile_name: if platform { "Standard Platform User" } else { "Standard User" }.to_string(),
                    licence_id: if platform { "1005g000000PLATFAA" } else { "1005g000000SFLICAA" }.to_string(),
                    licence_name: if platform { "Salesforce Platform" } else { "Salesforce" }.to_string(),
                    is_active: i % 10 != 9,
                }
            })
            .collect();
        let licence_totals = vec![("Salesforce".to_string(), n as u64), ("Salesforce Platform".to_string(), n as u64)];
        OrgFixture { other_users, licence_totals, ..OrgFixture::default() }
    }
}
