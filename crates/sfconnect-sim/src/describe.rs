//! Describe for the objects in `sobjects.rs`: global describe (`/sobjects`), an object's basic information
//! (`/sobjects/User`) and its full describe (`/sobjects/User/describe`), in the shapes of Salesforce's REST guide
//! ("Get a List of Objects", "Describe an Object"). Fields come from the same table the SOQL engine reads, with a
//! type for each; what an object lacks in this org (a missing permission column) is left out, as a query refuses it.
//! The simulator only reads, so every object says it cannot be created, updated or deleted.

use serde_json::{Map, Value, json};

use super::org::OrgFixture;
use super::sobjects::{SObject, objects};

/// What describe says of an object beyond its fields.
struct ObjectLabels {
    label: &'static str,
    plural: &'static str,
    key_prefix: Option<&'static str>,
}

fn labels(object: &SObject) -> ObjectLabels {
    let (label, plural, key_prefix) = match object.name {
        "Organization" => ("Organization", "Organizations", Some("00D")),
        "User" => ("User", "Users", Some("005")),
        "Profile" => ("Profile", "Profile", Some("00e")),
        "UserLicense" => ("User License", "User Licenses", Some("100")),
        "PermissionSet" => ("Permission Set", "Permission Sets", Some("0PS")),
        "PermissionSetAssignment" => ("Permission Set Assignment", "Permission Set Assignments", Some("0Pa")),
        // OauthToken rows have no id (protocol notes §6), so no key prefix.
        "OauthToken" => ("OAuth Token", "OAuth Tokens", None),
        "ConnectedApplication" => ("Connected App", "Connected Apps", Some("0H4")),
        // An object added to `sobjects.rs` without labels here is labelled by its API name.
        other => (other, other, None),
    };
    ObjectLabels { label, plural, key_prefix }
}

/// The key prefix of the object's ids (`005` for User), where it has one.
pub fn key_prefix(object: &SObject) -> Option<&'static str> {
    labels(object).key_prefix
}

/// The object named `name`, matched as Salesforce matches names: without regard to case.
pub fn find(name: &str) -> Option<&'static SObject> {
    objects().iter().find(|o| o.name.eq_ignore_ascii_case(name))
}

/// The object's own fields (no relationship paths) that this org has, in table order.
pub fn own_fields<'a>(object: &'a SObject, org: &'a OrgFixture) -> impl Iterator<Item = &'static str> + 'a {
    object.fields.iter().copied().filter(move |f| !f.contains('.') && org.has_column(f))
}

/// The entry of one object in global describe, also `objectDescribe` in its basic information.
fn brief(object: &SObject, version: &str) -> Value {
    let labels = labels(object);
    let base = format!("/services/data/{version}/sobjects/{}", object.name);
    json!({
        "activateable": false,
        "createable": false,
        "custom": false,
        "customSetting": false,
        "deletable": false,
        "deprecatedAndHidden": false,
        "feedEnabled": false,
        "hasSubtypes": false,
        "isSubtype": false,
        "keyPrefix": labels.key_prefix,
        "label": labels.label,
        "labelPlural": labels.plural,
        "layoutable": false,
        "mergeable": false,
        "mruEnabled": false,
        "name": object.name,
        "queryable": true,
        "replicateable": false,
        "retrieveable": object.name != "OauthToken",
        "searchable": false,
        "triggerable": false,
        "undeletable": false,
        "updateable": false,
        "urls": {
            "sobject": base,
            "describe": format!("{base}/describe"),
            "rowTemplate": format!("{base}/{{ID}}"),
        },
    })
}

/// `GET /sobjects`
pub fn global(version: &str) -> Value {
    let sobjects: Vec<Value> = objects().iter().map(|o| brief(o, version)).collect();
    json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": sobjects})
}

/// `GET /sobjects/{object}`: its brief and the records the user saw lately (none, for the simulator).
pub fn basic_info(object: &SObject, version: &str) -> Value {
    json!({"objectDescribe": brief(object, version), "recentItems": []})
}

/// `GET /sobjects/{object}/describe`
pub fn full(object: &SObject, org: &OrgFixture, version: &str) -> Value {
    let mut body = match brief(object, version) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let fields: Vec<Value> = own_fields(object, org).map(|f| field(object, f)).collect();
    body.insert("fields".into(), Value::Array(fields));
    body.insert("childRelationships".into(), json!([]));
    body.insert("recordTypeInfos".into(), json!([]));
    body.insert("supportedScopes".into(), json!([]));
    body.insert("actionOverrides".into(), json!([]));
    body.insert("namedLayoutInfos".into(), json!([]));
    body.insert("networkScopeFieldName".into(), Value::Null);
    body.insert("listviewable".into(), Value::Null);
    body.insert("lookupLayoutable".into(), Value::Null);
    body.insert("searchLayoutable".into(), json!(false));
    body.insert("compactLayoutable".into(), json!(false));
    body.insert("defaultImplementation".into(), Value::Null);
    body.insert("implementedBy".into(), Value::Null);
    body.insert("implementsInterfaces".into(), Value::Null);
    body.insert("sobjectDescribeOption".into(), json!("FULL"));
    Value::Object(body)
}

