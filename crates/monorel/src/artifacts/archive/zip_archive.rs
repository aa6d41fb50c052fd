//! Zip archives (wheels): the end record and the central directory read first, within the
//! limits, then the members in file order through a reader that hashes the file as it goes.

use std::{
    cell::Cell,
    collections::{HashMap, HashSet},
    fs::File,
    io::{self, Read, Seek, SeekFrom},
    path::Path,
    rc::Rc,
};

use sha2::{Digest, Sha256};

#[cfg(feature = "libdeflate")]
use super::inflates_past;
use super::{
    BUFFER, Limits, Listing, Member, MemberError, MemberSink, Problem, ProblemKind, Want, bomb,
    check_name, duplicate, keep_within, oversized, read_member, sha256_file,
};

/// Reads a zip archive (a wheel). `want` decides per member name.
///
/// The file is read once, in order: the members are read by offset through a
/// [`SequentialHasher`], whose buffer feeds SHA-256 (when `hash_file`) as it moves forward; only
/// the end record and the central directory, read first, are read again at the end.
pub(crate) fn read_zip(
    path: &Path,
    limits: &Limits,
    hash_file: bool,
    want: &dyn Fn(&str) -> Want,
) -> io::Result<Listing> {
    let (reader, active) = SequentialHasher::new(File::open(path)?, hash_file)?;
    let (mut listing, reader) = zip_members(path, reader, &active, limits, want)?;
    if hash_file {
        listing.file_sha256 = Some(match reader {
            Some(reader) => reader.finish()?,
            None => sha256_file(path)?,
        });
    }
    Ok(listing)
}

