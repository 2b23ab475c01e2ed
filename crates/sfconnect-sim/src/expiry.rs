//! Forgetting, as Salesforce does: authorization codes live 15 minutes (`SimConfig::code_ttl`), device codes
//! their `device_ttl`, and an exchanged code is remembered only until it would have expired (so that a reuse is
//! answered "expired authorization code"). Without this a long `sfconnect simulate` run kept every code it ever
//! issued (issue 14 item 11). Expired entries go at the next insert, at most once a [`SWEEP_EVERY`]; the counts
//! are also capped, the oldest going first, so a burst within one lifetime stays bounded too.

use std::time::{Duration, Instant};

use super::state::{CodeGrant, DeviceGrant, Inner};

/// How often inserts look for expired entries: a sweep walks the whole map, so not at every insert.
const SWEEP_EVERY: Duration = Duration::from_secs(1);

/// At most this many unexchanged codes, exchanged codes and device grants each. Salesforce sets no such number
/// that we know of; it only keeps a burst of authorize requests from growing the simulator without end.
pub const MAX_PENDING: usize = 10_000;

impl Inner {
    /// Keeps a newly issued authorization code.
    pub fn store_code(&mut self, code: String, grant: CodeGrant) {
        self.sweep();
        if self.codes.len() >= MAX_PENDING
            && let Some(oldest) = self.codes.iter().min_by_key(|(_, g)| g.issued).map(|(c, _)| c.clone())
        {
            self.codes.remove(&oldest);
        }
        self.codes.insert(code, grant);
    }

    /// Remembers an exchanged code (issued at `issued`) so that its reuse is recognised.
    pub fn mark_spent(&mut self, code: String, issued: Instant) {
        if self.spent_codes.len() >= MAX_PENDING
            && let Some(oldest) = self.spent_codes.iter().min_by_key(|(_, i)| **i).map(|(c, _)| c.clone())
        {
            self.spent_codes.remove(&oldest);
        }
        self.spent_codes.insert(code, issued);
    }

    /// Whether `code` was exchanged already (and is still within its lifetime).
    pub fn is_spent(&self, code: &str) -> bool {
        self.spent_codes.get(code).is_some_and(|issued| issued.elapsed() <= self.config.code_ttl)
    }

    /// Keeps a newly started device grant.
    pub fn store_device(&mut self, device_code: String, grant: DeviceGrant) {
        self.sweep();
        if self.devices.len() >= MAX_PENDING
            && let Some(oldest) = self.devices.iter().min_by_key(|(_, g)| g.issued).map(|(c, _)| c.clone())
        {
            self.devices.remove(&oldest);
        }
        self.devices.insert(device_code, grant);
    }

    /// Unexchanged codes, remembered spent codes and device grants held right now.
    pub fn stored_grants(&self) -> usize {
        self.codes.len() + self.spent_codes.len() + self.devices.len()
    }

    /// Forgets what has expired, at most once a [`SWEEP_EVERY`].
    fn sweep(&mut self) {
        if self.last_sweep.elapsed() < SWEEP_EVERY {
            return;
        }
        self.last_sweep = Instant::now();
        let (code_ttl, device_ttl) = (self.config.code_ttl, self.config.device_ttl);
        self.codes.retain(|_, grant| grant.issued.elapsed() <= code_ttl);
        self.spent_codes.retain(|_, issued| issued.elapsed() <= code_ttl);
        self.devices.retain(|_, grant| grant.issued.elapsed() <= device_ttl);
    }
}

#[cfg(test)]
mod tests {
    use tokio::sync::watch;

    use super::*;
    use crate::config::SimConfig;
    use crate::state::Shared;

    fn grant(issued: Instant) -> CodeGrant {
        CodeGrant {
            client_id: "3MVG9".to_string(),
            redirect_uri: "https://login.salesforce.com/services/oauth2/success".to_string(),
            scopes: Vec::new(),
            challenge: None,
            issued,
        }
    }

    #[test]
    fn a_burst_within_one_lifetime_is_capped_oldest_first() {
        let (_closing, closing_rx) = watch::channel(false);
        let shared = Shared::new(SimConfig::default(), "http://127.0.0.1:1".to_string(), closing_rx);
        let mut inner = shared.lock();
        let start = Instant::now();
        for n in 0..=MAX_PENDING {
            inner.store_code(format!("code{n}"), grant(start + Duration::from_millis(n as u64)));
        }
        assert_eq!(inner.codes.len(), MAX_PENDING);
        assert!(!inner.codes.contains_key("code0"), "the oldest went");
        assert!(inner.codes.contains_key(&format!("code{MAX_PENDING}")));
    }
}
