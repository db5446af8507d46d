"""Merge engine: fold a COW file into a new image or into its backing file.

Implements spec/uml-reference.md §4.3 (non-destructive merge, ``uml_moo COW NEW``)
and §4.4 (destructive in-place merge, ``uml_moo -d COW``) with the same
resulting bytes, but fast:

* the bitmap (§1.5) is walked as runs of set bits (regex over bytes, one step
  per run, never one per sector);
* data moves with ``os.copy_file_range`` in MiB-sized calls (kernel-side copy),
  falling back to ``pread``/``pwrite`` where the kernel refuses;
* the output stays sparse where the backing has holes (``SEEK_DATA`` /
  ``SEEK_HOLE``), where the COW data area has holes (discarded sectors) and
  where 64 KiB granules of backing data are all zeros (one-byte probe, then a
  full compare against a zero buffer only when the probe byte is zero);
* dirty ranges are filled in 8 MiB windows: a window that mixes clean and
  dirty sectors is assembled in memory (one read of the backing window, one
  read per dirty run into the buffer, one write) instead of two syscalls per run;
* the output is fsync'ed once at the end; ``merge_to_path`` writes a temporary
  file in the target directory and renames it into place.

Sectors are 512 bytes, as the ubd driver indexes them (§1.4 note).  The output
is exactly ``header.size`` bytes long (uml_moo truncates to whole sectors; we do
not: docs/compat.md, "Tools").  This module never prints; errors are
``ToolError`` with uml_moo's message texts.
"""

from __future__ import annotations

import bisect
import errno
import os
import re
import stat
from dataclasses import dataclass
from typing import Callable, Protocol

from umlpy.errors import ToolError

__all__ = [
    "HeaderLike",
    "MergeStats",
    "dirty_runs",
    "read_dirty_runs",
    "data_extents",
    "merge_copy",
    "merge_into",
    "merge_to_path",
]

SECTOR = 512
WINDOW = 4 << 20          # bytes assembled per window when clean and dirty mix
COPY_CHUNK = 64 << 20     # largest single copy_file_range call
GRANULE = 64 << 10        # zero-detection granule for backing data (sparseness unit)

Progress = Callable[[int], None]   # called with bytes processed so far


class HeaderLike(Protocol):
    """The CowHeader fields the engine uses (umlpy.ubd.cow.CowHeader has them)."""

    size: int
    bitmap_offset: int
    bitmap_len: int
    data_offset: int


@dataclass
class MergeStats:
    """What a merge did (for reports and tests)."""

    dirty_sectors: int = 0      # set bits within the disk
    runs: int = 0               # runs of set bits
    bytes_written: int = 0      # bytes written to the output / backing


# --- bitmap runs --------------------------------------------------------------

_TOKEN = re.compile(rb"\xff+|[^\x00\xff]")


def _byte_runs(v: int) -> tuple[tuple[int, int], ...]:
    runs: list[tuple[int, int]] = []
    bit = 0
    while bit < 8:
        if v >> bit & 1:
            start = bit
            while bit < 8 and v >> bit & 1:
                bit += 1
            runs.append((start, bit))
        else:
            bit += 1
    return tuple(runs)


_BYTE_RUNS = tuple(_byte_runs(v) for v in range(256))


def dirty_runs(bitmap: bytes, nsectors: int) -> list[tuple[int, int]]:
    """All runs of set bits as ``(first_sector, end_sector)``, end exclusive.

    Bit order per §1.5 (sector n = byte n//8, bit n%8, LSB first).  Bits at or
    beyond ``nsectors`` are ignored; a v1/v2 bitmap that is one byte short
    (§1.4 rounding bug) simply has no bits for its last sectors.
    """
    runs: list[tuple[int, int]] = []
    cur_s = cur_e = -1
    for m in _TOKEN.finditer(bitmap):
        a = m.start()
        b = m.end()
        if b - a > 1 or bitmap[a] == 0xFF:
            pieces: tuple[tuple[int, int], ...] = ((0, (b - a) * 8),)
        else:
            pieces = _BYTE_RUNS[bitmap[a]]
        base = a * 8
        for ps, pe in pieces:
            s = base + ps
            e = base + pe
            if s == cur_e:
                cur_e = e
            else:
                if cur_e > 0:
                    runs.append((cur_s, cur_e))
                cur_s, cur_e = s, e
    if cur_e > 0:
        runs.append((cur_s, cur_e))
    while runs and runs[-1][1] > nsectors:
        s, _ = runs.pop()
        if s < nsectors:
            runs.append((s, nsectors))
            break
    return runs


