//! `uv.lock`: the versions of the project's own packages.
//!
//! uv locks the workspace's own packages as `[[package]]` entries whose `source` is
//! `{ editable = ".." }` (or `{ directory = ".." }` for a path dependency of the workspace).
//! Those carry the version the project declares and move with it. A `{ virtual = ".." }` entry
//! is a project uv never builds or installs (no build system, `package = false`): its version
//! is no release, and maintainers leave it to the next `uv lock` (ruff's benchmark scripts), so
//! it does not move either. Everything from a registry, a URL or git never moves, whatever its
//! number. Names are normalized as uv writes them (PEP 503: lowercase, `-`).

use toml_edit::{Item, TableLike};

use super::{Lines, Reason, Refusal, Role, Site, toml_spans};
use crate::version::Spelling;

/// The `source` kinds of a project's own packages.
const OWN_SOURCES: [&str; 2] = ["editable", "directory"];

/// Finds the version sites of a `uv.lock`.
pub fn scan(text: &str) -> Result<Vec<Site>, Refusal> {
    let doc = toml_spans::parse(text)?;
    let Some(packages) = doc.as_table().get("package").and_then(Item::as_array_of_tables) else {
        return Err(Refusal::new(
            Reason::NoVersion,
            "no `[[package]]` entries: this is not a uv.lock",
        )
        .help("pass the `uv.lock` next to the project's `pyproject.toml`"));
    };
    let lines = &Lines::new(text);
    let mut sites = Vec::new();
    for package in packages.iter() {
        let own = package
            .get("source")
            .and_then(Item::as_table_like)
            .is_some_and(|s: &dyn TableLike| OWN_SOURCES.iter().any(|k| s.contains_key(k)));
        if !own {
            continue;
        }
        let Some(name) = package.get("name").and_then(Item::as_str) else { continue };
        let Some(version) = package.get("version") else { continue };
        let role = Role::LockMember { name: normalize(name) };
        sites.push(toml_spans::string_site(text, lines, version, role, Spelling::Pep440)?);
    }
    if sites.is_empty() {
        return Err(Refusal::new(
            Reason::NoVersion,
            "the lockfile locks none of the project's own packages (entries with an `editable` or `directory` source)",
        )
        .help("run `uv lock` in the project, or pass the project's own `uv.lock`"));
    }
    Ok(sites)
}

/// A distribution name as PEP 503 normalizes it: lowercase, runs of `-`, `_`, `.` as one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::editors::{FileKind, check as check_kind};

    fn check(input: &str, old: &str, new: &str, expected: &str) {
        assert_eq!(check_kind(FileKind::UvLock, input, old, new), expected, "input:\n{input}");
    }

    #[test]
    fn own_packages_move_registry_ones_stay() {
        check(
            r#"version = 1
revision = 3
requires-python = ">=3.9"

[[package]]
name = "click"
version = "3.1.3.dev0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "flask"
version = "3.1.3.dev0"
source = { editable = "." }
dependencies = [
    { name = "click" },
]

[[package]]
name = "docs"
version = "3.1.3.dev0"
source = { virtual = "docs" }
"#,
            "3.1.3-dev.0",
            "3.1.3",
            r#"version = 1
revision = 3
requires-python = ">=3.9"

[[package]]
name = "click"
version = "3.1.3.dev0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "flask"
version = "3.1.3"
source = { editable = "." }
dependencies = [
    { name = "click" },
]

[[package]]
name = "docs"
version = "3.1.3.dev0"
source = { virtual = "docs" }
"#,
        );
    }

    #[test]
    fn names_are_normalized() {
        assert_eq!(super::normalize("Flask"), "flask");
        assert_eq!(super::normalize("zope.interface"), "zope-interface");
        assert_eq!(super::normalize("a__b-_c"), "a-b-c");
        let sites = super::scan(
            "[[package]]\nname = \"My_Pkg\"\nversion = \"1.0\"\nsource = { editable = \".\" }\n",
        )
        .unwrap();
        assert_eq!(sites[0].role, crate::editors::Role::LockMember { name: "my-pkg".into() });
    }

    #[test]
    fn a_lock_of_registry_packages_only_is_refused() {
        let refusal = super::scan(
            "[[package]]\nname = \"click\"\nversion = \"8.0\"\nsource = { registry = \"x\" }\n",
        )
        .unwrap_err();
        assert!(refusal.message.contains("none of the project's own packages"), "{refusal}");
        assert!(super::scan("version = 1\n").is_err());
    }
}
