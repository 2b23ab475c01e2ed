//! The settings file on disk: atomic writes with mode 0600 that never replace a file by surprise and never
//! follow a symbolic link, reads that report who else can see the file, and the default location.
//!
//! Must not create folders (a missing folder is usually a typo in `--output`), print anything, or put file
//! contents in an error.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::error::Origin;
use super::{ConnectorSettings, Error, Format, parse};

/// Whether an existing file at the output path may be replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Fail with [`Error::AlreadyExists`], even if the file appears between our check and the rename.
    Never,
    /// Replace it atomically (the `--force` flag).
    Replace,
}

/// Who besides the owner can get at a settings file, for the `check` command's warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FileExposure {
    /// The file's mode lets the group or others read it (anything beyond 0600).
    pub readable_by_others: bool,
    /// The folder's mode lets the group or others create, rename or delete files in it, so someone else
    /// could swap the file.
    pub folder_writable_by_others: bool,
}

impl FileExposure {
    /// One warning per exposure, each with the command that fixes it.
    pub fn warnings(&self, path: &Path) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.readable_by_others {
            warnings.push(format!("{} can be read by other users; run `chmod 600 {}`", path.display(), path.display()));
        }
        if self.folder_writable_by_others {
            let folder = folder_of(path);
            warnings.push(format!(
                "{}: other users can replace files in this folder; move the settings file to a private folder \
                 or run `chmod go-w {}`",
                folder.display(),
                folder.display()
            ));
        }
        warnings
    }
}

/// Where a settings file goes when `--output` is not given: `<data folder>/sfconnect-settings.<ext>`, e.g.
/// `~/.local/share/sfconnect/sfconnect-settings.json`. `None` when the system has no home folder.
pub fn default_output_path(format: Format) -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "sfconnect")?;
    let name = match format {
        Format::SfdxUrl => "sfconnect-sfdx-url.txt".to_owned(),
        other => format!("sfconnect-settings.{}", other.extension()),
    };
    Some(dirs.data_dir().join(name))
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

fn io_error(path: &Path, action: &'static str) -> impl FnOnce(std::io::Error) -> Error + use<> {
    let path = path.to_owned();
    move |source| Error::Io { path, action, source }
}

/// Says now whether [`write_settings`] could write `path`, trying a file in its folder too (read-only,
/// full). Run it before anything that cannot be done twice (a code exchange, a device login), so a bad
/// `--output` fails before the token exists.
pub fn preflight(path: &Path, overwrite: Overwrite) -> Result<(), Error> {
    let folder = check_writable(path, overwrite)?;
    tempfile::Builder::new()
        .prefix(".sfconnect-check-")
        .tempfile_in(folder)
        .map(drop)
        .map_err(io_error(folder, "create a file in"))
}

/// Bytes written into the reserved file before the token exists: several times what any settings file
/// takes, so that a full disk is found before an authorization code is spent.
pub const RESERVED_BYTES: usize = 16 * 1024;

/// A place proven able to take the settings before there are any: the name is taken (or, with
/// [`Overwrite::Replace`], the existing file is known to be replaceable by us), and a temporary file in
/// the same folder already holds [`RESERVED_BYTES`] on disk. [`Reservation::commit`] then overwrites
/// those bytes (no new space needed) and renames the file into place. Dropped uncommitted, it removes
/// what it made.
#[derive(Debug)]
pub struct Reservation {
    path: PathBuf,
    temp: Option<tempfile::NamedTempFile>,
    /// The empty file that holds the name (with [`Overwrite::Never`]): its device and inode, so that
    /// only this file is ever removed or replaced.
    placeholder: Option<(u64, u64)>,
}

