"""Basic ext2 operations through the guest fs code, checked with e2fsck -fn and
debugfs (brief H6: create/write/append/truncate/unlink/mkdir/rmdir/rename/symlink)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import pattern


@pytest.mark.parametrize("block,inode", [(1024, "128"), (1024, "256"), (2048, "256"), (4096, "256")])
def test_create_write_append_truncate(mkimg, tmp_path: Path, block: int, inode: str) -> None:
    img = mkimg("16M", block, "-I", inode)
    data = pattern(70000, 3)
    (tmp_path / "d").write_bytes(data)
    img.run(f"""
mkdir /dir
put {tmp_path}/d /dir/file
append /dir/file {tmp_path}/d
writestr /dir/small 0 hello
writepat /dir/pat 5000 3000 9
truncate /dir/small 2
""")
    img.fsck()
    assert img.cat("/dir/file", tmp_path) == data + data
    assert img.cat("/dir/small", tmp_path) == b"he"
    assert img.cat("/dir/pat", tmp_path) == bytes(5000) + pattern(3000, 9)
    st = img.stat("/dir/file")
    assert st["Size"] == str(2 * len(data)) and st["Links"] == "1"
    img.run("truncate /dir/file 100\ntruncate /dir/file 5000\n")
    img.fsck()
    assert img.cat("/dir/file", tmp_path) == data[:100] + bytes(4900)
    # only block 0 (holding bytes 0..99) is still allocated; the rest is a hole
    assert img.stat("/dir/file")["Blockcount"] == str(block // 512)


def test_truncate_tail_is_zeroed(mkimg, tmp_path: Path) -> None:
    img = mkimg("8M", 1024)
    img.run("writepat /f 0 3000 1\ntruncate /f 10\ntruncate /f 3000\n")
    img.fsck()
    assert img.cat("/f", tmp_path) == pattern(10, 1) + bytes(2990)
    # holes: blocks 1 and 2 freed, block 0 kept -> 2 sectors
    assert img.stat("/f")["Blockcount"] == "2"


def test_unlink_mkdir_rmdir_links(mkimg, tmp_path: Path) -> None:
    img = mkimg("8M", 1024)
    img.run("""
mkdir /a
mkdir /a/b
mkdir /a/c
writestr /a/b/f 0 x
!ENOTEMPTY rmdir /a/b
!ENOTDIR rmdir /a/b/f
!EISDIR rm /a/b
!EEXIST mkdir /a/c
!ENOENT rm /a/nothing
!ENOENT mkdir /none/x
!ENOTDIR mkdir /a/b/f/x
!EINVAL rmdir /a/.
!EBUSY rmdir /
rm /a/b/f
rmdir /a/b
""")
    img.fsck()
    assert img.stat("/a")["Links"] == "3"       # ., .. of c, entry in /
    assert set(img.ls("/a")) == {".", "..", "c"}
    root_links = int(img.stat("/")["Links"])
    img.run("rmdir /a/c\nrmdir /a\n")
    img.fsck()
    assert int(img.stat("/")["Links"]) == root_links - 1


def test_hard_links_and_open_unlinked(mkimg, tmp_path: Path) -> None:
    img = mkimg("8M", 1024)
    img.run("""
writestr /f 0 data
ln /f /g
!EEXIST ln /f /g
mkdir /d
!EPERM ln /d /e
""")
    assert img.stat("/g")["Links"] == "2"
    img.run("rm /f\n")
    img.fsck()
    assert img.cat("/g", tmp_path) == b"data"
    free_before = int(img.super()["Free inodes"])
    img.run("unlinkopen /g\n")
    img.fsck()
    assert int(img.super()["Free inodes"]) == free_before + 1
    assert "g" not in img.ls("/")


def test_removed_directory_held_open(mkimg) -> None:
    img = mkimg("8M", 1024)
    img.run("mkdir /d\n")
    free = int(img.super()["Free inodes"])
    img.run("!ENOENT rmdirheld /d\n")
    img.fsck()
    assert int(img.super()["Free inodes"]) == free + 1
    assert "d" not in img.ls("/")


def test_symlinks_fast_and_slow(mkimg, tmp_path: Path) -> None:
    img = mkimg("8M", 1024)
    fast = "t" * 59
    slow = "/" + "s" * 200
    res = img.run(f"""
