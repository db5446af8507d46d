"""COW header layouts (spec §1.2-1.4, §1.6): handmade headers of every version,
derived offsets against the spec's worked examples, build_v3_header against real
uml_mkcow output."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess

import pytest

from umlpy.ubd import cow
from umlpy.ubd.cow import build_v3_header, parse_header, read_header

PATH = b"/srv/images/base.img"


def handmade(version: int, size: int, *, mtime: int = 0x65920080, big_endian: bool = True,
             broken: bool = False, align: int = 4096, path: bytes = PATH) -> bytes:
    """Headers built from the byte tables of spec §1.2, field by field."""
    if version == 1:
        o = ">" if big_endian else "<"
        b = bytearray(280)
        b[0:4] = struct.pack(o + "I", 0x4F4F4F4D)
        b[4:8] = struct.pack(o + "I", 1)
        b[8:8 + len(path)] = path
        b[264:268] = struct.pack(o + "I", mtime)
        b[268:276] = struct.pack(o + "Q", size)
        b[276:280] = struct.pack(o + "i", 512)
        return bytes(b)
    if version == 2:
        b = bytearray(4120)
        b[0:8] = bytes.fromhex("4f4f4f4d00000002")
        b[8:8 + len(path)] = path
        b[4104:4108] = struct.pack(">I", mtime)
        b[4108:4116] = struct.pack(">Q", size)
        b[4116:4120] = struct.pack(">i", 512)
        return bytes(b)
    if broken:
        b = bytearray(4136)
        b[0:8] = bytes.fromhex("4f4f4f4d00000003")
        b[8:12] = struct.pack(">I", mtime)
        b[16:24] = struct.pack(">Q", size)
        b[24:28] = struct.pack(">i", 512)
        b[28:32] = struct.pack(">I", align)
        b[36:36 + len(path)] = path
        return bytes(b)
    b = bytearray(4128)
    b[0:8] = bytes.fromhex("4f4f4f4d00000003")
    b[8:12] = struct.pack(">I", mtime)
    b[12:20] = struct.pack(">Q", size)
    b[20:24] = struct.pack(">i", 512)
    b[24:28] = struct.pack(">I", align)
    b[32:32 + len(path)] = path
    return bytes(b)


def test_struct_sizes() -> None:
    assert (cow.V1_SIZE, cow.V2_SIZE, cow.V3_SIZE, cow.V3_BROKEN_SIZE) == (280, 4120, 4128, 4136)
    for v, n in ((1, 280), (2, 4120), (3, 4128)):
        assert len(handmade(v, 65536)) == n
    assert parse_header(handmade(3, 65536, broken=True)).header_size == 4136


@pytest.mark.parametrize("big_endian", [False, True])
def test_v1_both_byte_orders(big_endian: bool) -> None:
    h = parse_header(handmade(1, 65536, big_endian=big_endian))
    assert (h.version, h.backing_file, h.mtime, h.size, h.sectorsize) == (
        1, PATH.decode(), 0x65920080, 65536, 512)
    assert h.big_endian_v1 is big_endian
    # spec §1.4: v1 with a 64 KiB backing is 280/16/512
    assert (h.bitmap_offset, h.bitmap_len, h.data_offset, h.alignment) == (280, 16, 512, 512)


def test_v2_layout() -> None:
    h = parse_header(handmade(2, 65536))
    assert (h.version, h.header_size, h.backing_file, h.mtime, h.size) == (
        2, 4120, PATH.decode(), 0x65920080, 65536)
    assert (h.bitmap_offset, h.bitmap_len, h.data_offset) == (4120, 16, 4608)


def test_v1_v2_round_down_bitmap_len() -> None:
    # spec §1.4: 100 sectors -> 12 bytes in v1/v2 (13 needed), v3 fixed it
    assert parse_header(handmade(2, 100 * 512)).bitmap_len == 12
    assert parse_header(handmade(3, 100 * 512)).bitmap_len == 13
    h = parse_header(handmade(1, 100 * 512, big_endian=False))
    assert h.bitmap_len == 12 and h.bitmap_bytes() == 13   # the extra byte fits before data


def test_v3_broken_layout() -> None:
    h = parse_header(handmade(3, 65536, broken=True))
    assert h.broken_v3 and h.version == 3
    assert (h.mtime, h.size, h.alignment, h.backing_file) == (0x65920080, 65536, 4096,
                                                              PATH.decode())
    assert (h.bitmap_offset, h.bitmap_len, h.data_offset) == (8192, 16, 12288)


def test_v3_alignment_512() -> None:
    h = parse_header(handmade(3, 65536, align=512))
    assert (h.bitmap_offset, h.bitmap_len, h.data_offset) == (4608, 16, 5120)


@pytest.mark.parametrize("size,bo,bl,do,length", [
    (16777216, 8192, 4096, 12288, 16789504),
    (2 << 20, 8192, 512, 12288, 2109440),
    (1000, 8192, 1, 12288, 13288),
    (65536, 8192, 16, 12288, 77824),
])
def test_worked_examples(size: int, bo: int, bl: int, do: int, length: int) -> None:
    h = parse_header(handmade(3, size))
    assert (h.bitmap_offset, h.bitmap_len, h.data_offset, h.layout_file_size()) == (
        bo, bl, do, length)
    assert h.sectors == (size + 511) // 512


def test_spec_hexdump_header() -> None:
    """The uml_mkcow header of spec §1.6, rebuilt byte for byte."""
    raw = build_v3_header("/home/user/uml/base.img", 0x65920080, 16777216)
    assert len(raw) == 4128
    assert raw[:0x38] == bytes.fromhex(
        "4f4f4f4d000000036592008000000000"
        "01000000000002000000100000000000"
        "2f686f6d652f757365722f756d6c2f62"
        "6173652e696d6700")
    assert raw[0x38:] == bytes(4128 - 0x38)


@pytest.mark.interop
@pytest.mark.skipif(shutil.which("uml_mkcow") is None, reason="uml_mkcow not installed")
def test_build_matches_real_uml_mkcow(tmp_path, make_image) -> None:
    base = make_image("base.img", 3 << 20, sparse=True)
    subprocess.run(["uml_mkcow", "real.cow", "base.img"], cwd=tmp_path, check=True,
                   capture_output=True)
    real = (tmp_path / "real.cow").read_bytes()
    h = read_header(str(tmp_path / "real.cow"))
    assert h.backing_file == os.path.realpath(base)
    ours = build_v3_header(h.backing_file, int(os.stat(base).st_mtime), os.stat(base).st_size)
    nul = 32 + len(os.fsencode(h.backing_file))
    real_hdr = real[:nul] + bytes(4128 - nul)     # §1.6: bytes after the NUL may be stale
    assert ours == real_hdr
    assert len(real) == h.layout_file_size()
    # and create_cow makes the same file (length and header)
    made = cow.create_cow(str(tmp_path / "ours.cow"), "base.img", cwd=str(tmp_path))
    assert made == h
    assert (tmp_path / "ours.cow").read_bytes() == real_hdr + real[4128:]
    assert os.stat(tmp_path / "ours.cow").st_mode & 0o777 == 0o644 & ~_umask()


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m


def test_read_header_path_and_fd(tmp_path) -> None:
    p = tmp_path / "x.cow"
    p.write_bytes(handmade(3, 4096) + bytes(12288 - 4128 + 4096))
    h1 = read_header(str(p))
    fd = os.open(p, os.O_RDONLY)
    try:
        assert read_header(fd) == h1
    finally:
        os.close(fd)
