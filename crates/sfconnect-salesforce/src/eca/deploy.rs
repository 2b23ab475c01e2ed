//! Deploying the package through the REST Metadata API: `POST /services/data/vNN.0/metadata/deployRequest`
//! (multipart: a JSON `deployOptions` part and the zip as `file`), then `GET .../deployRequest/{id}
//! ?includeDetails=true` until `done`. A failed deploy's `componentFailures` become one sentence each
//! with the fix ([`explain_failure`]).
//!
//! Salesforce's own example shows every value of `deployResult` as a string (`"done": "false"`,
//! `"numberComponentsTotal": "10"`) while jsforce reads them as JSON booleans and numbers: both are read.

use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::package::PACKAGE_API_VERSION;
use crate::clock::Clock;
use crate::errors::Error;
use crate::http::{Body, transport_error};
use crate::rest::RestClient;

/// How often the deploy status is read, at most: the first reads come after 0.5 s, 1 s, then every 2 s
/// (a deploy of five small components is often done within a second or two).
pub const DEPLOY_POLL_INTERVAL: Duration = Duration::from_secs(2);
const FIRST_POLL: Duration = Duration::from_millis(500);
/// How long a deploy of five small components may take before sfconnect stops waiting (it goes on in
/// the org; the id is reported).
pub const DEPLOY_TIMEOUT: Duration = Duration::from_secs(10 * 60);

fn deploy_path() -> String {
    format!("/services/data/v{PACKAGE_API_VERSION}/metadata/deployRequest")
}

/// The `deployOptions` sent: a single package, all or nothing, no tests (an app is not code).
pub fn deploy_options(check_only: bool) -> serde_json::Value {
    serde_json::json!({
        "deployOptions": {
            "allowMissingFiles": false,
            "autoUpdatePackage": false,
            "checkOnly": check_only,
            "ignoreWarnings": false,
            "performRetrieve": false,
            "purgeOnDelete": false,
            "rollbackOnError": true,
            "singlePackage": true,
            "testLevel": "NoTestRun"
        }
    })
}

/// Starts a deploy; returns its id.
pub async fn start_deploy(rest: &RestClient, zip: &[u8], check_only: bool) -> Result<String, Error> {
    let host = rest.instance().to_string();
    let json = reqwest::multipart::Part::text(deploy_options(check_only).to_string())
        .mime_str("application/json")
        .map_err(|e| transport_error(e, &host))?;
    let file = reqwest::multipart::Part::bytes(zip.to_vec())
        .file_name("package.zip")
        .mime_str("application/zip")
        .map_err(|e| transport_error(e, &host))?;
    // Salesforce's guide names the JSON part `json`; jsforce sends `entity_content`. `json` is documented.
    let form = reqwest::multipart::Form::new().part("json", json).part("file", file);
    let response = rest
        .http()
        .post(format!("{}{}", rest.instance(), deploy_path()))
        .bearer_auth(rest.access().expose())
        .header(reqwest::header::ACCEPT, "application/json")
        .multipart(form)
        .send()
        .await
        .map_err(|e| transport_error(e, &host))?;
    let body = Body::read(response, &host).await?;
    if !body.status.is_success() {
        return Err(body.error());
    }
    #[derive(Deserialize)]
    struct Started {
        id: String,
    }
    let started: Started = body.json()?;
    tracing::info!(check_only, "deploy started");
    Ok(started.id)
}

/// `deployResult` of a status answer: the fields sfconnect reads.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DeployResult {
    #[serde(default, deserialize_with = "lenient_bool")]
    pub done: bool,
    #[serde(default)]
    pub status: String,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub check_only: bool,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub number_components_deployed: u32,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub number_components_total: u32,
    #[serde(default, deserialize_with = "lenient_u32")]
    pub number_component_errors: u32,
    #[serde(default)]
    pub error_message: Option<String>,
    #[serde(default)]
    pub error_status_code: Option<String>,
    #[serde(default)]
    pub details: Option<DeployDetails>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DeployDetails {
    #[serde(default, deserialize_with = "one_or_many")]
    pub component_failures: Vec<ComponentFailure>,
}

