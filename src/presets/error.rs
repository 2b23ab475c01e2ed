//! The preset error type. Owns the `file:line:column: what is wrong` wording; must not read files.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum PresetError {
    /// Something wrong at a place in the file: a TOML syntax error, an unknown field, an unknown check id.
    #[error("{}:{line}:{column}: {message}", path.display())]
    At { path: PathBuf, line: usize, column: usize, message: String },
    #[error("{}: could not read it: {source}; check that it is a readable file", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: preset id `{id}` is already used by {}; give one of them another id", path.display(), first.display())]
    DuplicateId { path: PathBuf, id: String, first: PathBuf },
}

impl PresetError {
    /// An error at byte `offset` of `text`.
    pub(crate) fn at(path: &Path, text: &str, offset: usize, message: String) -> Self {
        let (line, column) = line_column(text, offset);
        PresetError::At { path: path.to_owned(), line, column, message }
    }
}

/// 1-based line and column (in characters) of a byte offset, as editors count them.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}
