//! The preview: what a connector will see. Active users are counted by the server (`SELECT COUNT()`); licences
//! come from `UserLicense`; users by email domain are counted as the pages of `SELECT Email, IsActive FROM User`
//! arrive (SOQL cannot group by a part of a field), so memory grows with the number of domains, never with the
//! number of users, and is capped at [`MAX_DOMAINS`] distinct domains.
//!
//! Why not `GROUP BY` on the server: SOQL cannot group by part of a field (the domain of `Email`), and aggregate
//! queries do not page (no `queryMore`/`nextRecordsUrl`): one returning more than 2 000 groups is an error. So
//! only plain counts are aggregated on the server.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Active users, counted on the server.
pub const ACTIVE_USERS_QUERY: &str = "SELECT COUNT() FROM User WHERE IsActive = true";
/// Every user's email, streamed 2 000 at a time.
pub const EMAILS_QUERY: &str = "SELECT Email, IsActive FROM User";
pub const LICENCES_QUERY: &str = "SELECT Name, TotalLicenses, UsedLicenses FROM UserLicense";

/// Distinct domains kept; users of any further domain are counted in `other_domains`.
pub const MAX_DOMAINS: usize = 10_000;

/// What the connector will see, for choosing Company names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Preview {
    /// `None` when the count could not be read.
    pub active_users: Option<u64>,
    /// Every user the email query returned.
    pub users: u64,
    pub users_without_email: u64,
    pub active_users_without_email: u64,
    /// Most users first.
    pub domains: Vec<DomainCount>,
    /// Users of domains past [`MAX_DOMAINS`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_domains: Option<DomainCount>,
    pub licences: Vec<LicenceCount>,
    /// What could not be read, one line each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// False when the users could not be read: the user and domain counts are then unknown, not zero.
    #[serde(skip)]
    pub users_read: bool,
    /// Set when no read reached Salesforce (refused, DNS, timeout): why, in one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreachable: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DomainCount {
    pub domain: String,
    pub users: u64,
    pub active: u64,
}

/// One `UserLicense` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenceCount {
    #[serde(rename(deserialize = "Name"))]
    pub name: String,
    #[serde(rename(deserialize = "TotalLicenses"), default)]
    pub total: u64,
    #[serde(rename(deserialize = "UsedLicenses"), default)]
    pub used: u64,
}

/// One row of [`EMAILS_QUERY`].
#[derive(Debug, Clone, Deserialize)]
pub struct UserEmail {
    #[serde(rename = "Email", default)]
    pub email: Option<String>,
    #[serde(rename = "IsActive", default)]
    pub is_active: bool,
}

/// Counts users by domain as pages arrive.
#[derive(Debug, Default)]
pub struct DomainTally {
    domains: HashMap<String, DomainCount>,
    other: DomainCount,
    users: u64,
    without_email: u64,
    active_without_email: u64,
}

impl DomainTally {
    pub fn add_page(&mut self, page: Vec<UserEmail>) {
        for user in page {
            self.add(user.email.as_deref(), user.is_active);
        }
    }

    pub fn add(&mut self, email: Option<&str>, active: bool) {
        self.users += 1;
        let domain = email.and_then(|e| e.trim().rsplit_once('@')).map(|(_, d)| d).filter(|d| !d.is_empty());
        let Some(domain) = domain else {
            self.without_email += 1;
            self.active_without_email += u64::from(active);
            return;
        };
        let key = domain.to_ascii_lowercase();
        let slot = if self.domains.contains_key(&key) || self.domains.len() < MAX_DOMAINS {
            self.domains.entry(key.clone()).or_insert_with(|| DomainCount { domain: key, ..Default::default() })
        } else {
            &mut self.other
        };
        slot.users += 1;
        slot.active += u64::from(active);
    }

    /// Fills the user and domain parts of `preview`.
    pub fn finish_into(self, preview: &mut Preview) {
        let mut domains: Vec<DomainCount> = self.domains.into_values().collect();
        domains.sort_by(|a, b| b.users.cmp(&a.users).then_with(|| a.domain.cmp(&b.domain)));
        preview.domains = domains;
        preview.other_domains =
            (self.other.users > 0).then(|| DomainCount { domain: "(other domains)".into(), ..self.other });
        preview.users = self.users;
        preview.users_without_email = self.without_email;
        preview.active_users_without_email = self.active_without_email;
    }
}

/// "1 user", "2 users".
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

impl Preview {
    /// Lines for a terminal: the counts, then one line per domain (at most `max_domains`).
    pub fn lines(&self, max_domains: usize) -> Vec<String> {
        if let Some(why) = &self.unreachable {
            return vec![format!("Salesforce could not be reached, so nothing could be read: {why}")];
        }
        let active =
            self.active_users.map_or("active users could not be counted".to_string(), |n| count(n, "active user"));
        let mut lines = if self.users_read {
            vec![format!(
                "{active}; {} in all, {} without an email ({} of them active)",
                count(self.users, "user"),
                self.users_without_email,
                self.active_users_without_email
            )]
        } else {
            vec![format!("{active}; the users could not be read, so their email domains are not known")]
        };
        for licence in &self.licences {
            lines.push(format!("licence {}: {} of {} used", licence.name, licence.used, licence.total));
        }
        if self.users_read {
            lines.push(format!("{}:", count(self.domains.len() as u64, "email domain")));
        }
        for d in self.domains.iter().take(max_domains) {
            lines.push(format!("  {:<32} {:>13} ({} active)", d.domain, count(d.users, "user"), d.active));
        }
        if self.domains.len() > max_domains {
            lines.push(format!("  … and {} more (see --json)", self.domains.len() - max_domains));
        }
        lines.extend(self.problems.iter().map(|p| format!("could not be read: {p}")));
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_domains_case_insensitively_and_users_without_email() {
        let mut tally = DomainTally::default();
        tally.add(Some("a@Acme.com"), true);
        tally.add(Some("b@acme.com"), false);
        tally.add(Some("c@sub.example"), true);
        tally.add(None, true);
        tally.add(Some("  "), false);
        let mut preview = Preview::default();
        tally.finish_into(&mut preview);
        assert_eq!(preview.users, 5);
        assert_eq!((preview.users_without_email, preview.active_users_without_email), (2, 1));
        assert_eq!(preview.domains[0], DomainCount { domain: "acme.com".into(), users: 2, active: 1 });
        assert_eq!(preview.domains[1].domain, "sub.example");
        assert!(preview.other_domains.is_none());
    }

    /// Issue 10, point 11: the preview says in words what could not be read.
    #[test]
    fn what_could_not_be_read_is_said_in_words() {
        let unread = Preview { problems: vec!["users by domain: x".into()], ..Preview::default() };
        let lines = unread.lines(5).join("\n");
        assert!(!lines.contains("? active") && !lines.contains("0 email domains"), "{lines}");
        assert!(lines.contains("active users could not be counted") && lines.contains("could not be read"), "{lines}");
        let away = Preview { unreachable: Some("h refused the connection".into()), ..Preview::default() };
        assert_eq!(
            away.lines(5),
            ["Salesforce could not be reached, so nothing could be read: h refused the connection"]
        );
    }

    #[test]
    fn domains_past_the_cap_are_pooled() {
        let mut tally = DomainTally::default();
        for i in 0..MAX_DOMAINS + 3 {
            tally.add(Some(&format!("u@d{i}.example")), true);
        }
        let mut preview = Preview::default();
        tally.finish_into(&mut preview);
        assert_eq!(preview.domains.len(), MAX_DOMAINS);
        assert_eq!(preview.other_domains.map(|o| o.users), Some(3));
    }
}
