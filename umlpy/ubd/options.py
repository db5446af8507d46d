"""The ``ubd<unit><flags>=<file>[,<backing>][,<serial>]`` switch grammar.

Implements spec/uml-reference.md §2.1 exactly as UML 6.1 parses it: units a-p
or a number with C base detection (``0x`` hex, leading ``0`` octal), up to six
flag characters from ``r s d c t``, ``,`` or ``:`` separators, empty fields
meaning absent, a third field as serial, and the global ``ubd=sync``.  Errors
are ``UbdOptionError`` carrying UML's text; ``failure_line`` formats UML's
``Failed to initialize device with "<text>" : <error>`` line for callers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Container

from umlpy.errors import UbdOptionError
from umlpy.ubd import messages as M

__all__ = ["MAX_UNITS", "UbdConfig", "parse_ubd_switch", "failure_line", "UbdSwitches",
           "global_option"]

MAX_UNITS = 16
_FLAG_SLOTS = len("rscdt=") + 1   # sizeof("rscdt=") in C: 7 characters examined
_SEP = re.compile(r"[,:]")
_C_UINT = re.compile(r"0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*")


@dataclass(frozen=True)
class UbdConfig:
    """One parsed ubd switch (docs/interfaces.md)."""

    unit: int                 # 0..15
    file: str                 # first file name (COW or plain image)
    backing: str | None       # second name, if given
    serial: str | None
    readonly: bool            # 'r'
    sync: bool                # 's' (or ubd=sync given earlier)
    no_cow: bool              # 'd'
    shared: bool              # 'c' (no host locks)
    no_trim: bool             # 't'
    text: str = field(default="", compare=False)   # the switch text after "ubd"


_ERRNO = {M.OUT_OF_RANGE: 1, M.ALREADY_CONFIGURED: -16}   # others: -EINVAL (§6.5)


class _Error(UbdOptionError):
    def __init__(self, message: str, echo: str) -> None:
        super().__init__(message)
        self.echo = echo          # the text UML echoes in its failure line
        self.err = _ERRNO.get(message, -22)   # mconsole reply err value (§6.5)


def _parse_unit(text: str) -> tuple[int, str]:
    """(unit, rest) like UML's parse_unit; unit -1 when unparsable."""
    if text[:1].isdigit():
        m = _C_UINT.match(text)
        assert m is not None
        digits = m.group(0)
        if digits.lower().startswith("0x"):
            value = int(digits, 16)
        elif digits.startswith("0") and len(digits) > 1:
            value = int(digits, 8)
        else:
            value = int(digits, 10)
        return value, text[m.end():]
    if "a" <= text[:1] <= "z":
        return ord(text[0]) - ord("a"), text[1:]
    return -1, text


def parse_ubd_switch(text: str, *, sync_default: bool = False,
                     configured: Container[int] = ()) -> UbdConfig | None:
    """Parse everything after the literal ``ubd`` (e.g. ``"a=cow,base"``, ``"0r=img"``).

    Returns None when no device results: an empty first field (the unit stays
    unconfigured) or a global option (``=sync``/``=...``, see ``global_option``).
    ``configured`` holds units already set up (``Device is already configured``).
    Raises UbdOptionError with UML's text; its ``echo`` attribute is the text
    UML prints in ``failure_line``.
    """
    if text.startswith("="):
        return None
    unit, rest = _parse_unit(text)
    if unit < 0:
        raise _Error(M.BAD_DEVICE_NUMBER, text)
    if unit >= MAX_UNITS:
        raise _Error(M.OUT_OF_RANGE, text)
    if unit in configured:
        raise _Error(M.ALREADY_CONFIGURED, text)
    readonly = no_cow = shared = no_trim = False
    sync = sync_default
    for i in range(_FLAG_SLOTS):
        c = rest[i:i + 1]
        if c == "=":
            rest = rest[i + 1:]
            break
        if c == "r":
            readonly = True
        elif c == "s":
            sync = True
        elif c == "d":
            no_cow = True
        elif c == "c":
            shared = True
        elif c == "t":
            no_trim = True
        else:
            raise _Error(M.EXPECTED_FLAG, text)
    else:
        raise _Error(M.TOO_MANY_FLAGS if rest[_FLAG_SLOTS:_FLAG_SLOTS + 1] == "=" else
                     M.MISSING_EQUALS, text)
    fields = _SEP.split(rest, maxsplit=3)[:3]
    fields += [""] * (3 - len(fields))
    file, backing, serial = (f or None for f in fields)
    if backing is not None and no_cow:
        # UML splits the string in place first, so its echo ends at the first separator
        cut = len(text) - len(rest) + len(fields[0])
        raise _Error(M.D_AND_COW, text[:cut])
    if file is None:
        return None
    return UbdConfig(unit=unit, file=file, backing=backing, serial=serial, readonly=readonly,
                     sync=sync, no_cow=no_cow, shared=shared, no_trim=no_trim, text=text)


def failure_line(text: str, error: UbdOptionError | str) -> str:
    """UML's boot-time line for a switch that failed to parse or open."""
    echo = getattr(error, "echo", text)
    return M.INIT_FAILED.format(text=echo, error=str(error))


def global_option(text: str) -> tuple[bool, str | None]:
    """For ``text`` = what follows ``ubd`` and starts with ``=``: (sets_sync, log line).

    ``=sync`` makes O_SYNC the default for later devices; anything else logs
    UML's ``fake major not supported any more``.
    """
    if text == "=sync":
        return True, None
    return False, M.FAKE_MAJOR


class UbdSwitches:
    """Stateful command-line parsing of several ubd switches, as UML does at boot:
    ``ubd=sync`` applies to devices configured after it, the first switch for a
    unit wins, and failures are logged with UML's line (never raised)."""

    def __init__(self, log: Callable[[str], None] = lambda s: None) -> None:
        self.log = log
        self.sync_default = False
        self.configs: dict[int, UbdConfig] = {}

    def add(self, text: str) -> UbdConfig | None:
        if text.startswith("="):
            sets_sync, line = global_option(text)
            self.sync_default = self.sync_default or sets_sync
            if line:
                self.log(line)
            return None
        try:
            cfg = parse_ubd_switch(text, sync_default=self.sync_default,
                                   configured=self.configs.keys())
        except UbdOptionError as e:
            self.log(failure_line(text, e))
            return None
        if cfg is not None:
            self.configs[cfg.unit] = cfg
        return cfg
