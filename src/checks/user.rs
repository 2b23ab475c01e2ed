//! The user behind the token: profile and licence (`user`), whether the profile is System Administrator
//! (`system_admin`), and whether the licence is Salesforce rather than Salesforce Platform (`licence_salesforce`).

use serde::Deserialize;

use super::Finding;

/// The query for the user with id `user_id` (an id, checked by the caller).
pub fn query(user_id: &str) -> String {
    format!(
        "SELECT Id, Username, Name, Email, IsActive, Profile.Name, Profile.UserLicense.Name FROM User WHERE Id = '{user_id}'"
    )
}

/// One User row with its profile and licence.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct UserRecord {
    #[serde(rename = "Username")]
    pub username: String,
    #[serde(rename = "Name", default)]
    pub name: String,
    #[serde(rename = "Profile")]
    pub profile: Option<ProfileRecord>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ProfileRecord {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "UserLicense")]
    pub licence: Option<LicenceName>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct LicenceName {
    #[serde(rename = "Name")]
    pub name: String,
}

impl UserRecord {
    pub fn profile_name(&self) -> Option<&str> {
        self.profile.as_ref().map(|p| p.name.as_str())
    }

    pub fn licence_name(&self) -> Option<&str> {
        self.profile.as_ref()?.licence.as_ref().map(|l| l.name.as_str())
    }
}

/// The standard profile's name. (Whether a non-English org reports it translated is unconfirmed.)
const SYSTEM_ADMINISTRATOR: &str = "System Administrator";

pub fn user(record: &UserRecord) -> Finding {
    Finding::Ok(format!(
        "{} ({}), profile {}, licence {}",
        record.name,
        record.username,
        record.profile_name().unwrap_or("not shown"),
        record.licence_name().unwrap_or("not shown")
    ))
}

pub fn system_admin(record: &UserRecord) -> Finding {
    match record.profile_name() {
        Some(SYSTEM_ADMINISTRATOR) => Finding::Ok("profile System Administrator".into()),
        Some(other) => Finding::problem(
            format!("profile {other}, not System Administrator"),
            "Authorize as a System Administrator, or give this user that profile: Setup > Users > Users > (user) \
             > Edit > Profile = System Administrator.",
        ),
        None => Finding::unknown("the profile could not be read", "Setup > Users > Users > (user): see Profile."),
    }
}

pub fn licence_salesforce(record: &UserRecord) -> Finding {
    match record.licence_name() {
        Some("Salesforce") => Finding::Ok("licence Salesforce".into()),
        Some(other) => Finding::problem(
            format!("licence {other}: the target needs a Salesforce licence (Salesforce Platform is not enough)"),
            "Setup > Users > Users > (user) > Edit: give the user a Salesforce user licence and a profile for it \
             (System Administrator, or a custom profile cloned from Standard User).",
        ),
        None => Finding::unknown("the licence could not be read", "Setup > Users > Users > (user): see User License."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(profile: &str, licence: &str) -> UserRecord {
        serde_json::from_value(serde_json::json!({
            "attributes": {"type": "User"},
            "Username": "a@b.c", "Name": "A B",
            "Profile": {"Name": profile, "UserLicense": {"Name": licence}},
        }))
        .unwrap()
    }

    #[test]
    fn platform_licence_and_custom_profile_are_problems() {
        let admin = record("System Administrator", "Salesforce");
        assert!(matches!(system_admin(&admin), Finding::Ok(_)));
        assert!(matches!(licence_salesforce(&admin), Finding::Ok(_)));
        let platform = record("Integration Platform User", "Salesforce Platform");
        assert!(
            matches!(licence_salesforce(&platform), Finding::Problem { ref detail, .. } if detail.contains("Salesforce Platform"))
        );
        assert!(matches!(system_admin(&platform), Finding::Problem { .. }));
        assert!(matches!(user(&platform), Finding::Ok(d) if d.contains("Integration Platform User")));
    }
}
