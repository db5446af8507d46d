"""The vCPU: a unicorn x86-64 instance plus raw access to its context blob.

Implements the register-access part of docs/machine.md §3 and
shared/spec/unicorn-notes.md §2.7-2.8: registers are read and patched through
the raw ``uc_context`` buffer (one ``uc_context_save`` + ``struct`` unpack,
~0.4 us) instead of the slow Python register wrappers.  The blob layout is
private to unicorn 2.1.4, so :meth:`Cpu.self_check` verifies every offset at
start-up and raises :class:`MachineError` if unicorn's layout changed.
"""

from __future__ import annotations

import ctypes
import struct

import unicorn
import unicorn.x86_const as X
from unicorn.unicorn_py3.unicorn import uclib

from umlpy.errors import MachineError

__all__ = ["Cpu", "uclib", "X", "unicorn"]

HDR = 40                         # uc_context header before CPUX86State
OFF_REGS = HDR + 0               # 16 x u64: RAX RCX RDX RBX RSP RBP RSI RDI R8..R15
OFF_RIP = HDR + 128
OFF_RFLAGS = HDR + 136
OFF_HFLAGS = HDR + 176           # u32, bits 0-1 = CPL
OFF_SEG = HDR + 184              # 6 x 24 bytes: ES CS SS DS FS GS
SEG_SIZE = 24
SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS = range(6)
OFF_ERROR_CODE = HDR + 0x1508    # i32 env->error_code
OFF_OLD_EXC = HDR + 0x1578       # i32 env->old_exception (-1 = none)
RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI = range(8)
GPR_NAMES = ("rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
             "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15")
_U64 = struct.Struct("<Q")
_I32 = struct.Struct("<i")
_U32 = struct.Struct("<I")
_SEG = struct.Struct("<IIQII")   # selector, pad, base, limit, flags


class Cpu:
    """One x86-64 vCPU with a reused context buffer ``blob`` (a writable memoryview)."""

    def __init__(self, tcg_buffer: int = 64 * 1024 * 1024) -> None:
        self.uc = unicorn.Uc(unicorn.UC_ARCH_X86, unicorn.UC_MODE_64)
        self.uc.ctl_set_tcg_buffer_size(tcg_buffer)
        self.uch = self.uc._uch
        self._ctx = self.uc.context_save()       # owns the C buffer; keep alive
        self._ctxp = self._ctx._context
        size = uclib.uc_context_size(self.uch) + HDR
        if size < OFF_OLD_EXC + 4:
            raise MachineError(f"unicorn context blob is {size} bytes; unsupported unicorn version")
        raw = (ctypes.c_char * size).from_address(self._ctxp.value)
        self.blob = memoryview(raw).cast("B")
        self._u64 = ctypes.c_uint64()

    # --- blob transfer -----------------------------------------------------
    def save(self) -> memoryview:
        """Copy the CPU state into ``blob`` and return it."""
        uclib.uc_context_save(self.uch, self._ctxp)
        return self.blob

    def restore(self) -> None:
        """Load the (patched) ``blob`` back into the CPU."""
        uclib.uc_context_restore(self.uch, self._ctxp)

    # --- blob field helpers (operate on the last save) ----------------------
    def gpr(self, i: int) -> int:
        return _U64.unpack_from(self.blob, OFF_REGS + 8 * i)[0]

    def set_gpr(self, i: int, v: int) -> None:
        _U64.pack_into(self.blob, OFF_REGS + 8 * i, v & 0xFFFFFFFFFFFFFFFF)

    def rip(self) -> int:
        return _U64.unpack_from(self.blob, OFF_RIP)[0]

    def set_rip(self, v: int) -> None:
        _U64.pack_into(self.blob, OFF_RIP, v)

    def rflags(self) -> int:
        return _U64.unpack_from(self.blob, OFF_RFLAGS)[0]

    def set_rflags(self, v: int) -> None:
        _U64.pack_into(self.blob, OFF_RFLAGS, v)

    def cpl(self) -> int:
        return _U32.unpack_from(self.blob, OFF_HFLAGS)[0] & 3

    def set_cpl(self, cpl: int) -> None:
        h = _U32.unpack_from(self.blob, OFF_HFLAGS)[0]
        _U32.pack_into(self.blob, OFF_HFLAGS, (h & ~3) | cpl)

    def seg(self, i: int) -> tuple[int, int, int, int]:
        sel, _pad, base, limit, flags = _SEG.unpack_from(self.blob, OFF_SEG + SEG_SIZE * i)
        return sel, base, limit, flags

    def set_seg(self, i: int, sel: int, base: int, limit: int, flags: int) -> None:
        _SEG.pack_into(self.blob, OFF_SEG + SEG_SIZE * i, sel, 0, base, limit, flags)

    def error_code(self) -> int:
        return _I32.unpack_from(self.blob, OFF_ERROR_CODE)[0]

    def clear_old_exception(self) -> None:
        _I32.pack_into(self.blob, OFF_OLD_EXC, -1)

    # --- slow-path register access (raw ctypes, for rarely used registers) ---
    def reg(self, reg_id: int) -> int:
        uclib.uc_reg_read(self.uch, reg_id, ctypes.byref(self._u64))
        return self._u64.value

    def set_reg(self, reg_id: int, value: int) -> None:
        self._u64.value = value & 0xFFFFFFFFFFFFFFFF
        uclib.uc_reg_write(self.uch, reg_id, ctypes.byref(self._u64))

    def self_check(self) -> None:
        """Verify the private blob offsets against the public register API."""
        probes = [(X.UC_X86_REG_RAX, OFF_REGS, 0x1122334455667788),
                  (X.UC_X86_REG_RSP, OFF_REGS + 8 * RSP, 0x0BADC0DE0000F00),
                  (X.UC_X86_REG_R11, OFF_REGS + 8 * 11, 0x7766554433221100),
                  (X.UC_X86_REG_RIP, OFF_RIP, 0xFFFFFFFF80123456),
                  (X.UC_X86_REG_EFLAGS, OFF_RFLAGS, 0x0000000000000246)]
        saved = [self.reg(r) for r, _o, _v in probes]
        for r, _o, v in probes:
            self.set_reg(r, v)
        self.save()
        try:
            for r, off, v in probes:
                got = _U64.unpack_from(self.blob, off)[0]
                if got != v:
                    raise MachineError(
                        f"unicorn {unicorn.__version__}: context blob layout differs "
                        f"(register {r} not at offset {off}); unsupported unicorn version")
            if _I32.unpack_from(self.blob, OFF_OLD_EXC)[0] != -1:
                raise MachineError("unicorn context blob layout differs (old_exception); "
                                   "unsupported unicorn version")
            cs_sel = self.reg(X.UC_X86_REG_CS)
            if self.seg(SEG_CS)[0] != cs_sel:
                raise MachineError("unicorn context blob layout differs (segment cache)")
        finally:
            for (r, _o, _v), old in zip(probes, saved):
                self.set_reg(r, old)
