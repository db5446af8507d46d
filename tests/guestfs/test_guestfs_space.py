"""Running out of space and inodes, statfs numbers, superblock state and mount
checks (brief H6)."""

from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path

import pytest

from .conftest import Image


def statfs(img: Image) -> dict[str, int]:
    out = img.run("statfs\n").out
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", out)}


@pytest.mark.parametrize("block", [1024, 4096])
def test_fill_disk_until_enospc_and_recover(mkimg, tmp_path: Path, block: int) -> None:
    img = mkimg("4M", block)
    before = statfs(img)
    res = img.run("mkdir /d\nwritestr /d/keep 0 keep\n!ENOSPC fillup /d/fill\n")
    filled = int(re.search(r"filled (\d+)", res.out).group(1))
    img.fsck()
    assert img.super()["Free blocks"] == "0"
    assert statfs(img)["bfree"] == 0
    assert int(img.stat("/d/fill")["Size"]) == filled
    assert filled > before["bfree"] * block * 9 // 10
    img.run("!ENOSPC writestr /d/more 0 x\n!ENOSPC mkdir /d/sub\n")
    img.fsck()
    img.run("rm /d/fill\nwritestr /d/more 0 after\nmkdir /d/sub\n")
    img.fsck()
    assert img.cat("/d/more", tmp_path) == b"after"
    assert img.cat("/d/keep", tmp_path) == b"keep"


def test_run_out_of_inodes(mkimg) -> None:
    img = mkimg("4M", 1024, "-N", "32")
    total_free = int(img.super()["Free inodes"])
    script = "".join(f"writestr /f{i} 0 x\n" for i in range(total_free))
    img.run(script + "!ENOSPC writestr /one-too-many 0 x\n!ENOSPC mkdir /dir\n")
    img.fsck()
    assert img.super()["Free inodes"] == "0"
    img.run("rm /f3\nmkdir /dir\n")
    img.fsck()


def test_statfs_matches_dumpe2fs(mkimg) -> None:
    img = mkimg("20M", 1024)
    img.run("writepat /f 0 300000 1\nmkdir /a\n")
    sb = img.super()
    st = statfs(img)
    assert st["bfree"] == int(sb["Free blocks"])
    assert st["bavail"] == int(sb["Free blocks"]) - int(sb["Reserved block count"])
    assert st["files"] == int(sb["Inode count"]) and st["ffree"] == int(sb["Free inodes"])
    assert st["bsize"] == 1024 and st["namelen"] == 255
    # total = blocks minus superblocks, descriptors, bitmaps and inode tables (Linux "bsddf")
    groups = -(-int(sb["Block count"]) // int(sb["Blocks per group"]))
    itb = int(sb["Inode blocks per group"])
    supers = sum(1 for g in range(groups) if g <= 1 or any(_is_power(g, b) for b in (3, 5, 7)))
    gdb = -(-groups * 32 // 1024)
    assert st["blocks"] == int(sb["Block count"]) - 1 - supers * (1 + gdb) - groups * (2 + itb)


def _is_power(g: int, base: int) -> bool:
    while g > 1 and g % base == 0:
        g //= base
    return g == 1


def test_superblock_state_mount_count_and_times(mkimg) -> None:
    img = mkimg("8M", 1024)
    sb0 = img.super()
    img.run("writestr /f 0 x\ncrash\n", env={"FSTOOL_TIME": "1700000000"})
    sb1 = img.super()
    assert sb1["Filesystem state"] == "not clean"
    assert int(sb1["Mount count"]) == int(sb0["Mount count"]) + 1
    assert sb1["Last mount time"].endswith("2023") and sb1["Last write time"].endswith("2023")
    res = img.run("stat /f\n")
    assert "mounting unchecked fs" in res.err
    sb2 = img.super()
    assert sb2["Filesystem state"] == "not clean"   # state kept as found, like Linux
    subprocess.run(["e2fsck", "-fy", str(img.path)], capture_output=True, timeout=60)
    assert img.super()["Filesystem state"] == "clean"
    res = img.run("writestr /g 0 y\n")
    assert img.super()["Filesystem state"] == "clean"
    assert "unchecked" not in res.err
    img.fsck()


def test_readonly_mount_writes_nothing(mkimg) -> None:
    img = mkimg("8M", 1024)
    img.run("writestr /f 0 x\n")
    before = img.path.read_bytes()
    img.run("!EROFS writestr /g 0 x\n!EROFS mkdir /d\n!EROFS rm /f\n!EROFS truncate /f 0\nstat /f\n",
            readonly=True)
    assert img.path.read_bytes() == before


def _patch_super(img: Image, offset: int, fmt: str, value: int) -> None:
    with open(img.path, "r+b") as f:
        f.seek(1024 + offset)
        f.write(struct.pack(fmt, value))


def test_unknown_incompat_feature_refuses_mount(mkimg) -> None:
    img = mkimg("8M", 1024)
    _patch_super(img, 96, "<I", 0x0002 | 0x0040)        # filetype + extents
    before = img.path.read_bytes()
    res = img.run("stat /\n", check=False)
    assert res.rc == 2
    assert "unsupported INCOMPAT features 0x40" in res.err
    assert img.path.read_bytes() == before


def test_unknown_ro_compat_feature_mounts_readonly(mkimg) -> None:
    img = mkimg("8M", 1024)
    _patch_super(img, 100, "<I", 0x0001 | 0x0002 | 0x0400)  # + metadata_csum
    before = img.path.read_bytes()
    res = img.run("stat /\n!EROFS mkdir /x\n")
    assert "mounting read-only" in res.err
    assert img.path.read_bytes() == before


@pytest.mark.parametrize("offset,fmt,value,msg", [
    (56, "<H", 0x1234, "bad magic"),
    (76, "<I", 0, "revision 0"),
    (24, "<I", 5, "block size"),
])
def test_bad_superblock_refused(mkimg, offset: int, fmt: str, value: int, msg: str) -> None:
    img = mkimg("8M", 1024)
    _patch_super(img, offset, fmt, value)
    res = img.run("stat /\n", check=False)
    assert res.rc == 2 and msg in res.err


def test_htree_directory_loses_index_flag_when_modified(mkimg, tmp_path: Path) -> None:
    img = mkimg("16M", 1024)
    img.run("mkdir /big\n" + "".join(f"writestr /big/file-with-a-long-name-{i:04d} 0 {i}\n" for i in range(400)))
    p = subprocess.run(["e2fsck", "-fyD", str(img.path)], capture_output=True, text=True, timeout=60)
    assert p.returncode in (0, 1), p.stdout
    assert img.stat("/big")["Flags"] == "0x1000"           # indexed by e2fsck -D
    res = img.run("ls /big\n")
    assert len(res.out.splitlines()) == 402                  # linear scan reads htree blocks
    assert img.run("readhex /big/file-with-a-long-name-0123 0 3\n").out.strip() == b"123".hex()
    img.run("writestr /big/new 0 n\nrm /big/file-with-a-long-name-0007\n")
    assert img.stat("/big")["Flags"] == "0x0"
    img.fsck()
    assert "new" in img.ls("/big") and "file-with-a-long-name-0007" not in img.ls("/big")
