"""System test: the real uml_mconsole client against a real booted umlpy guest.

Starts ``umlpy`` (umlpy.cli) with UML-style switches, waits for its mconsole
socket, drives it with /usr/bin/uml_mconsole and halts it.  Skipped until the
``umlpy`` command exists in this tree.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import time

import pytest

pytestmark = [
    pytest.mark.interop, pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("umlpy.cli") is None, reason="no umlpy.cli yet"),
    pytest.mark.skipif(shutil.which("uml_mconsole") is None or shutil.which("umlpy") is None,
                       reason="no uml_mconsole or umlpy command"),
]


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)    # polling a condition with a deadline
    raise AssertionError(f"timed out waiting for {what}")


def test_uml_mconsole_drives_a_umlpy_guest(tmp_path_factory):
    home = str(tmp_path_factory.mktemp("g"))
    udir = os.path.join(home, "u")
    env = dict(os.environ, HOME=home)
    log = open(os.path.join(home, "boot.log"), "w+b")
    proc = subprocess.Popen(["umlpy", "mem=64M", "con=null",
                             "umid=sys", f"uml_dir={udir}"],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            env=env, cwd=home)
    sock = os.path.join(udir, "sys", "mconsole")
    try:
        _wait(lambda: os.path.exists(sock) or proc.poll() is not None, 60, "the mconsole socket")
        log.seek(0)
        boot = log.read().decode(errors="replace")
        assert proc.poll() is None, boot
        assert f"mconsole (version 2) initialized on {sock}" in boot

        def mc(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(["uml_mconsole", sock, *args], env=env, capture_output=True,
                                  text=True, timeout=30)
        r = mc("version")
        assert r.returncode == 0 and r.stdout.startswith("OK Linux")
        r = mc("config", "mem")
        assert (r.returncode, r.stdout) == (0, f"OK {64 << 20}\n")
        assert mc("stop").stdout == "OK stopped\n"
        assert mc("config", "con0").stdout == "OK null\n"      # answered while stopped
        assert mc("go").stdout == "OK \n"
        r = mc("remove", "ubdp")
        assert (r.returncode, r.stdout) == (237, "ERR Device doesn't exist\n")
        assert mc("halt").stdout == "OK \n"
        proc.wait(timeout=30)
        assert not os.path.exists(os.path.join(udir, "sys"))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
