"""Tests of the merge engine umlpy.ubd.merge (spec §1.5 bit order, §4.3, §4.4).

Expected images are computed here independently: the backing bytes with every
marked sector replaced by the COW's sector, exactly backing-size long.
"""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import given, settings, strategies as st

from test_tools_cowfiles import SECTOR, Layout, build_cow
from umlpy.errors import ToolError
from umlpy.ubd import merge

LAYOUTS = ["v1", "v2", "v3", "v3broken"]


def _read(path: object) -> bytes:
    with open(str(path), "rb") as f:
        return f.read()


def naive_runs(bitmap: bytes, n: int) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    start = None
    for i in range(n):
        bit = i // 8 < len(bitmap) and bitmap[i // 8] >> (i % 8) & 1
        if bit and start is None:
            start = i
        if not bit and start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, n))
    return runs


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([0, 0xFF, 0x01, 0x80, 0x0F, 0xF0, 0x5A, 0x7E, 0x81]) | st.integers(0, 255),
                max_size=40), st.integers(0, 400))
def test_dirty_runs_equals_naive(bits: list[int], n: int) -> None:
    bm = bytes(bits)
    assert merge.dirty_runs(bm, n) == naive_runs(bm, n)


def test_dirty_runs_bit_order_from_spec() -> None:
    # §1.5: sectors 0, 9, 10 and 32767 -> byte 0 = 01, byte 1 = 06, byte 4095 = 80
    bm = bytearray(4096)
    bm[0], bm[1], bm[4095] = 0x01, 0x06, 0x80
    assert merge.dirty_runs(bytes(bm), 32768) == [(0, 1), (9, 11), (32767, 32768)]


def sector_data(rng: random.Random, zero_ratio: float = 0.0) -> bytes:
    if rng.random() < zero_ratio:
        return bytes(SECTOR)
    return rng.randbytes(SECTOR)


def expected_image(backing: str, dirty: dict[int, bytes]) -> bytes:
    img = bytearray(_read(backing))
    size = len(img)
    for s, data in dirty.items():
        end = min(size, (s + 1) * SECTOR)
        img[s * SECTOR:end] = data[:end - s * SECTOR]
    return bytes(img)


def make_backing(path: str, size: int, rng: random.Random, *, zero_blocks: bool = False) -> None:
    with open(path, "wb") as f:
        pos = 0
        while pos < size:
            n = min(size - pos, rng.choice([512, 4096, 65536, 200000]))
            if zero_blocks and rng.random() < 0.4:
                f.seek(pos + n)          # hole
            elif zero_blocks and rng.random() < 0.3:
                f.write(bytes(n))        # allocated zeros
            else:
                f.write(rng.randbytes(n))
            pos += n
        f.truncate(size)


def run_copy(cow: str, lay: Layout, backing: str, out: str) -> merge.MergeStats:
    cfd = os.open(cow, os.O_RDONLY)
    bfd = os.open(backing, os.O_RDONLY)
    try:
        return merge.merge_to_path(cfd, lay, bfd, out)
    finally:
        os.close(cfd)
        os.close(bfd)


def random_dirty(rng: random.Random, nsec: int, count: int, zero_ratio: float = 0.1) -> dict[int, bytes]:
    dirty: dict[int, bytes] = {}
    while len(dirty) < min(count, nsec):
        s = rng.randrange(nsec)
        for k in range(rng.choice([1, 1, 3, 8, 40])):
            if s + k < nsec:
                dirty[s + k] = sector_data(rng, zero_ratio)
    return dirty


