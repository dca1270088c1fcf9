//! The crypto backend sits at the bottom: nothing under `src/backend/`
//! may name a module above it, so that a provider can be added or swapped
//! without the JOSE layers leaking into it. Read from the source, as the
//! compiler does not forbid such a path.

use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, with its module depth below `backend`
/// (`backend/mod.rs` is 0, `backend/types.rs` and `backend/aws_lc/mod.rs`
/// are 1, `backend/aws_lc/ec.rs` is 2).
fn sources(dir: &Path, depth: usize, out: &mut Vec<(PathBuf, usize)>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("backend directory is readable")
        .map(|entry| entry.expect("directory entry is readable").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, depth + 1, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let file_depth = if path.file_name().is_some_and(|name| name == "mod.rs") {
                depth
            } else {
                depth + 1
            };
            out.push((path, file_depth));
        }
    }
}

/// The code of a line, without a trailing `//` comment; doc comments and
/// comments may name anything.
fn code(line: &str) -> &str {
    line.split("//").next().unwrap_or("")
}

/// Why `line` reaches above `backend`, if it does: a `crate::` path that
/// is not `crate::backend`, or more `super::` than the file is deep.
fn upward_path(line: &str, depth: usize) -> Option<String> {
    let code = code(line);
    for (at, _) in code.match_indices("crate::") {
        let preceded_by_ident = code[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        let rest = &code[at + "crate::".len()..];
        let into_backend = rest
            .strip_prefix("backend")
            .is_some_and(|after| !after.starts_with(|c: char| c.is_alphanumeric() || c == '_'));
        if !preceded_by_ident && !into_backend {
            return Some(format!("`crate::{}`", rest.trim()));
        }
    }
    let mut supers = 0;
    for (at, _) in code.match_indices("super::") {
        if code[..at].ends_with("super::") {
            continue;
        }
        let mut chain = 0;
        let mut rest = &code[at..];
        while let Some(after) = rest.strip_prefix("super::") {
            chain += 1;
            rest = after;
        }
        supers = supers.max(chain);
    }
    (supers > depth).then(|| format!("{supers} `super::` from depth {depth}"))
}

#[test]
fn backend_imports_nothing_from_the_layers_above() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/backend");
    let mut files = Vec::new();
    sources(&root, 0, &mut files);
    assert!(
        files.iter().any(|(path, _)| path.ends_with("backend/mod.rs")),
        "no backend found under {root:?}"
    );

    let mut upward = Vec::new();
    for (path, depth) in &files {
        let text = fs::read_to_string(path).expect("backend source is readable");
        for (number, line) in text.lines().enumerate() {
            if let Some(why) = upward_path(line, *depth) {
                upward.push(format!("{}:{}: {why}", path.display(), number + 1));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "backend/ must not import from the modules above it:\n{}",
        upward.join("\n")
    );
}

#[test]
fn upward_paths_are_recognised() {
    assert!(upward_path("use crate::alg::Sha;", 1).is_some());
    assert!(upward_path("use crate::{backend::Sha, key::Key};", 1).is_some());
    assert!(upward_path("    crate::key::roca::has_fingerprint(n)", 2).is_some());
    assert!(upward_path("use super::super::key::MlDsaLevel;", 1).is_some());
    assert!(upward_path("use super::Rejected;", 0).is_some());

    assert!(upward_path("use crate::backend::{Rejected, Sha};", 2).is_none());
    assert!(upward_path("use super::super::Rejected;", 2).is_none());
    assert!(upward_path("use super::Rejected;", 1).is_none());
    assert!(upward_path("/// The public [`crate::Curve`] names every JWK curve.", 1).is_none());
    assert!(upward_path("let x = 1; // see crate::key", 1).is_none());
}
