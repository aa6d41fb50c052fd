//! Reading zip and `.tar.gz` archives without trusting them.
//!
//! Nothing is extracted: every member is streamed through SHA-256 or, when it is a small text a
//! check needs, kept in memory. Memory stays bounded whatever the archive claims:
//! - sizes are checked against [`Limits`] *before* a member is read, from what the archive
//!   declares (the zip central directory, the tar header), and a member that inflates past its
//!   declared size is stopped there;
//! - the total an archive may declare is capped relative to its size on disk (a zip bomb
//!   declares what it expands to, or is stopped when it lies);
//! - entry counts, the central directory, and tar's long-name and PAX records are capped.
//!
//! Names are checked, never used as paths: `..`, absolute names, backslashes, NUL, symlinks,
//! hard links, device files, duplicate names and overlapping zip entries are each a [`Problem`]
//! naming the entry. A truncated or corrupt archive stops the reading with one.

mod tar_gz;
mod zip_archive;

pub(crate) use tar_gz::read_tar_gz;
pub(crate) use zip_archive::read_zip;

use std::{
    fs::File,
    io::{self, Read},
    path::Path,
};

use sha2::{Digest, Sha256};

/// The bounds an archive is read within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Entries an archive may hold.
    pub max_entries: usize,
    /// Decompressed bytes one member may hold.
    pub max_member_bytes: u64,
    /// Decompressed bytes all members of one archive may hold, at least.
    pub min_total_bytes: u64,
    /// Above `min_total_bytes`, the decompressed total may be at most this many times the
    /// archive's size on disk.
    pub max_ratio: u64,
    /// Bytes of a member that is parsed in memory (METADATA, RECORD, Cargo.toml, Chart.yaml).
    pub max_text_bytes: u64,
    /// Bytes of a zip central directory, or of a tar long-name or PAX record.
    pub max_index_bytes: u64,
    /// Bytes of a zip member, compressed and inflated, up to which it is inflated in one piece
    /// (faster, with the `libdeflate` feature); larger members are streamed. Each archive being
    /// read holds at most twice this in memory for it.
    pub max_whole_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 100_000,
            max_member_bytes: 2 << 30,
            min_total_bytes: 1 << 30,
            max_ratio: 200,
            max_text_bytes: 32 << 20,
            max_index_bytes: 64 << 20,
            max_whole_bytes: 16 << 20,
        }
    }
}

impl Limits {
    /// The decompressed bytes an archive of `size` bytes on disk may hold.
    pub fn total_budget(&self, size: u64) -> u64 {
        self.min_total_bytes.max(size.saturating_mul(self.max_ratio))
    }
}

/// The size of the buffer members are streamed through.
const BUFFER: usize = 256 * 1024;

/// What a reader does with a member, decided from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// Read past it (a tar stream still decompresses it).
    Skip,
    /// Stream it through SHA-256.
    Hash,
    /// Keep its bytes (up to [`Limits::max_text_bytes`]) and hash them.
    Text,
}

/// One file or directory in an archive, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The name, with a leading `./` and a directory's trailing `/` removed.
    pub name: String,
    /// Whether it is a directory.
    pub dir: bool,
    /// Decompressed size in bytes (as read; as declared for skipped members).
    pub size: u64,
    /// SHA-256 of the contents, when it was hashed.
    pub sha256: Option<[u8; 32]>,
    /// The contents, when the reader kept them.
    pub text: Option<Vec<u8>>,
}

/// What is wrong with an archive or one of its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The entry, when the problem is one entry's.
    pub entry: Option<String>,
    /// The kind, for tests and scripts.
    pub kind: ProblemKind,
    /// What is wrong, for people: lowercase, no trailing period.
    pub message: String,
}

/// The kinds of [`Problem`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// The archive cannot be read: truncated, corrupt, or not of its kind.
    Corrupt,
    /// A name that would escape the directory it is extracted into (`..`, absolute, drive).
    Traversal,
    /// A name no tool reads the same way: backslashes, NUL, not UTF-8, empty.
    BadName,
    /// A symbolic or hard link.
    Link,
    /// A device, FIFO or other special file.
    Special,
    /// Two entries with one name.
    Duplicate,
    /// Two zip entries sharing compressed bytes (the "better zip bomb").
    Overlap,
    /// A member larger than the limits, or one that inflates past its declared size.
    Oversized,
    /// More decompressed bytes than the archive's budget: a zip bomb.
    Bomb,
    /// More entries than the limits.
    TooManyEntries,
    /// An encrypted member, a compression method or a tar feature that is not supported.
    Unsupported,
}

