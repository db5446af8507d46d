"""Kernel ELF loader and boot information block (docs/machine.md §1).

Loads every ``PT_LOAD`` segment of an x86-64 ELF at ``p_paddr`` (``.bss`` stays
as the zero fill of fresh RAM), writes ``struct bootinfo`` at BOOTINFO_PA and the
command line at CMDLINE_PA.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from umlpy.errors import MachineError
from umlpy.machine import layout as L
from umlpy.machine.memory import PAGE, GuestMemory

__all__ = ["KernelImage", "load_kernel", "write_bootinfo"]

_BOOTINFO = struct.Struct("<QQQQIIQ")


@dataclass(frozen=True)
class KernelImage:
    path: str
    entry: int          # e_entry (a KERNEL_VBASE address)
    end_pa: int         # first free physical byte after the image, page aligned
    segments: tuple[tuple[int, int], ...]   # (paddr, memsz) of each PT_LOAD


def load_kernel(path: str, mem: GuestMemory) -> KernelImage:
    """Copy the kernel's PT_LOAD segments into guest RAM; raises MachineError."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile

    try:
        f = open(path, "rb")
    except OSError as e:
        raise MachineError(f"cannot open kernel {path}: {e.strerror}") from None
    with f:
        try:
            elf = ELFFile(f)
            if elf.elfclass != 64 or elf["e_machine"] != "EM_X86_64":
                raise MachineError(f"kernel {path}: not an x86-64 ELF64 image")
            entry = elf["e_entry"]
            segs = []
            end = L.KERNEL_PA
            for ph in elf.iter_segments():
                if ph["p_type"] != "PT_LOAD" or ph["p_memsz"] == 0:
                    continue
                pa, filesz, memsz = ph["p_paddr"], ph["p_filesz"], ph["p_memsz"]
                if pa < L.KERNEL_PA or filesz > memsz or not mem.valid(pa, memsz):
                    raise MachineError(
                        f"kernel {path}: segment at 0x{pa:x} (+0x{memsz:x}) does not fit "
                        f"in RAM 0x{L.KERNEL_PA:x}..0x{mem.size:x} (try a larger mem=)")
                f.seek(ph["p_offset"])
                data = f.read(filesz)
                if len(data) != filesz:
                    raise MachineError(f"kernel {path}: truncated segment at 0x{pa:x}")
                mem.ram[pa:pa + filesz] = data
                mem.ram[pa + filesz:pa + memsz] = bytes(memsz - filesz)
                segs.append((pa, memsz))
                end = max(end, pa + memsz)
        except ELFError as e:
            raise MachineError(f"kernel {path}: not a valid ELF file ({e})") from None
    if not segs:
        raise MachineError(f"kernel {path}: no loadable segments")
    if entry < L.KERNEL_VBASE:
        raise MachineError(f"kernel {path}: entry point 0x{entry:x} is not a KERNEL_VBASE address")
    end_pa = (end + PAGE - 1) // PAGE * PAGE
    return KernelImage(path, entry, end_pa, tuple(segs))


def write_bootinfo(mem: GuestMemory, kernel_end_pa: int, cmdline: str,
                   hz: int, realtime_ns: int) -> None:
    """Write struct bootinfo and the NUL-terminated command line."""
    raw = cmdline.encode("utf-8", "replace")
    if len(raw) > L.CMDLINE_MAX:
        raise MachineError(f"kernel command line is {len(raw)} bytes; at most {L.CMDLINE_MAX} fit")
    mem.ram[L.CMDLINE_PA:L.CMDLINE_PA + len(raw) + 1] = raw + b"\0"
    _BOOTINFO.pack_into(mem.ram, L.BOOTINFO_PA, L.BOOTINFO_MAGIC, mem.size, kernel_end_pa,
                        L.CMDLINE_PA, len(raw), hz, realtime_ns)
