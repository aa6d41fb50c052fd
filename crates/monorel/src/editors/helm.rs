//! Helm `Chart.yaml`: the chart's `version`, `appVersion`, and the pins of local dependencies
//! (`file://`, or no repository: a chart in `charts/`).
//!
//! The file is read with saphyr-parser, whose events carry spans, into a small tree of the
//! first document. Nothing is re-serialised: each site is the exact range of a scalar's
//! characters (inside the quotes, including a leading `v`), so comments, quote styles, document
//! markers, anchors and line endings stay as written.
//!
//! Aliases never change: a field written `version: *v` is found at the scalar the anchor `&v`
//! names, wherever it is defined (a hidden `.version: &v 1.2.3` key, say). Merge keys (`<<`) are
//! followed the same way. A field whose text is not the value itself (escapes, a value folded
//! over lines, a block scalar) cannot be spliced: the chart's `version` is then refused, and a
//! follower is refused only when it holds a version that could move.

use std::{borrow::Cow, cell::Cell, collections::HashMap, ops::Range};

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::{Reason, Refusal, Role, Site, line_at};
use crate::version::{Spelling, Version};

/// Finds the version sites of a `Chart.yaml` (`text` without a BOM).
///
/// Sites, in this order: the chart's `version` (the declaration), `appVersion`, then the
/// `version` of each `dependencies` entry whose `repository` starts with `file://` or is absent
/// or empty (followers).
/// Sites that alias one scalar are reported once, as the first of them.
pub fn scan(text: &str) -> Result<Vec<Site>, Refusal> {
    sites(&Document::parse(text)?, text)
}

/// The chart's `name` (when the file parses and has one) and its version sites (as [`scan`]),
/// from one parse: discovery needs both of every chart.
pub fn scan_named(text: &str) -> (Option<String>, Result<Vec<Site>, Refusal>) {
    match Document::parse(text) {
        Ok(doc) => (name(&doc), sites(&doc, text)),
        Err(refusal) => (None, Err(refusal)),
    }
}

/// The sites of a parsed chart (see [`scan`]).
fn sites(doc: &Document<'_>, text: &str) -> Result<Vec<Site>, Refusal> {
    let Some(root) = doc.root else {
        return Err(Refusal::new(Reason::NoVersion, "the chart is empty: it has no `version`")
            .help("write the chart's fields, starting with `version: 0.1.0`"));
    };
    let root = doc.resolve(root);
    if !matches!(doc.nodes[root], Node::Map { .. }) {
        return Err(Refusal::new(
            Reason::Parse,
            format!(
                "expected a mapping of chart fields at the top level, found {}",
                doc.describe(root)
            ),
        )
        .at_line(doc.line(root))
        .help("a Chart.yaml is a mapping such as `apiVersion: v2`, `name: ...`, `version: ...`"));
    }

    let mut sites: Vec<Site> = Vec::new();
    let mut push = |site: Site| {
        if !sites.iter().any(|s| s.range == site.range) {
            sites.push(site);
        }
    };

    let Some(version) = doc.field(root, "version")? else {
        return Err(Refusal::new(Reason::NoVersion, "the chart has no `version` field")
            .help("add the chart's version, e.g. `version: 0.1.0`"));
    };
    push(doc.declaration(text, version)?);

    if let Some(app_version) = doc.field(root, "appVersion")? {
        if let Some(site) = doc.follower(text, app_version, "appVersion".to_string(), None)? {
            push(site);
        }
    }

    if let Some(dependencies) = doc.field(root, "dependencies")? {
        let dependencies = doc.resolve(dependencies);
        if let Node::Seq { items, .. } = &doc.nodes[dependencies] {
            for (index, &entry) in items.iter().enumerate() {
                let entry = doc.resolve(entry);
                if !matches!(doc.nodes[entry], Node::Map { .. }) {
                    continue;
                }
                // A local chart: `file://...`, or no repository at all (a chart unpacked in
                // `charts/`, such as `charts/crds`).
                let local = match doc.field(entry, "repository")? {
                    None => true,
                    Some(r) => doc
                        .scalar(r)
                        .is_some_and(|r| r.value.is_empty() || r.value.starts_with("file://")),
                };
                if !local {
                    continue;
                }
                let Some(pin) = doc.field(entry, "version")? else { continue };
                let name = doc
                    .field(entry, "name")?
                    .and_then(|n| doc.scalar(n))
                    .map_or_else(|| index.to_string(), |n| n.value.to_string());
                let subject = format!("dependencies[{name}].version");
                if let Some(site) = doc.follower(text, pin, subject, Some(name))? {
                    push(site);
                }
            }
        }
    }
    Ok(sites)
}