/// Reads the members of a zip; gives the reader back when it read them all, so that its hash
/// can be finished (else the caller hashes the file from the start).
fn zip_members(
    path: &Path,
    reader: SequentialHasher,
    active: &Rc<Cell<bool>>,
    limits: &Limits,
    want: &dyn Fn(&str) -> Want,
) -> io::Result<(Listing, Option<SequentialHasher>)> {
    let mut listing = Listing::default();
    let mut file = File::open(path)?;
    let size = file.metadata()?.len();
    let end = match end_of_central_directory(&mut file, size) {
        Ok(end) => end,
        Err(message) => {
            listing.fail(Problem::new(None, ProblemKind::Corrupt, message));
            return Ok((listing, None));
        }
    };
    if end.entries > limits.max_entries as u64 {
        let message = format!(
            "the archive declares {} entries, more than the limit of {}",
            end.entries, limits.max_entries
        );
        listing.fail(Problem::new(None, ProblemKind::TooManyEntries, message));
        return Ok((listing, None));
    }
    if end.directory_size > limits.max_index_bytes {
        let message = format!(
            "the central directory is {} bytes, more than the limit of {}",
            end.directory_size, limits.max_index_bytes
        );
        listing.fail(Problem::new(None, ProblemKind::TooManyEntries, message));
        return Ok((listing, None));
    }
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(archive) => archive,
        Err(e) => {
            let message = format!("not a readable zip archive: {e}");
            listing.fail(Problem::new(None, ProblemKind::Corrupt, message));
            return Ok((listing, None));
        }
    };
    // The central directory as written (the zip crate keeps one entry per name).
    let directory =
        central_directory(&mut file, archive.central_directory_start(), end.directory_size)?;
    if directory.len() as u64 != end.entries {
        let message = format!(
            "the end record declares {} entries, the central directory holds {}",
            end.entries,
            directory.len()
        );
        listing.fail(Problem::new(None, ProblemKind::Corrupt, message));
        return Ok((listing, None));
    }

    // What the central directory declares, checked before anything is decompressed. A name
    // given twice is read as the zip crate reads it (the last entry), once.
    let budget = limits.total_budget(size);
    let mut declared_total = 0u64;
    let mut last_of_name = HashMap::new();
    for (at, entry) in directory.iter().enumerate() {
        if last_of_name.insert(entry.name.as_slice(), at).is_some() {
            listing.problems.push(duplicate(&String::from_utf8_lossy(&entry.name)));
        }
    }
    let mut order: Vec<&CentralEntry> = Vec::with_capacity(directory.len());
    for (at, entry) in directory.iter().enumerate() {
        if last_of_name.get(entry.name.as_slice()) != Some(&at) {
            continue;
        }
        if entry.size > limits.max_member_bytes {
            listing.problems.push(oversized(&entry.shown(), entry.size, limits));
            continue;
        }
        declared_total = declared_total.saturating_add(entry.size);
        order.push(entry);
    }
    if declared_total > budget {
        listing.fail(bomb(declared_total, size, budget));
        return Ok((listing, None));
    }
    order.sort_by_key(|e| e.header);
    let directory_start = archive.central_directory_start();
    for pair in order.windows(2) {
        // A local header is at least 30 bytes and the name: a shorter span is shared bytes.
        let least = 30 + pair[0].name.len() as u64 + pair[0].compressed;
        if pair[0].header.saturating_add(least) > pair[1].header {
            let message = format!(
                "its bytes overlap those of `{}` (a zip bomb, or a crafted archive)",
                pair[0].shown()
            );
            listing.fail(Problem::new(Some(&pair[1].shown()), ProblemKind::Overlap, &message));
            return Ok((listing, None));
        }
    }

    let mut buf = vec![0u8; BUFFER];
    let mut inflater = Inflater::default();
    let mut unique = HashSet::new();
    let mut kept = 0u64;
    // From here on the members are read in file order: the hasher sees every byte once.
    active.set(true);
    for (at, central) in order.iter().enumerate() {
        let shown = central.shown();
        let Some(index) = archive.index_for_name(&shown) else {
            let message = "the entry's name is not valid UTF-8 and cannot be read as it is written";
            listing.problems.push(Problem::new(Some(&shown), ProblemKind::BadName, message));
            continue;
        };
        let next = order.get(at + 1).map_or(directory_start, |n| n.header);
        // Raw: the compressed bytes, inflated and checked here (`Inflater`, CRC-32).
        let mut entry = match archive.by_index_raw(index) {
            Ok(entry) => entry,
            Err(e) => {
                let message = format!("cannot read the entry: {e}");
                listing.fail(Problem::new(Some(&shown), ProblemKind::Corrupt, message));
                return Ok((listing, None));
            }
        };
        let data_end =
            entry.data_start().unwrap_or(central.header).saturating_add(entry.compressed_size());
        if data_end > next {
            let (kind, message) = if next == directory_start {
                (ProblemKind::Corrupt, "its compressed data runs into the central directory: the archive is truncated or corrupt".to_string())
            } else {
                (
                    ProblemKind::Overlap,
                    "its bytes overlap the next entry's (a zip bomb, or a crafted archive)"
                        .to_string(),
                )
            };
            listing.fail(Problem::new(Some(&shown), kind, message));
            return Ok((listing, None));
        }
        let raw = entry.name().to_string();
        // pip's zipfile refuses a member whose local header names another file; other tools
        // extract the local name: either way the central directory's name is not the file.
        match local_name(&mut file, central.header) {
            Ok(local) if local == central.name => {}
            Ok(local) => {
                let message = format!(
                    "the central directory names it `{shown}`, its local header `{}`: tools disagree on which name is the file",
                    String::from_utf8_lossy(&local)
                );
                listing.problems.push(Problem::new(Some(&shown), ProblemKind::BadName, message));
                continue;
            }
            Err(e) => {
                let message = format!("cannot read the entry's local header: {e}");
                listing.fail(Problem::new(Some(&shown), ProblemKind::Corrupt, message));
                return Ok((listing, None));
            }
        }
        let (name, dir) = match check_name(&raw, entry.is_dir()) {
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
        if entry.is_symlink() {
            listing.problems.push(Problem::new(Some(&raw), ProblemKind::Link, "a symbolic link"));
            continue;
        }
        if let Some(mode) = entry.unix_mode() {
            let kind = mode & 0o170000;
            if kind != 0 && kind != 0o100000 && kind != 0o040000 {
                listing.problems.push(Problem::new(
                    Some(&raw),
                    ProblemKind::Special,
                    format!("a special file (mode `{mode:o}`)"),
                ));
                continue;
            }
        }
        if entry.encrypted() {
            listing.problems.push(Problem::new(
                Some(&raw),
                ProblemKind::Unsupported,
                "an encrypted entry",
            ));
            continue;
        }
        let method = entry.compression();
        if !matches!(method, zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated) {
            listing.problems.push(Problem::new(
                Some(&raw),
                ProblemKind::Unsupported,
                format!("compression method `{method}` (wheels use stored or deflate)"),
            ));
            continue;
        }
        if dir {
            listing.members.push(Member { name, dir, size: 0, sha256: None, text: None });
            continue;
        }
        let declared = entry.size();
        let how = keep_within(want(&name), declared, &mut kept, limits, &raw, &mut listing);
        let recorded_crc = entry.crc32();
        let compressed = entry.compressed_size();
        let read = MemberSink::new(declared, how, limits, true).and_then(|sink| match method {
            zip::CompressionMethod::Deflated => {
                inflater.inflate(&mut entry, compressed, sink, limits, &mut buf)
            }
            _ => read_member(&mut entry, sink, &mut buf),
        });
        match read {
            Ok((mut member, crc)) => {
                let corrupt = if member.size != declared {
                    Some(format!(
                        "it holds {} bytes, not the {declared} the archive declares: truncated or corrupt",
                        member.size
                    ))
                } else if crc != Some(recorded_crc) {
                    Some("its bytes do not match the CRC-32 the archive records: the entry was changed after the archive was written, or the archive is corrupt".to_string())
                } else {
                    None
                };
                if let Some(message) = corrupt {
                    listing.fail(Problem::new(Some(&raw), ProblemKind::Corrupt, message));
                    return Ok((listing, None));
                }
                member.name = name;
                listing.members.push(member);
            }
            Err(MemberError::Problem(problem)) => {
                listing.problems.push(Problem { entry: Some(raw), ..problem });
            }
            Err(MemberError::Io(e)) => {
                listing.fail(Problem::new(
                    Some(&raw),
                    ProblemKind::Corrupt,
                    format!("cannot decompress the entry: {e}"),
                ));
                return Ok((listing, None));
            }
        }
    }
    Ok((listing, Some(archive.into_inner())))
}

