"""mconsole commands: one function per command, shared by the server and the host prompt.

Spec: uml-reference.md §6.3 (lookup, argument rules), §6.4 (commands, help
text), §6.5 (config/remove).  Each command writes its reply through a
``ReplySink`` exactly as UML's ``mconsole_reply`` calls would (packet
boundaries, ``more`` and ``err`` included), and only calls MachineControl.
"""

from __future__ import annotations

import re
from typing import Callable, Protocol

from ..errors import MconsoleError, UmlError
from .control import MachineControl
from .devices import config_device, remove_device

__all__ = ["ReplySink", "CollectingSink", "COMMANDS", "HELP_TEXT", "lookup", "execute"]

HELP_TEXT = (
    "Commands: \n"
    "    version - Get kernel version \n"
    "    help - Print this message \n"
    "    halt - Halt UML \n"
    "    reboot - Reboot UML \n"
    "    config <dev>=<config> - Add a new device to UML;  \n"
    "\tsame syntax as command line \n"
    "    config <dev> - Query the configuration of a device \n"
    "    remove <dev> - Remove a device from UML \n"
    "    sysrq <letter> - Performs the SysRq action controlled by the letter \n"
    "    cad - invoke the Ctrl-Alt-Del handler \n"
    "    stop - pause the UML; it will do nothing until it receives a 'go' \n"
    "    go - continue the UML after a 'stop' \n"
    "    log <string> - make UML enter <string> into the kernel log\n"
    "    proc <file> - returns the contents of the UML's /proc/<file>\n"
    "    stack <pid> - returns the stack of the specified pid\n"
)

PROC_CHUNK = 4095   # UML reads /proc files a page (minus the NUL) at a time
_SPACES = " \t\n\v\f\r"


class ReplySink(Protocol):
    """Where a command's replies go (one call = one UML ``mconsole_reply``)."""

    def send(self, text: str | bytes, err: int = 0, more: bool = False) -> None: ...


class CollectingSink:
    """Keeps replies in memory: for the host prompt and for tests."""

    def __init__(self) -> None:
        self.replies: list[tuple[bytes, int, bool]] = []

    def send(self, text: str | bytes, err: int = 0, more: bool = False) -> None:
        self.replies.append((_to_bytes(text), err, more))

    @property
    def text(self) -> str:
        """All reply text concatenated (what uml_mconsole prints after OK/ERR)."""
        return b"".join(t for t, _, _ in self.replies).decode("utf-8", "replace")

    @property
    def err(self) -> int:
        """The err of the last reply carrying one (uml_mconsole uses the last packet's)."""
        return self.replies[-1][1] if self.replies else 0


def _to_bytes(text: str | bytes) -> bytes:
    return text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text


def _arg(text: str, name: str) -> str:
    return text[len(name):].lstrip(_SPACES)


def _stream(sink: ReplySink, output: str) -> None:
    """UML's with_console: captured console output (more=1), then an empty final packet."""
    if output:
        sink.send(output, 0, True)
    sink.send("", 0, False)


# -- the commands ----------------------------------------------------------------
def cmd_version(text: str, mc: MachineControl, sink: ReplySink) -> None:
    sink.send(mc.version())


def cmd_halt(text: str, mc: MachineControl, sink: ReplySink) -> None:
    sink.send("")
    mc.halt()


def cmd_reboot(text: str, mc: MachineControl, sink: ReplySink) -> None:
    sink.send("")
    mc.reboot()


def cmd_config(text: str, mc: MachineControl, sink: ReplySink) -> None:
    reply, err = config_device(_arg(text, "config"), mc)
    sink.send(reply, err)


def cmd_remove(text: str, mc: MachineControl, sink: ReplySink) -> None:
    reply, err = remove_device(_arg(text, "remove"), mc)
    sink.send(reply, err)


