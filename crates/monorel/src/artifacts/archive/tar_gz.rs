//! `.tar.gz` archives (sdists, crates, charts): one pass over the file, which feeds SHA-256 and
//! the decompressor, with tar's long-name and PAX records read here within the limits.
//!
//! Every gzip member is read, as GNU tar and Python's `tarfile` (which pip uses) read them: a
//! second member is more of the same tar stream, not something to skip. After the tar's end
//! block only zeros may follow, since tools disagree on whether anything there is an entry.

use std::{
    collections::HashSet,
    fs::File,
    io::{self, Read},
    path::Path,
};

use super::{
    BUFFER, HashingReader, Limits, Listing, Member, MemberError, MemberSink, Problem, ProblemKind,
    Want, bomb, check_name, duplicate, keep_within, oversized, read_member,
};

/// Reads a `.tar.gz` archive (an sdist, a crate, a chart). `want` decides per member name.
///
/// The file is read once: the same bytes feed SHA-256 (when `hash_file`) and the decompressor.
pub(crate) fn read_tar_gz(
    path: &Path,
    limits: &Limits,
    hash_file: bool,
    want: &dyn Fn(&str) -> Want,
) -> io::Result<Listing> {
    let file = File::open(path)?;
    let size = file.metadata()?.len();
    let mut source = HashingReader::new(file);
    if !hash_file {
        source.hasher = None;
    }
    let budget = limits.total_budget(size);
    let mut listing = Listing::default();
    let gz = flate2::read::MultiGzDecoder::new(&mut source);
    let mut tar = tar::Archive::new(Budget { inner: gz, left: budget });
    let stopped = read_tar_entries(&mut tar, limits, budget, size, want, &mut listing);
    match stopped {
        Ok(()) => {
            // Drain the rest of the tar stream (end blocks, padding) within the budget: only
            // zeros may follow the end block.
            let mut rest = tar.into_inner();
            if let Err(problem) = only_zeros(&mut rest, size, budget) {
                listing.fail(problem);
            }
        }
        Err(problem) => listing.fail(problem),
    }
    if hash_file {
        io::copy(&mut source, &mut io::sink())?;
        listing.file_sha256 = Some(source.finish());
    }
    Ok(listing)
}

