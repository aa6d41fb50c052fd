//! `pyproject.toml`: the PEP 621 `[project].version` and Poetry's `[tool.poetry].version`.
//!
//! When `[project].dynamic` lists `version`, no literal here is the release version: the build
//! backend reads it from a module, a file, Cargo.toml or git tags. This editor refuses, naming
//! where the version really lives, and never takes `fallback-version` for the release version.

use toml_edit::{Item, TableLike};

use super::{
    Lines, Reason, Refusal, Role, Site,
    toml_spans::{self, array_contains, line_of, table},
};
use crate::version::Spelling;

/// Finds the version sites of a `pyproject.toml`.
pub fn scan(text: &str) -> Result<Vec<Site>, Refusal> {
    let doc = toml_spans::parse(text)?;
    let root = doc.as_table() as &dyn TableLike;
    let project = table(root, &["project"]);
    let poetry = table(root, &["tool", "poetry"]);
    let mut sites = Vec::new();
    let lines = &Lines::new(text);

    let dynamic = project.and_then(|p| p.get("dynamic"));
    let is_dynamic = array_contains(dynamic, "version");
    if let Some(version) = project.and_then(|p| p.get("version")) {
        if is_dynamic {
            return Err(Refusal::new(
                Reason::Parse,
                "`[project].version` is set and also listed in `[project].dynamic`",
            )
            .at_line(line_of(text, version))
            .help("a version is either static or dynamic: remove one of them"));
        }
        let role = Role::Declaration { subject: "[project].version".into() };
        sites.push(toml_spans::string_site(text, lines, version, role, Spelling::Pep440)?);
    }
    if let Some(version) = poetry.and_then(|p| p.get("version")) {
        let role = Role::Declaration { subject: "[tool.poetry].version".into() };
        sites.push(toml_spans::string_site(text, lines, version, role, Spelling::Pep440)?);
    }
    if !sites.is_empty() {
        return Ok(sites);
    }
    if is_dynamic {
        let line = dynamic.map_or(1, |d| line_of(text, d));
        return Err(dynamic_refusal(&dynamic_source(root, project)).at_line(line));
    }
    Err(Refusal::new(Reason::NoVersion, "no `[project].version` or `[tool.poetry].version`")
        .help("add `version = \"X.Y.Z\"` to `[project]`, or list the file that holds the version in the configuration"))
}

/// Where a pyproject's version comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionSource {
    /// `[project].version` or `[tool.poetry].version` in this file.
    Static,
    /// A file the build backend reads: candidate paths relative to the pyproject's directory
    /// (the first that exists is the one), the attribute when it is a module, and the backend.
    File { paths: Vec<String>, attr: Option<String>, how: String },
    /// maturin: the version of the Rust package it builds.
    Cargo,
    /// Git tags (setuptools-scm, hatch-vcs, pdm scm, ...): no file holds the version.
    Vcs { how: String },
    /// Dynamic, and the backend's configuration does not say where from.
    Unknown,
    /// Neither static nor dynamic.
    Missing,
}

/// What discovery needs to know of a `pyproject.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// `[project].name` or `[tool.poetry].name`.
    pub name: Option<String>,
    /// Where the version comes from.
    pub source: VersionSource,
    /// Directories (relative to the pyproject's) that hold the import packages: maturin's
    /// `python-source`, setuptools' `package-dir`, `src`, and the project directory itself.
    pub package_roots: Vec<String>,
    /// Import names the backend declares (maturin `module-name`, flit `module.name`).
    pub import_names: Vec<String>,
    /// The `Cargo.toml` maturin builds, relative to the pyproject's directory, when maturin
    /// builds the project: the wheel takes that crate's version.
    pub maturin: Option<String>,
    /// PEP 508 requirements pinned to one version (`polars-runtime-32 == 1.43.0`) in
    /// `[project].dependencies` and `[project.optional-dependencies]`: followers whose target is
    /// the (normalized) distribution name. Discovery keeps those on a package of the repository.
    pub exact_pins: Vec<Site>,
}

