//! `--install-check`: each wheel installed for real, in a temporary virtual environment made
//! with the system `python3`, then imported.
//!
//! `pip install --no-index --no-deps` installs the wheel alone, offline; a small driver script
//! run by the environment's Python imports each top-level module, reads `__version__` and
//! `importlib.metadata.version(...)`, and runs each console script with `--help` (with a
//! timeout), printing JSON. Every process goes through xshell; the temporary directory is
//! removed afterwards, and nothing else is written.

use std::path::{Path, PathBuf};

use anyhow::Context;
use monorel::{
    artifacts::{Check, Failure, Report, wheel::InstallPlan},
    version::{self, Version},
};
use serde_json::Value;
use xshell::{Shell, cmd};

/// The Python that makes the environments.
const PYTHON: &str = "python3";

/// Installs and imports every wheel that has an install plan, adding `install` checks to it.
/// A wheel that failed any check is not installed: installing runs its code, and what failed
/// may be what makes it hostile (a second `__init__.py`, a name pip reads differently).
pub(crate) fn run(report: &mut Report, progress: bool) -> anyhow::Result<()> {
    let release = report.version.clone();
    for artifact in &mut report.artifacts {
        let Some(plan) = artifact.install.clone() else { continue };
        let mut failed: Vec<&str> = Vec::new();
        for check in artifact.checks.iter().filter(|c| c.failed()) {
            if !failed.contains(&check.check.as_str()) {
                failed.push(&check.check);
            }
        }
        if !failed.is_empty() {
            let failed: Vec<String> = failed.iter().map(|c| format!("`{c}`")).collect();
            let detail = format!(
                "not installed: the {} {} failed, and an artifact that failed a check is never installed (installing runs its code)",
                failed.join(", "),
                if failed.len() == 1 { "check" } else { "checks" }
            );
            artifact.checks.push(Check::note("install", detail));
            continue;
        }
        if progress {
            eprintln!(
                "installing `{}` in a temporary virtual environment...",
                crate::render::escape(&file_name(&plan.wheel))
            );
        }
        artifact.checks.extend(check_wheel(&plan, &release)?);
    }
    Ok(())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

fn fail(message: impl Into<String>, help: impl Into<String>) -> Check {
    Check::fail("install", Failure::new(None, message, help))
}

fn check_wheel(plan: &InstallPlan, release: &Version) -> anyhow::Result<Vec<Check>> {
    let tmp = tempfile::Builder::new()
        .prefix("monorel-install-check-")
        .tempdir()
        .context("cannot create a temporary directory")?;
    let sh = Shell::new()?;
    sh.change_dir(tmp.path());
    sh.set_var("PIP_DISABLE_PIP_VERSION_CHECK", "1");
    sh.set_var("PIP_NO_INPUT", "1");
    let venv = tmp.path().join("venv");
    let made = clean(cmd!(sh, "{PYTHON} -m venv {venv}")).quiet().ignore_status().output();
    match made {
        Err(e) => {
            return Ok(vec![fail(
                format!("cannot run `{PYTHON}`: {e}"),
                "install Python 3 (with `venv`), or leave out `--install-check`",
            )]);
        }
        Ok(out) if !out.status.success() => {
            return Ok(vec![fail(
                format!("`{PYTHON} -m venv` failed: {}", tail(&out.stderr)),
                "install Python's `venv` module (Debian: `python3-venv`), or leave out `--install-check`",
            )]);
        }
        Ok(_) => {}
    }
    let python = venv_python(&venv);
    let wheel = &plan.wheel;
    let installed = clean(cmd!(sh, "{python} -m pip install --no-index --no-deps --quiet {wheel}"))
        .quiet()
        .ignore_status()
        .output()?;
    if !installed.status.success() {
        let stderr = String::from_utf8_lossy(&installed.stderr);
        if stderr.contains("is not a supported wheel on this platform") {
            return Ok(vec![Check::note(
                "install",
                "not installable on this platform: not checked",
            )]);
        }
        return Ok(vec![fail(
            format!("`pip install --no-index --no-deps` failed: {}", tail(&installed.stderr)),
            "fix the wheel's metadata (pip says why above), then rebuild it",
        )]);
    }
    let mut checks =
        vec![Check::pass("install", format!("`pip install` of `{}`", file_name(wheel)))];
    let input = serde_json::json!({
        "distribution": plan.distribution,
        "imports": plan.imports,
        "scripts": plan.scripts,
    })
    .to_string();
    let driven =
        clean(cmd!(sh, "{python} -I -c {DRIVER} {input}")).quiet().ignore_status().output()?;
    let results: Vec<Value> = match serde_json::from_slice(&driven.stdout) {
        Ok(Value::Array(results)) if driven.status.success() => results,
        _ => {
            checks.push(fail(
                format!("the import check did not run: {}", tail(&driven.stderr)),
                "run it by hand: install the wheel in a virtual environment and import it",
            ));
            return Ok(checks);
        }
    };
    for result in &results {
        checks.push(result_check(result, plan, release));
    }
    Ok(checks)
}

/// Turns one line of the driver's output into a check.
fn result_check(result: &Value, plan: &InstallPlan, release: &Version) -> Check {
    let str_of = |key: &str| result.get(key).and_then(Value::as_str).unwrap_or("");
    let ok = result.get("ok").and_then(Value::as_bool).unwrap_or(false);
    let expected = &plan.version;
    let rebuild = "rebuild the wheel from the release commit: the installed package does not carry the release version";
    match str_of("check") {
        "metadata" => {
            let what = format!("`importlib.metadata.version(\"{}\")`", plan.distribution);
            if !ok {
                return fail(format!("{what} failed: {}", str_of("error")), "rebuild the wheel");
            }
            let found = str_of("value");
            if version::pep440_matches(found, release) {
                Check::pass("install", format!("{what} is `{found}`"))
            } else {
                fail(format!("{what} is `{found}`, expected `{expected}`"), rebuild)
            }
        }
        "import" => {
            let module = str_of("module");
            if !ok {
                return fail(
                    format!("`import {module}` failed: {}", str_of("error")),
                    "the package cannot be imported as installed: check the wheel's contents and its dependencies",
                );
            }
            match result.get("version").and_then(Value::as_str) {
                None => Check::note(
                    "install",
                    format!("`import {module}` works; it has no `__version__`"),
                ),
                Some(found) if version::pep440_matches(found, release) => Check::pass(
                    "install",
                    format!("`{module}.__version__` is `{found}` at run time"),
                ),
                Some(found) => fail(
                    format!(
                        "`{module}.__version__` is `{found}` at run time, METADATA and the release say `{expected}`"
                    ),
                    "the version the code reports was not bumped (or is computed from somewhere stale): fix it, then rebuild the wheel",
                ),
            }
        }
        "script" => {
            let script = str_of("script");
            if ok {
                Check::pass("install", format!("`{script} --help` exits 0"))
            } else {
                fail(
                    format!("`{script} --help` {}", str_of("error")),
                    "run the installed script by hand to see why it fails",
                )
            }
        }
        other => fail(
            format!("unexpected result `{other}` from the import check"),
            "report this as a bug",
        ),
    }
}

/// A command without the variables that would make Python import from elsewhere.
fn clean(cmd: xshell::Cmd<'_>) -> xshell::Cmd<'_> {
    cmd.env_remove("PYTHONPATH").env_remove("PYTHONHOME").env_remove("VIRTUAL_ENV")
}

/// The last lines of a process's error output, on one line.
fn tail(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let start = lines.len().saturating_sub(3);
    let joined = lines[start..].join(" / ");
    if joined.is_empty() { "no output".to_string() } else { joined }
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

/// Run by the environment's Python, isolated (`-I`), from the temporary directory: prints a
/// JSON list of results.
const DRIVER: &str = r#"
import importlib, importlib.metadata, json, os, subprocess, sys, sysconfig
plan = json.loads(sys.argv[1])
out = []
try:
    out.append({"check": "metadata", "ok": True, "value": importlib.metadata.version(plan["distribution"])})
except Exception as e:
    out.append({"check": "metadata", "ok": False, "error": "%s: %s" % (type(e).__name__, e)})
for name in plan["imports"]:
    try:
        module = importlib.import_module(name)
        version = getattr(module, "__version__", None)
        if version is not None and not isinstance(version, str):
            version = str(version)
        out.append({"check": "import", "module": name, "ok": True, "version": version})
    except BaseException as e:
        out.append({"check": "import", "module": name, "ok": False, "error": "%s: %s" % (type(e).__name__, e)})
scripts = sysconfig.get_path("scripts")
for name in plan["scripts"]:
    path = os.path.join(scripts, name + (".exe" if os.name == "nt" and not name.endswith(".exe") else ""))
    try:
        run = subprocess.run([path, "--help"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        error = "exits %d: %s" % (run.returncode, run.stderr.decode(errors="replace").strip()[-300:])
        out.append({"check": "script", "script": name, "ok": run.returncode == 0, "error": error})
    except Exception as e:
        out.append({"check": "script", "script": name, "ok": False, "error": "cannot run: %s: %s" % (type(e).__name__, e)})
print(json.dumps(out))
"#;
