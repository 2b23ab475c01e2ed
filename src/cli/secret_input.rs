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

/// The most a value read from standard input may be: a pasted redirect URL is under 2 KiB, so 64 KiB
/// is plenty, and a larger one is the wrong input (never sent anywhere).
pub const MAX_STDIN_BYTES: u64 = 64 * 1024;

/// Reads a value given as `-` from standard input (one line, trimmed, at most [`MAX_STDIN_BYTES`]);
/// returns others as they are.
pub fn value_or_stdin(value: &str, what: &str) -> Result<String, Failure> {
    if value != "-" {
        return Ok(value.to_string());
    }
    read_bounded(std::io::stdin().lock(), std::io::stdin().is_terminal(), what)
}

/// Reads all of standard input, at most [`MAX_STDIN_BYTES`].
pub fn read_bounded_stdin(what: &str) -> Result<zeroize::Zeroizing<String>, Failure> {
    read_bounded(std::io::stdin().lock(), false, what).map(zeroize::Zeroizing::new)
}

fn read_bounded(input: impl std::io::BufRead, terminal: bool, what: &str) -> Result<String, Failure> {
    let mut limited = input.take(MAX_STDIN_BYTES + 1);
    let mut bytes = zeroize::Zeroizing::new(Vec::new());
    let read = if terminal {
        errln!("Paste the {what}, then press Enter:");
        std::io::BufRead::read_until(&mut limited, b'\n', &mut bytes)
    } else {
        limited.read_to_end(&mut bytes)
    };
    read.map_err(|e| {
        Failure::failed(
            format!("could not read the {what} from standard input: {e}"),
            "pipe it in, or pass it as a value",
        )
    })?;
    if bytes.len() as u64 > MAX_STDIN_BYTES {
        return Err(Failure::failed(
            format!("the {what} on standard input is over {} KiB: it cannot be one", MAX_STDIN_BYTES / 1024),
            "give only the address the browser landed on after Allow (or the code), one line",
        ));
    }
    let text = String::from_utf8_lossy(&bytes).trim().to_string();
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_input_has_a_limit() {
        let small = b"https://x/cb?code=abc\n".as_slice();
        assert_eq!(read_bounded(small, false, "code").unwrap(), "https://x/cb?code=abc");
        let huge = vec![b'a'; MAX_STDIN_BYTES as usize + 10];
        let err = read_bounded(huge.as_slice(), false, "code").unwrap_err();
        assert!(matches!(err, Failure::Failed { ref headline, .. } if headline.contains("over 64 KiB")), "{err:?}");
        // A terminal line without its end is cut at the limit too.
        let err = read_bounded(huge.as_slice(), true, "code").unwrap_err();
        assert!(matches!(err, Failure::Failed { .. }));
    }
}