/// The chart's `name`, when it has one.
fn name(doc: &Document<'_>) -> Option<String> {
    let root = doc.resolve(doc.root?);
    let name = doc.field(root, "name").ok()??;
    Some(doc.scalar(name)?.value.trim().to_string()).filter(|n| !n.is_empty())
}

/// Index of a node in [`Document::nodes`].
pub(super) type NodeId = usize;

/// A YAML node with the span of its source (properties such as `&anchor` included).
#[derive(Debug)]
pub(super) enum Node<'a> {
    Scalar(Scalar<'a>),
    /// `*name`: the node the anchor names (never itself an alias).
    Alias {
        target: NodeId,
        span: Span,
    },
    Seq {
        items: Vec<NodeId>,
        span: Span,
    },
    Map {
        entries: Vec<(NodeId, NodeId)>,
        span: Span,
    },
}

#[derive(Debug)]
pub(super) struct Scalar<'a> {
    pub(super) value: Cow<'a, str>,
    pub(super) style: ScalarStyle,
    pub(super) span: Span,
}

/// The first document of a YAML stream, as a tree.
#[derive(Debug)]
pub(super) struct Document<'a> {
    pub(super) nodes: Vec<Node<'a>>,
    pub(super) root: Option<NodeId>,
    /// Mapping entries that field lookups may still visit, merge keys followed: bounded by the
    /// document's size, so that merges of merges (`<<: [*a, *a]`, nested) cannot take
    /// exponential time.
    work: Cell<usize>,
}

/// Entries visited per node of the document, for every lookup together (see
/// [`Document::work`]); a chart that merges a base mapping into each of its dependencies stays
/// far below it.
const WORK_PER_NODE: usize = 64;

/// How deep merge keys (`<<: *base`) are followed; anchors may refer to themselves.
const MAX_MERGE_DEPTH: usize = 16;

