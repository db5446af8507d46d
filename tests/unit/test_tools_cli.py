"""Command-line behaviour of umlpy-moo, umlpy-mkcow and umlpy-cow (spec §4.1,
§4.2, §5): exact texts on the right stream, exit codes, argv quirks, refusals
that leave every file unchanged, corrupt headers without tracebacks.

Expected texts are the ones captured from the real tools in the spec.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_tools_cowfiles import SECTOR, build_cow
from umlpy.tools import cow as cowtool
from umlpy.tools import mkcow, moo

REPO = Path(__file__).resolve().parents[2]

MOO_USAGE = """uml_moo usage:
\tuml_moo [ -b <actual backing file> ] <COW file> <new backing file>
\tuml_moo [ -b <actual backing file> ] -d <COW file>
Creates a new filesystem image from the COW file and its backing file.
Specifying -d will cause a destructive, in-place merge of the COW file into
its current backing file
Specifying -b overrides the backing_file specified in the COW file.  This is
needed when dealing with a COW file that was created inside a chroot jail.
uml_moo supports version 1,2 and 3 COW files.
"""
MKCOW_USAGE = ("uml_mkcow usage: \n\tuml_mkcow [-f] <COW file> <backing file>\n"
               "\t-f forces overwrite of an existing COW file\n")


def digest(*paths: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else "-"
            for p in paths}


@pytest.fixture
def disk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base = tmp_path / "base.img"
    base.write_bytes(os.urandom(64 << 10))
    os.utime(base, (1704067200, 1704067200))
    cow = tmp_path / "x.cow"
    dirty = {3: os.urandom(SECTOR), 100: os.urandom(SECTOR)}
    build_cow(str(cow), str(base), "v3", dirty)
    return tmp_path, base, cow, dirty


# --- umlpy-moo ---------------------------------------------------------------

@pytest.mark.parametrize("argv", [[], ["a"], ["-d"], ["-b"], ["-b", "x"], ["-d", "a", "b"],
                                  ["a", "b", "c"], ["-b", "x", "-d"]])
def test_moo_usage(capsys, argv: list[str]) -> None:
    assert moo.main(["uml_moo"] + argv) == 1
    out, err = capsys.readouterr()
    assert (out, err) == ("", MOO_USAGE)


def test_moo_usage_uses_argv0(capsys) -> None:
    assert moo.main(["./foo"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("./foo usage:\n\t./foo [ -b") and "./foo supports version" in err


@pytest.mark.parametrize("order", [["-d", "-b", "B", "C"], ["-b", "B", "-d", "C"]])
def test_moo_accepts_both_option_orders(order: list[str]) -> None:
    a = moo.parse_args(order)
    assert (a.cow, a.out, a.backing) == ("C", None, "B")


def expect_fail(capsys, argv: list[str], err: str, out: str = "") -> None:
    assert moo.main(["uml_moo"] + argv) == 1
    got = capsys.readouterr()
    assert (got.out, got.err) == (out, err)


def test_moo_messages(disk, capsys) -> None:
    d, base, cow, _ = disk
    expect_fail(capsys, ["nothere.cow", "o"], "COW file open: No such file or directory\n")
    expect_fail(capsys, [str(base), "o"], "Reading COW header failed\n")
    (d / "empty").write_bytes(b"")
    expect_fail(capsys, ["empty", "o"], "Reading COW header failed\n",
                out="read_cow_header - short header\n")
    expect_fail(capsys, ["-b", "nope.img", str(cow), "o"],
                "Stating backing file: No such file or directory\n")
    expect_fail(capsys, [str(cow), str(d / "nodir" / "o")],
                "Output file open: No such file or directory\n")
    os.utime(base, (5, 5))
    expect_fail(capsys, [str(cow), "o"], f"mtime mismatch (1704067200 vs 5) of COW header vs "
                                         f"backing file \"{base}\"\n")
    with open(base, "ab") as f:
        f.write(b"x" * 1000)
    expect_fail(capsys, [str(cow), "o"], f"Size mismatch (65536 vs 66536) of COW header vs "
                                         f"backing file \"{base}\"\n")
    assert not (d / "o").exists()


def test_moo_merge_and_broken_v3_notice(disk, capsys) -> None:
    d, base, _, dirty = disk
    cow = d / "b.cow"
    build_cow(str(cow), str(base), "v3broken", dirty)
    assert moo.main(["uml_moo", str(cow), "new.img"]) == 0
    got = capsys.readouterr()
    assert got.out == "read_cow_header - broken V3 file with 64-bit layout - recovering content.\n"
    assert got.err == ""
    img = bytearray(base.read_bytes())
    for s, data in dirty.items():
        img[s * SECTOR:(s + 1) * SECTOR] = data
    assert (d / "new.img").read_bytes() == bytes(img)
    assert oct((d / "new.img").stat().st_mode & 0o777) == oct(0o644 & ~current_umask())


def current_umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m


def test_moo_refuses_backing_and_cow_as_output(disk, capsys, tmp_path) -> None:
    d, base, cow, _ = disk
    os.symlink(base, d / "link.img")
    before = digest(base, cow)
    expect_fail(capsys, [str(cow), str(base)],
                f"Output file \"{base}\" is the backing file; refusing to overwrite it\n")
    expect_fail(capsys, [str(cow), "link.img"],
                "Output file \"link.img\" is the backing file; refusing to overwrite it\n")
    expect_fail(capsys, [str(cow), str(cow)],
                f"Output file \"{cow}\" is the COW file; refusing to overwrite it\n")
    assert digest(base, cow) == before


def test_moo_replaces_existing_output_atomically(disk, capsys) -> None:
    d, base, cow, _ = disk
    out = d / "out.img"
    out.write_bytes(b"old" * 100000)
    assert moo.main(["uml_moo", str(cow), str(out)]) == 0
    assert out.stat().st_size == base.stat().st_size
    assert sorted(p.name for p in d.iterdir()) == ["base.img", "out.img", "x.cow"]


def test_moo_inplace_refuses_siblings_then_force(disk, capsys) -> None:
    d, base, cow, dirty = disk
    other = d / "other.cow"
    build_cow(str(other), str(base), "v3", {})
    sub = d / "sub"
    sub.mkdir()
    far = sub / "far.cow"
    build_cow(str(far), str(base), "v2", {})
    before = digest(base, cow, other, far)
    assert moo.main(["uml_moo", "-d", "--siblings", str(sub), str(cow)]) == 1
    got = capsys.readouterr()
    assert got.out == ""
    assert got.err == (f"Refusing the in-place merge: other COW files use \"{base}\" and would "
                       f"become invalid:\n  {other}\n  {far}\n"
                       "Merge into a new file instead (umlpy-moo COW NEW), or use --force.\n")
    assert digest(base, cow, other, far) == before
    assert moo.main(["uml_moo", "-d", "--force", str(cow)]) == 0
    assert "the COW file is now stale" in capsys.readouterr().err
    img = bytearray(Path(d / "x.cow").read_bytes()[:0]) or bytearray()
    data = base.read_bytes()
    for s, sec in dirty.items():
        assert data[s * SECTOR:(s + 1) * SECTOR] == sec
    assert digest(cow) == {"x.cow": before["x.cow"]}          # COW untouched
    expect_fail(capsys, ["-d", "--force", str(cow)],
                f"mtime mismatch ({1704067200} vs {int(base.stat().st_mtime)}) of COW header "
                f"vs backing file \"{base}\"\n")
    del img


def test_moo_keeps_non_sector_multiple_size(tmp_path, capsys) -> None:
    base = tmp_path / "odd.img"
    base.write_bytes(os.urandom(1000))
    cow = tmp_path / "odd.cow"
    build_cow(str(cow), str(base), "v3", {1: b"\x11" * SECTOR})
    assert moo.main(["uml_moo", str(cow), str(tmp_path / "o.img")]) == 0
    got = (tmp_path / "o.img").read_bytes()
    assert got == base.read_bytes()[:512] + b"\x11" * 488


@pytest.mark.parametrize("corrupt", [
    lambda h: h[:4] + b"\0\0\0\x09" + h[8:],                 # version 9
    lambda h: h[:24] + b"\0\0\0\0" + h[28:],                 # v3 alignment 0
    lambda h: h[:20] + b"\0\0\x10\0" + h[24:],               # sectorsize 4096
    lambda h: h[:40],                                        # truncated header
])
def test_corrupt_headers_one_line_no_traceback(disk, corrupt) -> None:
    d, base, cow, _ = disk
    raw = cow.read_bytes()
    bad = d / "bad.cow"
    hdr = corrupt(raw[:4128])
    bad.write_bytes(hdr + (raw[4128:] if len(hdr) >= 4128 else b""))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for mod, args in (("umlpy.tools.moo", [str(bad), "o.img"]),
                      ("umlpy.tools.cow", ["check", str(bad)]),
                      ("umlpy.tools.cow", ["info", str(bad)])):
        r = subprocess.run([sys.executable, "-m", mod, *args], capture_output=True, text=True,
                           env=env, cwd=d)
        assert r.returncode == 1, (mod, r)
        text = r.stdout + r.stderr
        assert "Traceback" not in text and len(text.strip().splitlines()) == 1, (mod, text)
    assert not (d / "o.img").exists()


# --- umlpy-mkcow -------------------------------------------------------------

@pytest.mark.parametrize("argv", [[], ["a"], ["-f", "a"], ["-f"]])
def test_mkcow_usage(capsys, argv: list[str]) -> None:
    assert mkcow.main(["uml_mkcow"] + argv) == 2
    assert capsys.readouterr() == ("", MKCOW_USAGE)


def test_mkcow_messages_and_no_leftovers(disk, capsys) -> None:
    d, base, cow, _ = disk
    before = digest(cow)
    assert mkcow.main(["uml_mkcow", str(cow), str(base)]) == 1
    assert capsys.readouterr() == ("", "open COW file: File exists\n")
    assert mkcow.main(["uml_mkcow", "n.cow", "nothere.img"]) == 1
    assert capsys.readouterr() == (
        f"write_cow_header - backing file '{d}/nothere.img' mtime request failed, err = 1\n",
        "write_cow_header: Operation not permitted\n")
    assert not (d / "n.cow").exists()
    assert mkcow.main(["uml_mkcow", "n.cow", "nodir/b.img"]) == 1
    assert capsys.readouterr() == ("absolutize : Can't cd to 'nodir/b.img' - errno = 2\n",
                                   "write_cow_header: Invalid argument\n")
    assert not (d / "n.cow").exists()
    assert mkcow.main(["uml_mkcow", "-f", str(cow), "nothere.img"]) == 1
    capsys.readouterr()
    assert digest(cow) == before                      # -f with a bad backing: untouched
    assert mkcow.main(["uml_mkcow", "-f", str(base), str(base)]) == 1
    assert "is the backing file itself" in capsys.readouterr().err


def test_mkcow_force_gives_clean_cow(disk, capsys) -> None:
    d, base, cow, _ = disk
    with open(cow, "ab") as f:
        f.write(b"junk" * 5000)                       # longer than the layout
    assert mkcow.main(["uml_mkcow", "-f", str(cow), str(base)]) == 0
    assert capsys.readouterr() == ("", "")
    assert mkcow.main(["uml_mkcow", str(d / "fresh.cow"), str(base)]) == 0
    assert cow.read_bytes() == (d / "fresh.cow").read_bytes()
    assert cow.stat().st_size == 12288 + (64 << 10)
    assert cow.stat().st_blocks * 512 <= 12288        # header + last byte: sparse (§1.6)


def test_mkcow_extra_args_ignored_like_uml(disk, capsys) -> None:
    d, base, _, _ = disk
    assert mkcow.main(["uml_mkcow", "e.cow", str(base), "extra"]) == 0
    assert (d / "e.cow").exists()


# --- umlpy-cow ---------------------------------------------------------------

def test_cow_info_json_and_text(disk, capsys) -> None:
    d, base, cow, _ = disk
    assert cowtool.main(["umlpy-cow", "info", "--json", str(cow)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["header"]["version"] == 3 and info["header"]["backing_file"] == str(base)
    assert info["dirty_sectors"] == 2 and info["dirty_bytes"] == 1024
    assert info["backing"]["status"] == "ok"
    assert info["apparent_bytes"] == cow.stat().st_size
    assert info["allocated_bytes"] == cow.stat().st_blocks * 512
    os.utime(base, (99, 99))
    assert cowtool.main(["umlpy-cow", "info", str(cow)]) == 0
    out = capsys.readouterr().out
    assert "mtime mismatch (1704067200 vs 99)" in out
    assert f"touch --date=@1704067200 '{base}'" in out


def test_cow_check(disk, capsys) -> None:
    d, base, cow, _ = disk
    assert cowtool.main(["umlpy-cow", "check", str(cow)]) == 0
    assert capsys.readouterr().out.startswith(f"{cow}: ok (v3, 2 dirty sectors")
    lay_data = 12288
    os.truncate(cow, lay_data + 50 * SECTOR)          # sector 100 now beyond EOF
    os.utime(base, (99, 99))
    assert cowtool.main(["umlpy-cow", "check", str(cow)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any("mtime mismatch" in x for x in lines)
    assert any("1 marked sectors lie beyond the end of the COW file" in x for x in lines)


def test_cow_check_holes_are_notes_unless_strict(disk, capsys) -> None:
    d, base, _, _ = disk
    cow = d / "h.cow"
    lay = build_cow(str(cow), str(base), "v3", {})
    with open(cow, "r+b") as f:                       # mark sectors 8..15 without data
        f.seek(lay.bitmap_offset + 1)
        f.write(b"\xff")
    assert cowtool.main(["umlpy-cow", "check", str(cow)]) == 0
    assert "note: 8 marked sectors have no allocated data" in capsys.readouterr().out
    assert cowtool.main(["umlpy-cow", "check", "--strict", str(cow)]) == 1


def test_cow_usage_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as e:
        cowtool.main(["umlpy-cow", "bogus"])
    assert e.value.code == 2