/// Reads what discovery needs from a `pyproject.toml`.
pub fn project(text: &str) -> Result<Project, Refusal> {
    let doc = toml_spans::parse(text)?;
    let root = doc.as_table() as &dyn TableLike;
    let str_at = |path: &[&str], key: &str| -> Option<String> {
        table(root, path)?.get(key)?.as_str().map(str::to_string)
    };
    let project = table(root, &["project"]);
    let has_static = project.and_then(|p| p.get("version")).is_some()
        || table(root, &["tool", "poetry"]).and_then(|p| p.get("version")).is_some();
    let maturin = maturin_manifest(root);
    let source = if has_static {
        VersionSource::Static
    } else if array_contains(project.and_then(|p| p.get("dynamic")), "version") {
        dynamic_source(root, project)
    } else if maturin.is_some() {
        // maturin gives a project with no version at all its crate's.
        VersionSource::Cargo
    } else {
        VersionSource::Missing
    };
    let mut package_roots = Vec::new();
    package_roots.extend(str_at(&["tool", "maturin"], "python-source"));
    package_roots.extend(str_at(&["tool", "setuptools", "package-dir"], ""));
    package_roots.extend(["src".to_string(), String::new()]);
    let mut import_names = Vec::new();
    import_names.extend(
        str_at(&["tool", "maturin"], "module-name")
            .map(|m| m.split('.').next().unwrap_or("").to_string()),
    );
    import_names.extend(str_at(&["tool", "flit", "module"], "name"));
    let name = str_at(&["project"], "name").or_else(|| str_at(&["tool", "poetry"], "name"));
    let exact_pins = exact_pins(text, project);
    Ok(Project { name, source, package_roots, import_names, maturin, exact_pins })
}

/// The requirements of `[project]` that pin one version with `==` (no wildcard, no range).
fn exact_pins(text: &str, project: Option<&dyn TableLike>) -> Vec<Site> {
    let Some(project) = project else { return Vec::new() };
    let lines = &Lines::new(text);
    let mut lists: Vec<(String, &toml_edit::Array)> = Vec::new();
    if let Some(deps) = project.get("dependencies").and_then(Item::as_array) {
        lists.push(("[project].dependencies".into(), deps));
    }
    if let Some(extras) = project.get("optional-dependencies").and_then(Item::as_table_like) {
        for (extra, deps) in extras.iter() {
            if let Some(deps) = deps.as_array() {
                lists.push((format!("[project.optional-dependencies].{extra}"), deps));
            }
        }
    }
    let mut sites = Vec::new();
    for (list, deps) in lists {
        for dep in deps.iter() {
            let Some(content) = toml_spans::string_content(text, dep) else { continue };
            let requirement = &text[content.clone()];
            let Some((name, version, at)) = pinned(requirement) else { continue };
            let range = content.start + at..content.start + at + version.len();
            sites.push(Site {
                line: lines.at(range.start),
                text: version.to_string(),
                range,
                role: Role::Follower {
                    subject: format!("{list} {name}"),
                    target: Some(super::uv_lock::normalize(name)),
                },
                spelling: Spelling::Pep440,
            });
        }
    }
    sites
}

/// `name[extras] == version ; marker`: the name, the version and its offset in `requirement`.
fn pinned(requirement: &str) -> Option<(&str, &str, usize)> {
    let name_end = requirement
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(requirement.len());
    let name = &requirement[..name_end];
    let mut rest = requirement[name_end..].trim_start();
    if rest.starts_with('[') {
        rest = rest[rest.find(']')? + 1..].trim_start();
    }
    let rest = rest.strip_prefix("==")?;
    if rest.starts_with('=') {
        return None; // `===` is arbitrary equality
    }
    let version = rest.trim_start();
    let end = version.find(|c: char| c.is_whitespace() || c == ';').unwrap_or(version.len());
    let version = &version[..end];
    let tail = version_tail(
        &requirement
            [requirement.len() - rest.len() + (rest.len() - rest.trim_start().len()) + end..],
    );
    if name.is_empty() || version.is_empty() || version.contains(['*', ',']) || !tail {
        return None;
    }
    let at = requirement.len() - rest.trim_start().len();
    Some((name, version, at))
}

/// Whether what follows a pinned version is nothing, or an environment marker.
fn version_tail(tail: &str) -> bool {
    let tail = tail.trim_start();
    tail.is_empty() || tail.starts_with(';')
}

/// The `Cargo.toml` maturin builds (relative to the pyproject's directory), when maturin builds
/// this project: its build backend, or a `[tool.maturin]` table (a bootstrap backend in front of
/// maturin, as maturin's own).
fn maturin_manifest(root: &dyn TableLike) -> Option<String> {
    let backend = table(root, &["build-system"])
        .and_then(|b| b.get("build-backend")?.as_str().map(str::to_string))
        .unwrap_or_default();
    let tool = table(root, &["tool", "maturin"]);
    if !backend.starts_with("maturin") && tool.is_none() {
        return None;
    }
    let path = tool.and_then(|t| t.get("manifest-path")?.as_str().map(str::to_string));
    Some(path.unwrap_or_else(|| "Cargo.toml".into()))
}

