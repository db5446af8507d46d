"""The binary's shape and its syscalls (docs/userland.md "Binary" and "Syscalls"):
a static non-PIE ELF with PT_LOAD segments only, no FPU/SSE code, and -- traced
with strace over a run of every command -- no syscall outside the documented list."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from userland_util import REPO, Userland

DOC = REPO / "docs" / "userland.md"


def documented_syscalls() -> dict[str, int]:
    """name -> number from the table in docs/userland.md's "Syscalls" section."""
    text = DOC.read_text()
    section = text.split("## Syscalls", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| (\d+) \|", section, re.M)
    assert rows, "no syscall table in docs/userland.md"
    return {name: int(nr) for name, nr in rows}


def test_elf_is_static_pt_load_only(userland: Userland) -> None:
    with userland.box.open("rb") as f:
        elf = ELFFile(f)
        assert elf["e_type"] == "ET_EXEC" and elf["e_machine"] == "EM_X86_64"
        types = [seg["p_type"] for seg in elf.iter_segments()]
        assert types == ["PT_LOAD", "PT_LOAD"]
        for seg in elf.iter_segments():
            assert seg["p_align"] == 4096
            assert seg["p_vaddr"] % 4096 == seg["p_offset"] % 4096
            assert seg["p_vaddr"] + seg["p_memsz"] < 1 << 47
        assert elf.get_section_by_name(".interp") is None
        assert elf.get_section_by_name(".tdata") is None and elf.get_section_by_name(".tbss") is None
    assert userland.box.stat().st_size < 200_000


def test_no_sse_or_x87_instructions(userland: Userland) -> None:
    dis = subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(userland.box)],
                         capture_output=True, text=True, check=True).stdout
    insns = [ln.split("\t", 1)[1] for ln in dis.splitlines() if ln.startswith("  ") and "\t" in ln]
    bad = [i for i in insns if re.search(r"%[xyz]mm|%st\b|^f[a-z]+\s|^(fxsave|fxrstor|ldmxcsr|emms)", i)]
    assert len(insns) > 1000
    assert bad == []


def test_syscall_numbers_in_header_match_doc() -> None:
    header = (REPO / "guest" / "user" / "libc" / "libc.h").read_text()
    enum = dict((n, int(v)) for n, v in re.findall(r"SYS_(\w+) = (\d+)", header))
    assert enum == documented_syscalls()


SCRIPT = """
ls -l / > /dev/null; ls -a; cat t | wc; echo a >> t; head -n 1 t; mkdir -p a/b
cp t a/b/; cp -r a c; mv c d; ln -s t s; ln t h; rm -r d a; rmdir x 2>/dev/null
dd if=t of=o bs=1 seek=3 skip=1 2>/dev/null; dd if=t of=o conv=notrunc 2>/dev/null
md5sum t; uname -a; df .; ps > /dev/null; sleep 0.01; test -f t; [ -d . ]
cpubench 1 100; pwd; cd /; kill -0 $$; sync; sh -c "exit 3"; x=1; export x
echo * & wait; echo $? > /dev/null; cat < /dev/null; A=1 sh /dev/null
"""


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace")
def test_only_documented_syscalls(userland: Userland, tmp_path: Path) -> None:
    (tmp_path / "t").write_text("x y\n")
    log = tmp_path / "strace.log"
    p = subprocess.run([str(shutil.which("strace")), "-f", "-qq", "-o", str(log), str(userland.bindir / "sh"),
                        "-c", SCRIPT], cwd=tmp_path, env=userland.env(),
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    used = set(re.findall(r"^\d+ +(\w+)\(", log.read_text(), re.M))
    assert {"fork", "execve", "wait4", "pipe2", "getdents64", "statfs"} <= used
    assert used - set(documented_syscalls()) == set()
