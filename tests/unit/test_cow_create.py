"""COW creation (spec §1.6), backing-path absolutization (§1.7) and header
rewrite for relocation in every version, data kept (§2.5 step 10, §7.7)."""

from __future__ import annotations

import os

import pytest

from conftest import FIXED_MTIME, sha256_file
from test_cow_header import handmade
from umlpy.errors import CowError
from umlpy.ubd.cow import absolutize, create_cow, read_header, rewrite_backing
from umlpy.ubd.opening import open_disk
from umlpy.ubd.options import parse_ubd_switch


def test_create_sparse_full_length(tmp_path, make_image) -> None:
    make_image("base.img", 16 << 20, sparse=True)
    h = create_cow(str(tmp_path / "c.cow"), "base.img", cwd=str(tmp_path))
    st = os.stat(tmp_path / "c.cow")
    assert st.st_size == 16789504 == h.layout_file_size()
    assert st.st_blocks * 512 <= 64 << 10          # sparse: header (+ last block) only
    assert (h.version, h.mtime, h.size, h.alignment, h.backing_file) == (
        3, FIXED_MTIME, 16 << 20, 4096, str(tmp_path / "base.img"))
    assert read_header(str(tmp_path / "c.cow")) == h


def test_create_refuses_existing_and_force_truncates(tmp_path, make_image) -> None:
    make_image("base.img", 65536)
    cowp = tmp_path / "c.cow"
    create_cow(str(cowp), str(tmp_path / "base.img"))
    with open(cowp, "r+b") as f:              # dirty it: a bitmap bit and data
        f.seek(8192)
        f.write(b"\xff")
        f.seek(12288)
        f.write(b"x" * 512)
        f.truncate(200000)
    before = sha256_file(cowp)
    with pytest.raises(CowError, match="File exists"):
        create_cow(str(cowp), str(tmp_path / "base.img"))
    assert sha256_file(cowp) == before
    create_cow(str(cowp), str(tmp_path / "base.img"), force=True)
    data = cowp.read_bytes()
    assert len(data) == 77824 and data[4128:] == bytes(len(data) - 4128)


def test_create_missing_backing_leaves_nothing(tmp_path) -> None:
    with pytest.raises(CowError, match="Couldn't stat"):
        create_cow(str(tmp_path / "c.cow"), str(tmp_path / "nope.img"))
    assert not (tmp_path / "c.cow").exists()


def test_create_refuses_backing_as_cow(tmp_path, make_image) -> None:
    base = make_image("base.img", 65536)
    before = sha256_file(base)
    with pytest.raises(CowError, match="backing file itself"):
        create_cow(str(base), str(base), force=True)
    assert sha256_file(base) == before


def test_absolutize_rules(tmp_path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    (real / "b.img").write_bytes(b"")
    (real / "flink.img").symlink_to(real / "b.img")
    t = str(tmp_path)
    assert absolutize("b.img", cwd=str(real)) == f"{real}/b.img"
    assert absolutize("link/b.img", cwd=t) == f"{real}/b.img"          # physical directory
    assert absolutize(f"{t}/link/flink.img") == f"{real}/flink.img"     # file symlink kept
    assert absolutize("/b.img") == "/b.img"                             # UML fails here
    assert absolutize("../real/b.img", cwd=str(real)) == f"{real}/b.img"
    with pytest.raises(CowError) as ei:
        absolutize("nodir/b.img", cwd=t)
    assert str(ei.value) == "absolutize : Can't cd to 'nodir/b.img' - errno = 2"
    long = "x" * 4096
    with pytest.raises(CowError) as ei:
        absolutize(long)
    assert str(ei.value) == (f'Backing file name "{long}" is too long - names are limited '
                             "to 4095 characters")


def test_absolutize_long_cwd(tmp_path) -> None:
    deep = tmp_path
    while len(str(deep)) < 300:
        deep = deep / ("d" * 50)
    deep.mkdir(parents=True)
    assert absolutize("b.img", cwd=str(deep)) == f"{deep}/b.img"       # UML: errno = 34


def _write_cow(tmp_path, version: int, size: int, backing: str, **kw) -> str:
    """A handmade COW of the given version with sector 1 COW'd as b'C'*512."""
    raw = handmade(version, size, mtime=FIXED_MTIME, path=backing.encode(), **kw)
    from umlpy.ubd.cow import parse_header
    h = parse_header(raw)
    p = tmp_path / f"v{version}{'b' if kw.get('broken') else ''}.cow"
    with open(p, "wb") as f:
        f.write(raw)
        f.truncate(h.layout_file_size())
        f.seek(h.bitmap_offset)
        f.write(b"\x02")
        f.seek(h.data_offset + 512)
        f.write(b"C" * 512)
    return str(p)


@pytest.mark.parametrize("version,kw", [(1, {"big_endian": False}), (1, {"big_endian": True}),
                                        (2, {}), (3, {}), (3, {"broken": True})])
def test_relocation_keeps_data(tmp_path, make_image, version, kw) -> None:
    old = make_image("old.img", 65536, seed=1)
    cowp = _write_cow(tmp_path, version, 65536, str(old), **kw)
    h0 = read_header(cowp)
    moved = tmp_path / "sub" / "new.img"
    moved.parent.mkdir()
    os.rename(old, moved)
    logs: list[str] = []
    d = open_disk(parse_ubd_switch(f"a={cowp},{moved}"), log=logs.append)
    assert logs[-1] == f"Switching backing file to '{moved}'"
    d.close()
    h1 = read_header(cowp)
    assert h1.backing_file == str(moved)
    assert (h1.version, h1.bitmap_offset, h1.data_offset) == (h0.version, h0.bitmap_offset,
                                                              h0.data_offset)
    with open_disk(parse_ubd_switch(f"a={cowp}")) as d:   # COW alone: new header is used
        buf = bytearray(1536)
        d.readinto(0, memoryview(buf))
    base = moved.read_bytes()
    assert buf[512:1024] == b"C" * 512
    assert buf[:512] == base[:512] and buf[1024:] == base[1024:1536]


def test_v1_relocation_too_long_refused(tmp_path, make_image) -> None:
    old = make_image("old.img", 65536)
    cowp = _write_cow(tmp_path, 1, 65536, str(old), big_endian=False)
    h = read_header(cowp)
    before = sha256_file(cowp)
    with pytest.raises(CowError, match="too long for a version 1"):
        rewrite_backing(cowp, h, "/" + "n" * 300, FIXED_MTIME, 65536)
    assert sha256_file(cowp) == before
