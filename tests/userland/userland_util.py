"""Helpers for the guest userland tests (brief H5, docs/userland.md): run the
natively built multi-call binary through per-command symlinks."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
USER_DIR = REPO / "guest" / "user"
COMMANDS = ("sh init ls cat echo mkdir rmdir rm cp mv ln wc head dd sync df uname ps md5sum "
            "poweroff halt reboot true false sleep test [ pwd cpubench kill mount").split()
# never run natively: they would act on the host
DANGEROUS = {"init", "poweroff", "halt", "reboot", "mount"}


@dataclass
class Run:
    rc: int
    out: str
    err: str


@dataclass
class Userland:
    box: Path
    bindir: Path

    def env(self, **extra: str) -> dict[str, str]:
        env = {"PATH": str(self.bindir), "HOME": "/nonexistent", "LC_ALL": "C"}
        env.update(extra)
        return env

    def run(self, *argv: str, cwd: Path | None = None, stdin: bytes | str = b"",
            env: dict[str, str] | None = None, timeout: float = 20) -> Run:
        assert argv[0] not in DANGEROUS
        data = stdin.encode() if isinstance(stdin, str) else stdin
        p = subprocess.run([str(self.bindir / argv[0]), *argv[1:]], input=data,
                           capture_output=True, cwd=cwd, env=env or self.env(),
                           timeout=timeout)
        return Run(p.returncode, p.stdout.decode(errors="replace"),
                   p.stderr.decode(errors="replace"))

    def sh(self, script: str, cwd: Path | None = None, **kw: object) -> Run:
        return self.run("sh", "-c", script, cwd=cwd, **kw)  # type: ignore[arg-type]