/// One `DeployMessage` of `componentFailures`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ComponentFailure {
    #[serde(default)]
    pub component_type: Option<String>,
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub file_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_u32")]
    pub line_number: Option<u32>,
    #[serde(default, deserialize_with = "lenient_opt_u32")]
    pub column_number: Option<u32>,
    #[serde(default)]
    pub problem: Option<String>,
    #[serde(default)]
    pub problem_type: Option<String>,
}

impl DeployResult {
    /// `Succeeded` (or `SucceededPartial`, which a rollback-on-error deploy does not give).
    pub fn succeeded(&self) -> bool {
        self.done && self.status.starts_with("Succeeded")
    }

    pub fn failures(&self) -> &[ComponentFailure] {
        self.details.as_ref().map_or(&[], |d| d.component_failures.as_slice())
    }
}

/// Reads a deploy's status once.
pub async fn deploy_status(rest: &RestClient, id: &str) -> Result<DeployResult, Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Status {
        deploy_result: DeployResult,
    }
    let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    let status: Status = rest.get_json(&format!("{}/{id}?includeDetails=true", deploy_path())).await?;
    Ok(status.deploy_result)
}

/// Polls until the deploy is done (or `timeout`), telling `on_progress` each answer.
pub async fn wait_for_deploy(
    rest: &RestClient,
    id: &str,
    clock: &impl Clock,
    timeout: Duration,
    mut on_progress: impl FnMut(&DeployResult),
) -> Result<DeployResult, Error> {
    let started = clock.now();
    let mut pause = FIRST_POLL;
    loop {
        let result = deploy_status(rest, id).await?;
        on_progress(&result);
        if result.done {
            return Ok(result);
        }
        if clock.now().duration_since(started) >= timeout {
            return Err(Error::TimedOut { what: "the deploy", waited_secs: timeout.as_secs() });
        }
        clock.sleep(pause).await;
        pause = (pause * 2).min(DEPLOY_POLL_INTERVAL);
    }
}

/// What a failed component means, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureExplained {
    /// "extlClntAppGlobalOauthSets/Sfc_glbloauth.ecaGlblOauth, line 4: <problem>"
    pub headline: String,
    pub fix: String,
    pub kind: FailureKind,
}

/// The failures sfconnect reacts to, told apart by their text (Salesforce gives no code per problem).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// An app, key or name already exists.
    NameTaken,
    /// The org refused a consumer secret written in the package: deploy without it.
    SuppliedSecretRefused,
    /// External Client Apps are off in the org, or the user may not create them.
    EcaNotAllowed,
    /// The user lacks a permission the type needs.
    Permission,
    /// The package itself is wrong (an element, a value): a bug to report.
    Package,
}

