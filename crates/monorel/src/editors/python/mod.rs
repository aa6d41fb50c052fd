//! Python version modules and `setup.py` (kind `python`).
//!
//! The file is tokenized (by the `lexer` module), never matched line by line, so docstrings,
//! comments and indented code cannot pass for declarations. Sites are found in module-level
//! statements only:
//! - a version name (`__version__`, `VERSION`, `version`, ...) assigned a plain string literal,
//!   directly, in a chain (`__version__ = VERSION = "1.0"`) or with an annotation, is a
//!   declaration; assigned exactly three integers (`VERSION = (1, 2, 3)`) it is one too;
//! - `version_info` / `version_tuple` (any case, any surrounding underscores) assigned exactly
//!   three integers follows the release;
//! - `setup(version=...)` (or `setuptools.setup`, at any depth) declares the version with a string
//!   literal, or through a module-level constant, which is followed to its literal.
//!
//! Files with no such literal are refused with what was found instead: a generated header
//! (setuptools-scm), git-archive keywords or versioneer machinery, an import from the module that
//! does hold the version, a computed value, or a literal that only exists in an indented block.

mod explain;
mod lexer;
mod setup_py;
mod syntax;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::ops::Range;

use explain::{Class, Note};
use lexer::{Kind, Module, Token};
use syntax::Value;

use super::{Lines, Reason, Refusal, Role, Site, line_at};
use crate::version::Spelling;

/// Finds the version sites of a Python module or `setup.py` (`text` has no BOM).
pub fn scan(text: &str) -> Result<Vec<Site>, Refusal> {
    scan_with(text, false)
}

/// [`scan`], taking a release tuple (`VERSION = (6, 1, 0, "alpha", 0)`) for the declaration:
/// for a module discovery reached from its project, whose version the tuple is.
pub fn scan_project_module(text: &str) -> Result<Vec<Site>, Refusal> {
    scan_with(text, true)
}

fn scan_with(text: &str, release_tuples: bool) -> Result<Vec<Site>, Refusal> {
    let module = lexer::tokenize(text).map_err(|e| {
        Refusal::new(Reason::Parse, format!("cannot read the file as Python: {}", e.message))
            .at_line(line_at(text, e.offset))
            .help("fix the syntax error first: monorel only edits files Python can read")
    })?;
    let mut scanner = Scanner::new(text, &module);
    scanner.release_tuples = release_tuples;
    if let Some(refusal) = scanner.generated_header().or_else(|| scanner.git_archive_keywords()) {
        return Err(refusal);
    }
    let mut found = Found::default();
    scanner.collect(&mut found);
    if found.sites.iter().any(|s| matches!(s.role, Role::Declaration { .. })) {
        found.sites.sort_by_key(|s| s.range.start);
        Ok(found.sites)
    } else {
        Err(explain::refusal(&found.notes))
    }
}

/// Statement keywords whose line holds a block header, never a module-level assignment.
const COMPOUND: [&str; 12] = [
    "if", "elif", "else", "for", "while", "try", "except", "finally", "with", "def", "class",
    "async",
];

/// Modules whose `version` is a function or a module, not a version.
const METADATA_MODULES: [&str; 5] =
    ["importlib.metadata", "importlib_metadata", "pkg_resources", "packaging", "packaging.version"];

/// Names that show a version computed from version control at build or run time.
const VCS_NAMES: [&str; 5] =
    ["versioneer", "get_versions", "setuptools_scm", "use_scm_version", "vcs_versioning"];

/// Whether `name` names the version: `version` in lower or upper case, with any underscores around.
fn is_version_name(name: &str) -> bool {
    matches!(name.trim_matches('_'), "version" | "VERSION")
}

/// Whether `name` names a version tuple: `version_info` or `version_tuple`, likewise.
fn is_tuple_name(name: &str) -> bool {
    matches!(
        name.trim_matches('_'),
        "version_info" | "VERSION_INFO" | "version_tuple" | "VERSION_TUPLE"
    )
}

/// What the scan found: sites, and notes that explain a refusal when there is no declaration.
#[derive(Debug, Default)]
struct Found {
    sites: Vec<Site>,
    /// The range of every site found.
    ranges: std::collections::HashSet<(usize, usize)>,
    notes: Vec<Note>,
}

impl Found {
    fn site(&mut self, site: Site) {
        // A set, not a search of the sites so far: a module may hold thousands.
        if self.ranges.insert((site.range.start, site.range.end)) {
            self.sites.push(site);
        }
    }