impl Problem {
    fn new(entry: Option<&str>, kind: ProblemKind, message: impl Into<String>) -> Problem {
        Problem { entry: entry.map(str::to_string), kind, message: message.into() }
    }
}

/// Everything read from one archive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Files and directories, in archive order; entries with problems are left out.
    pub members: Vec<Member>,
    /// SHA-256 of the archive file, when asked for.
    pub file_sha256: Option<[u8; 32]>,
    /// Problems found; reading goes on after a problem with one entry and stops after one
    /// with the archive (then the last problem says why).
    pub problems: Vec<Problem>,
    /// Whether reading stopped before the end.
    pub incomplete: bool,
}

impl Listing {
    /// The member named `name` (a file, not a directory).
    pub fn file(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| !m.dir && m.name == name)
    }

    /// The kept text of member `name`, when it was kept.
    pub fn text(&self, name: &str) -> Option<&[u8]> {
        self.file(name)?.text.as_deref()
    }

    fn fail(&mut self, problem: Problem) {
        self.problems.push(problem);
        self.incomplete = true;
    }
}

/// SHA-256 of a whole file, read once, sequentially.
pub(crate) fn sha256_file(path: &Path) -> io::Result<[u8; 32]> {
    let mut reader = HashingReader::new(File::open(path)?);
    io::copy(&mut reader, &mut io::sink())?;
    Ok(reader.finish())
}

/// Keeps a wanted text only while the texts kept from one archive stay within
/// [`Limits::max_text_bytes`] in all; past that, the member is only hashed, and it is a problem.
fn keep_within(
    want: Want,
    declared: u64,
    kept: &mut u64,
    limits: &Limits,
    name: &str,
    listing: &mut Listing,
) -> Want {
    if want != Want::Text || declared > limits.max_text_bytes {
        return want;
    }
    if *kept + declared > limits.max_text_bytes {
        listing.problems.push(Problem::new(
            Some(name),
            ProblemKind::Oversized,
            format!(
                "the metadata files to read add up to more than {} bytes",
                limits.max_text_bytes
            ),
        ));
        return Want::Hash;
    }
    *kept += declared;
    want
}

enum MemberError {
    Problem(Problem),
    Io(io::Error),
}

/// Where one member's bytes go, in order, however they were read: counted against the size the
/// archive declares, hashed, kept when wanted as text, and CRC-32'd when the archive records one.
struct MemberSink {
    declared: u64,
    size: u64,
    hasher: Option<Sha256>,
    text: Option<Vec<u8>>,
    crc: Option<crc32fast::Hasher>,
}

impl MemberSink {
    /// A sink for a member declaring `declared` bytes; `crc` when its CRC-32 is to be checked.
    fn new(declared: u64, want: Want, limits: &Limits, crc: bool) -> Result<Self, MemberError> {
        let keep = want == Want::Text;
        if keep && declared > limits.max_text_bytes {
            return Err(MemberError::Problem(Problem::new(
                None,
                ProblemKind::Oversized,
                format!(
                    "{declared} bytes, too large to read (the limit for this file is {})",
                    limits.max_text_bytes
                ),
            )));
        }
        Ok(MemberSink {
            declared,
            size: 0,
            hasher: (want != Want::Skip).then(Sha256::new),
            text: keep.then(|| Vec::with_capacity(declared as usize)),
            crc: crc.then(crc32fast::Hasher::new),
        })
    }

    /// Takes the next bytes; a member that goes past what it declares is a problem.
    fn feed(&mut self, bytes: &[u8]) -> Result<(), Problem> {
        self.size += bytes.len() as u64;
        if self.size > self.declared {
            return Err(inflates_past(self.declared));
        }
        if let Some(hasher) = &mut self.hasher {
            hasher.update(bytes);
        }
        if let Some(crc) = &mut self.crc {
            crc.update(bytes);
        }
        if let Some(text) = &mut self.text {
            text.extend_from_slice(bytes);
        }
        Ok(())
    }

    /// The member as read, and the CRC-32 of its bytes when it was asked for.
    fn finish(self) -> (Member, Option<u32>) {
        let member = Member {
            name: String::new(),
            dir: false,
            size: self.size,
            sha256: self.hasher.map(|h| h.finalize().into()),
            text: self.text,
        };
        (member, self.crc.map(crc32fast::Hasher::finalize))
    }
}

fn inflates_past(declared: u64) -> Problem {
    Problem::new(
        None,
        ProblemKind::Oversized,
        format!(
            "it inflates past the {declared} bytes it declares (a zip bomb, or a crafted archive)"
        ),
    )
}

