//! The README's jose-axum example cannot be a doctest (the README's blocks
//! are compiled as doctests of `jose`, which does not depend on this
//! crate), so it is `examples/protect_routes.rs`, compiled with every test
//! build; this keeps the two identical.

const README: &str = include_str!("../../../README.md");
const EXAMPLE: &str = include_str!("../examples/protect_routes.rs");
const HEADING: &str = "## Protect HTTP routes";

#[test]
fn readme_example_is_the_compiled_example_file() {
    let section = README.split_once(HEADING).expect("the README has the section").1;
    let block = section
        .split_once("```rust,ignore\n")
        .and_then(|(_, rest)| rest.split_once("```\n"))
        .expect("the section has a rust block")
        .0;
    assert_eq!(block, EXAMPLE, "README.md and crates/jose-axum/examples/protect_routes.rs differ");
}
