//! Where ecosystems keep what a repository does not release: test data, examples, fuzzing
//! workspaces, vendored code and other people's code, CI configuration.
//!
//! A manifest in such a place (`tests/fixtures/app/pyproject.toml`, `fuzz/Cargo.toml`,
//! `examples/celery/pyproject.toml`, `vendor/foo/Cargo.toml`, `.github/fixtures/...`) describes
//! a package of someone's test, not of the repository: discovery sets it aside, reports how many
//! in one line, and never reports it as drift. Structure wins over names where it can: a crate
//! that a workspace of the repository lists as a member is a package wherever it lives
//! (`repo::cargo::claimed_members`), and `include = [...]` takes any of them in.

use super::load::under;

/// Whether `path` (a file, relative to the root) lies in a place where ecosystems keep test
/// data, examples or other people's code, judged by its directories (not its file name).
pub(super) fn is_set_aside(path: &str) -> bool {
    let dirs = match path.rsplit_once('/') {
        Some((dirs, _)) => dirs,
        None => return false,
    };
    dirs.split('/').any(is_set_aside_dir)
}

/// Whether a directory of this name holds test data, examples or other people's code.
fn is_set_aside_dir(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "test"
            | "tests"
            | "testdata"
            | "testing"
            | "fixtures"
            | "fixture"
            | "examples"
            | "example"
            | "fuzz"
            | "vendor"
            | "vendored"
            | "third_party"
            | "third-party"
            | "thirdparty"
            | "node_modules"
            | ".github"
    ) || ["test-", "test_", "tests-", "tests_"].iter().any(|p| lower.starts_with(p))
}

/// Whether a configured `include` prefix takes `path` in.
pub(super) fn included(path: &str, include: &[String]) -> bool {
    include.iter().any(|prefix| under(path, prefix))
}

#[cfg(test)]
mod tests {
    use super::is_set_aside;

    #[test]
    fn places_of_test_data_examples_and_vendored_code() {
        for path in [
            "tests/fixtures/app/pyproject.toml",
            "crates/ruff_linter/resources/test/fixtures/pyproject.toml",
            "test/ecosystem/packse/pyproject.toml",
            "tests/data/packages/Hacked/setup.py",
            "testdata/Chart.yaml",
            "examples/celery/pyproject.toml",
            "pyo3/example/lib/pyproject.toml",
            "fuzz/Cargo.toml",
            "fuzz/Cargo.lock",
            "vendor/foo/Cargo.toml",
            "third_party/lib/setup.py",
            ".github/fixtures/test-configure/Cargo.toml",
            "test-crates/pyo3-pure/Cargo.toml",
            "tests_data/x/Cargo.toml",
            "Tests/Cargo.toml",
        ] {
            assert!(is_set_aside(path), "{path}");
        }
        for path in [
            "Cargo.toml",
            "pyproject.toml",
            "crates/ruff/Cargo.toml",
            "core/benches/vs_fs/Cargo.toml",
            "scripts/benchmarks/pyproject.toml",
            "charts/app/charts/crds/Chart.yaml",
            "crates/build-rs-test-lib/Cargo.toml",
            "contest/Cargo.toml",
            "testsuite-runner/Cargo.toml",
            "tests.py",
        ] {
            assert!(!is_set_aside(path), "{path}");
        }
    }
}
