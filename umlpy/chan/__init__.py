"""Console channels: parse UML channel specs (``fd:0,fd:1``, ``null``, ``pts``, ``port:N``).

Spec: uml-reference.md §6.5 (what ``config con<n>`` reports); user-facing
behaviour in docs/console.md.  A spec is either one channel used for both
directions, or ``<input>,<output>`` (e.g. ``fd:0,fd:1`` or ``null,fd:1``).
``ConsoleSet`` applies the ``con=`` / ``con<N>=`` switches in command-line order.
"""

from __future__ import annotations

from typing import Callable

from ..errors import ConfigError
from .base import Channel
from .fd import ESCAPE_BYTE, FdChannel
from .null import NullChannel
from .port import PortChannel
from .pts import PtsChannel

__all__ = [
    "Channel", "FdChannel", "NullChannel", "PtsChannel", "PortChannel", "SplitChannel",
    "ConsoleSet", "parse_channel", "ESCAPE_BYTE", "MAX_CONSOLES", "DEFAULT_CON0",
]

MAX_CONSOLES = 16            # con0 .. con15
DEFAULT_CON0 = "fd:0,fd:1"


class SplitChannel:
    """Input from one channel, output to another (``null,fd:1``, ``fd:0,null`` ...)."""

    def __init__(self, inp: Channel, out: Channel) -> None:
        self.inp = inp
        self.out = out

    @property
    def eof(self) -> bool:
        return self.inp.eof

    def write(self, data: bytes) -> None:
        self.out.write(data)

    def read(self, maxlen: int) -> bytes:
        return self.inp.read(maxlen)

    def fileno(self) -> int | None:
        return self.inp.fileno()

    def close(self) -> None:
        self.inp.close()
        self.out.close()

    def describe(self) -> str:
        return f"{self.inp.describe()},{self.out.describe()}"


def _parse_fd(text: str, spec: str) -> int:
    num = text[3:]
    if not num.isdigit():
        raise ConfigError(f"bad channel {spec!r}: fd: needs a descriptor number")
    return int(num)


def _parse_port(text: str, spec: str) -> int:
    num = text[5:]
    if not num.isdigit() or not 0 < int(num) <= 65535:
        raise ConfigError(f"bad channel {spec!r}: port: needs a TCP port 1..65535")
    return int(num)


def _one(text: str, spec: str, raw: bool = False) -> Channel:
    if text == "null":
        return NullChannel()
    if text == "pts":
        return PtsChannel()
    if text.startswith("port:"):
        return PortChannel(_parse_port(text, spec))
    if text.startswith("fd:"):
        fd = _parse_fd(text, spec)
        return FdChannel(fd, fd, raw=raw)
    raise ConfigError(f"bad channel {spec!r}: expected fd:N, null, pts or port:N")


def parse_channel(spec: str, *, on_escape: Callable[[], None] | None = None,
                  raw: bool = True) -> Channel:
    """Build the channel described by ``spec``; raises ConfigError.

    ``on_escape`` is called (from the reading thread) when Ctrl-] is typed on
    an interactive terminal channel; ``raw=False`` leaves a tty in cooked mode.
    """
    parts = spec.split(",")
    if len(parts) > 2 or not all(parts):
        raise ConfigError(f"bad channel {spec!r}: expected <channel> or <input>,<output>")
    if len(parts) == 1:
        if parts[0].startswith("fd:"):
            fd = _parse_fd(parts[0], spec)
            return FdChannel(fd, fd, raw=raw, on_escape=on_escape)
        return _one(parts[0], spec)
    a, b = parts
    if a.startswith("fd:") and b.startswith("fd:"):
        return FdChannel(_parse_fd(a, spec), _parse_fd(b, spec), raw=raw, on_escape=on_escape)
    for p in parts:
        if p == "pts" or p.startswith("port:"):
            raise ConfigError(f"bad channel {spec!r}: pts and port cannot be split")
    if a.startswith("fd:"):
        fd = _parse_fd(a, spec)
        inp: Channel = FdChannel(fd, fd, raw=raw, on_escape=on_escape)
    else:
        inp = _one(a, spec)
    return SplitChannel(inp, _one(b, spec))   # output side: never switches a tty to raw


class ConsoleSet:
    """The consoles of one machine, built from ``con=`` / ``con<N>=`` switches.

    Usage (the cli): ``cs = ConsoleSet(); cs.set("con", "null"); cs.set("con0", "fd:0,fd:1")``
    for each switch in order, then ``chans = cs.open(on_escape=..., log=print)``.
    Default: con0 = ``fd:0,fd:1``, other consoles unconfigured.
    """

    def __init__(self) -> None:
        self.specs: dict[int, str] = {0: DEFAULT_CON0}
        self.channels: dict[int, Channel] = {}

    def set(self, key: str, value: str) -> None:
        """Apply one switch: ``key`` is ``con`` or ``con<N>``; raises ConfigError."""
        if key == "con":
            for n in range(MAX_CONSOLES):
                self.specs[n] = value
            return
        num = key[3:] if key.startswith("con") else ""
        if not num.isdigit() or int(num) >= MAX_CONSOLES:
            raise ConfigError(f"bad console {key!r}: expected con or con0..con{MAX_CONSOLES - 1}")
        self.specs[int(num)] = value

    def open(self, *, on_escape: Callable[[], None] | None = None,
             log: Callable[[str], None] = lambda line: None) -> dict[int, Channel]:
        """Create every configured channel; ``log`` gets the pts announcement lines."""
        try:
            for n, spec in sorted(self.specs.items()):
                chan = parse_channel(spec, on_escape=on_escape if n == 0 else None)
                self.channels[n] = chan
                if isinstance(chan, PtsChannel):
                    log(chan.announcement(n))
        except BaseException:
            self.close()
            raise
        return self.channels

    def terminal(self) -> FdChannel | None:
        """con0's interactive terminal channel (for the Ctrl-] host prompt), if any."""
        chan = self.channels.get(0)
        if isinstance(chan, SplitChannel):
            chan = chan.inp
        return chan if isinstance(chan, FdChannel) and chan.interactive else None

    def describe(self, n: int) -> str:
        """``config con<n>``'s answer: the channel spec, or "" if unconfigured."""
        chan = self.channels.get(n)
        return chan.describe() if chan is not None else ""

    def close(self) -> None:
        for chan in self.channels.values():
            chan.close()
        self.channels.clear()
