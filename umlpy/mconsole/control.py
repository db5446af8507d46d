"""MachineControl: what the mconsole server needs from a running machine (docs/interfaces.md).

Spec: uml-reference.md §6.4-6.5 (the commands these methods serve).  The
machine (umlpy/machine/control.py) implements it; the mconsole server thread
and the host prompt (umlpy/chan/frontend.py) only ever call these methods and
never touch the CPU emulator.  Implementations must be thread-safe.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ..ubd.options import UbdConfig

__all__ = ["MachineControl", "GUEST_REQUEST_KINDS"]

GUEST_REQUEST_KINDS = frozenset({"sysrq", "proc", "stack", "log"})


@runtime_checkable
class MachineControl(Protocol):
    """What the mconsole server needs from a running machine.

    Called from the mconsole server thread; implementations are thread-safe.
    Methods that need the guest block until it answers or ``timeout`` passes.
    """

    def version(self) -> str:
        """``"Linux (none) <release> <version> x86_64"``-style uname line."""
        ...

    def halt(self) -> None:
        """Power off now; returns immediately (the reply is sent before the machine stops)."""
        ...

    def reboot(self) -> None:
        """In-process restart (same pid, same umid); returns immediately."""
        ...

    def cad(self) -> None:
        """Deliver Ctrl-Alt-Del to the guest's init."""
        ...

    def pause(self) -> None:
        """The VM stops running guest code (mconsole ``stop``)."""
        ...

    def resume(self) -> None:
        """The VM runs guest code again (mconsole ``go``)."""
        ...

    def paused(self) -> bool:
        """True between pause() and resume()."""
        ...

    def guest_request(self, kind: str, arg: str, timeout: float = 5.0) -> str:
        """Ask the guest kernel; ``kind`` in GUEST_REQUEST_KINDS.

        Returns the guest's reply text (for ``sysrq``/``stack`` the console
        output produced meanwhile, for ``proc`` the file content).  Raises
        MconsoleError(text) when the guest answers with an error (e.g.
        ``Failed to open file``) or does not answer within ``timeout``.
        """
        ...

    def disk_config(self, unit: int) -> str:
        """``""`` if the unit is unconfigured, else ``Disk.description`` (``file[,backing]``)."""
        ...

    def disk_attach(self, cfg: "UbdConfig") -> None:
        """Hot-plug a disk with the full open procedure; raises UbdError subclasses."""
        ...

    def disk_detach(self, unit: int) -> None:
        """Remove a disk; raises DeviceBusy (guest holds it) / NoSuchDevice."""
        ...

    def mem_size(self) -> int:
        """Guest RAM in bytes."""
        ...

    def channel_config(self, n: int) -> str:
        """``con<n>``'s ``Channel.describe()`` or ``""``."""
        ...
