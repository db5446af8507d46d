"""The mconsole server: an AF_UNIX SOCK_DGRAM socket served by its own thread (spec §6.1-6.3).

The thread only decodes datagrams (protocol.py) and runs commands
(commands.py), which only call MachineControl: it never touches the CPU
emulator.  Replies go to the sender's address; an unbound sender has no
address and gets nothing.  Requests are served one at a time, in arrival
order, also while the machine is paused (``stop``).
"""

from __future__ import annotations

import os
import select
import socket
import threading
from typing import Callable

from ..errors import MconsoleError
from . import commands
from .control import MachineControl
from .protocol import VERSION, BadRequest, parse_request, reply_packets

__all__ = ["MconsoleServer", "SocketSink"]

_RECV_SIZE = 64 * 1024   # larger than any valid request, so oversize datagrams are seen whole


class SocketSink:
    """Sends replies for one request to its origin address."""

    def __init__(self, sock: socket.socket, addr: str | bytes | None) -> None:
        self.sock = sock
        self.addr = addr

    def send(self, text: str | bytes, err: int = 0, more: bool = False) -> None:
        data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
        for packet in reply_packets(data, err, more):
            self.raw(packet)

    def raw(self, packet: bytes) -> None:
        if not self.addr:
            return     # unbound sender: there is no address to answer to
        try:
            self.sock.sendto(packet, self.addr)
        except OSError:
            pass   # the client went away; UML ignores send errors too


class MconsoleServer:
    """Serves ``socket_path`` for ``control`` until ``close()``.

    ``on_error`` receives unexpected exceptions from a command (the server keeps running).
    """

    def __init__(self, socket_path: str, control: MachineControl, *,
                 on_error: Callable[[BaseException], None] | None = None) -> None:
        self.socket_path = socket_path
        self.control = control
        self.on_error = on_error
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            self._sock.bind(socket_path)
        except OSError as exc:
            self._sock.close()
            raise MconsoleError(f"cannot create mconsole socket {socket_path}: "
                                f"{exc.strerror or exc}") from None
        self._sock.setblocking(False)
        self._wake_r, self._wake_w = os.pipe()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="mconsole", daemon=True)

    def start(self) -> "MconsoleServer":
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop the thread (unless called from it) and unlink the socket; idempotent."""
        if self._closed:
            return
        self._closed = True
        os.write(self._wake_w, b"x")
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=10.0)
        self._sock.close()
        for fd in (self._wake_r, self._wake_w):
            os.close(fd)
        try:
            os.unlink(self.socket_path)
        except FileNotFoundError:
            pass

    def __enter__(self) -> "MconsoleServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- thread ----------------------------------------------------------------------
    def _run(self) -> None:
        while not self._closed:
            try:
                ready, _, _ = select.select([self._sock, self._wake_r], [], [])
            except (OSError, ValueError):
                return
            if self._closed or self._wake_r in ready:
                return
            try:
                data, addr = self._sock.recvfrom(_RECV_SIZE)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                return
            try:
                self.handle(data, addr)
            except Exception as exc:   # a command bug must not kill the console
                if self.on_error is not None:
                    self.on_error(exc)

    def handle(self, data: bytes, addr: str | bytes | None) -> None:
        """Serve one datagram from ``addr``.

        An unbound sender has no address: the command still runs (as in UML)
        but no reply can be sent.
        """
        sink = SocketSink(self._sock, addr)
        try:
            req = parse_request(data)
        except BadRequest as bad:
            if bad.raw:
                sink.raw(bad.reply)
            else:
                sink.send(bad.reply, bad.err)
            return
        if req.version != VERSION:
            sink.send("This driver only supports version 2 clients", 1)   # and run it anyway
        try:
            commands.execute(req.text, self.control, sink)
        except Exception as exc:
            sink.send(f"umlpy internal error: {type(exc).__name__}: {exc}", 1)
            raise