def _pread_exact(fd: int, n: int, off: int) -> bytes:
    data = os.pread(fd, n, off)
    if len(data) != n:
        raise ToolError("Reading data: Success")
    return data


def read_dirty_runs(cow_fd: int, header: HeaderLike) -> list[tuple[int, int]]:
    """Read the bitmap of an open COW file and return its dirty runs."""
    nsectors = (header.size + SECTOR - 1) // SECTOR
    bitmap = os.pread(cow_fd, header.bitmap_len, header.bitmap_offset)
    return dirty_runs(bitmap, nsectors)


# --- sparse-file helpers ------------------------------------------------------

def data_extents(fd: int, start: int, end: int) -> list[tuple[int, int]]:
    """Byte ranges within [start, end) that hold data (not holes) in the file."""
    out: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        try:
            d = os.lseek(fd, pos, os.SEEK_DATA)
        except OSError as e:
            if e.errno == errno.ENXIO:
                break
            if e.errno in (errno.EINVAL, errno.EOPNOTSUPP):
                return [(start, end)]       # no hole support: everything is data
            raise
        if d >= end:
            break
        h = min(os.lseek(fd, d, os.SEEK_HOLE), end)
        out.append((d, h))
        pos = h
    return out


def _copy(src: int, dst: int, n: int, soff: int, doff: int) -> None:
    """Copy n bytes from src@soff to dst@doff; short source = uml_moo's read error."""
    while n > 0:
        step = min(n, COPY_CHUNK)
        try:
            got = os.copy_file_range(src, dst, step, soff, doff)
        except OSError as e:
            if e.errno not in (errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP,
                               errno.EBADF, errno.EPERM):
                raise
            got = _copy_rw(src, dst, step, soff, doff)
        if got == 0:
            raise ToolError("Reading data: Success")
        n -= got
        soff += got
        doff += got


def _copy_rw(src: int, dst: int, n: int, soff: int, doff: int) -> int:
    data = os.pread(src, min(n, WINDOW), soff)
    if data:
        _pwrite_all(dst, data, doff)
    return len(data)


def _pwrite_all(fd: int, data: bytes | memoryview, off: int) -> None:
    mv = memoryview(data)
    while mv:
        n = os.pwrite(fd, mv, off)
        mv = mv[n:]
        off += n


_ZERO_GRANULE = bytes(GRANULE)


