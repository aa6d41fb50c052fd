//! `cargo xtask bench artifacts [--mib <N>] [--runs <N>]`: `verify-artifacts` against
//! `sha256sum` over the same files, in the same run.
//!
//! The artifacts (about `--mib` MiB, default 1024) are made once into
//! `target/bench-artifacts/` by a Python script (below) from files every machine with Python
//! and Rust has: one large wheel of the Rust toolchain's shared libraries and `.rlib`s (a wheel
//! like torch's), and many wheels of at least 16 MiB of files each, drawn in turn from the
//! Python standard library and the same binaries (so a few hold a large `.so`), all deflated by `zipfile` like real wheels, with RECORD and a `SHA256SUMS`. The verifier is
//! a release build of `monorel`; both commands run `--runs` times (default 3) after a warm-up
//! run, alternately, and the best time of each is compared (the page cache is warm for both).
//! The figures go in `docs/benchmarks.md`.

use std::{fs, path::Path, process::ExitCode, time::Instant};

use xshell::{Shell, cmd};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Runs the benchmark; `args` are the words after `bench artifacts`.
pub(crate) fn run(root: &Path, args: &[&str]) -> ExitCode {
    let mut mib = 1024u64;
    let mut runs = 3usize;
    let mut rest = args;
    while let [flag, value, tail @ ..] = rest {
        match (*flag, value.parse()) {
            ("--mib", Ok(v)) => mib = v,
            ("--runs", Ok(v)) => runs = v as usize,
            _ => {
                eprintln!("usage: cargo xtask bench artifacts [--mib <N>] [--runs <N>]");
                return ExitCode::from(2);
            }
        }
        rest = tail;
    }
    if !rest.is_empty() || runs == 0 {
        eprintln!("usage: cargo xtask bench artifacts [--mib <N>] [--runs <N>]");
        return ExitCode::from(2);
    }
    match bench(root, mib, runs) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cargo xtask bench artifacts: {e}");
            ExitCode::FAILURE
        }
    }
}

fn bench(root: &Path, mib: u64, runs: usize) -> Result<()> {
    let sh = Shell::new()?;
    sh.change_dir(root);
    let dir = root.join(format!("target/bench-artifacts/{mib}"));
    let done = dir.join(".complete");
    if !done.exists() {
        eprintln!("==> making about {mib} MiB of wheels in `{}` (once)", dir.display());
        fs::create_dir_all(&dir)?;
        let sysroot = cmd!(sh, "rustc --print sysroot").read()?;
        let bytes = (mib << 20).to_string();
        cmd!(sh, "python3 -c {GENERATE} {dir} {bytes} {sysroot}").quiet().run()?;
        fs::write(&done, "")?;
    }
    let mut files: Vec<String> = fs::read_dir(&dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".whl"))
        .collect();
    files.sort();
    let total: u64 = files.iter().map(|f| fs::metadata(dir.join(f)).map_or(0, |m| m.len())).sum();
    let largest =
        files.iter().map(|f| fs::metadata(dir.join(f)).map_or(0, |m| m.len())).max().unwrap_or(0);

    eprintln!("==> cargo build --release -p monorel-cli");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    cmd!(sh, "{cargo} build --release --locked -p monorel-cli").run()?;
    let monorel = root.join("target/release/monorel");

    sh.change_dir(&dir);
    // Wall-clock seconds and the CPU seconds of the child (user + system).
    let timed = |cmd: xshell::Cmd<'_>| -> Result<(f64, f64)> {
        let (start, cpu) = (Instant::now(), children_cpu());
        cmd.quiet().ignore_stdout().run()?;
        Ok((start.elapsed().as_secs_f64(), children_cpu() - cpu))
    };
    let sha256sum = || {
        let files = &files;
        timed(cmd!(sh, "sha256sum {files...}"))
    };
    let verify = || timed(cmd!(sh, "{monorel} verify-artifacts . --version 1.0.0"));
    eprintln!("==> warm-up, then {runs} runs of each, alternately");
    sha256sum()?;
    verify()?;
    let (mut best_sum, mut best_verify) = ((f64::MAX, 0.0), (f64::MAX, 0.0));
    for run in 1..=runs {
        let s = sha256sum()?;
        let v = verify()?;
        eprintln!(
            "run {run}: sha256sum {:.2} s ({:.2} s CPU), verify-artifacts {:.2} s ({:.2} s CPU)",
            s.0, s.1, v.0, v.1
        );
        best_sum = if s.0 < best_sum.0 { s } else { best_sum };
        best_verify = if v.0 < best_verify.0 { v } else { best_verify };
    }
    let ((best_sum, sum_cpu), (best_verify, verify_cpu)) = (best_sum, best_verify);
    let mb = |seconds: f64| total as f64 / seconds / 1e6;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "artifacts: {} wheels, {:.0} MiB (largest {:.0} MiB), {cores} cores",
        files.len(),
        total as f64 / 1048576.0,
        largest as f64 / 1048576.0
    );
    println!("sha256sum:        {best_sum:.2} s  {:.0} MB/s  ({sum_cpu:.2} s CPU)", mb(best_sum));
    println!(
        "verify-artifacts: {best_verify:.2} s  {:.0} MB/s  ({verify_cpu:.2} s CPU)",
        mb(best_verify)
    );
    println!(
        "ratio: {:.2}x sha256sum's throughput (target: at least 0.8x)",
        best_sum / best_verify
    );
    println!("load average after the runs: {}", load_average());
    Ok(())
}

