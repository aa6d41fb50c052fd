//! `Cargo.toml`: `[package]` and `[workspace.package]` versions, and the requirements of path
//! dependencies that pin them.
//!
//! A dependency is internal when it has a `path` key; its requirement follows the release when
//! it names the old version exactly, with or without an `=`, `~` or `^` operator (cargo-release's
//! `upgrade` policy). Registry dependencies never move, whatever their numbers, and neither do
//! partial requirements (`0.3`) that still match the new version.

use toml_edit::{Item, TableLike};

use super::{
    Lines, Reason, Refusal, Role, Site,
    toml_spans::{self, line_of, string_content, table},
};
use crate::version::Spelling;

/// The dependency tables of a manifest or of one `[target.'cfg(..)']` table.
const DEPENDENCY_TABLES: [&str; 5] = [
    "dependencies",
    "dev-dependencies",
    "dev_dependencies",
    "build-dependencies",
    "build_dependencies",
];

/// Finds the version sites of a `Cargo.toml`; refuses a manifest that declares no version.
pub fn scan(text: &str) -> Result<Vec<Site>, Refusal> {
    let doc = toml_spans::parse(text)?;
    let root = doc.as_table() as &dyn TableLike;
    let (sites, inherited_line) = sites(text, root)?;
    if !sites.iter().any(|s| s.role.is_declaration()) {
        return Err(no_version(root, inherited_line));
    }
    Ok(sites)
}

/// What discovery needs to know of a `Cargo.toml`, with all its version sites (also those of a
/// manifest whose version is inherited).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// `[package].name`, when the manifest has a package.
    pub package: Option<String>,
    /// `[package].publish = false` (or an empty registry list): the package is never released.
    pub unpublished: bool,
    /// `version.workspace = true`.
    pub inherits_version: bool,
    /// `[workspace].members`, when the manifest is a workspace root.
    pub members: Option<Vec<String>>,
    /// `[workspace].exclude`.
    pub exclude: Vec<String>,
    /// The version sites: declarations and path dependency pins.
    pub sites: Vec<Site>,
}

