//! `setup.py`: the `version=` argument of `setup()` calls.
//!
//! Only a call whose callee is named `setup` (`setup(`, `setuptools.setup(`, `core.setup(`)
//! counts; `version=` in any other call (argparse's `add_argument(..., version=...)`) is not a
//! version site. Calls are found at any depth, as `setup()` is often guarded by
//! `if __name__ == "__main__":` or wrapped in a function.

use super::explain::Class;
use super::lexer::{Kind, Token};
use super::{Bindings, Found, Scanner, Stmt, Value};

/// File names that hold a version that a `setup.py` reads.
const VERSION_FILES: [&str; 8] = [
    "__init__.py",
    "_version.py",
    "version.py",
    "__about__.py",
    "__version__.py",
    "VERSION",
    "VERSION.txt",
    "version.txt",
];

impl<'m> Scanner<'m> {
    /// Finds the `setup()` calls in `stmt` and their `version=` arguments.
    pub(super) fn setup_calls(&self, stmt: &Stmt<'m>, b: &Bindings<'m>, found: &mut Found) {
        let t = stmt.tokens;
        for i in 0..t.len().saturating_sub(1) {
            let is_call = self.is_name(&t[i], "setup") && self.is_op(&t[i + 1], "(");
            if !is_call || (i > 0 && self.is_name(&t[i - 1], "def")) {
                continue;
            }
            let Some(close) = self.closing(&t[i + 1..]) else { continue };
            let args = &t[i + 2..i + 1 + close];
            let mut has_version = false;
            let mut kwargs = None;
            for arg in self.split_top(args, ",") {
                let (entry, value) = match arg {
                    [key, eq, value @ ..]
                        if self.is_name(key, "version") && self.is_op(eq, "=") =>
                    {
                        (arg, value)
                    }
                    [star, name] if self.is_op(star, "**") && name.kind == Kind::Name => {
                        let dict = b.values.get(self.src(name)).and_then(|v| self.dict_version(v));
                        kwargs = Some(self.src(name));
                        match dict {
                            Some(found) => found,
                            None => continue,
                        }
                    }
                    _ => continue,
                };
                if !value.is_empty() {
                    has_version = true;
                    self.setup_version(entry, value, b, found);
                }
            }
            if !has_version {
                let line = self.line(&t[i]);
                let text = match kwargs {
                    Some(name) => format!(
                        "`setup()` (line {line}) has no `version=` argument, and `{name}` is no module-level dict with a `version`"
                    ),
                    None => format!("`setup()` (line {line}) has no `version=` argument"),
                };
                found.note(Class::SetupWithout, line, text, None);
            }
        }
    }

    /// The `version` entry of a dict built at module level and passed as `setup(**name)`:
    /// `dict(version=...)` or `{"version": ...}`. Returns the entry's tokens and its value.
    fn dict_version(&self, tokens: &'m [Token]) -> Option<(&'m [Token], &'m [Token])> {
        let n = tokens.len();
        let call = n >= 3 && self.is_name(&tokens[0], "dict") && self.is_op(&tokens[1], "(");
        let (inner, keywords) = if call && self.closing(&tokens[1..]) == Some(n - 2) {
            (&tokens[2..n - 1], true)
        } else if n >= 2 && self.is_op(&tokens[0], "{") && self.closing(tokens) == Some(n - 1) {
            (&tokens[1..n - 1], false)
        } else {
            return None;
        };
        self.split_top(inner, ",").into_iter().find_map(|entry| match entry {
            [key, sep, value @ ..] => {
                let is_version = if keywords {
                    self.is_name(key, "version") && self.is_op(sep, "=")
                } else {
                    key.kind == Kind::Str && self.content(key) == "version" && self.is_op(sep, ":")
                };
                is_version.then_some((entry, value))
            }
            _ => None,
        })
    }

    /// Reads one `version=value` argument of `setup()`.
    fn setup_version(
        &self,
        arg: &[Token],
        value: &'m [Token],
        b: &Bindings<'m>,
        found: &mut Found,
    ) {
        let line = self.line(&arg[0]);
        let snippet = self.snippet(arg);
        match self.classify(value) {
            Value::Str(t) => self.declare(t, "setup(version=...)", found),
            Value::Name(name) => {
                self.follow(name, &format!("`setup(version={name})`"), line, b, found)
            }
            Value::NotPlain(why) => {
                let text = format!("`{snippet}` in `setup()` (line {line}: {why})");
                found.note(Class::Computed, line, text, None)
            }
            _ => {
                let text = format!("`{snippet}` in `setup()` (line {line})");
                found.note(Class::Computed, line, text, file_hint(self))
            }
        }
    }
}

/// The file a `setup.py` probably reads its version from: a string literal naming a version file,
/// joined with the string arguments before it (`os.path.join(here, "pkg", "__version__.py")`).
pub(super) fn file_hint(scanner: &Scanner<'_>) -> Option<String> {
    for line in &scanner.module.lines {
        let t = &line.tokens;
        for (i, token) in t.iter().enumerate() {
            let content = scanner.content(token);
            let base = content.rsplit(['/', '\\']).next().unwrap_or_default();
            if token.kind != Kind::Str || !VERSION_FILES.contains(&base) {
                continue;
            }
            let mut parts = vec![content];
            let mut j = i;
            while j >= 2 && scanner.is_op(&t[j - 1], ",") && t[j - 2].kind == Kind::Str {
                parts.push(scanner.content(&t[j - 2]));
                j -= 2;
            }
            parts.reverse();
            return Some(format!("`{}`", parts.join("/")));
        }
    }
    None
}
