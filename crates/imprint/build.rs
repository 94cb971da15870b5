//! Records the commit the binary was built from, for `imprint --version`.
//!
//! From `git rev-parse --short HEAD` when the sources are a Git checkout (a worktree
//! included); else from `IMPRINT_COMMIT` (a packager building from a tarball may set it);
//! else "unknown" (a crates.io download). Never fails the build: `cargo install --path`
//! must work with or without Git.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=IMPRINT_COMMIT");
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let commit = git(&dir, &["rev-parse", "--short", "HEAD"])
        .or_else(|| {
            std::env::var("IMPRINT_COMMIT")
                .ok()
                .filter(|c| !c.is_empty())
        })
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=IMPRINT_COMMIT={commit}");

    // Rebuild when HEAD moves: HEAD itself (a checkout), the branch it points at (a commit),
    // and packed-refs (where the branch may live after `git gc`). Only files that exist:
    // cargo reruns a build script on every build when a listed path is missing.
    let mut watched = vec![git(
        &dir,
        &["rev-parse", "--path-format=absolute", "--git-path", "HEAD"],
    )];
    if let Some(branch) = git(&dir, &["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git(
            &dir,
            &["rev-parse", "--path-format=absolute", "--git-path", &branch],
        ));
    }
    watched.push(git(
        &dir,
        &[
            "rev-parse",
            "--path-format=absolute",
            "--git-path",
            "packed-refs",
        ],
    ));
    let mut any = false;
    for path in watched.into_iter().flatten() {
        if Path::new(&path).is_file() {
            println!("cargo:rerun-if-changed={path}");
            any = true;
        }
    }
    if !any {
        // Not a checkout: the commit cannot change under us; this keeps cargo from rerunning
        // the script whenever any file of the package changes.
        println!("cargo:rerun-if-changed=build.rs");
    }
}

/// One line of a git command's output, or `None` when git is missing or fails (not a checkout).
fn git(dir: &str, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let line = text.trim();
    (!line.is_empty()).then(|| line.to_string())
}
