"""Disk data-path and bitmap speed (H1, docs/performance.md "Block devices").

Run from the repo root: python3 bench/ubd_disk_bench.py  (data in bench/data/h1, 512 MiB)."""
import os, time, random
from umlpy.ubd.opening import open_disk
from umlpy.ubd.options import parse_ubd_switch
from umlpy.ubd.bitmap import Bitmap
D = "bench/data/h1"
os.makedirs(D, exist_ok=True)
for f in ("base.img", "c.cow"):
    if os.path.exists(f"{D}/{f}"): os.unlink(f"{D}/{f}")
SIZE = 256 << 20
with open(f"{D}/base.img", "wb") as f:
    for _ in range(SIZE >> 20): f.write(os.urandom(1 << 20))
def run(label, fn, nbytes):
    t = time.perf_counter(); n = fn(); dt = time.perf_counter() - t
    print(f"{label:52s} {nbytes / dt / 2**20:8.0f} MiB/s  {n / dt:9.0f} req/s")
t = time.perf_counter()
d = open_disk(parse_ubd_switch(f"a={D}/c.cow,{D}/base.img"))
print(f"open (create COW, 256 MiB backing): {1000*(time.perf_counter()-t):.1f} ms")
ram = bytearray(SIZE); mv = memoryview(ram)
def seqw(bs):
    def f():
        for off in range(0, SIZE, bs): d.write(off, mv[off:off + bs])
        return SIZE // bs
    return f
def seqr(bs):
    def f():
        for off in range(0, SIZE, bs): d.readinto(off, mv[off:off + bs])
        return SIZE // bs
    return f
run("read 64 KiB seq, all from backing (fresh COW)", seqr(65536), SIZE)
run("write 4 KiB seq into COW (marks bits)", seqw(4096), SIZE)
run("read 64 KiB seq, all from COW", seqr(65536), SIZE)
d.close()
os.unlink(f"{D}/c.cow")
d = open_disk(parse_ubd_switch(f"a={D}/c.cow,{D}/base.img"))
rnd = random.Random(1)
for _ in range(20000):
    s = rnd.randrange(SIZE // 512); d.write(s * 512, mv[:512])
run("read 64 KiB seq, 20000 scattered COW sectors", seqr(65536), SIZE)
offs = [rnd.randrange(SIZE // 4096) * 4096 for _ in range(50000)]
def rr():
    for o in offs: d.readinto(o, mv[:4096])
    return len(offs)
run("read 4 KiB random, mixed map", rr, 4096 * len(offs))
d.close()
t = time.perf_counter()
d = open_disk(parse_ubd_switch(f"a={D}/c.cow"))
print(f"reopen COW alone (bitmap 64 KiB read): {1000*(time.perf_counter()-t):.1f} ms")
d.close()
nbits = 2 << 20
bm = Bitmap(bytearray(nbits // 8), nbits)
for _ in range(10000):
    s = rnd.randrange(nbits - 64); bm.set_range(s, rnd.randint(1, 64))
t = time.perf_counter(); runs = list(bm.set_runs()); dt = time.perf_counter() - t
print(f"set_runs on 1 GiB disk bitmap ({len(runs)} runs): {dt*1000:.1f} ms")
bm = Bitmap(bytearray(nbits // 8), nbits)
t = time.perf_counter(); list(bm.set_runs()); bm.count_set(); dt = time.perf_counter() - t
print(f"set_runs+count_set on empty 1 GiB bitmap: {dt*1000:.2f} ms")
