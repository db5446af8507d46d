"""An open ubd device: the data path for plain images and COW files.

Implements spec/uml-reference.md §3 (per-sector routing through the bitmap,
writes as data-then-bitmap, discard/write-zeroes, flush) with these decisions
(docs/compat.md, "Block devices"):

* runs of equal bitmap bits are coalesced into one ``preadv``/``pwritev`` each,
  straight into the caller's memoryview (guest RAM); a request never loops per
  sector in Python;
* reads that mix COW and backing sectors are correct (UML's §3.3 offset bug is
  not copied) and reads beyond the end of a file are zero-filled (§3.3 bug 2);
* after the data, only the bitmap bytes that changed are written (UML writes 16
  bytes around them; a tiny bitmap works, UML hangs, §3.2);
* ``flush`` is a real ``fdatasync`` (UML's flush does nothing, §3.5); with
  ``s`` the files are O_SYNC, so data is durable before its bitmap bit is written.

The backing file descriptor is read-only; nothing here can write it.
"""

from __future__ import annotations

import ctypes
import errno
import os

from umlpy.errors import DiskIOError, DiskRangeError
from umlpy.ubd.bitmap import Bitmap
from umlpy.ubd.cow import SECTOR, CowHeader
from umlpy.ubd.hostfile import HostFile

__all__ = ["Disk", "DiskReadOnly"]

FALLOC_FL_KEEP_SIZE = 0x01
FALLOC_FL_PUNCH_HOLE = 0x02
FALLOC_FL_ZERO_RANGE = 0x10
_ZERO_CHUNK = bytes(1 << 20)

_libc = ctypes.CDLL(None, use_errno=True)
_libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
_libc.fallocate.restype = ctypes.c_int


class DiskReadOnly(DiskIOError):
    """A write, discard or write-zeroes request reached a read-only device (EROFS)."""


def _fallocate(fd: int, mode: int, offset: int, length: int) -> None:
    if _libc.fallocate(fd, mode, offset, length) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def _pread_full(fd: int, buf: memoryview, offset: int) -> None:
    """Fill ``buf`` from ``offset``; whatever lies beyond end of file reads as zeros."""
    done, total = 0, len(buf)
    while done < total:
        n = os.preadv(fd, [buf[done:]], offset + done)
        if n == 0:
            buf[done:] = bytes(total - done)
            return
        done += n


def _pwrite_full(fd: int, buf: memoryview | bytes, offset: int) -> None:
    mv = memoryview(buf)
    done = 0
    while done < len(mv):
        done += os.pwritev(fd, [mv[done:]], offset + done)


