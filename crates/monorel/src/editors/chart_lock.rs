//! Helm's `Chart.lock`: the versions locked for local dependencies, and the `digest` helm
//! recomputes whenever the dependencies change.
//!
//! helm writes `digest: sha256:<hex>`, the SHA-256 of Go's `json.Marshal` of
//! `[chart's dependencies, locked dependencies]`, each a list of `chart.Dependency` (fields in
//! the order `name`, `version`, `repository`, `condition`, `tags`, `enabled`, `import-values`,
//! `alias`; all but `name` and `repository` left out when empty). A bump that moves a local
//! dependency's version in `Chart.yaml` or `Chart.lock` recomputes it exactly so, after checking
//! that the digest before the bump is the one this computation gives (else the lock was already
//! out of date, and the digest is left for `helm dependency update`).

use std::ops::Range;

use sha2::{Digest, Sha256};

use super::{
    Reason, Refusal, Site,
    helm::{Document, Node, NodeId},
};

/// The sites of a `Chart.lock`: the `version` of each local entry (`file://` or no repository),
/// following the chart it names, and the range of the digest's value.
pub fn scan(text: &str) -> Result<(Vec<Site>, Option<Range<usize>>), Refusal> {
    let doc = Document::parse(text)?;
    let mut sites = Vec::new();
    let Some(root) = doc.root else { return Ok((sites, None)) };
    let root = doc.resolve(root);
    for entry in entries(&doc, root)? {
        let local = match doc.field(entry, "repository")? {
            None => true,
            Some(r) => {
                doc.scalar(r).is_some_and(|r| r.value.is_empty() || r.value.starts_with("file://"))
            }
        };
        let Some(name) = doc.field(entry, "name")?.and_then(|n| doc.scalar(n)) else { continue };
        let Some(version) = doc.field(entry, "version")? else { continue };
        if !local {
            continue;
        }
        let name = name.value.to_string();
        let subject = format!("Chart.lock dependencies[{name}].version");
        if let Some(site) = doc.follower(text, version, subject, Some(name))? {
            sites.push(site);
        }
    }
    let digest = match doc.field(root, "digest")? {
        Some(id) => doc.scalar(id).and_then(|s| {
            let start = s.span.start.index();
            let start = byte_offset(text, start);
            let value = s.value.as_ref();
            text[start..].starts_with(value).then(|| start..start + value.len())
        }),
        None => None,
    };
    Ok((sites, digest))
}

