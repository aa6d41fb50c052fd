//! `Cargo.lock`: the versions of workspace members, and the `"name version"` references to them.
//!
//! Members are the `[[package]]` entries with no `source` line. Registry packages never move,
//! even at the same version, and neither do the `[metadata]` checksums of v1 lockfiles.

use toml_edit::{Item, Value};

use super::{Lines, Reason, Refusal, Role, Site, toml_spans};
use crate::version::Spelling;

/// Finds the version sites of a `Cargo.lock`.
pub fn scan(text: &str) -> Result<Vec<Site>, Refusal> {
    let doc = toml_spans::parse(text)?;
    let Some(packages) = doc.as_table().get("package").and_then(Item::as_array_of_tables) else {
        return Err(Refusal::new(
            Reason::NoVersion,
            "no `[[package]]` entries: this is not a Cargo.lock",
        )
        .help("pass the `Cargo.lock` next to the workspace's root `Cargo.toml`"));
    };
    let mut sites = Vec::new();
    let lines = &Lines::new(text);
    for package in packages.iter() {
        if package.get("source").is_some() {
            continue;
        }
        let Some(name) = package.get("name").and_then(Item::as_str) else { continue };
        let Some(version) = package.get("version") else { continue };
        let role = Role::LockMember { name: name.to_string() };
        sites.push(toml_spans::string_site(text, lines, version, role, Spelling::Semver)?);
    }
    if sites.is_empty() {
        return Err(Refusal::new(
            Reason::NoVersion,
            "the lockfile has no workspace members (entries without `source`)",
        )
        .help("run `cargo generate-lockfile` in the workspace, or pass the workspace's own `Cargo.lock`"));
    }
    for package in packages.iter() {
        let Some(deps) = package.get("dependencies").and_then(Item::as_array) else { continue };
        for dep in deps.iter() {
            if let Some(site) = reference(text, lines, dep) {
                sites.push(site);
            }
        }
    }
    Ok(sites)
}

/// A `"name version"` dependency string without a source: a reference to a member.
fn reference(text: &str, lines: &Lines<'_>, dep: &Value) -> Option<Site> {
    let content = toml_spans::string_content(text, dep)?;
    let raw = &text[content.clone()];
    let (name, version) = raw.split_once(' ')?;
    if version.contains(' ') || version.is_empty() {
        return None;
    }
    let start = content.start + name.len() + 1;
    let range = start..start + version.len();
    Some(Site {
        line: lines.at(start),
        text: version.to_string(),
        range,
        role: Role::LockReference { name: name.to_string() },
        spelling: Spelling::Semver,
    })
}

#[cfg(test)]
mod tests {
    use crate::editors::{FileKind, check as check_kind};

    fn check(input: &str, old: &str, new: &str, expected: &str) {
        assert_eq!(check_kind(FileKind::CargoLock, input, old, new), expected, "input:\n{input}");
    }

    #[test]
    fn members_and_references_move_registry_copies_stay() {
        check(
            r#"version = 3

[[package]]
name = "app"
version = "1.0.0"
dependencies = [
 "core 1.0.0",
 "core 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)",
 "other",
]

[[package]]
name = "core"
version = "1.0.0"

[[package]]
name = "core"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "independent"
version = "3.0.0"
"#,
            "1.0.0",
            "1.1.0",
            r#"version = 3

[[package]]
name = "app"
version = "1.1.0"
dependencies = [
 "core 1.1.0",
 "core 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)",
 "other",
]

[[package]]
name = "core"
version = "1.1.0"

[[package]]
name = "core"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "independent"
version = "3.0.0"
"#,
        );
    }

    #[test]
    fn a_reference_to_a_member_that_does_not_move_stays() {
        check(
            "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\"b 2.0.0\"]\n\n[[package]]\nname = \"b\"\nversion = \"2.0.0\"\n",
            "1.0.0",
            "1.0.1",
            "[[package]]\nname = \"a\"\nversion = \"1.0.1\"\ndependencies = [\"b 2.0.0\"]\n\n[[package]]\nname = \"b\"\nversion = \"2.0.0\"\n",
        );
    }

    #[test]
    fn refusals() {
        check(
            "version = 4\n\n[[package]]\nname = \"r\"\nversion = \"1.0.0\"\nsource = \"registry+x\"\n",
            "1.0.0",
            "1.1.0",
            "refused (NoVersion) at line None: the lockfile has no workspace members (entries without `source`)",
        );
        check(
            "version = 4\n",
            "1.0.0",
            "1.1.0",
            "refused (NoVersion) at line None: no `[[package]]` entries: this is not a Cargo.lock",
        );
    }
}
