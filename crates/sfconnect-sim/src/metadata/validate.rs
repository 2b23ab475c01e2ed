//! Checks a deploy's zip as the Metadata API does for the External Client App types: package.xml,
//! folders and suffixes, root elements and namespace, known elements in schema order, required
//! elements, enum and boolean values, names, references between the files, and the org's own refusals
//! (a name or consumer key already taken, External Client Apps off, a supplied secret refused). Every
//! problem becomes a `componentFailures` entry with the file and line.

use std::collections::BTreeMap;
use std::io::Read;

use super::rules::{self, ECA, ENUMS, GLOBAL_OAUTH, NAMESPACE, OAUTH_POLICIES, OAUTH_SETTINGS, SCOPES, TypeRule};
use super::xml::{self, Document};

/// One `componentFailures` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub component_type: String,
    pub full_name: String,
    pub file_name: String,
    pub line: Option<u32>,
    pub problem: String,
}

/// What the org already holds and allows, for the checks that depend on it.
pub struct OrgView<'a> {
    pub existing_names: Vec<&'a str>,
    pub existing_keys: Vec<&'a str>,
    pub eca_allowed: bool,
    pub supplied_secret_refused: bool,
    pub ignore_warnings: bool,
}

/// The app a valid package defines.
#[derive(Debug, Clone, Default)]
pub struct ValidApp {
    pub name: String,
    pub label: String,
    pub callbacks: Vec<String>,
    pub consumer_key: Option<String>,
    pub consumer_secret: Option<String>,
    /// OAuth scope tokens the app grants.
    pub scopes: Vec<String>,
    pub pkce_required: bool,
    pub device_flow: bool,
    pub secret_optional: bool,
    pub secret_for_refresh: bool,
    pub rotation: bool,
    pub contact_email: String,
    /// `distributionState`: `Local` or `Packaged`.
    pub distribution_state: String,
    /// The OAuth policies file's `permittedUsersPolicyType`, `ipRelaxationPolicyType` and
    /// `refreshTokenPolicyType`, when it sets them.
    pub permitted_users: Option<String>,
    pub ip_relaxation: Option<String>,
    pub refresh_token_policy: Option<String>,
    /// Components deployed, for `numberComponentsTotal`.
    pub components: u32,
}

struct Component<'a> {
    rule: &'static TypeRule,
    name: String,
    path: String,
    doc: Document,
    _bytes: &'a [u8],
}

fn failure(kind: &str, name: &str, file: &str, line: Option<u32>, problem: impl Into<String>) -> Failure {
    Failure {
        component_type: kind.to_string(),
        full_name: name.to_string(),
        file_name: file.to_string(),
        line,
        problem: problem.into(),
    }
}

fn unzip(zip: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).map_err(|e| e.to_string())?;
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| e.to_string())?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().map_err(|e| e.to_string())?.to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        if files.insert(name.clone(), bytes).is_some() {
            return Err(format!("the zip holds {name} twice"));
        }
    }
    Ok(files)
}

/// package.xml's members by type name, and its version.
fn manifest(doc: &Document) -> (BTreeMap<String, Vec<String>>, Option<String>) {
    let mut types = BTreeMap::new();
    let mut members = Vec::new();
    let mut version = None;
    for leaf in &doc.leaves {
        match (leaf.name.as_str(), leaf.parent.as_deref()) {
            ("members", Some("types")) => members.push(leaf.text.trim().to_string()),
            ("name", Some("types")) => {
                types.entry(leaf.text.trim().to_string()).or_insert_with(Vec::new).append(&mut members);
            }
            ("version", None) => version = Some(leaf.text.trim().to_string()),
            _ => {}
        }
    }
    (types, version)
}

