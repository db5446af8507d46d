"""The Ctrl-] host prompt, driven through a real pty console and a prompt_toolkit pipe input."""

from __future__ import annotations

import os
import select
import time

from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from umlpy.chan import FdChannel
from umlpy.chan.frontend import HostPrompt
from umlpy.mconsole.recording import RecordingMachine


def poll(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        select.select([], [], [], 0.01)
    raise AssertionError("condition not reached before the deadline")


def test_escape_opens_prompt_commands_run_detach_returns():
    master, slave = os.openpty()
    mc = RecordingMachine()
    lines: list[str] = []
    with create_pipe_input() as pipe:
        prompt = HostPrompt(None, mc, echo=lines.append, input=pipe, output=DummyOutput())
        chan = FdChannel(slave, slave, on_escape=prompt.trigger)
        prompt.channel = chan
        try:
            os.write(master, b"ls\x1d")
            assert poll(lambda: chan.read(100)) == b"ls"
            poll(lambda: prompt.active)
            chan.write(b"guest output while prompt is open")
            pipe.send_text("config mem\rstop\rstop\rbogus\rdetach\r")
            prompt.join(10)
            assert not prompt.active
            assert lines[1:] == ["OK 67108864", "OK stopped", "ERR Already stopped",
                                 "ERR Unknown command"]
            assert mc.is_paused and mc.halted == 0
            assert poll(lambda: os.read(master, 200)) == b"guest output while prompt is open"
            assert chan.fileno() == slave        # console is live again
        finally:
            chan.close()
    os.close(master)
    os.close(slave)


def test_quit_halts_the_machine():
    mc = RecordingMachine()
    lines: list[str] = []
    with create_pipe_input() as pipe:
        prompt = HostPrompt(None, mc, echo=lines.append, input=pipe, output=DummyOutput())
        pipe.send_text("version\rquit\r")
        prompt.run()
    assert lines[1] == f"OK {mc.uname}"
    assert mc.halted == 1 and prompt.quit_requested


def test_ctrl_d_detaches():
    mc = RecordingMachine()
    with create_pipe_input() as pipe:
        prompt = HostPrompt(None, mc, echo=lambda s: None, input=pipe, output=DummyOutput())
        pipe.send_text("\x04")
        prompt.run()
    assert mc.halted == 0 and not prompt.quit_requested
