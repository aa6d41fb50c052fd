//! `cargo xtask fuzz [--seconds <N>] [--seed <N>]`: a bounded random mutation loop over the
//! editors and the archive readers, printing how many cases each target ran.
//!
//! Editor targets (one per file kind) start from the inputs of `testdata/version-cases/`;
//! archive targets (wheel, sdist, crate, chart) from small archives made here. Each case is a
//! seed with one to four mutations (bit flips, bytes and YAML/TOML/Python tokens inserted,
//! ranges deleted, duplicated or taken from another seed; archives are mutated in their
//! compressed bytes and in their tar stream before it is compressed). A case fails when the
//! code under test panics, takes more than two seconds twice in a row, or, for an editor, returns an edit that
//! changes bytes outside its version tokens or cannot be scanned again. Failing inputs are
//! written to `target/fuzz/failures/`. No dependency beyond the xtask's own: the random numbers
//! come from a xorshift generator, so a `--seed` replays a run.

use std::{
    fs,
    io::Write,
    panic::{self, AssertUnwindSafe},
    path::{Path, PathBuf},
    process::ExitCode,
    time::{Duration, Instant},
};

use monorel::{
    artifacts::{self, Request, release},
    editors::{self, FileKind},
    version::Version,
};

use crate::task;

const USAGE: &str = "usage: cargo xtask fuzz [--seconds <N>] [--seed <N>]

Mutates the version cases and generated archives for about N seconds in all (default 60),
split between the targets, and prints how many cases each ran; failing inputs go to
`target/fuzz/failures/`. The same --seed (default: the time) replays the same cases.";

/// How long one case (a few KiB at most) may take, twice in a row, before it counts as a
/// failure: quadratic or worse behaviour.
const SLOW: Duration = Duration::from_secs(2);

struct Options {
    seconds: u64,
    seed: u64,
}

pub(crate) fn run(root: &Path, args: &[&str]) -> ExitCode {
    task::run(args, USAGE, parse, |options| fuzz(root, options))
}

fn parse(args: &[&str]) -> task::Result<Option<Options>> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    let mut options = Options { seconds: 60, seed: now.map_or(1, |d| d.as_nanos() as u64) | 1 };
    let mut rest = args;
    while let [flag, tail @ ..] = rest {
        match (*flag, tail) {
            ("-h" | "--help", _) => return Ok(None),
            ("--seconds", [value, tail @ ..]) => {
                options.seconds =
                    value.parse().map_err(|_| format!("--seconds `{value}`: not a number"))?;
                rest = tail;
            }
            ("--seed", [value, tail @ ..]) => {
                options.seed =
                    value.parse().map_err(|_| format!("--seed `{value}`: not a number"))?;
                rest = tail;
            }
            _ => return Err(format!("unexpected argument `{flag}`").into()),
        }
    }
    Ok(Some(options))
}

/// Runs one input: whether it was accepted (an edit planned, an artifact that passed), or what
/// is wrong with the outcome.
type Run = Box<dyn Fn(&[u8]) -> Result<bool, String>>;

/// The seeds of one editor kind, and the bumps (`old`, `new`) its cases ask for.
type KindSeeds = (FileKind, Vec<Vec<u8>>, Vec<(Version, Version)>);

/// One thing to fuzz: its name and seeds, and how to run one input.
struct Target {
    name: String,
    seeds: Vec<Vec<u8>>,
    run: Run,
    /// Archives whose tar stream is mutated before it is compressed.
    gzip_after_mutating: bool,
}

