//! Hostile input for the paste parser and the login-URL rules: no panic, ever, and the properties an
//! admin relies on. Issue #3 (and #6 at scale: `PROPTEST_CASES=1000000 cargo test --release --test
//! parsers_property`).

use proptest::prelude::*;
use sfconnect::salesforce::{LoginHost, parse_paste};

/// Characters that appear in codes, URLs and copy-paste accidents.
fn pasty() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("%".to_string()),
            Just("%3D".to_string()),
            Just("%25".to_string()),
            Just("code=".to_string()),
            Just("state=".to_string()),
            Just("error=".to_string()),
            Just("&".to_string()),
            Just("?".to_string()),
            Just("#".to_string()),
            Just("https://".to_string()),
            Just("\n".to_string()),
            Just("\"".to_string()),
            Just("é".to_string()),
            "[A-Za-z0-9+/=._-]{0,12}",
            any::<char>().prop_map(|c| c.to_string()),
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn paste_parser_never_panics(input in pasty(), state in proptest::option::of("[a-z]{0,4}")) {
        let _ = parse_paste(&input, state.as_deref());
    }

    #[test]
    fn paste_parser_never_panics_on_any_string(input in any::<String>()) {
        let _ = parse_paste(&input, Some("s"));
    }

    #[test]
    fn a_code_round_trips_encoded_or_not(code in "aPrx[A-Za-z0-9.]{20,80}={0,2}") {
        let encoded = code.replace('=', "%3D");
        let url = format!("https://login.salesforce.com/services/oauth2/success?code={encoded}&state=xyz");
        for pasted in [code.clone(), encoded.clone(), url.clone(), format!("  '{url}'\n")] {
            let got = parse_paste(&pasted, Some("xyz")).expect("a real code parses");
            prop_assert_eq!(got.code.expose(), code.as_str());
        }
    }

    #[test]
    fn login_host_never_panics(input in pasty()) {
        let _ = LoginHost::parse(&input);
    }

    #[test]
    fn login_host_never_panics_on_any_string(input in any::<String>()) {
        let _ = LoginHost::parse(&input);
    }

    #[test]
    fn accepted_hosts_are_https_salesforce_or_loopback(input in pasty()) {
        if let Ok(host) = LoginHost::parse(&input) {
            let origin = host.origin();
            prop_assert!(!origin.ends_with('/'));
            let https_sf = origin.starts_with("https://");
            let loopback = origin.starts_with("http://127.") || origin.starts_with("http://localhost") || origin.starts_with("http://[::1]");
            prop_assert!(https_sf || loopback, "{}", origin);
            prop_assert_eq!(LoginHost::parse(origin).map(|h| h.origin().to_string()), Ok(origin.to_string()), "normalising is idempotent");
        }
    }

    #[test]
    fn a_lookalike_domain_is_never_accepted(name in "[a-z]{1,10}", evil in "[a-z]{2,8}") {
        for url in [
            format!("https://{name}.salesforce.com.{evil}.io"),
            format!("https://{name}salesforce.com"),
            format!("https://{evil}.com/{name}.my.salesforce.com"),
        ] {
            prop_assert!(LoginHost::parse(&url).is_err(), "{}", url);
        }
    }
}
