"""Fixtures for the guest ext2 tests: build the host harness (guest/fs/test) and
drive it against images made by the real e2fsprogs (brief H6, docs/ext2.md)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HARNESS_DIR = REPO / "guest" / "fs" / "test"
FSTOOL = REPO / "guest" / "build" / "fstest" / "fstool"

for tool in ("mke2fs", "e2fsck", "debugfs", "dumpe2fs"):
    if shutil.which(tool) is None and not Path("/sbin", tool).exists():
        pytest.skip(f"{tool} not installed", allow_module_level=True)


def pattern(n: int, seed: int) -> bytes:
    """The bytes fstool's `writepat` writes: ((i*131 + seed*17) ^ (i>>7)) & 255."""
    return bytes(((i * 131 + seed * 17) ^ (i >> 7)) & 255 for i in range(n))


@dataclass
class Result:
    rc: int
    out: str
    err: str


class Image:
    """An ext2 image file plus helpers to run fstool and e2fsprogs on it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def run(self, script: str, *, nbuf: int | None = None, readonly: bool = False,
            check: bool = True, env: dict[str, str] | None = None) -> Result:
        args = [str(FSTOOL)]
        if nbuf is not None:
            args += ["-b", str(nbuf)]
        if readonly:
            args.append("-r")
        args += [str(self.path), "-f", "-"]
        p = subprocess.run(args, input=script.encode(), capture_output=True, timeout=120,
                           env={**os.environ, **(env or {})})
        res = Result(p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"))
        if check:
            assert res.rc == 0, f"fstool rc={res.rc}\n{res.err}"
        return res

    def fsck(self) -> None:
        p = subprocess.run(["e2fsck", "-fn", str(self.path)], capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stdout + p.stderr
        body = [l for l in p.stdout.splitlines()
                if not l.startswith(("Pass ", "e2fsck ")) and not re.match(r"^\S+: \d+/\d+ files", l)]
        assert body == [], p.stdout

    def debugfs(self, cmd: str) -> str:
        p = subprocess.run(["debugfs", "-R", cmd, str(self.path)], capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
        return p.stdout

    def cat(self, path: str, tmp: Path) -> bytes:
        out = tmp / "debugfs.dump"
        if out.exists():
            out.unlink()
        self.debugfs(f"dump {path} {out}")
        return out.read_bytes()

    def stat(self, path: str) -> dict[str, str]:
        """Key fields of `debugfs stat`: Type, Mode, Links, Size, Blockcount, Flags."""
        text = self.debugfs(f"stat {path}")
        fields: dict[str, str] = {}
        for key in ("Type", "Mode", "Flags", "Links", "Blockcount", "Size", "User", "Group"):
            m = re.search(rf"\b{key}:\s*(\S+)", text)
            if m:
                fields[key] = m.group(1)
        return fields

    def ls(self, path: str) -> dict[str, int]:
        """name -> inode from `debugfs ls -l` (deleted entries excluded)."""
        names: dict[str, int] = {}
        for line in self.debugfs(f"ls -l {path}").splitlines():
            parts = line.split()
            if len(parts) >= 9 and parts[0].isdigit():
                names[" ".join(parts[8:])] = int(parts[0])
        return names

    def super(self) -> dict[str, str]:
        p = subprocess.run(["dumpe2fs", "-h", str(self.path)], capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        out = {}
        for line in p.stdout.splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                out[k.strip()] = v.strip()
        return out


@pytest.fixture(scope="session")
def fstool() -> Path:
    subprocess.run(["make", "-s", "-C", str(HARNESS_DIR)], check=True, capture_output=True, timeout=300)
    assert FSTOOL.exists()
    return FSTOOL


@pytest.fixture
def mkimg(tmp_path: Path, fstool: Path):
    """mkimg(size, block=1024, *extra mke2fs args, root=None) -> Image."""
    count = [0]

    def make(size: str = "8M", block: int = 1024, *extra: str, root: Path | None = None) -> Image:
        count[0] += 1
        path = tmp_path / f"img{count[0]}.ext2"
        args = ["mke2fs", "-q", "-F", "-t", "ext2", "-b", str(block), *extra]
        if root is not None:
            args += ["-d", str(root)]
        subprocess.run(args + [str(path), size], check=True, capture_output=True, timeout=60)
        return Image(path)

    return make