/// Inflates deflate members. With the `libdeflate` feature, a member of at most
/// [`Limits::max_whole_bytes`] (compressed and inflated) is read whole and inflated in one call,
/// into buffers kept for the archive; every other member is streamed through flate2 (zlib-rs).
/// Both give the same bytes and the same problems.
#[derive(Default)]
struct Inflater {
    #[cfg(feature = "libdeflate")]
    whole: Option<Whole>,
}

#[cfg(feature = "libdeflate")]
struct Whole {
    decompressor: libdeflater::Decompressor,
    raw: Vec<u8>,
    out: Vec<u8>,
}

impl Inflater {
    fn inflate(
        &mut self,
        raw: &mut dyn Read,
        compressed: u64,
        sink: MemberSink,
        limits: &Limits,
        buf: &mut [u8],
    ) -> Result<(Member, Option<u32>), MemberError> {
        #[cfg(feature = "libdeflate")]
        if sink.declared <= limits.max_whole_bytes && compressed <= limits.max_whole_bytes {
            let whole = self.whole.get_or_insert_with(|| Whole {
                decompressor: libdeflater::Decompressor::new(),
                raw: Vec::new(),
                out: Vec::new(),
            });
            return whole.inflate(raw, compressed, sink);
        }
        #[cfg(not(feature = "libdeflate"))]
        let _ = (compressed, limits);
        read_member(&mut flate2::read::DeflateDecoder::new(raw), sink, buf).map_err(|e| match e {
            MemberError::Io(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::InvalidInput
                        | io::ErrorKind::InvalidData
                        | io::ErrorKind::UnexpectedEof
                ) =>
            {
                MemberError::Io(corrupt_deflate())
            }
            e => e,
        })
    }
}

