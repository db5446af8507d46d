"""Boot images/root_fs under the real linux.uml (brief H5): init runs /etc/rc and a
shell on a pipe-fed console; commands create, modify and delete files, a pipeline
runs, Ctrl-C kills the foreground command, `poweroff` ends UML. The COW is then
merged with the real uml_moo and the result checked with e2fsck and debugfs.
images/root_fs itself must not change."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from userland_util import REPO

IMAGE = REPO / "images" / "root_fs"
pytestmark = [pytest.mark.interop, pytest.mark.slow,
              pytest.mark.skipif(shutil.which("linux.uml") is None or shutil.which("uml_moo") is None,
                                 reason="needs linux.uml and uml_moo")]


class Console:
    """The UML process with its console on our pipes; output collected by a thread."""

    def __init__(self, argv: list[str], cwd: Path) -> None:
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, cwd=cwd)
        self.buf = b""
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        while chunk := self.proc.stdout.read1(65536):
            with self.lock:
                self.buf += chunk

    def text(self) -> str:
        with self.lock:
            return self.buf.decode(errors="replace").replace("\r", "")

    def send(self, data: str) -> int:
        mark = len(self.text())
        assert self.proc.stdin is not None
        self.proc.stdin.write(data.encode())
        self.proc.stdin.flush()
        return mark

    def expect(self, pattern: str, since: int = 0, timeout: float = 30) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.text()[since:], re.M)
            if m:
                return m
            if self.proc.poll() is not None and not self.reader.is_alive():
                break
            time.sleep(0.02)  # polling the output buffer, not synchronising
        raise AssertionError(f"no {pattern!r} in console output:\n{self.text()[-3000:]}")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        self.reader.join(timeout=10)
        self.proc.stdout.close()

    def run(self, line: str, pattern: str, timeout: float = 30) -> re.Match[str]:
        return self.expect(pattern, self.send(line + "\n"), timeout)


def debugfs(image: Path, request: str) -> bytes:
    return subprocess.run(["debugfs", "-R", request, str(image)], capture_output=True,
                          check=True).stdout


def test_boot_commands_poweroff_merge(tmp_path: Path) -> None:
    before = hashlib.sha256(IMAGE.read_bytes()).hexdigest()
    box = debugfs(IMAGE, "cat /bin/box")
    cow = tmp_path / "root.cow"
    umid = f"h5boot-{os.getpid()}"
    con = Console(["linux.uml", f"ubda={cow},{IMAGE}", "mem=64M", "con=null",
                   "con0=fd:0,fd:1", f"umid={umid}", f"uml_dir={tmp_path}", "rw",
                   "init=/sbin/init"], tmp_path)
    try:
        con.expect(r"^rc: ok$", timeout=60)
        con.expect(r"^/ # ")
        # markers are built from variables so the echoed command line never matches
        con.run("m=ok; uname -a; echo uname-$m", r"^Linux \S+ 6\.\S+ .*x86_64\nuname-ok$")
        con.run("echo data1 > /root/keep; echo more >> /root/keep; cat /root/keep | wc -l",
                r"^2$")
        con.run("ls /bin | wc -l; ls /bin | head -n 2", r"^28\n\[\nbox$")
        con.run("mkdir -p /root/a/b && cp /bin/box /root/a/b/copy && md5sum /bin/box /root/a/b/copy",
                r"^([0-9a-f]{32})  /bin/box\n\1  /root/a/b/copy$")
        con.run("dd if=/bin/box of=/root/dd.out bs=1K skip=2 count=5 seek=1; m=ok; echo dd-$m",
                r"^5\+0 records in\n5\+0 records out\n.*\ndd-ok$")
        con.run("cd /root && ln -s keep sl && ln keep hard && mv a moved && rm -r moved/b "
                "&& rm /etc/rc && ls -l /root | wc -l; cd /", r"^6$")
        con.run("x='q  w'; echo \"[$x]\" [$x] $? | cat", r"^\[q  w\] \[q w\] 0$")
        con.run("ps | head -n 2", r"^  PID  PPID S CMD\n    1     0 S /sbin/init$")
        con.run("df /", r"^/dev/root\s+\d+\s+\d+\s+\d+\s+\d+% /$")
        con.run("cpubench 2 4096", r"^cpubench: rounds=2 bytes=4096 crc32=[0-9a-f]{8} ")
        # Ctrl-C: SIGINT reaches the foreground command (a child sh), not the shell
        con.run("m=run; sh -c \"echo sleep-$m; sleep 60\"", r"^sleep-run$")
        con.send("\x03")
        con.run("echo $?-c$m", r"^130-crun$", timeout=10)
        # Ctrl-U and backspace in the line editor
        con.run("echo wrong\x15echo rig\x7fght-$m", r"^right-run$")
        con.send("sync; poweroff\n")
        assert con.proc.wait(timeout=60) == 0
    finally:
        con.close()
    assert hashlib.sha256(IMAGE.read_bytes()).hexdigest() == before

    merged = tmp_path / "merged.img"
    subprocess.run(["uml_moo", str(cow), str(merged)], check=True, capture_output=True)
    fsck = subprocess.run(["e2fsck", "-fn", str(merged)], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    assert debugfs(merged, "cat /root/keep") == b"data1\nmore\n"
    assert debugfs(merged, "cat /root/hard") == b"data1\nmore\n"
    assert debugfs(merged, "cat /root/moved/b/copy") == b""  # removed
    assert b"moved" in debugfs(merged, "ls /root") and b"/root/a" not in debugfs(merged, "ls /root")
    assert debugfs(merged, "cat /root/dd.out") == bytes(1024) + box[2048:2048 + 5 * 1024]
    assert b"Fast link dest: \"keep\"" in debugfs(merged, "stat /root/sl")
    assert b"File not found" in subprocess.run(["debugfs", "-R", "stat /etc/rc", str(merged)],
                                               capture_output=True).stderr
    assert debugfs(merged, "cat /bin/box") == box
