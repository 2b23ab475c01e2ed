//! Login hosts: what an admin pastes (a login URL, a Lightning or Setup page URL, a My Domain URL) turned
//! into the one host OAuth requests go to.
//!
//! Rules (protocol notes §9, sfdx-core `SfdcUrl`):
//! - `https` only; plain `http` is accepted for loopback hosts alone (the simulator and tests).
//! - The result is scheme + host (+ port when not the default): no path, query or trailing slash.
//! - A Lightning, Setup or Visualforce host is not a login host: it is mapped to the org's My Domain host.
//! - A host outside Salesforce's domains is refused: sending a consumer secret to the wrong place is a leak.

use std::fmt;
use std::net::IpAddr;

use url::{Host, Url};

/// The production login host, the default.
pub const PRODUCTION: &str = "https://login.salesforce.com";
/// The sandbox login host.
pub const SANDBOX: &str = "https://test.salesforce.com";

/// What kind of org a login host reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKind {
    /// login.salesforce.com
    Production,
    /// test.salesforce.com
    Sandbox,
    /// NAME.my.salesforce.com and friends; `sandbox` for `NAME--SBX.sandbox.my.…`.
    MyDomain { sandbox: bool },
    /// Another host under a Salesforce-owned domain (an old instance host, a government or China cloud).
    OtherSalesforce,
    /// 127.0.0.1, localhost or ::1: the built-in simulator or a test server.
    Loopback,
}

/// A checked, normalised login host such as `https://login.salesforce.com`.
#[derive(Clone, PartialEq, Eq)]
pub struct LoginHost {
    origin: String,
    kind: HostKind,
    /// Set when the input was not itself a login URL (a Lightning page, say) and was mapped.
    derived_from: Option<String>,
}

/// Why a login URL was refused. Each message names the field and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginUrlError {
    #[error(
        "Login URL is empty: use https://login.salesforce.com (production), https://test.salesforce.com (sandbox) or your My Domain URL"
    )]
    Empty,
    #[error(
        "Login URL `{0}` is not a URL: use https://login.salesforce.com, https://test.salesforce.com or https://NAME.my.salesforce.com"
    )]
    NotAUrl(String),
    #[error(
        "Login URL `{0}` uses plain http: Salesforce needs https (http is only accepted for 127.0.0.1 or localhost)"
    )]
    NotHttps(String),
    #[error("Login URL `{0}` uses the scheme `{1}`: use an https:// address")]
    BadScheme(String, String),
    #[error("Login URL `{0}` carries a user name or password: remove the `user:password@` part")]
    HasCredentials(String),
    #[error(
        "Login URL `{0}` is not a Salesforce host: use https://login.salesforce.com, https://test.salesforce.com or your org's My Domain (NAME.my.salesforce.com)"
    )]
    NotSalesforce(String),
    #[error(
        "Login URL `{0}` is an Experience Cloud site, not where admins log in: use your org's My Domain (NAME.my.salesforce.com)"
    )]
    CommunitySite(String),
}

/// Host suffixes owned by Salesforce (protocol notes §9): sfdx-core's `SfdcUrl.isSalesforceDomain` list
/// (`.cloudforce.com`, `.force.com` with `.content.`/`.secure.` under it, `.salesforce.com`,
/// `.salesforceliveagent.com`, `crmforce.mil`), the China cloud's hosts its tests accept
/// (`*.my.sfcrmproducts.cn`, Lightning `*.lightning.sfcrmapps.cn`), and the alternative domains its
/// `toLightningDomain` maps (`*.my-salesforce.com` ↔ `*.my-lightning.com`).
const SALESFORCE_SUFFIXES: &[&str] = &[
    ".salesforce.com",
    ".force.com",
    ".cloudforce.com",
    ".salesforceliveagent.com",
    ".salesforce.mil",
    ".crmforce.mil",
    ".sfcrmproducts.cn",
    ".sfcrmapps.cn",
    ".my-salesforce.com",
    ".my-lightning.com",
    ".salesforce-setup.com",
    ".visualforce.com",
];

/// Hosts an org serves pages on that map to its My Domain login host, as (suffix, My Domain suffix).
/// `acme.lightning.force.com` → `acme.my.salesforce.com`; `acme--uat.sandbox.lightning.force.com` →
/// `acme--uat.sandbox.my.salesforce.com`. The Setup domain `*.my.salesforce-setup.com` is [B] (seen in
/// Setup URLs since the enhanced-domains change; not in the protocol notes).
const PAGE_HOST_MAP: &[(&str, &str)] = &[
    (".lightning.force.com", ".my.salesforce.com"),
    (".my.salesforce-setup.com", ".my.salesforce.com"),
    (".lightning.crmforce.mil", ".my.salesforce.mil"),
    (".my.salesforce-setup.mil", ".my.salesforce.mil"),
    // sfdx-core `toLightningDomain` (and its tests): the China cloud and the alternative domains.
    (".lightning.sfcrmapps.cn", ".my.sfcrmproducts.cn"),
    (".my-lightning.com", ".my-salesforce.com"),
];

