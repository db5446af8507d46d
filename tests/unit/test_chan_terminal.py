"""The terminal is restored however a process using a raw console ends (docs/console.md)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import termios

import pytest

CHILD = r"""
import os, signal, sys
from umlpy.chan import parse_channel
chan = parse_channel("fd:0,fd:1")
assert chan.interactive
sys.stderr.write("RAW\n"); sys.stderr.flush()
how = sys.argv[1]
if how == "sigterm":
    os.kill(os.getpid(), signal.SIGTERM)
elif how == "sighup":
    os.kill(os.getpid(), signal.SIGHUP)
elif how == "exception":
    raise RuntimeError("crash")
elif how == "close":
    chan.close()
# "exit": fall off the end, only atexit restores
"""


@pytest.mark.parametrize("how, status", [
    ("exit", 0), ("close", 0), ("exception", 1),
    ("sigterm", -signal.SIGTERM), ("sighup", -signal.SIGHUP),
])
def test_terminal_restored(how, status):
    master, slave = os.openpty()
    try:
        cooked = termios.tcgetattr(slave)
        assert cooked[3] & termios.ICANON
        child = subprocess.run([sys.executable, "-c", CHILD, how], stdin=slave, stdout=slave,
                               stderr=subprocess.PIPE, timeout=30)
        assert b"RAW" in child.stderr
        assert child.returncode == status
        assert termios.tcgetattr(slave) == cooked
    finally:
        os.close(master)
        os.close(slave)