/// Says where a dynamic version comes from, as far as the backend's configuration tells.
fn dynamic_source(root: &dyn TableLike, project: Option<&dyn TableLike>) -> VersionSource {
    let str_at = |path: &[&str], key: &str| -> Option<String> {
        table(root, path)?.get(key)?.as_str().map(str::to_string)
    };
    let file = |path: String, how: &str| VersionSource::File {
        paths: vec![path],
        attr: None,
        how: how.into(),
    };
    let vcs = |how: &str| VersionSource::Vcs { how: how.into() };

    // setuptools: `[tool.setuptools.dynamic] version = { attr = ".." }` or `{ file = ".." }`.
    if let Some(spec) = table(root, &["tool", "setuptools", "dynamic", "version"]) {
        if let Some(attr) = spec.get("attr").and_then(Item::as_str) {
            let src = str_at(&["tool", "setuptools", "package-dir"], "");
            let (paths, name) = attr_location(attr, src.as_deref());
            return VersionSource::File {
                paths,
                attr: Some(name),
                how: "setuptools `attr:`".into(),
            };
        }
        if let Some(path) = spec.get("file") {
            let path = path
                .as_str()
                .map(str::to_string)
                .or_else(|| path.as_array()?.get(0)?.as_str().map(str::to_string))
                .unwrap_or_default();
            return file(path, "setuptools `file:`");
        }
    }
    // hatch: `[tool.hatch.version] source = "vcs"` or `path = ".."`.
    if let Some(source) = str_at(&["tool", "hatch", "version"], "source") {
        if matches!(source.as_str(), "vcs" | "git") {
            return vcs("hatch-vcs");
        }
    }
    if let Some(path) = str_at(&["tool", "hatch", "version"], "path") {
        return file(path, "hatch `[tool.hatch.version] path`");
    }
    // pdm: `[tool.pdm.version] source = "scm" | "file"`.
    match str_at(&["tool", "pdm", "version"], "source").as_deref() {
        Some("scm") => return vcs("pdm `source = \"scm\"`"),
        Some("file") => {
            let path = str_at(&["tool", "pdm", "version"], "path").unwrap_or_default();
            return file(path, "pdm `source = \"file\"`");
        }
        _ => {}
    }
    let requires: Vec<String> = table(root, &["build-system"])
        .and_then(|b| b.get("requires")?.as_array().cloned())
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_lowercase)).collect())
        .unwrap_or_default();
    let required = |name: &str| requires.iter().any(|r| r.replace('_', "-").starts_with(name));
    if table(root, &["tool", "setuptools_scm"]).is_some() || required("setuptools-scm") {
        return vcs("setuptools-scm");
    }
    for tool in ["poetry-dynamic-versioning", "versioningit"] {
        if table(root, &["tool", tool]).is_some() || required(tool) {
            return vcs(tool);
        }
    }
    if maturin_manifest(root).is_some() {
        return VersionSource::Cargo;
    }
    let backend = str_at(&["build-system"], "build-backend").unwrap_or_default();
    if backend.starts_with("flit") {
        let name = str_at(&["tool", "flit", "module"], "name")
            .or_else(|| project?.get("name")?.as_str().map(|n| n.replace(['-', '.'], "_")))
            .unwrap_or_default();
        return VersionSource::File {
            paths: vec![format!("{name}/__init__.py")],
            attr: Some("__version__".into()),
            how: "flit".into(),
        };
    }
    VersionSource::Unknown
}

/// The refusal that says where a dynamic version lives.
fn dynamic_refusal(source: &VersionSource) -> Refusal {
    let dynamic = |place: String, how: &str| {
        Refusal::new(
            Reason::Dynamic,
            format!("`[project].version` is dynamic; the version lives in {place}, read by {how}"),
        )
        .help("bump that file instead; pyproject.toml has no version to edit")
    };
    match source {
        VersionSource::File { paths, attr, how } => {
            let paths: Vec<String> = paths.iter().map(|p| format!("`{p}`")).collect();
            let place = match attr {
                Some(attr) => format!("{} (`{attr}`)", paths.join(" or ")),
                None => paths.join(" or "),
            };
            dynamic(place, how)
        }
        VersionSource::Cargo => dynamic("`Cargo.toml`".into(), "maturin (it takes the Rust package's version)"),
        VersionSource::Vcs { how } => Refusal::new(
            Reason::FromVcs,
            format!("`[project].version` is dynamic and comes from git tags ({how})"),
        )
        .help("the release is made by tagging: create the tag `vX.Y.Z`; no file holds the version"),
        VersionSource::Unknown | VersionSource::Static | VersionSource::Missing => Refusal::new(
            Reason::Dynamic,
            "`[project].version` is dynamic, and the build backend's configuration does not say where it comes from",
        )
        .help("bump the file your build backend reads the version from (`monorel bump-file <that file>`)"),
    }
}

