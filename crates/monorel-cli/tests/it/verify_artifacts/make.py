"""Builds real artifacts for the `verify-artifacts` tests, with the standard library only.

Wheels are written the way build backends write them (zipfile, METADATA, WHEEL, entry points,
RECORD last with urlsafe-base64 sha256 digests), sdists and charts with tarfile; the hostile
archives are crafted from them byte by byte. The Rust tests call these functions through
`python3 -c`, with this directory on `sys.path`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import struct
import tarfile
import warnings
import zipfile

EPOCH = (2024, 1, 1, 0, 0, 0)


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def wheel_files(name: str, version: str, *, metadata_version: str | None = None,
                init_version: str | None = None, init_source: str | None = None,
                dist_info_version: str | None = None) -> dict[str, bytes]:
    """The members of a pure-Python wheel of distribution `name`, RECORD not included."""
    pkg = name.replace("-", "_")
    dist_info = f"{pkg}-{dist_info_version or version}.dist-info"
    init = init_source if init_source is not None else (
        f'"""The {name} package."""\n\n__version__ = "{init_version or version}"\n'
    )
    return {
        f"{pkg}/__init__.py": init.encode(),
        f"{pkg}/core.py": b"def main():\n    print('usage: tiny [--help]')\n    return 0\n",
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {metadata_version or version}\n"
            f"Summary: A tiny package\n\nThe long description.\n"
        ).encode(),
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: make.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{dist_info}/entry_points.txt": f"[console_scripts]\ntiny = {pkg}.core:main\n".encode(),
        f"{dist_info}/top_level.txt": f"{pkg}\n".encode(),
    }


def write_wheel(path: str, files: dict[str, bytes], *, record: bool = True,
                after_record: dict[str, bytes] | None = None) -> str:
    """Writes `files` as a wheel at `path`, RECORD last; `after_record` replaces members after
    RECORD was computed (a wheel changed after it was built)."""
    names = list(files)
    dist_info = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
    members = dict(files)
    if record:
        lines = [f"{n},{_digest(d)},{len(d)}" for n, d in files.items()]
        lines.append(f"{dist_info}/RECORD,,")
        members[f"{dist_info}/RECORD"] = ("\n".join(lines) + "\n").encode()
    members.update(after_record or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in members.items():
            z.writestr(zipfile.ZipInfo(n, EPOCH), d, zipfile.ZIP_DEFLATED)
    return path


def wheel(directory: str, name: str, version: str, *, file_version: str | None = None,
          after_record: dict[str, bytes] | None = None, **kwargs) -> str:
    """A wheel `{name}-{version}-py3-none-any.whl` in `directory`."""
    files = wheel_files(name, version, **kwargs)
    pkg = name.replace("-", "_")
    path = os.path.join(directory, f"{pkg}-{file_version or version}-py3-none-any.whl")
    return write_wheel(path, files, after_record=after_record)


def hostile_wheel(directory: str, name: str, version: str, extra: list[tuple]) -> str:
    """A valid wheel with `extra` raw members after RECORD: (name, data) or (name, data,
    unix mode); duplicate names are kept."""
    files = wheel_files(name, version)
    pkg = name.replace("-", "_")
    path = os.path.join(directory, f"{pkg}-{version}-py3-none-any.whl")
    write_wheel(path, files)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
            for member in extra:
                info = zipfile.ZipInfo(member[0], EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                if len(member) > 2:
                    info.external_attr = member[2] << 16
                z.writestr(info, member[1])
    return path


def targz(path: str, entries: list[dict]) -> str:
    """Writes a `.tar.gz`; each entry: name, data (bytes), and optionally type (a tarfile
    type), linkname, size (declared, overriding the data's), mode."""
    import gzip
    with open(path, "wb") as f:
        f.write(gzip.compress(tar_body(entries), mtime=0))
    return path


def tar_body(entries: list[dict], *, end: bool = True) -> bytes:
    """The uncompressed tar of `entries` (see `targz`); without its end blocks when not `end`."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for e in entries:
            info = tarfile.TarInfo(e["name"])
            info.type = e.get("type", tarfile.REGTYPE)
            info.mode = e.get("mode", 0o644)
            info.mtime = 1704067200
            info.linkname = e.get("linkname", "")
            data = e.get("data", b"")
            if info.type == tarfile.REGTYPE:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
        written = raw.tell()
    body = raw.getvalue()
    if not end:
        body = body[:written]
    for e in entries:
        if "size" in e:
            body = _patch_tar_size(body, e["name"], e["size"])
    return body


def second_gzip_member(path: str, entries: list[dict], *, end: bool) -> str:
    """Rewrites the `.tar.gz` at `path` as two gzip members: its tar (without its end blocks
    unless `end`), then a tar of `entries`. GNU tar and Python's tarfile read both."""
    import gzip
    body = gzip.decompress(open(path, "rb").read())
    if not end:  # the members' texts end in a newline, so only padding is stripped
        body = body.rstrip(b"\0")
        body += b"\0" * (-len(body) % 512)
    with open(path, "wb") as f:
        f.write(gzip.compress(body, mtime=0) + gzip.compress(tar_body(entries), mtime=0))
    return path


def _patch_tar_size(body: bytes, name: str, size: int) -> bytes:
    """Rewrites the size field of the header of `name` (and its checksum)."""
    at = 0
    while at < len(body):
        header = body[at:at + 512]
        if header[:len(name)] == name.encode() and header[len(name)] == 0:
            field = b"%011o\0" % size
            header = header[:124] + field + header[136:]
            header = header[:148] + b" " * 8 + header[156:]
            checksum = sum(header)
            header = header[:148] + b"%06o\0 " % checksum + header[156:]
            return body[:at] + header + body[at + 512:]
        declared = int(header[124:135].rstrip(b"\0 ") or b"0", 8)
        at += 512 + (declared + 511) // 512 * 512
    raise ValueError(name)


def sdist(directory: str, name: str, version: str, *, pkg_info_version: str | None = None,
          pyproject_version: str | None = None, top: str | None = None,
          extra: list[dict] | None = None) -> str:
    """An sdist `{name}-{version}.tar.gz` with PKG-INFO and a static pyproject version."""
    pkg = name.replace("-", "_")
    top = top or f"{pkg}-{version}"
    entries = [
        {"name": f"{top}/PKG-INFO", "data": f"Metadata-Version: 2.1\nName: {name}\nVersion: {pkg_info_version or version}\n".encode()},
        {"name": f"{top}/pyproject.toml", "data": f'[project]\nname = "{name}"\nversion = "{pyproject_version or version}"\n'.encode()},
        {"name": f"{top}/{pkg}/__init__.py", "data": f'__version__ = "{version}"\n'.encode()},
    ] + (extra or [])
    return targz(os.path.join(directory, f"{pkg}-{version}.tar.gz"), entries)


def chart(directory: str, name: str, version: str, app_version: str, *,
          extra: list[dict] | None = None) -> str:
    """A chart `{name}-{version}.tgz` as `helm package` lays it out."""
    entries = [
        {"name": f"{name}/Chart.yaml", "data": f'apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: "{app_version}"\n'.encode()},
        {"name": f"{name}/values.yaml", "data": b"replicas: 1\n"},
        {"name": f"{name}/templates/job.yaml", "data": b"kind: Job\n"},
    ] + (extra or [])
    return targz(os.path.join(directory, f"{name}-{version}.tgz"), entries)


def zip_raw(path: str, members: list[tuple]) -> str:
    """A zip with exactly `members`: (name, data) or (name, data, unix mode); duplicates kept."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for member in members:
                info = zipfile.ZipInfo(member[0], EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                if len(member) > 2:
                    info.external_attr = member[2] << 16
                z.writestr(info, member[1])
    return path


def patch_zip_size(path: str, name: str, size: int) -> str:
    """Makes the zip declare `size` uncompressed bytes for `name` (local and central headers)."""
    data = bytearray(open(path, "rb").read())
    encoded = name.encode()
    for signature, size_at, name_len_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        at = data.find(signature)
        while at != -1:
            (length,) = struct.unpack_from("<H", data, at + name_len_at)
            if data[at + name_at:at + name_at + length] == encoded:
                struct.pack_into("<I", data, at + size_at, size)
            at = data.find(signature, at + 4)
    open(path, "wb").write(bytes(data))
    return path


def overlapping_zip(path: str, copies: int) -> str:
    """A zip whose central directory lists one compressed member `copies` times under other
    names: every entry points at the same bytes (the "better zip bomb")."""
    zip_raw(path, [("pkg/a.txt", b"\0" * 100_000)])
    data = open(path, "rb").read()
    cd = data.find(b"PK\x01\x02")
    eocd = data.rfind(b"PK\x05\x06")
    record = data[cd:eocd]
    (name_len,) = struct.unpack_from("<H", record, 28)
    records = [record]
    for i in range(1, copies):
        new_name = b"pkg/%08d.txt" % i
        r = bytearray(record[:46] + new_name + record[46 + name_len:])
        struct.pack_into("<H", r, 28, len(new_name))
        records.append(bytes(r))
    directory = b"".join(records)
    end = bytearray(data[eocd:])
    struct.pack_into("<HHII", end, 8, copies, copies, len(directory), cd)
    open(path, "wb").write(data[:cd] + directory + bytes(end))
    return path


def truncate(path: str, keep: float) -> str:
    """Cuts the file, keeping the first `keep` fraction of it."""
    data = open(path, "rb").read()
    open(path, "wb").write(data[: int(len(data) * keep)])
    return path


def corrupt(path: str, at: float) -> str:
    """Flips 16 bytes at the `at` fraction of the file."""
    data = bytearray(open(path, "rb").read())
    start = int(len(data) * at)
    for i in range(start, min(start + 16, len(data))):
        data[i] ^= 0x5A
    open(path, "wb").write(bytes(data))
    return path


def sums(directory: str, wrong: str | None = None) -> str:
    """Writes SHA256SUMS for the files in `directory`; `wrong` gets a wrong digest."""
    lines = []
    for name in sorted(os.listdir(directory)):
        if name == "SHA256SUMS" or name.startswith("."):
            continue
        digest = hashlib.sha256(open(os.path.join(directory, name), "rb").read()).hexdigest()
        if name == wrong:
            digest = "0" * 64
        lines.append(f"{digest}  {name}\n")
    path = os.path.join(directory, "SHA256SUMS")
    open(path, "w").write("".join(lines))
    return path


def rename_member(path: str, old: str, new: str, *, local: bool = True,
                  central: bool = True) -> str:
    """Rewrites the name `old` as `new` (bytes of the same length, NUL allowed) in the zip's
    local headers, central directory, or both."""
    old_b, new_b = old.encode(), new.encode()
    assert len(old_b) == len(new_b)
    data = bytearray(open(path, "rb").read())
    places = [(b"PK\x03\x04", 26, 30)] if local else []
    places += [(b"PK\x01\x02", 28, 46)] if central else []
    for signature, name_len_at, name_at in places:
        at = data.find(signature)
        while at != -1:
            (length,) = struct.unpack_from("<H", data, at + name_len_at)
            if data[at + name_at:at + name_at + length] == old_b:
                data[at + name_at:at + name_at + length] = new_b
            at = data.find(signature, at + 4)
    open(path, "wb").write(bytes(data))
    return path
