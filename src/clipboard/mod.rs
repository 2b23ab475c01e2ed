//! clipboard: to be written.
