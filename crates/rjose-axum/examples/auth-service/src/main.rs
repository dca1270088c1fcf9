//! `cargo run -p rjose-auth-service`: configuration from the environment,
//! logs to stderr, stops on Ctrl-C.
#![forbid(unsafe_code)]

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_writer(std::io::stderr).init();
    let config = match rjose_auth_service::Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("auth-service: refusing to start: {e}");
            return ExitCode::from(2);
        }
    };
    let server = match rjose_auth_service::serve(config).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("auth-service: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("auth service on {} (Ctrl-C to stop)", server.url);
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("auth-service: cannot wait for Ctrl-C: {e}");
    }
    match server.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("auth-service: {e}");
            ExitCode::FAILURE
        }
    }
}