def cmd_sysrq(text: str, mc: MachineControl, sink: ReplySink) -> None:
    letter = _arg(text, "sysrq")[:1]
    if letter == "b":          # UML answers first: the reboot would eat the reply
        sink.send("")
        try:
            mc.guest_request("sysrq", letter)
        except UmlError:
            pass
        return
    try:
        output = mc.guest_request("sysrq", letter)
    except MconsoleError as exc:
        sink.send(str(exc), 1)
        return
    _stream(sink, output)


def cmd_help(text: str, mc: MachineControl, sink: ReplySink) -> None:
    sink.send(HELP_TEXT)


def cmd_cad(text: str, mc: MachineControl, sink: ReplySink) -> None:
    sink.send("")
    mc.cad()


def cmd_stop(text: str, mc: MachineControl, sink: ReplySink) -> None:
    if mc.paused():
        sink.send("Already stopped", 1)
        return
    mc.pause()
    sink.send("stopped")


def cmd_go(text: str, mc: MachineControl, sink: ReplySink) -> None:
    if not mc.paused():
        sink.send("Not stopped", 1)
        return
    mc.resume()
    sink.send("")


def cmd_log(text: str, mc: MachineControl, sink: ReplySink) -> None:
    message = text[4:]        # UML skips exactly "log" plus one separator character
    try:
        mc.guest_request("log", message)
    except MconsoleError as exc:
        sink.send(str(exc), 1)
        return
    sink.send("")


def cmd_proc(text: str, mc: MachineControl, sink: ReplySink) -> None:
    path = _arg(text, "proc")
    try:
        content = _to_bytes(mc.guest_request("proc", path))
    except MconsoleError as exc:
        sink.send(str(exc), 1)
        return
    sink.send("\n", 0, True)   # "Begin the file content on its own line"
    content = content.split(b"\0", 1)[0]   # UML replies with C strings
    for pos in range(0, len(content), PROC_CHUNK):
        sink.send(content[pos:pos + PROC_CHUNK], 0, True)
    sink.send("", 0, False)


_PID = re.compile(r"[ \t\n\v\f\r]*([+-]?[0-9]+)")


def cmd_stack(text: str, mc: MachineControl, sink: ReplySink) -> None:
    m = _PID.match(_arg(text, "stack"))     # sscanf("%d") semantics
    if m is None:
        sink.send("Please specify a pid", 1)
        return
    pid = int(m.group(1))
    if pid <= 0:
        sink.send("Couldn't find that pid", 1)
        return
    try:
        output = mc.guest_request("stack", str(pid))
    except MconsoleError as exc:
        sink.send(str(exc), 1)
        return
    _stream(sink, output)


Command = Callable[[str, MachineControl, ReplySink], None]

# UML's table order: the first name that is a prefix of the request wins.
COMMANDS: tuple[tuple[str, Command], ...] = (
    ("version", cmd_version), ("halt", cmd_halt), ("reboot", cmd_reboot),
    ("config", cmd_config), ("remove", cmd_remove), ("sysrq", cmd_sysrq),
    ("help", cmd_help), ("cad", cmd_cad), ("stop", cmd_stop), ("go", cmd_go),
    ("log", cmd_log), ("proc", cmd_proc), ("stack", cmd_stack),
)


def lookup(text: str) -> tuple[str, Command] | None:
    """The command whose name is a prefix of ``text`` (UML order), or None."""
    for name, fn in COMMANDS:
        if text.startswith(name):
            return name, fn
    return None


def execute(text: str, mc: MachineControl, sink: ReplySink) -> None:
    """Run one request text; unknown text gets ``Unknown command`` (err 1).

    A MachineControl failure that is not a protocol answer becomes an error
    reply instead of killing the server thread.
    """
    found = lookup(text)
    if found is None:
        sink.send("Unknown command", 1)
        return
    try:
        found[1](text, mc, sink)
    except UmlError as exc:
        sink.send(str(exc) or type(exc).__name__, 1)
