"""COW file builder for the tools tests, straight from the byte tables of
spec/uml-reference.md §1.2 (header layouts) and §1.4 (derived offsets), plus
tests that pin the builder to the spec's worked examples.

Other tool tests import ``build_cow`` / ``Layout`` from here (the interop tests
load this file by path).  Independent of umlpy.ubd.cow on purpose: the tools
must read files laid out exactly as the spec says, whoever wrote them.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

import pytest

MAGIC = 0x4F4F4F4D
SECTOR = 512


def round_up(x: int, a: int) -> int:
    return (x + a - 1) // a * a


@dataclass(frozen=True)
class Layout:
    """The HeaderLike fields umlpy.ubd.merge needs, plus the header bytes."""

    version: str          # "v1", "v2", "v3", "v3broken"
    size: int
    bitmap_offset: int
    bitmap_len: int
    data_offset: int
    header: bytes
    sectorsize: int = SECTOR
    alignment: int = 4096


def layout_for(version: str, backing: str, mtime: int, size: int, *,
               alignment: int = 4096, sectorsize: int = SECTOR) -> Layout:
    name = backing.encode()
    ss = sectorsize
    if version == "v1":
        hdr = struct.pack("<II256sIqi", MAGIC, 1, name, mtime, size, ss)
        assert len(hdr) == 280
        bl = (size + ss - 1) // (8 * ss)
        return Layout(version, size, 280, bl, round_up(280 + bl, ss), hdr, ss, ss)
    if version == "v2":
        hdr = struct.pack(">II4096sIqi", MAGIC, 2, name, mtime, size, ss)
        assert len(hdr) == 4120
        bl = (size + ss - 1) // (8 * ss)
        return Layout(version, size, 4120, bl, round_up(4120 + bl, ss), hdr, ss, ss)
    bl = ((size + ss - 1) // ss + 7) // 8
    if version == "v3":
        hdr = struct.pack(">IIIqiII4096s", MAGIC, 3, mtime, size, ss, alignment, 0, name)
        assert len(hdr) == 4128
        bo = round_up(4128, alignment)
    elif version == "v3broken":
        hdr = struct.pack(">IIIIqiII4096sI", MAGIC, 3, mtime, 0, size, ss, alignment, 0, name, 0)
        assert len(hdr) == 4136
        bo = round_up(4136, alignment)
    else:
        raise ValueError(version)
    return Layout(version, size, bo, bl, round_up(bo + bl, alignment), hdr, ss, alignment)


def build_cow(path: str, backing: str, version: str, dirty: dict[int, bytes], *,
              alignment: int = 4096, mtime: int | None = None, size: int | None = None) -> Layout:
    """Write a COW on ``backing`` with ``dirty`` = {sector: 512 bytes} present in it.

    The file is extended to data_offset + size (sparse), as UML creates it.
    """
    st = os.stat(backing)
    lay = layout_for(version, os.path.abspath(backing),
                     int(st.st_mtime) if mtime is None else mtime,
                     st.st_size if size is None else size, alignment=alignment)
    bitmap = bytearray(lay.bitmap_len)
    with open(path, "wb") as f:
        f.write(lay.header)
        for sector, data in dirty.items():
            assert len(data) == SECTOR
            if sector // 8 < len(bitmap):
                bitmap[sector // 8] |= 1 << (sector % 8)
            f.seek(lay.data_offset + sector * SECTOR)
            f.write(data)
        f.seek(lay.bitmap_offset)
        f.write(bitmap)
        f.truncate(max(f.seek(0, 2), lay.data_offset + lay.size))
    return lay


# --- the builder against the spec's worked examples (§1.4) ----------------

@pytest.mark.parametrize("version,size,expect", [
    ("v3", 16 << 20, (8192, 4096, 12288)),
    ("v3", 2 << 20, (8192, 512, 12288)),
    ("v3", 1000, (8192, 1, 12288)),
    ("v3", 64 << 10, (8192, 16, 12288)),
    ("v1", 64 << 10, (280, 16, 512)),
    ("v2", 64 << 10, (4120, 16, 4608)),
    ("v3broken", 64 << 10, (8192, 16, 12288)),
])
def test_layout_matches_spec_examples(version: str, size: int, expect: tuple[int, int, int]) -> None:
    lay = layout_for(version, "/x/base.img", 0, size)
    assert (lay.bitmap_offset, lay.bitmap_len, lay.data_offset) == expect


def test_v3_alignment_512_example() -> None:
    lay = layout_for("v3", "/x/base.img", 0, 64 << 10, alignment=512)
    assert (lay.bitmap_offset, lay.bitmap_len, lay.data_offset) == (4608, 16, 5120)


def test_v1_bitmap_rounding_bug() -> None:
    # 100 sectors need 13 bytes; v1/v2 round down to 12 (§1.4)
    assert layout_for("v1", "/b", 0, 100 * SECTOR).bitmap_len == 12
    assert layout_for("v3", "/b", 0, 100 * SECTOR).bitmap_len == 13


def test_v3_header_bytes_match_real_dump() -> None:
    # first 0x40 bytes of the real uml_mkcow header in §1.6
    lay = layout_for("v3", "/home/user/uml/base.img", 0x65920080, 16 << 20)
    assert lay.header[:0x38] == bytes.fromhex(
        "4f4f4f4d000000036592008000000000"
        "01000000000002000000100000000000"
        "2f686f6d652f757365722f756d6c2f62"
        "6173652e696d6700")
