//! The state of "Create it for me" on step 3: where it is ([`Phase`]), the stages a creation goes through
//! ([`Stage`]), the sessions found, the pasted token's field, and the app made. Plain data; the handlers are
//! in [`super::for_me`].

use std::time::Instant;

use crate::salesforce::eca::create::SecretSource;
use crate::wizard::msg::{CreateRefusal, OfferedSession, SessionOffer};
use crate::wizard::text::TextField;

/// The stages of the creation, in order, as the screen lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Session,
    Preflight,
    DryRun,
    Deploy,
    Credentials,
}

impl Stage {
    pub const ALL: [Stage; 5] = [Stage::Session, Stage::Preflight, Stage::DryRun, Stage::Deploy, Stage::Credentials];

    pub fn label(self) -> &'static str {
        match self {
            Stage::Session => "Reading the session and checking it is this org's",
            Stage::Preflight => "Checking your permissions, the edition and the name",
            Stage::DryRun => "Dry run (a checkOnly deploy: creates nothing)",
            Stage::Deploy => "Deploying the app",
            Stage::Credentials => "Reading the consumer key and secret back",
        }
    }
}

/// Where "Create it for me" is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Phase {
    /// Not chosen: the click-through shows.
    #[default]
    Off,
    /// The runtime looks for sessions.
    Finding,
    /// The sessions found, and "paste a token".
    Pick,
    /// A masked field for a token.
    Paste,
    Running {
        started: Instant,
        stage: Stage,
        /// Components deployed of the total, from the last status read.
        components: Option<(u32, u32)>,
        /// The org refused a written secret: the package goes again without one.
        secret_retry: bool,
        /// Esc was pressed during the deploy: the screen asks whether to stop waiting.
        asking_stop: bool,
    },
    Failed(CreateRefusal),
    /// The user stopped waiting during the deploy: it may still finish in the org.
    Stopped,
}

#[derive(Debug, Clone, Default)]
pub struct ForMe {
    pub phase: Phase,
    pub offers: Vec<SessionOffer>,
    /// Over the offers, then "paste a token".
    pub cursor: usize,
    pub token: TextField,
    pub reveal: bool,
    pub token_error: Option<String>,
    /// The session last used, to try again with (a pasted one is asked again).
    pub last: Option<OfferedSession>,
    /// The app this step made, once made.
    pub made: Option<Made>,
}

/// What the screens show of the app made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Made {
    pub app_name: String,
    pub org_name: String,
    pub session: String,
    pub secret_source: SecretSource,
}

impl ForMe {
    pub fn active(&self) -> bool {
        self.phase != Phase::Off
    }

    pub fn busy(&self) -> bool {
        matches!(self.phase, Phase::Running { .. } | Phase::Finding)
    }

    /// True once the deploy may have created something: stopping then leaves the app to the org.
    pub fn past_dry_run(&self) -> bool {
        matches!(self.phase, Phase::Running { stage: Stage::Deploy | Stage::Credentials, .. })
    }
}
