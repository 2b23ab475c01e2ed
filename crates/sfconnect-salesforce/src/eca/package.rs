//! The External Client App as a Metadata API package: `package.xml` and the five component files, in
//! the element order Salesforce's samples use (alphabetical), every flag written out so that nothing
//! depends on the defaults of the API version, and `<version>` pinned. One builder serves both
//! `app create` (zipped in memory and deployed) and `app emit` (written as a folder), so the two cannot
//! differ.
//!
//! Sources for every element: docs/protocol.md, "External Client App creation".

use std::io::Write;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use zeroize::Zeroizing;

use super::spec::{EcaSpec, PermittedUsers};

/// The Metadata API version of the package and of the deploy request. Pinned: the ECA schema changed
/// between 65.0 and 66.0 (sfdx-hardis 6.23.1), and at a given version omitted elements take that
/// version's defaults. 64.0 has every element written here.
pub const PACKAGE_API_VERSION: &str = "64.0";

/// The Metadata API namespace.
pub const METADATA_NAMESPACE: &str = "http://soap.sforce.com/2006/04/metadata";

/// One metadata type of the package: its `package.xml` name, folder and file suffix (mdapi format).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComponentType {
    pub name: &'static str,
    pub folder: &'static str,
    pub suffix: &'static str,
}

/// The five types, in `package.xml` order (alphabetical, as `sf project` writes it).
pub const COMPONENT_TYPES: [ComponentType; 5] = [
    ComponentType { name: "ExternalClientApplication", folder: "externalClientApps", suffix: "eca" },
    ComponentType { name: "ExtlClntAppConfigurablePolicies", folder: "extlClntAppPolicies", suffix: "ecaPlcy" },
    ComponentType {
        name: "ExtlClntAppGlobalOauthSettings",
        folder: "extlClntAppGlobalOauthSets",
        suffix: "ecaGlblOauth",
    },
    ComponentType {
        name: "ExtlClntAppOauthConfigurablePolicies",
        folder: "extlClntAppOauthPolicies",
        suffix: "ecaOauthPlcy",
    },
    ComponentType { name: "ExtlClntAppOauthSettings", folder: "extlClntAppOauthSettings", suffix: "ecaOauth" },
];

/// The component name of each type for an app called `app`, in [`COMPONENT_TYPES`] order. The policy
/// names are the ones Salesforce gives the defaults it generates, so these replace them rather than sit
/// beside them.
pub fn component_names(app: &str) -> [String; 5] {
    [
        app.to_string(),
        format!("{app}_defaultPolicy"),
        format!("{app}_glbloauth"),
        format!("{app}_oauth_defaultPolicy"),
        format!("{app}_oauth"),
    ]
}

/// A file of the package: its path inside the package (`externalClientApps/Name.eca`) and its bytes.
/// The global OAuth settings file holds the consumer secret, so contents are wiped on drop.
pub struct PackageFile {
    pub path: String,
    pub contents: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for PackageFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PackageFile({}, {} bytes)", self.path, self.contents.len())
    }
}

/// The whole package.
#[derive(Debug)]
pub struct Package {
    files: Vec<PackageFile>,
}

impl Package {
    /// Builds `package.xml` and the five component files.
    pub fn build(spec: &EcaSpec) -> Package {
        let app = spec.name.as_str();
        let names = component_names(app);
        let mut files = vec![PackageFile { path: "package.xml".into(), contents: package_xml(&names) }];
        let bodies = [
            app_file(spec),
            policies_file(spec),
            global_oauth_file(spec),
            oauth_policies_file(spec),
            oauth_settings_file(spec),
        ];
        for ((kind, name), body) in COMPONENT_TYPES.iter().zip(names.iter()).zip(bodies) {
            files.push(PackageFile { path: format!("{}/{name}.{}", kind.folder, kind.suffix), contents: body });
        }
        Package { files }
    }

    pub fn files(&self) -> &[PackageFile] {
        &self.files
    }

    /// The package as a zip, built in memory: `package.xml` at the root (a single package), the files
    /// deflated, every timestamp the zip epoch so the same package always gives the same bytes.
    pub fn to_zip(&self) -> Result<Zeroizing<Vec<u8>>, zip::result::ZipError> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o600);
        for file in &self.files {
            zip.start_file(file.path.as_str(), options)?;
            zip.write_all(&file.contents)?;
        }
        Ok(Zeroizing::new(zip.finish()?.into_inner()))
    }
}

/// One XML document: the declaration, a root element in the metadata namespace, then `children`.
/// Writing to a `Vec` cannot fail, so the io results are dropped.
fn document(root: &str, children: impl FnOnce(&mut Writer<Vec<u8>>) -> std::io::Result<()>) -> Zeroizing<Vec<u8>> {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 4);
    let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let _ = writer.create_element(root).with_attribute(("xmlns", METADATA_NAMESPACE)).write_inner_content(children);
    let mut bytes = writer.into_inner();
    bytes.push(b'\n');
    Zeroizing::new(bytes)
}

fn text(w: &mut Writer<Vec<u8>>, name: &str, value: &str) -> std::io::Result<()> {
    w.create_element(name).write_text_content(BytesText::new(value))?;
    Ok(())
}

