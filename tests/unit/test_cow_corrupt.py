"""Corrupted COW headers give the right typed error naming field and value, leave
the file unchanged, and random header bytes never raise anything but CowError."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import sha256_file
from test_cow_header import handmade
from umlpy.errors import CowError, CowHeaderError, NotCowError
from umlpy.ubd.cow import V3_BROKEN_SIZE, parse_header, read_header
from umlpy.ubd.opening import open_disk
from umlpy.ubd.options import parse_ubd_switch


def patched(raw: bytes, offset: int, fmt: str, value: int) -> bytes:
    b = bytearray(raw)
    struct.pack_into(fmt, b, offset, value)
    return bytes(b)


V3 = handmade(3, 65536)
CORPUS = [
    ("align0", patched(V3, 24, ">I", 0), CowHeaderError, "alignment", 0),
    ("align3000", patched(V3, 24, ">I", 3000), CowHeaderError, "alignment", 3000),
    ("sector0", patched(V3, 20, ">i", 0), CowHeaderError, "sectorsize", 0),
    ("sector-512", patched(V3, 20, ">i", -512), CowHeaderError, "sectorsize", -512),
    ("sector4096", patched(V3, 20, ">i", 4096), CowHeaderError, "sectorsize", 4096),
    ("hugesize", patched(V3, 12, ">Q", 2**64 - 1), CowHeaderError, "size", 2**64 - 1),
    ("cowformat", patched(V3, 28, ">I", 1), CowHeaderError, "cow_format", 1),
    ("badversion", patched(V3, 4, ">I", 4), CowHeaderError, "version", 4),
    ("version0", patched(V3, 4, ">I", 0), CowHeaderError, "version", 0),
    ("nopathnul", V3[:32] + b"a" * 4096, CowHeaderError, "backing_file", None),
    ("emptypath", V3[:32] + b"\0/x" + bytes(4093), CowHeaderError, "backing_file", ""),
    ("v1nopathnul", handmade(1, 4096)[:8] + b"b" * 256 + handmade(1, 4096)[264:],
     CowHeaderError, "backing_file", None),
    ("truncv3", V3[:4000], CowHeaderError, "header_size", 4000),
    ("truncv2", handmade(2, 4096)[:300], CowHeaderError, "header_size", 300),
    ("truncv1", handmade(1, 4096)[:100], CowHeaderError, "header_size", 100),
    ("truncbroken", handmade(3, 4096, broken=True)[:4130], CowHeaderError, "header_size", 4130),
    ("badmagic", b"XOOM" + V3[4:], NotCowError, None, None),
    ("short", b"OOOM\0\0", NotCowError, None, None),
    ("empty", b"", NotCowError, None, None),
]


@pytest.mark.parametrize("name,raw,exc,field,value", CORPUS, ids=[c[0] for c in CORPUS])
def test_corrupt_header(tmp_path, make_image, name, raw, exc, field, value) -> None:
    with pytest.raises(exc) as ei:
        parse_header(raw)
    if field is not None:
        assert ei.value.field == field
        assert field in str(ei.value)
        if value is not None:
            assert ei.value.value == value
    # the same bytes in a file: read_header and open_disk refuse, file unchanged
    make_image("base.img", 65536)
    p = tmp_path / f"{name}.cow"
    p.write_bytes(raw)
    before = sha256_file(p)
    with pytest.raises(CowError):
        read_header(str(p)) if exc is CowHeaderError else parse_header(raw)
    if exc is CowHeaderError:
        with pytest.raises(CowHeaderError):
            open_disk(parse_ubd_switch(f"a={p}"))
    else:
        with pytest.raises(CowError, match="Failed to read COW header"):
            open_disk(parse_ubd_switch(f"a={p},{tmp_path / 'base.img'}"))
    assert sha256_file(p) == before


def test_file_too_short_for_bitmap() -> None:
    raw = handmade(3, 16 << 20)            # bitmap ends at 8192 + 4096
    with pytest.raises(CowHeaderError) as ei:
        parse_header(raw, file_size=9000)
    assert ei.value.field == "file_size" and ei.value.value == 9000
    assert parse_header(raw, file_size=12288).size == 16 << 20


def _consistent(h) -> None:
    assert h.version in (1, 2, 3)
    assert h.sectorsize == 512
    assert h.bitmap_offset >= h.header_size
    assert h.data_offset >= h.bitmap_offset + h.bitmap_len
    assert h.data_offset % h.alignment == 0
    assert h.sectors * 512 >= h.size > (h.sectors - 1) * 512 or h.size == h.sectors == 0
    assert h.bitmap_bytes() * 8 >= min(h.sectors, h.bitmap_room() * 8)
    assert h.backing_file and "\0" not in h.backing_file


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=V3_BROKEN_SIZE))
def test_random_bytes_only_cow_errors(raw: bytes) -> None:
    try:
        _consistent(parse_header(raw))
    except CowError:
        pass


@settings(max_examples=300, deadline=None)
@given(version=st.sampled_from([1, 2, 3]), size=st.integers(0, 2**64 - 1),
       align=st.integers(0, 2**32 - 1), ss=st.sampled_from([0, 1, 512, 1024, -1]),
       broken=st.booleans(), cut=st.integers(0, V3_BROKEN_SIZE))
def test_structured_headers_only_cow_errors(version, size, align, ss, broken, cut) -> None:
    raw = bytearray(handmade(version, size % 2**63, broken=broken, align=align % 2**32))
    if version == 3:
        struct.pack_into(">Q", raw, 16 if broken else 12, size)
        struct.pack_into(">i", raw, 24 if broken else 20, ss)
    try:
        _consistent(parse_header(bytes(raw[:cut])))
    except CowError:
        pass