/// The files `module.attr` may live in, e.g. `pkg.__version__` -> `pkg/__init__.py`.
fn attr_location(attr: &str, package_dir: Option<&str>) -> (Vec<String>, String) {
    let (module, name) = attr.rsplit_once('.').unwrap_or((attr, "__version__"));
    let prefix =
        package_dir.filter(|d| !d.is_empty()).map(|d| format!("{}/", d.trim_end_matches('/')));
    let prefix = prefix.unwrap_or_default();
    let path = module.replace('.', "/");
    let paths = if module.contains('.') {
        vec![format!("{prefix}{path}.py"), format!("{prefix}{path}/__init__.py")]
    } else {
        vec![format!("{prefix}{path}/__init__.py")]
    };
    (paths, name.to_string())
}

#[cfg(test)]
mod tests {
    use crate::editors::{FileKind, check as check_kind};

    fn check(input: &str, old: &str, new: &str, expected: &str) {
        assert_eq!(check_kind(FileKind::Pyproject, input, old, new), expected, "input:\n{input}");
    }

    #[test]
    fn exact_pep508_pins() {
        let check = |req: &str, expected: Option<(&str, &str)>| {
            let got = super::pinned(req).map(|(n, v, at)| {
                assert_eq!(&req[at..at + v.len()], v, "{req}");
                (n, v)
            });
            assert_eq!(got, expected, "{req}");
        };
        check("polars-runtime-32 == 1.43.0", Some(("polars-runtime-32", "1.43.0")));
        check("a==1.0", Some(("a", "1.0")));
        check("a[extra] == 2.0rc1 ; python_version >= '3.9'", Some(("a", "2.0rc1")));
        check("a >= 1.0", None);
        check("a == 1.*", None);
        check("a === 1.0", None);
        check("a == 1.0, != 1.0.1", None);
        check("a", None);
        let project = super::project(
            "[project]\nname = \"p\"\nversion = \"1\"\ndependencies = [\"rt == 1.0\", \"numpy>=1\"]\n[project.optional-dependencies]\nfast = [\"Rt_Fast == 1.0\"]\n",
        )
        .unwrap();
        let targets: Vec<String> = project
            .exact_pins
            .iter()
            .map(|s| format!("{}:{} {}", s.line, s.text, s.role.subject()))
            .collect();
        assert_eq!(
            targets,
            [
                "4:1.0 [project].dependencies rt",
                "6:1.0 [project.optional-dependencies].fast Rt_Fast"
            ]
        );
    }

    #[test]
    fn pep440_spellings() {
        check(
            "[project]\nversion = \"1.0.0\"\n",
            "1.0.0",
            "1.1.0-rc.1",
            "[project]\nversion = \"1.1.0rc1\"\n",
        );
        check(
            "[project]\nversion = \"1.1.0rc1\"\n",
            "1.1.0-rc.1",
            "1.1.0",
            "[project]\nversion = \"1.1.0\"\n",
        );
        check(
            "[project]\nversion = \"1.1\"\n",
            "1.1.0",
            "1.2.0-dev",
            "[project]\nversion = \"1.2.dev0\"\n",
        );
        // Two release numbers stay two while the patch number is 0, else the third appears.
        check(
            "[project]\nversion = \"26.2\"\n",
            "26.2.0",
            "26.3.0",
            "[project]\nversion = \"26.3\"\n",
        );
        check(
            "[project]\nversion = \"26.2\"\n",
            "26.2.0",
            "26.2.1",
            "[project]\nversion = \"26.2.1\"\n",
        );
        check(
            "[project]\nversion = \"26.2.1\"\n",
            "26.2.1",
            "26.3.0",
            "[project]\nversion = \"26.3.0\"\n",
        );
        check(
            "[project]\nversion = \"1.0.0\"\n\n[tool.poetry]\nversion = \"1.0.0\"\n",
            "1.0.0",
            "1.0.1",
            "[project]\nversion = \"1.0.1\"\n\n[tool.poetry]\nversion = \"1.0.1\"\n",
        );
    }

