"""The COW sector bitmap: one bit per 512-byte sector, least-significant bit first.

Implements spec/uml-reference.md §1.5 (bit order: sector n is byte n/8, bit
n%8) and the bookkeeping half of §3.2 (which bitmap bytes a write changed, so
only that span is written back).  Scans work a byte class at a time with
compiled regular expressions over the bytearray (C speed: whole runs of 0x00 or
0xff bytes are skipped in one step), so the Python cost is per run, never per
sector.  Bits at or beyond ``nbits`` are never reported.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from umlpy.ubd.cow import CowHeader

__all__ = ["Bitmap"]

_NOT_ZERO = re.compile(rb"[^\x00]")
_NOT_FF = re.compile(rb"[^\xff]")
# lowest set bit of a byte value (index 0 unused)
_LOW = [0] + [(b & -b).bit_length() - 1 for b in range(1, 256)]
_FF = b"\xff"


class Bitmap:
    """An in-memory sector bitmap of ``nbits`` bits stored LSB-first in ``data``."""

    __slots__ = ("data", "nbits")

    def __init__(self, data: bytearray, nbits: int) -> None:
        if nbits < 0 or len(data) * 8 < nbits:
            raise ValueError(f"bitmap of {len(data)} bytes cannot hold {nbits} bits")
        self.data = data
        self.nbits = nbits

    @classmethod
    def read_from(cls, fd: int, header: "CowHeader") -> "Bitmap":
        """Read the bitmap of the COW open on ``fd``.

        One bit per device sector (CEIL(size/512)), also for v1/v2 whose header
        bitmap_len rounds down: the extra byte is read from the padding before the
        data area when there is room (docs/cow-format.md).  A file that ends
        early reads as zero bits.
        """
        nbytes = header.bitmap_bytes()
        buf = bytearray(nbytes)
        got = 0
        while got < nbytes:
            n = os.preadv(fd, [memoryview(buf)[got:]], header.bitmap_offset + got)
            if n <= 0:
                break
            got += n
        return cls(buf, min(header.sectors, nbytes * 8))

    # --- single bits --------------------------------------------------------

    def test(self, sector: int) -> bool:
        if not 0 <= sector < self.nbits:
            raise IndexError(f"sector {sector} outside bitmap of {self.nbits} bits")
        return bool(self.data[sector >> 3] >> (sector & 7) & 1)

    def _check(self, start: int, count: int) -> None:
        if start < 0 or count < 0 or start + count > self.nbits:
            raise IndexError(f"range {start}+{count} outside bitmap of {self.nbits} bits")

    # --- updates ------------------------------------------------------------

    def set_range(self, start: int, count: int) -> tuple[int, int]:
        """Set bits start..start+count-1; return the (byte_offset, byte_len) span of
        bitmap bytes that changed (byte_len 0 when every bit was already set)."""
        self._check(start, count)
        if count == 0:
            return (start >> 3, 0)
        data = self.data
        end = start + count                      # exclusive bit
        b0, b1 = start >> 3, (end - 1) >> 3      # inclusive bytes
        old = bytes(data[b0:b1 + 1])
        if b0 == b1:
            data[b0] |= ((1 << count) - 1) << (start & 7)
        else:
            data[b0] |= (0xFF << (start & 7)) & 0xFF
            if b1 > b0 + 1:
                data[b0 + 1:b1] = _FF * (b1 - b0 - 1)
            data[b1] |= (1 << ((end - 1) & 7) + 1) - 1
        new = data[b0:b1 + 1]
        n = len(old)
        if old == new:
            return (b0, 0)
        if n == 1:
            return (b0, 1)
        # middle bytes changed exactly where they were not 0xff before
        if old[0] != new[0]:
            first = 0
        else:
            m = _NOT_FF.search(old, 1, n - 1)
            first = m.start() if m else n - 1
        if old[-1] != new[-1]:
            last = n - 1
        else:
            mid = len(old[1:n - 1].rstrip(_FF))
            last = mid if mid else 0
        return (b0 + first, last - first + 1)

    def clear_range(self, start: int, count: int) -> None:
        """Clear bits start..start+count-1 (for tools; the ubd driver never clears)."""
        self._check(start, count)
        end = start + count
        data = self.data
        s = start
        while s < end and s & 7:
            data[s >> 3] &= ~(1 << (s & 7)) & 0xFF
            s += 1
        full = (end - s) >> 3
        if full:
            data[s >> 3:(s >> 3) + full] = bytes(full)
            s += full * 8
        while s < end:
            data[s >> 3] &= ~(1 << (s & 7)) & 0xFF
            s += 1

    # --- scans --------------------------------------------------------------

    def _next(self, want: bool, pos: int, end: int) -> int:
        """First bit >= pos (and < end) whose value is ``want``; ``end`` if none."""
        data = self.data
        if pos >= end:
            return end
        if pos & 7:
            b = data[pos >> 3]
            if not want:
                b ^= 0xFF
            b &= (0xFF << (pos & 7)) & 0xFF
            if b:
                return min(pos - (pos & 7) + _LOW[b], end)
            pos = (pos | 7) + 1
            if pos >= end:
                return end
        m = (_NOT_ZERO if want else _NOT_FF).search(data, pos >> 3, ((end - 1) >> 3) + 1)
        if m is None:
            return end
        i = m.start()
        b = data[i] if want else data[i] ^ 0xFF
        return min(i * 8 + _LOW[b], end)

    def runs(self, start: int, count: int) -> Iterator[tuple[bool, int, int]]:
        """Maximal runs (bit, first, count) covering start..start+count-1 in order."""
        self._check(start, count)
        end = start + count
        pos = start
        if pos >= end:
            return
        bit = bool(self.data[pos >> 3] >> (pos & 7) & 1)
        while pos < end:
            nxt = self._next(not bit, pos, end)
            yield (bit, pos, nxt - pos)
            pos = nxt
            bit = not bit

    def set_runs(self) -> Iterator[tuple[int, int]]:
        """All (first, count) runs of set bits, in order."""
        end = self.nbits
        pos = self._next(True, 0, end)
        while pos < end:
            stop = self._next(False, pos, end)
            yield (pos, stop - pos)
            pos = self._next(True, stop, end)

    def count_set(self) -> int:
        full = self.nbits >> 3
        total = int.from_bytes(self.data[:full], "little").bit_count()
        rem = self.nbits & 7
        if rem:
            total += (self.data[full] & ((1 << rem) - 1)).bit_count()
        return total

    def all_set(self, start: int, count: int) -> bool:
        """True if every bit of start..start+count-1 is set."""
        self._check(start, count)
        return self._next(False, start, start + count) == start + count

    def any_set(self, start: int, count: int) -> bool:
        """True if any bit of start..start+count-1 is set."""
        self._check(start, count)
        return self._next(True, start, start + count) < start + count