/// Streams one member into `sink`: at most its declared bytes (one more is tried, to catch a
/// member that inflates past what it declares).
fn read_member(
    reader: &mut dyn Read,
    mut sink: MemberSink,
    buf: &mut [u8],
) -> Result<(Member, Option<u32>), MemberError> {
    let mut limited = reader.take(sink.declared.saturating_add(1));
    loop {
        let n = match limited.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(MemberError::Io(e)),
        };
        sink.feed(&buf[..n]).map_err(MemberError::Problem)?;
    }
    Ok(sink.finish())
}

/// Checks an entry name; returns it without a leading `./` or a trailing `/`, and whether it
/// names a directory.
fn check_name(raw: &str, is_dir: bool) -> Result<(String, bool), Problem> {
    let bad = |kind, message: &str| Err(Problem::new(Some(raw), kind, message));
    if raw.is_empty() {
        return bad(ProblemKind::BadName, "an entry with an empty name");
    }
    if raw.contains('\0') {
        return bad(ProblemKind::BadName, "the name contains a NUL byte");
    }
    if raw.contains('\\') {
        return bad(
            ProblemKind::BadName,
            "the name contains a backslash, which Windows reads as a directory separator",
        );
    }
    if raw.starts_with('/') {
        return bad(
            ProblemKind::Traversal,
            "an absolute name: extracting it would write outside the target directory",
        );
    }
    let first = raw.split('/').next().unwrap_or("");
    if first.len() == 2 && first.ends_with(':') {
        return bad(
            ProblemKind::Traversal,
            "a name with a drive letter: extracting it would write outside the target directory",
        );
    }
    if raw.split('/').any(|part| part == "..") {
        return bad(
            ProblemKind::Traversal,
            "the name climbs out with `..`: extracting it would write outside the target directory",
        );
    }
    let dir = is_dir || raw.ends_with('/');
    let name: Vec<&str> = raw.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    if name.is_empty() {
        return bad(ProblemKind::BadName, "the name has no components");
    }
    Ok((name.join("/"), dir))
}

fn duplicate(name: &str) -> Problem {
    Problem::new(
        Some(name),
        ProblemKind::Duplicate,
        "two entries have this name: tools disagree on which one is the file",
    )
}

fn oversized(name: &str, size: u64, limits: &Limits) -> Problem {
    let entry = (!name.is_empty()).then_some(name);
    Problem::new(
        entry,
        ProblemKind::Oversized,
        format!(
            "it declares {size} bytes, more than the limit of {} for one member",
            limits.max_member_bytes
        ),
    )
}

fn bomb(declared: u64, size: u64, budget: u64) -> Problem {
    Problem::new(
        None,
        ProblemKind::Bomb,
        format!(
            "the members declare {declared} bytes from {size} bytes on disk, more than the limit of {budget}: a decompression bomb"
        ),
    )
}

/// Passes bytes through, hashing them.
struct HashingReader<R> {
    inner: R,
    hasher: Option<Sha256>,
}

impl<R> HashingReader<R> {
    fn new(inner: R) -> Self {
        HashingReader { inner, hasher: Some(Sha256::new()) }
    }

    fn finish(self) -> [u8; 32] {
        self.hasher.map(|h| h.finalize().into()).unwrap_or_default()
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&buf[..n]);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn names() {
        let check = |raw: &str| match check_name(raw, false) {
            Ok((name, dir)) => format!("{name}{}", if dir { "/" } else { "" }),
            Err(p) => format!("{:?}", p.kind),
        };
        assert_eq!(check("pkg/__init__.py"), "pkg/__init__.py");
        assert_eq!(check("./pkg-1.0/PKG-INFO"), "pkg-1.0/PKG-INFO");
        assert_eq!(check("pkg/"), "pkg/");
        assert_eq!(check("../evil"), "Traversal");
        assert_eq!(check("pkg/../../evil"), "Traversal");
        assert_eq!(check("/etc/passwd"), "Traversal");
        assert_eq!(check("C:/evil"), "Traversal");
        assert_eq!(check("..\\evil"), "BadName");
        assert_eq!(check("a\0b"), "BadName");
        assert_eq!(check(""), "BadName");
        assert_eq!(check("./"), "BadName");
        assert_eq!(check("pkg/..data"), "pkg/..data");
    }

