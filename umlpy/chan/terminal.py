"""Raw-mode handling for an interactive terminal console (docs/console.md).

``RawTerminal`` puts a tty into a raw input mode (every key, including Ctrl-C,
Ctrl-Z and Ctrl-\\, is passed to the guest as a byte) while keeping output
post-processing on (``OPOST|ONLCR``) so a guest that writes a bare ``\\n`` does
not produce a staircase.  The saved modes are ALWAYS restored: by ``restore()``,
by the context manager, by an ``atexit`` hook and by handlers for SIGTERM,
SIGHUP and SIGQUIT that restore the terminal and then chain to the previous
handler (or re-deliver the signal with its default action).
"""

from __future__ import annotations

import atexit
import os
import signal
import termios
import threading
from types import FrameType, TracebackType
from typing import Any, Callable

__all__ = ["RawTerminal", "make_raw_attrs"]

_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)

# Termios attribute list indices (see termios.tcgetattr).
_IFLAG, _OFLAG, _CFLAG, _LFLAG, _ISPEED, _OSPEED, _CC = range(7)


def make_raw_attrs(attrs: list[Any]) -> list[Any]:
    """Return a copy of ``attrs`` switched to raw input with sane output processing."""
    new = list(attrs)
    new[_CC] = list(attrs[_CC])
    new[_IFLAG] &= ~(termios.BRKINT | termios.ICRNL | termios.INPCK | termios.ISTRIP
                     | termios.IXON | termios.INLCR | termios.IGNCR | termios.PARMRK)
    new[_OFLAG] |= termios.OPOST | termios.ONLCR
    new[_CFLAG] = (new[_CFLAG] & ~(termios.CSIZE | termios.PARENB)) | termios.CS8
    new[_LFLAG] &= ~(termios.ECHO | termios.ECHONL | termios.ICANON | termios.ISIG
                     | termios.IEXTEN)
    new[_CC][termios.VMIN] = 1
    new[_CC][termios.VTIME] = 0
    return new


class RawTerminal:
    """Raw mode on one terminal fd, restored whatever way the process ends."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._saved: list[Any] | None = None
        self._lock = threading.Lock()
        self._old_handlers: dict[int, Any] = {}
        self._atexit_registered = False

    @property
    def active(self) -> bool:
        """True while the terminal is in raw mode."""
        return self._saved is not None

    def enter(self) -> None:
        """Save the current modes and switch to raw; idempotent."""
        with self._lock:
            if self._saved is not None:
                return
            saved = termios.tcgetattr(self.fd)
            termios.tcsetattr(self.fd, termios.TCSADRAIN, make_raw_attrs(saved))
            self._saved = saved
        if not self._atexit_registered:
            atexit.register(self.restore)
            self._atexit_registered = True
        self._install_signal_handlers()

    def restore(self) -> None:
        """Put back the saved modes; safe to call any number of times."""
        with self._lock:
            saved, self._saved = self._saved, None
        if saved is not None:
            try:
                termios.tcsetattr(self.fd, termios.TCSADRAIN, saved)
            except (termios.error, OSError):
                pass  # the terminal went away (hangup): nothing left to restore

    def close(self) -> None:
        """Restore the terminal and uninstall the signal handlers and atexit hook."""
        self.restore()
        self._uninstall_signal_handlers()
        if self._atexit_registered:
            atexit.unregister(self.restore)
            self._atexit_registered = False

    def __enter__(self) -> "RawTerminal":
        self.enter()
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- signals -------------------------------------------------------------
    def _install_signal_handlers(self) -> None:
        if self._old_handlers or threading.current_thread() is not threading.main_thread():
            return  # signal handlers can only be set from the main thread
        for sig in _SIGNALS:
            try:
                self._old_handlers[sig] = signal.signal(sig, self._on_signal)
            except (OSError, ValueError):
                pass

    def _uninstall_signal_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig, old in self._old_handlers.items():
            try:
                signal.signal(sig, old)
            except (OSError, ValueError, TypeError):
                pass
        self._old_handlers.clear()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.restore()
        old = self._old_handlers.get(signum, signal.SIG_DFL)
        if callable(old):
            handler: Callable[[int, FrameType | None], Any] = old
            handler(signum, frame)
            return
        if old == signal.SIG_IGN:
            return
        # Default action: uninstall ourselves and re-deliver the signal.
        self._uninstall_signal_handlers()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
