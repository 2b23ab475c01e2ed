//! The demo's org follows what its user was told to create: in a real run the admin types the app's kind,
//! name and flags into Setup, and Salesforce's objects and token rows then name that app. The demo has no
//! Setup to type into, so the app the create step describes is handed to the demo org (through a hook the
//! command line gives, so the runtime does not know the simulator) each time it changes. Without this the
//! checks looked for an External Client App the demo org did not have, and the device flow worked although
//! the step said to leave it off.

use crate::checks::AppKind;
use crate::wizard::State;
use crate::wizard::steps::create_app;

/// The app the create step tells the user to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAppShape {
    pub kind: AppKind,
    /// The name Setup shows (the label).
    pub name: String,
    pub api_name: String,
    /// "Enable Device Flow" (External Client App) or "Enable for Device Flow" (Connected App) ticked.
    pub device_flow: bool,
    /// IP relaxation as sfconnect sets it for the target (`app create` makes the same choice).
    pub relax_ip: bool,
}

impl DemoAppShape {
    pub fn of(state: &State) -> DemoAppShape {
        // "Create it for me" makes the app through a deploy: the app the demo org started with (the one a
        // click-through would have made) steps out of its way under a name of its own, so the deploy's name is
        // free, and both keep working (the simulator serves every app of its org; setting up renames only the
        // demo org's own app, never the deployed one).
        let for_me = &state.create_app.for_me;
        if for_me.active() || for_me.made.is_some() {
            return DemoAppShape {
                kind: AppKind::ExternalClientApp,
                name: "Demo org's first app".into(),
                api_name: "Demo_Org_First_App".into(),
                device_flow: true,
                relax_ip: false,
            };
        }
        let name = create_app::app_name_of(state);
        DemoAppShape {
            kind: state.create_app.kind,
            api_name: create_app::api_name(&name),
            name,
            device_flow: state.create_app.device_flow,
            relax_ip: state.preset().is_some_and(crate::presets::Preset::checks_ip_relaxation),
        }
    }
}

/// What sets the demo org's app up (the command line builds it around the simulator).
#[derive(Clone)]
pub struct DemoSetup(pub std::sync::Arc<dyn Fn(&DemoAppShape) + Send + Sync>);

impl std::fmt::Debug for DemoSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DemoSetup")
    }
}

/// Hands the app to the demo org when it differs from the one handed last.
pub struct DemoOrgSync {
    setup: DemoSetup,
    last: Option<DemoAppShape>,
}

impl DemoOrgSync {
    pub fn new(setup: DemoSetup) -> Self {
        DemoOrgSync { setup, last: None }
    }

    /// Called after every batch of messages; an in-process call, it does no I/O.
    pub fn note(&mut self, state: &State) {
        let shape = DemoAppShape::of(state);
        if self.last.as_ref() != Some(&shape) {
            (self.setup.0)(&shape);
            self.last = Some(shape);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn state_with(preset: &str) -> State {
        let (presets, _) = crate::presets::load_all(None);
        let mut state = State::new(presets, crate::wizard::Surroundings::default(), std::time::Instant::now());
        state.start.preset_index = state.presets.iter().position(|p| p.id == preset).unwrap();
        state.apply_preset();
        state
    }

    #[test]
    fn the_demo_org_gets_the_app_the_create_step_describes_once_per_change() {
        let handed = Arc::new(Mutex::new(Vec::<DemoAppShape>::new()));
        let sink = handed.clone();
        let mut sync =
            DemoOrgSync::new(DemoSetup(Arc::new(move |s: &DemoAppShape| sink.lock().unwrap().push(s.clone()))));
        let mut state = state_with("generic");
        sync.note(&state);
        sync.note(&state);
        {
            let handed = handed.lock().unwrap();
            assert_eq!(handed.len(), 1, "unchanged: handed once");
            let shape = &handed[0];
            assert_eq!(shape.kind, AppKind::ExternalClientApp, "the create step's default kind");
            assert_eq!(shape.name, create_app::app_name_of(&state));
            assert_eq!(shape.api_name, create_app::api_name(&shape.name));
            assert!(!shape.device_flow, "generic does not ask for the device flow");
        }
        state.create_app.kind = create_app::AppKind::ConnectedApp;
        sync.note(&state);
        assert_eq!(handed.lock().unwrap()[1].kind, AppKind::ConnectedApp);

        let snow = DemoAppShape::of(&state_with("snow-atlas"));
        assert!(snow.device_flow, "Snow Atlas asks for the device flow");
        let ampersand = DemoAppShape::of(&state_with("ampersand"));
        assert!(ampersand.relax_ip, "Ampersand checks IP relaxation");
    }

    #[test]
    fn create_it_for_me_moves_the_demo_orgs_first_app_out_of_the_way_and_leaves_the_deployed_one_be() {
        let mut state = state_with("snow-atlas");
        let described = DemoAppShape::of(&state);
        state.create_app.for_me.phase = create_app::creation::Phase::Finding;
        let moved = DemoAppShape::of(&state);
        assert_ne!(moved.api_name, described.api_name, "the name is free for the deploy");
        state.create_app.for_me.phase = create_app::creation::Phase::Off;
        state.create_app.for_me.made = Some(create_app::creation::Made {
            app_name: described.api_name.clone(),
            org_name: "Acme".into(),
            session: "the demo org's admin".into(),
            secret_source: crate::salesforce::eca::create::SecretSource::WrittenAndConfirmed,
        });
        state.create_app.name.set(&described.api_name);
        state.create_app.device_flow = false;
        assert_eq!(DemoAppShape::of(&state), moved, "nothing is handed again: the deployed app keeps its shape");
    }
}