/// The digest helm computes for a chart's `Chart.yaml` and its `Chart.lock`.
pub fn digest(chart: &str, lock: &str) -> Result<String, Refusal> {
    let json = format!("[{},{}]", dependencies_json(chart)?, dependencies_json(lock)?);
    let hash = Sha256::digest(json.as_bytes());
    Ok(format!("sha256:{}", hash.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}

/// The `dependencies` of a chart or lock as Go's `json.Marshal` writes `[]*chart.Dependency`.
fn dependencies_json(text: &str) -> Result<String, Refusal> {
    let doc = Document::parse(text)?;
    let Some(root) = doc.root else { return Ok("null".into()) };
    let root = doc.resolve(root);
    if doc.field(root, "dependencies")?.is_none() {
        return Ok("null".into());
    }
    let mut out = String::from("[");
    for (i, entry) in entries(&doc, root)?.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let text_of = |key: &str| -> Result<Option<String>, Refusal> {
            Ok(doc.field(entry, key)?.and_then(|id| doc.scalar(id)).map(|s| s.value.to_string()))
        };
        out.push('{');
        out.push_str(&format!("\"name\":{}", go_string(&text_of("name")?.unwrap_or_default())));
        if let Some(v) = text_of("version")?.filter(|v| !v.is_empty()) {
            out.push_str(&format!(",\"version\":{}", go_string(&v)));
        }
        let repository = text_of("repository")?.unwrap_or_default();
        out.push_str(&format!(",\"repository\":{}", go_string(&repository)));
        if let Some(c) = text_of("condition")?.filter(|c| !c.is_empty()) {
            out.push_str(&format!(",\"condition\":{}", go_string(&c)));
        }
        if let Some(tags) = doc.field(entry, "tags")? {
            let tags = strings(&doc, tags)?;
            if !tags.is_empty() {
                let tags: Vec<String> = tags.iter().map(|t| go_string(t)).collect();
                out.push_str(&format!(",\"tags\":[{}]", tags.join(",")));
            }
        }
        if text_of("enabled")?.is_some_and(|e| e == "true") {
            out.push_str(",\"enabled\":true");
        }
        if let Some(values) = doc.field(entry, "import-values")? {
            let values = doc.resolve(values);
            if let Node::Seq { items, .. } = &doc.nodes[values] {
                if !items.is_empty() {
                    let items: Result<Vec<String>, Refusal> =
                        items.iter().map(|&item| value_json(&doc, item)).collect();
                    out.push_str(&format!(",\"import-values\":[{}]", items?.join(",")));
                }
            }
        }
        if let Some(a) = text_of("alias")?.filter(|a| !a.is_empty()) {
            out.push_str(&format!(",\"alias\":{}", go_string(&a)));
        }
        out.push('}');
    }
    out.push(']');
    Ok(out)
}

/// The entries of `dependencies` that are mappings.
fn entries(doc: &Document<'_>, root: NodeId) -> Result<Vec<NodeId>, Refusal> {
    let Some(deps) = doc.field(root, "dependencies")? else { return Ok(Vec::new()) };
    let deps = doc.resolve(deps);
    let Node::Seq { items, .. } = &doc.nodes[deps] else { return Ok(Vec::new()) };
    Ok(items
        .iter()
        .map(|&i| doc.resolve(i))
        .filter(|&i| matches!(doc.nodes[i], Node::Map { .. }))
        .collect())
}

/// A sequence of scalars as strings.
fn strings(doc: &Document<'_>, id: NodeId) -> Result<Vec<String>, Refusal> {
    let id = doc.resolve(id);
    let Node::Seq { items, .. } = &doc.nodes[id] else { return Ok(Vec::new()) };
    Ok(items
        .iter()
        .filter_map(|&i| doc.scalar(doc.resolve(i)))
        .map(|s| s.value.to_string())
        .collect())
}

/// An `import-values` item: a string, or a mapping of strings (`child`, `parent`), as Go writes
/// them (map keys sorted). Anything else is refused: its JSON would need YAML's typing.
fn value_json(doc: &Document<'_>, id: NodeId) -> Result<String, Refusal> {
    let id = doc.resolve(id);
    let refuse = || {
        Refusal::new(
            Reason::Parse,
            "an `import-values` entry is neither a string nor a mapping of strings, so monorel cannot recompute the Chart.lock digest",
        )
        .help("run `helm dependency update` after the bump")
    };
    match &doc.nodes[id] {
        Node::Scalar(s)
            if s.style != saphyr_parser::ScalarStyle::Plain || !looks_typed(&s.value) =>
        {
            Ok(go_string(&s.value))
        }
        Node::Map { entries, .. } => {
            let mut pairs = Vec::new();
            for &(k, v) in entries {
                let (Some(k), Some(v)) = (doc.scalar(doc.resolve(k)), doc.scalar(doc.resolve(v)))
                else {
                    return Err(refuse());
                };
                if v.style == saphyr_parser::ScalarStyle::Plain && looks_typed(&v.value) {
                    return Err(refuse());
                }
                pairs.push((k.value.to_string(), go_string(&v.value)));
            }
            pairs.sort();
            let pairs: Vec<String> =
                pairs.iter().map(|(k, v)| format!("{}:{v}", go_string(k))).collect();
            Ok(format!("{{{}}}", pairs.join(",")))
        }
        _ => Err(refuse()),
    }
}

/// Whether a plain scalar is a number, a boolean or null to YAML (not a string to Go).
fn looks_typed(value: &str) -> bool {
    matches!(value, "true" | "false" | "null" | "~" | "") || value.parse::<f64>().is_ok()
}

/// A string as Go's `encoding/json` writes it: `<`, `>`, `&`, U+2028 and U+2029 escaped too.
fn go_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The byte offset of the `index`-th character of `text`.
fn byte_offset(text: &str, index: usize) -> usize {
    text.char_indices().nth(index).map_or(text.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    /// The digest helm wrote for a chart of four dependencies (one of them local), recomputed.
    #[test]
    fn digest_as_helm_computes_it() {
        let chart = "apiVersion: v2\nname: stack\nversion: 1.0.0\ndependencies:\n- condition: exporters.enabled,exporters.node-exporter.enabled\n  name: node-exporter\n  repository: oci://registry-1.docker.io/bitnamicharts\n  version: 4.x.x\n- condition: exporters.enabled,exporters.kube-state-metrics.enabled\n  name: kube-state-metrics\n  repository: oci://registry-1.docker.io/bitnamicharts\n  version: 5.x.x\n- name: common\n  repository: oci://registry-1.docker.io/bitnamicharts\n  tags:\n  - bitnami-common\n  version: 2.x.x\n- name: kube-prometheus-crds\n  repository: file://./charts/kube-prometheus-crds\n  version: 0.x.x\n";
        let lock = "dependencies:\n- name: node-exporter\n  repository: oci://registry-1.docker.io/bitnamicharts\n  version: 4.5.19\n- name: kube-state-metrics\n  repository: oci://registry-1.docker.io/bitnamicharts\n  version: 5.1.0\n- name: common\n  repository: oci://registry-1.docker.io/bitnamicharts\n  version: 2.31.4\n- name: kube-prometheus-crds\n  repository: file://./charts/kube-prometheus-crds\n  version: 0.1.0\ndigest: sha256:650c1e438dc38996f2debc3ce8ce7f92f6a78ea6ed0484b48cdebfdb60c26a21\ngenerated: \"2025-08-21T14:11:54.800608936Z\"\n";
        assert_eq!(
            super::digest(chart, lock).unwrap(),
            "sha256:650c1e438dc38996f2debc3ce8ce7f92f6a78ea6ed0484b48cdebfdb60c26a21"
        );
        let (sites, digest) = super::scan(lock).unwrap();
        assert_eq!(sites.len(), 1);
        assert_eq!(sites[0].text, "0.1.0");
        assert_eq!(
            &lock[digest.unwrap()],
            "sha256:650c1e438dc38996f2debc3ce8ce7f92f6a78ea6ed0484b48cdebfdb60c26a21"
        );
    }

    #[test]
    fn go_escapes_strings() {
        assert_eq!(super::go_string("a<b>&\"c\\\n"), "\"a\\u003cb\\u003e\\u0026\\\"c\\\\\\n\"");
    }
}
