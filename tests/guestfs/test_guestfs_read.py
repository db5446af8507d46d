"""Reading a tree staged with `mke2fs -d` (files of many sizes incl. sparse,
fast and slow symlinks, nested and empty directories, hard links): the guest
fs code must read back exactly what the host staged (brief H6)."""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest


def stage(root: Path) -> None:
    rnd = random.Random(1234)
    root.mkdir()
    (root / "empty").write_bytes(b"")
    for size in (1, 59, 60, 1023, 1024, 1025, 4095, 4096, 4097, 12 * 1024, 12 * 1024 + 1,
                 300 * 1024, 1100 * 1024):
        (root / f"f{size}").write_bytes(rnd.randbytes(size))
    with open(root / "sparse", "wb") as f:       # holes at the start, middle and end
        f.seek(50000)
        f.write(b"middle")
        f.seek(3 * 1024 * 1024)
        f.write(rnd.randbytes(5000))
        f.truncate(5 * 1024 * 1024)
    deep = root / "a" / "b" / "c" / "d"
    deep.mkdir(parents=True)
    (deep / "leaf").write_bytes(b"leaf\n")
    (root / "emptydir").mkdir()
    many = root / "many"
    many.mkdir()
    for i in range(150):
        (many / f"n{i:03d}").write_bytes(str(i).encode())
    os.symlink("f1", root / "fastlink")
    os.symlink("a/b/c/d/leaf", root / "rel")
    os.symlink("/" + "long" * 40, root / "slowlink")
    os.symlink("../../f1", root / "a" / "b" / "up")
    os.link(root / "f1", root / "hardlink")


def compare(a: Path, b: Path) -> None:
    left = sorted(p.relative_to(a) for p in a.rglob("*"))
    right = sorted(p.relative_to(b) for p in b.rglob("*"))
    assert left == right
    for rel in left:
        pa, pb = a / rel, b / rel
        if pa.is_symlink():
            assert pb.is_symlink() and os.readlink(pa) == os.readlink(pb), rel
        elif pa.is_dir():
            assert pb.is_dir() and not pb.is_symlink(), rel
        else:
            assert pb.is_file() and not pb.is_symlink(), rel
            assert pa.read_bytes() == pb.read_bytes(), rel


@pytest.mark.parametrize("block,inode", [(1024, "128"), (1024, "256"), (4096, "256"), (2048, "128")])
def test_read_staged_tree(mkimg, tmp_path: Path, block: int, inode: str) -> None:
    src = tmp_path / "src"
    stage(src)
    img = mkimg("32M", block, "-I", inode, root=src)
    img.fsck()
    out = tmp_path / "out"
    img.run(f"export / {out}\n", readonly=True)
    compare(src, out)
    res = img.run("stat /sparse\nlstat /slowlink\nstat /hardlink\nstat /f1126400\n", readonly=True)
    sparse, slow, hard, big = res.out.splitlines()
    assert "size=5242880" in sparse
    assert int(re.search(r"blocks=(\d+)", sparse).group(1)) < 2 * 20 * (4096 // 1024) * 2
    assert "mode=0120777" in slow and f"size={len('/' + 'long' * 40)}" in slow
    assert "nlink=2" in hard
    assert f"blocks={img.stat('/f1126400')['Blockcount']}" in big
    assert re.search(r"ino=(\d+)", hard).group(1) == str(img.ls("/")["f1"])
    # reading through a symlinked path and ".." components
    res = img.run("readhex /a/b/up 0 1\nreadhex /a/b/c/../../../rel 0 5\nreadhex /a/b/c/d/leaf/ 0 1\n",
                  readonly=True, check=False)
    lines = res.out.splitlines()
    assert bytes.fromhex(lines[0]) == (src / "f1").read_bytes()
    assert bytes.fromhex(lines[1]) == b"leaf\n"
    assert "ENOTDIR" in res.err and res.rc == 1


def test_write_into_staged_tree(mkimg, tmp_path: Path) -> None:
    src = tmp_path / "src"
    stage(src)
    img = mkimg("32M", 1024, root=src)
    img.run("writestr /sparse 1000 hole-filled\nrm /f1126400\nmv /many /a/many\nrm /hardlink\n"
            "truncate /f307200 100\nappend /f1 /dev/null\n")
    img.fsck()
    data = bytearray((src / "sparse").read_bytes())
    data[1000:1011] = b"hole-filled"
    assert img.cat("/sparse", tmp_path) == bytes(data)
    assert len(img.ls("/a/many")) == 152
    assert img.stat("/f1")["Links"] == "1"
