"""images/root_fs (docs/userland.md "root_fs"): built reproducibly by
`make -C guest/user rootfs`, clean under e2fsck, with the staged tree inside,
and the committed image equal to a fresh build."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from userland_util import COMMANDS, REPO, USER_DIR

pytestmark = [pytest.mark.interop,
              pytest.mark.skipif(shutil.which("mke2fs") is None and not Path("/sbin/mke2fs").exists(),
                                 reason="needs e2fsprogs")]
IMAGE = REPO / "images" / "root_fs"


def build(where: Path) -> Path:
    out = where / "root_fs"
    subprocess.run(["make", "-s", "-C", str(USER_DIR), f"B={where}", f"ROOTFS={out}", "rootfs"],
                   check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("rootfs1"))


def debugfs(image: Path, request: str) -> str:
    return subprocess.run(["debugfs", "-R", request, str(image)], capture_output=True,
                          text=True, check=True).stdout


def test_build_is_reproducible(fresh: Path, tmp_path: Path) -> None:
    again = build(tmp_path)
    assert fresh.read_bytes() == again.read_bytes()


def test_committed_image_is_current(fresh: Path) -> None:
    assert IMAGE.exists(), "images/root_fs missing: run make -C guest/user rootfs"
    assert hashlib.sha256(IMAGE.read_bytes()).hexdigest() == \
        hashlib.sha256(fresh.read_bytes()).hexdigest(), \
        "images/root_fs is stale: run make -C guest/user rootfs and commit it"


def test_image_is_clean_ext2(fresh: Path) -> None:
    assert fresh.stat().st_size == 16 << 20
    subprocess.run(["e2fsck", "-fn", str(fresh)], check=True, capture_output=True)
    sb = subprocess.run(["dumpe2fs", "-h", str(fresh)], capture_output=True, text=True,
                        check=True).stdout
    assert re.search(r"^Block size:\s+1024$", sb, re.M)
    assert re.search(r"^Filesystem UUID:\s+6d6c7075-6d6c-7079-2d72-6f6f74667330$", sb, re.M)
    assert "has_journal" not in sb


def test_tree_contents(fresh: Path) -> None:
    box_ino = re.search(r"Inode: (\d+)", debugfs(fresh, "stat /bin/box")).group(1)  # type: ignore[union-attr]
    for c in COMMANDS:
        d = "sbin" if c in ("init", "poweroff", "halt", "reboot") else "bin"
        st = debugfs(fresh, f"stat /{d}/{c}")
        assert f"Inode: {box_ino} " in st, c
    assert f"Links: {len(COMMANDS) + 1}" in debugfs(fresh, "stat /bin/box")
    console = debugfs(fresh, "stat /dev/console")
    assert "character special" in console and "05:01" in console and "Mode:  0600" in console
    assert "Mode:  01777" in debugfs(fresh, "stat /tmp")
    assert "proc" in debugfs(fresh, "ls /")
    assert debugfs(fresh, "cat /etc/rc") == (USER_DIR / "rc").read_text()
    box = subprocess.run(["debugfs", "-R", "cat /bin/box", str(fresh)], capture_output=True,
                         check=True).stdout
    assert box[:4] == b"\x7fELF" and box == (fresh.parent / "box").read_bytes()