fn read_tar_entries<R: Read>(
    tar: &mut tar::Archive<R>,
    limits: &Limits,
    budget: u64,
    size: u64,
    want: &dyn Fn(&str) -> Want,
    listing: &mut Listing,
) -> Result<(), Problem> {
    let corrupt = |e: io::Error| stream_problem(None, &e, size, budget);
    // Raw entries: long names and PAX records are read here, within the limits, instead of
    // into memory of whatever size they claim.
    let entries = tar.entries().map_err(corrupt)?.raw(true);
    let mut long_name: Option<Vec<u8>> = None;
    let mut pax_path: Option<Vec<u8>> = None;
    let mut declared_total = 0u64;
    let mut count = 0usize;
    let mut buf = vec![0u8; BUFFER];
    let mut unique = HashSet::new();
    let mut kept = 0u64;
    for entry in entries {
        let mut entry = entry.map_err(corrupt)?;
        let header = entry.header();
        let kind = header.entry_type();
        let declared = entry.size();
        if kind.is_gnu_longname() || kind.is_pax_local_extensions() || kind.is_gnu_longlink() {
            let what =
                if kind.is_pax_local_extensions() { "PAX record" } else { "long-name record" };
            if declared > limits.max_index_bytes {
                return Err(Problem::new(
                    None,
                    ProblemKind::Oversized,
                    format!(
                        "a {what} of {declared} bytes, more than the limit of {}",
                        limits.max_index_bytes
                    ),
                ));
            }
            let mut bytes = Vec::new();
            (&mut entry).take(declared).read_to_end(&mut bytes).map_err(corrupt)?;
            if kind.is_gnu_longname() {
                while bytes.last() == Some(&0) {
                    bytes.pop();
                }
                long_name = Some(bytes);
            } else if kind.is_pax_local_extensions() {
                for extension in tar::PaxExtensions::new(&bytes) {
                    let extension = extension.map_err(corrupt)?;
                    match extension.key_bytes() {
                        b"path" => pax_path = Some(extension.value_bytes().to_vec()),
                        b"size" => {
                            return Err(Problem::new(
                                None,
                                ProblemKind::Unsupported,
                                "a PAX record overrides an entry's size: tools disagree on where the next entry starts",
                            ));
                        }
                        _ => {}
                    }
                }
            }
            continue;
        }
        if kind.is_pax_global_extensions() {
            continue;
        }
        count += 1;
        if count > limits.max_entries {
            return Err(Problem::new(
                None,
                ProblemKind::TooManyEntries,
                format!("more than {} entries", limits.max_entries),
            ));
        }
        let raw_name =
            pax_path.take().or(long_name.take()).unwrap_or_else(|| entry.path_bytes().into_owned());
        let raw = match String::from_utf8(raw_name) {
            Ok(raw) => raw,
            Err(e) => {
                let shown = String::from_utf8_lossy(e.as_bytes()).into_owned();
                listing.problems.push(Problem::new(
                    Some(&shown),
                    ProblemKind::BadName,
                    "the name is not UTF-8",
                ));
                continue;
            }
        };
        let is_dir = kind.is_dir();
        let (name, dir) = match check_name(&raw, is_dir) {
            Ok(checked) => checked,
            Err(problem) => {
                listing.problems.push(problem);
                continue;
            }
        };
        if !unique.insert(name.clone()) {
            listing.problems.push(duplicate(&raw));
            continue;
        }
        if kind.is_symlink() || kind.is_hard_link() {
            let target = entry.link_name_bytes().map(|t| String::from_utf8_lossy(&t).into_owned());
            let what = if kind.is_symlink() { "a symbolic link" } else { "a hard link" };
            let message = match target {
                Some(target) => format!("{what} to `{target}`"),
                None => what.to_string(),
            };
            listing.problems.push(Problem::new(Some(&raw), ProblemKind::Link, message));
            continue;
        }
        if !(kind.is_file() || kind.is_contiguous() || is_dir) {
            let what = if kind.is_gnu_sparse() { "a sparse file" } else { "a special file" };
            let problem_kind =
                if kind.is_gnu_sparse() { ProblemKind::Unsupported } else { ProblemKind::Special };
            listing.problems.push(Problem::new(
                Some(&raw),
                problem_kind,
                format!("{what} (tar type `{}`)", kind.as_byte() as char),
            ));
            continue;
        }
        if dir {
            listing.members.push(Member { name, dir, size: 0, sha256: None, text: None });
            continue;
        }
        if declared > limits.max_member_bytes {
            return Err(Problem { entry: Some(raw), ..oversized("", declared, limits) });
        }
        declared_total = declared_total.saturating_add(declared);
        if declared_total > budget {
            return Err(Problem { entry: Some(raw), ..bomb(declared_total, size, budget) });
        }
        let how = keep_within(want(&name), declared, &mut kept, limits, &raw, listing);
        let read = MemberSink::new(declared, how, limits, false)
            .and_then(|sink| read_member(&mut entry, sink, &mut buf));
        match read {
            Ok((mut member, _)) => {
                if member.size != declared {
                    return Err(Problem::new(
                        Some(&raw),
                        ProblemKind::Corrupt,
                        format!(
                            "the header declares {declared} bytes, the archive holds {}: truncated",
                            member.size
                        ),
                    ));
                }
                member.name = name;
                listing.members.push(member);
            }
            Err(MemberError::Problem(problem)) => {
                listing.problems.push(Problem { entry: Some(raw), ..problem })
            }
            Err(MemberError::Io(e)) => return Err(stream_problem(Some(&raw), &e, size, budget)),
        }
    }
    if long_name.is_some() || pax_path.is_some() {
        return Err(Problem::new(
            None,
            ProblemKind::Corrupt,
            "a long-name or PAX record describes no entry: truncated",
        ));
    }
    Ok(())
}

/// Reads `rest` to its end; anything but zeros after the tar's end block is a problem.
fn only_zeros(rest: &mut dyn Read, size: u64, budget: u64) -> Result<(), Problem> {
    let mut buf = vec![0u8; BUFFER];
    loop {
        let n = match rest.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(stream_problem(None, &e, size, budget)),
        };
        if buf[..n].iter().any(|&b| b != 0) {
            return Err(Problem::new(
                None,
                ProblemKind::Corrupt,
                "data follows the tar's end block: tools disagree on whether it holds more \
                 entries; rebuild the archive as one tar stream",
            ));
        }
    }
}

/// Turns an IO error while streaming a tar into a problem: the budget running out is a bomb,
/// anything else a truncated or corrupt archive.
fn stream_problem(entry: Option<&str>, e: &io::Error, size: u64, budget: u64) -> Problem {
    if e.get_ref().is_some_and(|inner| inner.is::<OverBudget>()) {
        return Problem::new(
            entry,
            ProblemKind::Bomb,
            format!(
                "it decompresses to more than {budget} bytes from {size} bytes on disk: a decompression bomb"
            ),
        );
    }
    let what = if e.kind() == io::ErrorKind::UnexpectedEof { "truncated" } else { "corrupt" };
    Problem::new(entry, ProblemKind::Corrupt, format!("the archive is {what}: {e}"))
}

/// The error a [`Budget`] reader fails with.
#[derive(Debug)]
struct OverBudget;

impl std::fmt::Display for OverBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the decompressed size is over the budget")
    }
}

impl std::error::Error for OverBudget {}

/// Fails once more than `left` bytes have been read through it.
struct Budget<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.left = self.left.checked_sub(n as u64).ok_or_else(|| io::Error::other(OverBudget))?;
        Ok(n)
    }
}