fn fuzz(root: &Path, options: &Options) -> task::Result<()> {
    let work = root.join("target/fuzz");
    let failures_dir = work.join("failures");
    fs::create_dir_all(&failures_dir)?;
    let mut targets = editor_targets(&root.join("testdata/version-cases/cases"))?;
    targets.extend(archive_targets(&work.join("artifacts"))?);
    let per_target = Duration::from_secs(options.seconds.max(1)) / targets.len() as u32;
    println!(
        "fuzz: {} targets, about {:.1} s each, seed {}",
        targets.len(),
        per_target.as_secs_f64(),
        options.seed
    );
    // A panic is a finding, reported below; the default hook's message would repeat it.
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(options.seed);
    let (mut total, mut failed) = (0u64, 0u64);
    for target in &targets {
        let started = Instant::now();
        let (mut cases, mut accepted, mut failures) = (0u64, 0u64, 0u64);
        while started.elapsed() < per_target {
            let input = mutate(&mut rng, &target.seeds);
            let input =
                if target.gzip_after_mutating && rng.below(2) == 0 { gzip(&input) } else { input };
            let case_started = Instant::now();
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| (target.run)(&input)))
                .unwrap_or_else(|payload| Err(format!("panicked: {}", panic_message(&payload))));
            let outcome = match outcome {
                // Slow twice: once may be another process taking the cores.
                Ok(_) if case_started.elapsed() > SLOW => {
                    let first = case_started.elapsed();
                    let again = Instant::now();
                    let _ = panic::catch_unwind(AssertUnwindSafe(|| (target.run)(&input)));
                    let least = first.min(again.elapsed());
                    if least > SLOW {
                        Err(format!("took {:.2} s", least.as_secs_f64()))
                    } else {
                        outcome
                    }
                }
                other => other,
            };
            cases += 1;
            accepted += u64::from(outcome == Ok(true));
            if let Err(why) = outcome {
                failures += 1;
                let path = failures_dir.join(format!("{}-{}", target.name, failures));
                fs::write(&path, &input)?;
                println!("FAIL  {}: {why} (input in `{}`)", target.name, path.display());
            }
        }
        println!("{:<16} {cases:>8} cases ({accepted} accepted), {failures} failed", target.name);
        total += cases;
        failed += failures;
    }
    panic::set_hook(hook);
    println!("fuzz: {total} cases in all, {failed} failed (seed {})", options.seed);
    if failed > 0 {
        return Err(format!(
            "{failed} of {total} cases failed; replay with --seed {}",
            options.seed
        )
        .into());
    }
    Ok(())
}

/// One target per editor kind, seeded with the inputs of the version cases of that kind.
fn editor_targets(cases: &Path) -> task::Result<Vec<Target>> {
    let mut by_kind: Vec<KindSeeds> =
        FileKind::ALL.iter().map(|&k| (k, Vec::new(), Vec::new())).collect();
    let mut dirs: Vec<PathBuf> =
        fs::read_dir(cases)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    dirs.sort();
    for dir in dirs {
        let Ok(meta) = fs::read_to_string(dir.join("meta.toml")) else { continue };
        let field = |key: &str| {
            meta.lines()
                .find_map(|l| l.strip_prefix(key)?.trim_start().strip_prefix('='))
                .map(|v| v.trim().trim_matches('"').to_string())
        };
        let (Some(kind), Some(old), Some(new)) = (field("kind"), field("old"), field("new")) else {
            continue;
        };
        let Some(slot) = by_kind.iter_mut().find(|(k, ..)| k.name() == kind) else { continue };
        let (Ok(old), Ok(new)) = (Version::parse(&old), Version::parse(&new)) else { continue };
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name != "meta.toml" && name != "expected" {
                slot.1.push(fs::read(&path)?);
            }
        }
        slot.2.push((old, new));
    }
    Ok(by_kind
        .into_iter()
        .filter(|(_, seeds, _)| !seeds.is_empty())
        .map(|(kind, seeds, versions)| Target {
            name: kind.name().to_string(),
            seeds,
            run: Box::new(move |input| {
                let mut edited = false;
                for (old, new) in &versions {
                    edited |= check_edit(kind, input, old, new)?;
                }
                Ok(edited)
            }),
            gzip_after_mutating: false,
        })
        .collect())
}

/// An edit may change only its version tokens, and what it writes must scan again; `true`
/// when an edit was planned.
fn check_edit(kind: FileKind, input: &[u8], old: &Version, new: &Version) -> Result<bool, String> {
    let Ok(edit) = editors::plan_file(kind, input, old, new) else { return Ok(false) };
    let mut at = 0;
    let mut rebuilt = Vec::with_capacity(edit.after.len());
    for change in &edit.changes {
        let range = change.site.range.clone();
        if range.start < at || input.get(range.clone()) != Some(change.site.text.as_bytes()) {
            return Err(format!("a change's range {range:?} is not its token"));
        }
        rebuilt.extend_from_slice(&input[at..range.start]);
        rebuilt.extend_from_slice(change.to.as_bytes());
        at = range.end;
    }
    rebuilt.extend_from_slice(&input[at..]);
    if rebuilt != edit.after {
        return Err("the edit changes bytes outside its version tokens".to_string());
    }
    let before = editors::scan_file(kind, input).map(|s| s.len());
    let after = editors::scan_file(kind, &edit.after).map(|s| s.len());
    match (before, after) {
        (Ok(b), Ok(a)) if a != b => Err(format!("{b} sites before the edit, {a} after")),
        (Ok(_), Err(r)) => Err(format!("the edited file no longer scans: {}", r.message)),
        _ => Ok(true),
    }
}

