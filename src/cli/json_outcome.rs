//! The one shape every `--json` command's output takes, so a script reads success and failure alike: one
//! JSON object on standard output with `"ok"`; when `"ok"` is false it carries `"error"` (what went wrong)
//! and `"fix"` (what to do, or null), and the exit status is not 0. The same lines still go to standard
//! error for a person watching. Secrets never reach it: a failure's text is the headline and fix the
//! terminal would show, which hold none.

use super::Failure;

/// `"ok": false` with the failure's words, to stand alone or to be merged into a command's own result.
pub fn failure_fields(headline: &str, fix: Option<&str>) -> serde_json::Map<String, serde_json::Value> {
    let mut fields = serde_json::Map::new();
    fields.insert("ok".into(), false.into());
    fields.insert("error".into(), headline.into());
    fields.insert("fix".into(), fix.map_or(serde_json::Value::Null, Into::into));
    fields
}

/// Verbs a fix begins with: a message written "WHAT: FIX" or "WHAT; FIX" (as the refusals of the arguments and
/// the settings files are) carries its own fix after the last separator that one of these follows.
const FIX_VERBS: &[&str] = &[
    "pass",
    "give",
    "use",
    "run",
    "copy",
    "choose",
    "check",
    "set",
    "remove",
    "correct",
    "create",
    "leave",
    "name",
    "add",
    "wait",
    "free",
    "install",
    "make",
    "try",
    "delete",
    "rename",
    "authorize",
    "unset",
];

/// A message's own fix: `("WHAT", Some("FIX"))` for "WHAT: FIX" or "WHAT; FIX" when FIX begins with a verb of
/// [`FIX_VERBS`], else the whole message and `None`.
pub fn split_fix(message: &str) -> (&str, Option<&str>) {
    let starts_fix = |rest: &str| {
        let word = rest.split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("");
        FIX_VERBS.contains(&word.to_ascii_lowercase().as_str())
    };
    let cut = message
        .match_indices(": ")
        .chain(message.match_indices("; "))
        .map(|(at, _)| at)
        .filter(|at| starts_fix(&message[at + 2..]))
        .min();
    match cut {
        Some(at) => (&message[..at], Some(&message[at + 2..])),
        None => (message, None),
    }
}

/// The object a failed `--json` command prints, or None when the command has already printed its result
/// (which then says `"ok": false` itself).
pub fn failure_object(failure: &Failure) -> Option<serde_json::Value> {
    let fields = match failure {
        Failure::Failed { headline, fix: Some(fix) } => failure_fields(headline, Some(fix)),
        Failure::Failed { headline, fix: None } => {
            let (headline, fix) = split_fix(headline);
            failure_fields(headline, fix)
        }
        Failure::Usage(message) => match split_fix(message) {
            (what, Some(fix)) => failure_fields(what, Some(fix)),
            (_, None) => failure_fields(message, Some("run the command with --help for its usage")),
        },
        Failure::Signal(n) => failure_fields(&format!("stopped by signal {n}"), None),
        Failure::InResult { .. } => return None,
    };
    Some(serde_json::Value::Object(fields))
}

/// For a command line clap refuses: whether it asked for `--json` (before any `--`), and the object to
/// print then. Help and version requests are not failures and get none.
pub fn usage_object(args: &[std::ffi::OsString], error: &clap::Error) -> Option<serde_json::Value> {
    if !error.use_stderr() {
        return None;
    }
    let asked = args.iter().skip(1).take_while(|a| *a != "--").any(|a| a == "--json");
    if !asked {
        return None;
    }
    let rendered = error.render().to_string();
    // clap's text is "error: WHAT\n\nUsage: ...\n\nFor more information, try '--help'.": keep WHAT.
    let what = rendered.split("\n\nUsage:").next().unwrap_or(&rendered);
    let what = what.trim().trim_start_matches("error: ").trim();
    failure_object(&Failure::Usage(what.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_carries_ok_error_and_fix() {
        let failed = Failure::failed("the consumer key is not live", "wait longer");
        assert_eq!(
            failure_object(&failed),
            Some(serde_json::json!({"ok": false, "error": "the consumer key is not live", "fix": "wait longer"}))
        );
        let bare = Failure::Failed { headline: "refused".into(), fix: None };
        let own = Failure::Usage("--client-id is empty: pass the Consumer Key from Manage Consumer Details".into());
        assert_eq!(
            failure_object(&own),
            Some(
                serde_json::json!({"ok": false, "error": "--client-id is empty", "fix": "pass the Consumer Key from Manage Consumer Details"})
            )
        );
        let plain = Failure::Usage("unknown --org `x`, expected one of a, b".into());
        assert_eq!(failure_object(&plain).unwrap()["fix"], "run the command with --help for its usage");
        assert_eq!(failure_object(&bare).unwrap()["fix"], serde_json::Value::Null);
        let shown = Failure::InResult { headline: "a required check failed".into(), fix: None };
        assert_eq!(failure_object(&shown), None, "the command's own result already says so");
    }

    #[test]
    fn a_usage_error_is_json_only_when_json_was_asked_before_a_double_dash() {
        use clap::CommandFactory as _;
        let argv = |list: &[&str]| list.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
        let parse = |args: &[std::ffi::OsString]| super::super::Cli::command().try_get_matches_from(args).unwrap_err();
        let with = argv(&["sfconnect", "app", "create", "--json"]);
        let object = usage_object(&with, &parse(&with)).expect("an object");
        assert_eq!(object["ok"], false);
        let error = object["error"].as_str().unwrap();
        assert!(error.contains("--login-url"), "names the missing argument: {error}");
        assert!(!error.starts_with("error:") && !error.contains("Usage:"), "{error}");
        let without = argv(&["sfconnect", "app", "create"]);
        assert_eq!(usage_object(&without, &parse(&without)), None);
        let help = argv(&["sfconnect", "check", "--json", "--help"]);
        assert_eq!(usage_object(&help, &parse(&help)), None, "help is not a failure");
    }
}
