//! API access and the org: edition, sandbox or production (and whether the login URL agrees), instance and My
//! Domain, from the Organization query and the instance URL.

use super::Finding;
use crate::salesforce::HostKind;
use crate::salesforce::rest::Organization;
use crate::salesforce::{Error, errors::RestError};

/// What Salesforce answers when the edition has no API, or the user lacks API Enabled (protocol notes §5).
pub const API_DISABLED: &str = "API_DISABLED_FOR_ORG";

/// True when `error` says the REST API is off for this org or user.
pub fn is_api_disabled(error: &Error) -> bool {
    matches!(error, Error::Rest(RestError { code, .. }) if code == API_DISABLED || code == "API_CURRENTLY_DISABLED")
}

/// `api_access`: the Organization query answered, or why not.
pub fn api_access(org: &Result<Organization, Error>) -> Finding {
    match org {
        Ok(org) => Finding::Ok(format!("the REST API answers ({})", org.edition)),
        Err(e) if is_api_disabled(e) => Finding::problem(
            "The REST API is not enabled for this Organization (API_DISABLED_FOR_ORG)",
            "Professional, Group and Essentials editions have no API unless it was bought: ask your Salesforce \
             account executive for API access, or use Enterprise, Unlimited, Performance or Developer Edition. \
             If the edition has it, the user lacks API Enabled: Setup > Users > Profiles > (profile) > System \
             Permissions > API Enabled.",
        ),
        Err(e) => Finding::from_error(e),
    }
}

/// `org`: edition, kind, instance, My Domain; a problem when the login URL is for the other kind of org.
pub fn org(org: &Organization, login: HostKind, instance_url: &str) -> Finding {
    let kind = if org.is_sandbox { "sandbox" } else { "production" };
    let instance = org.instance.as_deref().unwrap_or("instance not shown");
    let my_domain = match my_domain_of(instance_url) {
        Some(name) => format!("My Domain {name}"),
        None => format!("instance URL {instance_url} (not a My Domain address)"),
    };
    let detail = format!("{} ({}, {kind}, {instance}, {my_domain})", org.name, org.edition);
    // A scratch org reports IsSandbox true, and its My Domain (`NAME.scratch.my.salesforce.com`) is no
    // production host: neither login URL is wrong for it.
    let scratch = org.is_sandbox && host_of(instance_url).is_some_and(|h| h.contains(".scratch."));
    let login_says_sandbox = match login {
        _ if scratch => None,
        HostKind::Sandbox | HostKind::MyDomain { sandbox: true } => Some(true),
        HostKind::Production | HostKind::MyDomain { sandbox: false } => Some(false),
        HostKind::OtherSalesforce | HostKind::Loopback => None,
    };
    match login_says_sandbox {
        Some(says) if says != org.is_sandbox => {
            let (url, wanted) = if org.is_sandbox {
                ("a production login URL", "https://test.salesforce.com or the sandbox's My Domain")
            } else {
                ("a sandbox login URL", "https://login.salesforce.com or the org's My Domain")
            };
            Finding::problem(
                format!("{detail}, but the settings use {url}"),
                format!("Set the connector's Login URL to {wanted}."),
            )
        }
        _ => Finding::Ok(detail),
    }
}

fn host_of(url: &str) -> Option<String> {
    Some(url::Url::parse(url).ok()?.host_str()?.to_ascii_lowercase())
}

/// `acme` for `https://acme.my.salesforce.com` (and `acme--dev.sandbox.my.salesforce.com` gives `acme--dev`).
pub fn my_domain_of(instance_url: &str) -> Option<String> {
    let host = url::Url::parse(instance_url).ok()?.host_str()?.to_ascii_lowercase();
    let (name, rest) = host.split_once('.')?;
    rest.contains("my.salesforce.com").then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acme(is_sandbox: bool) -> Organization {
        Organization {
            id: "00D".into(),
            name: "Acme".into(),
            edition: "Enterprise Edition".into(),
            instance: Some("NA224".into()),
            is_sandbox,
        }
    }

    #[test]
    fn my_domain_comes_from_the_instance_host() {
        assert_eq!(my_domain_of("https://acme.my.salesforce.com").as_deref(), Some("acme"));
        assert_eq!(my_domain_of("https://acme--dev.sandbox.my.salesforce.com").as_deref(), Some("acme--dev"));
        assert_eq!(my_domain_of("https://na224.salesforce.com"), None);
    }

    #[test]
    fn a_sandbox_behind_a_production_login_url_is_a_problem() {
        let url = "https://acme.my.salesforce.com";
        assert!(matches!(org(&acme(false), HostKind::Production, url), Finding::Ok(d) if d.contains("My Domain acme")));
        let finding = org(&acme(true), HostKind::Production, url);
        assert!(matches!(finding, Finding::Problem { ref fix, .. } if fix.contains("test.salesforce.com")));
        assert!(matches!(org(&acme(false), HostKind::Sandbox, url), Finding::Problem { .. }));
        assert!(matches!(org(&acme(true), HostKind::Loopback, url), Finding::Ok(_)));
    }

    /// Issue 10, point 7: a scratch org is IsSandbox true on a `.scratch.` My Domain.
    #[test]
    fn a_scratch_org_is_not_told_it_used_a_production_login_url() {
        let scratch = "https://site-ability-1234.scratch.my.salesforce.com";
        let login = crate::salesforce::LoginHost::parse(scratch).unwrap().kind();
        assert!(matches!(org(&acme(true), login, scratch), Finding::Ok(_)));
        assert!(matches!(org(&acme(true), HostKind::Production, scratch), Finding::Ok(_)));
        // Not a scratch host: the mismatch is still told.
        assert!(matches!(org(&acme(true), login, "https://acme.my.salesforce.com"), Finding::Problem { .. }));
    }

    #[test]
    fn api_disabled_is_a_problem_and_other_errors_unknown() {
        let disabled = Err(Error::Rest(RestError { status: 403, code: API_DISABLED.into(), message: "x".into() }));
        assert!(matches!(api_access(&disabled), Finding::Problem { ref fix, .. } if fix.contains("API Enabled")));
        let other = Err(Error::Rest(RestError { status: 500, code: "UNKNOWN_EXCEPTION".into(), message: "x".into() }));
        assert!(matches!(api_access(&other), Finding::Unknown { .. }));
        assert!(matches!(api_access(&Ok(acme(false))), Finding::Ok(_)));
    }
}