/// A field's describe type, from its name: the simulated objects follow Salesforce's naming closely enough
/// (`Is…`/`Options…`/`Permissions…` are checkboxes, `…Id` a lookup, `…Date` a date-time).
pub fn field_type(name: &str) -> &'static str {
    match name {
        "Id" => "id",
        "Email" => "email",
        "StartUrl" | "MobileStartUrl" => "url",
        "UsedLicenses" | "TotalLicenses" | "UseCount" | "RefreshTokenValidityPeriod" => "int",
        "LanguageLocaleKey"
        | "TimeZoneSidKey"
        | "DefaultLocaleSidKey"
        | "UserType"
        | "OrganizationType"
        | "Status"
        | "Type"
        | "Country"
        | "MobileSessionTimeout"
        | "PinLength"
        | "NamedUserUvidTimeout" => "picklist",
        _ if name.ends_with("Id") => "reference",
        _ if name.starts_with("Is") || name.starts_with("Options") || name.starts_with("Permissions") => "boolean",
        _ if name.ends_with("Date") => "datetime",
        _ => "string",
    }
}

/// The object a lookup field points to and the relationship name a query uses for it.
fn reference(object: &SObject, name: &str) -> Option<(&'static str, String)> {
    let relationship = name.strip_suffix("Id")?;
    let target = match relationship {
        "Assignee" | "User" => "User",
        "AppMenuItem" => "AppMenuItem",
        _ => objects().iter().find(|o| o.name == relationship).map(|o| o.name)?,
    };
    // A relationship name is only offered where a query can follow it.
    let followable = object.fields.iter().any(|f| f.starts_with(&format!("{relationship}.")));
    Some((target, if followable { relationship.to_string() } else { String::new() }))
}

fn field(object: &SObject, name: &'static str) -> Value {
    let kind = field_type(name);
    let (soap_type, length, byte_length) = match kind {
        "id" | "reference" => ("tns:ID", 18, 18),
        "boolean" => ("xsd:boolean", 0, 0),
        "int" => ("xsd:int", 0, 0),
        "datetime" => ("xsd:dateTime", 0, 0),
        "email" | "url" => ("xsd:string", 255, 765),
        "picklist" => ("xsd:string", 40, 120),
        _ => ("xsd:string", 255, 765),
    };
    let (reference_to, relationship_name) = match reference(object, name).filter(|_| kind == "reference") {
        Some((target, relationship)) => {
            (json!([target]), if relationship.is_empty() { Value::Null } else { json!(relationship) })
        }
        None => (json!([]), Value::Null),
    };
    json!({
        "aggregatable": kind != "boolean",
        "autoNumber": false,
        "byteLength": byte_length,
        "calculated": false,
        "cascadeDelete": false,
        "caseSensitive": false,
        "createable": false,
        "custom": false,
        "defaultValue": if kind == "boolean" { json!(false) } else { Value::Null },
        "defaultedOnCreate": kind == "boolean" || kind == "id",
        "digits": if kind == "int" { 9 } else { 0 },
        "externalId": false,
        "filterable": true,
        "groupable": !matches!(kind, "datetime" | "int"),
        "idLookup": kind == "id",
        "label": label_of(name),
        "length": length,
        "name": name,
        "nameField": name == "Name",
        "nillable": !matches!(kind, "id" | "boolean"),
        "permissionable": false,
        "picklistValues": [],
        "precision": 0,
        "referenceTo": reference_to,
        "relationshipName": relationship_name,
        "relationshipOrder": Value::Null,
        "scale": 0,
        "soapType": soap_type,
        "sortable": true,
        "type": kind,
        "unique": false,
        "updateable": false,
    })
}

/// "Profile ID" for `ProfileId`, "Is Active" for `IsActive`: the API name split into words, as a stand-in for
/// the org's labels.
fn label_of(name: &str) -> String {
    let name = name.strip_prefix("Permissions").unwrap_or(name);
    let mut label = String::new();
    for (i, c) in name.char_indices() {
        let boundary = c.is_ascii_uppercase() && name[..i].chars().last().is_some_and(|p| p.is_ascii_lowercase());
        if boundary {
            label.push(' ');
        }
        label.push(c);
    }
    match label.strip_suffix(" Id") {
        Some(stem) => format!("{stem} ID"),
        None if label == "Id" => "Record ID".to_string(),
        None => label,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_typed_as_salesforce_types_them() {
        assert_eq!(field_type("Id"), "id");
        assert_eq!(field_type("ProfileId"), "reference");
        assert_eq!(field_type("IsActive"), "boolean");
        assert_eq!(field_type("PermissionsApiEnabled"), "boolean");
        assert_eq!(field_type("CreatedDate"), "datetime");
        assert_eq!(field_type("UsedLicenses"), "int");
        assert_eq!(field_type("Username"), "string");
        assert_eq!(label_of("ProfileId"), "Profile ID");
        assert_eq!(label_of("PermissionsApiEnabled"), "Api Enabled");
    }

    #[test]
    fn a_lookup_names_its_target_and_relationship() {
        let org = OrgFixture::default();
        let user = find("user").unwrap();
        let body = full(user, &org, "v66.0");
        let profile_id = body["fields"].as_array().unwrap().iter().find(|f| f["name"] == "ProfileId").unwrap();
        assert_eq!(profile_id["referenceTo"], json!(["Profile"]));
        assert_eq!(profile_id["relationshipName"], "Profile");
        assert!(body["fields"].as_array().unwrap().iter().all(|f| !f["name"].as_str().unwrap().contains('.')));
    }

    #[test]
    fn a_column_this_org_lacks_is_not_described() {
        let mut org = OrgFixture::default();
        org.missing_columns.push("PermissionsUseAnyApiClient".into());
        let body = full(find("PermissionSet").unwrap(), &org, "v66.0");
        let names: Vec<&str> = body["fields"].as_array().unwrap().iter().filter_map(|f| f["name"].as_str()).collect();
        assert!(names.contains(&"PermissionsApiEnabled"));
        assert!(!names.contains(&"PermissionsUseAnyApiClient"));
    }
}
