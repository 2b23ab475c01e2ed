//! The package held against the Metadata API guide's rules for the five types (their pages as of API
//! 66.0, and the registry of folders and suffixes in forcedotcom/source-deploy-retrieve): folders and
//! suffixes, root elements and namespace, known elements only, required fields, enum values, booleans,
//! the samples' (alphabetical) element order, and a `package.xml` that names each file once.

use std::collections::BTreeMap;
use std::io::Read;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::keys::GenerateSecret;
use super::package::{PACKAGE_API_VERSION, Package};
use super::spec::{EcaRequest, EcaSpec, IpRelaxation, PermittedUsers};
use crate::secret::ClientSecret;

/// (type, folder, suffix, elements the guide lists, required elements), written out from the guide
/// rather than taken from the builder, so that a mistake in one does not hide in the other.
/// (type, folder, suffix, known elements, required elements)
type Rule = (&'static str, &'static str, &'static str, &'static [&'static str], &'static [&'static str]);

const RULES: [Rule; 5] = [
    (
        "ExternalClientApplication",
        "externalClientApps",
        "eca",
        &[
            "contactEmail",
            "contactPhone",
            "description",
            "distributionState",
            "iconUrl",
            "infoUrl",
            "isProtected",
            "label",
            "logoUrl",
            "orgScopedExternalApp",
        ],
        &["contactEmail", "distributionState", "label"],
    ),
    (
        "ExtlClntAppGlobalOauthSettings",
        "extlClntAppGlobalOauthSets",
        "ecaGlblOauth",
        &[
            "callbackUrl",
            "certificate",
            "consumerKey",
            "consumerSecret",
            "externalClientApplication",
            "idTokenConfig",
            "isClientCredentialsFlowEnabled",
            "isCodeCredFlowEnabled",
            "isCodeCredPostOnly",
            "isConsumerSecretOptional",
            "isDeviceFlowEnabled",
            "isIntrospectAllTokens",
            "isNamedUserJwtEnabled",
            "isPkceRequired",
            "isRefreshTokenRotationEnabled",
            "isSecretRequiredForRefreshToken",
            "isSecretRequiredForTokenExchange",
            "isTokenExchangeEnabled",
            "label",
            "shouldRotateConsumerKey",
            "shouldRotateConsumerSecret",
        ],
        &["externalClientApplication"],
    ),
    (
        "ExtlClntAppOauthSettings",
        "extlClntAppOauthSettings",
        "ecaOauth",
        &["commaSeparatedOauthScopes", "customAttributes", "externalClientApplication", "label", "oauthLink"],
        &["externalClientApplication"],
    ),
    (
        "ExtlClntAppOauthConfigurablePolicies",
        "extlClntAppOauthPolicies",
        "ecaOauthPlcy",
        &[
            "clientCredentialsFlowUser",
            "commaSeparatedPermissionSet",
            "commaSeparatedProfile",
            "externalClientApplication",
            "ipRelaxationPolicyType",
            "isClientCredentialsFlowEnabled",
            "isTokenExchangeFlowEnabled",
            "label",
            "permittedUsersPolicyType",
            "policyAction",
            "refreshTokenPolicyType",
            "refreshTokenValidityPeriod",
            "refreshTokenValidityUnit",
            "requiredSessionLevel",
            "sessionTimeoutInMinutes",
            "singleLogoutUrl",
            "startUrl",
        ],
        &["externalClientApplication"],
    ),
    (
        "ExtlClntAppConfigurablePolicies",
        "extlClntAppPolicies",
        "ecaPlcy",
        &["externalClientApplication", "isEnabled", "isOauthPluginEnabled", "label", "startPage", "startUrl"],
        &["externalClientApplication", "isEnabled"],
    ),
];

const ENUMS: [(&str, &[&str]); 4] = [
    ("distributionState", &["Local", "Packaged"]),
    ("ipRelaxationPolicyType", &["Enforce", "Bypass", "Bypass_2factor", "Enforce_RelaxRefresh"]),
    ("permittedUsersPolicyType", &["AdminApprovedPreAuthorized", "AllSelfAuthorized"]),
    ("refreshTokenPolicyType", &["Infinite", "SpecificInactivity", "SpecificLifetime", "Zero"]),
];

const METADATA_SCOPES: [&str; 14] = [
    "Basic",
    "Api",
    "Web",
    "Full",
    "Chatter",
    "CustomApplications",
    "RefreshToken",
    "OpenID",
    "Profile",
    "Email",
    "Address",
    "Phone",
    "OfflineAccess",
    "CustomPermissions",
];

/// A parsed file: root name, its xmlns, and the leaf elements (those without children) with their text,
/// in document order.
fn parse(bytes: &[u8]) -> (String, String, Vec<(String, String)>) {
    let mut reader = Reader::from_reader(bytes);
    let (mut root, mut ns, mut children) = (String::new(), String::new(), Vec::new());
    let mut depth = 0;
    // The open element below the root, with its text, and whether it has child elements.
    let mut stack: Vec<(String, String, bool)> = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).expect("well-formed XML") {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                if depth == 0 {
                    root = name;
                    for a in e.attributes() {
                        let a = a.unwrap();
                        if a.key.as_ref() == "xmlns" {
                            ns = a.value.to_string();
                        }
                    }
                } else {
                    if let Some(parent) = stack.last_mut() {
                        parent.2 = true;
                    }
                    stack.push((name, String::new(), false));
                }
                depth += 1;
            }
            Event::Text(t) => {
                if let Some((_, text, _)) = stack.last_mut() {
                    text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().unwrap() {
                    Some(c) => c,
                    None => match &*r.html_content() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => panic!("unknown entity {other}"),
                    },
                };
                if let Some((_, text, _)) = stack.last_mut() {
                    text.push(c);
                }
            }
            Event::End(_) => {
                depth -= 1;
                if let Some((name, text, false)) = stack.pop() {
                    children.push((name, text));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    (root, ns, children)
}

fn spec(device_flow: bool, permitted: PermittedUsers) -> EcaSpec {
    let callbacks = vec![
        "https://acme.my.salesforce.com/services/oauth2/success".to_string(),
        "http://localhost:1717/OauthRedirect".to_string(),
    ];
    let scopes: Vec<String> = ["refresh_token", "offline_access", "full"].iter().map(|s| s.to_string()).collect();
    EcaSpec::new(&EcaRequest {
        name: "Sfconnect_Acme",
        contact_email: "admin@acme.example",
        callbacks: &callbacks,
        scope_tokens: &scopes,
        device_flow,
        ip_relaxation: IpRelaxation::EnforceRelaxRefresh,
        permitted_users: permitted,
    })
    .unwrap()
}

fn check_against_rules(package: &Package, spec: &EcaSpec) {
    let files = package.files();
    assert_eq!(files.len(), 6, "package.xml and five components");
    let (root, ns, manifest) = parse(&files[0].contents);
    assert_eq!(files[0].path, "package.xml");
    assert_eq!((root.as_str(), ns.as_str()), ("Package", "http://soap.sforce.com/2006/04/metadata"));
    assert_eq!(manifest.last().unwrap(), &("version".to_string(), PACKAGE_API_VERSION.to_string()));
    let mut seen_types = BTreeMap::new();
    for file in &files[1..] {
        let (folder, rest) = file.path.split_once('/').expect("folder/name.suffix");
        let (member, suffix) = rest.rsplit_once('.').unwrap();
        let rule = RULES.iter().find(|r| r.1 == folder).unwrap_or_else(|| panic!("unknown folder {folder}"));
        let (kind, _, want_suffix, known, required) = *rule;
        assert_eq!(suffix, want_suffix, "{}", file.path);
        assert!(seen_types.insert(kind, member.to_string()).is_none(), "one file per type");
        let (root, ns, children) = parse(&file.contents);
        assert_eq!(root, kind, "{}", file.path);
        assert_eq!(ns, "http://soap.sforce.com/2006/04/metadata");
        let names: Vec<&str> = children.iter().map(|(n, _)| n.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted, "{}: elements in the samples' (alphabetical) order, none twice", file.path);
        for (name, value) in &children {
            assert!(known.contains(&name.as_str()), "{}: {name} is not an element of {kind}", file.path);
            if name.starts_with("is") || name.starts_with("should") {
                assert!(value == "true" || value == "false", "{name}={value}");
            }
            if let Some((_, allowed)) = ENUMS.iter().find(|(e, _)| e == name) {
                assert!(allowed.contains(&value.as_str()), "{name}={value}");
            }
            if name == "externalClientApplication" {
                assert_eq!(value, spec.name.as_str());
            }
            if name == "commaSeparatedOauthScopes" {
                for scope in value.split(", ") {
                    assert!(METADATA_SCOPES.contains(&scope), "scope {scope}");
                }
            }
            if name == "label" {
                assert!(!value.is_empty() && value.len() <= 80);
            }
        }
        for field in required {
            assert!(names.contains(field), "{}: required {field} missing", file.path);
        }
        assert!(!names.contains(&"oauthLink") && !names.contains(&"orgScopedExternalApp"), "generated by the org");
    }
    // package.xml names each component exactly once, under its type.
    let mut listed = BTreeMap::new();
    let mut members = manifest.iter().filter(|(n, _)| n != "version");
    while let (Some((m, member)), Some((n, name))) = (members.next(), members.next()) {
        assert_eq!((m.as_str(), n.as_str()), ("members", "name"));
        assert!(listed.insert(name.as_str(), member.clone()).is_none());
    }
    assert_eq!(listed.len(), 5);
    for (kind, member) in &seen_types {
        assert_eq!(listed.get(kind), Some(member), "{kind} listed with its file's name");
    }
}

fn values(package: &Package, folder: &str) -> BTreeMap<String, String> {
    let file = package.files().iter().find(|f| f.path.starts_with(folder)).unwrap();
    parse(&file.contents).2.into_iter().collect()
}

#[test]
fn the_package_follows_the_metadata_api_rules() {
    for (device, permitted) in [
        (false, PermittedUsers::AllSelfAuthorized),
        (true, PermittedUsers::PermissionSets(vec!["Connector_Users".into()])),
    ] {
        let spec = spec(device, permitted);
        check_against_rules(&Package::build(&spec), &spec);
    }
}

#[test]
fn the_version_is_pinned() {
    // Changing it changes which elements exist and what omitted ones default to: re-check the package
    // against that version's pages of the guide before changing this line.
    assert_eq!(PACKAGE_API_VERSION, "64.0");
}

#[test]
fn the_flags_say_what_the_issue_asks() {
    let spec = spec(false, PermittedUsers::AllSelfAuthorized);
    let package = Package::build(&spec);
    let global = values(&package, "extlClntAppGlobalOauthSets/");
    assert_eq!(global["consumerKey"], spec.consumer_key.as_str());
    assert_eq!(global["consumerSecret"], spec.consumer_secret.as_ref().unwrap().expose());
    assert_eq!(
        global["callbackUrl"],
        "https://acme.my.salesforce.com/services/oauth2/success\nhttp://localhost:1717/OauthRedirect"
    );
    for (flag, want) in [
        ("isPkceRequired", "true"),
        ("isConsumerSecretOptional", "false"),
        ("isSecretRequiredForRefreshToken", "true"),
        ("isDeviceFlowEnabled", "false"),
        ("isClientCredentialsFlowEnabled", "false"),
        ("shouldRotateConsumerKey", "false"),
        ("shouldRotateConsumerSecret", "false"),
    ] {
        assert_eq!(global[flag], want, "{flag}");
    }
    assert_eq!(values(&package, "externalClientApps/")["distributionState"], "Local");
    assert_eq!(values(&package, "extlClntAppOauthSettings/")["commaSeparatedOauthScopes"], "RefreshToken, Full");
    let policy = values(&package, "extlClntAppOauthPolicies/");
    assert_eq!(policy["refreshTokenPolicyType"], "Infinite");
    assert_eq!(policy["ipRelaxationPolicyType"], "Enforce_RelaxRefresh");
    assert_eq!(policy["permittedUsersPolicyType"], "AllSelfAuthorized");
    assert!(!policy.contains_key("commaSeparatedPermissionSet"));
    let device = Package::build(&self::spec(true, PermittedUsers::PermissionSets(vec!["A".into(), "B".into()])));
    assert_eq!(values(&device, "extlClntAppGlobalOauthSets/")["isDeviceFlowEnabled"], "true");
    let policy = values(&device, "extlClntAppOauthPolicies/");
    assert_eq!(policy["permittedUsersPolicyType"], "AdminApprovedPreAuthorized");
    assert_eq!(policy["commaSeparatedPermissionSet"], "A, B");
}

#[test]
fn without_a_secret_none_is_written_and_text_is_escaped() {
    let mut spec = spec(false, PermittedUsers::AllSelfAuthorized);
    spec.consumer_secret = None;
    spec.label = "R&D <Sync>".into();
    let package = Package::build(&spec);
    let global = values(&package, "extlClntAppGlobalOauthSets/");
    assert!(!global.contains_key("consumerSecret"));
    assert_eq!(global["label"], "R&D <Sync>", "escaped on write, read back whole");
    let raw = String::from_utf8(package.files()[1].contents.to_vec()).unwrap();
    assert!(raw.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ExternalClientApplication xmlns="), "{raw}");
    assert!(raw.contains("R&amp;D &lt;Sync&gt;"));
    spec.consumer_secret = Some(ClientSecret::generate());
}

#[test]
fn the_zip_holds_exactly_the_files_and_is_the_same_each_time() {
    let spec = spec(false, PermittedUsers::AllSelfAuthorized);
    let package = Package::build(&spec);
    let zip = package.to_zip().unwrap();
    assert_eq!(*zip, *Package::build(&spec).to_zip().unwrap(), "same spec, same bytes");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.to_vec())).unwrap();
    assert_eq!(archive.len(), package.files().len());
    for file in package.files() {
        let mut entry = archive.by_name(&file.path).unwrap();
        assert_eq!(entry.compression(), zip::CompressionMethod::Deflated);
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        assert_eq!(bytes, *file.contents, "{}", file.path);
    }
}
