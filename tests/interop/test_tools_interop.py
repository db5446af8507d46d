"""umlpy-mkcow / umlpy-moo against the real uml_mkcow / uml_moo / e2fsck
(spec §1.6, §4.3, §4.4, §5).  Every comparison is byte for byte with what the
real tool produced in the same test run.
"""

from __future__ import annotations

import importlib.util
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
_spec = importlib.util.spec_from_file_location("tools_cowfiles", HERE.parent / "unit" / "test_tools_cowfiles.py")
assert _spec and _spec.loader
cowfiles = sys.modules.get("tools_cowfiles") or importlib.util.module_from_spec(_spec)
if "tools_cowfiles" not in sys.modules:
    sys.modules["tools_cowfiles"] = cowfiles
    _spec.loader.exec_module(cowfiles)
SECTOR = cowfiles.SECTOR

pytestmark = pytest.mark.interop
need = pytest.mark.skipif(not (shutil.which("uml_moo") and shutil.which("uml_mkcow")),
                          reason="uml-utilities not installed")


def ours(tool: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", f"umlpy.tools.{tool}", *args], cwd=cwd,
                          capture_output=True, text=True, env=env)


def real(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True)


@need
@pytest.mark.parametrize("size", [1000, 64 << 10, (16 << 20) + 512])
def test_mkcow_equals_uml_mkcow(tmp_path, size: int) -> None:
    base = tmp_path / "base.img"
    base.write_bytes(os.urandom(size))
    r1 = real("uml_mkcow", "real.cow", "base.img", cwd=tmp_path)
    r2 = ours("mkcow", "ours.cow", "base.img", cwd=tmp_path)
    assert (r1.returncode, r1.stdout, r1.stderr) == (r2.returncode, r2.stdout, r2.stderr) == (0, "", "")
    assert (tmp_path / "real.cow").read_bytes() == (tmp_path / "ours.cow").read_bytes()


@need
def test_mkcow_error_texts_equal_uml_mkcow(tmp_path) -> None:
    (tmp_path / "base.img").write_bytes(os.urandom(4096))
    for args in ([], ["a.cow"], ["-f", "a"], ["m.cow", "missing.img"], ["n.cow", "nodir/x.img"]):
        r1 = real("uml_mkcow", *args, cwd=tmp_path)
        for leftover in ("m.cow", "n.cow"):
            (tmp_path / leftover).unlink(missing_ok=True)    # uml_mkcow leaves 0-byte files
        r2 = ours("mkcow", *args, cwd=tmp_path)
        assert (r2.returncode, r2.stdout, r2.stderr) == (r1.returncode, r1.stdout, r1.stderr), args
        assert not (tmp_path / "m.cow").exists() and not (tmp_path / "n.cow").exists()
    real("uml_mkcow", "e.cow", "base.img", cwd=tmp_path)
    r1 = real("uml_mkcow", "e.cow", "base.img", cwd=tmp_path)
    r2 = ours("mkcow", "e.cow", "base.img", cwd=tmp_path)
    assert (r2.returncode, r2.stderr) == (r1.returncode, r1.stderr) == (1, "open COW file: File exists\n")


def _dirty(rng: random.Random, nsec: int) -> dict[int, bytes]:
    dirty: dict[int, bytes] = {}
    for _ in range(60):
        s = rng.randrange(nsec)
        for k in range(rng.choice([1, 2, 8, 30])):
            if s + k < nsec:
                dirty[s + k] = bytes(SECTOR) if rng.random() < 0.2 else rng.randbytes(SECTOR)
    return dirty


LAYOUTS = [("v1", 4096), ("v2", 4096), ("v3", 4096), ("v3broken", 4096), ("v3", 512)]