impl LoginHost {
    /// The production host, `https://login.salesforce.com`.
    pub fn production() -> Self {
        Self { origin: PRODUCTION.to_string(), kind: HostKind::Production, derived_from: None }
    }

    /// The sandbox host, `https://test.salesforce.com`.
    pub fn sandbox() -> Self {
        Self { origin: SANDBOX.to_string(), kind: HostKind::Sandbox, derived_from: None }
    }

    /// Parses whatever the admin has at hand. See the module docs for the rules.
    pub fn parse(input: &str) -> Result<Self, LoginUrlError> {
        let trimmed = input.trim().trim_matches(|c| matches!(c, '"' | '\'' | '<' | '>' | '`')).trim();
        if trimmed.is_empty() {
            return Err(LoginUrlError::Empty);
        }
        let shown = shorten(trimmed);
        let with_scheme = if trimmed.contains("://") { trimmed.to_string() } else { format!("https://{trimmed}") };
        let url = Url::parse(&with_scheme).map_err(|_| LoginUrlError::NotAUrl(shown.clone()))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(LoginUrlError::HasCredentials(shown));
        }
        let host = url.host().ok_or_else(|| LoginUrlError::NotAUrl(shown.clone()))?;
        let loopback = is_loopback(&host);
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => return Err(LoginUrlError::NotHttps(shown)),
            other => return Err(LoginUrlError::BadScheme(shown, other.to_string())),
        }
        let host_text = match &host {
            Host::Domain(d) => d.to_ascii_lowercase(),
            Host::Ipv4(ip) => ip.to_string(),
            Host::Ipv6(ip) => format!("[{ip}]"),
        };
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        let scheme = url.scheme();
        if loopback {
            return Ok(Self {
                origin: format!("{scheme}://{host_text}{port}"),
                kind: HostKind::Loopback,
                derived_from: None,
            });
        }
        if !SALESFORCE_SUFFIXES.iter().any(|s| host_text.ends_with(s)) {
            return Err(if host_text.ends_with(".site.com") || host_text.ends_with(".force-user-content.com") {
                LoginUrlError::CommunitySite(shown)
            } else {
                LoginUrlError::NotSalesforce(shown)
            });
        }
        let (login_host, derived) = map_page_host(&host_text);
        let kind = classify(&login_host);
        let derived_from = (derived || url.path() != "/" || url.query().is_some()).then(|| shown.clone());
        let derived_from = if derived { derived_from } else { None };
        Ok(Self { origin: format!("https://{login_host}{port}"), kind, derived_from })
    }

    /// `https://host[:port]`, no trailing slash.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// What kind of org this host reaches.
    pub fn kind(&self) -> HostKind {
        self.kind
    }

    /// True for test.salesforce.com and sandbox My Domain hosts.
    pub fn is_sandbox(&self) -> bool {
        matches!(self.kind, HostKind::Sandbox | HostKind::MyDomain { sandbox: true })
    }

    /// The page URL this host was derived from, when the input was a Lightning or Setup URL.
    pub fn derived_from(&self) -> Option<&str> {
        self.derived_from.as_deref()
    }

    /// `origin` + `path` (path starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// The paste-back callback the vendor procedures register: login.salesforce.com's success page for
    /// production and My Domain orgs, test.salesforce.com's for sandboxes, and the server's own for loopback.
    pub fn default_redirect_uri(&self) -> String {
        let base = match self.kind {
            HostKind::Loopback => self.origin.as_str(),
            _ if self.is_sandbox() => SANDBOX,
            _ => PRODUCTION,
        };
        format!("{base}/services/oauth2/success")
    }
}

impl fmt::Debug for LoginHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LoginHost({})", self.origin)
    }
}

impl fmt::Display for LoginHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.origin)
    }
}

