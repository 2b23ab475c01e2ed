//! Reading secrets the safe ways: an environment variable, a file, standard input, or a no-echo prompt.
//! Never a command-line value: argv is visible to every user of the machine (`ps`, /proc).

use std::io::{IsTerminal, Read};
use std::path::Path;

use super::Failure;
use super::args::SecretArgs;
use crate::salesforce::ClientSecret;

/// The environment variable that may hold the consumer secret.
pub const SECRET_ENV: &str = "SFCONNECT_CLIENT_SECRET";

/// Whether a secret must be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Required,
    Optional,
}

/// Finds the consumer secret: --no-client-secret, the file, the environment, then a prompt on a terminal.
pub fn client_secret(args: &SecretArgs, need: Need) -> Result<Option<ClientSecret>, Failure> {
    if args.no_client_secret {
        return Ok(None);
    }
    if let Some(path) = &args.client_secret_file {
        return read_secret_file(path).map(Some);
    }
    if let Ok(value) = std::env::var(SECRET_ENV) {
        let value = value.trim().to_string();
        if !value.is_empty() {
            return checked(value, SECRET_ENV).map(Some);
        }
    }
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        let typed = rpassword::prompt_password("Consumer secret (input hidden): ").map_err(|e| {
            Failure::failed(format!("could not read the consumer secret: {e}"), "set SFCONNECT_CLIENT_SECRET instead")
        })?;
        let typed = typed.trim().to_string();
        if typed.is_empty() && need == Need::Optional {
            return Ok(None);
        }
        return checked(typed, "the prompt").map(Some);
    }
    match need {
        Need::Optional => Ok(None),
        Need::Required => Err(Failure::failed(
            "no consumer secret was given",
            format!(
                "set {SECRET_ENV}, or pass --client-secret-file FILE, or --no-client-secret if the app does not require one"
            ),
        )),
    }
}

fn read_secret_file(path: &Path) -> Result<ClientSecret, Failure> {
    // A secret is at most 256 characters (protocol notes §9): 64 KiB is plenty for the first line.
    let (_, text) = crate::settings::read_small_file(path, 64 * 1024).map_err(|e| {
        Failure::failed(
            format!("--client-secret-file {e}"),
            "pass a readable file whose first line is the consumer secret",
        )
    })?;
    #[cfg(unix)]
    {
        // Read anyway (it is already exposed), but say so: a secret others can read is a leaked secret.
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            errln!(
                "warning: {} can be read by other users (mode {:o}): run chmod 600 {}",
                path.display(),
                meta.permissions().mode() & 0o777,
                path.display()
            );
        }
    }
    let first = text.lines().next().unwrap_or("").trim().to_string();
    checked(first, &format!("--client-secret-file {}", path.display()))
}

/// Checks the shape loosely (protocol notes §9: custom secrets are 8–256 alphanumeric characters).
fn checked(value: String, source: &str) -> Result<ClientSecret, Failure> {
    if value.is_empty() {
        return Err(Failure::failed(
            format!("the consumer secret from {source} is empty"),
            "copy it again from Manage Consumer Details",
        ));
    }
    if value.chars().any(char::is_whitespace) {
        return Err(Failure::failed(
            format!("the consumer secret from {source} contains a space or line break"),
            "copy it again, whole, from Manage Consumer Details",
        ));
    }
    Ok(ClientSecret::new(value))
}

/// Reads a value given as `-` from standard input (one line, trimmed); returns others as they are.
pub fn value_or_stdin(value: &str, what: &str) -> Result<String, Failure> {
    if value != "-" {
        return Ok(value.to_string());
    }
    if std::io::stdin().is_terminal() {
        errln!("Paste the {what}, then press Enter:");
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(|e| {
            Failure::failed(format!("could not read the {what}: {e}"), "pass it as a value instead of -")
        })?;
        return Ok(line.trim().to_string());
    }
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| {
        Failure::failed(
            format!("could not read the {what} from standard input: {e}"),
            "pipe it in, or pass it as a value",
        )
    })?;
    Ok(text.trim().to_string())
}