@need
@pytest.mark.parametrize("version,align", LAYOUTS)
def test_copy_merge_equals_uml_moo(tmp_path, version: str, align: int) -> None:
    rng = random.Random(version + str(align))
    size = 2 << 20
    base = tmp_path / "base.img"
    data = bytearray(rng.randbytes(size))
    data[1 << 20:(1 << 20) + (256 << 10)] = bytes(256 << 10)     # a zero stretch
    base.write_bytes(bytes(data))
    dirty = _dirty(rng, size // SECTOR)
    cowfiles.build_cow(str(tmp_path / "x.cow"), str(base), version, dirty, alignment=align)
    r1 = real("uml_moo", "x.cow", "real.img", cwd=tmp_path)
    r2 = ours("moo", "x.cow", "ours.img", cwd=tmp_path)
    assert (r2.returncode, r2.stdout, r2.stderr) == (r1.returncode, r1.stdout, r1.stderr)
    assert (tmp_path / "real.img").read_bytes() == (tmp_path / "ours.img").read_bytes()


@need
def test_copy_merge_of_cow_written_by_disk_layer(tmp_path) -> None:
    """A COW written through umlpy's own block layer (H1's Disk) merges like uml_moo."""
    opening = pytest.importorskip("umlpy.ubd.opening")
    options = pytest.importorskip("umlpy.ubd.options")
    base = tmp_path / "base.img"
    base.write_bytes(os.urandom(1 << 20))
    cfg = options.parse_ubd_switch(f"b={tmp_path / 'd.cow'},{base}")
    disk = opening.open_disk(cfg)
    try:
        for off in (0, 4608, 512 * 1000, (1 << 20) - 4096):
            disk.write(off, memoryview(os.urandom(4096 if off % 4096 == 0 else 512)))
        disk.flush()
    finally:
        disk.close()
    r1 = real("uml_moo", "d.cow", "real.img", cwd=tmp_path)
    r2 = ours("moo", "d.cow", "ours.img", cwd=tmp_path)
    assert r1.returncode == r2.returncode == 0, (r1, r2)
    assert (tmp_path / "real.img").read_bytes() == (tmp_path / "ours.img").read_bytes()


@need
@pytest.mark.parametrize("version", ["v1", "v2", "v3", "v3broken"])
def test_inplace_merge_equals_uml_moo_d(tmp_path, version: str) -> None:
    rng = random.Random("d" + version)
    size = 1 << 20
    content = rng.randbytes(size)
    for name in ("a.img", "b.img"):
        p = tmp_path / name
        p.write_bytes(content)
        os.utime(p, (1704067200, 1704067200))
    dirty = _dirty(rng, size // SECTOR)
    cowfiles.build_cow(str(tmp_path / "x.cow"), str(tmp_path / "a.img"), version, dirty)
    cow_before = (tmp_path / "x.cow").read_bytes()
    r1 = real("uml_moo", "-d", "-b", "a.img", "x.cow", cwd=tmp_path)
    r2 = ours("moo", "-b", "b.img", "-d", "x.cow", cwd=tmp_path)
    assert r1.returncode == r2.returncode == 0, (r1, r2)
    assert (tmp_path / "a.img").read_bytes() == (tmp_path / "b.img").read_bytes() != content
    assert (tmp_path / "x.cow").read_bytes() == cow_before


@need
def test_moo_error_texts_equal_uml_moo(tmp_path) -> None:
    base = tmp_path / "base.img"
    base.write_bytes(os.urandom(64 << 10))
    real("uml_mkcow", "x.cow", "base.img", cwd=tmp_path)
    (tmp_path / "empty").write_bytes(b"")
    cases = [["nothere", "o"], ["base.img", "o"], ["empty", "o"], ["-b", "zz", "x.cow", "o"],
             ["x.cow", "nodir/o"], ["x.cow"], []]
    os.utime(base, (5, 5))
    cases.append(["x.cow", "o"])
    for args in cases:
        r1 = real("uml_moo", *args, cwd=tmp_path)
        r2 = ours("moo", *args, cwd=tmp_path)
        exp_err = r1.stderr.replace("uml_moo", "moo.py") if not args or len(args) == 1 else r1.stderr
        got_err = r2.stderr.replace(str(REPO / "umlpy" / "tools" / "moo.py"), "moo.py")
        assert (r2.returncode, r2.stdout, got_err) == (r1.returncode, r1.stdout, exp_err), args


@need
@pytest.mark.skipif(not (shutil.which("mke2fs") and shutil.which("debugfs") and shutil.which("e2fsck")),
                    reason="e2fsprogs not installed")
def test_merged_ext2_image_is_clean(tmp_path) -> None:
    """Files written into an ext2 image end up, via a COW, in a clean merged image."""
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "motd").write_text("hello\n")
    base = tmp_path / "base.img"
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-d", str(root), str(base), "8M"], check=True)
    # the guest's writes: modify a copy with debugfs, then store every changed
    # sector in a COW on the pristine base (what UML's ubd would have written)
    changed = tmp_path / "changed.img"
    shutil.copyfile(base, changed)
    payload = tmp_path / "payload"
    payload.write_bytes(os.urandom(300_000))
    subprocess.run(["debugfs", "-w", "-R", f"write {payload} big.bin", str(changed)],
                   check=True, capture_output=True)
    subprocess.run(["debugfs", "-w", "-R", "mkdir newdir", str(changed)], check=True, capture_output=True)
    old, new = base.read_bytes(), changed.read_bytes()
    dirty = {i // SECTOR: new[i:i + SECTOR] for i in range(0, len(new), SECTOR)
             if new[i:i + SECTOR] != old[i:i + SECTOR]}
    assert len(dirty) > 500
    cowfiles.build_cow(str(tmp_path / "x.cow"), str(base), "v3", dirty)
    r = ours("moo", "x.cow", "merged.img", cwd=tmp_path)
    assert r.returncode == 0, r
    merged = tmp_path / "merged.img"
    assert merged.read_bytes() == new
    fsck = subprocess.run(["e2fsck", "-fn", str(merged)], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    cat = subprocess.run(["debugfs", "-R", "cat big.bin", str(merged)], capture_output=True)
    assert cat.stdout == payload.read_bytes()
    cmp = subprocess.run(["qemu-img", "compare", "-f", "raw", "-F", "raw", str(merged), str(changed)],
                         capture_output=True, text=True) if shutil.which("qemu-img") else None
    assert cmp is None or cmp.returncode == 0, cmp
