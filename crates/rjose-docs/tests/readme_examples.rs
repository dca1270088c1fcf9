//! The README's examples for the crates built on this one cannot be
//! doctests (the README's blocks are compiled as doctests of `rjose-docs`, which
//! depends on neither), so each is an example file of its crate, compiled
//! with every test build, and marked `rust,ignore` in the README. This keeps
//! each README block identical to its file.

const README: &str = include_str!("../../../README.md");

/// (README section heading, the example file it shows, its path for the message).
const EXAMPLES: [(&str, &str, &str); 3] = [
    (
        "## Verify third-party tokens",
        include_str!("../../rjose-remote/examples/third_party.rs"),
        "crates/rjose-remote/examples/third_party.rs",
    ),
    (
        "## Protect HTTP routes",
        include_str!("../../rjose-axum/examples/protect_routes.rs"),
        "crates/rjose-axum/examples/protect_routes.rs",
    ),
    (
        "### Keys looked up per token",
        include_str!("../../rjose-axum/examples/tenant_keys.rs"),
        "crates/rjose-axum/examples/tenant_keys.rs",
    ),
];

#[test]
fn readme_examples_are_the_compiled_example_files() {
    for (heading, example, path) in EXAMPLES {
        let section = README
            .split_once(heading)
            .unwrap_or_else(|| panic!("the README has a section {heading:?}"))
            .1;
        let block = section
            .split_once("```rust,ignore\n")
            .and_then(|(_, rest)| rest.split_once("```\n"))
            .unwrap_or_else(|| panic!("the section {heading:?} has a rust,ignore block"))
            .0;
        assert_eq!(block, example, "README.md and {path} differ");
    }
}
