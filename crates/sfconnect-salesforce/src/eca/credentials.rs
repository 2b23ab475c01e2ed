//! Reading a new app's consumer key and secret back through the Connect REST OAuth credentials
//! resources (API 60.0+): `GET /apps/oauth/usage` finds the app's identifier by its developer name,
//! `GET /apps/oauth/credentials/{app}` lists its consumers, and `GET /apps/oauth/credentials/{app}/
//! {consumer}?part=keyandsecret` gives the pair. The secret part needs the org's "Allow access to
//! External Client App consumer secrets via REST API" and the user's "View Client Secret".
//!
//! Response fields as sfdx-hardis reads them (`apps[].developerName/identifier`, `consumers[].id/key/name`,
//! `key`/`secret`), which Salesforce's reference names but does not spell out (docs/protocol.md).

use serde::Deserialize;

use super::keys::ConsumerKey;
use super::package::PACKAGE_API_VERSION;
use crate::errors::Error;
use crate::rest::RestClient;
use crate::secret::ClientSecret;

fn base() -> String {
    format!("/services/data/v{PACKAGE_API_VERSION}/apps/oauth")
}

/// An app in the OAuth usage list.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OAuthApp {
    #[serde(default, alias = "name")]
    pub developer_name: String,
    pub identifier: String,
    #[serde(default)]
    pub label: Option<String>,
}

/// A consumer (one key and secret) of an app.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Consumer {
    pub id: String,
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// The apps the org lists under OAuth usage.
pub async fn oauth_apps(rest: &RestClient) -> Result<Vec<OAuthApp>, Error> {
    #[derive(Deserialize)]
    struct Usage {
        #[serde(default)]
        apps: Vec<OAuthApp>,
    }
    let usage: Usage = rest.get_json(&format!("{}/usage", base())).await?;
    Ok(usage.apps)
}

/// The app named `developer_name` (compared without case, as Salesforce compares API names).
pub async fn find_app(rest: &RestClient, developer_name: &str) -> Result<Option<OAuthApp>, Error> {
    Ok(oauth_apps(rest).await?.into_iter().find(|a| a.developer_name.eq_ignore_ascii_case(developer_name)))
}

fn segment(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

pub async fn consumers(rest: &RestClient, app: &OAuthApp) -> Result<Vec<Consumer>, Error> {
    #[derive(Deserialize)]
    struct Credentials {
        #[serde(default)]
        consumers: Vec<Consumer>,
    }
    let list: Credentials = rest.get_json(&format!("{}/credentials/{}", base(), segment(&app.identifier))).await?;
    Ok(list.consumers)
}

/// The key and secret of one consumer.
pub async fn key_and_secret(
    rest: &RestClient,
    app: &OAuthApp,
    consumer: &Consumer,
) -> Result<(ConsumerKey, ClientSecret), Error> {
    #[derive(Deserialize)]
    struct Pair {
        #[serde(alias = "consumerKey")]
        key: String,
        #[serde(alias = "consumerSecret")]
        secret: String,
    }
    let url =
        format!("{}/credentials/{}/{}?part=keyandsecret", base(), segment(&app.identifier), segment(&consumer.id));
    let pair: Pair = rest.get_json(&url).await?;
    Ok((ConsumerKey::from_org(pair.key), ClientSecret::new(pair.secret)))
}

/// What reading the credentials back gave.
#[derive(Debug)]
pub enum ReadBack {
    Pair {
        key: ConsumerKey,
        secret: ClientSecret,
    },
    /// The usage list does not show the app (yet).
    AppNotListed,
    /// The app has no consumer.
    NoConsumer,
}

/// Reads the pair of `app_name`, preferring the consumer whose key is `key_hint`.
pub async fn read_back(rest: &RestClient, app_name: &str, key_hint: Option<&str>) -> Result<ReadBack, Error> {
    let Some(app) = find_app(rest, app_name).await? else { return Ok(ReadBack::AppNotListed) };
    let list = consumers(rest, &app).await?;
    let consumer = key_hint.and_then(|k| list.iter().find(|c| c.key.as_deref() == Some(k))).or_else(|| list.first());
    let Some(consumer) = consumer else { return Ok(ReadBack::NoConsumer) };
    let (key, secret) = key_and_secret(rest, &app, consumer).await?;
    Ok(ReadBack::Pair { key, secret })
}

/// True when an error means the org does not hand out secrets over REST ("Allow access to External
/// Client App consumer secrets via REST API" off, or the user lacks "View Client Secret"). The wording
/// is matched as sfdx-hardis matches it; Salesforce documents no error code for it.
pub fn is_rest_access_off(error: &Error) -> bool {
    let text = match error {
        Error::Rest(e) => format!("{} {}", e.code, e.message),
        Error::AskedToWait { answer, .. } => return is_rest_access_off(answer),
        _ => return false,
    }
    .to_ascii_lowercase();
    ["not currently enabled", "feature is not enabled", "not enabled for this user", "functionality_not_enabled"]
        .iter()
        .any(|phrase| text.contains(phrase))
}