fn flag(w: &mut Writer<Vec<u8>>, name: &str, value: bool) -> std::io::Result<()> {
    text(w, name, if value { "true" } else { "false" })
}

fn package_xml(names: &[String; 5]) -> Zeroizing<Vec<u8>> {
    document("Package", |w| {
        for (kind, name) in COMPONENT_TYPES.iter().zip(names) {
            w.create_element("types").write_inner_content(|w| {
                text(w, "members", name)?;
                text(w, "name", kind.name)
            })?;
        }
        text(w, "version", PACKAGE_API_VERSION)
    })
}

/// `externalClientApps/<App>.eca`: Local (usable in this org only, which is the org the connector reads).
fn app_file(spec: &EcaSpec) -> Zeroizing<Vec<u8>> {
    document("ExternalClientApplication", |w| {
        text(w, "contactEmail", &spec.contact_email)?;
        text(w, "description", &spec.description)?;
        text(w, "distributionState", "Local")?;
        flag(w, "isProtected", false)?;
        text(w, "label", &spec.label)
    })
}

/// `extlClntAppGlobalOauthSets/<App>_glbloauth.ecaGlblOauth`: the consumer key and secret, the callbacks
/// (one per line [B]), and the flows: web server with PKCE, secret required, device flow only when asked.
fn global_oauth_file(spec: &EcaSpec) -> Zeroizing<Vec<u8>> {
    let refresh = spec.issues_refresh_tokens();
    document("ExtlClntAppGlobalOauthSettings", |w| {
        text(w, "callbackUrl", &spec.callbacks.join("\n"))?;
        text(w, "consumerKey", spec.consumer_key.as_str())?;
        if let Some(secret) = &spec.consumer_secret {
            text(w, "consumerSecret", secret.expose())?;
        }
        text(w, "externalClientApplication", spec.name.as_str())?;
        flag(w, "isClientCredentialsFlowEnabled", false)?;
        flag(w, "isCodeCredFlowEnabled", false)?;
        flag(w, "isCodeCredPostOnly", false)?;
        flag(w, "isConsumerSecretOptional", false)?;
        flag(w, "isDeviceFlowEnabled", spec.device_flow)?;
        flag(w, "isIntrospectAllTokens", false)?;
        flag(w, "isNamedUserJwtEnabled", false)?;
        flag(w, "isPkceRequired", true)?;
        flag(w, "isRefreshTokenRotationEnabled", false)?;
        flag(w, "isSecretRequiredForRefreshToken", refresh)?;
        flag(w, "isSecretRequiredForTokenExchange", true)?;
        flag(w, "isTokenExchangeEnabled", false)?;
        text(w, "label", &spec.label)?;
        flag(w, "shouldRotateConsumerKey", false)?;
        flag(w, "shouldRotateConsumerSecret", false)
    })
}

/// `extlClntAppOauthSettings/<App>_oauth.ecaOauth`: the scopes, by metadata name. No `oauthLink`:
/// Salesforce generates it, and a wrong one fails the deploy.
fn oauth_settings_file(spec: &EcaSpec) -> Zeroizing<Vec<u8>> {
    document("ExtlClntAppOauthSettings", |w| {
        text(w, "commaSeparatedOauthScopes", &spec.scopes.join(", "))?;
        text(w, "externalClientApplication", spec.name.as_str())?;
        text(w, "label", &spec.label)
    })
}

/// `extlClntAppOauthPolicies/<App>_oauth_defaultPolicy.ecaOauthPlcy`: who may use the app, IP relaxation,
/// and a refresh token valid until revoked.
fn oauth_policies_file(spec: &EcaSpec) -> Zeroizing<Vec<u8>> {
    document("ExtlClntAppOauthConfigurablePolicies", |w| {
        if let PermittedUsers::PermissionSets(sets) = &spec.permitted_users {
            text(w, "commaSeparatedPermissionSet", &sets.join(", "))?;
        }
        text(w, "externalClientApplication", spec.name.as_str())?;
        text(w, "ipRelaxationPolicyType", spec.ip_relaxation.metadata())?;
        flag(w, "isClientCredentialsFlowEnabled", false)?;
        flag(w, "isTokenExchangeFlowEnabled", false)?;
        text(w, "label", &spec.label)?;
        let permitted = match spec.permitted_users {
            PermittedUsers::AllSelfAuthorized => "AllSelfAuthorized",
            PermittedUsers::PermissionSets(_) => "AdminApprovedPreAuthorized",
        };
        text(w, "permittedUsersPolicyType", permitted)?;
        text(w, "refreshTokenPolicyType", "Infinite")
    })
}

/// `extlClntAppPolicies/<App>_defaultPolicy.ecaPlcy`: the app and its OAuth plugin switched on.
fn policies_file(spec: &EcaSpec) -> Zeroizing<Vec<u8>> {
    document("ExtlClntAppConfigurablePolicies", |w| {
        text(w, "externalClientApplication", spec.name.as_str())?;
        flag(w, "isEnabled", true)?;
        flag(w, "isOauthPluginEnabled", true)?;
        text(w, "label", &spec.label)
    })
}
