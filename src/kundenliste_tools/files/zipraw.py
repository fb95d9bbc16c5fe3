"""A workbook's zip container at the byte level, so unchanged entries are copied raw.

Python's `zipfile` can only re-compress what it copies; a lossless patch must copy each
unchanged entry exactly as stored (local header, compressed data, data descriptor) and its
central-directory record, changing only the offset field.  Rewritten entries keep their
place, name, timestamp and attributes and are deflated anew; new entries go at the end.
Zip64 archives (workbooks over 4 GB) are refused rather than guessed at.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Callable, Mapping

from ..core.errors import WorkbookBusy, WorkbookUnreadable

_EOCD = struct.Struct("<4s4H2LH")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_LOCAL = struct.Struct("<4s5H3L2H")


@dataclass
class ZipEntry:
    name: str
    record: bytes  # the central-directory record as found (copied for unchanged entries)
    offset: int  # of the local header
    flags: int
    mtime: int
    mdate: int
    version_made: int
    external_attr: int
    comment: bytes
    name_bytes: bytes


class RawZip:
    """The central directory of a workbook's zip, and the raw span of each entry."""

    def __init__(self, raw: bytes, label: str):
        self.raw = raw
        bad = WorkbookUnreadable(f"„{label}“ ist beschädigt (kein gültiges Zip-Archiv); es wurde nichts geändert.")
        end = raw.rfind(b"PK\x05\x06", max(0, len(raw) - 65557))
        if end < 0 or end + _EOCD.size > len(raw):
            raise bad
        _, _, _, _, count, cd_size, cd_offset, comment_len = _EOCD.unpack_from(raw, end)
        if count == 0xFFFF or cd_offset == 0xFFFFFFFF or raw[end - 20:end - 16] == b"PK\x06\x07":
            raise WorkbookBusy(f"„{label}“ ist ein Zip64-Archiv; solche Arbeitsmappen kann das "
                               "Werkzeug nicht verlustfrei ändern. Es wurde nichts geändert.")
        self.comment = raw[end + _EOCD.size:end + _EOCD.size + comment_len]
        self.cd_offset = cd_offset
        self.entries: list[ZipEntry] = []
        pos = cd_offset
        for _ in range(count):
            if raw[pos:pos + 4] != b"PK\x01\x02":
                raise bad
            (_, made, _, flags, _, mtime, mdate, _, csize, _, nlen, elen, clen, _, _, eattr,
             offset) = _CENTRAL.unpack_from(raw, pos)
            size = _CENTRAL.size + nlen + elen + clen
            name_bytes = raw[pos + _CENTRAL.size:pos + _CENTRAL.size + nlen]
            if offset == 0xFFFFFFFF or csize == 0xFFFFFFFF:
                raise WorkbookBusy(f"„{label}“ ist ein Zip64-Archiv; es wurde nichts geändert.")
            name = name_bytes.decode("utf-8" if flags & 0x800 else "cp437")
            self.entries.append(ZipEntry(name, raw[pos:pos + size], offset, flags, mtime, mdate, made,
                                       eattr, raw[pos + size - clen:pos + size], name_bytes))
            pos += size
        starts = sorted({e.offset for e in self.entries} | {cd_offset})
        self.span_end = {s: starts[i + 1] for i, s in enumerate(starts[:-1])}
        self.prefix_end = starts[0]  # bytes before the first entry (normally none)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(raw))
        except zipfile.BadZipFile as exc:
            raise bad from exc
        self.by_lower = {e.name.lower(): e.name for e in self.entries}

    def span(self, entry: ZipEntry) -> bytes:
        """The entry exactly as stored: local header, compressed data, data descriptor."""
        return self.raw[entry.offset:self.span_end[entry.offset]]

    def read(self, name: str) -> bytes:
        """The entry's content, decompressed (its CRC checked)."""
        return self.zip.read(name)

    def find(self, part: str) -> str | None:
        """The entry name of an OPC part (part names are case-insensitive)."""
        return self.by_lower.get(part.lstrip("/").lower())


#: From this size on (uncompressed) a rewritten part is deflated at the fastest level.
FAST_DEFLATE_BYTES = 4 << 20

@dataclass(frozen=True)
class Deflated:
    """A part's bytes as they go into the zip: raw deflate stream and the CRC of the content."""

    packed: bytes
    crc: int


