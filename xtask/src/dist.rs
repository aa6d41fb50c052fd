//! `cargo xtask dist [--profile <PROFILE>]`: builds monorel's artifacts into `dist/`.
//!
//! 1. the crates: `cargo package --workspace --exclude xtask --no-verify`, copied from
//!    `target/package/`. `--no-verify` because the crates pin each other with `=` and CI has
//!    already built and tested these sources; what verification would add (the packaged
//!    manifest builds) is what `verify-artifacts` then checks from the archives themselves;
//! 2. the wheel and the sdist: maturin, installed by this task into a virtual environment
//!    under `target/dist-tools/` (pinned like `pyproject.toml`'s build requirement);
//!    `--profile` is passed to maturin (default `release`; CI passes `dev`, which reuses the
//!    test build instead of compiling an optimised binary on 2 cores);
//! 3. the chart: `helm package` when helm is installed, else the same archive written here
//!    (`{name}/Chart.yaml` first, then `values.yaml`, then the other files, `.helmignore`
//!    honoured, ustar headers, mode 0644, owner 0, mtime `SOURCE_DATE_EPOCH` or 1980-01-01);
//! 4. `SHA256SUMS`, by the engine's `checksums::plan_sums`.
//!
//! `dist/` is emptied first, so it never holds a stale artifact.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
    process::ExitCode,
};

use xshell::{Shell, cmd};

/// The maturin that builds the wheel, as `pyproject.toml`'s `[build-system]` requires it.
const MATURIN: &str = "maturin>=1.7,<2.0";

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Runs the task; `args` are the words after `dist`.
pub(crate) fn run(root: &Path, args: &[&str]) -> ExitCode {
    let profile = match args {
        [] => "release",
        ["--profile", profile] => profile,
        _ => {
            eprintln!("usage: cargo xtask dist [--profile <PROFILE>]");
            return ExitCode::from(2);
        }
    };
    match build(root, profile) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cargo xtask dist: {e}");
            ExitCode::FAILURE
        }
    }
}

fn step(what: &str) {
    eprintln!("==> {what}");
}

fn build(root: &Path, profile: &str) -> Result<()> {
    let sh = Shell::new()?;
    sh.change_dir(root);
    let dist = root.join("dist");
    if dist.exists() {
        fs::remove_dir_all(&dist)?;
    }
    fs::create_dir_all(&dist)?;

    step("crates: cargo package --workspace --exclude xtask --no-verify");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // Cargo's target directory: `CARGO_TARGET_DIR` when set (relative to the root), else `target/`.
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    };
    let packaged = target.join("package");
    cmd!(sh, "{cargo} package --workspace --exclude xtask --no-verify --allow-dirty --locked")
        .run()?;
    let version = workspace_version(root)?;
    let entries = fs::read_dir(&packaged).map_err(|e| {
        format!("cannot read `{}`, where cargo packages crates: {e}", packaged.display())
    })?;
    for entry in entries {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(&format!("-{version}.crate")) {
            fs::copy(&path, dist.join(name))?;
        }
    }

    step(&format!("wheel and sdist: maturin (profile `{profile}`)"));
    let maturin = maturin(&sh, &target)?;
    cmd!(sh, "{maturin} build --profile {profile} --out {dist}").run()?;
    cmd!(sh, "{maturin} sdist --out {dist}").run()?;

    step("chart");
    let chart = root.join("charts/monorel");
    if cmd!(sh, "helm version --short").quiet().ignore_stderr().read().is_ok() {
        cmd!(sh, "helm package {chart} --destination {dist}").run()?;
    } else {
        let written = package_chart(&chart, &dist)?;
        eprintln!("helm is not installed: wrote `{}` as `helm package` would", written.display());
    }

    step("SHA256SUMS");
    let sums = monorel::artifacts::checksums::plan_sums(&dist)?;
    monorel::apply::write_atomic(&dist.join(monorel::artifacts::checksums::SUMS), sums.as_bytes())?;
    eprint!("{sums}");
    Ok(())
}