/// One target per archive kind, seeded with a small valid artifact of that kind.
fn archive_targets(dir: &Path) -> task::Result<Vec<Target>> {
    fs::create_dir_all(dir)?;
    let pyproject = b"[project]\nname = \"tiny-pkg\"\nversion = \"1.2.0\"\n".as_slice();
    let pkg_info = b"Metadata-Version: 2.1\nName: tiny-pkg\nVersion: 1.2.0\n".as_slice();
    let cargo_toml = b"[package]\nname = \"tiny\"\nversion = \"1.2.0\"\n".as_slice();
    let chart_yaml =
        b"apiVersion: v2\nname: tiny\nversion: 1.2.0\nappVersion: \"1.2.0\"\nx: &x {a: 1}\n<<: *x\n"
            .as_slice();
    let dist_info = "tiny_pkg-1.2.0.dist-info";
    let mut wheel_files: Vec<(String, Vec<u8>)> = vec![
        ("tiny_pkg/__init__.py".into(), b"__version__ = \"1.2.0\"\n".to_vec()),
        (format!("{dist_info}/METADATA"), pkg_info.to_vec()),
        (
            format!("{dist_info}/WHEEL"),
            b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n".to_vec(),
        ),
    ];
    // RECORD as a build backend writes it, so that the seed passes and mutations get past it.
    let mut record = String::new();
    for (name, bytes) in &wheel_files {
        let digest = sha256(&dir.join("hash"), bytes)?;
        record.push_str(&format!("{name},sha256={},{}\n", base64_url(&digest), bytes.len()));
    }
    record.push_str(&format!("{dist_info}/RECORD,,\n"));
    wheel_files.push((format!("{dist_info}/RECORD"), record.into_bytes()));
    let kinds: Vec<(&str, &str, Vec<Vec<u8>>, bool)> = vec![
        ("wheel", "tiny_pkg-1.2.0-py3-none-any.whl", vec![zip(&wheel_files)], false),
        (
            "sdist",
            "tiny_pkg-1.2.0.tar.gz",
            vec![tar(&[
                ("tiny_pkg-1.2.0/PKG-INFO", pkg_info),
                ("tiny_pkg-1.2.0/pyproject.toml", pyproject),
            ])?],
            true,
        ),
        (
            "crate",
            "tiny-1.2.0.crate",
            vec![tar(&[
                ("tiny-1.2.0/Cargo.toml", cargo_toml),
                ("tiny-1.2.0/Cargo.toml.orig", cargo_toml),
            ])?],
            true,
        ),
        (
            "chart",
            "tiny-1.2.0.tgz",
            vec![tar(&[("tiny/Chart.yaml", chart_yaml), ("tiny/values.yaml", b"replicas: 1\n")])?],
            true,
        ),
    ];
    let version = Version::new(1, 2, 0);
    Ok(kinds
        .into_iter()
        .map(|(name, file, seeds, tarred)| {
            let target_dir = dir.join(name);
            let path = target_dir.join(file);
            let version = version.clone();
            Target {
                name: name.to_string(),
                seeds,
                run: Box::new(move |input| {
                    fs::create_dir_all(&target_dir).map_err(|e| e.to_string())?;
                    fs::write(&path, input).map_err(|e| e.to_string())?;
                    let request = Request {
                        locations: vec![target_dir.clone()],
                        claims: vec![release::Claim {
                            source: release::Source::Flag,
                            version: version.clone(),
                        }],
                        ..Request::default()
                    };
                    let report =
                        artifacts::verify(&request).map_err(|e| format!("verify failed: {e}"))?;
                    Ok(report.passed())
                }),
                gzip_after_mutating: tarred,
            }
        })
        .map(|mut target| {
            // Tar targets are seeded with the uncompressed stream, mutated, then compressed
            // (half the time) or written as mutated; the compressed seed is mutated too.
            if target.gzip_after_mutating {
                let compressed: Vec<Vec<u8>> = target.seeds.iter().map(|s| gzip(s)).collect();
                target.seeds.extend(compressed);
            }
            target
        })
        .collect())
}

