"""mconsole ``config`` and ``remove`` for the devices umlpy has: ubd, mem, con (spec §6.5).

Device names are matched by prefix in UML's registration order; each device
answers with UML's texts and err values (negative errno values included).
Returns ``(reply text, err)``; the caller sends it as one reply.
"""

from __future__ import annotations

import errno
from typing import Callable

from ..errors import (DeviceBusy, LockError, NoSuchDevice, UbdError, UbdOptionError,
                      UmlError)
from .control import MachineControl

__all__ = ["config_device", "remove_device", "parse_unit", "MAX_UBD", "MAX_CON"]

MAX_UBD = 16
MAX_CON = 16
Result = tuple[str, int]


def parse_unit(text: str) -> tuple[int, str]:
    """UML's ubd ``parse_unit``: a C-style number or a letter; (-1, text) if neither."""
    if text[:1].isdigit():
        n, rest = _strtoul(text)
        return n, rest
    if "a" <= text[:1] <= "z":
        return ord(text[0]) - ord("a"), text[1:]
    return -1, text


def _strtoul(text: str) -> tuple[int, str]:
    """C ``strtoul(text, &end, 0)`` on a string starting with a digit."""
    if text[:2].lower() == "0x" and text[2:3] and text[2:3] in "0123456789abcdefABCDEF":
        base, i = 16, 2
    elif text[:1] == "0":
        base, i = 8, 1
    else:
        base, i = 10, 0
    digits = "0123456789abcdef"[:base]
    j = i
    while j < len(text) and text[j].lower() in digits:
        j += 1
    if j == i:             # "0" alone, or "0x" without hex digits: the value is 0
        return 0, text[1:]
    return int(text[i:j], base), text[j:]


# -- ubd -------------------------------------------------------------------------
_UBD_OPTION_ERR = {"Device number out of range": 1}


def _ubd_error_code(exc: UmlError) -> int:
    code = getattr(exc, "errno", None)
    if isinstance(code, int) and code > 0:
        return -code
    text = str(exc)
    if "Couldn't determine size" in text or "No such file" in text:
        return -errno.ENOENT
    if isinstance(exc, (DeviceBusy, LockError)):
        return -errno.EBUSY
    if isinstance(exc, NoSuchDevice):
        return -errno.ENODEV
    return -errno.EINVAL


def _ubd_config(rest: str, mc: MachineControl) -> Result:
    if not rest.startswith("="):       # UML's order: unit, range, busy, then the flags
        n, _ = parse_unit(rest)
        if n < 0:
            return "Couldn't parse device number", -errno.EINVAL
        if n >= MAX_UBD:
            return "Device number out of range", 1
        if mc.disk_config(n) != "":
            return "Device is already configured", -errno.EBUSY
    try:
        from ..ubd.options import parse_ubd_switch   # the ubd grammar and UML's texts
    except ImportError:
        return "ubd hot-plug is not available in this build", 1
    try:
        cfg = parse_ubd_switch(rest)
    except UbdOptionError as exc:
        text = str(exc)
        return text, _UBD_OPTION_ERR.get(text, -errno.EINVAL)
    if cfg is None:            # global option (ubd=sync) or empty file field
        return "", 0
    try:
        mc.disk_attach(cfg)
    except UmlError as exc:
        return str(exc), _ubd_error_code(exc)
    return "", 0


def _ubd_get(rest: str, mc: MachineControl) -> Result:
    n, _ = parse_unit(rest)
    if not 0 <= n < MAX_UBD:
        return "ubd_get_config : device number out of range", 1
    return mc.disk_config(n), 0


def _ubd_remove(rest: str, mc: MachineControl) -> Result:
    n, _ = parse_unit(rest)
    if n < 0:
        return "Couldn't parse device number", 1
    if n >= MAX_UBD:
        return f"Invalid device number - must be between 0 and {MAX_UBD - 1}", 1
    try:
        mc.disk_detach(n)
    except NoSuchDevice:
        return "Device doesn't exist", -errno.ENODEV
    except DeviceBusy:
        return "Device is currently open", -errno.EBUSY
    except UbdError as exc:
        return str(exc), _ubd_error_code(exc)
    return "", 0


# -- mem ---------------------------------------------------------------------------
def _mem_config(rest: str, mc: MachineControl) -> Result:
    value = rest[1:] if rest.startswith("=") else None
    if value is None:
        return "Expected '=' after 'mem'", -errno.EINVAL
    if value[:1] not in ("+", "-"):
        return "Expected increment to start with '-' or '+'", -errno.EINVAL
    return "Memory hot-plug is not supported by umlpy", -errno.EINVAL


def _mem_get(rest: str, mc: MachineControl) -> Result:
    return str(mc.mem_size()), 0


def _mem_remove(rest: str, mc: MachineControl) -> Result:
    return "Memory doesn't support the remove operation", -errno.EBUSY


# -- con ---------------------------------------------------------------------------
def _con_number(rest: str) -> int:
    if not rest[:1].isdigit():
        return -1
    n, tail = _strtoul(rest)
    return -1 if tail else n


def _con_config(rest: str, mc: MachineControl) -> Result:
    return "Changing a console at run time is not supported by umlpy", -errno.EINVAL


def _con_get(rest: str, mc: MachineControl) -> Result:
    n = _con_number(rest)
    if n < 0:
        return "line_get_config failed to parse device number", 1
    if n >= MAX_CON:
        return "device number out of range", 1
    return mc.channel_config(n) or "none", 0


def _con_remove(rest: str, mc: MachineControl) -> Result:
    n = _con_number(rest)
    if n < 0:
        return "Couldn't parse device number", 1
    if n >= MAX_CON:
        return "Device number out of range", -errno.EINVAL
    return "Removing a console at run time is not supported by umlpy", -errno.EBUSY


Handler = Callable[[str, MachineControl], Result]
# name, config handler, query handler, remove handler (UML registration order)
_DEVICES: tuple[tuple[str, Handler, Handler, Handler], ...] = (
    ("ubd", _ubd_config, _ubd_get, _ubd_remove),
    ("mem", _mem_config, _mem_get, _mem_remove),
    ("con", _con_config, _con_get, _con_remove),
)


def config_device(arg: str, mc: MachineControl) -> Result:
    """``config <dev>[=<cfg>]``: configure when the rest contains ``=``, else query."""
    for name, configure, query, _ in _DEVICES:
        if arg.startswith(name):
            rest = arg[len(name):]
            if "=" in rest:
                return configure(rest, mc)
            return query(rest, mc)
    return "Bad configuration option", 1


def remove_device(arg: str, mc: MachineControl) -> Result:
    """``remove <dev>``."""
    for name, _, _, remove in _DEVICES:
        if arg.startswith(name):
            return remove(arg[len(name):], mc)
    return "Bad remove option", 1
