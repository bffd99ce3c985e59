//! The `spillway` command: all logic lives in `cli` and the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
