//! The system clipboard behind a small trait, so the fallback logic can be tested without a display.
//! Owns the arboard calls; must not pick a method or write to the terminal.

/// The three things we ask of a system clipboard. Errors are arboard's messages (never the contents).
/// `Send`: the runtime calls it from its worker thread, never from the UI thread (an X11 round trip can
/// take a while).
pub(crate) trait SystemClipboard: Send {
    fn set_text(&mut self, text: &str) -> Result<(), String>;
    fn get_text(&mut self) -> Result<String, String>;
    fn clear(&mut self) -> Result<(), String>;
}

pub(crate) type Opener = fn() -> Result<Box<dyn SystemClipboard>, String>;

struct Arboard(arboard::Clipboard);

impl SystemClipboard for Arboard {
    fn set_text(&mut self, text: &str) -> Result<(), String> {
        self.0.set_text(text).map_err(|err| err.to_string())
    }

    fn get_text(&mut self) -> Result<String, String> {
        self.0.get_text().map_err(|err| err.to_string())
    }

    fn clear(&mut self) -> Result<(), String> {
        self.0.clear().map_err(|err| err.to_string())
    }
}

pub(crate) fn open_arboard() -> Result<Box<dyn SystemClipboard>, String> {
    arboard::Clipboard::new()
        .map(|clipboard| Box::new(Arboard(clipboard)) as Box<dyn SystemClipboard>)
        .map_err(|err| err.to_string())
}
