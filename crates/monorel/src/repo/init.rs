//! `monorel init`: the `monorel.toml` that reproduces what discovery found, commented.
//!
//! The groups are discovery's own (see `groups`): packages tied together or at one version in
//! one group, packages versioned apart each in their own, every group with the tag style its
//! tags show. Test data and examples are set aside by discovery already, so the file needs no
//! `exclude` for them. Every key of the file it replaces that `init` does not generate is kept
//! word for word: `exclude`, `include`, `[release]`, and each group's `app-version`,
//! `artifacts` and `files` (with its `[[groups.NAME.files]]` tables).

use toml_edit::{Document, TableLike};

use super::{Model, Release};

/// The text of a `monorel.toml` for `model`, keeping the top-level `exclude` and `include`, the
/// `[release]` table and the groups' keys it does not generate of `existing` (the file being
/// replaced), word for word.
pub fn config_text(model: &Model, existing: Option<&str>) -> String {
    let kept = existing.map(Kept::of).unwrap_or_default();
    let mut out = String::from(
        "# monorel's configuration, written by `monorel init` from what discovery found.\n\
         # Everything here is optional: without this file, discovery finds these groups itself.\n\
         # Manifests under test data, examples and vendored code are set aside; `include`\n\
         # takes a path prefix in, `exclude` leaves one out.\n",
    );
    match &kept.top {
        Some(top) => {
            out.push_str(top);
            out.push('\n');
        }
        None => out.push_str("# exclude = [\"tools/legacy/\"]\n"),
    }
    for group in &model.groups {
        let now = group.version.as_ref().map(|v| format!(", now at {v}")).unwrap_or_default();
        let heading = if group.packages.len() == 1 {
            format!("Released on its own{now}.")
        } else {
            format!("Released together, at one version{now}.")
        };
        let evidence = match &group.tag_from {
            Some(Some(tag)) => format!(" The tag style is that of `{tag}`."),
            Some(None) => " No tag of this group exists yet.".to_string(),
            None => String::new(),
        };
        out.push_str(&format!("\n# {heading}{evidence}\n[groups.{}]\n", group.name));
        // A name two packages share says neither: those are named by their manifest.
        let shared = |id: &super::PackageId| {
            model
                .packages
                .iter()
                .any(|p| p.id.name == id.name && p.id.ecosystem == id.ecosystem && p.id != *id)
        };
        let (by_path, by_name): (Vec<_>, Vec<_>) = group.packages.iter().partition(|id| shared(id));
        if !by_name.is_empty() {
            out.push_str("packages = [\n");
            for id in &by_name {
                out.push_str(&format!("    \"{id}\", # {}\n", id.manifest));
            }
            out.push_str("]\n");
        }
        if !by_path.is_empty() {
            out.push_str("paths = [\n");
            for id in &by_path {
                out.push_str(&format!("    \"{}\", # {id}\n", id.manifest));
            }
            out.push_str("]\n");
        }
        out.push_str(&format!("tag = \"{}\"\n", group.tag));
        if let Some(keys) = kept.group_keys.get(&group.name) {
            out.push_str(keys);
        }
        if let Some(tables) = kept.group_tables.get(&group.name) {
            out.push('\n');
            out.push_str(tables);
        }
    }
    let others: Vec<String> = model
        .packages
        .iter()
        .filter(|p| !model.groups.iter().any(|g| g.packages.contains(&p.id)))
        .filter_map(|p| {
            let why = match &p.release {
                Release::Tags { how } => format!("version from git tags ({how})"),
                Release::Follows { package } => format!("takes the version of {package}"),
                Release::Unpublished => "not published".into(),
                Release::Placeholder => "a placeholder version its build fills in".into(),
                Release::Files => return None,
            };
            Some(format!("#   {}: {why}\n", p.id))
        })
        .collect();
    if !others.is_empty() {
        out.push_str("\n# Found, but not released by editing files:\n");
        out.extend(others);
    }
    out.push_str(
        "\n# A version in any other text file, found by a regular expression:\n\
         # [[groups.<name>.files]]\n\
         # path = \"docs/install.md\"\n\
         # pattern = 'mypkg==(?<version>[0-9][^\\s]*)'\n\
         # count = 1\n\
         # spelling = \"pep440\"\n",
    );
    if let Some(release) = &kept.release {
        out.push('\n');
        out.push_str(release);
        if !release.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// What `init` keeps of the file it replaces, as written.
#[derive(Debug, Default)]
struct Kept {
    /// The top-level `exclude` and `include` lines.
    top: Option<String>,
    /// The `[release]` table, from its header to the next table of another name.
    release: Option<String>,
    /// Each group's lines of the keys `init` does not generate (`app-version`, `artifacts`,
    /// an inline `files`), by group name.
    group_keys: std::collections::HashMap<String, String>,
    /// Each group's subtables (`[[groups.NAME.files]]`), by group name.
    group_tables: std::collections::HashMap<String, String>,
}

/// The keys of a group that `init` writes itself; every other key is the user's.
const GENERATED_GROUP_KEYS: [&str; 3] = ["packages", "paths", "tag"];

impl Kept {
    fn of(text: &str) -> Kept {
        let Ok(doc) = Document::parse(text) else { return Kept::default() };
        let root = doc.as_table() as &dyn TableLike;
        let mut top = Vec::new();
        for key in ["exclude", "include"] {
            let Some(span) = root.get(key).and_then(|i| i.as_value()).and_then(|v| v.span()) else {
                continue;
            };
            let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
            top.push(text[start..span.end].to_string());
        }
        let mut group_keys = std::collections::HashMap::new();
        let mut group_tables = std::collections::HashMap::new();
        if let Some(groups) = root.get("groups").and_then(|g| g.as_table_like()) {
            for (name, item) in groups.iter() {
                let Some(table) = item.as_table_like() else { continue };
                let mut lines = String::new();
                for (key, value) in table.iter() {
                    if GENERATED_GROUP_KEYS.contains(&key) {
                        continue;
                    }
                    let Some(line) = key_lines(text, table, key, value) else { continue };
                    lines.push_str(&line);
                }
                if !lines.is_empty() {
                    group_keys.insert(name.to_string(), lines);
                }
                if let Some(tables) = subtables(text, name) {
                    group_tables.insert(name.to_string(), tables);
                }
            }
        }
        Kept {
            top: (!top.is_empty()).then(|| top.join("\n")),
            release: release_table(text),
            group_keys,
            group_tables,
        }
    }
}

/// The whole lines of `key = value` in `table` (with a comment after it), when the value is
/// written in `table` itself (not as tables of its own).
fn key_lines(
    text: &str,
    table: &dyn TableLike,
    key: &str,
    value: &toml_edit::Item,
) -> Option<String> {
    let value_span = value.as_value()?.span()?;
    let key_span = table.key(key)?.span()?;
    let start = text[..key_span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[value_span.end..].find('\n').map_or(text.len(), |i| value_span.end + i + 1);
    let mut lines = text[start..end].to_string();
    if !lines.ends_with('\n') {
        lines.push('\n');
    }
    Some(lines)
}

/// The text of the tables under group `name` (`[[groups.NAME.files]]`, `[groups.NAME.x]`),
/// each from its header to the next header, when there are any.
fn subtables(text: &str, name: &str) -> Option<String> {
    let prefixes = [format!("groups.{name}."), format!("groups.\"{name}\".")];
    let mut out = String::new();
    let mut inside = false;
    // Comments and blank lines after a table's last key introduce what follows (the hint
    // `init` writes itself, for one): they end the table.
    let end_table = |out: &mut String| {
        while let Some(last) = out.trim_end_matches('\n').rsplit('\n').next() {
            let trimmed = last.trim();
            if !(trimmed.is_empty() || trimmed.starts_with('#')) || out.is_empty() {
                break;
            }
            let cut = out.trim_end_matches('\n').len() - last.len();
            out.truncate(cut);
        }
        out.truncate(out.trim_end_matches('\n').len());
        if !out.is_empty() {
            out.push('\n');
        }
    };
    for line in text.split_inclusive('\n') {
        let header = line.trim_start();
        if header.starts_with('[') {
            if inside {
                end_table(&mut out);
                out.push('\n');
            }
            let bare: String = header
                .split('#')
                .next()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '[' && *c != ']')
                .collect();
            inside = prefixes.iter().any(|p| bare.starts_with(p.as_str()));
        }
        if inside {
            out.push_str(line);
        }
    }
    end_table(&mut out);
    let out = out.trim();
    (!out.is_empty()).then(|| out.to_string() + "\n")
}

/// The text of the `[release]` table (and its `[release.*]` subtables), when there is one.
fn release_table(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        let header = line.trim_start();
        if header.starts_with('[') {
            let name = header.trim_start_matches('[').trim_start();
            inside = name.starts_with("release]")
                || name.starts_with("release.")
                || name.starts_with("release ]");
        }
        if inside {
            out.push_str(line);
        }
    }
    (!out.is_empty()).then(|| out.trim_end().to_string() + "\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_what_the_user_wrote() {
        let existing = "exclude = [\"legacy/\"]\ninclude = [\n  \"examples/app/\",\n]\n\n[groups.x]\npackages = [\"a\"]\n\n[release]\npush = true # always\npre-commit = [\"make test\"]\n\n[groups.y]\npackages = [\"b\"]\n";
        let kept = super::Kept::of(existing);
        assert_eq!(
            kept.top.as_deref(),
            Some("exclude = [\"legacy/\"]\ninclude = [\n  \"examples/app/\",\n]")
        );
        assert_eq!(
            kept.release.as_deref(),
            Some("[release]\npush = true # always\npre-commit = [\"make test\"]\n")
        );
        assert!(super::Kept::of("not toml [").release.is_none());
    }

    #[test]
    fn keeps_the_group_keys_it_does_not_generate() {
        let existing = "[groups.c]\npackages = [\"cargo:c\"]\napp-version = \"never\" # pinned\nartifacts = [\n  \"dist/\",\n]\ntag = \"v{version}\"\n\n[[groups.c.files]]\npath = \"README.md\"\npattern = 'c==(?<version>[0-9.]+)'\n\n[[ groups.c.files ]] # the docs\npath = \"docs.md\"\npattern = 'c (?<version>[0-9.]+)'\n\n[release]\npush = true\n";
        let kept = super::Kept::of(existing);
        assert_eq!(
            kept.group_keys.get("c").map(String::as_str),
            Some("app-version = \"never\" # pinned\nartifacts = [\n  \"dist/\",\n]\n")
        );
        assert_eq!(
            kept.group_tables.get("c").map(String::as_str),
            Some(
                "[[groups.c.files]]\npath = \"README.md\"\npattern = 'c==(?<version>[0-9.]+)'\n\n[[ groups.c.files ]] # the docs\npath = \"docs.md\"\npattern = 'c (?<version>[0-9.]+)'\n"
            )
        );
    }
}