    #[test]
    fn poetry_2_keeps_the_version_in_tool_poetry_when_project_is_dynamic() {
        check(
            "[project]\nname = \"p\"\ndynamic = [\"version\"]\n\n[tool.poetry]\nversion = \"0.3.0\"\n",
            "0.3.0",
            "0.4.0",
            "[project]\nname = \"p\"\ndynamic = [\"version\"]\n\n[tool.poetry]\nversion = \"0.4.0\"\n",
        );
    }

    #[test]
    fn dynamic_versions_name_where_the_version_lives() {
        let dynamic = |rest: &str| {
            check_kind(
                FileKind::Pyproject,
                &format!("[project]\nname = \"my-pkg\"\ndynamic = [\"version\"]\n{rest}"),
                "1.0.0",
                "1.1.0",
            )
        };
        assert_eq!(
            dynamic(
                "[tool.setuptools.dynamic]\nversion = { attr = \"my_pkg.about.__version__\" }\n[tool.setuptools.package-dir]\n\"\" = \"src\"\n"
            ),
            "refused (Dynamic) at line Some(3): `[project].version` is dynamic; the version lives in `src/my_pkg/about.py` or `src/my_pkg/about/__init__.py` (`__version__`), read by setuptools `attr:`"
        );
        assert_eq!(
            dynamic("[tool.setuptools.dynamic]\nversion = { file = \"VERSION\" }\n"),
            "refused (Dynamic) at line Some(3): `[project].version` is dynamic; the version lives in `VERSION`, read by setuptools `file:`"
        );
        assert_eq!(
            dynamic("[tool.hatch.version]\npath = \"src/my_pkg/__about__.py\"\n"),
            "refused (Dynamic) at line Some(3): `[project].version` is dynamic; the version lives in `src/my_pkg/__about__.py`, read by hatch `[tool.hatch.version] path`"
        );
        assert_eq!(
            dynamic("[tool.pdm.version]\nsource = \"file\"\npath = \"my_pkg/_v.py\"\n"),
            "refused (Dynamic) at line Some(3): `[project].version` is dynamic; the version lives in `my_pkg/_v.py`, read by pdm `source = \"file\"`"
        );
        assert_eq!(
            dynamic("[tool.pdm.version]\nsource = \"scm\"\n"),
            "refused (FromVcs) at line Some(3): `[project].version` is dynamic and comes from git tags (pdm `source = \"scm\"`)"
        );
        assert_eq!(
            dynamic(
                "[build-system]\nrequires = [\"flit_core>=3.4\"]\nbuild-backend = \"flit_core.buildapi\"\n"
            ),
            "refused (Dynamic) at line Some(3): `[project].version` is dynamic; the version lives in `my_pkg/__init__.py` (`__version__`), read by flit"
        );
        assert_eq!(
            dynamic("[build-system]\nrequires = [\"maturin>=1.5\"]\nbuild-backend = \"maturin\"\n"),
            "refused (Dynamic) at line Some(3): `[project].version` is dynamic; the version lives in `Cargo.toml`, read by maturin (it takes the Rust package's version)"
        );
        assert_eq!(
            dynamic("[build-system]\nrequires = [\"setuptools_scm>=8\"]\n"),
            "refused (FromVcs) at line Some(3): `[project].version` is dynamic and comes from git tags (setuptools-scm)"
        );
        assert!(dynamic("").starts_with("refused (Dynamic) at line Some(3): `[project].version` is dynamic, and the build backend"));
    }

    #[test]
    fn refusals() {
        check(
            "[project]\nversion = \"1.0.0\"\ndynamic = [\"version\"]\n",
            "1.0.0",
            "1.1.0",
            "refused (Parse) at line Some(2): `[project].version` is set and also listed in `[project].dynamic`",
        );
        check(
            "[project]\nname = \"x\"\n",
            "1.0.0",
            "1.1.0",
            "refused (NoVersion) at line None: no `[project].version` or `[tool.poetry].version`",
        );
        check(
            "[project]\nversion = \"1.0.0\"\n",
            "1.0.0",
            "1.1.0-1",
            "refused (InvalidNew) at line Some(2): `1.1.0-1` has no faithful PEP 440 form: PEP 440 reads a number after `-` as a post-release, which sorts after the release, where SemVer sorts it before (needed at `[project].version`)",
        );
    }
}
