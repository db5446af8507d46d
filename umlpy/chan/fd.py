"""The ``fd:N`` console channel (UML's ``con0=fd:0,fd:1``), with tty raw mode.

Spec: uml-reference.md §6.5 (``config con0`` reports ``fd:0,fd:1``); behaviour
of the interactive terminal in docs/console.md.

When the input fd is a terminal it is put in raw mode (``terminal.RawTerminal``)
so every key reaches the guest; the escape byte (Ctrl-], 0x1d, as in telnet)
is not passed on but calls ``on_escape`` so the host prompt can take over.
While ``suspend()``-ed (host prompt open) the terminal is back in its saved
mode, ``read`` returns nothing, ``fileno`` is None and guest output is kept in
a bounded buffer that is written out on ``resume()``.
"""

from __future__ import annotations

import errno
import os
import select
import threading
from typing import Callable

from .terminal import RawTerminal

__all__ = ["FdChannel", "ESCAPE_BYTE"]

ESCAPE_BYTE = 0x1D          # Ctrl-]
_HELD_MAX = 256 * 1024      # guest output kept while the host prompt is open


class FdChannel:
    """Guest console on host file descriptors ``in_fd`` (input) and ``out_fd`` (output)."""

    def __init__(self, in_fd: int, out_fd: int, *, raw: bool = True,
                 on_escape: Callable[[], None] | None = None) -> None:
        self.in_fd = in_fd
        self.out_fd = out_fd
        self.eof = False
        self.on_escape = on_escape
        self._closed = False
        self._out_dead = False
        self._suspended = False
        self._held = bytearray()
        self._lock = threading.RLock()
        self.terminal: RawTerminal | None = None
        if raw and _isatty(in_fd):
            self.terminal = RawTerminal(in_fd)
            self.terminal.enter()

    @property
    def interactive(self) -> bool:
        """True when the input is a terminal in raw mode (the escape key works)."""
        return self.terminal is not None

    # -- Channel protocol ----------------------------------------------------
    def write(self, data: bytes) -> None:
        with self._lock:
            if self._closed or self._out_dead or not data:
                return
            if self._suspended:
                self._held += data
                if len(self._held) > _HELD_MAX:
                    del self._held[:len(self._held) - _HELD_MAX]
                return
            self._write_all(data)

    def read(self, maxlen: int) -> bytes:
        with self._lock:
            if self._closed or self.eof or self._suspended or maxlen <= 0:
                return b""
            try:
                ready, _, _ = select.select([self.in_fd], [], [], 0)
                if not ready:
                    return b""
                data = os.read(self.in_fd, maxlen)
            except BlockingIOError:
                return b""
            except OSError as exc:
                if exc.errno not in (errno.EIO, errno.EBADF, errno.ENXIO):
                    raise
                data = b""  # hangup of the terminal: treat as end of input
            if not data:
                self.eof = True
                return b""
            escape = self.on_escape if self.terminal is not None else None
            if escape is None or ESCAPE_BYTE not in data:
                return data
            data = data[:data.index(ESCAPE_BYTE)]  # keys after the escape are dropped
            self._suspend_locked()   # at once, so the guest cannot read the prompt's keys
        escape()
        return data

    def fileno(self) -> int | None:
        if self._closed or self.eof or self._suspended:
            return None
        return self.in_fd

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self.terminal is not None:
                self.terminal.close()

    def describe(self) -> str:
        if self.in_fd == self.out_fd:
            return f"fd:{self.in_fd}"
        return f"fd:{self.in_fd},fd:{self.out_fd}"

    # -- host prompt support -------------------------------------------------
    def suspend(self) -> None:
        """Hand the terminal to a host-side prompt: cooked mode, output held back."""
        with self._lock:
            self._suspend_locked()

    def _suspend_locked(self) -> None:
        self._suspended = True
        if self.terminal is not None:
            self.terminal.restore()

    def resume(self) -> None:
        """Give the terminal back to the guest: raw mode, held output written out."""
        with self._lock:
            if not self._suspended:
                return
            self._suspended = False
            if self.terminal is not None and not self._closed:
                self.terminal.enter()
            held, self._held = bytes(self._held), bytearray()
            if held and not self._closed:
                self._write_all(held)

    # -- internals -----------------------------------------------------------
    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                n = os.write(self.out_fd, view)
            except BlockingIOError:
                select.select([], [self.out_fd], [], 1.0)
                continue
            except InterruptedError:
                continue
            except OSError as exc:
                if exc.errno in (errno.EPIPE, errno.EIO, errno.EBADF, errno.ENXIO):
                    self._out_dead = True  # the reader went away: drop output from now on
                    return
                raise
            view = view[n:]


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False
