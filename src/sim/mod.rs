//! sim: to be written.