/// The one error for deflate data that does not inflate, whichever inflater found it (zlib-rs
/// tells a truncated stream from a corrupt one, libdeflate cannot).
fn corrupt_deflate() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "its deflate data is truncated or corrupt")
}

#[cfg(feature = "libdeflate")]
impl Whole {
    fn inflate(
        &mut self,
        raw: &mut dyn Read,
        compressed: u64,
        mut sink: MemberSink,
    ) -> Result<(Member, Option<u32>), MemberError> {
        // Both sizes are within `max_whole_bytes`: the buffers stay within it too.
        self.raw.clear();
        self.raw.reserve_exact(compressed as usize);
        raw.take(compressed).read_to_end(&mut self.raw).map_err(MemberError::Io)?;
        // One byte more than declared: a member that inflates past it runs out of room.
        let room = sink.declared as usize + 1;
        if self.out.len() < room {
            self.out.resize(room, 0);
        }
        match self.decompressor.deflate_decompress(&self.raw, &mut self.out[..room]) {
            Ok(n) => {
                sink.feed(&self.out[..n]).map_err(MemberError::Problem)?;
                Ok(sink.finish())
            }
            Err(libdeflater::DecompressionError::InsufficientSpace) => {
                Err(MemberError::Problem(inflates_past(sink.declared)))
            }
            Err(libdeflater::DecompressionError::BadData) => {
                Err(MemberError::Io(corrupt_deflate()))
            }
        }
    }
}

/// The end of central directory record, read before the zip crate parses anything.
struct EndRecord {
    entries: u64,
    directory_size: u64,
}

/// Finds the end record (and its zip64 form) in the last 64 KiB of the file.
fn end_of_central_directory(file: &mut File, size: u64) -> Result<EndRecord, String> {
    const EOCD: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    const LOCATOR: [u8; 4] = [0x50, 0x4b, 0x06, 0x07];
    const EOCD64: [u8; 4] = [0x50, 0x4b, 0x06, 0x06];
    let io = |e: io::Error| format!("cannot read the end of the archive: {e}");
    let tail_len = size.min(22 + 65535 + 20);
    let mut tail = vec![0u8; tail_len as usize];
    file.seek(SeekFrom::Start(size - tail_len)).map_err(io)?;
    file.read_exact(&mut tail).map_err(io)?;
    let at = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..i + 4] == EOCD)
        .ok_or("no end of central directory record: the archive is truncated, or not a zip")?;
    let u16_at = |b: &[u8], i: usize| u64::from(u16::from_le_bytes([b[i], b[i + 1]]));
    let u32_at =
        |b: &[u8], i: usize| u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]));
    let u64_at = |b: &[u8], i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or([0; 8]));
    let record = &tail[at..];
    let mut end = EndRecord { entries: u16_at(record, 10), directory_size: u32_at(record, 12) };
    if at >= 20 && tail[at - 20..at - 16] == LOCATOR {
        let offset = u64_at(&tail[at - 20..], 8);
        let mut record = [0u8; 56];
        file.seek(SeekFrom::Start(offset)).map_err(io)?;
        file.read_exact(&mut record)
            .map_err(|_| "the zip64 end record is missing: the archive is truncated".to_string())?;
        if record[..4] != EOCD64 {
            return Err("the zip64 end record is corrupt".into());
        }
        end = EndRecord { entries: u64_at(&record, 32), directory_size: u64_at(&record, 40) };
    }
    Ok(end)
}

/// The name in the local header at `offset`, as written.
fn local_name(file: &mut File, offset: u64) -> io::Result<Vec<u8>> {
    let mut header = [0u8; 30];
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(&mut header)?;
    if header[..4] != [0x50, 0x4b, 0x03, 0x04] {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "no local header where the central directory points",
        ));
    }
    let mut name = vec![0u8; usize::from(u16::from_le_bytes([header[26], header[27]]))];
    file.read_exact(&mut name)?;
    Ok(name)
}

/// One header of the central directory, as written.
struct CentralEntry {
    name: Vec<u8>,
    /// Offset of the local header.
    header: u64,
    compressed: u64,
    /// Declared decompressed size.
    size: u64,
}

