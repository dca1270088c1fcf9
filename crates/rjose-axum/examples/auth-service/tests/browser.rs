//! The browser end-to-end test: headless Chromium (Debian's `chromium`)
//! driven by playwright-core (`e2e/`, installed by `npm ci` or
//! ci-setup.sh) through the pages, against the service on 127.0.0.1.
//!
//! With Chromium and npm present, the test installs `e2e/`'s pinned
//! packages itself (`npm ci`). Without Chromium or node it fails when `CI`
//! is set and is skipped with a `SKIPPED:` line otherwise.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{Db, config};

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM_PATH").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// What is missing to run the browser test, if anything. playwright-core
/// is installed here (pinned by `e2e/package-lock.json`) when npm is.
fn missing(e2e: &Path) -> Option<String> {
    if !chromium().exists() {
        return Some(format!("{} not found (apt-get install chromium)", chromium().display()));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node not found".into());
    }
    if !e2e.join("node_modules/playwright-core").exists() {
        let installed = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error", "--prefix"])
            .arg(e2e)
            .status()
            .is_ok_and(|status| status.success());
        if !installed {
            return Some(format!("`npm ci --prefix {}` failed", e2e.display()));
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_signs_in_sees_the_session_expire_refreshes_and_signs_out() {
    let e2e = Path::new(env!("CARGO_MANIFEST_DIR")).join("e2e");
    if let Some(what) = missing(&e2e) {
        if std::env::var_os("CI").is_some() {
            panic!("browser test cannot run under CI: {what} (see ci-setup.sh)");
        }
        eprintln!(
            "SKIPPED: browser test: {what}; to run it: crates/rjose-axum/examples/auth-service/ci-setup.sh, \
             then cargo test -p rjose-auth-service --test browser"
        );
        return;
    }
    let db = Db::sqlite();
    let mut config = config(&db);
    // Long enough for sign-in and the cookie checks, short enough to wait out.
    config.access_token_ttl = 2;
    let server = rjose_auth_service::serve(config).await.expect("serve");
    let url = server.url.clone();

    let script = e2e.join("browser.mjs");
    let run = tokio::process::Command::new("node")
        .arg(script)
        .arg(url)
        .env("CHROMIUM_PATH", chromium())
        // A hung browser must not hang the test run: dropping the future
        // at the timeout kills node (and with it Chromium's pipe).
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(180), run)
        .await
        .expect("browser e2e finished within 3 minutes")
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    server.shutdown().await.expect("shutdown");
    assert!(output.status.success(), "browser e2e failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("all checks passed"), "{stdout}");
}
