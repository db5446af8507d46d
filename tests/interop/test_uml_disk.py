"""Interop with real UML (spec §1, §3, appendix A): one boot of linux.uml where the
guest writes known patterns through a COW that umlpy then reads sector by sector,
md5sums a COW that umlpy wrote (the host compares), and holds a COW open while
umlpy's open of it must fail on UML's lock."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import sha256_file
from umlpy.errors import LockError
from umlpy.ubd.opening import open_disk
from umlpy.ubd.options import parse_ubd_switch

pytestmark = [pytest.mark.interop, pytest.mark.slow]

UML = shutil.which("linux.uml")
BUSYBOX = shutil.which("busybox") or "/bin/busybox"
MKE2FS = shutil.which("mke2fs") or "/sbin/mke2fs"

if UML is None or not os.path.exists(BUSYBOX) or not os.path.exists(MKE2FS):
    pytest.skip("linux.uml, busybox or mke2fs missing", allow_module_level=True)

INIT = """#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mount -t hostfs none /host -o {ctl}
[ -f /host/test.sh ] && . /host/test.sh > /host/log 2>&1
sync; poweroff -f
"""

# (sector, count): guest writes /host/p<i> there; 4 KiB-aligned page-sized pieces and
# odd sectors (buffered writes: the guest reads the page, patches it, writes it back)
PIECES = [(3, 1), (16, 8), (100, 5), (4095, 1), (2048, 64)]
SIZE = 2 << 20
# our writes for ubdc: whole 4 KiB pages only (UML's mixed-page read bug, spec §3.3)
OURS = [(0, 8), (64, 16), (1000, 8), (4088, 8)]


def _root_image(tmp_path: Path, ctl: Path) -> Path:
    root = tmp_path / "rootdir"
    for d in ("bin", "sbin", "dev", "proc", "sys", "tmp", "host"):
        (root / d).mkdir(parents=True)
    shutil.copy(BUSYBOX, root / "bin" / "busybox")
    for name in ("sh", "mount", "dd", "md5sum", "sync", "poweroff", "cat", "echo"):
        (root / "bin" / name).symlink_to("busybox")
    init = root / "sbin" / "init"
    init.write_text(INIT.format(ctl=ctl))
    init.chmod(0o755)
    img = tmp_path / "root.img"
    subprocess.run([MKE2FS, "-q", "-F", "-t", "ext2", "-d", str(root), str(img), "8M"],
                   check=True, capture_output=True)
    return img


def test_uml_and_umlpy_share_cow_files(tmp_path, make_image) -> None:
    ctl = tmp_path / "ctl"
    ctl.mkdir()
    _root_image(tmp_path, ctl)
    data = make_image("data.img", SIZE, seed=21)
    data2 = make_image("data2.img", SIZE, seed=22)
    hashes = (sha256_file(data), sha256_file(data2))

    # --- the guest's writes to ubdb, prepared as files on hostfs
    rnd = random.Random(23)
    expect_b = bytearray(data.read_bytes())
    script = []
    for i, (sector, count) in enumerate(PIECES):
        blob = rnd.randbytes(count * 512)
        (ctl / f"p{i}").write_bytes(blob)
        expect_b[sector * 512:(sector + count) * 512] = blob
        script.append(f"dd if=/host/p{i} of=/dev/ubdb bs=512 seek={sector} count={count} "
                      "conv=notrunc")
    script.append("md5sum /dev/ubdc > /host/md5c")
    # hold ubdb open (UML then holds its POSIX locks) until the host has tried it
    script.append("exec 3</dev/ubdb; echo held > /host/held")
    script.append("while [ ! -f /host/release ]; do sleep 0.05; done; exec 3<&-")
    (ctl / "test.sh").write_text("\n".join(script) + "\n")

    # --- ubdc: a COW written by umlpy
    expect_c = bytearray(data2.read_bytes())
    with open_disk(parse_ubd_switch("c=c.cow,data2.img"), cwd=str(tmp_path)) as d:
        for sector, count in OURS:
            blob = rnd.randbytes(count * 512)
            d.write(sector * 512, memoryview(blob))
            expect_c[sector * 512:(sector + count) * 512] = blob
        d.discard(200 * 512, 8 * 512)
        expect_c[200 * 512:208 * 512] = bytes(8 * 512)

    cmd = [UML, "ubda=root.cow,root.img", "ubdb=b.cow,data.img",
           "ubdc=c.cow,data2.img", "mem=64M", "con=null", "con0=fd:0,fd:1", "rw",
           "init=/sbin/init", f"umid=h1disk{os.getpid()}", f"uml_dir={tmp_path / 'uml'}"]
    (tmp_path / "uml").mkdir()
    log = open(tmp_path / "uml.log", "w+b")
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not (ctl / "held").exists():
            assert proc.poll() is None and time.monotonic() < deadline, "guest never held ubdb"
            time.sleep(0.05)   # polling a condition with a deadline
        # real UML holds b.cow open with a POSIX write lock: our open must be refused
        with pytest.raises(LockError) as ei:
            open_disk(parse_ubd_switch("d=b.cow"), cwd=str(tmp_path))
        pidfile = tmp_path / "uml" / f"h1disk{os.getpid()}" / "pid"
        assert f"locked by pid {int(pidfile.read_text())}" in str(ei.value)
        (ctl / "release").write_text("")
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.seek(0)
        out = log.read().decode(errors="replace")
        log.close()
    assert (ctl / "md5c").exists(), f"guest did not finish: rc={proc.returncode}\n{out[-3000:]}"
    assert 'Creating "b.cow" as COW file for "data.img"' in out

    # UML read our COW: same bytes as the model
    assert (ctl / "md5c").read_text().split()[0] == hashlib.md5(expect_c).hexdigest()
    # we read UML's COW sector by sector
    with open_disk(parse_ubd_switch("b=b.cow"), cwd=str(tmp_path)) as d:
        assert d.size == SIZE
        buf = bytearray(512)
        for s in range(SIZE // 512):
            d.readinto(s * 512, memoryview(buf))
            assert buf == expect_b[s * 512:(s + 1) * 512], f"sector {s}"
        marked = sum(c for _, c in d.bitmap.set_runs())
        assert marked >= sum(c for _, c in PIECES)
    # neither side wrote a backing file
    assert (sha256_file(data), sha256_file(data2)) == hashes
