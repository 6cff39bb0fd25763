fn main() -> std::process::ExitCode {
    jifen_server::cli::main()
}
