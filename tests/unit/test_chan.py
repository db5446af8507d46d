"""Console channels on real pipes, pseudo-terminals and TCP sockets (docs/console.md)."""

from __future__ import annotations

import os
import select
import socket
import termios
import time

import pytest

from umlpy.chan import (ConsoleSet, FdChannel, NullChannel, PortChannel, PtsChannel,
                        SplitChannel, parse_channel)
from umlpy.chan.port import strip_telnet
from umlpy.errors import ConfigError


def poll(predicate, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        select.select([], [], [], 0.01)
    raise AssertionError("condition not reached before the deadline")


def test_parse_channel_forms():
    r, w = os.pipe()
    try:
        assert isinstance(parse_channel("null"), NullChannel)
        c = parse_channel(f"fd:{r},fd:{w}")
        assert isinstance(c, FdChannel) and c.describe() == f"fd:{r},fd:{w}"
        assert parse_channel(f"fd:{r}").describe() == f"fd:{r}"
        split = parse_channel(f"null,fd:{w}")
        assert isinstance(split, SplitChannel) and split.describe() == f"null,fd:{w}"
        assert split.fileno() is None
    finally:
        os.close(r)
        os.close(w)


@pytest.mark.parametrize("spec", ["", "xterm", "fd:", "fd:x", "fd:0,fd:1,fd:2", "port:0",
                                  "port:99999", "pts,fd:1", ",fd:1"])
def test_parse_channel_errors(spec):
    with pytest.raises(ConfigError):
        parse_channel(spec)


def test_fd_channel_on_pipes_nonblocking_and_eof():
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    chan = FdChannel(in_r, out_w)
    assert not chan.interactive
    assert chan.read(100) == b""                     # nothing there: does not block
    os.write(in_w, b"hello")
    assert chan.read(3) == b"hel" and chan.read(100) == b"lo"
    chan.write(b"guest output")
    assert os.read(out_r, 100) == b"guest output"
    os.close(in_w)
    assert chan.read(100) == b"" and chan.eof and chan.fileno() is None
    os.close(out_r)
    chan.write(b"nobody reads this")                 # EPIPE: dropped, no exception
    chan.close()
    os.close(in_r)
    os.close(out_w)


def test_fd_channel_on_a_terminal_raw_mode_escape_and_restore():
    master, slave = os.openpty()
    before = termios.tcgetattr(slave)
    escapes: list[int] = []
    chan = FdChannel(slave, slave, on_escape=lambda: escapes.append(1))
    try:
        assert chan.interactive
        attrs = termios.tcgetattr(slave)
        assert not attrs[3] & (termios.ICANON | termios.ECHO | termios.ISIG)
        assert attrs[1] & termios.OPOST and attrs[1] & termios.ONLCR
        os.write(master, b"a\x03b")                  # Ctrl-C reaches the guest as a byte
        assert poll(lambda: chan.read(100)) == b"a\x03b"
        os.write(master, b"xy\x1dzz")
        assert poll(lambda: chan.read(100)) == b"xy" and escapes == [1]
        assert chan.fileno() is None                  # suspended at once by the escape
        os.write(master, b"for the prompt\n")
        assert chan.read(100) == b""
        echo = [b""]

        def echoed() -> bool:
            echo[0] += os.read(master, 100)
            return echo[0].endswith(b"\n")
        poll(echoed)                                  # cooked mode echoes the prompt's keys
        assert echo[0] == b"for the prompt\r\n"
        chan.suspend()                                # idempotent
        assert termios.tcgetattr(slave)[3] & termios.ICANON    # prompt gets cooked mode
        assert chan.fileno() is None and chan.read(10) == b""
        chan.write(b"held")
        assert select.select([master], [], [], 0)[0] == []
        chan.resume()
        assert not termios.tcgetattr(slave)[3] & termios.ICANON
        assert poll(lambda: os.read(master, 100)) == b"held"
    finally:
        chan.close()
    assert termios.tcgetattr(slave) == before
    os.close(master)
    os.close(slave)


def test_pts_channel_roundtrip():
    chan = PtsChannel()
    try:
        assert chan.device.startswith("/dev/pts/")
        assert chan.describe() == f"pts:{chan.device}"
        assert chan.announcement(1) == f"Virtual console 1 assigned device '{chan.device}'"
        user = os.open(chan.device, os.O_RDWR | os.O_NOCTTY)
        chan.write(b"boot\n")
        assert poll(lambda: os.read(user, 100)) == b"boot\n"     # raw: no CR added
        os.write(user, b"ls\r")
        assert poll(lambda: chan.read(100)) == b"ls\r"
        os.close(user)
        for _ in range(64):
            chan.write(b"x" * 4096)                  # nobody attached: dropped, never blocks
    finally:
        chan.close()


def _recv_until(sock: socket.socket, want: bytes) -> bytes:
    data = b""
    deadline = time.monotonic() + 5
    while want not in data and time.monotonic() < deadline:
        if select.select([sock], [], [], 0.1)[0]:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    return data


def test_port_channel_buffers_then_serves_one_client():
    chan = PortChannel(0)
    try:
        assert chan.describe() == f"port:{chan.port}"
        chan.write(b"early boot message\n")
        first = socket.create_connection(("127.0.0.1", chan.port))
        data = _recv_until(first, b"message\n")
        assert data.startswith(b"\xff\xfb\x01\xff\xfb\x03")   # WILL ECHO, WILL SGA
        assert data.endswith(b"early boot message\n")
        poll(lambda: chan.connected)
        first.sendall(b"\xff\xfd\x01ab\xff\xffc\r\x00")        # DO ECHO, escaped 255, CR NUL
        assert poll(lambda: chan.read(100)) == b"ab\xffc\r"
        second = socket.create_connection(("127.0.0.1", chan.port))
        assert _recv_until(second, b"busy") == b"Console is busy\r\n"
        second.close()
        chan.write(b"live")
        assert _recv_until(first, b"live") == b"live"
        first.close()
        poll(lambda: not chan.connected)
        chan.write(b"while away")
        third = socket.create_connection(("127.0.0.1", chan.port))
        assert _recv_until(third, b"away").endswith(b"while away")
        third.close()
    finally:
        chan.close()


def test_strip_telnet_keeps_state_across_calls():
    state = [0]
    assert strip_telnet(b"a\xff", state) == b"a"
    assert strip_telnet(b"\xfb\x18b\xff\xfa\x18\x00xterm\xff\xf0c", state) == b"bc"


def test_console_set_order_and_defaults():
    cs = ConsoleSet()
    assert cs.specs == {0: "fd:0,fd:1"}
    cs.set("con", "null")
    cs.set("con2", "null,null")
    chans = cs.open()
    try:
        assert len(chans) == 16
        assert cs.describe(0) == "null" and cs.describe(2) == "null,null"
        assert cs.describe(99) == ""
    finally:
        cs.close()
    with pytest.raises(ConfigError):
        cs.set("con16", "null")
    with pytest.raises(ConfigError):
        cs.set("conx", "null")


def test_console_set_announces_pts_and_cleans_up_on_error():
    cs = ConsoleSet()
    cs.set("con0", "null")
    cs.set("con1", "pts")
    lines: list[str] = []
    chans = cs.open(log=lines.append)
    try:
        assert isinstance(chans[1], PtsChannel)
        assert lines == [f"Virtual console 1 assigned device '{chans[1].device}'"]
        assert cs.describe(1) == f"pts:{chans[1].device}" and cs.terminal() is None
    finally:
        cs.close()
    bad = ConsoleSet()
    bad.set("con1", "pts")
    bad.set("con2", "fd:x")
    with pytest.raises(ConfigError):
        bad.open()
    assert bad.channels == {}


def test_port_in_use_is_a_config_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match=f"127.0.0.1:{port}"):
            PortChannel(port)
