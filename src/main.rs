//! The `sfconnect` binary: parse the command line, run, exit with a code that means something
//! (0 success, 1 a failure the message explains, 2 a usage error).

fn main() -> std::process::ExitCode {
    sfconnect::cli::main()
}
