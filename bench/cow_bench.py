"""COW tool benchmark: umlpy-moo / umlpy-mkcow against uml_moo, uml_mkcow, qemu-img and cp.

Implements the measurement plan of docs/performance.md (section "COW tools"):
spec/uml-reference.md §4 (uml_moo), §5 (uml_mkcow), §1 (COW layout).

Data (created once, cached in bench/data/, gitignored):
  backing.img          1 GiB of random bytes
  dirty-<P>.cow        v3 COW on backing.img with P % of its 4 KiB blocks dirty
                       (random blocks, random data), P in 1, 10, 50
  dirty-<P>.qcow2      the equivalent qcow2 overlay (same blocks written with qemu-io)

Usage: python3 bench/cow_bench.py [--repeat N] [--cold] [--only copy,inplace,mkcow]
Prints a table of best-of-N wall seconds and ratios (ours / theirs).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
BACKING = os.path.join(DATA, "backing.img")
SIZE = 1 << 30
BLOCK = 4096
FRACTIONS = (1, 10, 50)
SEED = 20261206
SECTOR = 512
HEADER_V3 = 4128


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def make_backing() -> None:
    if os.path.exists(BACKING) and os.path.getsize(BACKING) == SIZE:
        return
    log(f"creating {BACKING} (1 GiB random)")
    os.makedirs(DATA, exist_ok=True)
    tmp = BACKING + ".tmp"
    with open("/dev/urandom", "rb") as src, open(tmp, "wb") as dst:
        left = SIZE
        while left:
            chunk = src.read(min(left, 1 << 24))
            dst.write(chunk)
            left -= len(chunk)
    os.utime(tmp, (1704067200, 1704067200))
    os.rename(tmp, BACKING)


def dirty_blocks(percent: int) -> list[int]:
    nblocks = SIZE // BLOCK
    rng = random.Random(SEED + percent)
    return sorted(rng.sample(range(nblocks), nblocks * percent // 100))


def v3_offsets(size: int) -> tuple[int, int]:
    """(bitmap_offset, data_offset) of a v3 COW with alignment 4096 (spec §1.4)."""
    bitmap_offset = (HEADER_V3 + 4095) // 4096 * 4096
    sectors = (size + SECTOR - 1) // SECTOR
    bitmap_len = (sectors + 7) // 8
    data_offset = (bitmap_offset + bitmap_len + 4095) // 4096 * 4096
    return bitmap_offset, data_offset


def cow_path(percent: int) -> str:
    return os.path.join(DATA, f"dirty-{percent}.cow")


def qcow_path(percent: int) -> str:
    return os.path.join(DATA, f"dirty-{percent}.qcow2")


def make_cow(percent: int) -> None:
    path = cow_path(percent)
    if os.path.exists(path):
        return
    log(f"creating {path}")
    tmp = path + ".tmp"
    if os.path.exists(tmp):
        os.unlink(tmp)
    subprocess.run(["uml_mkcow", tmp, BACKING], check=True)
    bitmap_offset, data_offset = v3_offsets(SIZE)
    blocks = dirty_blocks(percent)
    bitmap = bytearray((SIZE // SECTOR + 7) // 8)
    rng = random.Random(SEED * 7 + percent)
    fd = os.open(tmp, os.O_RDWR)
    try:
        pool = rng.randbytes(1 << 22)
        for i, blk in enumerate(blocks):
            bitmap[blk] = 0xFF          # 8 sectors per 4 KiB block = one bitmap byte
            o = (i * 4099) % ((1 << 22) - BLOCK)
            os.pwrite(fd, pool[o:o + BLOCK], data_offset + blk * BLOCK)
        os.pwrite(fd, bytes(bitmap), bitmap_offset)
    finally:
        os.close(fd)
    os.rename(tmp, path)


def make_qcow(percent: int) -> None:
    path = qcow_path(percent)
    if os.path.exists(path):
        return
    log(f"creating {path}")
    tmp = path + ".tmp"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", BACKING, "-F", "raw", tmp],
                   check=True)
    # coalesce adjacent blocks into one write command each
    cmds: list[str] = []
    blocks = dirty_blocks(percent)
    i = 0
    while i < len(blocks):
        j = i
        while j + 1 < len(blocks) and blocks[j + 1] == blocks[j] + 1:
            j += 1
        cmds.append(f"write -P 0x{(i % 255) + 1:02x} {blocks[i] * BLOCK} {(j - i + 1) * BLOCK}\n")
        i = j + 1
    subprocess.run(["qemu-io", tmp], input="".join(cmds).encode(), check=True,
                   stdout=subprocess.DEVNULL)
    os.rename(tmp, path)


def prepare() -> None:
    make_backing()
    for p in FRACTIONS:
        make_cow(p)
        if shutil.which("qemu-io"):
            make_qcow(p)


def timed(cmd: list[str], setup=None) -> float:  # type: ignore[no-untyped-def]
    if setup is not None:
        setup()
    os.sync()
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def best(n: int, cmd: list[str], setup=None) -> float:  # type: ignore[no-untyped-def]
    return min(timed(cmd, setup) for _ in range(n))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="copy,inplace,mkcow")
    ns = ap.parse_args()
    prepare()
    only = set(ns.only.split(","))
    py = [sys.executable, "-m"]
    out = os.path.join(DATA, "out.img")
    copy = os.path.join(DATA, "copy.img")
    rows: list[tuple[str, float, str, float]] = []

    def rm_out() -> None:
        if os.path.exists(out):
            os.unlink(out)

    if "copy" in only:
        cp = best(ns.repeat, ["cp", BACKING, out], rm_out)
        cps = best(ns.repeat, ["sh", "-c", f"cp {BACKING} {out} && sync {out}"], rm_out)
        for p in FRACTIONS:
            o = best(ns.repeat, py + ["umlpy.tools.moo", cow_path(p), out], rm_out)
            rows.append((f"copy {p}% umlpy-moo vs cp", o, "cp", cp))
            rows.append((f"copy {p}% umlpy-moo vs cp+sync", o, "cp+sync", cps))
            m = best(1, ["uml_moo", cow_path(p), out], rm_out)
            rows.append((f"copy {p}% vs uml_moo", o, "uml_moo", m))
            if os.path.exists(qcow_path(p)):
                q = best(ns.repeat, ["qemu-img", "convert", "-O", "raw", qcow_path(p), out], rm_out)
                rows.append((f"copy {p}% vs qemu-img convert", o, "qemu-img", q))
    if "inplace" in only:
        def fresh() -> None:
            subprocess.run(["cp", BACKING, copy], check=True)
            os.utime(copy, (1704067200, 1704067200))
        for p in FRACTIONS:
            o = best(ns.repeat, py + ["umlpy.tools.moo", "-b", copy, "--force", "-d", cow_path(p)], fresh)
            m = best(ns.repeat, ["uml_moo", "-d", "-b", copy, cow_path(p)], fresh)
            ms = best(ns.repeat, ["sh", "-c", f"uml_moo -d -b {copy} {cow_path(p)} && sync {copy}"], fresh)
            rows.append((f"in-place {p}% vs uml_moo -d", o, "uml_moo -d", m))
            rows.append((f"in-place {p}% vs uml_moo -d+sync", o, "uml_moo -d+sync", ms))
            if os.path.exists(qcow_path(p)):
                ov = os.path.join(DATA, "ov.qcow2")

                def fresh_q() -> None:
                    fresh()
                    shutil.copyfile(qcow_path(p), ov)
                    subprocess.run(["qemu-img", "rebase", "-u", "-f", "qcow2", "-b", copy, "-F", "raw", ov],
                                   check=True)
                q = best(ns.repeat, ["qemu-img", "commit", "-d", "-f", "qcow2", ov], fresh_q)
                rows.append((f"in-place {p}% vs qemu-img commit", o, "qemu-img commit", q))
    if "mkcow" in only:
        mk = os.path.join(DATA, "mk.cow")

        def rm_mk() -> None:
            if os.path.exists(mk):
                os.unlink(mk)
        exe = shutil.which("umlpy-mkcow") or "umlpy-mkcow"
        o = best(ns.repeat * 3, [exe, mk, BACKING], rm_mk)
        m = best(ns.repeat * 3, ["uml_mkcow", mk, BACKING], rm_mk)
        base = best(ns.repeat * 3, [sys.executable, "-c", "pass"])
        rows.append(("mkcow vs uml_mkcow", o, "uml_mkcow", m))
        rows.append(("mkcow vs bare python3 -c pass", o, "python3 -c pass", base))
    print(f"{'case':42} {'ours s':>8} {'theirs':>16} {'s':>8} {'ratio':>6}")
    for name, o, other, t in rows:
        print(f"{name:42} {o:8.3f} {other:>16} {t:8.3f} {o / t:6.2f}")
    for f in (out, copy):
        if os.path.exists(f):
            os.unlink(f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