impl std::str::FromStr for LoginHost {
    type Err = LoginUrlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// Maps an org's page host to its My Domain login host; the bool says whether anything was mapped.
fn map_page_host(host: &str) -> (String, bool) {
    for (page, login) in PAGE_HOST_MAP {
        if let Some(stem) = host.strip_suffix(page).filter(|s| !s.is_empty()) {
            return (format!("{stem}{login}"), true);
        }
    }
    if let Some(login) = visualforce_to_my_domain(host) {
        return (login, true);
    }
    (host.to_string(), false)
}

/// A Visualforce host back to its org's My Domain host, the org's qualifier kept and the package's dropped.
/// Enhanced domains: `ORG--PKG.vf.force.com`, `ORG--SBX--PKG.sandbox.vf.force.com`,
/// `ORG-dev-ed--PKG.develop.vf.force.com`, `ORG--PKG.scratch.vf.force.com` (the qualifier between the
/// label and `.vf.force.com` is the one the My Domain host has). Older ones: `ORG--PKG.visualforce.com`
/// and `ORG--PKG.INSTANCE.visual.force.com` (the instance is not part of My Domain). The package is the
/// last `--` part of the first label (`c` for the org's own pages, a namespace such as `sbqq` otherwise).
fn visualforce_to_my_domain(host: &str) -> Option<String> {
    let (label, rest) = host.split_once('.')?;
    // Without a package part it is not an org's Visualforce host (`c.na1.visual.force.com` predates My Domain).
    let (org, _package) = label.rsplit_once("--")?;
    if org.is_empty() {
        return None;
    }
    if rest == "vf.force.com" || rest == "visualforce.com" || rest.ends_with(".visual.force.com") {
        return Some(format!("{org}.my.salesforce.com"));
    }
    let qualifier = rest.strip_suffix(".vf.force.com").filter(|q| !q.is_empty() && !q.contains('.'))?;
    Some(format!("{org}.{qualifier}.my.salesforce.com"))
}

fn classify(host: &str) -> HostKind {
    match host {
        "login.salesforce.com" => HostKind::Production,
        "test.salesforce.com" => HostKind::Sandbox,
        _ if host.contains(".sandbox.my.") => HostKind::MyDomain { sandbox: true },
        _ if host.contains(".my.") || host.ends_with(".my-salesforce.com") => HostKind::MyDomain { sandbox: false },
        _ => HostKind::OtherSalesforce,
    }
}

/// Keeps an echoed input short enough for one line of an error message.
fn shorten(input: &str) -> String {
    const MAX: usize = 80;
    if input.chars().count() <= MAX {
        input.to_string()
    } else {
        let head: String = input.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(input: &str) -> String {
        LoginHost::parse(input).map(|h| h.origin().to_string()).unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn standard_hosts_normalise() {
        assert_eq!(origin("https://login.salesforce.com/"), PRODUCTION);
        assert_eq!(origin("login.salesforce.com"), PRODUCTION);
        assert_eq!(origin("  'https://TEST.salesforce.com/services/oauth2/authorize?x=1'  "), SANDBOX);
        assert_eq!(LoginHost::parse(SANDBOX).map(|h| h.is_sandbox()), Ok(true));
    }

    #[test]
    fn my_domain_forms_are_kept() {
        assert_eq!(origin("https://acme.my.salesforce.com/home"), "https://acme.my.salesforce.com");
        let sbx = LoginHost::parse("acme--uat.sandbox.my.salesforce.com").unwrap();
        assert_eq!(sbx.kind(), HostKind::MyDomain { sandbox: true });
        assert_eq!(sbx.default_redirect_uri(), "https://test.salesforce.com/services/oauth2/success");
        assert_eq!(origin("acme.scratch.my.salesforce.com"), "https://acme.scratch.my.salesforce.com");
        assert_eq!(origin("acme.develop.my.salesforce.com"), "https://acme.develop.my.salesforce.com");
        assert_eq!(origin("acme.my.salesforce.mil"), "https://acme.my.salesforce.mil");
        assert_eq!(origin("acme.my.sfcrmproducts.cn"), "https://acme.my.sfcrmproducts.cn");
    }

    #[test]
    fn lightning_and_setup_pages_map_to_my_domain() {
        let h = LoginHost::parse("https://acme.lightning.force.com/lightning/setup/SetupOneHome/home").unwrap();
        assert_eq!(h.origin(), "https://acme.my.salesforce.com");
        assert!(h.derived_from().is_some());
        assert_eq!(
            origin("https://acme--uat.sandbox.lightning.force.com/lightning/page/home"),
            "https://acme--uat.sandbox.my.salesforce.com"
        );
        assert_eq!(
            origin("https://acme.my.salesforce-setup.com/lightning/setup/ConnectedApplication/home"),
            "https://acme.my.salesforce.com"
        );
        assert_eq!(origin("acme.lightning.crmforce.mil"), "https://acme.my.salesforce.mil");
        assert_eq!(origin("https://acme--c.vf.force.com/apex/Page"), "https://acme.my.salesforce.com");
        assert_eq!(
            origin("https://acme--uat--c.sandbox.vf.force.com/apex/P"),
            "https://acme--uat.sandbox.my.salesforce.com"
        );
    }

    /// Real host shapes (Salesforce's My Domain formats and sfdx-core's `SfdcUrl` tests), in and out.
    #[test]
    fn page_hosts_of_every_shape_map_back_to_my_domain() {
        let table = [
            // Visualforce, enhanced domains: the qualifier stays, the package goes.
            ("https://x-dev-ed--c.develop.vf.force.com/apex/P", "https://x-dev-ed.develop.my.salesforce.com"),
            ("x--c.scratch.vf.force.com", "https://x.scratch.my.salesforce.com"),
            ("acme--sbqq.vf.force.com", "https://acme.my.salesforce.com"),
            ("acme--c.vf.force.com", "https://acme.my.salesforce.com"),
            ("acme--uat--c.sandbox.vf.force.com", "https://acme--uat.sandbox.my.salesforce.com"),
            ("acme--uat--sbqq.sandbox.vf.force.com", "https://acme--uat.sandbox.my.salesforce.com"),
            ("acme--c.patch.vf.force.com", "https://acme.patch.my.salesforce.com"),
            // Visualforce, older forms.
            ("acme--c.visualforce.com", "https://acme.my.salesforce.com"),
            ("acme--c.na224.visual.force.com", "https://acme.my.salesforce.com"),
            // Lightning in the China cloud and on the alternative domains (sfdx-core toLightningDomain).
            ("https://foo.lightning.sfcrmapps.cn/lightning/page/home", "https://foo.my.sfcrmproducts.cn"),
            ("foo--sbox1.sandbox.lightning.sfcrmapps.cn", "https://foo--sbox1.sandbox.my.sfcrmproducts.cn"),
            ("acme.my-lightning.com", "https://acme.my-salesforce.com"),
            ("acme.lightning.force.com", "https://acme.my.salesforce.com"),
            ("acme--uat.sandbox.lightning.force.com", "https://acme--uat.sandbox.my.salesforce.com"),
            // Already login hosts: kept as they are.
            ("foo.my.sfcrmproducts.cn", "https://foo.my.sfcrmproducts.cn"),
            ("acme.my-salesforce.com", "https://acme.my-salesforce.com"),
            ("acme.salesforceliveagent.com", "https://acme.salesforceliveagent.com"),
            ("x.scratch.my.salesforce.com", "https://x.scratch.my.salesforce.com"),
        ];
        for (input, expected) in table {
            assert_eq!(origin(input), expected, "{input}");
        }
        for refused in ["foo.my.sfcrmproducts.com", "www.ghostbusters.com", "acme.lightning.sfcrmapps.cn.evil.io"] {
            assert!(LoginHost::parse(refused).is_err(), "{refused}");
        }
        assert_eq!(
            LoginHost::parse("acme--uat--c.sandbox.vf.force.com").map(|h| h.kind()),
            Ok(HostKind::MyDomain { sandbox: true })
        );
    }

    #[test]
    fn loopback_may_use_http_and_keeps_port() {
        let h = LoginHost::parse("http://127.0.0.1:40123/").unwrap();
        assert_eq!(h.origin(), "http://127.0.0.1:40123");
        assert_eq!(h.kind(), HostKind::Loopback);
        assert_eq!(h.default_redirect_uri(), "http://127.0.0.1:40123/services/oauth2/success");
        assert_eq!(origin("http://localhost:8080"), "http://localhost:8080");
        assert_eq!(origin("http://[::1]:9"), "http://[::1]:9");
    }

    #[test]
    fn refusals_say_why() {
        assert!(matches!(LoginHost::parse("http://login.salesforce.com"), Err(LoginUrlError::NotHttps(_))));
        assert!(matches!(LoginHost::parse("ftp://login.salesforce.com"), Err(LoginUrlError::BadScheme(..))));
        assert!(matches!(LoginHost::parse("https://evil.example.com"), Err(LoginUrlError::NotSalesforce(_))));
        assert!(matches!(LoginHost::parse("https://salesforce.com.evil.io"), Err(LoginUrlError::NotSalesforce(_))));
        assert!(matches!(LoginHost::parse("https://u:p@login.salesforce.com"), Err(LoginUrlError::HasCredentials(_))));
        assert!(matches!(LoginHost::parse("https://acme.my.site.com"), Err(LoginUrlError::CommunitySite(_))));
        assert!(matches!(LoginHost::parse("   "), Err(LoginUrlError::Empty)));
        assert!(matches!(LoginHost::parse("http://10.0.0.1"), Err(LoginUrlError::NotHttps(_))));
        let msg = LoginHost::parse("http://login.salesforce.com").unwrap_err().to_string();
        assert!(msg.contains("Login URL") && msg.contains("https"), "{msg}");
    }
}