impl CentralEntry {
    fn shown(&self) -> String {
        String::from_utf8_lossy(&self.name).into_owned()
    }
}

/// Every header of the central directory (`size` bytes at `start`, capped by the caller),
/// duplicates included; zip64 sizes and offsets are taken from the extra field.
fn central_directory(file: &mut File, start: u64, size: u64) -> io::Result<Vec<CentralEntry>> {
    file.seek(SeekFrom::Start(start))?;
    let mut directory = Vec::new();
    file.take(size).read_to_end(&mut directory)?;
    let u16_at = |b: &[u8], i: usize| u64::from(u16::from_le_bytes([b[i], b[i + 1]]));
    let u32_at =
        |b: &[u8], i: usize| u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]));
    let mut entries = Vec::new();
    let mut at = 0usize;
    while at + 46 <= directory.len() && directory[at..at + 4] == [0x50, 0x4b, 0x01, 0x02] {
        let header = &directory[at..];
        let (name_len, extra_len, comment_len) =
            (u16_at(header, 28) as usize, u16_at(header, 30) as usize, u16_at(header, 32) as usize);
        let name_end = (46 + name_len).min(header.len());
        let extra_end = (name_end + extra_len).min(header.len());
        let mut entry = CentralEntry {
            name: header[46..name_end].to_vec(),
            header: u32_at(header, 42),
            compressed: u32_at(header, 20),
            size: u32_at(header, 24),
        };
        // The zip64 extended information: the fields that overflowed, in this order.
        let mut extra = &header[name_end..extra_end];
        while extra.len() >= 4 {
            let (id, len) = (u16_at(extra, 0), u16_at(extra, 2) as usize);
            let data = &extra[4..(4 + len).min(extra.len())];
            if id == 1 {
                let mut fields = data
                    .chunks_exact(8)
                    .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
                for field in [&mut entry.size, &mut entry.compressed, &mut entry.header] {
                    if *field == 0xffff_ffff {
                        *field = fields.next().unwrap_or(u64::MAX);
                    }
                }
            }
            extra = &extra[(4 + len).min(extra.len())..];
        }
        entries.push(entry);
        at += 46 + name_len + extra_len + comment_len;
    }
    Ok(entries)
}

/// A zip file's reader that hashes the file once, in order, while the zip crate reads it.
///
/// It has its own buffer, and seeks are lazy. While inactive (the zip crate reading the end
/// record and the central directory) it reads where it is asked. Once active, a read ahead of
/// the buffer reads on from the buffer's end instead of seeking (local headers, skipped bytes),
/// and every buffer filled at the hashed frontier is hashed: the frontier moves forward,
/// contiguously, and the members are read once. [`SequentialHasher::finish`] hashes the rest
/// (the central directory) and returns the file's digest.
struct SequentialHasher {
    file: File,
    len: u64,
    buf: Vec<u8>,
    /// The file offset of `buf[0]`; the buffer holds `buf_len` bytes.
    buf_start: u64,
    buf_len: usize,
    /// Where the file is (the end of the buffer's bytes, after a fill).
    file_pos: u64,
    /// Where the zip crate is.
    pos: u64,
    /// Every byte before this offset has been hashed, in order.
    hashed: u64,
    hasher: Option<Sha256>,
    active: Rc<Cell<bool>>,
}

impl SequentialHasher {
    fn new(mut file: File, hash: bool) -> io::Result<(Self, Rc<Cell<bool>>)> {
        let len = file.seek(SeekFrom::End(0))?;
        file.seek(SeekFrom::Start(0))?;
        let active = Rc::new(Cell::new(false));
        let reader = SequentialHasher {
            file,
            len,
            buf: vec![0u8; BUFFER],
            buf_start: 0,
            buf_len: 0,
            file_pos: 0,
            pos: 0,
            hashed: 0,
            hasher: hash.then(Sha256::new),
            active: active.clone(),
        };
        Ok((reader, active))
    }