    fn note(&mut self, class: Class, line: usize, text: String, hint: Option<String>) {
        self.notes.push(Note { class, line, text, hint });
    }
}

/// One simple statement: the tokens of a logical line up to a top-level `;`.
#[derive(Debug, Clone, Copy)]
struct Stmt<'m> {
    /// The tokens, never empty.
    tokens: &'m [Token],
    /// At column 0 and not on the header line of a compound statement.
    module_level: bool,
}

/// What the module binds by name at module level, for following `version=NAME`.
#[derive(Debug, Default)]
struct Bindings<'m> {
    /// Plain string literals: name -> literal tokens.
    literals: HashMap<&'m str, Vec<&'m Token>>,
    /// Other values: name -> the assignment's text and line.
    computed: HashMap<&'m str, (String, usize)>,
    /// Every module-level value: name -> the value's tokens (the last assignment).
    values: HashMap<&'m str, &'m [Token]>,
    /// Imports, at any depth: bound name -> (module, line).
    imported: HashMap<&'m str, (String, usize)>,
    /// Names bound from metadata modules (`from importlib.metadata import version`).
    metadata: Vec<&'m str>,
}

/// The module being scanned: its text, tokens and simple statements.
struct Scanner<'m> {
    text: &'m str,
    /// The lines of `text`, asked for every site and note.
    lines: Lines<'m>,
    module: &'m Module,
    stmts: Vec<Stmt<'m>>,
    /// Whether a release tuple is a declaration ([`scan_project_module`]).
    release_tuples: bool,
}