impl Reservation {
    /// Where the settings will be.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `contents` into the reserved space, flushes it, and moves it into place atomically.
    pub fn commit(mut self, contents: &str) -> Result<(), Error> {
        let path = self.path.clone();
        let Some(mut temp) = self.temp.take() else {
            return write_settings(&path, contents, Overwrite::Replace);
        };
        use std::io::Seek;
        temp.as_file_mut().rewind().map_err(io_error(&path, "write"))?;
        temp.write_all(contents.as_bytes()).map_err(io_error(&path, "write"))?;
        temp.as_file().set_len(contents.len() as u64).map_err(io_error(&path, "write"))?;
        temp.as_file().sync_all().map_err(io_error(&path, "flush to disk"))?;
        if let Some(ours) = self.placeholder {
            // The name was taken by us; replace only that file (not one swapped in since).
            if identity_of(&path) != Some(ours) {
                return Err(Error::AlreadyExists { path });
            }
        }
        temp.persist(&path).map_err(|e| io_error(&path, "move the new file into place at")(e.error))?;
        self.placeholder = None;
        sync_folder(folder_of(&path))
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if let Some(ours) = self.placeholder.take()
            && identity_of(&self.path) == Some(ours)
        {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(unix)]
fn identity_of(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity_of(path: &Path) -> Option<(u64, u64)> {
    std::fs::symlink_metadata(path).ok().map(|_| (0, 0))
}

/// Proves `path` can take the settings before anything that cannot be done twice (a code exchange, a
/// device login): the checks of [`write_settings`], then the name taken atomically (with
/// [`Overwrite::Never`], an empty 0600 file created with O_EXCL, so two runs cannot both choose it),
/// permission to replace an existing file (with [`Overwrite::Replace`]), and [`RESERVED_BYTES`] written
/// to disk in a temporary file beside it (a full disk fails here, not after the token exists).
pub fn reserve(path: &Path, overwrite: Overwrite) -> Result<Reservation, Error> {
    let folder = check_writable(path, overwrite)?;
    if overwrite == Overwrite::Replace {
        check_replaceable(path, folder)?;
    }
    let mut reservation = Reservation { path: path.to_owned(), temp: None, placeholder: None };
    if overwrite == Overwrite::Never {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        }
        match options.open(path) {
            Ok(_) => reservation.placeholder = identity_of(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(Error::AlreadyExists { path: path.to_owned() });
            }
            Err(e) => return Err(io_error(folder, "create a file in")(e)),
        }
    }
    let mut temp = private_temp(folder)?;
    let room = |e| Error::NoRoom { folder: folder.to_owned(), source: e };
    temp.write_all(&[0u8; RESERVED_BYTES]).map_err(room)?;
    temp.as_file().sync_all().map_err(room)?;
    reservation.temp = Some(temp);
    Ok(reservation)
}

/// Whether we may rename over the file at `path`: in a folder with the sticky bit (such as /tmp), only
/// the file's owner, the folder's owner or root may.
#[cfg(unix)]
fn check_replaceable(path: &Path, folder: &Path) -> Result<(), Error> {
    use std::os::unix::fs::MetadataExt;
    let (Ok(file), Ok(dir)) = (std::fs::symlink_metadata(path), std::fs::metadata(folder)) else {
        return Ok(());
    };
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    if sticky_forbids(dir.mode(), dir.uid(), file.uid(), me) {
        return Err(Error::NotOurs { path: path.to_owned() });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_replaceable(_path: &Path, _folder: &Path) -> Result<(), Error> {
    Ok(())
}

/// The sticky-folder rule (unlink(2), rename(2): EPERM).
pub(crate) fn sticky_forbids(folder_mode: u32, folder_owner: u32, file_owner: u32, me: u32) -> bool {
    folder_mode & 0o1000 != 0 && me != 0 && file_owner != me && folder_owner != me
}

fn private_temp(folder: &Path) -> Result<tempfile::NamedTempFile, Error> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".sfconnect-settings-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o600));
    }
    let temp = builder.tempfile_in(folder).map_err(io_error(folder, "create a temporary file in"))?;
    #[cfg(unix)]
    {
        // Set again explicitly: the creation mode passes through the umask, and we want exactly 0600.
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(io_error(temp.path(), "set mode 0600 on"))?;
    }
    Ok(temp)
}

/// Keeps settings that could not be written where asked, so a token is never dropped: a new 0600 file
/// in sfconnect's state folder (`~/.local/state/sfconnect/kept/` on Linux), named with the time and
/// the process id. Returns its path for the message.
pub fn keep_safe(contents: &str, format: Format) -> Result<PathBuf, Error> {
    let dirs = directories::ProjectDirs::from("", "", "sfconnect");
    let base = dirs.as_ref().map(|d| d.state_dir().unwrap_or(d.data_local_dir()).to_path_buf());
    let Some(folder) = base.map(|b| b.join("kept")) else {
        return Err(Error::MissingFolder { folder: PathBuf::from("~/.local/state/sfconnect/kept") });
    };
    create_private_dir(&folder).map_err(io_error(&folder, "create"))?;
    let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string().replace(':', "");
    let ext = match format {
        Format::SfdxUrl => "txt",
        other => other.extension(),
    };
    let path = folder.join(format!("sfconnect-settings-{stamp}-{}.{ext}", std::process::id()));
    write_settings(&path, contents, Overwrite::Never)?;
    Ok(path)
}

/// The checks [`write_settings`] makes first: the folder exists, no symlink or other non-file is at
/// `path`, and no file either unless it may be replaced. Returns the folder.
fn check_writable(path: &Path, overwrite: Overwrite) -> Result<&Path, Error> {
    let folder = folder_of(path);
    match std::fs::metadata(folder) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(Error::NotAFile { path: folder.to_owned() });
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::MissingFolder { folder: folder.to_owned() });
        }
        Err(err) => return Err(io_error(folder, "open the folder")(err)),
    }
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(Error::Symlink { path: path.to_owned() });
        }
        Ok(meta) if !meta.is_file() => {
            return Err(Error::NotAFile { path: path.to_owned() });
        }
        Ok(_) if overwrite == Overwrite::Never => {
            return Err(Error::AlreadyExists { path: path.to_owned() });
        }
        Ok(_) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(io_error(path, "look at the existing file")(err)),
    }

    Ok(folder)
}

