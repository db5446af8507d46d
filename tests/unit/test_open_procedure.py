"""The open procedure (spec §2.2-2.6): creation, COW alone, checks and their
messages, relocation, the d flag, and OFD locks, against real files."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys

import pytest

from conftest import FIXED_MTIME, sha256_file
from umlpy.errors import BackingMismatch, CowError, LockError, UbdError
from umlpy.ubd.cow import read_header
from umlpy.ubd.disk import DiskReadOnly
from umlpy.ubd.opening import open_disk
from umlpy.ubd.options import parse_ubd_switch


def opened(text: str, tmp_path, logs: list[str] | None = None):
    cfg = parse_ubd_switch(text)
    assert cfg is not None
    return open_disk(cfg, cwd=str(tmp_path), log=(logs.append if logs is not None else print))


def test_create_then_cow_alone(tmp_path, make_image) -> None:
    make_image("base.img", 1 << 20)
    logs: list[str] = []
    with opened("a=c.cow,base.img", tmp_path, logs) as d:
        assert logs == ['Creating "c.cow" as COW file for "base.img"']
        assert d.size == 1 << 20 and d.description == "c.cow,base.img" and d.is_cow
    logs.clear()
    with opened("a=c.cow", tmp_path, logs) as d:
        assert logs == []
        assert d.description == f"c.cow,{tmp_path}/base.img"
        assert d.size == 1 << 20


def test_missing_files(tmp_path, make_image) -> None:
    logs: list[str] = []
    with pytest.raises(UbdError) as ei:
        opened("c=c.cow,nobase.img", tmp_path, logs)
    assert str(ei.value) == ("Failed to initialize ubd device 2 :Couldn't determine size of "
                             "device's file")
    assert logs == ['Couldn\'t stat "nobase.img" : err = 2']
    assert not (tmp_path / "c.cow").exists()
    with pytest.raises(UbdError, match="Couldn't determine size"):
        opened("a=nothing.img", tmp_path)
    assert not (tmp_path / "nothing.img").exists()


def test_plain_image_and_size_rounding(tmp_path, make_image) -> None:
    make_image("p.img", 1000)
    with opened("a=p.img", tmp_path) as d:
        assert not d.is_cow and d.size == 1024 and d.description == "p.img"


def test_not_cow_with_backing_refused(tmp_path, make_image) -> None:
    make_image("p.img", 65536)
    make_image("base.img", 65536)
    with pytest.raises(CowError) as ei:
        opened("a=p.img,base.img", tmp_path)
    assert str(ei.value) == 'Failed to read COW header from COW file "p.img", errno = 22'


def test_size_and_mtime_mismatch_messages(tmp_path, make_image) -> None:
    base = make_image("base.img", 65536)
    opened("a=c.cow,base.img", tmp_path).close()
    os.utime(base, (FIXED_MTIME + 5, FIXED_MTIME + 5))
    with pytest.raises(BackingMismatch) as ei:
        opened("a=c.cow", tmp_path)
    msg = str(ei.value)
    assert msg.startswith(f"mtime mismatch ({FIXED_MTIME} vs {FIXED_MTIME + 5}) of COW header "
                          "vs backing file")
    assert f"touch --date=@{FIXED_MTIME} '{base}'" in msg
    # the hint works: apply it and the COW opens again
    subprocess.run(["touch", f"--date=@{FIXED_MTIME}", str(base)], check=True)
    opened("a=c.cow", tmp_path).close()
    with open(base, "ab") as f:
        f.write(b"x")
    with pytest.raises(BackingMismatch) as ei:
        opened("a=c.cow", tmp_path)
    assert str(ei.value).startswith("Size mismatch (65536 vs 65537) of COW header vs backing file")


def test_relocation_refused_when_named_backing_fails(tmp_path, make_image) -> None:
    make_image("base.img", 65536)
    make_image("other.img", 65536, mtime=FIXED_MTIME + 1)
    opened("a=c.cow,base.img", tmp_path).close()
    before = sha256_file(tmp_path / "c.cow")
    logs: list[str] = []
    with pytest.raises(BackingMismatch, match=r"^mtime mismatch"):
        opened("a=c.cow,other.img", tmp_path, logs)      # UML: reports, then uses base.img
    assert logs == [f'Backing file mismatch - "other.img" requested, "{tmp_path}/base.img" '
                    'specified in COW header of "c.cow"']
    with pytest.raises(UbdError, match="Couldn't determine size"):   # §2.3 comes first
        opened("a=c.cow,gone.img", tmp_path)
    assert sha256_file(tmp_path / "c.cow") == before


def test_same_inode_no_switch(tmp_path, make_image) -> None:
    make_image("base.img", 65536)
    (tmp_path / "alias.img").symlink_to(tmp_path / "base.img")
    opened("a=c.cow,base.img", tmp_path).close()
    logs: list[str] = []
    with opened("a=c.cow,alias.img", tmp_path, logs) as d:
        assert logs == []
        assert d.description == f"c.cow,{tmp_path}/base.img"
    assert read_header(str(tmp_path / "c.cow")).backing_file == f"{tmp_path}/base.img"


def test_relocation_rewrites_header(tmp_path, make_image) -> None:
    make_image("base.img", 65536)
    opened("a=c.cow,base.img", tmp_path).close()
    os.rename(tmp_path / "base.img", tmp_path / "moved.img")
    logs: list[str] = []
    with opened("a=c.cow,moved.img", tmp_path, logs) as d:
        assert d.description == "c.cow,moved.img"
    assert logs == [f"Couldn't stat '{tmp_path}/base.img', err = 2",
                    f'Backing file mismatch - "moved.img" requested, "{tmp_path}/base.img" '
                    'specified in COW header of "c.cow"',
                    "Switching backing file to 'moved.img'"]
    assert read_header(str(tmp_path / "c.cow")).backing_file == f"{tmp_path}/moved.img"


def test_locks_in_one_process(tmp_path, make_image) -> None:
    make_image("base.img", 65536)
    make_image("plain.img", 65536)
    a = opened("a=c1.cow,base.img", tmp_path)
    b = opened("b=c2.cow,base.img", tmp_path)            # shared read locks on the backing
    with pytest.raises(LockError, match="Failed to lock 'c1.cow', err = 11"):
        opened("c=c1.cow", tmp_path)
    p = opened("d=plain.img", tmp_path)
    with pytest.raises(LockError):
        opened("e=plain.img", tmp_path)
    with pytest.raises(LockError):                       # write lock blocks read opens too
        opened("er=plain.img", tmp_path)
    logs: list[str] = []
    with opened("ec=plain.img", tmp_path, logs):         # 'c': no lock at all
        assert logs == ['Not locking "plain.img" on the host']
    with pytest.raises(LockError):                       # backing is read-locked: no writer
        opened("f=base.img", tmp_path)
    r1 = opened("fr=base.img", tmp_path)                 # but readers are fine
    r1.close()
    a.close()
    opened("c=c1.cow", tmp_path).close()                 # closing drops the lock
    b.close()
    p.close()


def test_lock_conflict_with_posix_lock_of_other_process(tmp_path, make_image) -> None:
    """A POSIX F_SETLK write lock (what real UML takes) blocks our open, naming the pid."""
    make_image("plain.img", 65536)
    code = ("import fcntl,sys; f=open(sys.argv[1],'r+b'); fcntl.lockf(f, fcntl.LOCK_EX); "
            "print('locked', flush=True); sys.stdin.read()")
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "plain.img")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "locked\n"
        with pytest.raises(LockError) as ei:
            opened("a=plain.img", tmp_path)
        assert f"file already locked by pid {proc.pid}" in str(ei.value)
        assert ei.value.holder_pid == proc.pid
        # and our lock blocks a POSIX locker: take ours after the other side exits
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
    with opened("a=plain.img", tmp_path):
        fd = os.open(tmp_path / "plain.img", os.O_RDWR)
        try:
            with pytest.raises(OSError):
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)


def test_d_flag_exposes_raw_cow(tmp_path, make_image) -> None:
    make_image("base.img", 65536)
    opened("a=c.cow,base.img", tmp_path).close()
    with opened("ad=c.cow", tmp_path) as d:
        assert not d.is_cow and d.size == 77824           # the file itself (compat.md)
        buf = bytearray(512)
        d.readinto(0, memoryview(buf))
        assert buf[:4] == b"OOOM"


def test_readonly_open(tmp_path, make_image) -> None:
    base = make_image("base.img", 65536)
    opened("a=c.cow,base.img", tmp_path).close()
    before = sha256_file(tmp_path / "c.cow")
    base_hash = sha256_file(base)
    with opened("ar=c.cow", tmp_path) as d:
        assert d.readonly
        with pytest.raises(DiskReadOnly):
            d.write(0, memoryview(bytes(512)))
        with pytest.raises(DiskReadOnly):
            d.discard(0, 512)
        # read-only opens take shared locks: a second reader is fine
        with opened("br=c.cow", tmp_path):
            pass
    assert sha256_file(tmp_path / "c.cow") == before
    assert sha256_file(base) == base_hash


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_eacces_falls_back_to_readonly(tmp_path, make_image) -> None:
    p = make_image("p.img", 65536)
    os.chmod(p, 0o444)
    with opened("a=p.img", tmp_path) as d:
        assert d.readonly
