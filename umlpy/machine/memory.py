"""Guest RAM, boot page tables and guest page-table walks (docs/machine.md §1).

RAM is an anonymous host mmap handed to unicorn with ``mem_map_ptr`` so devices
move data with ``preadv``/``pwritev`` straight into guest memory
(unicorn-notes §4).  ``parse_mem`` reads UML's ``mem=`` syntax (kernel
``memparse``: a number in C base-0 notation with an optional K/M/G/T suffix).
"""

from __future__ import annotations

import ctypes
import mmap
import struct

from umlpy.errors import ConfigError, MachineError
from umlpy.machine import layout as L

__all__ = ["GuestMemory", "parse_mem", "build_boot_page_tables", "PAGE", "HUGE"]

PAGE = 4096
HUGE = 2 * 1024 * 1024
PTE_P, PTE_W, PTE_U, PTE_PS = 1, 2, 4, 0x80
PTE_NX = 1 << 63
ADDR_MASK = 0x000FFFFFFFFFF000
MEM_MIN = 8 * 1024 * 1024
MEM_MAX = 12 * 1024 * 1024 * 1024          # directmap PDs that fit in BOOT_PT_SIZE
_Q = struct.Struct("<Q")
_SUFFIX = {"k": 10, "m": 20, "g": 30, "t": 40}


def parse_mem(text: str) -> int:
    """Parse a ``mem=`` value like UML (``64M``, ``1G``, ``0x4000000``) into bytes,
    rounded up to a 2 MiB multiple; raises ConfigError."""
    t = text.strip()
    shift = 0
    if t and t[-1].lower() in _SUFFIX:
        shift = _SUFFIX[t[-1].lower()]
        t = t[:-1]
    try:
        n = int(t, 0) if not (len(t) > 1 and t[0] == "0" and t[1].isdigit()) else int(t, 8)
    except ValueError:
        raise ConfigError(f"mem={text}: not a size (use e.g. 64M or 1G)") from None
    size = n << shift
    if size < MEM_MIN or size > MEM_MAX:
        raise ConfigError(f"mem={text}: size must be between {MEM_MIN >> 20}M and {MEM_MAX >> 30}G")
    return (size + HUGE - 1) // HUGE * HUGE


def build_boot_page_tables(ram: memoryview, mem_size: int) -> int:
    """Write the boot page tables at BOOT_PT_PA; returns the CR3 value."""
    base = L.BOOT_PT_PA
    ram[base:base + L.BOOT_PT_SIZE] = bytes(L.BOOT_PT_SIZE)
    pml4, pdpt_k, pd_k, pdpt_d = base, base + PAGE, base + 2 * PAGE, base + 3 * PAGE
    up = PTE_P | PTE_W

    def put(pa: int, idx: int, val: int) -> None:
        _Q.pack_into(ram, pa + 8 * idx, val)

    put(pml4, (L.KERNEL_VBASE >> 39) & 511, pdpt_k | up)
    put(pdpt_k, (L.KERNEL_VBASE >> 30) & 511, pd_k | up)
    for i in range(min(mem_size, 1 << 30) // HUGE):
        put(pd_k, i, (i * HUGE) | up | PTE_PS)
    put(pml4, (L.DIRECTMAP_BASE >> 39) & 511, pdpt_d | up)
    gibs = (mem_size + (1 << 30) - 1) >> 30
    for g in range(gibs):
        pd = base + (4 + g) * PAGE
        put(pdpt_d, g, pd | up)
        for i in range(min(512, (mem_size - (g << 30)) // HUGE)):
            put(pd, i, ((g << 30) + i * HUGE) | up | PTE_PS | PTE_NX)
    return pml4


class GuestMemory:
    """Guest-physical RAM ``0 .. size`` as a host mmap plus a memoryview ``ram``."""

    def __init__(self, size: int) -> None:
        self.size = size
        try:
            self._mm = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        except OSError as e:
            raise MachineError(f"cannot allocate {size >> 20} MiB of guest RAM: {e.strerror}") from None
        self._anchor = ctypes.c_char.from_buffer(self._mm)
        self.ptr = ctypes.addressof(self._anchor)
        self.ram = memoryview(self._mm)

    def map_into(self, uc: object) -> None:
        import unicorn
        uc.mem_map_ptr(0, self.size, unicorn.UC_PROT_ALL, self.ptr)  # type: ignore[attr-defined]

    def clear(self) -> None:
        """Zero all of RAM (reboot): drop the pages instead of writing zeros."""
        self._mm.madvise(mmap.MADV_DONTNEED)

    def valid(self, pa: int, length: int) -> bool:
        """True if ``[pa, pa+length)`` lies inside RAM (no overflow)."""
        return 0 <= pa and 0 <= length and pa + length <= self.size

    def read_u64(self, pa: int) -> int:
        return _Q.unpack_from(self.ram, pa)[0]

    def translate(self, cr3: int, va: int, write: bool = False, user: bool = False) -> int | None:
        """Walk the guest's 4-level page tables; the PA or None if the access would fault."""
        if not (va < L.USER_TOP or va >= 0xFFFF800000000000):
            return None
        table = cr3 & ADDR_MASK
        ok_w = ok_u = True
        for level, shift in enumerate((39, 30, 21, 12)):
            if table + PAGE > self.size:
                return None
            e = _Q.unpack_from(self.ram, table + 8 * ((va >> shift) & 511))[0]
            if not e & PTE_P:
                return None
            ok_w = ok_w and bool(e & PTE_W)
            ok_u = ok_u and bool(e & PTE_U)
            if shift != 12 and shift != 39 and e & PTE_PS:
                if (write and not ok_w) or (user and not ok_u):
                    return None
                mask = (1 << shift) - 1
                return (e & ADDR_MASK & ~mask) | (va & mask)
            table = e & ADDR_MASK
            if level == 3:
                if (write and not ok_w) or (user and not ok_u):
                    return None
                return table | (va & (PAGE - 1))
        return None

    def write_virt(self, cr3: int, va: int, data: bytes, user: bool = False) -> bool:
        """Write ``data`` at guest VA (may cross pages); False if any page is not writable."""
        pos = 0
        pieces = []
        while pos < len(data):
            pa = self.translate(cr3, va + pos, write=True, user=user)
            n = min(len(data) - pos, PAGE - ((va + pos) & (PAGE - 1)))
            if pa is None or pa + n > self.size:
                return False
            pieces.append((pa, pos, n))
            pos += n
        for pa, off, n in pieces:
            self.ram[pa:pa + n] = data[off:off + n]
        return True

    def read_virt(self, cr3: int, va: int, length: int) -> bytes | None:
        """Read ``length`` bytes at guest VA, or None if unmapped."""
        out = bytearray()
        pos = 0
        while pos < length:
            pa = self.translate(cr3, va + pos)
            n = min(length - pos, PAGE - ((va + pos) & (PAGE - 1)))
            if pa is None or pa + n > self.size:
                return None
            out += self.ram[pa:pa + n]
            pos += n
        return bytes(out)