/// Writes `contents` to `path` so that a crash leaves either the old file or the new one, never half of one.
///
/// A temporary file (mode 0600) in the same folder is written and flushed to disk, then renamed over `path`,
/// then the folder is flushed so the rename itself survives a power cut. With [`Overwrite::Never`] the rename
/// is a no-clobber link, so a file created between our check and the rename is not replaced either.
pub fn write_settings(path: &Path, contents: &str, overwrite: Overwrite) -> Result<(), Error> {
    let folder = check_writable(path, overwrite)?;
    let mut temp = private_temp(folder)?;
    temp.write_all(contents.as_bytes()).map_err(io_error(path, "write"))?;
    temp.as_file().sync_all().map_err(io_error(path, "flush to disk"))?;

    let persisted = match overwrite {
        Overwrite::Replace => temp.persist(path),
        Overwrite::Never => temp.persist_noclobber(path),
    };
    if let Err(err) = persisted {
        // Dropping `err.file` deletes the temporary file.
        return Err(if err.error.kind() == std::io::ErrorKind::AlreadyExists {
            Error::AlreadyExists { path: path.to_owned() }
        } else {
            io_error(path, "move the new file into place at")(err.error)
        });
    }
    sync_folder(folder)
}

#[cfg(unix)]
fn sync_folder(folder: &Path) -> Result<(), Error> {
    File::open(folder).and_then(|dir| dir.sync_all()).map_err(io_error(folder, "flush the folder to disk"))
}

#[cfg(not(unix))]
fn sync_folder(_folder: &Path) -> Result<(), Error> {
    Ok(())
}

/// Far more than any settings file takes (they are under 4 KiB); a larger one is the wrong file.
pub const MAX_SETTINGS_BYTES: u64 = 1 << 20;