/// The workspace's version, from the root manifest (through the engine's Cargo.toml scanner).
fn workspace_version(root: &Path) -> Result<String> {
    let bytes = fs::read(root.join("Cargo.toml"))?;
    let sites = monorel::editors::scan_file(monorel::editors::FileKind::CargoToml, &bytes)?;
    let site = sites
        .iter()
        .find(|s| s.role.subject() == "[workspace.package].version")
        .ok_or("the root Cargo.toml has no `[workspace.package].version`")?;
    Ok(site.text.clone())
}

/// maturin from a virtual environment under `target/dist-tools/`, installed on first use.
fn maturin(sh: &Shell, target: &Path) -> Result<PathBuf> {
    let venv = target.join("dist-tools/venv");
    let bin = if cfg!(windows) { venv.join("Scripts") } else { venv.join("bin") };
    let maturin = bin.join(if cfg!(windows) { "maturin.exe" } else { "maturin" });
    if !maturin.exists() {
        let python = bin.join(if cfg!(windows) { "python.exe" } else { "python" });
        cmd!(sh, "python3 -m venv {venv}").run()?;
        cmd!(sh, "{python} -m pip install --quiet --disable-pip-version-check {MATURIN}").run()?;
    }
    Ok(maturin)
}

/// Writes `{name}-{version}.tgz` for the chart in `chart` into `out`, laid out as
/// `helm package` lays it out. Returns its path.
fn package_chart(chart: &Path, out: &Path) -> Result<PathBuf> {
    let name =
        chart.file_name().and_then(|n| n.to_str()).ok_or("the chart directory has no name")?;
    let chart_yaml = fs::read(chart.join("Chart.yaml"))?;
    let sites = monorel::editors::scan_file(monorel::editors::FileKind::HelmChart, &chart_yaml)?;
    let version = sites.first().ok_or("`Chart.yaml` has no version")?.text.clone();
    let ignore = fs::read_to_string(chart.join(".helmignore")).unwrap_or_default();
    let mut files = Vec::new();
    collect(chart, chart, &ignore_patterns(&ignore), &mut files)?;
    let rank = |p: &str| match p {
        "Chart.yaml" => 0,
        "values.yaml" => 1,
        _ => 2,
    };
    files.sort_by(|a, b| (rank(a), a).cmp(&(rank(b), b)));

    let mtime =
        std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.parse().ok()).unwrap_or(315_532_800);
    let path = out.join(format!("{name}-{version}.tgz"));
    let file = fs::File::create(&path)?;
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for relative in &files {
        let bytes = fs::read(chart.join(relative))?;
        let mut header = tar::Header::new_ustar();
        header.set_path(format!("{name}/{relative}"))?;
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(mtime);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        tar.append(&header, bytes.as_slice())?;
    }
    tar.into_inner()?.finish()?.flush()?;
    Ok(path)
}

/// `.helmignore` patterns: `dir/` (a directory anywhere), `*.ext`, or a name.
fn ignore_patterns(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn ignored(relative: &str, is_dir: bool, patterns: &[String]) -> bool {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    patterns.iter().any(|p| match p.strip_suffix('/') {
        Some(dir) => is_dir && name == dir,
        None => match p.strip_prefix('*') {
            Some(suffix) => name.ends_with(suffix),
            None => name == p || relative == p,
        },
    })
}

fn collect(base: &Path, dir: &Path, patterns: &[String], out: &mut Vec<String>) -> Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<std::io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let relative = path.strip_prefix(base)?.to_string_lossy().replace('\\', "/");
        let is_dir = entry.file_type()?.is_dir();
        if ignored(&relative, is_dir, patterns) {
            continue;
        }
        if is_dir {
            collect(base, &path, patterns, out)?;
        } else {
            out.push(relative);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helmignore() {
        let patterns = ignore_patterns("# comment\n.git/\n*.swp\nNOTES.txt\n");
        assert!(ignored(".git", true, &patterns));
        assert!(!ignored(".git", false, &patterns));
        assert!(ignored("templates/x.swp", false, &patterns));
        assert!(ignored("NOTES.txt", false, &patterns));
        assert!(!ignored("templates/job.yaml", false, &patterns));
    }
}
