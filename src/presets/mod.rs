//! presets: to be written.