impl<'m> Scanner<'m> {
    fn new(text: &'m str, module: &'m Module) -> Self {
        let mut stmts = Vec::new();
        for line in &module.lines {
            let first = &line.tokens[0];
            let compound = match first.kind {
                Kind::Name => COMPOUND.contains(&&text[first.range.clone()]),
                _ => &text[first.range.clone()] == "@",
            };
            let module_level = line.indent == 0 && !compound;
            let mut depth = 0usize;
            let mut start = 0;
            for (i, t) in line.tokens.iter().enumerate() {
                match &text[t.range.clone()] {
                    "(" | "[" | "{" if t.kind == Kind::Op => depth += 1,
                    ")" | "]" | "}" if t.kind == Kind::Op => depth = depth.saturating_sub(1),
                    ";" if depth == 0 => {
                        stmts.push(Stmt { tokens: &line.tokens[start..i], module_level });
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            stmts.push(Stmt { tokens: &line.tokens[start..], module_level });
        }
        stmts.retain(|s| !s.tokens.is_empty());
        Scanner { text, lines: Lines::new(text), module, stmts, release_tuples: false }
    }

    fn src(&self, t: &Token) -> &'m str {
        &self.text[t.range.clone()]
    }

    fn is_op(&self, t: &Token, op: &str) -> bool {
        t.kind == Kind::Op && self.src(t) == op
    }

    fn is_name(&self, t: &Token, name: &str) -> bool {
        t.kind == Kind::Name && self.src(t) == name
    }

    fn line(&self, t: &Token) -> usize {
        self.lines.at(t.range.start)
    }

    /// The source of `tokens` on one line, shortened for messages.
    fn snippet(&self, tokens: &[Token]) -> String {
        let (Some(first), Some(last)) = (tokens.first(), tokens.last()) else {
            return String::new();
        };
        let text = &self.text[first.range.start..last.range.end];
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if flat.chars().count() > 60 {
            format!("{}...", flat.chars().take(57).collect::<String>())
        } else {
            flat
        }
    }

    /// A plain string token's content.
    fn content(&self, t: &Token) -> &'m str {
        t.string.as_ref().map_or("", |s| &self.text[s.content.clone()])
    }

    /// Finds every site and every note.
    fn collect(&self, found: &mut Found) {
        let mut bindings = Bindings::default();
        let mut aliases = Vec::new();
        for stmt in &self.stmts {
            self.import(stmt, &mut bindings, found);
        }
        for stmt in &self.stmts {
            let Some(assign) = self.assignment(stmt) else { continue };
            let value = self.classify(assign.value);
            let line = self.line(&stmt.tokens[0]);
            let snippet = self.snippet(stmt.tokens);
            let text = format!("`{snippet}` (line {line})");
            let why = |why: &str| format!("`{snippet}` (line {line}: {why})");
            if stmt.module_level {
                for &target in &assign.targets {
                    bindings.values.insert(target, assign.value);
                    match value {
                        Value::Str(t) => bindings.literals.entry(target).or_default().push(t),
                        _ => {
                            bindings.computed.insert(target, (text.clone(), line));
                        }
                    }
                }
            }
            if let Some(&name) = assign.targets.iter().find(|t| is_version_name(t)) {
                match value {
                    Value::Str(_) | Value::IntTuple(_) | Value::ReleaseTuple(_)
                        if !stmt.module_level =>
                    {
                        let text = format!("{text} is inside an indented block");
                        found.note(Class::Indented, line, text, None)
                    }
                    Value::Str(t) => self.declare(t, name, found),
                    Value::IntTuple(range) => {
                        let role = Role::Declaration { subject: name.into() };
                        found.site(self.site(range, role, Spelling::IntTuple))
                    }
                    Value::ReleaseTuple(range) if self.release_tuples => {
                        let role = Role::Declaration { subject: name.into() };
                        found.site(self.site(range, role, Spelling::ReleaseTuple))
                    }
                    Value::ReleaseTuple(_) => {
                        let text = why(
                            "a release tuple, whose level and serial mean what the project's code makes of them",
                        );
                        found.note(Class::Computed, line, text, None)
                    }
                    Value::Name(other) if stmt.module_level => aliases.push((name, other, line)),
                    Value::Tuple => {
                        let text = why("a tuple that is not three integers");
                        found.note(Class::Computed, line, text, None)
                    }
                    Value::NotPlain(reason) => found.note(Class::Computed, line, why(reason), None),
                    _ if self.reads_metadata(assign.value, &bindings) => {
                        found.note(Class::Metadata, line, text, None)
                    }
                    _ => found.note(Class::Computed, line, text, None),
                }
            } else if stmt.module_level && assign.targets.iter().any(|t| is_tuple_name(t)) {
                if let Value::IntTuple(range) = value {
                    let subject = assign.targets.iter().find(|t| is_tuple_name(t));
                    let subject = subject.copied().unwrap_or_default().to_string();
                    found.site(self.site(
                        range,
                        Role::Follower { subject, target: None },
                        Spelling::IntTuple,
                    ));
                }
            }
        }
        for (name, other, line) in aliases {
            self.follow(other, &format!("`{name} = {other}`"), line, &bindings, found);
        }
        for stmt in &self.stmts {
            self.setup_calls(stmt, &bindings, found);
        }
        self.vcs_names(found);
    }

    /// Adds a declaration for string literal `t` assigned to `name`, or a note when the literal
    /// is not a version.
    fn declare(&self, t: &Token, name: &str, found: &mut Found) {
        let value = self.content(t);
        if value.trim().parse::<pep440_rs::Version>().is_ok() {
            let range = t.string.as_ref().map_or(0..0, |s| s.content.clone());
            let role = Role::Declaration { subject: name.into() };
            found.site(self.site(range, role, Spelling::Pep440));
        } else {
            let line = self.line(t);
            let text = format!("`{name}` is `{value}` (line {line}), which is not a version");
            found.note(Class::Placeholder, line, text, None);
        }
    }

    fn site(&self, range: Range<usize>, role: Role, spelling: Spelling) -> Site {
        Site {
            line: self.lines.at(range.start),
            text: self.text[range.clone()].to_string(),
            range,
            role,
            spelling,
        }
    }

    /// Follows `name`, used by `via` on `line`, to its module-level string literal.
    fn follow(&self, name: &str, via: &str, line: usize, b: &Bindings<'m>, found: &mut Found) {
        if let Some(literals) = b.literals.get(name) {
            for t in literals {
                self.declare(t, name, found);
            }
        } else if let Some((module, at)) = b.imported.get(name) {
            if !is_version_name(name) {
                let text = format!("`{name}` is imported from `{module}` (line {at})");
                found.note(Class::Imported, *at, text, Some(module_file(module)));
            }
        } else if let Some((assign, _)) = b.computed.get(name) {
            if !is_version_name(name) {
                found.note(
                    Class::Computed,
                    line,
                    format!("{via} (line {line}) uses {assign}"),
                    None,
                );
            }
        } else {
            let text = format!(
                "{via} (line {line}) uses `{name}`, to which no statement at the top level of this file assigns a literal"
            );
            found.note(Class::Computed, line, text, setup_py::file_hint(self));
        }
    }

    /// Records imports: of version names (the version lives in that module), from metadata
    /// modules, from version-control tools.
    fn import(&self, stmt: &Stmt<'m>, b: &mut Bindings<'m>, found: &mut Found) {
        let t = stmt.tokens;
        let line = self.line(&t[0]);
        let mut bound: Vec<(&str, &str)> = Vec::new();
        let module = if self.is_name(&t[0], "from") {
            let at = t.iter().position(|t| self.is_name(t, "import")).unwrap_or(t.len());
            let module: String = t[1..at].iter().map(|t| self.src(t)).collect();
            let names: Vec<&Token> = t.get(at + 1..).unwrap_or_default().iter().collect();
            for part in names.split(|t| self.is_op(t, ",")) {
                let part: Vec<&&Token> =
                    part.iter().filter(|t| t.kind != Kind::Op || self.src(t) == "*").collect();
                match part.as_slice() {
                    [name] => bound.push((self.src(name), self.src(name))),
                    [name, _, alias] => bound.push((self.src(name), self.src(alias))),
                    _ => {}
                }
            }
            module
        } else if self.is_name(&t[0], "import") {
            // `import importlib.metadata [as md]`: only metadata access matters here.
            for part in self.split_top(&t[1..], ",") {
                let alias = part.iter().position(|t| self.is_name(t, "as"));
                let dotted: String =
                    part[..alias.unwrap_or(part.len())].iter().map(|t| self.src(t)).collect();
                let bound = match alias {
                    Some(at) => part.get(at + 1),
                    None => part.first(),
                };
                if let Some(bound) = bound.filter(|_| is_metadata_module(&dotted)) {
                    b.metadata.push(self.src(bound));
                }
            }
            return;
        } else {
            return;
        };
        if is_metadata_module(&module) {
            b.metadata.extend(bound.iter().map(|&(_, alias)| alias));
            return;
        }
        let last = module.rsplit('.').next().unwrap_or_default();
        for (name, alias) in bound {
            let text = if name == "*" {
                // A star import from a sibling or a version module may bring the version in.
                let versionish = matches!(last.trim_matches('_'), "version" | "about");
                if !(module.starts_with('.') || versionish) {
                    continue;
                }
                format!("the version may be imported with `*` from `{module}` (line {line})")
            } else if !is_version_name(alias) {
                b.imported.insert(alias, (module.clone(), line));
                continue;
            } else if name == alias {
                format!("`{name}` is imported from `{module}` (line {line})")
            } else {
                format!("`{alias}` is `{name}` imported from `{module}` (line {line})")
            };
            found.note(Class::Imported, line, text, Some(module_file(&module)));
            if name != "*" {
                b.imported.insert(alias, (module.clone(), line));
            }
        }
    }

    /// Whether a computed value reads the installed package's metadata.
    fn reads_metadata(&self, tokens: &[Token], b: &Bindings<'m>) -> bool {
        tokens.iter().any(|t| {
            t.kind == Kind::Name && {
                let name = self.src(t);
                b.metadata.contains(&name)
                    || matches!(
                        name,
                        "importlib" | "importlib_metadata" | "pkg_resources" | "get_distribution"
                    )
            }
        })
    }

    /// Notes names of version-control tooling (versioneer, setuptools-scm) used anywhere.
    fn vcs_names(&self, found: &mut Found) {
        let mut seen = Vec::new();
        for t in self.module.lines.iter().flat_map(|l| &l.tokens) {
            let name = self.src(t);
            if t.kind == Kind::Name && VCS_NAMES.contains(&name) && !seen.contains(&name) {
                seen.push(name);
                let line = self.line(t);
                found.note(Class::Vcs, line, format!("`{name}` (line {line})"), None);
            }
        }
    }
}

/// Whether `module` is one whose `version` is a function or a module, not a version.
fn is_metadata_module(module: &str) -> bool {
    module == "importlib" || METADATA_MODULES.contains(&module)
}

/// Where module `module`, imported by this file, lives, for a message.
fn module_file(module: &str) -> String {
    let dots = module.len() - module.trim_start_matches('.').len();
    let rest = &module[dots..];
    let path = rest.replace('.', "/");
    match (dots, rest.is_empty()) {
        (0, _) if rest.contains('.') => format!("`{path}.py`"),
        (0, _) => format!("`{path}/__init__.py`"),
        (1, true) => "`__init__.py` next to this file".to_string(),
        (1, false) => format!("`{path}.py` next to this file"),
        (n, true) => format!("`{}__init__.py` relative to this file", "../".repeat(n - 1)),
        (n, false) => format!("`{}{path}.py` relative to this file", "../".repeat(n - 1)),
    }
}
