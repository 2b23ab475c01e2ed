//! Logs go to a file, never to the terminal: `SFCONNECT_LOG` sets the level (error … trace) and turns
//! logging on; `SFCONNECT_LOG_FILE` names the file [default: sfconnect.log in the data folder]. The file
//! is created 0600. Nothing sfconnect logs holds a secret: log lines carry facts and shapes only.

use std::fs::OpenOptions;
use std::path::PathBuf;
use std::sync::Mutex;

use tracing_subscriber::layer::SubscriberExt;

/// Keeps the subscriber's writer alive for the process.
pub struct LogGuard;

/// The levels `SFCONNECT_LOG` takes.
const LEVELS: [&str; 5] = ["error", "warn", "info", "debug", "trace"];

pub fn init() -> Option<LogGuard> {
    let level = std::env::var("SFCONNECT_LOG").ok().filter(|l| !l.trim().is_empty())?;
    if !LEVELS.contains(&level.trim().to_ascii_lowercase().as_str()) {
        errln!("warning: SFCONNECT_LOG={level} is not a level (error, warn, info, debug, trace): no log is written");
        return None;
    }
    let path = std::env::var_os("SFCONNECT_LOG_FILE").map(PathBuf::from).or_else(default_log_path)?;
    if let Some(dir) = path.parent() {
        // The folder may also hold settings files: private, as for them.
        let _ = crate::settings::create_private_dir(dir);
    }
    let not_regular = || {
        errln!(
            "warning: the log {} is not a regular file (a pipe or a device): no log is written; point SFCONNECT_LOG_FILE at a file",
            path.display()
        );
    };
    if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_file() && !m.file_type().is_symlink()) {
        not_regular();
        return None;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Never through a link into somebody else's file (O_NOFOLLOW), as for the settings file; and an
        // open that cannot block (O_NONBLOCK: a FIFO would wait for a reader, holding up every command).
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = match options.open(&path) {
        Ok(file) if file.metadata().is_ok_and(|m| m.is_file()) => file,
        Ok(_) => {
            not_regular();
            return None;
        }
        Err(e) => {
            errln!("warning: the log {} could not be opened ({e}): no log is written", path.display());
            return None;
        }
    };
    #[cfg(unix)]
    {
        // Writes block as usual from here on (the file is known to be a regular file).
        use std::os::fd::AsRawFd;
        // SAFETY: fcntl on a descriptor this function owns, with flags read from it just before.
        unsafe {
            let fd = file.as_raw_fd();
            let flags = libc::fcntl(fd, libc::F_GETFL);
            if flags >= 0 {
                libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
            }
        }
    }
    #[cfg(unix)]
    {
        // An existing log keeps no looser mode than a new one.
        use std::os::unix::fs::PermissionsExt;
        let _ = file.set_permissions(std::fs::Permissions::from_mode(0o600));
    }
    // A prefix: `sfconnect` also covers the member crates' targets (`sfconnect_salesforce`, `sfconnect_sim`).
    let level: tracing_subscriber::filter::LevelFilter = level.trim().parse().ok()?;
    let filter = tracing_subscriber::filter::Targets::new().with_target("sfconnect", level);
    // The builder's own ceiling is INFO unless told: without `with_max_level`, `debug` and `trace` wrote
    // nothing more than `info` (and `wait`, which logs its probes at debug, nothing at all).
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .finish()
        .with(filter);
    tracing::subscriber::set_global_default(subscriber).ok()?;
    Some(LogGuard)
}

fn default_log_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "sfconnect").map(|d| d.data_local_dir().join("sfconnect.log"))
}