    /// A `.tar.gz` of `files` (name, bytes) in a temporary directory.
    fn tar_gz(files: &[(&str, &[u8])]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.tar.gz");
        let gz = flate2::write::GzEncoder::new(File::create(&path).unwrap(), Default::default());
        let mut tar = tar::Builder::new(gz);
        for (name, bytes) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            tar.append_data(&mut header, name, *bytes).unwrap();
        }
        tar.into_inner().unwrap().finish().unwrap();
        (dir, path)
    }

    fn kinds(listing: &Listing) -> Vec<ProblemKind> {
        listing.problems.iter().map(|p| p.kind).collect()
    }

    #[test]
    fn limits_hold_whatever_the_archive_holds() {
        let files: Vec<(String, Vec<u8>)> =
            (0..5).map(|i| (format!("top/{i}.txt"), vec![b'x'; 100])).collect();
        let files: Vec<(&str, &[u8])> =
            files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
        let (_dir, path) = tar_gz(&files);
        let read = |limits: Limits, want: Want| {
            read_tar_gz(&path, &limits, true, &move |_: &str| want).unwrap()
        };
        let all = read(Limits::default(), Want::Text);
        assert!(all.problems.is_empty() && !all.incomplete);
        assert_eq!(all.members.len(), 5);
        assert_eq!(all.file_sha256, Some(sha256_file(&path).unwrap()));

        let few = read(Limits { max_entries: 3, ..Limits::default() }, Want::Hash);
        assert_eq!(kinds(&few), [ProblemKind::TooManyEntries]);
        assert!(few.incomplete);

        let small = read(Limits { max_member_bytes: 50, ..Limits::default() }, Want::Hash);
        assert_eq!(kinds(&small), [ProblemKind::Oversized]);

        // Texts kept from one archive stay within `max_text_bytes` in all.
        let kept = read(Limits { max_text_bytes: 250, ..Limits::default() }, Want::Text);
        assert_eq!(kept.members.iter().filter(|m| m.text.is_some()).count(), 2);
        assert_eq!(kinds(&kept), [ProblemKind::Oversized; 3]);

        let bomb =
            read(Limits { min_total_bytes: 300, max_ratio: 1, ..Limits::default() }, Want::Skip);
        assert_eq!(kinds(&bomb), [ProblemKind::Bomb]);
    }

    #[test]
    fn budget() {
        let limits = Limits::default();
        assert_eq!(limits.total_budget(10), 1 << 30);
        assert_eq!(limits.total_budget(100 << 20), 200 * (100 << 20));
    }

    /// `first`, then `second` as another gzip member; `end` keeps the first tar's end blocks.
    fn two_gzip_members(first: &[(&str, &[u8])], second: &[(&str, &[u8])], end: bool) -> Vec<u8> {
        let tar = |files: &[(&str, &[u8])], end: bool| {
            let mut tar = tar::Builder::new(Vec::new());
            for (name, bytes) in files {
                let mut header = tar::Header::new_gnu();
                header.set_size(bytes.len() as u64);
                header.set_mode(0o644);
                header.set_cksum();
                tar.append_data(&mut header, name, *bytes).unwrap();
            }
            if end { tar.into_inner().unwrap() } else { std::mem::take(tar.get_mut()) }
        };
        let gzip = |bytes: Vec<u8>| {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), Default::default());
            std::io::Write::write_all(&mut gz, &bytes).unwrap();
            gz.finish().unwrap()
        };
        let mut out = gzip(tar(first, end));
        out.extend(gzip(tar(second, true)));
        out
    }

    #[test]
    fn every_gzip_member_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.tar.gz");
        let read = |bytes: Vec<u8>| {
            fs::write(&path, bytes).unwrap();
            read_tar_gz(&path, &Limits::default(), true, &|_: &str| Want::Text).unwrap()
        };
        let first: &[(&str, &[u8])] = &[("top/PKG-INFO", b"Version: 1.2.0\n")];
        let second: &[(&str, &[u8])] = &[("top/PKG-INFO", b"Version: 6.6.6\n"), ("top/b", b"b")];

        // One tar stream cut across two members: both halves are the archive.
        let listing = read(two_gzip_members(first, second, false));
        assert_eq!(kinds(&listing), [ProblemKind::Duplicate]);
        assert_eq!(
            listing.members.iter().map(|m| &m.name[..]).collect::<Vec<_>>(),
            ["top/PKG-INFO", "top/b"]
        );

        // Entries after the first tar's end block: refused, not skipped.
        let listing = read(two_gzip_members(first, second, true));
        assert_eq!(kinds(&listing), [ProblemKind::Corrupt]);
        assert!(listing.incomplete);
        assert_eq!(listing.file_sha256, Some(sha256_file(&path).unwrap()));
    }
}
