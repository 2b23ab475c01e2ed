//! The Metadata API's rules for the five External Client App types, as the guide states them (type
//! pages as of API 66.0; folders and suffixes from forcedotcom/source-deploy-retrieve's registry): which
//! elements each type has, in which order, which are required, and the values of its enums. The
//! simulator's own table: it shares nothing with the client's builder.

pub const NAMESPACE: &str = "http://soap.sforce.com/2006/04/metadata";

/// One type: its name, folder, suffix, elements in schema order, required elements.
pub struct TypeRule {
    pub name: &'static str,
    pub folder: &'static str,
    pub suffix: &'static str,
    pub elements: &'static [&'static str],
    pub required: &'static [&'static str],
}

pub const ECA: &str = "ExternalClientApplication";
pub const GLOBAL_OAUTH: &str = "ExtlClntAppGlobalOauthSettings";
pub const OAUTH_SETTINGS: &str = "ExtlClntAppOauthSettings";
pub const OAUTH_POLICIES: &str = "ExtlClntAppOauthConfigurablePolicies";
pub const POLICIES: &str = "ExtlClntAppConfigurablePolicies";

pub const TYPES: [TypeRule; 5] = [
    TypeRule {
        name: ECA,
        folder: "externalClientApps",
        suffix: "eca",
        elements: &[
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
        // The guide marks none required; a deploy without these is refused in practice (KB 005197683 asks
        // for a valid contact email), and the UI requires all three.
        required: &["contactEmail", "distributionState", "label"],
    },
    TypeRule {
        name: GLOBAL_OAUTH,
        folder: "extlClntAppGlobalOauthSets",
        suffix: "ecaGlblOauth",
        elements: &[
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
        required: &["externalClientApplication"],
    },
    TypeRule {
        name: OAUTH_SETTINGS,
        folder: "extlClntAppOauthSettings",
        suffix: "ecaOauth",
        elements: &["commaSeparatedOauthScopes", "customAttributes", "externalClientApplication", "label", "oauthLink"],
        required: &["externalClientApplication"],
    },
    TypeRule {
        name: OAUTH_POLICIES,
        folder: "extlClntAppOauthPolicies",
        suffix: "ecaOauthPlcy",
        elements: &[
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
        required: &["externalClientApplication"],
    },
    TypeRule {
        name: POLICIES,
        folder: "extlClntAppPolicies",
        suffix: "ecaPlcy",
        elements: &["externalClientApplication", "isEnabled", "isOauthPluginEnabled", "label", "startPage", "startUrl"],
        required: &["externalClientApplication"],
    },
];

/// Enum-valued elements and their values.
pub const ENUMS: [(&str, &[&str]); 8] = [
    ("distributionState", &["Local", "Packaged"]),
    ("ipRelaxationPolicyType", &["Enforce", "Bypass", "Bypass_2factor", "Enforce_RelaxRefresh"]),
    ("permittedUsersPolicyType", &["AdminApprovedPreAuthorized", "AllSelfAuthorized"]),
    ("refreshTokenPolicyType", &["Infinite", "SpecificInactivity", "SpecificLifetime", "Zero"]),
    ("refreshTokenValidityUnit", &["Days", "Hours", "Months"]),
    ("requiredSessionLevel", &["HIGH_ASSURANCE", "LOW", "STANDARD"]),
    ("policyAction", &["Block", "RaiseSessionLevel"]),
    ("startPage", &["Custom", "None", "OAuth"]),
];

/// Metadata scope names and the OAuth scope tokens they grant.
pub const SCOPES: [(&str, &[&str]); 14] = [
    ("Basic", &["id"]),
    ("Api", &["api"]),
    ("Web", &["web"]),
    ("Full", &["full"]),
    ("Chatter", &["chatter_api"]),
    ("CustomApplications", &["visualforce"]),
    ("RefreshToken", &["refresh_token", "offline_access"]),
    ("OfflineAccess", &["refresh_token", "offline_access"]),
    ("OpenID", &["openid"]),
    ("Profile", &["profile"]),
    ("Email", &["email"]),
    ("Address", &["address"]),
    ("Phone", &["phone"]),
    ("CustomPermissions", &["custom_permissions"]),
];

pub fn type_by_folder(folder: &str) -> Option<&'static TypeRule> {
    TYPES.iter().find(|t| t.folder == folder)
}

pub fn type_by_name(name: &str) -> Option<&'static TypeRule> {
    TYPES.iter().find(|t| t.name == name)
}

/// Salesforce's rule for a developer name.
pub fn valid_api_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 80
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.contains("__")
        && !name.ends_with('_')
}