    /// Fills the buffer with the bytes at the file's position, hashing them at the frontier.
    fn fill_next(&mut self) -> io::Result<usize> {
        self.buf_start = self.file_pos;
        let n = loop {
            match self.file.read(&mut self.buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        self.buf_len = n;
        self.file_pos += n as u64;
        if let Some(hasher) = &mut self.hasher {
            if self.active.get() && self.buf_start <= self.hashed && self.hashed < self.file_pos {
                hasher.update(&self.buf[(self.hashed - self.buf_start) as usize..n]);
                self.hashed = self.file_pos;
            }
        }
        Ok(n)
    }

    /// Makes the buffer hold `pos` (or leaves it empty at the end of the file).
    fn fill(&mut self) -> io::Result<()> {
        let buf_end = self.buf_start + self.buf_len as u64;
        if self.pos >= self.buf_start && self.pos < buf_end {
            return Ok(());
        }
        if self.active.get() && self.pos >= buf_end && self.file_pos == buf_end {
            // Read on rather than seek: the bytes in between are hashed, not skipped.
            while self.fill_next()? > 0 && self.pos >= self.file_pos {}
            return Ok(());
        }
        self.file.seek(SeekFrom::Start(self.pos))?;
        self.file_pos = self.pos;
        self.fill_next()?;
        Ok(())
    }

    fn finish(mut self) -> io::Result<[u8; 32]> {
        let Some(mut hasher) = self.hasher.take() else { return Ok([0; 32]) };
        if self.hashed < self.len {
            self.file.seek(SeekFrom::Start(self.hashed))?;
            let mut rest = (&mut self.file).take(self.len - self.hashed);
            loop {
                let n = rest.read(&mut self.buf)?;
                if n == 0 {
                    break;
                }
                hasher.update(&self.buf[..n]);
            }
        }
        Ok(hasher.finalize().into())
    }
}

impl Read for SequentialHasher {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.fill()?;
        let buf_end = self.buf_start + self.buf_len as u64;
        if self.pos < self.buf_start || self.pos >= buf_end {
            return Ok(0);
        }
        let from = (self.pos - self.buf_start) as usize;
        let n = out.len().min(self.buf_len - from);
        out[..n].copy_from_slice(&self.buf[from..from + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for SequentialHasher {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
        };
        self.pos = target
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// How a test member is damaged after it is compressed.
    #[derive(Clone, Copy)]
    enum Damage {
        None,
        /// The headers declare this many bytes fewer than the member holds.
        DeclareFewer(u32),
        /// The headers declare this many bytes more.
        DeclareMore(u32),
        /// The recorded CRC-32 is wrong.
        Crc,
        /// The compressed bytes end early.
        Truncate,
        /// The compressed bytes are not deflate.
        Garbage,
    }

    /// A zip of deflated members, written by hand so that every header field can be wrong.
    fn zip(members: &[(&str, &[u8], Damage)]) -> Vec<u8> {
        let (mut out, mut central) = (Vec::new(), Vec::new());
        for &(name, bytes, damage) in members {
            let mut deflate = flate2::write::DeflateEncoder::new(Vec::new(), Default::default());
            deflate.write_all(bytes).unwrap();
            let mut data = deflate.finish().unwrap();
            let mut crc = crc32fast::hash(bytes);
            let mut size = bytes.len() as u32;
            match damage {
                Damage::None => {}
                Damage::DeclareFewer(n) => size -= n,
                Damage::DeclareMore(n) => size += n,
                Damage::Crc => crc ^= 1,
                Damage::Truncate => data.truncate(data.len() / 2),
                Damage::Garbage => data.iter_mut().for_each(|b| *b = 0xff),
            }
            let header = out.len() as u32;
            let fields = |sig: u32, central: bool| {
                let mut h = sig.to_le_bytes().to_vec();
                if central {
                    h.extend(20u16.to_le_bytes()); // made by
                }
                h.extend(20u16.to_le_bytes()); // version needed
                h.extend(0u16.to_le_bytes()); // flags
                h.extend(8u16.to_le_bytes()); // deflate
                h.extend(0u32.to_le_bytes()); // time, date
                h.extend(crc.to_le_bytes());
                h.extend((data.len() as u32).to_le_bytes());
                h.extend(size.to_le_bytes());
                h.extend((name.len() as u16).to_le_bytes());
                h.extend(0u16.to_le_bytes()); // extra
                if central {
                    h.extend([0u8; 6]); // comment, disk, internal attributes
                    h.extend(0o100644u32.wrapping_shl(16).to_le_bytes());
                    h.extend(header.to_le_bytes());
                }
                h.extend(name.as_bytes());
                h
            };
            out.extend(fields(0x0403_4b50, false));
            out.extend(&data);
            central.extend(fields(0x0201_4b50, true));
        }
        let start = out.len() as u32;
        out.extend(&central);
        out.extend(0x0605_4b50u32.to_le_bytes());
        out.extend([0u8; 4]); // disks
        out.extend((members.len() as u16).to_le_bytes());
        out.extend((members.len() as u16).to_le_bytes());
        out.extend((central.len() as u32).to_le_bytes());
        out.extend(start.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out
    }

    /// Reads `bytes` as a zip with `limits`, every member hashed and kept as text.
    fn read(bytes: &[u8], limits: Limits) -> Listing {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.whl");
        std::fs::write(&path, bytes).unwrap();
        read_zip(&path, &limits, true, &|_: &str| Want::Text).unwrap()
    }

    #[test]
    fn whole_and_streamed_inflating_agree_on_every_damage() {
        let text: Vec<u8> =
            (0..50_000u32).flat_map(|i| format!("line {i}\n").into_bytes()).collect();
        let streamed = Limits { max_whole_bytes: 0, ..Limits::default() };
        let cases = [
            (Damage::None, None),
            (Damage::DeclareFewer(1), Some(ProblemKind::Oversized)),
            (Damage::DeclareMore(1), Some(ProblemKind::Corrupt)),
            (Damage::Crc, Some(ProblemKind::Corrupt)),
            (Damage::Truncate, Some(ProblemKind::Corrupt)),
            (Damage::Garbage, Some(ProblemKind::Corrupt)),
        ];
        for (damage, kind) in cases {
            let bytes = zip(&[("a.txt", b"first", Damage::None), ("b.txt", &text, damage)]);
            let whole = read(&bytes, Limits::default());
            assert_eq!(whole, read(&bytes, streamed), "the two paths differ on {kind:?}");
            let kinds: Vec<ProblemKind> = whole.problems.iter().map(|p| p.kind).collect();
            assert_eq!(kinds, Vec::from_iter(kind), "{:?}", whole.problems);
            assert_eq!(whole.text("a.txt"), Some(&b"first"[..]));
            if kind.is_none() {
                let member = whole.file("b.txt").unwrap();
                assert_eq!(member.text.as_deref(), Some(&text[..]));
                assert_eq!(member.sha256, Some(Sha256::digest(&text).into()));
                assert_eq!(whole.file_sha256, Some(Sha256::digest(&bytes).into()));
            } else {
                assert!(whole.file("b.txt").is_none());
                assert_eq!(whole.problems[0].entry.as_deref(), Some("b.txt"));
            }
        }
    }

    #[test]
    fn a_local_header_naming_another_file_is_a_problem() {
        let mut bytes =
            zip(&[("a.txt", b"first", Damage::None), ("b.txt", b"second", Damage::None)]);
        // The first local header's name starts at byte 30; the central directory keeps `a.txt`.
        bytes[30..35].copy_from_slice(b"../ev");
        let listing = read(&bytes, Limits::default());
        let problems: Vec<_> =
            listing.problems.iter().map(|p| (p.kind, p.entry.as_deref(), &p.message[..])).collect();
        assert_eq!(
            problems,
            [(
                ProblemKind::BadName,
                Some("a.txt"),
                "the central directory names it `a.txt`, its local header `../ev`: tools disagree on which name is the file"
            )]
        );
        assert!(listing.file("a.txt").is_none() && listing.text("b.txt") == Some(&b"second"[..]));
    }
}