def deflate(data: bytes) -> Deflated:
    """Deflate one part: zlib's default level, the fastest from `FAST_DEFLATE_BYTES` on."""
    compressor = zlib.compressobj(6 if len(data) < FAST_DEFLATE_BYTES else 1, zlib.DEFLATED, -15)
    return Deflated(compressor.compress(data) + compressor.flush(), zlib.crc32(data))


def deflate_ahead(parts: Mapping[str, bytes]) -> Callable[[], dict[str, Deflated]]:
    """Start deflating `parts` in a thread; the returned call waits for them (re-raising a
    failure).  zlib lets go of the GIL while it deflates and checksums, so the strict parse of
    the same parts (`xmlpart.prove`, which holds it) runs beside it: 0.5 s of deflating a
    100,000-customer sheet no longer comes after its 0.9 s of proving.  A refusal meanwhile
    only leaves the thread to finish unused: nothing is written before both are done."""
    from concurrent.futures import ThreadPoolExecutor  # 20 ms of imports, only for a write

    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(lambda: {name: deflate(data) for name, data in parts.items()})
    pool.shutdown(wait=False)  # the one task still runs; no thread is kept after it
    return future.result


def _dos_now() -> tuple[int, int]:
    now = dt.datetime.now()
    return ((now.hour << 11) | (now.minute << 5) | (now.second // 2),
            ((now.year - 1980) << 9) | (now.month << 5) | now.day)


def write_zip(out: BinaryIO, z: RawZip, replaced: Mapping[str, bytes], added: Mapping[str, bytes],
              packed: Mapping[str, Deflated] | None = None) -> None:
    """Write the package: raw copies, rewritten entries in place, new entries at the end.

    Rewritten and new entries are deflated (`deflate`, or taken from `packed` when
    `deflate_ahead` did it): at zlib's default level, except a part of `FAST_DEFLATE_BYTES`
    or more (a Kundenliste sheet of thousands of customers), which gets the fastest level:
    20 MB of sheet XML take 0.07 s instead of 0.48 s and come out at 3.4 MB instead of 2.6 MB
    (Excel packs the part anew on its next save anyway).
    """
    packed = packed or {}
    method = 8  # deflated
    pos = 0

    def emit(data: bytes) -> None:
        nonlocal pos
        out.write(data)
        pos += len(data)

    def emit_new(name_bytes: bytes, data: bytes, flags: int, mtime: int, mdate: int,
                 made: int, eattr: int, comment: bytes, ahead: Deflated | None) -> bytes:
        """Write a deflated entry; return its central-directory record."""
        packed_part = ahead if ahead is not None else deflate(data)
        stream, crc = packed_part.packed, packed_part.crc
        flags &= 0x800  # keep only "name is UTF-8"; no descriptor, no encryption
        offset = pos
        emit(_LOCAL.pack(b"PK\x03\x04", 20, flags, method, mtime, mdate, crc, len(stream), len(data),
                         len(name_bytes), 0) + name_bytes)
        emit(stream)
        return (_CENTRAL.pack(b"PK\x01\x02", made, 20, flags, method, mtime, mdate, crc, len(stream),
                              len(data), len(name_bytes), 0, len(comment), 0, 0, eattr, offset)
                + name_bytes + comment)

    emit(z.raw[:z.prefix_end])
    records: dict[int, bytes] = {}  # by position in the original central directory
    order = {id(e): i for i, e in enumerate(z.entries)}
    for entry in sorted(z.entries, key=lambda e: e.offset):
        if entry.name in replaced:
            records[order[id(entry)]] = emit_new(
                entry.name_bytes, replaced[entry.name], entry.flags, entry.mtime, entry.mdate,
                entry.version_made, entry.external_attr, entry.comment, packed.get(entry.name))
        else:
            offset = pos
            emit(z.span(entry))
            records[order[id(entry)]] = entry.record[:42] + struct.pack("<L", offset) + entry.record[46:]
    central = [records[i] for i in range(len(z.entries))]
    mtime, mdate = _dos_now()
    for name, data in added.items():
        central.append(emit_new(name.encode("utf-8"), data, 0 if name.isascii() else 0x800,
                                mtime, mdate, 20, 0, b"", packed.get(name)))
    cd_offset = pos
    for rec in central:
        emit(rec)
    if len(central) > 0xFFFF or pos > 0xFFFFFFFF:
        raise WorkbookBusy("Die Arbeitsmappe würde zu groß für ein normales Zip-Archiv.")
    emit(_EOCD.pack(b"PK\x05\x06", 0, 0, len(central), len(central), pos - cd_offset, cd_offset,
                    len(z.comment)) + z.comment)
