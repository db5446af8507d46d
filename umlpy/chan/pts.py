"""The ``pts`` console channel: a fresh host pseudo-terminal per console.

UML's ``conN=pts`` allocates a pty and prints (kernel log, from the 6.1
binary's strings) ``Virtual console N assigned device '/dev/pts/X'`` (or
``Serial line N assigned device ...`` for ``sslN``).  Users attach with
``screen /dev/pts/X``.  We keep the slave end open ourselves, so output written
while nobody is attached stays in the kernel's pty buffer (about 4 KiB); once
that is full further output is dropped instead of stalling the guest.
"""

from __future__ import annotations

import errno
import os
import termios
import tty

__all__ = ["PtsChannel"]


class PtsChannel:
    """Guest console on the master side of a new pseudo-terminal."""

    def __init__(self) -> None:
        self.master, self._slave = os.openpty()
        self.eof = False
        self._closed = False
        self.device = os.ttyname(self._slave)
        tty.setraw(self._slave, termios.TCSANOW)
        os.set_blocking(self.master, False)

    def write(self, data: bytes) -> None:
        if self._closed or not data:
            return
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.master, view):]
            except BlockingIOError:
                return  # nobody is reading and the pty buffer is full: drop
            except InterruptedError:
                continue
            except OSError as exc:
                if exc.errno in (errno.EIO, errno.EBADF):
                    return
                raise

    def read(self, maxlen: int) -> bytes:
        if self._closed or maxlen <= 0:
            return b""
        try:
            return os.read(self.master, maxlen)
        except (BlockingIOError, InterruptedError):
            return b""
        except OSError as exc:
            if exc.errno == errno.EIO:
                return b""  # no slave open: cannot happen while we hold it, but harmless
            raise

    def fileno(self) -> int | None:
        return None if self._closed else self.master

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for fd in (self.master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass

    def describe(self) -> str:
        return f"pts:{self.device}"

    def announcement(self, n: int, serial: bool = False) -> str:
        """UML's boot line for this channel, e.g. ``Virtual console 1 assigned device '/dev/pts/4'``."""
        kind = "Serial line" if serial else "Virtual console"
        return f"{kind} {n} assigned device '{self.device}'"