/// Turns one `componentFailures` entry into a sentence and the fix.
pub fn explain_failure(failure: &ComponentFailure) -> FailureExplained {
    let problem = failure.problem.as_deref().unwrap_or("no problem text").trim();
    let lower = problem.to_ascii_lowercase();
    let mut place = failure.file_name.clone().or_else(|| failure.full_name.clone()).unwrap_or_default();
    if let Some(line) = failure.line_number {
        place.push_str(&format!(", line {line}"));
        if let Some(column) = failure.column_number {
            place.push_str(&format!(" column {column}"));
        }
    }
    let component = match (&failure.component_type, &failure.full_name) {
        (Some(t), Some(n)) => format!(" ({t} {n})"),
        _ => String::new(),
    };
    let (kind, fix) = if lower.contains("already exists")
        || lower.contains("duplicate value")
        || lower.contains("already in use")
        || lower.contains("already taken")
    {
        (
            FailureKind::NameTaken,
            "pick another name with --name, or delete the existing app in Setup > External Client App Manager"
                .to_string(),
        )
    } else if lower.contains("consumer secret") || lower.contains("consumersecret") {
        (
            FailureKind::SuppliedSecretRefused,
            "deploy without a consumer secret and read the one the org generates (sfconnect does this on its own)"
                .to_string(),
        )
    } else if lower.contains("external client app") && (lower.contains("not enabled") || lower.contains("not allowed"))
    {
        (
            FailureKind::EcaNotAllowed,
            "turn on Setup > External Client App Settings > \"Allow creation of External Client Apps\" (and check your user has \"Create, edit, and delete External Client Apps\"), then run app create again"
                .to_string(),
        )
    } else if lower.contains("insufficient") || lower.contains("permission") || lower.contains("not authorized") {
        (
            FailureKind::Permission,
            "give your user \"Modify Metadata Through Metadata API Functions\" (or \"Modify All Data\") and \"Create, edit, and delete External Client Apps\", then run app create again"
                .to_string(),
        )
    } else {
        (
            FailureKind::Package,
            "this package is sfconnect's: report the line above at the project's issues, and meanwhile create the app in Setup > External Client App Manager as the wizard shows"
                .to_string(),
        )
    };
    FailureExplained { headline: format!("{place}{component}: {problem}"), fix, kind }
}

fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Bool(b) => b,
        serde_json::Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    })
}

fn lenient_opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn lenient_u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    lenient_opt_u32(d).map(Option::unwrap_or_default)
}

/// SOAP-born JSON gives a list of one as the object itself.
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ComponentFailure>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Array(items) => items.into_iter().filter_map(|v| serde_json::from_value(v).ok()).collect(),
        serde_json::Value::Null => Vec::new(),
        single => serde_json::from_value(single).ok().into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_reads_strings_and_json_types_alike() {
        let documented = r#"{"done":"false","status":"InProgress","checkOnly":"false","numberComponentsDeployed":"10",
            "numberComponentsTotal":"1032","numberComponentErrors":"0","details":{"componentFailures":[]}}"#;
        let r: DeployResult = serde_json::from_str(documented).unwrap();
        assert!(!r.done);
        assert_eq!((r.number_components_deployed, r.number_components_total), (10, 1032));
        let typed = r#"{"done":true,"status":"Failed","numberComponentErrors":1,"details":{"componentFailures":
            {"componentType":"ExtlClntAppGlobalOauthSettings","fullName":"Sfc_glbloauth","fileName":"extlClntAppGlobalOauthSets/Sfc_glbloauth.ecaGlblOauth",
             "lineNumber":4,"columnNumber":"9","problem":"Element {http://soap.sforce.com/2006/04/metadata}foo invalid at this location","problemType":"Error"}}}"#;
        let r: DeployResult = serde_json::from_str(typed).unwrap();
        assert!(r.done && !r.succeeded());
        assert_eq!(r.failures().len(), 1, "a single failure object is read as a list of one");
        let explained = explain_failure(&r.failures()[0]);
        assert_eq!(explained.kind, FailureKind::Package);
        assert!(
            explained.headline.starts_with("extlClntAppGlobalOauthSets/Sfc_glbloauth.ecaGlblOauth, line 4 column 9"),
            "{}",
            explained.headline
        );
    }

    #[test]
    fn failures_are_told_apart_by_their_text() {
        let kind = |problem: &str| {
            explain_failure(&ComponentFailure { problem: Some(problem.into()), ..ComponentFailure::default() }).kind
        };
        assert_eq!(kind("An External Client App with this name already exists."), FailureKind::NameTaken);
        assert_eq!(kind("duplicate value found: DeveloperName"), FailureKind::NameTaken);
        assert_eq!(kind("You can't specify a consumer secret for this app."), FailureKind::SuppliedSecretRefused);
        assert_eq!(kind("External Client Apps are not enabled for this org."), FailureKind::EcaNotAllowed);
        assert_eq!(kind("Insufficient access rights on cross-reference id"), FailureKind::Permission);
        assert_eq!(kind("Invalid value for ipRelaxationPolicyType"), FailureKind::Package);
    }
}
