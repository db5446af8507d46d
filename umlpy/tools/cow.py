"""umlpy-cow: inspect and check COW files (our own tool; no UML equivalent).

``umlpy-cow info COW [--json]`` shows the header (spec/uml-reference.md §1.2,
§1.3), the derived layout (§1.4), the backing-file size/mtime check (§2.5
step 8) with a ``touch --date=@<mtime>`` hint when only the mtime differs,
the dirty sector count (§1.5) and allocated vs apparent size of the COW file.

``umlpy-cow check COW [--strict]`` validates everything and lists one problem
per line: exit 0 healthy, 1 problems found, 2 usage.  The data test: every
sector marked in the bitmap must lie inside the COW file and should have
allocated blocks in the data area (SEEK_DATA/SEEK_HOLE).  Marked sectors that
are holes read as zeros; that is normal after a guest discard (§3.4) or after
copying the COW with ``cp --sparse=always``, so it is reported as a note, and
as a problem only with ``--strict``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from umlpy.errors import CowError, NotCowError, ToolError

__all__ = ["main", "inspect", "Report"]

SECTOR = 512


@dataclass
class Report:
    """Everything info/check know about one COW file."""

    path: str
    header: dict[str, Any]
    backing_status: str                 # "ok", "missing", "size mismatch", "mtime mismatch"
    backing_detail: str
    hint: str
    dirty_sectors: int
    dirty_runs: int
    apparent_bytes: int
    allocated_bytes: int
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "header": self.header,
            "backing": {"status": self.backing_status, "detail": self.backing_detail,
                        "hint": self.hint},
            "dirty_sectors": self.dirty_sectors,
            "dirty_bytes": self.dirty_sectors * SECTOR,
            "dirty_runs": self.dirty_runs,
            "apparent_bytes": self.apparent_bytes,
            "allocated_bytes": self.allocated_bytes,
            "problems": self.problems,
            "notes": self.notes,
        }


def _backing_check(h: Any, path: str) -> tuple[str, str, str]:
    name = h.backing_file
    try:
        st = os.stat(name)
    except OSError as e:
        return "missing", f"cannot stat \"{name}\": {e.strerror}", ""
    size = st.st_size
    if not (st.st_mode & 0o170000 == 0o100000):
        try:
            fd = os.open(name, os.O_RDONLY | os.O_CLOEXEC)
            try:
                size = os.lseek(fd, 0, os.SEEK_END)
            finally:
                os.close(fd)
        except OSError:
            pass
    if size != h.size:
        return ("size mismatch",
                f"Size mismatch ({h.size} vs {size}) of COW header vs backing file \"{name}\"", "")
    actual = int(st.st_mtime) & 0xFFFFFFFF
    if actual != h.mtime:
        hint = (f"touch --date=@{h.mtime} '{name}'   # only if its content is unchanged "
                f"since \"{path}\" was created")
        return ("mtime mismatch",
                f"mtime mismatch ({h.mtime} vs {int(st.st_mtime)}) of COW header vs backing "
                f"file \"{name}\"", hint)
    return "ok", f"size {size} and mtime {actual} match", ""


def _uncovered(runs: list[tuple[int, int]], extents: list[tuple[int, int]]) -> int:
    """Bytes of runs (byte ranges) not covered by extents (both sorted)."""
    missing = 0
    j = 0
    for s, e in runs:
        pos = s
        while j < len(extents) and extents[j][1] <= pos:
            j += 1
        k = j
        while pos < e:
            if k >= len(extents) or extents[k][0] >= e:
                missing += e - pos
                break
            a, b = extents[k]
            if a > pos:
                missing += a - pos
            pos = max(pos, b)
            k += 1
    return missing


def inspect(path: str, *, deep: bool = True) -> Report:
    """Read and validate a COW file; raises ToolError if it cannot be read at all."""
    from umlpy.ubd import merge
    from umlpy.ubd.cow import parse_header

    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as e:
        raise ToolError(f"{path}: cannot open: {e.strerror}") from None
    try:
        st = os.fstat(fd)
        head = os.pread(fd, 4136, 0)
        try:
            h = parse_header(head, file_size=st.st_size)
        except NotCowError as e:
            detail = str(e)
            raise ToolError(f"{path}: {detail}" if detail.startswith("not a COW") else
                            f"{path}: not a COW file ({detail})" if detail else
                            f"{path}: not a COW file") from None
        except CowError as e:
            raise ToolError(f"{path}: invalid COW header: {e}") from None
        hdr = {
            "version": h.version, "broken_v3": h.broken_v3, "backing_file": h.backing_file,
            "mtime": h.mtime,
            "mtime_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(h.mtime)),
            "size": h.size, "sectorsize": h.sectorsize, "alignment": h.alignment,
            "cow_format": h.cow_format, "header_size": h.header_size,
            "bitmap_offset": h.bitmap_offset, "bitmap_len": h.bitmap_len,
            "data_offset": h.data_offset, "sectors": h.sectors,
        }
        rep = Report(path, hdr, *_backing_check(h, path), dirty_sectors=0, dirty_runs=0,
                     apparent_bytes=st.st_size, allocated_bytes=st.st_blocks * 512)
        if rep.backing_status != "ok":
            rep.problems.append(rep.backing_detail)
        if h.sectorsize != SECTOR:
            rep.problems.append(f"sectorsize {h.sectorsize} is not 512 (UML only writes 512)")
        if h.cow_format != 0:
            rep.problems.append(f"cow_format {h.cow_format} is unknown (only 0 is defined)")
        bitmap = os.pread(fd, h.bitmap_len, h.bitmap_offset)
        if len(bitmap) < h.bitmap_len:
            rep.problems.append(f"bitmap is cut off: file ends at {st.st_size}, bitmap needs "
                                f"{h.bitmap_offset + h.bitmap_len}")
        nsec = (h.size + SECTOR - 1) // SECTOR
        runs = merge.dirty_runs(bitmap, nsec)
        rep.dirty_runs = len(runs)
        rep.dirty_sectors = sum(e - s for s, e in runs)
        beyond = sum(bin(b).count("1") for b in bitmap[nsec // 8:]) - (
            bin(bitmap[nsec // 8] & ((1 << (nsec % 8)) - 1)).count("1")
            if nsec // 8 < len(bitmap) else 0)
        if beyond:
            rep.problems.append(f"{beyond} bitmap bits are set beyond the last sector {nsec - 1}")
        if deep and runs:
            _check_data(fd, h, st.st_size, runs, rep, merge)
        return rep
    finally:
        os.close(fd)


def _check_data(fd: int, h: Any, file_size: int, runs: list[tuple[int, int]], rep: Report,
                merge: Any) -> None:
    d = h.data_offset
    byte_runs = [(d + s * SECTOR, d + min(e * SECTOR, h.size)) for s, e in runs]
    last_end = byte_runs[-1][1]
    if last_end > file_size:
        cut = sum(e - max(s, file_size) for s, e in byte_runs if e > file_size)
        rep.problems.append(f"{(cut + SECTOR - 1) // SECTOR} marked sectors lie beyond the end of "
                            f"the COW file ({file_size} bytes; layout needs {d + h.size})")
    extents = merge.data_extents(fd, d, min(last_end, file_size))
    inside = [(s, min(e, file_size)) for s, e in byte_runs if s < file_size]
    holes = _uncovered(inside, extents)
    if holes:
        msg = (f"{holes // SECTOR} marked sectors have no allocated data (holes in the data "
               "area; they read as zeros - normal after a guest discard)")
        rep.notes.append(msg)


def _fmt_bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _info_rows(r: Report) -> list[tuple[str, str]]:
    h = r.header
    version = f"{h['version']}" + (" (broken 64-bit v3 layout)" if h["broken_v3"] else "")
    rows = [
        ("file", r.path),
        ("version", version),
        ("backing file", h["backing_file"]),
        ("backing check", f"{r.backing_status}: {r.backing_detail}"),
    ]
    if r.hint:
        rows.append(("hint", r.hint))
    rows += [
        ("size", f"{h['size']} bytes ({h['sectors']} sectors)"),
        ("mtime", f"{h['mtime']} ({h['mtime_utc']} UTC)"),
        ("sectorsize", str(h["sectorsize"])),
        ("alignment", str(h["alignment"])),
        ("cow_format", str(h["cow_format"])),
        ("header size", str(h["header_size"])),
        ("bitmap", f"offset {h['bitmap_offset']}, {h['bitmap_len']} bytes"),
        ("data offset", str(h["data_offset"])),
        ("dirty", f"{r.dirty_sectors} sectors, {r.dirty_sectors * SECTOR} bytes "
                  f"({_fmt_bytes(r.dirty_sectors * SECTOR)}) in {r.dirty_runs} runs"),
        ("file bytes", f"{r.allocated_bytes} allocated, {r.apparent_bytes} apparent"),
    ]
    return rows


def _print_rows(rows: list[tuple[str, str]]) -> None:
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(show_header=False, box=None)
        table.add_column(style="bold")
        table.add_column()
        for k, v in rows:
            table.add_row(k, v)
        Console().print(table)
        return
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k + ':':<{width + 1}} {v}")


def cmd_info(ns: argparse.Namespace) -> int:
    r = inspect(ns.cow, deep=False)
    if ns.json:
        print(json.dumps(r.as_dict(), indent=2))
    else:
        _print_rows(_info_rows(r))
    return 0


def cmd_check(ns: argparse.Namespace) -> int:
    try:
        r = inspect(ns.cow, deep=True)
    except ToolError as e:
        print(str(e))
        return 1
    problems = list(r.problems)
    if ns.strict:
        problems += r.notes
    for p in problems:
        print(f"{ns.cow}: {p}")
    if not ns.strict:
        for n in r.notes:
            print(f"{ns.cow}: note: {n}")
    if problems:
        return 1
    print(f"{ns.cow}: ok (v{r.header['version']}, {r.dirty_sectors} dirty sectors, "
          f"backing {r.header['backing_file']})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="umlpy-cow", description="Inspect and check UML COW files.")
    sub = p.add_subparsers(dest="command", required=True)
    pi = sub.add_parser("info", help="show header, backing check, dirty sectors, space use")
    pi.add_argument("cow")
    pi.add_argument("--json", action="store_true", help="machine-readable output")
    pi.set_defaults(func=cmd_info)
    pc = sub.add_parser("check", help="validate a COW file; exit 1 if problems are found")
    pc.add_argument("cow")
    pc.add_argument("--strict", action="store_true",
                    help="also count marked sectors without allocated data as problems")
    pc.set_defaults(func=cmd_check)
    return p


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv[1:]
    ns = build_parser().parse_args(args)
    try:
        return int(ns.func(ns))
    except ToolError as e:
        print(str(e), file=sys.stderr)
        return e.exit_code
    except OSError as e:
        print(f"{ns.cow}: {e.strerror}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
