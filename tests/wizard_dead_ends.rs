//! Issue 10 (the wizard's dead ends and small untruths), issue 14 item 3 (a secret typed into the wrong
//! field) and issue 12 item 3 (nothing slow on the UI thread): each test fails without its fix.

use std::time::{Duration, SystemTime};

use crate::ui_support::{KEY, SECRET, Wizard, ssh};

use sfconnect::wizard::progress::{Progress, looks_like_secret};
use sfconnect::wizard::steps::create_app::Row;
use sfconnect::wizard::steps::credentials::CredFocus;
use sfconnect::wizard::{Action, Msg, Step};

/// Issue 14 item 3: the consumer secret pasted into Consumer Key or Contact email was written to the
/// progress file, and stayed there.
#[test]
fn a_secret_typed_into_the_wrong_field_never_reaches_the_progress_file() {
    let mut w = Wizard::new(ssh());
    w.act(Action::Next).act(Action::Next);
    while w.state.create_app.row() != Row::Email {
        w.act(Action::Down);
    }
    w.send(Msg::Paste(SECRET.into()));
    assert_eq!(w.state.create_app.email.value(), SECRET, "the paste went into the email field");
    let json = serde_json::to_string(&Progress::from_state(&w.state, SystemTime::now())).unwrap();
    assert!(!json.contains(SECRET), "{json}");

    let mut w = Wizard::new(ssh());
    w.reach_credentials();
    w.send(Msg::Paste(SECRET.into())); // into Consumer Key: the screen says it looks like the secret
    assert_eq!(w.state.credentials.focus, CredFocus::Key);
    let progress = Progress::from_state(&w.state, SystemTime::now());
    let json = serde_json::to_string(&progress).unwrap();
    assert!(!json.contains(SECRET) && progress.client_id.is_empty(), "{json}");

    // The secret typed in its own field, and then inside another one: not saved either.
    w.act(Action::ClearField).send(Msg::Paste(KEY.into())).act(Action::FocusNext);
    w.send(Msg::Paste("s3cr3t-not-hex-but-typed".into()));
    w.state.create_app.name.set("Acme s3cr3t-not-hex-but-typed");
    let progress = Progress::from_state(&w.state, SystemTime::now());
    assert_eq!(progress.client_id, KEY, "the consumer key is kept: it is no secret");
    assert!(progress.app_name.is_empty(), "{progress:?}");

    // Tokens and the older numeric secrets are recognised by their shape.
    for secret in [
        SECRET,
        "1234567890123456789",
        "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrFHdbXCrOIdJOxDpZqTkHnrtGsYnmoatIMrzq4bXQ_mJPUjwS",
        "00D5g000004Xq2B!AQ0AQHvZ7s9N0yB4Lh3lB0AQ0AQHvZ7s9N0yB4Lh3lB",
    ] {
        assert!(looks_like_secret(secret, ""), "{secret}");
        assert!(looks_like_secret(&format!("admin@acme.com {secret}"), ""), "{secret}");
    }
    for plain in [KEY, "admin@acme.com", "https://acme.my.salesforce.com", "Snow Atlas integration", ""] {
        assert!(!looks_like_secret(plain, ""), "{plain}");
    }
}

/// Issue 14 item 3: a progress file written before the rule may still hold a secret: resuming does not
/// put it back on screen (where it would be saved again).
#[test]
fn a_secret_in_an_old_progress_file_is_not_put_back() {
    let mut w = Wizard::new(ssh());
    w.reach_credentials().send(Msg::Paste(KEY.into()));
    let mut progress = Progress::from_state(&w.state, SystemTime::now());
    progress.contact_email = SECRET.into();
    let mut fresh = Wizard::new(ssh());
    progress.apply(&mut fresh.state, SystemTime::now() + Duration::from_secs(5));
    assert_eq!(fresh.state.credentials.key.value(), KEY);
    assert!(fresh.state.create_app.email.is_empty());
    assert_eq!(fresh.state.step, Step::Start, "apply only fills the fields; the caller moves");
}