def _nonzero_ranges(fd: int, start: int, end: int) -> list[tuple[int, int]]:
    """Sub-ranges of [start, end) that are not all-zero, at GRANULE granularity."""
    out: list[tuple[int, int]] = []
    pos = start
    run_s = -1
    while pos < end:
        g_end = min(end, (pos // GRANULE + 1) * GRANULE)
        n = g_end - pos
        probe = os.pread(fd, 1, pos)
        if probe and probe != b"\0":
            nonzero = True
        else:
            chunk = os.pread(fd, n, pos)
            nonzero = chunk != _ZERO_GRANULE[:n] if len(chunk) == n else True
        if nonzero:
            if run_s < 0:
                run_s = pos
        elif run_s >= 0:
            out.append((run_s, pos))
            run_s = -1
        pos = g_end
    if run_s >= 0:
        out.append((run_s, end))
    return out


class _Extents:
    """Sorted data extents of one file with fast range intersection."""

    def __init__(self, extents: list[tuple[int, int]], shift: int = 0) -> None:
        self.ext = [(a - shift, b - shift) for a, b in extents]
        self.ends = [b for _, b in self.ext]

    def within(self, s: int, e: int) -> list[tuple[int, int]]:
        i = bisect.bisect_right(self.ends, s)
        out: list[tuple[int, int]] = []
        while i < len(self.ext) and self.ext[i][0] < e:
            a, b = self.ext[i]
            out.append((max(a, s), min(b, e)))
            i += 1
        return out

    def covers(self, s: int, e: int) -> bool:
        got = self.within(s, e)
        return len(got) == 1 and got[0] == (s, e)


# --- copy merge (§4.3) --------------------------------------------------------

DENSE_PIECES = 0    # a window with more dirty pieces than this is assembled in memory


class _CopyMerge:
    def __init__(self, cow_fd: int, header: HeaderLike, backing_fd: int, out_fd: int,
                 stats: MergeStats) -> None:
        self.cow = cow_fd
        self.back = backing_fd
        self.out = out_fd
        self.doff = header.data_offset
        self.size = header.size
        self.stats = stats
        self.back_ext = _Extents(data_extents(backing_fd, 0, self.size))
        self.buf = bytearray(WINDOW)
        self.mv = memoryview(self.buf)

    def clean(self, s: int, e: int) -> None:
        """Bytes [s, e) come from the backing file: copy its non-zero data."""
        for a, b in self.back_ext.within(s, e):
            for x, y in _nonzero_ranges(self.back, a, b):
                _copy(self.back, self.out, y - x, x, x)
                self.stats.bytes_written += y - x

    def dirty(self, s: int, e: int) -> None:
        """Bytes [s, e) come from the COW data area (holes and zeros stay holes)."""
        d = self.doff
        if e - s < GRANULE:
            _copy(self.cow, self.out, e - s, d + s, s)
            self.stats.bytes_written += e - s
            return
        for a, b in data_extents(self.cow, d + s, d + e):
            for x, y in _nonzero_ranges(self.cow, a, b):
                _copy(self.cow, self.out, y - x, x, x - d)
                self.stats.bytes_written += y - x

    def assemble(self, ws: int, we: int, pieces: list[tuple[int, int]]) -> None:
        """Build window [ws, we) in memory: backing, then dirty pieces on top."""
        n = we - ws
        mv = self.mv[:n]
        got = os.preadv(self.back, [mv], ws)
        if got != n:
            raise ToolError("Reading data: Success")
        d = self.doff
        preadv = os.preadv
        cow = self.cow
        for s, e in pieces:
            if preadv(cow, [mv[s - ws:e - ws]], d + s) != e - s:
                raise ToolError("Reading data: Success")
        # write the non-zero granules
        buf = self.buf
        run_s = -1
        for g in range(0, n, GRANULE):
            ge = min(n, g + GRANULE)
            zero = buf[g] == 0 and buf[g:ge] == _ZERO_GRANULE[:ge - g]
            if not zero:
                if run_s < 0:
                    run_s = g
            elif run_s >= 0:
                _pwrite_all(self.out, mv[run_s:g], ws + run_s)
                self.stats.bytes_written += g - run_s
                run_s = -1
        if run_s >= 0:
            _pwrite_all(self.out, mv[run_s:n], ws + run_s)
            self.stats.bytes_written += n - run_s

    def run(self, runs: list[tuple[int, int]], progress: Progress | None) -> None:
        size = self.size
        br = [(s * SECTOR, min(e * SECTOR, size)) for s, e in runs]
        flusher = _Flusher(self.out)
        ri = 0
        pos = 0      # everything before pos is done
        while pos < size:
            we = min(size, (pos // WINDOW + 1) * WINDOW)
            j = ri
            while j < len(br) and br[j][0] < we and j - ri <= DENSE_PIECES:
                j += 1
            whole = j - ri == 1 and br[ri][0] <= pos and br[ri][1] >= we
            if j - ri > DENSE_PIECES and not whole:
                pieces: list[tuple[int, int]] = []
                k = ri
                while k < len(br) and br[k][0] < we:
                    pieces.append((max(br[k][0], pos), min(br[k][1], we)))
                    k += 1
                self.assemble(pos, we, pieces)
                pos = we
                while ri < len(br) and br[ri][1] <= pos:
                    ri += 1
            else:
                while ri < len(br) and br[ri][0] < we:
                    s = max(br[ri][0], pos)
                    e = br[ri][1]
                    if s > pos:
                        self.clean(pos, s)
                    self.dirty(s, e)
                    pos = e
                    ri += 1
                if pos < we:
                    self.clean(pos, we)
                    pos = we
            flusher.advance(pos)
            if progress is not None:
                progress(pos)




def _check_runs(runs: list[tuple[int, int]], stats: MergeStats) -> None:
    stats.runs = len(runs)
    stats.dirty_sectors = sum(e - s for s, e in runs)


def merge_copy(cow_fd: int, header: HeaderLike, backing_fd: int, out_fd: int, *,
               progress: Progress | None = None) -> MergeStats:
    """Write backing + COW into the empty file out_fd (exactly header.size bytes).

    The caller has validated the header against the backing (size, mtime).
    The output is not fsync'ed here (merge_to_path does it once).
    """
    stats = MergeStats()
    runs = read_dirty_runs(cow_fd, header)
    _check_runs(runs, stats)
    os.ftruncate(out_fd, header.size)
    _CopyMerge(cow_fd, header, backing_fd, out_fd, stats).run(runs, progress)
    return stats


class _Flusher:
    """Start writeback of what was written so far, so the final fsync is short.

    POSIX_FADV_DONTNEED on a range below the write position makes the kernel
    begin asynchronous writeback of its dirty pages (and drop clean ones).
    """

    STEP = 64 << 20

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.done = 0
        self.enabled = hasattr(os, "posix_fadvise") and os.environ.get("UMLPY_NO_FLUSHER") is None

    def advance(self, pos: int) -> None:
        if self.enabled and pos - self.done >= self.STEP:
            os.posix_fadvise(self.fd, self.done, pos - self.done, os.POSIX_FADV_DONTNEED)
            self.done = pos


# --- in-place merge (§4.4) ----------------------------------------------------

INPLACE_DENSE = 16   # more dirty runs than this in a window: read the COW window at once


def merge_into(cow_fd: int, header: HeaderLike, backing_fd: int, *,
               progress: Progress | None = None, fsync: bool = True) -> MergeStats:
    """Write every dirty run of the COW into the backing file, then fsync it.

    Only dirty runs are written.  A dirty range whose COW data is a hole
    (discarded) is written as zeros unless the backing is a hole there too.
    The COW file is only read.
    """
    stats = MergeStats()
    runs = read_dirty_runs(cow_fd, header)
    _check_runs(runs, stats)
    size = header.size
    d = header.data_offset
    br = [(s * SECTOR, min(e * SECTOR, size)) for s, e in runs]
    buf = bytearray(WINDOW)
    mv = memoryview(buf)
    ri = 0
    while ri < len(br):
        ws = br[ri][0] // WINDOW * WINDOW
        we = min(size, ws + WINDOW)
        j = ri
        while j < len(br) and br[j][1] <= we:
            j += 1
        if j - ri > INPLACE_DENSE:
            n = we - ws
            if os.preadv(cow_fd, [mv[:n]], d + ws) != n:
                raise ToolError("Reading data: Success")
            for s, e in br[ri:j]:
                _pwrite_all(backing_fd, mv[s - ws:e - ws], s)
                stats.bytes_written += e - s
            ri = j
        else:
            s, e = br[ri]
            _inplace_run(cow_fd, d, backing_fd, s, e, stats)
            ri += 1
        if progress is not None:
            progress(br[ri - 1][1])
    if fsync:
        os.fsync(backing_fd)
    return stats


def _inplace_run(cow_fd: int, d: int, backing_fd: int, s: int, e: int,
                 stats: MergeStats) -> None:
    if e - s < GRANULE:
        _copy(cow_fd, backing_fd, e - s, d + s, s)
        stats.bytes_written += e - s
        return
    pos = s
    for a, b in data_extents(cow_fd, d + s, d + e) + [(d + e, d + e)]:
        a -= d
        b -= d
        if a > pos:                       # COW hole: zeros, unless the backing is a hole
            for x, y in data_extents(backing_fd, pos, a):
                _write_zeros(backing_fd, x, y)
                stats.bytes_written += y - x
        if b > a:
            _copy(cow_fd, backing_fd, b - a, d + a, a)
            stats.bytes_written += b - a
        pos = b


def _write_zeros(fd: int, s: int, e: int) -> None:
    zero = memoryview(_ZERO_GRANULE)
    while s < e:
        n = min(e - s, GRANULE)
        _pwrite_all(fd, zero[:n], s)
        s += n


# --- copy merge into a new file, atomically ----------------------------------

def merge_to_path(cow_fd: int, header: HeaderLike, backing_fd: int, out_path: str, *,
                  mode: int = 0o644, progress: Progress | None = None,
                  fsync: bool = True) -> MergeStats:
    """Merge into ``out_path`` via a temporary file in the same directory.

    The temporary file is fsync'ed and renamed over ``out_path`` (an existing
    file is replaced; a symlink is followed, as creat() would).  On any error
    the temporary file is removed and ``out_path`` is untouched.
    OSError from creating the temporary file is re-raised for the caller to
    report as "Output file open".
    """
    target = os.path.realpath(out_path) if os.path.islink(out_path) else out_path
    directory = os.path.dirname(os.path.abspath(target))
    base = os.path.basename(target)
    umask = os.umask(0)
    os.umask(umask)
    tmp = ""
    for i in range(100):
        tmp = os.path.join(directory, f".{base}.umlpy-moo.{os.getpid()}.{i}")
        try:
            fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode & ~umask)
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), tmp)
    try:
        stats = merge_copy(cow_fd, header, backing_fd, fd, progress=progress)
        if fsync:
            os.fsync(fd)
        os.close(fd)
        fd = -1
        os.rename(tmp, target)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass
    return stats


def same_file(a: os.stat_result, b: os.stat_result) -> bool:
    """True when two stat results name the same inode."""
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def is_regular(st: os.stat_result) -> bool:
    return stat.S_ISREG(st.st_mode)
