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