mkdir /dir
writestr /dir/file 0 content
symlink /dir/file /abs
symlink dir/file /rel
symlink {fast} /fast
symlink {slow} /slow
symlink loop2 /loop1
symlink loop1 /loop2
symlink dir /dl
readlink /fast
readlink /slow
readlink /rel
cat /dl/file
!ELOOP cat /loop1
!ENOENT cat /fast
!EINVAL readlink /dir
""")
    img.fsck()
    lines = res.out.splitlines()
    assert lines[:3] == [fast, slow, "dir/file"]
    assert lines[3] == "content"
    assert img.stat("/fast")["Blockcount"] == "0"    # fast symlink in i_block
    assert img.stat("/slow")["Blockcount"] == "2"
    assert img.stat("/slow")["Size"] == str(len(slow))
    for name, target in (("/abs", "/dir/file"), ("/rel", "dir/file"), ("/fast", fast)):
        assert f'Fast link dest: "{target}"' in img.debugfs(f"stat {name}")
    assert img.cat("/slow", tmp_path) == slow.encode()   # slow link: target in a data block
    img.run("rm /slow\nrm /fast\nrm /abs\n")
    img.fsck()


def test_rename(mkimg, tmp_path: Path) -> None:
    img = mkimg("8M", 1024)
    img.run("""
mkdir /a
mkdir /b
mkdir /a/sub
writestr /a/sub/f 0 one
writestr /b/g 0 two
writestr /b/h 0 three
mv /a/sub /b/sub
mv /b/g /b/sub/f
mv /b/h /top
mkdir /empty
mkdir /b/sub/inner
!ENOTEMPTY mv /empty /b/sub
!EINVAL mv /b /b/sub/inner/x
!EISDIR mv /top /empty
!ENOTDIR mv /empty /top
mv /b/sub/inner /empty
mv /top /top
""")
    img.fsck()
    assert set(img.ls("/a")) == {".", ".."}
    assert set(img.ls("/b/sub")) == {".", "..", "f"}
    assert img.cat("/b/sub/f", tmp_path) == b"two"
    assert img.ls("/empty")[".."] == img.ls("/")["."]   # replaced dir, ".." is /
    assert img.stat("/a")["Links"] == "2"
    assert img.stat("/b")["Links"] == "3"
    sub = img.ls("/b")["sub"]
    assert img.ls("/b/sub")[".."] == img.ls("/")["b"] and sub


def test_data_survives_small_cache_and_remount(mkimg, tmp_path: Path) -> None:
    img = mkimg("16M", 1024)
    data = pattern(3 * 1024 * 1024, 5)
    (tmp_path / "big").write_bytes(data)
    img.run(f"put {tmp_path}/big /f\nremount\nget /f {tmp_path}/back\n", nbuf=16)
    assert (tmp_path / "back").read_bytes() == data
    img.fsck()
    assert img.cat("/f", tmp_path) == data


def test_mknod_and_chmod_chown(mkimg, tmp_path: Path) -> None:
    img = mkimg("8M", 1024)
    res = img.run("""
mknod /null c 1 3
mknod /big c 300 70000
mknod /fifo p 0 0
writestr /f 0 x
chmod /f 600
chown /f 1000 1001
utimes /f 1000000 2000000
stat /f
stat /null
""")
    img.fsck()
    st = img.stat("/f")
    assert st["Mode"] == "0600" and st["User"] == "1000" and st["Group"] == "1001"
    assert "mtime=2000000" in res.out.splitlines()[0]
    assert "Type: character special" in img.debugfs("stat /null")
    assert "Device major/minor number: 01:03" in img.debugfs("stat /null")
    assert "Device major/minor number: 300:70000" in img.debugfs("stat /big")   # new encoding


def test_timestamps_mtime_ctime_dtime(mkimg) -> None:
    img = mkimg("8M", 1024)
    img.run("mkdir /d\nwritestr /d/f 0 x\n", env={"FSTOOL_TIME": "1600000000"})
    img.run("writestr /d/f 1 y\n", env={"FSTOOL_TIME": "1600000100"})
    img.run("chmod /d/f 600\n", env={"FSTOOL_TIME": "1600000200"})
    out = img.run("stat /d/f\nstat /d\n").out.splitlines()
    f = dict(x.split("=") for x in out[0].split())
    d = dict(x.split("=") for x in out[1].split())
    assert (f["atime"], f["mtime"], f["ctime"]) == ("1600000000", "1600000100", "1600000200")
    assert d["mtime"] == d["ctime"] == "1600000000"     # entry added at creation time
    ino = f["ino"]
    img.run("rm /d/f\n", env={"FSTOOL_TIME": "1600000300"})
    dstat = img.run("stat /d\n").out
    assert "mtime=1600000300" in dstat and "ctime=1600000300" in dstat
    freed = img.debugfs(f"stat <{ino}>")
    assert f"dtime: {1600000300:#010x}" in freed
    assert "Links: 0" in freed
    img.fsck()
