//! settings: to be written.
