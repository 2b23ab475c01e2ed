//! The settings error type. Owns the wording of every settings failure; must not format a value from a
//! settings file into a message (values may be secrets), only field names, paths and positions.

use std::path::PathBuf;

use super::Format;

/// Where the settings text came from, for messages: "settings file /x.json" or "settings text".
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    Text,
    File(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Text => f.write_str("settings text"),
            Origin::File(path) => write!(f, "settings file {}", path.display()),
        }
    }
}

impl Origin {
    /// The command that writes a fresh file, for "run this to fix it" hints.
    pub(crate) fn fresh_file_hint(&self) -> String {
        match self {
            Origin::Text => "run `sfconnect exchange` again to get fresh settings".to_owned(),
            Origin::File(path) => {
                format!("run `sfconnect exchange ... --output {} --force` to write a fresh one", path.display())
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The text is not valid in its format (a hand-edited file with a stray quote, say).
    #[error("{origin}, line {line}, column {column}: {message} ({format} format); fix the line or {fix}")]
    Syntax { origin: String, format: Format, line: usize, column: usize, message: String, fix: String },
    #[error("{origin}: `{field}` is missing; {fix}")]
    MissingField { origin: String, field: &'static str, fix: String },
    #[error("{origin}: `{field}` {problem}")]
    InvalidField { origin: String, field: &'static str, problem: String },
    #[error(
        "{origin}: could not tell its format (expected JSON, KEY=\"value\" lines, `export KEY='value'` lines, \
         TOML or a force:// URL); pass the format explicitly"
    )]
    UnknownFormat { origin: String },
    #[error("unknown settings format `{0}`; use one of: json, env, toml, shell, sfdx-url")]
    UnknownFormatName(String),
    #[error("{path}: a file is already there; pass --force to replace it, or choose another --output")]
    AlreadyExists { path: PathBuf },
    #[error("{folder}: the folder does not exist; create it first (mkdir -p {folder}) or choose another --output")]
    MissingFolder { folder: PathBuf },
    #[error(
        "{path}: is a symbolic link; sfconnect does not write through links, so it cannot end up in somebody \
         else's file; remove the link or give the real path with --output"
    )]
    Symlink { path: PathBuf },
    #[error("{path}: is not a regular file; choose a file path with --output")]
    NotAFile { path: PathBuf },
    #[error("{path}: is not a regular file (a pipe, a device or a folder); give the settings file itself")]
    NotRegular { path: PathBuf },
    #[error("{path}: is larger than {limit} bytes, far more than settings take; is it the right file?")]
    TooLarge { path: PathBuf, limit: u64 },
    #[error("{folder}: no room for the settings file ({source}); free some space or choose another --output")]
    NoRoom {
        folder: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path}: belongs to another user, in a folder where only a file's owner may replace it (sticky bit); \
         choose another --output"
    )]
    NotOurs { path: PathBuf },
    /// The serializer refused the settings (its message names no value).
    #[error("the settings could not be written as {format}: {message}")]
    Render { format: Format, message: String },
    #[error("{path}: could not {action}: {source}")]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },
}

/// 1-based line and column (in characters) of a byte offset, for messages an editor can jump to.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// Removes quoted values from a parser's message: serde says `invalid type: string "…"`, and the value
/// could be a secret typed into the wrong field. Back-ticked names (fields, variants) are kept.
pub(crate) fn without_values(message: &str) -> String {
    // serde's "invalid type: integer `2988…`, expected a string" shows the value in backticks before
    // ", expected": a secret typed as a number must not be echoed. (Field names in backticks elsewhere, as
    // in "missing field `client_id`", stay.)
    let message = match message.split_once(", expected") {
        Some((head, tail)) if head.starts_with("invalid type") || head.starts_with("invalid value") => {
            let head: String =
                head.split('`').enumerate().map(|(i, part)| if i % 2 == 1 { "…" } else { part }).collect();
            format!("{head}, expected{tail}")
        }
        _ => message.to_string(),
    };
    let mut out = String::with_capacity(message.len());
    let mut inside = false;
    for c in message.chars() {
        if c == '"' {
            if !inside {
                out.push_str("\"…");
            } else {
                out.push('"');
            }
            inside = !inside;
        } else if !inside {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "a\nbé = x\n";
        assert_eq!(line_column(text, 0), (1, 1));
        let x = text.find('x').unwrap_or_default();
        assert_eq!(line_column(text, x), (2, 6));
    }

    #[test]
    fn quoted_values_are_removed_from_parser_messages() {
        let message = without_values("invalid type: string \"5Aep861SECRET\", expected a sequence");
        assert_eq!(message, "invalid type: string \"…\", expected a sequence");
        assert_eq!(without_values("unknown field `scope`"), "unknown field `scope`");
        // A secret written as a number is shown in backticks by serde: not echoed either.
        let number = without_values("invalid type: integer `2988968779741067`, expected a string");
        assert_eq!(number, "invalid type: integer …, expected a string");
    }
}
