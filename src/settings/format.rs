//! The output formats and their names on the command line. Owns only names and file extensions; rendering
//! and parsing live in `render.rs` and `parse.rs`.

use std::path::Path;
use std::str::FromStr;

use super::Error;

/// A settings format. [`Format::Json`] is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// Pretty-printed JSON with the keys `client_id`, `client_secret`, ….
    #[default]
    Json,
    /// `SALESFORCE_CLIENT_ID="…"` lines (dotenv style, double-quoted with backslash escapes).
    Env,
    /// TOML with the same keys as JSON.
    Toml,
    /// `export SALESFORCE_CLIENT_ID='…'` lines for `source` in a POSIX shell.
    Shell,
    /// One `force://CLIENT_ID:CLIENT_SECRET:REFRESH_TOKEN@HOST` line for `sf org login sfdx-url`.
    SfdxUrl,
}

impl Format {
    /// Every format, in the order help text lists them.
    pub fn all() -> [Format; 5] {
        [Format::Json, Format::Env, Format::Toml, Format::Shell, Format::SfdxUrl]
    }

    /// The name on the command line: `json`, `env`, `toml`, `shell`, `sfdx-url`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Env => "env",
            Format::Toml => "toml",
            Format::Shell => "shell",
            Format::SfdxUrl => "sfdx-url",
        }
    }

    /// The file extension of a default output file, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Env => "env",
            Format::Toml => "toml",
            Format::Shell => "sh",
            Format::SfdxUrl => "txt",
        }
    }

    /// The format a file's extension suggests, if any.
    pub fn from_extension(extension: &str) -> Option<Format> {
        match extension.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "env" => Some(Format::Env),
            "toml" => Some(Format::Toml),
            "sh" | "bash" => Some(Format::Shell),
            _ => None,
        }
    }

    /// The format a file's name suggests, if any: its extension (`x.env`, `x.toml`, `x.sh`, `x.json`), or else
    /// a dotenv file's name (`.env`, which has no extension as `Path` counts them, or `.env.local`). `--output`
    /// without `--format` follows this, so a file's name and its content agree.
    pub fn from_path(path: &Path) -> Option<Format> {
        if let Some(format) = path.extension().and_then(|e| e.to_str()).and_then(Format::from_extension) {
            return Some(format);
        }
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        (name == ".env" || name.starts_with(".env.")).then_some(Format::Env)
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let wanted = name.trim().to_ascii_lowercase();
        match wanted.as_str() {
            "sh" | "export" => return Ok(Format::Shell),
            "dotenv" => return Ok(Format::Env),
            "sfdx" | "sfdxurl" | "sfdx_url" => return Ok(Format::SfdxUrl),
            _ => {}
        }
        Format::all()
            .into_iter()
            .find(|format| format.name() == wanted)
            .ok_or_else(|| Error::UnknownFormatName(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_and_json_is_the_default() {
        for format in Format::all() {
            assert_eq!(format.name().parse::<Format>().ok(), Some(format));
        }
        assert_eq!(Format::default(), Format::Json);
    }

    #[test]
    fn a_path_names_its_format_by_extension_or_dotenv_name() {
        let cases = [
            ("x.env", Some(Format::Env)),
            ("dir/x.TOML", Some(Format::Toml)),
            ("x.sh", Some(Format::Shell)),
            ("x.json", Some(Format::Json)),
            (".env", Some(Format::Env)),
            ("/tmp/.env.local", Some(Format::Env)),
            (".env.toml", Some(Format::Toml)),
            ("settings", None),
            ("notes.txt", None),
        ];
        for (path, want) in cases {
            assert_eq!(Format::from_path(Path::new(path)), want, "{path}");
        }
    }

    #[test]
    fn an_unknown_name_lists_the_choices() {
        let err = "yaml".parse::<Format>().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("`yaml`") && err.contains("sfdx-url"), "{err}");
    }
}
