//! Release tuples as Django writes them: `(6, 1, 0, "alpha", 1)`, three integers, a level and a
//! serial (`("alpha", 0)` is the development version).

use super::{Version, VersionError};

/// The version a release tuple's text denotes (`6, 1, 0, "rc", 2` is 6.1.0-rc.2).
pub fn from_release_tuple(text: &str) -> Option<Version> {
    let parts: Vec<&str> = text.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    let [major, minor, patch, level, serial] = parts[..] else { return None };
    let number = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    let level = level.trim_matches(['"', '\'']);
    let serial = number(serial)?;
    let mut version = Version::new(number(major)?, number(minor)?, number(patch)?);
    let pre = match (level, serial) {
        ("final", 0) => return Some(version),
        ("alpha", 0) => "dev".to_string(),
        ("alpha" | "beta" | "rc", n) => format!("{level}.{n}"),
        _ => return None,
    };
    version.pre = semver::Prerelease::new(&pre).ok()?;
    Some(version)
}

/// The level and serial of a release tuple for `version`.
pub(super) fn release_tuple_parts(version: &Version) -> Result<(&'static str, u64), VersionError> {
    let refuse = || {
        Err(VersionError::new(
            format!("`{version}` has no release-tuple form"),
            "a release tuple writes final releases, `-alpha.N`, `-beta.N`, `-rc.N` (N from 1) and `-dev`",
        ))
    };
    if !version.build.is_empty() {
        return refuse();
    }
    if version.pre.is_empty() {
        return Ok(("final", 0));
    }
    let pre = version.pre.as_str();
    if pre == "dev" {
        return Ok(("alpha", 0));
    }
    let Some((level, n)) = pre.split_once('.') else { return refuse() };
    let Ok(n) = n.parse::<u64>() else { return refuse() };
    match level {
        "alpha" if n > 0 => Ok(("alpha", n)),
        "beta" => Ok(("beta", n)),
        "rc" => Ok(("rc", n)),
        _ => refuse(),
    }
}

#[cfg(test)]
mod tests {
    use super::from_release_tuple;
    use crate::version::{Spelling, Version};

    #[test]
    fn release_tuples() {
        let v = |s: &str| Version::parse(s).unwrap();
        let read = |t: &str| from_release_tuple(t).map(|v| v.to_string());
        assert_eq!(read("6, 1, 0, \"alpha\", 0").as_deref(), Some("6.1.0-dev"));
        assert_eq!(read("6, 1, 0, 'rc', 2").as_deref(), Some("6.1.0-rc.2"));
        assert_eq!(read("5, 2, 3, \"final\", 0").as_deref(), Some("5.2.3"));
        assert_eq!(read("5, 2, 3, \"final\", 1"), None);
        assert_eq!(read("5, 2, 3, \"gamma\", 1"), None);
        let render = |t: &str, to: &str| Spelling::ReleaseTuple.render(t, &v(to));
        assert_eq!(render("6, 1, 0, \"alpha\", 0", "6.1.0").unwrap(), "6, 1, 0, \"final\", 0");
        assert_eq!(render("6, 1, 0, 'final', 0", "6.2.0-beta.1").unwrap(), "6, 2, 0, 'beta', 1");
        assert_eq!(render("6,1,0,\"final\",0", "6.2.0-dev").unwrap(), "6,2,0,\"alpha\",0");
        assert!(render("6, 1, 0, \"final\", 0", "6.2.0-alpha.0").is_err());
        assert!(Spelling::ReleaseTuple.matches("6, 1, 0, \"alpha\", 0", &v("6.1.0-dev")));
    }
}
