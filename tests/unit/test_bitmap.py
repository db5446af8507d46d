"""The sector bitmap (spec §1.5, §3.2): LSB-first bit order, runs, changed spans,
and bulk speed on a 1 GiB disk's bitmap."""

from __future__ import annotations

import os
import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from umlpy.ubd.bitmap import Bitmap
from umlpy.ubd.cow import create_cow, read_header


def model_runs(bits: list[bool], start: int, count: int) -> list[tuple[bool, int, int]]:
    out: list[list] = []
    for i in range(start, start + count):
        if out and out[-1][0] == bits[i]:
            out[-1][2] += 1
        else:
            out.append([bits[i], i, 1])
    return [tuple(r) for r in out]


def bits_of(bm: Bitmap) -> list[bool]:
    return [bm.test(i) for i in range(bm.nbits)]


def test_spec_example_bit_order() -> None:
    # §1.5: sectors 0, 9, 10, 32767 of a 16 MiB disk -> byte0=01, byte1=06, byte4095=80
    bm = Bitmap(bytearray(4096), 32768)
    for s in (0, 9, 10, 32767):
        bm.set_range(s, 1)
    assert bm.data[0] == 0x01 and bm.data[1] == 0x06 and bm.data[4095] == 0x80
    assert bm.count_set() == 4
    assert list(bm.set_runs()) == [(0, 1), (9, 2), (32767, 1)]


@settings(max_examples=400, deadline=None)
@given(data=st.data(), nbits=st.integers(1, 400))
def test_against_model(data, nbits: int) -> None:
    raw = bytearray(data.draw(st.binary(min_size=(nbits + 7) // 8, max_size=(nbits + 7) // 8)))
    bm = Bitmap(raw, nbits)
    model = bits_of(bm)
    for _ in range(4):
        start = data.draw(st.integers(0, nbits))
        count = data.draw(st.integers(0, nbits - start))
        assert list(bm.runs(start, count)) == model_runs(model, start, count)
        assert bm.all_set(start, count) == all(model[start:start + count])
        assert bm.any_set(start, count) == any(model[start:start + count])
        old = bytes(raw)
        off, ln = bm.set_range(start, count)
        model[start:start + count] = [True] * count
        assert bits_of(bm) == model
        diff = [i for i in range(len(old)) if old[i] != raw[i]]
        assert (off, ln)[1] == (diff[-1] - diff[0] + 1 if diff else 0)
        if diff:
            assert off == diff[0]
    assert bm.count_set() == sum(model)
    expect = [(f, n) for b, f, n in model_runs(model, 0, nbits) if b]
    assert list(bm.set_runs()) == expect


def test_bits_beyond_nbits_ignored() -> None:
    bm = Bitmap(bytearray(b"\xff\xff"), 12)
    assert bm.count_set() == 12
    assert list(bm.set_runs()) == [(0, 12)]
    with pytest.raises(IndexError):
        bm.set_range(10, 3)
    with pytest.raises(IndexError):
        bm.test(12)


def test_clear_range() -> None:
    bm = Bitmap(bytearray(b"\xff" * 8), 64)
    bm.clear_range(3, 50)
    assert list(bm.set_runs()) == [(0, 3), (53, 11)]


def test_read_from_file(tmp_path, make_image) -> None:
    make_image("base.img", 1000)
    p = tmp_path / "c.cow"
    create_cow(str(p), str(tmp_path / "base.img"))
    h = read_header(str(p))
    with open(p, "r+b") as f:
        f.seek(h.bitmap_offset)
        f.write(b"\x05")
    fd = os.open(p, os.O_RDONLY)
    try:
        bm = Bitmap.read_from(fd, h)
    finally:
        os.close(fd)
    assert bm.nbits == 2 and len(bm.data) == 1     # tiny bitmap (UML hangs, §3.2)
    assert bits_of(bm) == [True, False]


def test_big_sparse_bitmap_is_fast() -> None:
    nbits = 2 << 20                                 # 1 GiB disk
    bm = Bitmap(bytearray(nbits // 8), nbits)
    rnd = random.Random(5)
    spots = sorted(rnd.sample(range(nbits - 100), 2000))
    for s in spots:
        bm.set_range(s, 37)
    bm.set_range(1 << 20, 100000)
    t = time.perf_counter()
    runs = list(bm.set_runs())
    n = bm.count_set()
    full = list(bm.runs(0, nbits))
    elapsed = time.perf_counter() - t
    assert sum(c for _, c in runs) == n
    assert sum(c for b, _, c in full if b) == n
    assert elapsed < 0.5, elapsed                   # per-run cost, not per-bit
    empty = Bitmap(bytearray(nbits // 8), nbits)
    t = time.perf_counter()
    assert list(empty.set_runs()) == [] and list(empty.runs(0, nbits)) == [(False, 0, nbits)]
    assert time.perf_counter() - t < 0.05