/// Bytes and tokens that make parsers take other paths.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"'",
    b"\n",
    b"\r\n",
    b"\r",
    b"#",
    b" ",
    b"\t",
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"<<: [*a, *a]\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b"=",
    b":",
    b",",
    b"0",
    b"9",
    b".",
    b"-",
    b"+",
    b"v",
    b"\\",
    b"\\x",
    b"\xef\xbb\xbf",
    b"\0",
    b"\xff",
    b"99999999999999999999999",
    b"1.2.3",
    b"version",
    b"__version__ = ",
    b"[package]\n",
    b"---\n",
    b"...\n",
    b"|\n",
    b">-\n",
    b"\"\"\"",
    b"(1, 2, 3)",
    b"..",
    b"/",
    b"PK\x03\x04",
    b"PK\x01\x02",
    b"\x1f\x8b\x08\0",
];

/// One to four mutations of a random seed.
fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(4) {
        let len = data.len();
        let at = rng.below(len + 1);
        match rng.below(7) {
            0 if len > 0 => data[at.min(len - 1)] ^= 1 << rng.below(8),
            1 if len > 0 => data[at.min(len - 1)] = rng.below(256) as u8,
            2 | 3 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                data.splice(at..at, token.iter().copied());
            }
            4 => {
                let end = (at + 1 + rng.below(16)).min(len);
                data.drain(at.min(end)..end);
            }
            5 => {
                let end = (at + 1 + rng.below(64)).min(len);
                let copy = data[at.min(end)..end].to_vec();
                let to = rng.below(len + 1);
                data.splice(to..to, copy);
            }
            _ => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len() + 1);
                let end = (from + rng.below(64)).min(other.len());
                let to_end = (at + rng.below(16)).min(len);
                data.splice(at..to_end, other[from..end].iter().copied());
            }
        }
    }
    data
}

/// xorshift64: small, fast, and the same sequence for the same seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string())
}

/// SHA-256 of `bytes`, through the engine's checksum code (the xtask has no hasher of its
/// own): the bytes are written into `dir` under a name it hashes.
fn sha256(dir: &Path, bytes: &[u8]) -> task::Result<Vec<u8>> {
    fs::create_dir_all(dir)?;
    fs::write(dir.join("blob-1.0.0.tar.gz"), bytes)?;
    let sums = artifacts::checksums::plan_sums(dir)?;
    let hex = sums.get(..64).ok_or("no checksum")?;
    (0..32).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(Into::into)).collect()
}

/// URL-safe base64 without padding, as RECORD writes digests.
fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).and_then(|()| gz.finish()).unwrap_or_default()
}

/// An uncompressed tar of `files`.
fn tar(files: &[(&str, &[u8])]) -> task::Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    for (name, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, *bytes)?;
    }
    Ok(tar.into_inner()?)
}

/// A zip of stored members, written by hand (the xtask has no zip writer).
fn zip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, bytes) in files {
        let mut crc = flate2::Crc::new();
        crc.update(bytes);
        let offset = out.len() as u32;
        let fields = |central: bool| {
            let mut h = Vec::new();
            h.extend(if central { 0x0201_4b50u32 } else { 0x0403_4b50 }.to_le_bytes());
            if central {
                h.extend(20u16.to_le_bytes());
            }
            h.extend(20u16.to_le_bytes());
            h.extend([0u8; 4]); // flags, stored
            h.extend([0u8; 4]); // time, date
            h.extend(crc.sum().to_le_bytes());
            h.extend((bytes.len() as u32).to_le_bytes());
            h.extend((bytes.len() as u32).to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            if central {
                h.extend([0u8; 6]);
                h.extend((0o100644u32 << 16).to_le_bytes());
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(fields(false));
        out.extend(bytes);
        central.extend(fields(true));
    }
    let start = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((files.len() as u16).to_le_bytes());
    out.extend((files.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(start.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_url_is_what_record_writes() {
        let cases: [(&[u8], &str); 6] = [
            (b"", ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg"),
            (&[0xfb, 0xff], "-_8"),
        ];
        for (bytes, encoded) in cases {
            assert_eq!(base64_url(bytes), encoded);
        }
    }

    #[test]
    fn a_seed_replays_the_same_mutations() {
        let seeds = vec![b"version = \"1.2.3\"\n".to_vec(), b"[package]\n".to_vec()];
        let run = |seed| {
            let mut rng = Rng(seed);
            (0..100).map(|_| mutate(&mut rng, &seeds)).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(9));
    }

    #[test]
    fn a_planned_edit_is_checked_and_counted() {
        let (old, new) = (Version::new(1, 2, 3), Version::new(1, 3, 0));
        let input = b"[package]\nname = \"a\"\nversion = \"1.2.3\"\n";
        assert_eq!(check_edit(FileKind::CargoToml, input, &old, &new), Ok(true));
        assert_eq!(check_edit(FileKind::CargoToml, b"[package]\n", &old, &new), Ok(false));
    }
}