class Disk:
    """A configured, open ubd device (docs/interfaces.md).  Not thread-safe: the
    machine serialises requests per device, as UML's io thread does."""

    def __init__(self, *, size: int, readonly: bool, description: str,
                 image: HostFile, backing: HostFile | None = None,
                 header: CowHeader | None = None, bitmap: Bitmap | None = None,
                 no_trim: bool = False, serial: str | None = None) -> None:
        self.size = size
        self.readonly = readonly
        self.description = description
        self.serial = serial
        self.no_trim = no_trim
        self.image = image            # the COW file, or the plain image
        self.backing = backing        # read-only; None for plain devices
        self.header = header
        self.bitmap = bitmap
        self.closed = False
        self.stats = {"read_calls": 0, "write_calls": 0, "bitmap_writes": 0}

    @property
    def is_cow(self) -> bool:
        return self.header is not None

    @property
    def supports_discard(self) -> bool:
        return not self.no_trim and not self.readonly

    # --- checks -------------------------------------------------------------

    def _check(self, offset: int, length: int, op: str) -> None:
        if self.closed:
            raise DiskIOError(f"{op} on a closed disk")
        if offset % SECTOR or length % SECTOR:
            raise DiskRangeError(f"{op} of {length} bytes at {offset} is not "
                                 f"{SECTOR}-byte aligned")
        if offset < 0 or length < 0 or offset + length > self.size:
            raise DiskRangeError(f"{op} of {length} bytes at {offset} lies outside the "
                                 f"{self.size}-byte device")

    def _check_write(self, offset: int, length: int, op: str) -> None:
        self._check(offset, length, op)
        if self.readonly:
            raise DiskReadOnly(f"{op} on read-only device {self.description}")
        if self.bitmap is not None and (offset + length) // SECTOR > self.bitmap.nbits:
            raise DiskIOError(f"{op} at {offset}: the COW bitmap has no bit for this sector "
                              "(v1/v2 bitmap rounding, docs/cow-format.md)")

    # --- data path ----------------------------------------------------------

    def readinto(self, offset: int, buf: memoryview) -> None:
        """Read len(buf) bytes at ``offset`` into ``buf`` (sector aligned)."""
        mv = memoryview(buf).cast("B") if memoryview(buf).format != "B" else memoryview(buf)
        self._check(offset, len(mv), "read")
        if not mv:
            return
        try:
            if self.bitmap is None or self.header is None:
                self.stats["read_calls"] += 1
                _pread_full(self.image.fd, mv, offset)
                return
            assert self.backing is not None
            first, count = offset // SECTOR, len(mv) // SECTOR
            covered = max(0, min(count, self.bitmap.nbits - first))
            data_offset = self.header.data_offset
            pos = 0
            for bit, s, n in self.bitmap.runs(first, covered):
                part = mv[pos:pos + n * SECTOR]
                self.stats["read_calls"] += 1
                if bit:
                    _pread_full(self.image.fd, part, data_offset + s * SECTOR)
                else:
                    _pread_full(self.backing.fd, part, s * SECTOR)
                pos += n * SECTOR
            if pos < len(mv):
                self.stats["read_calls"] += 1
                _pread_full(self.backing.fd, mv[pos:], offset + pos)
        except OSError as e:
            raise DiskIOError(f"read of {len(mv)} bytes at {offset} from "
                              f"{self.description} failed: {e.strerror}") from e

    def write(self, offset: int, buf: memoryview) -> None:
        """Write ``buf`` at ``offset``: data first, then the changed bitmap bytes."""
        mv = memoryview(buf).cast("B") if memoryview(buf).format != "B" else memoryview(buf)
        self._check_write(offset, len(mv), "write")
        if not mv:
            return
        try:
            self.stats["write_calls"] += 1
            if self.header is None:
                _pwrite_full(self.image.fd, mv, offset)
                return
            _pwrite_full(self.image.fd, mv, self.header.data_offset + offset)
            self._mark(offset, len(mv))
        except OSError as e:
            raise DiskIOError(f"write of {len(mv)} bytes at {offset} to "
                              f"{self.description} failed: {e.strerror}") from e

    def _mark(self, offset: int, length: int) -> None:
        """Set the bits of the range and write the changed bitmap bytes.  If that write
        fails the in-memory bits are restored, so a later write retries it (a bit set
        only in memory would otherwise never reach the file)."""
        assert self.bitmap is not None and self.header is not None
        first, count = offset // SECTOR, length // SECTOR
        b0, b1 = first >> 3, ((first + count - 1) >> 3) + 1
        saved = bytes(self.bitmap.data[b0:b1])
        boff, blen = self.bitmap.set_range(first, count)
        if blen:
            self.stats["bitmap_writes"] += 1
            try:
                _pwrite_full(self.image.fd, memoryview(self.bitmap.data)[boff:boff + blen],
                             self.header.bitmap_offset + boff)
            except BaseException:
                self.bitmap.data[b0:b1] = saved
                raise

    def _zero(self, fd: int, offset: int, length: int, punch: bool) -> None:
        """Make the byte range read as zeros: punch/zero-range, else write zeros."""
        modes = ([FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE] if punch else
                 [FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
                  FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE])
        for mode in modes:
            try:
                _fallocate(fd, mode, offset, length)
                return
            except OSError as e:
                if e.errno not in (errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
                    raise
        done = 0
        while done < length:
            n = min(len(_ZERO_CHUNK), length - done)
            _pwrite_full(fd, memoryview(_ZERO_CHUNK)[:n], offset + done)
            done += n

    def _zero_request(self, offset: int, length: int, punch: bool, op: str) -> None:
        self._check_write(offset, length, op)
        if not length:
            return
        try:
            if self.header is None:
                self._zero(self.image.fd, offset, length, punch)
                return
            self._zero(self.image.fd, self.header.data_offset + offset, length, punch)
            self._mark(offset, length)    # zeros now, not backing data (§3.4)
        except OSError as e:
            raise DiskIOError(f"{op} of {length} bytes at {offset} on "
                              f"{self.description} failed: {e.strerror}") from e

    def discard(self, offset: int, length: int) -> None:
        """Deallocate: the sectors read as zeros afterwards (on a COW too, §3.4)."""
        if self.no_trim:
            raise DiskIOError(f"discard is disabled ('t' flag) on {self.description}")
        self._zero_request(offset, length, True, "discard")

    def write_zeroes(self, offset: int, length: int) -> None:
        """The sectors read as zeros afterwards (ZERO_RANGE, hole or written zeros)."""
        self._zero_request(offset, length, False, "write-zeroes")

    def flush(self) -> None:
        """Make every completed write durable (fdatasync of the COW / image)."""
        if self.closed or self.readonly or not self.image.writable:
            return
        try:
            os.fdatasync(self.image.fd)
        except OSError as e:
            raise DiskIOError(f"flush of {self.description} failed: {e.strerror}") from e

    def close(self) -> None:
        """Close the files (drops the locks).  Idempotent."""
        if self.closed:
            return
        self.closed = True
        self.image.close()
        if self.backing is not None:
            self.backing.close()

    def __enter__(self) -> "Disk":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