/// Reads a `Cargo.toml` for discovery.
pub fn manifest(text: &str) -> Result<Manifest, Refusal> {
    let doc = toml_spans::parse(text)?;
    let root = doc.as_table() as &dyn TableLike;
    let (sites, inherited_line) = sites(text, root)?;
    let package = table(root, &["package"]);
    let strings = |item: Option<&Item>| -> Vec<String> {
        item.and_then(Item::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let publish = package.and_then(|p| p.get("publish"));
    let unpublished = publish
        .is_some_and(|p| p.as_bool() == Some(false) || p.as_array().is_some_and(|a| a.is_empty()));
    let workspace = table(root, &["workspace"]);
    Ok(Manifest {
        package: package.and_then(|p| p.get("name")?.as_str().map(str::to_string)),
        unpublished,
        inherits_version: inherited_line.is_some(),
        members: workspace.map(|w| strings(w.get("members"))),
        exclude: strings(workspace.and_then(|w| w.get("exclude"))),
        sites,
    })
}

/// Every version site of a manifest, and the line of `version.workspace = true` if present.
fn sites(text: &str, root: &dyn TableLike) -> Result<(Vec<Site>, Option<usize>), Refusal> {
    let mut sites = Vec::new();
    let mut inherited_line = None;
    let lines = &Lines::new(text);

    if let Some(version) = table(root, &["package"]).and_then(|p| p.get("version")) {
        if version.as_table_like().is_some_and(|t| t.get("workspace").is_some()) {
            inherited_line = Some(line_of(text, version));
        } else {
            let role = Role::Declaration { subject: "[package].version".into() };
            sites.push(toml_spans::string_site(text, lines, version, role, Spelling::Semver)?);
        }
    }
    if let Some(version) = table(root, &["workspace", "package"]).and_then(|p| p.get("version")) {
        let role = Role::Declaration { subject: "[workspace.package].version".into() };
        sites.push(toml_spans::string_site(text, lines, version, role, Spelling::Semver)?);
    }
    for name in DEPENDENCY_TABLES {
        path_pins(text, lines, table(root, &[name]), &format!("[{name}]"), &mut sites);
    }
    path_pins(
        text,
        lines,
        table(root, &["workspace", "dependencies"]),
        "[workspace.dependencies]",
        &mut sites,
    );
    if let Some(targets) = table(root, &["target"]) {
        for (cfg, target) in targets.iter() {
            let Some(target) = target.as_table_like() else { continue };
            for name in DEPENDENCY_TABLES {
                let where_ = format!("[target.{cfg}.{name}]");
                path_pins(text, lines, table(target, &[name]), &where_, &mut sites);
            }
        }
    }
    Ok((sites, inherited_line))
}

/// Adds a follower for every path dependency in `deps` whose requirement is one exact version.
fn path_pins(
    text: &str,
    lines: &Lines<'_>,
    deps: Option<&dyn TableLike>,
    where_: &str,
    sites: &mut Vec<Site>,
) {
    let Some(deps) = deps else { return };
    for (name, dep) in deps.iter() {
        let Some(dep) = dep.as_table_like() else { continue };
        if dep.get("path").is_none() {
            continue;
        }
        // A renamed dependency names its package in `package`.
        let package = dep.get("package").and_then(Item::as_str).unwrap_or(name);
        let Some(content) =
            dep.get("version").and_then(Item::as_value).and_then(|v| string_content(text, v))
        else {
            continue;
        };
        let requirement = &text[content.clone()];
        let after_op = requirement.trim_start_matches(['=', '^', '~']).trim_start();
        let start = content.start + (requirement.len() - after_op.len());
        let version = after_op.trim_end();
        // Only a single version: `>=1, <2` and `*` are ranges a bump leaves alone.
        if version.is_empty() || version.contains([',', ' ', '<', '>', '*']) {
            continue;
        }
        let range = start..start + version.len();
        sites.push(Site {
            line: lines.at(range.start),
            text: version.to_string(),
            range,
            role: Role::Follower {
                subject: format!("{where_} {name}"),
                target: Some(package.to_string()),
            },
            spelling: Spelling::Semver,
        });
    }
}

fn no_version(root: &dyn TableLike, inherited_line: Option<usize>) -> Refusal {
    if let Some(line) = inherited_line {
        return Refusal::new(
            Reason::Inherited,
            "`[package].version` is inherited from the workspace (`version.workspace = true`)",
        )
        .at_line(line)
        .help("bump `[workspace.package].version` in the workspace root's `Cargo.toml` instead");
    }
    if root.get("workspace").is_some() {
        return Refusal::new(
            Reason::NoVersion,
            "this workspace manifest declares no version: `[workspace.package]` has no `version`",
        )
        .help(
            "the versions live in the member manifests (`crates/*/Cargo.toml`): bump those, or set \
             `[workspace.package].version` and `version.workspace = true` in the members",
        );
    }
    if root.get("package").is_some() {
        return Refusal::new(
            Reason::NoVersion,
            "`[package]` has no `version` (Cargo reads it as 0.0.0)",
        )
        .help("add `version = \"X.Y.Z\"` to `[package]`");
    }
    Refusal::new(
        Reason::NoVersion,
        "not a Cargo manifest: there is no `[package]` or `[workspace]` table",
    )
    .help("pass the `Cargo.toml` of a package or of a workspace root")
}

#[cfg(test)]
mod tests {
    use crate::editors::{FileKind, check as check_kind};

    fn check(input: &str, old: &str, new: &str, expected: &str) {
        assert_eq!(check_kind(FileKind::CargoToml, input, old, new), expected, "input:\n{input}");
    }

    #[test]
    fn whitespace_inside_quotes_is_kept() {
        check(
            "[package]\nname = \"a\"\nversion = \" 1.2.3 \"\n",
            "1.2.3",
            "1.3.0",
            "[package]\nname = \"a\"\nversion = \" 1.3.0 \"\n",
        );
    }

    #[test]
    fn package_version_and_every_kind_of_path_pin() {
        check(
            r#"[package]
name = "app"
version = "1.0.0"

[dependencies]
core = { path = "../core", version = "1.0.0" }
exact = { path = "../exact", version = "= 1.0.0" }
registry = "1.0.0"

[dev-dependencies]
tilde = { path = "../tilde", version = "~1.0.0" }

[target.'cfg(unix)'.build-dependencies]
caret = { version = "^1.0.0", path = "../caret" }

[dependencies.sub]
path = "../sub"
version = "1.0.0"

[dependencies.range]
path = "../range"
version = ">=1.0.0, <2"
"#,
            "1.0.0",
            "1.1.0-rc.1",
            r#"[package]
name = "app"
version = "1.1.0-rc.1"

[dependencies]
core = { path = "../core", version = "1.1.0-rc.1" }
exact = { path = "../exact", version = "= 1.1.0-rc.1" }
registry = "1.0.0"

[dev-dependencies]
tilde = { path = "../tilde", version = "~1.1.0-rc.1" }

[target.'cfg(unix)'.build-dependencies]
caret = { version = "^1.1.0-rc.1", path = "../caret" }

[dependencies.sub]
path = "../sub"
version = "1.1.0-rc.1"

[dependencies.range]
path = "../range"
version = ">=1.0.0, <2"
"#,
        );
    }

    #[test]
    fn build_metadata_and_literal_strings() {
        check(
            "[package]\nversion = '0.11.0+wasi'\n",
            "0.11.0+wasi",
            "0.12.0+wasi",
            "[package]\nversion = '0.12.0+wasi'\n",
        );
        // Build metadata is part of the version a file must hold.
        assert!(
            check_kind(
                FileKind::CargoToml,
                "[package]\nversion = '0.11.0+wasi'\n",
                "0.11.0",
                "0.12.0"
            )
            .starts_with("refused (Mismatch)")
        );
    }

    #[test]
    fn package_and_workspace_package_move_apart() {
        let input = "[package]\nversion = \"2.0.0\"\n\n[workspace.package]\nversion = \"0.5.0\"\n";
        check(
            input,
            "0.5.0",
            "0.6.0",
            "[package]\nversion = \"2.0.0\"\n\n[workspace.package]\nversion = \"0.6.0\"\n",
        );
        check(
            input,
            "2.0.0",
            "3.0.0",
            "[package]\nversion = \"3.0.0\"\n\n[workspace.package]\nversion = \"0.5.0\"\n",
        );
    }

    #[test]
    fn refusals() {
        check(
            "[package]\nname = \"m\"\nversion.workspace = true\n",
            "1.0.0",
            "1.1.0",
            "refused (Inherited) at line Some(3): `[package].version` is inherited from the workspace (`version.workspace = true`)",
        );
        check(
            "[package]\nversion = { workspace = true }\n",
            "1.0.0",
            "1.1.0",
            "refused (Inherited) at line Some(2): `[package].version` is inherited from the workspace (`version.workspace = true`)",
        );
        check(
            "[package]\nname = \"m\"\n",
            "1.0.0",
            "1.1.0",
            "refused (NoVersion) at line None: `[package]` has no `version` (Cargo reads it as 0.0.0)",
        );
        check(
            "[package]\nname = \"m\"\nversion = \"1.0.0\n",
            "1.0.0",
            "1.1.0",
            "refused (Parse) at line Some(3): invalid TOML: invalid basic string, expected `\"`",
        );
        check(
            "[package]\nversion = \"\"\"1.0.0\"\"\"\n",
            "1.0.0",
            "1.1.0",
            "refused (Parse) at line Some(2): `[package].version` is not a one-line string, so there is no version token to replace",
        );
        check(
            "[package]\nversion = \"1.0.\\u0030\"\n",
            "1.0.0",
            "1.1.0",
            "refused (Parse) at line Some(2): `[package].version` is not a one-line string, so there is no version token to replace",
        );
        check(
            "[dependencies]\nx = \"1\"\n",
            "1.0.0",
            "1.1.0",
            "refused (NoVersion) at line None: not a Cargo manifest: there is no `[package]` or `[workspace]` table",
        );
    }
}