/// Validates a package. `Ok` holds the app it defines (if it defines one); `Err` every problem found.
pub fn validate(zip: &[u8], org: &OrgView<'_>) -> Result<Option<ValidApp>, Vec<Failure>> {
    let files = unzip(zip).map_err(|e| vec![failure("", "package.zip", "package.zip", None, e)])?;
    let Some(manifest_bytes) = files.get("package.xml") else {
        return Err(vec![failure("", "package.xml", "package.xml", None, "No package.xml found")]);
    };
    let manifest_doc = xml::parse(manifest_bytes)
        .map_err(|(e, line)| vec![failure("", "package.xml", "package.xml", Some(line), e)])?;
    let (listed, version) = manifest(&manifest_doc);
    let mut failures = Vec::new();
    let version_ok = version.as_deref().and_then(|v| v.parse::<f32>().ok()).is_some_and(|v| v >= 59.0);
    if !version_ok {
        failures.push(failure(
            "",
            "package.xml",
            "package.xml",
            None,
            format!(
                "The package's version {} is too old for External Client Apps (59.0 and later)",
                version.unwrap_or_default()
            ),
        ));
    }
    for kind in listed.keys() {
        if rules::type_by_name(kind).is_none() {
            failures.push(failure(
                "",
                "package.xml",
                "package.xml",
                None,
                format!("Unknown type name '{kind}' specified in package.xml"),
            ));
        }
    }
    let mut components = Vec::new();
    for (kind, members) in &listed {
        let Some(rule) = rules::type_by_name(kind) else { continue };
        for member in members {
            let path = format!("{}/{member}.{}", rule.folder, rule.suffix);
            let Some(bytes) = files.get(&path) else {
                failures.push(failure(
                    kind,
                    member,
                    "package.xml",
                    None,
                    format!("An object '{member}' of type {kind} was named in package.xml, but was not found in zipped directory"),
                ));
                continue;
            };
            match xml::parse(bytes) {
                Ok(doc) => components.push(Component { rule, name: member.clone(), path, doc, _bytes: bytes }),
                Err((e, line)) => {
                    failures.push(failure(kind, member, &path, Some(line), format!("Error parsing file: {e}")))
                }
            }
        }
    }
    for path in files.keys().filter(|p| *p != "package.xml") {
        let known = path
            .split_once('/')
            .and_then(|(folder, file)| rules::type_by_folder(folder).map(|r| (r, file)))
            .is_some_and(|(rule, file)| file.rsplit_once('.').is_some_and(|(_, suffix)| suffix == rule.suffix));
        if !known {
            failures.push(failure(
                "",
                path,
                path,
                None,
                format!("{path}: unknown folder or file suffix for this package"),
            ));
        }
    }
    let eca_in_package: Vec<String> =
        components.iter().filter(|c| c.rule.name == ECA).map(|c| c.name.clone()).collect();
    for c in &components {
        check_component(c, &eca_in_package, org, &mut failures);
    }
    if !failures.is_empty() {
        return Err(failures);
    }
    Ok(app_of(&components))
}

fn invalid_element(c: &Component<'_>, name: &str, line: u32) -> Failure {
    failure(
        c.rule.name,
        &c.name,
        &c.path,
        Some(line),
        format!("Element {{{NAMESPACE}}}{name} invalid at this location"),
    )
}

fn check_component(c: &Component<'_>, eca_in_package: &[String], org: &OrgView<'_>, out: &mut Vec<Failure>) {
    let kind = c.rule.name;
    let at = |line: Option<u32>, problem: String| failure(kind, &c.name, &c.path, line, problem);
    if !rules::valid_api_name(&c.name) {
        out.push(at(None, format!("The name '{}' is not a valid API name", c.name)));
    }
    if c.doc.root != kind {
        out.push(at(Some(1), format!("Expected the root element {kind}, found {}", c.doc.root)));
        return;
    }
    if c.doc.namespace.as_deref() != Some(NAMESPACE) {
        out.push(at(Some(1), format!("The root element must be in the namespace {NAMESPACE}")));
    }
    // Known elements, each once, in schema order.
    let mut last_index = None;
    for leaf in c.doc.leaves.iter().filter(|l| l.parent.is_none()) {
        match c.rule.elements.iter().position(|e| *e == leaf.name) {
            Some(index) if last_index.is_none_or(|last| index > last) => last_index = Some(index),
            _ => {
                out.push(invalid_element(c, &leaf.name, leaf.line));
                return;
            }
        }
    }
    for required in c.rule.required {
        if c.doc.text(required).is_none_or(|t| t.trim().is_empty()) {
            out.push(at(None, format!("Required field is missing: {required}")));
        }
    }
    for leaf in &c.doc.leaves {
        let is_flag = leaf.name.starts_with("is") || leaf.name.starts_with("should");
        if is_flag && leaf.text != "true" && leaf.text != "false" {
            out.push(at(Some(leaf.line), format!("'{}' is not valid for the type xsd:boolean", leaf.text)));
        }
        if let Some((_, values)) = ENUMS.iter().find(|(e, _)| *e == leaf.name)
            && !values.contains(&leaf.text.as_str())
        {
            out.push(at(Some(leaf.line), format!("'{}' is not a valid value for the enum '{}'", leaf.text, leaf.name)));
        }
    }
    if let Some(parent) = c.doc.text("externalClientApplication")
        && !eca_in_package.iter().any(|n| n == parent)
        && !org.existing_names.iter().any(|n| n.eq_ignore_ascii_case(parent))
    {
        out.push(at(
            None,
            format!("In field: externalClientApplication - no ExternalClientApplication named {parent} found"),
        ));
    }
    match kind {
        ECA => {
            if !org.eca_allowed {
                out.push(at(None, "External Client Apps are not enabled for this org: turn on Setup > External Client App Settings > Allow creation of External Client Apps".into()));
            }
            if org.existing_names.iter().any(|n| n.eq_ignore_ascii_case(&c.name)) {
                out.push(at(None, format!("An External Client App named {} already exists in this org", c.name)));
            }
            if let Some(email) = c.doc.text("contactEmail")
                && !(email.contains('@') && email.rsplit('@').next().is_some_and(|d| d.contains('.')))
            {
                out.push(at(c.doc.first("contactEmail").map(|l| l.line), format!("Invalid email address: {email}")));
            }
        }
        GLOBAL_OAUTH => check_global(c, org, out),
        OAUTH_SETTINGS => {
            if let Some(leaf) = c.doc.first("commaSeparatedOauthScopes") {
                for scope in leaf.text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    if !SCOPES.iter().any(|(name, _)| *name == scope) {
                        out.push(at(Some(leaf.line), format!("Invalid OAuth scope: {scope}")));
                    }
                }
            }
        }
        _ => {}
    }
}