impl<'a> Document<'a> {
    /// Reads the first document of `text`. Iterative, so deep nesting cannot overflow the stack.
    pub(super) fn parse(text: &'a str) -> Result<Document<'a>, Refusal> {
        enum Open {
            Seq(NodeId),
            Map { id: NodeId, key: Option<NodeId> },
        }
        let mut nodes: Vec<Node<'a>> = Vec::new();
        let mut anchors: HashMap<usize, NodeId> = HashMap::new();
        let mut open: Vec<Open> = Vec::new();
        let mut root = None;
        for event in Parser::new_from_str(text) {
            let (event, span) = event.map_err(|e| {
                Refusal::new(Reason::Parse, format!("the chart is not valid YAML: {}", e.info()))
                    .at_line(e.marker().line())
                    .help(format!(
                        "fix the YAML at line {}, column {} (`helm lint` reports the same problem)",
                        e.marker().line(),
                        e.marker().col() + 1
                    ))
            })?;
            let (id, anchor) = match event {
                Event::Scalar(value, style, anchor, _) => {
                    nodes.push(Node::Scalar(Scalar { value, style, span }));
                    (nodes.len() - 1, anchor)
                }
                Event::Alias(anchor) => {
                    let Some(&target) = anchors.get(&anchor) else {
                        return Err(Refusal::new(
                            Reason::Parse,
                            "the chart uses an undefined alias",
                        )
                        .at_line(span.start.line())
                        .help("define the anchor (`&name`) before its alias (`*name`)"));
                    };
                    nodes.push(Node::Alias { target, span });
                    (nodes.len() - 1, 0)
                }
                Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                    let id = nodes.len();
                    if matches!(event, Event::SequenceStart(..)) {
                        nodes.push(Node::Seq { items: Vec::new(), span });
                        open.push(Open::Seq(id));
                    } else {
                        nodes.push(Node::Map { entries: Vec::new(), span });
                        open.push(Open::Map { id, key: None });
                    }
                    if anchor != 0 {
                        anchors.insert(anchor, id);
                    }
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => match open.pop() {
                    Some(Open::Seq(id) | Open::Map { id, .. }) => (id, 0),
                    None => continue,
                },
                Event::DocumentEnd | Event::StreamEnd => break,
                Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => continue,
            };
            if anchor != 0 {
                anchors.insert(anchor, id);
            }
            // Attach the finished node to its parent, or make it the root.
            match open.last_mut() {
                None => {
                    root = Some(id);
                    break;
                }
                Some(Open::Seq(parent)) => {
                    if let Node::Seq { items, .. } = &mut nodes[*parent] {
                        items.push(id);
                    }
                }
                Some(Open::Map { id: parent, key }) => match key.take() {
                    None => *key = Some(id),
                    Some(k) => {
                        if let Node::Map { entries, .. } = &mut nodes[*parent] {
                            entries.push((k, id));
                        }
                    }
                },
            }
        }
        let work = Cell::new(WORK_PER_NODE.saturating_mul(nodes.len() + 64));
        Ok(Document { nodes, root, work })
    }

    /// The node an alias names; any other node is itself.
    pub(super) fn resolve(&self, id: NodeId) -> NodeId {
        match self.nodes[id] {
            Node::Alias { target, .. } => target,
            _ => id,
        }
    }

    /// The scalar at `id`, through an alias.
    pub(super) fn scalar(&self, id: NodeId) -> Option<&Scalar<'a>> {
        match &self.nodes[self.resolve(id)] {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The value of `key` in mapping `map` (through aliases and merge keys), refusing a key that
    /// is written twice.
    pub(super) fn field(&self, map: NodeId, key: &str) -> Result<Option<NodeId>, Refusal> {
        self.field_at_depth(map, key, 0)
    }

    fn field_at_depth(
        &self,
        map: NodeId,
        key: &str,
        depth: usize,
    ) -> Result<Option<NodeId>, Refusal> {
        let Node::Map { entries, .. } = &self.nodes[self.resolve(map)] else {
            return Ok(None);
        };
        let Some(left) = self.work.get().checked_sub(entries.len() + 1) else {
            return Err(Refusal::new(
                Reason::Parse,
                format!(
                    "the chart's merge keys (`<<`) expand past {} entries for a document of {} nodes: an alias bomb, or merges of merges nested too deep",
                    WORK_PER_NODE * (self.nodes.len() + 64),
                    self.nodes.len()
                ),
            )
            .at_line(self.line(map))
            .help("write the chart's fields out instead of merging the same mappings again and again"));
        };
        self.work.set(left);
        let found: Vec<&(NodeId, NodeId)> = entries
            .iter()
            .filter(|(k, _)| self.scalar(*k).is_some_and(|s| s.value == key))
            .collect();
        match found.as_slice() {
            [] => {}
            [(_, value)] => return Ok(Some(*value)),
            [(first, _), (second, _), ..] => {
                return Err(Refusal::new(
                    Reason::Parse,
                    format!(
                        "`{key}` is written twice in one mapping (lines {} and {})",
                        self.line(*first),
                        self.line(*second)
                    ),
                )
                .at_line(self.line(*second))
                .help(format!("keep one `{key}`: YAML keys must be unique, and tools disagree on which one wins")));
            }
        }
        if depth >= MAX_MERGE_DEPTH {
            return Ok(None);
        }
        // Merge keys: `<<: *base` or `<<: [*a, *b]`; explicit keys (above) win, then the
        // merged mappings in order.
        for (k, v) in entries {
            let is_merge = matches!(&self.nodes[*k], Node::Scalar(s) if s.value == "<<" && s.style == ScalarStyle::Plain);
            if !is_merge {
                continue;
            }
            let sources = match &self.nodes[self.resolve(*v)] {
                Node::Seq { items, .. } => items.clone(),
                _ => vec![*v],
            };
            for source in sources {
                if let Some(found) = self.field_at_depth(source, key, depth + 1)? {
                    return Ok(Some(found));
                }
            }
        }
        Ok(None)
    }

    /// The chart's own `version`: a single-line, non-empty scalar, or a refusal.
    fn declaration(&self, text: &str, id: NodeId) -> Result<Site, Refusal> {
        let subject = "version";
        let target = self.resolve(id);
        let Node::Scalar(scalar) = &self.nodes[target] else {
            return Err(Refusal::new(
                Reason::Parse,
                format!(
                    "expected `{subject}` to be a scalar such as `1.2.3`, found {}",
                    self.describe(target)
                ),
            )
            .at_line(self.line(target))
            .help("write the chart's version on one line, e.g. `version: 1.2.3`"));
        };
        let range = token(text, scalar).map_err(|found| {
            Refusal::new(
                Reason::Parse,
                format!("expected `{subject}` to be a single-line scalar, found {found}"),
            )
            .at_line(scalar.span.start.line())
            .help("write the chart's version on one line, plain or quoted, e.g. `version: 1.2.3`")
        })?;
        if range.is_empty() {
            return Err(Refusal::new(
                Reason::NoVersion,
                format!("the chart's `{subject}` is empty"),
            )
            .at_line(line_at(text, range.start))
            .help("write the chart's version, e.g. `version: 0.1.0`"));
        }
        let line = scalar.span.start.line();
        Ok(site(text, range, line, Role::Declaration { subject: subject.to_string() }))
    }

    /// A follower (`appVersion`, a `file://` pin). Values that cannot name a version (not a
    /// scalar, empty, prose) are no site; a version that cannot be edited in place is refused.
    pub(super) fn follower(
        &self,
        text: &str,
        id: NodeId,
        subject: String,
        target: Option<String>,
    ) -> Result<Option<Site>, Refusal> {
        let Some(scalar) = self.scalar(id) else { return Ok(None) };
        match token(text, scalar) {
            Ok(range) if range.is_empty() => Ok(None),
            Ok(range) => {
                let line = scalar.span.start.line();
                Ok(Some(site(text, range, line, Role::Follower { subject, target })))
            }
            Err(found) => {
                let value = scalar.value.trim();
                if Version::parse(value.strip_prefix('v').unwrap_or(value)).is_err() {
                    // Not a version, so it can never follow the release.
                    return Ok(None);
                }
                Err(Refusal::new(
                    Reason::Parse,
                    format!(
                        "`{subject}` holds version `{value}` as {found}, which cannot be edited in place"
                    ),
                )
                .at_line(scalar.span.start.line())
                .help(format!("write `{subject}` on one line without escapes, e.g. `\"{value}\"`")))
            }
        }
    }

    /// 1-based line where node `id` starts.
    fn line(&self, id: NodeId) -> usize {
        let span = match &self.nodes[id] {
            Node::Scalar(s) => s.span,
            Node::Alias { span, .. } | Node::Seq { span, .. } | Node::Map { span, .. } => *span,
        };
        span.start.line()
    }

    /// What node `id` is, for messages.
    fn describe(&self, id: NodeId) -> String {
        match &self.nodes[id] {
            Node::Scalar(s) => format!("the scalar `{}`", s.value),
            Node::Alias { .. } => "an alias".to_string(),
            Node::Seq { .. } => "a sequence".to_string(),
            Node::Map { .. } => "a mapping".to_string(),
        }
    }
}

/// A site on `line` (the scalar's own, from the parser: a single-line scalar's token is on it).
fn site(text: &str, range: Range<usize>, line: usize, role: Role) -> Site {
    Site { line, text: text[range.clone()].to_string(), range, role, spelling: Spelling::Helm }
}

/// The byte range of a scalar's value in `text`, when the source is exactly the value: plain,
/// or the inside of the quotes, on one line, with no escapes. Otherwise says what was found.
fn token(text: &str, scalar: &Scalar<'_>) -> Result<Range<usize>, &'static str> {
    let quote = match scalar.style {
        ScalarStyle::Plain => None,
        ScalarStyle::SingleQuoted => Some('\''),
        ScalarStyle::DoubleQuoted => Some('"'),
        ScalarStyle::Literal | ScalarStyle::Folded => return Err("a block scalar (`|` or `>`)"),
    };
    let not_literal = "a value whose text differs from what it means (escapes or line folding)";
    if scalar.value.contains(['\n', '\r']) {
        return Err("a value that spans lines");
    }
    let start = skip_properties(text, byte_offset(text, scalar.span.start.index()));
    let end = byte_offset(text, scalar.span.end.index());
    let source = text.get(start..end).ok_or(not_literal)?;
    let value = scalar.value.as_ref();
    let Some(q) = quote else {
        return if source == value { Ok(start..end) } else { Err(not_literal) };
    };
    // A quoted scalar's span may run on past its closing quote (spaces, a comment, a flow
    // mapping's `}`): the value is the text between the quotes when it is written without
    // escapes, and then its closing quote follows it directly.
    let escapes: &[char] = if q == '"' { &['"', '\\'] } else { &['\''] };
    let inner = source.strip_prefix(q).ok_or(not_literal)?;
    if value.contains(escapes) || !inner.starts_with(value) || !inner[value.len()..].starts_with(q)
    {
        return Err(not_literal);
    }
    Ok(start + 1..start + 1 + value.len())
}

/// Skips a node's properties (`&anchor`, `!tag`) and the space and comments after them.
fn skip_properties(text: &str, mut at: usize) -> usize {
    let bytes = text.as_bytes();
    while at < bytes.len() {
        match bytes[at] {
            b' ' | b'\t' | b'\r' | b'\n' => at += 1,
            b'#' => {
                while at < bytes.len() && bytes[at] != b'\n' {
                    at += 1;
                }
            }
            b'&' | b'!' => {
                while at < bytes.len() && !matches!(bytes[at], b' ' | b'\t' | b'\r' | b'\n') {
                    at += 1;
                }
            }
            _ => break,
        }
    }
    at
}

/// The byte offset of character `index` (saphyr marks count characters, not bytes).
fn byte_offset(text: &str, index: usize) -> usize {
    if text.is_ascii() {
        return index.min(text.len());
    }
    text.char_indices().nth(index).map_or(text.len(), |(at, _)| at)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::editors::{FileKind, plan_file};

    /// Bumps `input` from `old` to `new`; `expected` is the output text, or `refuse: <Reason>`.
    #[track_caller]
    fn check(input: &str, old: &str, new: &str, expected: &str) {
        let old = Version::parse(old).unwrap();
        let new = Version::parse(new).unwrap();
        let actual = match plan_file(FileKind::HelmChart, input.as_bytes(), &old, &new) {
            Ok(edit) => String::from_utf8(edit.after).unwrap(),
            Err(refusal) => format!("refuse: {:?}", refusal.reason),
        };
        assert_eq!(actual, expected, "input:\n{input}");
    }

    /// A bump that refuses; returns the refusal for closer checks.
    #[track_caller]
    fn refusal(input: &str, old: &str, new: &str) -> Refusal {
        let old = Version::parse(old).unwrap();
        let new = Version::parse(new).unwrap();
        plan_file(FileKind::HelmChart, input.as_bytes(), &old, &new).unwrap_err()
    }

    #[test]
    fn plain_and_quoted() {
        check("version: 1.2.3\n", "1.2.3", "1.3.0", "version: 1.3.0\n");
        check("version: \"1.2.3\"\n", "1.2.3", "1.3.0", "version: \"1.3.0\"\n");
        check("version: '1.2.3'\n", "1.2.3", "1.3.0-rc.1", "version: '1.3.0-rc.1'\n");
        check("\"version\": 1.2.3\n", "1.2.3", "2.0.0", "\"version\": 2.0.0\n");
        check("version: 1.2.3 # 1.2.3 here\n", "1.2.3", "1.2.4", "version: 1.2.4 # 1.2.3 here\n");
        check("version:   1.2.3   \n", "1.2.3", "1.2.4", "version:   1.2.4   \n");
        check("version: 1.2.3", "1.2.3", "1.2.4", "version: 1.2.4");
        check("{name: x, version: 1.2.3}\n", "1.2.3", "1.2.4", "{name: x, version: 1.2.4}\n");
        check("version: !!str 1.2.3\n", "1.2.3", "1.2.4", "version: !!str 1.2.4\n");
        check("version: 1.2.3+build.7\n", "1.2.3+build.7", "1.2.4", "version: 1.2.4\n");
    }

    #[test]
    fn quoted_values_followed_by_spaces_or_comments() {
        check(
            "version: 1.2.3\nappVersion: \"1.2.3\" # renovate\n",
            "1.2.3",
            "1.3.0",
            "version: 1.3.0\nappVersion: \"1.3.0\" # renovate\n",
        );
        check("version: '1.2.3' \n", "1.2.3", "1.3.0", "version: '1.3.0' \n");
        check("{version: \"1.2.3\" }\n", "1.2.3", "1.3.0", "{version: \"1.3.0\" }\n");
        check(
            "{version: '1.2.3'\t, name: x}\n",
            "1.2.3",
            "1.3.0",
            "{version: '1.3.0'\t, name: x}\n",
        );
        check(
            "version: \"1.2.3\"   # x-release-please-version\r\n",
            "1.2.3",
            "1.2.4",
            "version: \"1.2.4\"   # x-release-please-version\r\n",
        );
        // Whitespace inside the quotes is kept.
        check("version: \" 1.2.3 \"\n", "1.2.3", "1.3.0", "version: \" 1.3.0 \"\n");
        // Escapes are still refused, whatever follows.
        check("version: \"1.2\\x2e3\" # c\n", "1.2.3", "1.3.0", "refuse: Parse");
        check("version: '1.2.3''' # c\n", "1.2.3", "1.3.0", "refuse: Parse");
    }

    #[test]
    fn merge_key_bombs_are_refused_quickly() {
        // Each level merges the one below it 16 times: 16^16 lookups if followed naively.
        let mut chart = String::from("a0: &a0 {x: 1}\n");
        for level in 1..=16 {
            let merges = vec![format!("*a{}", level - 1); 16].join(", ");
            chart.push_str(&format!("a{level}: &a{level} {{<<: [{merges}]}}\n"));
        }
        chart.push_str("<<: *a16\nname: x\n");
        let started = std::time::Instant::now();
        let r = refusal(&chart, "1.0.0", "1.0.1");
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
        assert_eq!(r.reason, Reason::Parse);
        assert!(
            r.message.starts_with("the chart's merge keys (`<<`) expand past "),
            "{}",
            r.message
        );
        assert!(r.message.contains("an alias bomb"), "{}", r.message);
        // Merges a real chart writes stay within the bound: a base merged into 200 dependencies.
        let mut chart = String::from(
            "version: 1.0.0\nbase: &base {repository: file://x, a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7}\ndependencies:\n",
        );
        for i in 0..200 {
            chart.push_str(&format!("- {{<<: *base, name: d{i}, version: 1.0.0}}\n"));
        }
        assert_eq!(scan(&chart).unwrap().len(), 201);
    }

    #[test]
    fn app_version() {
        let chart = "version: 0.4.2\nappVersion: \"0.4.2\"\n";
        check(chart, "0.4.2", "0.5.0", "version: 0.5.0\nappVersion: \"0.5.0\"\n");
        // Moves only when it names `old`, `v` or not; the `v` is kept, never added.
        check(
            "version: 0.4.2\nappVersion: \"v0.4.2\"\n",
            "0.4.2",
            "0.5.0",
            "version: 0.5.0\nappVersion: \"v0.5.0\"\n",
        );
        check(
            "version: v1.14.2\nappVersion: v1.14.2\n",
            "1.14.2",
            "1.14.3",
            "version: v1.14.3\nappVersion: v1.14.3\n",
        );
        check(
            "version: 0.4.2\nappVersion: 1.10\n",
            "0.4.2",
            "0.5.0",
            "version: 0.5.0\nappVersion: 1.10\n",
        );
        check(
            "version: 0.4.2\nappVersion: \"0.4.1\"\n",
            "0.4.2",
            "0.5.0",
            "version: 0.5.0\nappVersion: \"0.4.1\"\n",
        );
        check("version: 0.4.2\nappVersion:\n", "0.4.2", "0.5.0", "version: 0.5.0\nappVersion:\n");
        // Prose that cannot be a version is no site, even as a block scalar.
        check(
            "version: 1.0.0\nappVersion: >\n  latest\n",
            "1.0.0",
            "1.1.0",
            "version: 1.1.0\nappVersion: >\n  latest\n",
        );
        // A version that cannot be edited in place is refused rather than left behind.
        check("version: 1.0.0\nappVersion: \"1.0\\u002e0\"\n", "1.0.0", "1.1.0", "refuse: Parse");
        check("version: 1.0.0\nappVersion: |\n  1.0.0\n", "1.0.0", "1.1.0", "refuse: Parse");
    }

    #[test]
    fn layout_survives() {
        check(
            "---\n# c\nversion: 5.0.0\n...\n",
            "5.0.0",
            "5.0.1",
            "---\n# c\nversion: 5.0.1\n...\n",
        );
        check(
            "version: 3.2.1\r\nappVersion: '3.2.1'\r\n",
            "3.2.1",
            "3.3.0",
            "version: 3.3.0\r\nappVersion: '3.3.0'\r\n",
        );
        check("\u{feff}version: 1.0.0\n", "1.0.0", "1.0.1", "\u{feff}version: 1.0.1\n");
        // Only the first document is the chart.
        check(
            "version: 1.0.0\n---\nversion: 1.0.0\n",
            "1.0.0",
            "1.0.1",
            "version: 1.0.1\n---\nversion: 1.0.0\n",
        );
    }

    #[test]
    fn non_ascii_before_the_version() {
        // saphyr marks count characters: `é`, `—` and `🚀` take 2, 3 and 4 bytes.
        check(
            "description: café — 🚀 ünïcödé\nversion: 1.0.0\nappVersion: \"1.0.0\"\n",
            "1.0.0",
            "1.1.0",
            "description: café — 🚀 ünïcödé\nversion: 1.1.0\nappVersion: \"1.1.0\"\n",
        );
        check(
            "\u{feff}name: 日本語\nversion: '2.0.0'\n",
            "2.0.0",
            "2.0.1",
            "\u{feff}name: 日本語\nversion: '2.0.1'\n",
        );
    }

    #[test]
    fn prose_is_not_a_version() {
        let chart = "description: |\n  version: 1.0.3\n  --version 1.0.3\nversion: 1.0.3\n";
        check(
            chart,
            "1.0.3",
            "1.0.4",
            "description: |\n  version: 1.0.3\n  --version 1.0.3\nversion: 1.0.4\n",
        );
        let chart = "version: 1.0.3\nkubeVersion: \">=1.0.3\"\nannotations:\n  version: 1.0.3\n";
        check(
            chart,
            "1.0.3",
            "1.0.4",
            "version: 1.0.4\nkubeVersion: \">=1.0.3\"\nannotations:\n  version: 1.0.3\n",
        );
    }

    #[test]
    fn anchors_and_aliases() {
        check(
            "version: &chartVersion 3.0.0\nappVersion: *chartVersion\n",
            "3.0.0",
            "3.1.0",
            "version: &chartVersion 3.1.0\nappVersion: *chartVersion\n",
        );
        check(
            ".version: &version \"1.2.3\"\nversion: *version\nappVersion: *version\n",
            "1.2.3",
            "1.3.0",
            ".version: &version \"1.3.0\"\nversion: *version\nappVersion: *version\n",
        );
        // An alias for `appVersion` only.
        check(
            "x-app: &app v2.0.0\nversion: 2.0.0\nappVersion: *app\n",
            "2.0.0",
            "2.1.0",
            "x-app: &app v2.1.0\nversion: 2.1.0\nappVersion: *app\n",
        );
        // Anchor and tag in either order, and an anchor on its own line.
        check("version: &v !!str 1.0.0\n", "1.0.0", "1.0.1", "version: &v !!str 1.0.1\n");
        check("version: !!str &v '1.0.0'\n", "1.0.0", "1.0.1", "version: !!str &v '1.0.1'\n");
        check("version: &v # why\n  1.0.0\n", "1.0.0", "1.0.1", "version: &v # why\n  1.0.1\n");
        // A merge key brings `version` from an anchored mapping.
        check(
            "base: &base\n  version: 4.0.0\n<<: *base\nname: x\n",
            "4.0.0",
            "4.0.1",
            "base: &base\n  version: 4.0.1\n<<: *base\nname: x\n",
        );
        // A self-referencing merge does not loop.
        check(
            "m: &m\n  <<: *m\nversion: 1.0.0\n",
            "1.0.0",
            "1.0.1",
            "m: &m\n  <<: *m\nversion: 1.0.1\n",
        );
        check("m: &m\n  <<: *m\n<<: *m\nname: x\n", "1.0.0", "1.0.1", "refuse: NoVersion");
    }

    #[test]
    fn dependencies() {
        let chart = "\
version: 2.3.0
dependencies:
  - name: common
    version: 2.3.0
    repository: file://../common
  - name: crds
    version: \"2.3.0\"
    repository: \"file://../crds\"
  - name: remote
    version: 2.3.0
    repository: https://charts.example.invalid
  - name: oci
    version: 2.3.0
    repository: oci://registry.example.invalid/charts
  - name: range
    version: ~2.3.0
    repository: file://../range
  - name: vendored
    version: 2.3.0
  - repository: file://../nameless
    version: 2.3.0
";
        let expected = chart
            .replace("common\n    version: 2.3.0", "common\n    version: 2.4.0")
            .replace("\"2.3.0\"", "\"2.4.0\"")
            .replace("nameless\n    version: 2.3.0", "nameless\n    version: 2.4.0")
            .replace("vendored\n    version: 2.3.0", "vendored\n    version: 2.4.0")
            .replacen("version: 2.3.0", "version: 2.4.0", 1);
        check(chart, "2.3.0", "2.4.0", &expected);
        let sites = scan(chart).unwrap();
        let subjects: Vec<String> = sites.iter().map(|s| s.role.subject()).collect();
        assert_eq!(
            subjects,
            [
                "version",
                "dependencies[common].version",
                "dependencies[crds].version",
                "dependencies[range].version",
                "dependencies[vendored].version",
                "dependencies[6].version"
            ]
        );
        assert_eq!(sites[2].line, 7);
        // A pin written with an alias moves its anchored scalar.
        check(
            "pin: &pin 1.0.0\nversion: 1.0.0\ndependencies:\n- name: a\n  repository: file://a\n  version: *pin\n",
            "1.0.0",
            "1.0.1",
            "pin: &pin 1.0.1\nversion: 1.0.1\ndependencies:\n- name: a\n  repository: file://a\n  version: *pin\n",
        );
        // A remote pin aliasing nothing local stays even when it equals `old`.
        check(
            "version: 1.0.0\ndependencies: [{name: r, version: 1.0.0, repository: https://x}]\n",
            "1.0.0",
            "1.0.1",
            "version: 1.0.1\ndependencies: [{name: r, version: 1.0.0, repository: https://x}]\n",
        );
    }

    #[test]
    fn aliases_are_reported_once() {
        let chart = ".v: &v 1.2.3\nversion: *v\nappVersion: *v\ndependencies:\n- {repository: file://x, version: *v}\n";
        let sites = scan(chart).unwrap();
        assert_eq!(sites.len(), 1);
        assert_eq!(sites[0].role, Role::Declaration { subject: "version".to_string() });
        assert_eq!(
            (sites[0].range.clone(), sites[0].line, sites[0].text.as_str()),
            (7..12, 1, "1.2.3")
        );
    }

    #[test]
    fn refusals() {
        check("apiVersion: v2\nname: x\n", "1.0.0", "1.0.1", "refuse: NoVersion");
        check("", "1.0.0", "1.0.1", "refuse: NoVersion");
        check("# only a comment\n", "1.0.0", "1.0.1", "refuse: NoVersion");
        check("version:\n", "1.0.0", "1.0.1", "refuse: NoVersion");
        check("version: ''\n", "1.0.0", "1.0.1", "refuse: NoVersion");
        check("version: 1.0.0\n", "1.2.3", "1.3.0", "refuse: Mismatch");
        check("version: 1.0\n", "1.0.0", "1.0.1", "refuse: Mismatch");
        check("- version: 1.0.0\n", "1.0.0", "1.0.1", "refuse: Parse");
        check("1.0.0\n", "1.0.0", "1.0.1", "refuse: Parse");
        check("version: [1, 0, 0]\n", "1.0.0", "1.0.1", "refuse: Parse");
        check("version: |\n  1.0.0\n", "1.0.0", "1.0.1", "refuse: Parse");
        check("version: >-\n  1.0.0\n", "1.0.0", "1.0.1", "refuse: Parse");
        check("version: \"1.0.\\\n  0\"\n", "1.0.0", "1.0.1", "refuse: Parse");
        check("version: \"\\x31.0.0\"\n", "1.0.0", "1.0.1", "refuse: Parse");
        check("version: 1.0\n  .0\n", "1.0.0", "1.0.1", "refuse: Parse");
        check("version: 1.0.0\nversion: 1.0.0\n", "1.0.0", "1.0.1", "refuse: Parse");
        check("version: *nowhere\n", "1.0.0", "1.0.1", "refuse: Parse");
    }

    #[test]
    fn refusal_messages() {
        let r = refusal("name: x\nversion: [1.0.0\n", "1.0.0", "1.0.1");
        assert_eq!(r.reason, Reason::Parse);
        assert!(r.message.starts_with("the chart is not valid YAML: "), "{}", r.message);
        assert_eq!(r.line, Some(3));
        assert!(r.help.unwrap().contains("line 3"));

        let r = refusal("name: x\nversion: |\n  1.0.0\n", "1.0.0", "1.0.1");
        assert_eq!(
            r.message,
            "expected `version` to be a single-line scalar, found a block scalar (`|` or `>`)"
        );
        assert_eq!(r.line, Some(3));

        let r = refusal("version: 1.0.0\nname: x\nversion: 1.0.0\n", "1.0.0", "1.0.1");
        assert_eq!(r.message, "`version` is written twice in one mapping (lines 1 and 3)");
        assert_eq!(r.line, Some(3));

        let r = refusal("name: x\n", "1.0.0", "1.0.1");
        assert_eq!(
            (r.reason, r.message.as_str()),
            (Reason::NoVersion, "the chart has no `version` field")
        );
    }

    /// The shared cases: `testdata/version-cases/cases/helm-*`, byte for byte.
    #[test]
    fn version_cases() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/version-cases/cases");
        let mut seen = 0;
        for entry in std::fs::read_dir(&root).unwrap() {
            let dir = entry.unwrap().path();
            let meta = std::fs::read_to_string(dir.join("meta.toml")).unwrap();
            let meta: toml_edit::DocumentMut = meta.parse().unwrap();
            if meta["kind"].as_str() != Some("helm-chart") {
                continue;
            }
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let input = std::fs::read(dir.join("Chart.yaml")).unwrap();
            let expected = std::fs::read(dir.join("expected")).unwrap();
            let old = Version::parse(meta["old"].as_str().unwrap()).unwrap();
            // A `new` that is not SemVer is refused by the CLI before any editor runs.
            let Ok(new) = Version::parse(meta["new"].as_str().unwrap()) else { continue };
            let result = plan_file(FileKind::HelmChart, &input, &old, &new);
            match meta["expect"].as_str().unwrap() {
                "edit" => {
                    let edit = result.unwrap_or_else(|r| panic!("{name}: refused: {r:?}"));
                    assert_eq!(
                        String::from_utf8_lossy(&edit.after),
                        String::from_utf8_lossy(&expected),
                        "{name}"
                    );
                }
                _ => assert!(result.is_err(), "{name}: expected a refusal"),
            }
            seen += 1;
        }
        assert!(seen >= 10, "only {seen} helm cases found under {}", root.display());
    }
}
