//! `monorel init`: the `monorel.toml` that reproduces what discovery found, commented.
//!
//! When all packages agree, the file names one group of all of them. When they drift, it
//! proposes one group per ecosystem (or per package, where an ecosystem disagrees with itself),
//! each at its own version, so that `versions --check` passes with the file as written.

use std::collections::BTreeMap;

use super::{Model, Package, PackageId, Release, SiteRecord};
use crate::{config, version::Version};

/// The text of a `monorel.toml` for `model`.
pub fn config_text(model: &Model) -> String {
    let mut out = String::from(
        "# monorel's configuration, written by `monorel init` from what discovery found.\n\
         # Everything here is optional: without this file, every package is one lockstep group.\n\
         # See https://github.com/monorel/monorel#monorel-toml\n\n\
         # Path prefixes discovery never looks at (test fixtures, vendored code):\n\
         # exclude = [\"testdata/\"]\n",
    );
    let releasable: Vec<&Package> =
        model.packages.iter().filter(|p| p.release == Release::Files).collect();
    let version_of = |id: &PackageId| -> Option<Version> {
        let values: Vec<Version> =
            declarations(model, id).filter_map(SiteRecord::version).collect();
        values.first().filter(|v| values.iter().all(|w| w == *v)).cloned()
    };

    // Groups: everything together when it agrees; else per ecosystem; else per package.
    let mut groups: BTreeMap<String, Vec<&Package>> = BTreeMap::new();
    let all: Vec<Option<Version>> = releasable.iter().map(|p| version_of(&p.id)).collect();
    if all.iter().all(|v| v.is_some() && *v == all[0]) {
        groups.insert("default".into(), releasable.clone());
    } else {
        for package in &releasable {
            groups.entry(package.id.ecosystem.name().to_string()).or_default().push(package);
        }
        let split: Vec<String> = groups
            .iter()
            .filter(|(_, ps)| {
                let v: Vec<Option<Version>> = ps.iter().map(|p| version_of(&p.id)).collect();
                !v.iter().all(|x| x.is_some() && *x == v[0])
            })
            .map(|(name, _)| name.clone())
            .collect();
        for name in split {
            for package in groups.remove(&name).unwrap_or_default() {
                groups
                    .entry(format!("{}-{}", name, slug(&package.id.name)))
                    .or_default()
                    .push(package);
            }
        }
    }

    for (name, packages) in &groups {
        let version = packages.first().and_then(|p| version_of(&p.id));
        let tag = if groups.len() == 1 {
            config::DEFAULT_TAG.to_string()
        } else {
            format!("{name}-v{{version}}")
        };
        let now = version.map(|v| format!(", now at {v}")).unwrap_or_default();
        let heading = if packages.len() == 1 {
            format!("Released on its own{now}.")
        } else {
            format!("Released together, at one version{now}.")
        };
        out.push_str(&format!("\n# {heading}\n[groups.{name}]\npackages = [\n"));
        for package in packages {
            out.push_str(&format!("    \"{}\", # {}\n", package.id, package.manifest));
        }
        out.push_str(&format!("]\ntag = \"{tag}\"\n"));
    }
    let others: Vec<String> = model
        .packages
        .iter()
        .filter(|p| p.release != Release::Files)
        .map(|p| {
            let why = match &p.release {
                Release::Tags { how } => format!("version from git tags ({how})"),
                Release::Follows { package } => format!("takes the version of {package}"),
                Release::Unpublished => "not published".into(),
                Release::Files => unreachable!(),
            };
            format!("#   {}: {why}\n", p.id)
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
    out
}

fn declarations<'a>(model: &'a Model, id: &'a PackageId) -> impl Iterator<Item = &'a SiteRecord> {
    model.sites.iter().filter(move |s| s.site.role.is_declaration() && s.owners.contains(id))
}

fn slug(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect()
}
