"""The Disk data path (spec §3) against real files and a plain-bytes model:
random I/O, mixed COW/backing pages, short tails, discard/write-zeroes, range
errors, coalescing, persistence, and a backing file that never changes."""

from __future__ import annotations

import os
import random

import pytest

from conftest import sha256_file
from umlpy.errors import DiskIOError, DiskRangeError
from umlpy.ubd.cow import read_header
from umlpy.ubd.opening import open_disk
from umlpy.ubd.options import parse_ubd_switch


def opened(text: str, tmp_path):
    cfg = parse_ubd_switch(text)
    assert cfg is not None
    return open_disk(cfg, cwd=str(tmp_path))


def read(d, off: int, n: int) -> bytes:
    buf = bytearray(n)
    d.readinto(off, memoryview(buf))
    return bytes(buf)


@pytest.mark.parametrize("kind", ["cow", "plain"])
def test_random_io_against_model(tmp_path, make_image, kind: str) -> None:
    size = 3 << 20
    base = make_image("base.img", size, seed=7)
    base_hash = sha256_file(base)
    model = bytearray(base.read_bytes())
    text = "a=c.cow,base.img" if kind == "cow" else "a=base.img"
    rnd = random.Random(11)
    d = opened(text, tmp_path)
    for i in range(300):
        sector = rnd.randrange(size // 512)
        n = rnd.randint(1, min(256, size // 512 - sector))
        op = rnd.random()
        if op < 0.45:
            data = rnd.randbytes(n * 512)
            d.write(sector * 512, memoryview(data))
            model[sector * 512:(sector + n) * 512] = data
        elif op < 0.5:
            d.discard(sector * 512, n * 512)
            model[sector * 512:(sector + n) * 512] = bytes(n * 512)
        elif op < 0.55:
            d.write_zeroes(sector * 512, n * 512)
            model[sector * 512:(sector + n) * 512] = bytes(n * 512)
        else:
            assert read(d, sector * 512, n * 512) == model[sector * 512:(sector + n) * 512]
        if i == 150:                 # reopen midway: the on-disk bitmap is complete
            d.flush()
            d.close()
            d = opened("a=c.cow" if kind == "cow" else "a=base.img", tmp_path)
    assert read(d, 0, size) == model
    d.close()
    if kind == "cow":
        assert sha256_file(base) == base_hash
        with opened("a=c.cow", tmp_path) as d2:
            assert read(d2, 0, size) == model


def test_mixed_page_reads_are_correct(tmp_path, make_image) -> None:
    """UML 6.1 returns backing sectors 4..11 in place of 8..15 here (§3.3); we do not."""
    base = make_image("base.img", 1 << 20, seed=3)
    b = base.read_bytes()
    with opened("a=c.cow,base.img", tmp_path) as d:
        d.write(3 * 512, memoryview(b"X" * 512))
        d.stats["read_calls"] = 0
        got = read(d, 0, 16384)
        assert got == b[:1536] + b"X" * 512 + b[2048:16384]
        assert d.stats["read_calls"] == 3          # backing, COW, backing: coalesced runs
        d.stats["read_calls"] = 0
        assert read(d, 8192, 8192) == b[8192:16384]
        assert d.stats["read_calls"] == 1


def test_short_tail_reads_zero(tmp_path, make_image) -> None:
    base = make_image("base.img", 1000, seed=4)
    b = base.read_bytes()
    with opened("a=c.cow,base.img", tmp_path) as d:    # 2-bit bitmap: UML hangs (§3.2)
        assert d.size == 1024
        assert read(d, 0, 1024) == b + bytes(24)
        d.write(512, memoryview(b"T" * 512))
        assert read(d, 0, 1024) == b[:512] + b"T" * 512
    with opened("a=c.cow", tmp_path) as d:
        assert read(d, 0, 1024) == b[:512] + b"T" * 512
    with opened("b=base.img", tmp_path) as d:           # plain image: zeros too (§3.3 bug 2)
        assert read(d, 512, 512) == b[512:] + bytes(24)


def test_bitmap_bytes_written_only_when_changed(tmp_path, make_image) -> None:
    make_image("base.img", 16 << 20, sparse=True)
    with opened("a=c.cow,base.img", tmp_path) as d:
        for s in (0, 9, 10, 32767):
            d.write(s * 512, memoryview(b"\1" * 512))
        assert d.stats["bitmap_writes"] == 4           # one per newly marked sector
        d.write(9 * 512, memoryview(b"\2" * 1024))     # already marked: data only
        assert d.stats["bitmap_writes"] == 4
    h = read_header(str(tmp_path / "c.cow"))
    with open(tmp_path / "c.cow", "rb") as f:
        f.seek(h.bitmap_offset)
        bm = f.read(h.bitmap_len)
    assert bm[0] == 0x01 and bm[1] == 0x06 and bm[4095] == 0x80     # the spec §1.5 example
    assert bm[2:4095] == bytes(4093)


def test_discard_on_cow_hides_backing_and_punches(tmp_path, make_image) -> None:
    base = make_image("base.img", 1 << 20, seed=5)
    b = base.read_bytes()
    with opened("a=c.cow,base.img", tmp_path) as d:
        d.write(0, memoryview(b"D" * 65536))
        blocks_before = os.stat(tmp_path / "c.cow").st_blocks
        d.discard(0, 65536)
        d.write_zeroes(65536, 4096)
        assert read(d, 0, 65536 + 8192) == bytes(65536 + 4096) + b[65536 + 4096:65536 + 8192]
        assert os.stat(tmp_path / "c.cow").st_blocks < blocks_before
    with opened("a=c.cow", tmp_path) as d:
        assert read(d, 0, 4096) == bytes(4096)
    with pytest.raises(DiskIOError, match="disabled"):
        with opened("at=c.cow", tmp_path) as d:
            d.discard(0, 512)


def test_range_and_alignment_errors_before_io(tmp_path, make_image) -> None:
    make_image("base.img", 65536)
    with opened("a=c.cow,base.img", tmp_path) as d:
        before = sha256_file(tmp_path / "c.cow")
        for off, n in ((65536, 512), (65024, 1024), (100, 512), (0, 100), (-512, 512)):
            with pytest.raises(DiskRangeError):
                d.write(off, memoryview(bytes(n)))
            with pytest.raises(DiskRangeError):
                d.readinto(off, memoryview(bytearray(n)))
            with pytest.raises(DiskRangeError):
                d.discard(off, n)
        assert sha256_file(tmp_path / "c.cow") == before
    with pytest.raises(DiskIOError):
        d.readinto(0, memoryview(bytearray(512)))       # closed


def test_sync_flag_and_flush(tmp_path, make_image) -> None:
    make_image("base.img", 65536)
    with opened("as=c.cow,base.img", tmp_path) as d:
        with open(f"/proc/self/fdinfo/{d.image.fd}") as f:
            flags = int(next(l for l in f if l.startswith("flags:")).split()[1], 8)
        assert flags & os.O_SYNC == os.O_SYNC
        assert flags & os.O_CLOEXEC
        with open(f"/proc/self/fdinfo/{d.backing.fd}") as f:
            bflags = int(next(l for l in f if l.startswith("flags:")).split()[1], 8)
        assert bflags & os.O_ACCMODE == os.O_RDONLY    # the backing cannot be written
        d.write(0, memoryview(b"s" * 512))
        d.flush()
    with opened("a=c.cow", tmp_path) as d:
        assert read(d, 0, 512) == b"s" * 512


def test_v2_cow_bitmap_rounding_is_covered(tmp_path, make_image) -> None:
    """A v2 COW with 100 sectors: header bitmap_len 12 (round-down) but all 100 sectors
    are addressable and survive a reopen."""
    import struct
    base = make_image("base.img", 100 * 512, seed=9)
    raw = bytearray(4120)
    raw[0:8] = bytes.fromhex("4f4f4f4d00000002")
    p = os.fsencode(str(base))
    raw[8:8 + len(p)] = p
    struct.pack_into(">IQi", raw, 4104, int(os.stat(base).st_mtime), 100 * 512, 512)
    with open(tmp_path / "v2.cow", "wb") as f:
        f.write(raw)
        f.truncate(4608 + 100 * 512)
    with opened("a=v2.cow", tmp_path) as d:
        d.write(99 * 512, memoryview(b"L" * 512))
    with opened("a=v2.cow", tmp_path) as d:
        assert read(d, 98 * 512, 1024) == base.read_bytes()[98 * 512:99 * 512] + b"L" * 512


def test_failed_bitmap_write_is_retried(tmp_path, make_image, monkeypatch) -> None:
    """If the bitmap write fails (fault injected: EIO below data_offset), the bits are
    not left set only in memory: the next write of the same sectors writes the bitmap
    again and it reaches the file."""
    import errno

    from umlpy.ubd import disk as disk_mod
    make_image("base.img", 65536)
    d = opened("a=c.cow,base.img", tmp_path)
    real = disk_mod._pwrite_full

    def failing(fd, buf, offset):
        if offset < d.header.data_offset:
            raise OSError(errno.EIO, "injected")
        real(fd, buf, offset)

    monkeypatch.setattr(disk_mod, "_pwrite_full", failing)
    with pytest.raises(DiskIOError, match="injected"):
        d.write(512, memoryview(b"x" * 512))
    assert not d.bitmap.test(1)
    monkeypatch.setattr(disk_mod, "_pwrite_full", real)
    d.write(512, memoryview(b"y" * 512))
    d.close()
    with opened("a=c.cow", tmp_path) as d2:
        assert d2.bitmap.test(1) and read(d2, 512, 512) == b"y" * 512


def test_directory_as_image(tmp_path) -> None:
    from umlpy.errors import UbdError
    (tmp_path / "dir").mkdir()
    with pytest.raises(UbdError, match="Failed to open 'dir', errno = 21"):
        opened("ar=dir", tmp_path)
