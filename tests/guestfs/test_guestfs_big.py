"""Large files and directories (brief H6): a 66 MiB file on 1 KiB blocks reaches
the triple-indirect block; sparse files far out; truncation back through every
map level; a directory with 500 entries, half deleted, slots reused."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from .conftest import pattern

PER = 256          # block numbers per 1 KiB indirect block
TRIPLE_START = 12 + PER + PER * PER   # first logical block mapped by the triple-indirect block


def blocks_used(nblocks: int) -> int:
    """Data + indirect blocks of a fully written file of nblocks 1 KiB blocks."""
    ind = 0
    rest = nblocks - 12
    if rest > 0:
        ind += 1
        rest -= PER
    if rest > 0:
        n = min(rest, PER * PER)
        ind += 1 + -(-n // PER)
        rest -= n
    if rest > 0:
        ind += 1 + -(-rest // (PER * PER)) + -(-rest // PER)
    return nblocks + ind


@pytest.mark.slow
def test_triple_indirect_file(mkimg, tmp_path: Path) -> None:
    img = mkimg("90M", 1024)
    size = 66 * 1024 * 1024 + 123
    data = os.urandom(size)
    (tmp_path / "big").write_bytes(data)
    img.run(f"put {tmp_path}/big /big\n")
    img.fsck()
    nblk = -(-size // 1024)
    assert nblk > TRIPLE_START
    st = img.stat("/big")
    assert st["Size"] == str(size)
    assert st["Blockcount"] == str(blocks_used(nblk) * 2)
    assert "(TIND)" in img.debugfs("stat /big")
    assert img.cat("/big", tmp_path) == data
    img.run(f"get /big {tmp_path}/back\n")
    assert (tmp_path / "back").read_bytes() == data
    free_empty = None
    # shrink through every level of the map, fsck after each step
    for new in (TRIPLE_START * 1024 + 5000, (12 + PER + 300) * 1024 + 1, (12 + 7) * 1024, 5 * 1024 + 9, 0):
        img.run(f"truncate /big {new}\n")
        img.fsck()
        assert img.stat("/big")["Size"] == str(new)
        assert img.stat("/big")["Blockcount"] == str(blocks_used(-(-new // 1024)) * 2)
        if new:
            assert img.cat("/big", tmp_path) == data[:new]
    img.run("rm /big\n")
    img.fsck()
    free_empty = int(img.super()["Free blocks"])
    fresh = mkimg("90M", 1024)
    assert free_empty == int(fresh.super()["Free blocks"])


def test_sparse_file_far_out(mkimg, tmp_path: Path) -> None:
    img = mkimg("16M", 1024)
    off = 8 * 1024 * 1024 * 1024 + 777        # 8 GiB: triple-indirect range, > 2 GiB (large_file)
    img.run(f"writepat /sparse {off} 3000 4\nwritepat /sparse 100 10 2\n")
    img.fsck()
    st = img.stat("/sparse")
    assert st["Size"] == str(off + 3000)
    res = img.run("stat /sparse\n")
    blocks = int(re.search(r"blocks=(\d+)", res.out).group(1))
    # block 0, 3 or 4 data blocks at the far end and their indirect chain (TIND+DIND+IND)
    assert blocks == int(st["Blockcount"]) and blocks <= 2 * (1 + 4 + 3)
    # read back through the harness (holes are zero) ...
    res = img.run(f"readhex /sparse 0 110\nreadhex /sparse {off - 5} 4000\n")
    head, tail = res.out.split()
    assert bytes.fromhex(head) == bytes(100) + pattern(10, 2)
    assert bytes.fromhex(tail) == bytes(5) + pattern(3000, 4)
    # ... and through debugfs's own block map, reading the raw image
    listing = img.debugfs("stat /sparse")
    assert "(TIND)" in listing
    raw = img.path.read_bytes()
    lbn = off // 1024
    m = re.search(rf"\({lbn}(?:-\d+)?\):(\d+)", listing)
    assert m, listing
    phys = int(m.group(1))
    assert raw[phys * 1024 + off % 1024: phys * 1024 + 1024] == pattern(1024 - off % 1024, 4)
    img.run(f"truncate /sparse 50\n")
    img.fsck()
    assert img.stat("/sparse")["Blockcount"] == "2"


@pytest.mark.parametrize("block", [1024, 4096])
def test_directory_500_entries(mkimg, tmp_path: Path, block: int) -> None:
    img = mkimg("16M", block)
    names = [f"entry-{i:04d}-{'x' * (i % 40)}" for i in range(500)]
    img.run("mkdir /d\n" + "".join(f"writestr /d/{n} 0 {i}\n" for i, n in enumerate(names)))
    img.fsck()
    listed = img.ls("/d")
    assert set(listed) == set(names) | {".", ".."}
    size_full = int(img.stat("/d")["Size"])
    assert size_full > 4 * block
    res = img.run("ls /d\n")
    assert sorted(l.split(" ", 2)[2] for l in res.out.splitlines()) == sorted(names + [".", ".."])
    assert all(l.split(" ")[1] in ("4", "8") for l in res.out.splitlines())
    gone = names[::2]
    img.run("".join(f"rm /d/{n}\n" for n in gone))
    img.fsck()
    assert set(img.ls("/d")) == set(names[1::2]) | {".", ".."}
    # re-adding the same names reuses the freed, coalesced space: no growth
    img.run("".join(f"writestr /d/{n} 0 again\n" for n in gone))
    img.fsck()
    assert int(img.stat("/d")["Size"]) == size_full
    assert img.cat(f"/d/{gone[7]}", tmp_path) == b"again"
    img.run("".join(f"rm /d/{n}\n" for n in names) + "rmdir /d\n")
    img.fsck()
