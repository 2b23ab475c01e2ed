//! `sfconnect completions SHELL` and `sfconnect man`: generated from the same clap definitions as `--help`, so
//! they cannot drift from the flags.

use std::io::Write;

use clap::{Args, CommandFactory, ValueEnum};

use super::{Cli, CmdResult, output_failed};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Prints the completion script for `shell` on standard output.
pub fn completions(args: CompletionsArgs) -> CmdResult {
    let mut command = Cli::command();
    let mut script = Vec::new();
    match args.shell {
        Shell::Bash => clap_complete::generate(clap_complete::Shell::Bash, &mut command, "sfconnect", &mut script),
        Shell::Zsh => clap_complete::generate(clap_complete::Shell::Zsh, &mut command, "sfconnect", &mut script),
        Shell::Fish => clap_complete::generate(clap_complete::Shell::Fish, &mut command, "sfconnect", &mut script),
    }
    write_out(&script)
}

/// Prints the man page (roff) on standard output.
pub fn man() -> CmdResult {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| super::Failure::failed(format!("the man page could not be rendered: {e}"), ""))?;
    write_out(&page)
}

fn write_out(bytes: &[u8]) -> CmdResult {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).and_then(|()| out.flush()).unwrap_or_else(|e| output_failed(e));
    Ok(())
}
