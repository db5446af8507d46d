"""The guest commands run natively on real files, compared with coreutils where
the output format is meant to be identical (docs/userland.md "Commands")."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from userland_util import Userland


def coreutils(*argv: str, cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(list(argv), cwd=cwd, input=stdin, capture_output=True,
                          env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"})


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "text").write_bytes(b"alpha beta\n  gamma\tdelta \n\nlast line no newline")
    (tmp_path / "bin").write_bytes(bytes((i * 7 + (i >> 8)) & 255 for i in range(70000)))
    (tmp_path / "empty").write_bytes(b"")
    return tmp_path


@pytest.mark.parametrize("args", [["text"], ["-l", "text"], ["-w", "text"], ["-c", "bin"],
                                  ["text", "bin", "empty"], ["-lc", "text", "bin"]])
def test_wc_matches_coreutils(userland: Userland, files: Path, args: list[str]) -> None:
    r = userland.run("wc", *args, cwd=files)
    assert r.out == coreutils("wc", *args, cwd=files).stdout.decode()


def test_wc_stdin_matches_coreutils(userland: Userland, files: Path) -> None:
    data = (files / "text").read_bytes()
    for args in ([], ["-l"]):
        assert userland.run("wc", *args, stdin=data).out == \
            coreutils("wc", *args, cwd=files, stdin=data).stdout.decode()


def test_md5sum_matches_coreutils(userland: Userland, files: Path) -> None:
    big = files / "big"
    big.write_bytes(os.urandom(300_001))
    names = ["text", "bin", "empty", "big"]
    assert userland.run("md5sum", *names, cwd=files).out == \
        coreutils("md5sum", *names, cwd=files).stdout.decode()
    assert userland.run("md5sum", stdin=b"abc").out == \
        hashlib.md5(b"abc").hexdigest() + "  -\n"


@pytest.mark.parametrize("n", ["1", "2", "10", "0"])
def test_head_matches_coreutils(userland: Userland, files: Path, n: str) -> None:
    r = userland.run("head", "-n", n, "text", cwd=files)
    assert r.out == coreutils("head", "-n", n, "text", cwd=files).stdout.decode()


def test_head_leaves_rest_of_pipe(userland: Userland) -> None:
    r = userland.sh("{ echo; } 2>/dev/null; head -n 1; cat", stdin="l1\nl2\nl3\n")
    assert r.out.endswith("l1\nl2\nl3\n")


DD_CASES = [
    "bs=512 count=3",
    "bs=1000 skip=2 count=5",
    "bs=4K seek=3",
    "bs=4K seek=3 conv=notrunc",
    "bs=100 skip=7 seek=11 count=13 conv=notrunc",
    "bs=1 skip=69990",
    "bs=1M",
    "bs=512 seek=200 count=1",
]


@pytest.mark.parametrize("ops", DD_CASES)
def test_dd_matches_coreutils(userland: Userland, files: Path, ops: str) -> None:
    ours, theirs = files / "o1", files / "o2"
    pre = bytes(range(256)) * 600
    ours.write_bytes(pre)
    theirs.write_bytes(pre)
    r = userland.run("dd", "if=bin", f"of={ours.name}", *ops.split(), cwd=files)
    c = coreutils("dd", "if=bin", f"of={theirs.name}", *ops.split(), cwd=files)
    assert r.rc == c.returncode == 0, r.err
    assert ours.read_bytes() == theirs.read_bytes()
    # the record lines are identical; the byte/time line differs only in timing
    assert r.err.splitlines()[:2] == c.stderr.decode().splitlines()[:2]


def test_dd_stdin_stdout_and_errors(userland: Userland, files: Path) -> None:
    data = (files / "bin").read_bytes()
    r = subprocess.run([str(userland.bindir / "dd"), "bs=333", "skip=2", "count=4",
                        "status=none"], input=data, capture_output=True)
    assert r.stdout == data[666:666 + 4 * 333] and r.stderr == b""
    bad = userland.run("dd", "bs=x1", cwd=files)
    assert bad.rc == 1 and bad.err == "dd: invalid number: 'x1'\n"
    bad = userland.run("dd", "if=missing", cwd=files)
    assert bad.rc == 1 and "No such file or directory" in bad.err


def test_cat(userland: Userland, files: Path) -> None:
    r = userland.run("cat", "text", "-", "bin", cwd=files, stdin=b"STDIN")
    assert r.out.encode(errors="replace") == (b"alpha beta\n  gamma\tdelta \n\nlast line no "
                                              b"newline" + b"STDIN") + \
        (files / "bin").read_bytes().decode(errors="replace").encode(errors="replace")
    missing = userland.run("cat", "nope", cwd=files)
    assert missing.rc == 1 and missing.err == "cat: nope: No such file or directory\n"


def test_ls_long_and_all(userland: Userland, files: Path) -> None:
    os.symlink("text", files / "link")
    os.mkdir(files / "dir")
    (files / ".dot").write_text("")
    os.utime(files / "text", (1700000000, 1700000000))
    r = userland.run("ls", cwd=files)
    assert r.out == "bin\ndir\nempty\nlink\ntext\n"
    assert userland.run("ls", "-a", cwd=files).out.split("\n")[:3] == [".", "..", ".dot"]
    lines = userland.run("ls", "-l", cwd=files).out.splitlines()
    assert lines[0].startswith("total ")
    by_name = {ln.split()[-1] if "->" not in ln else ln.split()[-3]: ln for ln in lines[1:]}
    st = os.stat(files / "text")
    assert by_name["text"].split()[:5] == ["-rw-r--r--", "1", str(st.st_uid), str(st.st_gid),
                                           str(st.st_size)]
    assert "2023-11-14 22:13 text" in by_name["text"]
    assert by_name["dir"].startswith("drwxr-xr-x")
    assert by_name["link"].startswith("lrwxrwxrwx") and by_name["link"].endswith("link -> text")
    assert userland.run("ls", "nope", cwd=files).rc == 2


def test_mkdir_p_rmdir(userland: Userland, tmp_path: Path) -> None:
    assert userland.run("mkdir", "-p", "a/b/c", cwd=tmp_path).rc == 0
    assert (tmp_path / "a/b/c").is_dir()
    assert userland.run("mkdir", "-p", "a/b/c", cwd=tmp_path).rc == 0
    r = userland.run("mkdir", "a", cwd=tmp_path)
    assert r.rc == 1 and r.err == "mkdir: cannot create directory 'a': File exists\n"
    r = userland.run("rmdir", "a", cwd=tmp_path)
    assert r.rc == 1 and "Directory not empty" in r.err
    assert userland.run("rmdir", "a/b/c", "a/b", "a", cwd=tmp_path).rc == 0
    assert not (tmp_path / "a").exists()


def test_cp_mv_rm_r(userland: Userland, files: Path) -> None:
    assert userland.run("cp", "bin", "copy", cwd=files).rc == 0
    assert (files / "copy").read_bytes() == (files / "bin").read_bytes()
    os.makedirs(files / "tree/sub/deeper")
    (files / "tree/sub/deeper/f").write_text("deep")
    os.symlink("sub", files / "tree/sl")
    assert userland.run("cp", "-r", "tree", "tree2", cwd=files).rc == 0
    assert (files / "tree2/sub/deeper/f").read_text() == "deep"
    assert os.readlink(files / "tree2/sl") == "sub"
    r = userland.run("cp", "tree", "x", cwd=files)
    assert r.rc == 1 and "omitting directory" in r.err
    os.mkdir(files / "dst")
    assert userland.run("mv", "copy", "text", "dst", cwd=files).rc == 0
    assert sorted(os.listdir(files / "dst")) == ["copy", "text"]
    assert userland.run("mv", "dst/copy", "renamed", cwd=files).rc == 0
    assert (files / "renamed").exists() and not (files / "dst/copy").exists()
    assert userland.run("rm", "-r", "tree", "tree2", "dst", cwd=files).rc == 0
    assert not any((files / n).exists() for n in ("tree", "tree2", "dst"))
    r = userland.run("rm", "renamed", "nope", cwd=files)
    assert r.rc == 1 and "nope" in r.err and not (files / "renamed").exists()
    assert userland.run("rm", "-f", "nope", cwd=files).rc == 0
    r = userland.run("rm", "bin/..", cwd=files)
    assert r.rc == 1 and "refusing" in r.err


def test_ln_hard_and_symbolic(userland: Userland, files: Path) -> None:
    assert userland.run("ln", "text", "hard", cwd=files).rc == 0
    assert os.stat(files / "hard").st_ino == os.stat(files / "text").st_ino
    assert userland.run("ln", "-s", "text", "soft", cwd=files).rc == 0
    assert os.readlink(files / "soft") == "text"
    r = userland.run("ln", "-s", "text", "soft", cwd=files)
    assert r.rc == 1 and "File exists" in r.err
    assert userland.run("ln", "-sf", "bin", "soft", cwd=files).rc == 0
    assert os.readlink(files / "soft") == "bin"


def test_uname_df(userland: Userland, tmp_path: Path) -> None:
    u = os.uname()
    assert userland.run("uname").out == f"{u.sysname}\n"
    assert userland.run("uname", "-a").out == \
        f"{u.sysname} {u.nodename} {u.release} {u.version} {u.machine}\n"
    assert userland.run("uname", "-rm").out == f"{u.release} {u.machine}\n"
    r = userland.run("df", str(tmp_path))
    assert r.rc == 0
    head, row = r.out.splitlines()
    assert head.split() == ["Filesystem", "1K-blocks", "Used", "Available", "Use%", "Mounted",
                            "on"]
    total = int(row.split()[1])
    sv = os.statvfs(tmp_path)
    assert abs(total - sv.f_blocks * sv.f_frsize // 1024) <= total // 100 + 1


def test_ps_lists_itself(userland: Userland) -> None:
    r = userland.sh("ps")
    assert r.rc == 0
    assert r.out.splitlines()[0].split() == ["PID", "PPID", "S", "CMD"]
    assert any(ln.split()[-1:] == ["ps"] for ln in r.out.splitlines())


def test_test_and_bracket(userland: Userland, files: Path) -> None:
    r = userland.sh("[ -f text ] && echo f; [ -d text ] || echo notdir; test -e nope; echo $?; "
                    "[ 3 -lt 10 ] && echo lt; [ abc = abc ] && echo eq; [ -z '' ] && echo z; "
                    "[ ! -s empty ] && echo empty; [ 1 -eq ]; echo $?", cwd=files)
    assert r.out == "f\nnotdir\n1\nlt\neq\nz\nempty\n2\n"


def test_sleep_and_true_false(userland: Userland) -> None:
    assert userland.run("sleep", "0.05").rc == 0
    assert userland.run("sleep", "x").rc == 1
    assert (userland.run("true").rc, userland.run("false").rc) == (0, 1)


def cpubench_reference(rounds: int, size: int) -> tuple[int, int]:
    """cpubench.c's algorithm in Python: xorshift64 data, CRC-32 and FNV-1a 64."""
    m = (1 << 64) - 1
    x = 0x9E3779B97F4A7C15
    crc = 0
    fnv = 0xcbf29ce484222325
    for _ in range(rounds):
        buf = bytearray(size)
        for i in range(size):
            x ^= (x << 13) & m
            x ^= x >> 7
            x ^= (x << 17) & m
            buf[i] = (x >> 24) & 255
        crc = zlib.crc32(bytes(buf), crc)
        for b in buf:
            fnv = ((fnv ^ b) * 0x100000001b3) & m
    return crc, fnv


def test_cpubench_checksums(userland: Userland) -> None:
    r = userland.run("cpubench", "3", "5000")
    crc, fnv = cpubench_reference(3, 5000)
    f = dict(kv.split("=") for kv in r.out.split()[1:])
    assert (f["rounds"], f["bytes"]) == ("3", "5000")
    assert int(f["crc32"], 16) == crc and int(f["fnv"], 16) == fnv
    assert int(f["ms"]) >= 0


def test_unknown_applet(userland: Userland, tmp_path: Path) -> None:
    link = tmp_path / "frobnicate"
    os.symlink(userland.box, link)
    p = subprocess.run([str(link)], capture_output=True)
    assert p.returncode == 127 and p.stderr == b"box: frobnicate: applet not found\n"
    assert shutil.which("box", path=str(userland.bindir)) is None
