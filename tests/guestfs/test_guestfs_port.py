"""The fs code builds with the guest kernel's flags and needs nothing from the
kernel beyond the functions fsport.h declares (brief H6)."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import FSTOOL, REPO

ALLOWED = {"kmalloc", "kfree", "memcpy", "memmove", "memset", "memcmp", "strlen", "strcmp",
           "strncmp", "strncpy", "kprintf", "panic", "ubd_rw", "clock_realtime_sec"}


def test_kernel_object_needs_only_fsport(fstool: Path) -> None:
    undef = (FSTOOL.parent / "fs-kernel.undef").read_text().split()
    assert undef and set(undef) <= ALLOWED, set(undef) - ALLOWED


def test_fsport_declares_exactly_the_promised_functions() -> None:
    text = (REPO / "guest" / "fs" / "fsport.h").read_text()
    declared = set(re.findall(r"\b(\w+)\s*\([^()]*\)\s*(?:__attribute__\(\(noreturn\)\))?;", text))
    assert declared == ALLOWED


def test_fs_sources_include_only_fsport() -> None:
    for src in (REPO / "guest" / "fs").glob("*.[ch]"):
        for inc in re.findall(r'#include\s+[<"]([^>"]+)[>"]', src.read_text()):
            assert inc in {"fsport.h", "ext2fmt.h", "fs.h", "fsint.h", "stdint.h", "stddef.h",
                           "stdarg.h", "string.h"}, (src.name, inc)
