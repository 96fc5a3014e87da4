//! Property tests of the parsers of files and of credential sources' answers,
//! with the generators of `marketplace-sdk-runtime`'s property tests (see the
//! module there, and TESTING.md at the repository root).

mod credentials;
mod endpoints;
#[path = "../../../runtime/src/fuzz_tests/generators.rs"]
mod generators;
mod profile;
