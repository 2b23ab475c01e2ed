//! `sfconnect revoke`: revokes the refresh token in a settings file (and with it its access tokens).

use std::path::PathBuf;

use clap::Args;

use super::CmdResult;
use super::output::host_of;
use crate::salesforce::Client;
use crate::settings::read_settings;

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The settings file whose refresh token to revoke.
    #[arg(long, value_name = "FILE")]
    pub settings: PathBuf,
}

pub async fn run(args: RevokeArgs) -> CmdResult {
    let (settings, _) = read_settings(&args.settings)?;
    let client = Client::new(host_of(&settings)?)?;
    client.revoke(&settings.refresh_token).await?;
    outln!("Revoked the refresh token {} at {}.", settings.refresh_token.masked(), client.host());
    outln!("{} still holds the dead token: delete it, or run the wizard again for a new one.", args.settings.display());
    Ok(())
}