@pytest.mark.parametrize("version", LAYOUTS)
@pytest.mark.parametrize("size", [64 << 10, 300 * SECTOR + 100, (1 << 20) + 4096])
def test_copy_merge_all_layouts(tmp_path, version: str, size: int) -> None:
    rng = random.Random(f"{version}{size}")
    backing = str(tmp_path / "base.img")
    make_backing(backing, size, rng, zero_blocks=True)
    nsec = (size + SECTOR - 1) // SECTOR
    if version in ("v1", "v2"):
        nsec = size // (8 * SECTOR) * 8      # the short v1/v2 bitmap has no bits beyond
    dirty = random_dirty(rng, nsec, nsec // 5)
    dirty[0] = rng.randbytes(SECTOR)
    cow = str(tmp_path / "x.cow")
    lay = build_cow(cow, backing, version, dirty)
    out = str(tmp_path / "out.img")
    stats = run_copy(cow, lay, backing, out)
    assert _read(out) == expected_image(backing, dirty)
    assert stats.dirty_sectors == len(dirty)


@pytest.mark.parametrize("window,granule,dense", [(8192, 1024, 0), (16384, 2048, 2), (4096, 512, 100)])
def test_copy_merge_window_paths(tmp_path, monkeypatch, window: int, granule: int, dense: int) -> None:
    """Small windows/granules exercise assembled, direct and whole-run windows."""
    monkeypatch.setattr(merge, "WINDOW", window)
    monkeypatch.setattr(merge, "GRANULE", granule)
    monkeypatch.setattr(merge, "DENSE_PIECES", dense)
    rng = random.Random(window + dense)
    size = 900 * SECTOR + 17
    backing = str(tmp_path / "base.img")
    make_backing(backing, size, rng, zero_blocks=True)
    dirty = random_dirty(rng, (size + SECTOR - 1) // SECTOR, 300, zero_ratio=0.3)
    for s in range(100, 160):                 # one long run spanning windows
        dirty[s] = sector_data(rng, 0.5)
    dirty[(size + SECTOR - 1) // SECTOR - 1] = rng.randbytes(SECTOR)   # partial last sector
    cow = str(tmp_path / "x.cow")
    lay = build_cow(cow, backing, "v3", dirty)
    out = str(tmp_path / "out.img")
    run_copy(cow, lay, backing, out)
    assert _read(out) == expected_image(backing, dirty)
    assert os.path.getsize(out) == size


def test_copy_merge_output_is_sparse(tmp_path) -> None:
    size = 32 << 20
    backing = str(tmp_path / "base.img")
    with open(backing, "wb") as f:           # 1 MiB data, 8 MiB allocated zeros, rest hole
        f.write(os.urandom(1 << 20))
        f.write(bytes(8 << 20))
        f.truncate(size)
    dirty = {s: os.urandom(SECTOR) for s in range(20480, 20488)}        # 4 KiB at 10 MiB
    dirty.update({s: bytes(SECTOR) for s in range(40960, 41984)})       # 512 KiB of zeros at 20 MiB
    cow = str(tmp_path / "x.cow")
    lay = build_cow(cow, backing, "v3", dirty)
    out = str(tmp_path / "out.img")
    run_copy(cow, lay, backing, out)
    assert _read(out) == expected_image(backing, dirty)
    allocated = os.stat(out).st_blocks * 512
    assert allocated <= (1 << 20) + (256 << 10), allocated   # data + small slack, no zeros


def test_copy_merge_truncated_cow_fails_and_leaves_nothing(tmp_path) -> None:
    size = 1 << 20
    backing = str(tmp_path / "base.img")
    with open(backing, "wb") as f:
        f.write(os.urandom(size))
    dirty = {2000: os.urandom(SECTOR)}
    cow = str(tmp_path / "x.cow")
    lay = build_cow(cow, backing, "v3", dirty)
    os.truncate(cow, lay.data_offset + 1000 * SECTOR)     # marked sector now beyond EOF
    out = tmp_path / "out.img"
    out.write_bytes(b"keep me")
    with pytest.raises(ToolError, match="Reading data"):
        run_copy(cow, lay, backing, str(out))
    assert out.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.img", "out.img", "x.cow"]


@pytest.mark.parametrize("version", LAYOUTS)
def test_inplace_merge(tmp_path, monkeypatch, version: str) -> None:
    monkeypatch.setattr(merge, "WINDOW", 16384)
    monkeypatch.setattr(merge, "GRANULE", 2048)
    monkeypatch.setattr(merge, "INPLACE_DENSE", 3)
    rng = random.Random(version)
    size = 1200 * SECTOR
    backing = str(tmp_path / "base.img")
    make_backing(backing, size, rng, zero_blocks=True)
    dirty = random_dirty(rng, size // (8 * SECTOR) * 8, 400, zero_ratio=0.3)
    for s in range(500, 540):
        dirty[s] = bytes(SECTOR)
    cow = str(tmp_path / "x.cow")
    lay = build_cow(cow, backing, version, dirty)
    # punch the zero run out of the COW (as a guest discard would): still marked
    with open(cow, "r+b") as f:
        f.seek(lay.data_offset + 500 * SECTOR)
        f.write(bytes(40 * SECTOR))
    want = expected_image(backing, dirty)
    cow_before = _read(cow)
    cfd = os.open(cow, os.O_RDONLY)
    bfd = os.open(backing, os.O_RDWR)
    try:
        stats = merge.merge_into(cfd, lay, bfd)
    finally:
        os.close(cfd)
        os.close(bfd)
    assert _read(backing) == want
    assert _read(cow) == cow_before
    assert stats.dirty_sectors == len(dirty)


def test_inplace_writes_only_dirty_runs(tmp_path) -> None:
    size = 4 << 20
    backing = str(tmp_path / "base.img")
    with open(backing, "wb") as f:
        f.truncate(size)                       # all hole
    dirty = {s: os.urandom(SECTOR) for s in (8, 9, 4000)}
    cow = str(tmp_path / "x.cow")
    lay = build_cow(cow, backing, "v3", dirty)
    cfd = os.open(cow, os.O_RDONLY)
    bfd = os.open(backing, os.O_RDWR)
    try:
        stats = merge.merge_into(cfd, lay, bfd)
    finally:
        os.close(cfd)
        os.close(bfd)
    assert stats.bytes_written == 3 * SECTOR
    assert os.stat(backing).st_blocks * 512 <= 3 * 4096
    assert _read(backing) == expected_image(backing, dirty)