/// Reads a small regular file whole: a pipe or device is refused before it is opened (opening a FIFO
/// waits for a writer; /dev/zero never ends), and a file over `limit` bytes is refused after reading at
/// most that much. The text is wiped on drop: settings and secret files hold secrets.
pub fn read_small_file(path: &Path, limit: u64) -> Result<(File, Zeroizing<String>), Error> {
    let file = open_regular(path)?;
    let mut text = Zeroizing::new(String::new());
    std::io::Read::read_to_string(&mut std::io::Read::take(&file, limit + 1), &mut text)
        .map_err(io_error(path, "read"))?;
    if text.len() as u64 > limit {
        return Err(Error::TooLarge { path: path.to_owned(), limit });
    }
    Ok((file, text))
}

/// Opens `path` for reading only if it is a regular file. The open itself cannot block (O_NONBLOCK: a
/// FIFO would otherwise wait for a writer) and the check is made on what was opened, so a file swapped
/// for a pipe or a link to a device between a look and the open is refused too.
pub fn open_regular(path: &Path) -> Result<File, Error> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound { path: path.to_owned() },
        _ => io_error(path, "open")(e),
    })?;
    let meta = file.metadata().map_err(io_error(path, "open"))?;
    if !meta.is_file() {
        return Err(Error::NotRegular { path: path.to_owned() });
    }
    Ok(file)
}

/// Reads and checks a settings file, in the format its extension names or, failing that, the one its text
/// looks like. Also reports who else can read it.
pub fn read_settings(path: &Path) -> Result<(ConnectorSettings, FileExposure), Error> {
    let (file, text) = read_small_file(path, MAX_SETTINGS_BYTES)?;
    let hint = path.extension().and_then(|e| e.to_str()).and_then(Format::from_extension);
    let origin = Origin::File(path.to_owned());
    let settings = parse::parse(&text, hint, &origin)?;
    Ok((settings, exposure(&file, path)))
}

#[cfg(unix)]
fn exposure(file: &File, path: &Path) -> FileExposure {
    use std::os::unix::fs::PermissionsExt;
    let file_mode = file.metadata().map(|m| m.permissions().mode()).unwrap_or(0);
    let folder_mode = std::fs::metadata(folder_of(path)).map(|m| m.permissions().mode()).unwrap_or(0);
    FileExposure { readable_by_others: file_mode & 0o044 != 0, folder_writable_by_others: folder_mode & 0o022 != 0 }
}

#[cfg(not(unix))]
fn exposure(_file: &File, _path: &Path) -> FileExposure {
    FileExposure::default()
}

/// The format of an existing settings file: from its extension, else sniffed from its text.
pub fn format_of_file(path: &Path) -> Option<Format> {
    if let Some(format) = path.extension().and_then(|e| e.to_str()).and_then(Format::from_extension) {
        return Some(format);
    }
    let (_, text) = read_small_file(path, MAX_SETTINGS_BYTES).ok()?;
    parse::sniff(&text)
}

/// Creates one of sfconnect's own folders (the data or state folder) with mode 0700, parents included.
/// Only for sfconnect's own folders: a folder named with `--output` must already exist.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_owners_may_replace_a_file_in_a_sticky_folder() {
        // /tmp: 1777 root; a file another user (1001) owns; we are 1000.
        assert!(sticky_forbids(0o41777, 0, 1001, 1000));
        assert!(!sticky_forbids(0o41777, 0, 1000, 1000), "our own file");
        assert!(!sticky_forbids(0o41777, 1000, 1001, 1000), "our own folder");
        assert!(!sticky_forbids(0o40777, 0, 1001, 1000), "no sticky bit");
        assert!(!sticky_forbids(0o41777, 0, 1001, 0), "root");
    }

    #[test]
    fn a_reservation_takes_the_name_and_gives_it_back_unused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let first = reserve(&path, Overwrite::Never).unwrap();
        assert!(matches!(reserve(&path, Overwrite::Never), Err(Error::AlreadyExists { .. })), "taken");
        drop(first);
        assert!(!path.exists(), "an unused reservation leaves nothing");
        let second = reserve(&path, Overwrite::Never).unwrap();
        second.commit("{}\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }
}
