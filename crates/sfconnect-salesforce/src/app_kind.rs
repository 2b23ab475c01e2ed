//! Which Salesforce object an app is: an External Client App (`ExternalClientApplication`, what Setup offers
//! since Spring '26) or a classic Connected App (`ConnectedApplication`). Files write it as its snake_case
//! id; the wording of Setup paths and fixes stays with the UI and the checks, as functions taking this type.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The kind of app. Serialised as `external_client_app` / `connected_app`, the ids settings and progress
/// files have always written, so older files still read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppKind {
    /// Offered first: Salesforce steers new apps there since Spring '26.
    #[default]
    ExternalClientApp,
    ConnectedApp,
}

impl AppKind {
    /// Every kind, in the order the wizard offers them.
    pub const ALL: [AppKind; 2] = [AppKind::ExternalClientApp, AppKind::ConnectedApp];

    /// The id files write (`external_client_app`, `connected_app`).
    pub fn id(self) -> &'static str {
        match self {
            AppKind::ExternalClientApp => "external_client_app",
            AppKind::ConnectedApp => "connected_app",
        }
    }

    /// The name Setup shows.
    pub fn label(self) -> &'static str {
        match self {
            AppKind::ExternalClientApp => "External Client App",
            AppKind::ConnectedApp => "Connected App",
        }
    }

    /// The other kind (the wizard's toggle, and "not a ..." wording).
    pub fn other(self) -> AppKind {
        match self {
            AppKind::ExternalClientApp => AppKind::ConnectedApp,
            AppKind::ConnectedApp => AppKind::ExternalClientApp,
        }
    }

    /// How long Salesforce may take to make a new or changed app live everywhere.
    pub fn propagation_limit(self) -> Duration {
        match self {
            // Salesforce help: ECA global OAuth settings are "distributed globally within 15 minutes".
            AppKind::ExternalClientApp => Duration::from_secs(15 * 60),
            // The vendor procedures: "up to 10 minutes".
            AppKind::ConnectedApp => Duration::from_secs(10 * 60),
        }
    }
}

impl fmt::Display for AppKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// An `app_kind` value that is neither kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown app kind `{0}`: expected external_client_app or connected_app")]
pub struct UnknownAppKind(pub String);

impl FromStr for AppKind {
    type Err = UnknownAppKind;

    /// The file id; the command line's kebab-case spelling (`external-client-app`) is read too.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let id = text.trim().replace('-', "_");
        AppKind::ALL.into_iter().find(|kind| kind.id() == id).ok_or_else(|| UnknownAppKind(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_serde_display_and_from_str() {
        for kind in AppKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.id()));
            assert_eq!(serde_json::from_str::<AppKind>(&json).unwrap(), kind);
            assert_eq!(kind.to_string().parse::<AppKind>().unwrap(), kind);
        }
        assert_eq!("external-client-app".parse::<AppKind>().unwrap(), AppKind::ExternalClientApp);
        let err = "canvas_app".parse::<AppKind>().unwrap_err();
        assert!(err.to_string().contains("external_client_app or connected_app"), "{err}");
        assert!(serde_json::from_str::<AppKind>("\"canvas_app\"").is_err());
    }
}