/// CPU seconds (user + system) of this process's waited-for children, from `/proc/self/stat`
/// (Linux; 0 elsewhere). Clock ticks are taken as 100 per second, Linux's usual `USER_HZ`.
fn children_cpu() -> f64 {
    let stat = fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(13) + ticks(14)) / 100.0
}

fn load_average() -> String {
    let text = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// Makes the wheels: `python3 -c GENERATE <dir> <bytes> <rust sysroot>`.
const GENERATE: &str = r#"
import base64, hashlib, os, sys, sysconfig, zipfile
from concurrent.futures import ProcessPoolExecutor

out, budget, sysroot = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def files_under(root, suffixes):
    found = []
    for d, _, names in os.walk(root):
        for n in sorted(names):
            p = os.path.join(d, n)
            if n.endswith(suffixes) and os.path.isfile(p) and not os.path.islink(p):
                found.append(p)
    return sorted(found)

def wheel(args):
    name, sources = args
    dist_info = f"{name}-1.0.0.dist-info"
    record = []
    path = os.path.join(out, f"{name}-1.0.0-py3-none-any.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        def add(arc, data):
            z.writestr(arc, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{arc},sha256={digest},{len(data)}")
        add(f"{name}/__init__.py", b'__version__ = "1.0.0"\n')
        for i, src in enumerate(sources):
            add(f"{name}/data/{i:05d}_{os.path.basename(src)}", open(src, "rb").read())
        add(f"{dist_info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0.0\n".encode())
        add(f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{dist_info}/RECORD", "\n".join(record + [f"{dist_info}/RECORD,,"]) + "\n")
    return os.path.getsize(path)

binaries = files_under(sysroot, (".so", ".rlib"))
pool = files_under(sysconfig.get_paths()["stdlib"], (".py", ".so")) + binaries
# The large wheel: the toolchain's binaries, repeated up to two thirds of the budget before
# compression, which deflates to about a quarter of it (a wheel like torch's).
libs, size, at = [], 0, 0
while size < budget // 3 * 2 and binaries:
    p = binaries[at % len(binaries)]
    at += 1
    libs.append(p)
    size += os.path.getsize(p)

def small_jobs():
    i, at = 0, 0
    while True:
        chosen, size = [], 0
        while size < 16 << 20:
            p = pool[at % len(pool)]
            at += 1
            chosen.append(p)
            size += os.path.getsize(p)
        yield (f"small_wheel_{i:04d}", chosen)
        i += 1

def existing(name):
    path = os.path.join(out, f"{name}-1.0.0-py3-none-any.whl")
    return os.path.getsize(path) if os.path.exists(path) else None

# Wheels are made in batches until their sizes on disk add up to the budget; wheels already
# there (from an interrupted or smaller run) are kept.
written, count = 0, 0
with ProcessPoolExecutor(os.cpu_count()) as ex:
    jobs = iter([("large_wheel", libs)] + [None])
    small = small_jobs()
    while written < budget:
        batch = []
        while len(batch) < 2 * (os.cpu_count() or 1):
            job = next(jobs, None) or next(small)
            size = existing(job[0])
            count += 1
            if size is None:
                batch.append(job)
            else:
                written += size
                if written >= budget:
                    break
        written += sum(ex.map(wheel, batch))
lines = []
for n in sorted(os.listdir(out)):
    if n.endswith(".whl"):
        lines.append(f"{hashlib.sha256(open(os.path.join(out, n), 'rb').read()).hexdigest()}  {n}\n")
open(os.path.join(out, "SHA256SUMS"), "w").write("".join(lines))
print(f"{count} wheels, {written >> 20} MiB")
"#;
