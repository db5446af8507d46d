"""umlpy-mconsole and our server compared with a real booted linux.uml (spec §6, appendix A).

One boot of UML 6.1 with a tiny busybox root; the same requests are sent to
it and to our server (backed by RecordingMachine) and the reply packets
compared; then ``umlpy-mconsole ... halt`` stops it and its instance
directory must be gone.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import time

import pytest

from umlpy.mconsole import Instance, MconsoleServer
from umlpy.mconsole.client import exchange_raw
from umlpy.mconsole.protocol import MAGIC, pack_request, unpack_reply
from umlpy.mconsole.recording import RecordingMachine

pytestmark = [pytest.mark.interop, pytest.mark.slow,
              pytest.mark.skipif(shutil.which("linux.uml") is None or
                                 not os.path.exists("/bin/busybox") or
                                 shutil.which("mke2fs") is None,
                                 reason="needs linux.uml, /bin/busybox and mke2fs")]

INIT = """#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
echo READY
while true; do sleep 1; done
"""


def _rootfs(work: str) -> str:
    root = os.path.join(work, "rootdir")
    for d in ("bin", "sbin", "dev", "proc", "sys", "tmp"):
        os.makedirs(os.path.join(root, d))
    shutil.copy("/bin/busybox", os.path.join(root, "bin", "busybox"))
    names = subprocess.run(["/bin/busybox", "--list"], capture_output=True, text=True,
                           check=True).stdout.split()
    for name in names:
        if name != "busybox":           # appendix A's loop would replace busybox by a self-link
            os.symlink("busybox", os.path.join(root, "bin", name))
    with open(os.path.join(root, "sbin", "init"), "w") as f:
        f.write(INIT)
    os.chmod(os.path.join(root, "sbin", "init"), 0o755)
    image = os.path.join(work, "base.img")
    subprocess.run(["mke2fs", "-q", "-t", "ext2", "-d", root, image, "16M"], check=True)
    return image


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)    # polling a condition with a deadline, not synchronising on time
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def uml(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("uml"))
    image = _rootfs(work)
    udir = os.path.join(work, "u")
    log = open(os.path.join(work, "boot.log"), "w+b")
    proc = subprocess.Popen(
        ["linux.uml", f"ubda={work}/cow.img,{image}", "mem=64M", "con=null", "con0=null,fd:1",
         "rw", "init=/sbin/init", "umid=real", f"uml_dir={udir}"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    sock = os.path.join(udir, "real", "mconsole")

    def ready() -> bool:
        log.seek(0)
        return b"READY" in log.read() or proc.poll() is not None
    try:
        _wait(ready, 60, "the UML guest to boot")
        assert proc.poll() is None, "linux.uml exited during boot"
        assert os.path.exists(sock)
        yield work, udir, sock, proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture
def ours(tmp_path_factory):
    inst = Instance.create("ours", str(tmp_path_factory.mktemp("o")))
    mc = RecordingMachine()
    srv = MconsoleServer(inst.socket_path, mc).start()
    yield inst.socket_path, mc
    srv.close()
    inst.close()


def mcons(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["umlpy-mconsole", *args],
                          capture_output=True, text=True, timeout=30)


def _packets(path: str, data: bytes, finals: int = 1) -> list:
    raw = exchange_raw(path, data, finals=finals, timeout=10)
    return [p if p.startswith(b"ERR ") else unpack_reply(p) for p in raw]


SAME_ANSWER = [
    "help", "bogus", "  version", "gofoo", "stop", "stop", "go", "go", "config xyz",
    "config ubd", "config ubdq", "config ubdz=x", "config ubd!=x", "remove ubd", "remove ubdz",
    "remove ubdb", "remove mem", "config con", "config con99", "remove con99", "config mem=4",
    "stack", "stack x", "stack 0", "stack 99999", "proc", "proc nope",
    "config ubdb", "log from the test",
]


def test_same_reply_packets_as_real_uml(uml, ours):
    _, _, sock, _ = uml
    path, _ = ours
    for text in SAME_ANSWER:
        assert _packets(path, pack_request(text)) == _packets(sock, pack_request(text)), text


def test_same_protocol_errors_as_real_uml(uml, ours):
    _, _, sock, _ = uml
    path, _ = ours
    v0 = b"version"
    big = struct.pack("<III", MAGIC, 2, 600) + b"version"
    assert _packets(path, v0) == _packets(sock, v0)
    assert _packets(path, big) == _packets(sock, big)
    wrong = struct.pack("<III", MAGIC, 3, 4) + b"stop"
    assert _packets(path, wrong, 2) == _packets(sock, wrong, 2)
    go = pack_request("go")
    assert _packets(path, go) == _packets(sock, go)


def test_umlpy_mconsole_against_real_uml_then_halt(uml):
    work, udir, sock, proc = uml
    r = mcons("--uml-dir", udir, "real", "version")
    assert r.returncode == 0 and r.stdout.startswith("OK Linux (none) 6.1")
    r = mcons("--uml-dir", udir, "real", "config", "ubda")
    assert (r.returncode, r.stdout) == (0, f"OK {work}/cow.img,{work}/base.img\n")
    r = mcons("--uml-dir", udir, "real", "remove", "ubda")
    assert (r.returncode, r.stdout) == (240, "ERR Device is currently open\n")
    r = mcons("--uml-dir", udir, "real", "proc", "uptime")
    assert r.returncode == 0 and r.stdout.startswith("OK \n") and len(r.stdout.split()) == 3
    r = mcons(sock, "config", "mem")     # path form
    assert r.returncode == 0 and int(r.stdout.split()[1]) > 0
    r = mcons("--uml-dir", udir, "real", "halt")
    assert (r.returncode, r.stdout) == (0, "OK \n")
    proc.wait(timeout=30)
    assert not os.path.exists(os.path.join(udir, "real"))
