"""The shell on a real pseudo-terminal (docs/userland.md "sh"): prompt, raw-mode line
editing (Backspace, Ctrl-U, Ctrl-C, Ctrl-D), cooked mode restored for commands, and
Ctrl-C killing the foreground command but not the shell."""

from __future__ import annotations

import os
import pty
import re
import select
import time
from collections.abc import Iterator

import pytest

from userland_util import Userland


class Tty:
    def __init__(self, userland: Userland, cwd: str) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # child: the shell with the pty as its controlling terminal
            os.chdir(cwd)
            os.execve(str(userland.bindir / "sh"), ["sh"], userland.env())
        self.pid, self.fd, self.out, self.reaped = pid, fd, b"", False

    def text(self) -> str:
        return self.out.decode(errors="replace").replace("\r", "")

    def expect(self, pattern: str, since: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.text()[since:], re.M):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {pattern!r} in {self.text()!r}")
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    self.out += os.read(self.fd, 4096)
                except OSError:  # EIO: the shell has exited
                    raise AssertionError(f"no {pattern!r} in {self.text()!r}") from None

    def send(self, data: bytes) -> int:
        mark = len(self.text())
        os.write(self.fd, data)
        return mark


@pytest.fixture
def tty(userland: Userland, tmp_path: os.PathLike[str]) -> Iterator[Tty]:
    t = Tty(userland, str(tmp_path))
    yield t
    if not t.reaped:
        os.kill(t.pid, 9)
        os.waitpid(t.pid, 0)
    os.close(t.fd)


def test_prompt_and_editing(tty: Tty, tmp_path: os.PathLike[str]) -> None:
    tty.expect(re.escape(f"{os.fspath(tmp_path)} # "), 0)
    m = tty.send(b"echo abx\x7fc\n")
    tty.expect(r"^abc$", m)
    m = tty.send(b"echo wrong\x15echo right\n")
    tty.expect(r"^right$", m)
    m = tty.send(b"echo cancelled\x03echo after\n")
    tty.expect(r"\^C\n.*# echo after\nafter$", m)


def test_ctrl_c_kills_foreground_command_only(tty: Tty) -> None:
    tty.expect(r"# $", 0)
    # the marker is built at run time, so the echoed command line never matches it
    m = tty.send(b"m=run; sh -c \"echo started-$m; sleep 30\"; echo not-reached\n")
    tty.expect(r"^started-run$", m)
    start = time.monotonic()
    tty.send(b"\x03")
    m = tty.send(b"echo status $?\n")
    tty.expect(r"^status 130$", m)
    assert "not-reached" not in tty.text()[m:]
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("keys,code", [(b"false\n\x04", 1), (b"exit 5\n", 5)])
def test_ctrl_d_and_exit(tty: Tty, keys: bytes, code: int) -> None:
    tty.expect(r"# $", 0)
    m = tty.send(keys)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        pid, status = os.waitpid(tty.pid, os.WNOHANG)
        if pid:
            tty.reaped = True
            assert os.waitstatus_to_exitcode(status) == code
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"shell did not exit: {tty.text()[m:]!r}")