fn check_global(c: &Component<'_>, org: &OrgView<'_>, out: &mut Vec<Failure>) {
    let at = |line: Option<u32>, problem: String| failure(GLOBAL_OAUTH, &c.name, &c.path, line, problem);
    if let Some(leaf) = c.doc.first("consumerKey") {
        if org.existing_keys.contains(&leaf.text.as_str()) {
            out.push(at(Some(leaf.line), "The consumer key is already taken".into()));
        }
        if !(8..=256).contains(&leaf.text.len())
            || !leaf.text.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '.' || ch == '_')
        {
            out.push(at(Some(leaf.line), "Invalid consumer key".into()));
        }
    }
    if let Some(leaf) = c.doc.first("consumerSecret") {
        if org.supplied_secret_refused {
            out.push(at(
                Some(leaf.line),
                "You can't set the consumer secret of an External Client App in metadata in this org".into(),
            ));
        } else if !(8..=256).contains(&leaf.text.len()) || !leaf.text.chars().all(|ch| ch.is_ascii_alphanumeric()) {
            out.push(at(Some(leaf.line), "Invalid consumer secret".into()));
        }
    }
    if let Some(leaf) = c.doc.first("callbackUrl") {
        for callback in split_callbacks(&leaf.text) {
            let ok = url::Url::parse(&callback).is_ok_and(|u| match u.scheme() {
                "https" => true,
                "http" => matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")),
                // Custom schemes are allowed for mobile apps.
                other => other.contains('.') || other.len() > 5,
            });
            if !ok {
                out.push(at(Some(leaf.line), format!("Invalid callback URL: {callback}")));
            }
        }
    }
    for rotate in ["shouldRotateConsumerKey", "shouldRotateConsumerSecret"] {
        if c.doc.flag(rotate) == Some(true) && !org.ignore_warnings {
            out.push(at(
                c.doc.first(rotate).map(|l| l.line),
                format!("{rotate} regenerates the credentials: deploy with ignoreWarnings"),
            ));
        }
    }
}

/// Callbacks are one per line in Setup; commas are accepted too, as sfconnect cannot confirm which the
/// metadata field uses.
pub fn split_callbacks(text: &str) -> Vec<String> {
    text.split(['\n', ',']).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

fn app_of(components: &[Component<'_>]) -> Option<ValidApp> {
    let eca = components.iter().find(|c| c.rule.name == ECA)?;
    let of = |kind: &str| components.iter().find(|c| c.rule.name == kind).map(|c| &c.doc);
    let mut app = ValidApp {
        name: eca.name.clone(),
        label: eca.doc.text("label").unwrap_or(&eca.name).to_string(),
        contact_email: eca.doc.text("contactEmail").unwrap_or_default().to_string(),
        distribution_state: eca.doc.text("distributionState").unwrap_or("Local").to_string(),
        components: components.len() as u32,
        // The guide's defaults for what a file leaves out.
        pkce_required: true,
        secret_for_refresh: true,
        ..ValidApp::default()
    };
    if let Some(global) = of(GLOBAL_OAUTH) {
        app.callbacks = global.text("callbackUrl").map(split_callbacks).unwrap_or_default();
        app.consumer_key = global.text("consumerKey").map(String::from);
        app.consumer_secret = global.text("consumerSecret").map(String::from);
        app.pkce_required = global.flag("isPkceRequired").unwrap_or(true);
        app.device_flow = global.flag("isDeviceFlowEnabled").unwrap_or(false);
        app.secret_optional = global.flag("isConsumerSecretOptional").unwrap_or(false);
        app.secret_for_refresh = global.flag("isSecretRequiredForRefreshToken").unwrap_or(true);
        app.rotation = global.flag("isRefreshTokenRotationEnabled").unwrap_or(false);
    }
    if let Some(policies) = of(OAUTH_POLICIES) {
        let read = |element: &str| policies.text(element).map(str::to_string);
        app.permitted_users = read("permittedUsersPolicyType");
        app.ip_relaxation = read("ipRelaxationPolicyType");
        app.refresh_token_policy = read("refreshTokenPolicyType");
    }
    if let Some(settings) = of(OAUTH_SETTINGS) {
        for scope in settings.text("commaSeparatedOauthScopes").unwrap_or("").split(',').map(str::trim) {
            if let Some((_, tokens)) = SCOPES.iter().find(|(name, _)| *name == scope) {
                for token in *tokens {
                    if !app.scopes.iter().any(|s| s == token) {
                        app.scopes.push(token.to_string());
                    }
                }
            }
        }
    }
    Some(app)
}
