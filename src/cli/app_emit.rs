//! `sfconnect app emit`: the package `app create` deploys, from the same builder ([`super::app::build_spec`]
//! and `Package::build`), written as a folder in Metadata API layout (each file 0600, atomic, never over an
//! existing one without `--force`), for an admin who deploys it with `sf project deploy start`.

use std::path::{Path, PathBuf};

use clap::Args;

use super::app::{AppShape, build_spec};
use super::{CmdResult, Failure};
use crate::salesforce::LoginHost;
use crate::salesforce::eca::Package;
use crate::settings::Overwrite;

#[derive(Debug, Args)]
pub struct EmitArgs {
    /// The folder to write (created; files in it are never replaced without --force).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub shape: AppShape,
    /// The org's login URL, for the default paste-back callback [default: https://login.salesforce.com].
    #[arg(long, value_name = "URL", env = "SFCONNECT_LOGIN_URL")]
    pub login_url: Option<String>,
    /// Replace files already in DIR.
    #[arg(long)]
    pub force: bool,
}

/// Writes the package's files under `dir`, each 0600 and atomic; refuses to replace a file without `force`.
pub fn write_package(package: &Package, dir: &Path, force: bool) -> Result<(), Failure> {
    let overwrite = if force { Overwrite::Replace } else { Overwrite::Never };
    for file in package.files() {
        let path = dir.join(&file.path);
        crate::settings::preflight(&path, overwrite)
            .or_else(|e| match e {
                crate::settings::Error::MissingFolder { .. } => Ok(()),
                other => Err(other),
            })
            .map_err(named_for_emit)?;
    }
    for file in package.files() {
        let path = dir.join(&file.path);
        if let Some(folder) = path.parent() {
            crate::settings::create_private_dir(folder)
                .map_err(|e| Failure::failed(format!("{}: {e}", folder.display()), "choose another --out"))?;
        }
        // Every file is UTF-8 XML the builder wrote.
        let text = std::str::from_utf8(&file.contents)
            .map_err(|_| Failure::failed(format!("{}: not UTF-8", file.path), "report this at the project's issues"))?;
        crate::settings::write_settings(&path, text, overwrite).map_err(named_for_emit)?;
    }
    Ok(())
}

/// The settings writer's refusals name `--output`, the flag of the commands that write settings; emit's
/// place is `--out`, and a fix must name a flag the command has.
fn named_for_emit(e: crate::settings::Error) -> Failure {
    Failure::Failed { headline: e.to_string().replace("--output", "--out"), fix: None }
}

pub fn run(args: EmitArgs) -> CmdResult {
    let host = match &args.login_url {
        Some(url) => LoginHost::parse(url).map_err(|e| Failure::Usage(e.to_string()))?,
        None => LoginHost::production(),
    };
    let Some(email) = args.shape.contact_email.clone() else {
        return Err(Failure::Usage(
            "app emit needs --contact-email: the app's contact address (there is no session to read yours from)".into(),
        ));
    };
    let spec = build_spec(&args.shape, &host, "Sfconnect", &email)?;
    let package = Package::build(&spec);
    write_package(&package, &args.out, args.force)?;
    let global =
        package.files().iter().find(|f| f.path.starts_with("extlClntAppGlobalOauthSets/")).map(|f| f.path.clone());
    outln!("Wrote the External Client App {} to {}", spec.name, args.out.display());
    outln!("  Client ID: {}", spec.consumer_key.as_str());
    if let Some(global) = global {
        outln!("  The consumer secret is in {} (mode 0600).", args.out.join(global).display());
    }
    outln!("Deploy it with:");
    outln!("  sf project deploy start --metadata-dir {} --target-org ALIAS", args.out.display());
    outln!("then: sfconnect wait --client-id {} --login-url {}", spec.consumer_key.as_str(), host.origin());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::app::tests::shape;

    #[test]
    fn emit_writes_exactly_the_files_create_zips() {
        let host = LoginHost::parse("https://acme.my.salesforce.com").unwrap();
        let spec = build_spec(&shape(), &host, "Unused", "admin@acme.example").unwrap();
        let package = Package::build(&spec);
        let dir = tempfile::tempdir().unwrap();
        write_package(&package, dir.path(), false).unwrap();
        let zip = package.to_zip().unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.to_vec())).unwrap();
        let mut written = 0;
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).unwrap();
            let mut deployed = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut deployed).unwrap();
            let name = entry.name().unwrap().to_string();
            let emitted = std::fs::read(dir.path().join(&name)).unwrap();
            assert_eq!(emitted, deployed, "{name}: byte for byte");
            written += 1;
        }
        assert_eq!(written, 6);
        assert!(write_package(&package, dir.path(), false).is_err(), "never replaced without --force");
        write_package(&package, dir.path(), true).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let global = dir.path().join("extlClntAppGlobalOauthSets/Sfc_Test_glbloauth.ecaGlblOauth");
            assert_eq!(std::fs::metadata(global).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
