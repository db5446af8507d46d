"""The Channel protocol shared by all console channel types (docs/interfaces.md).

A channel connects one guest console (``con<N>``) to the host.  The machine
calls ``write`` with guest output and polls ``read`` (never blocking) for guest
input; ``fileno`` gives a descriptor to ``select()`` on so the machine can sleep
until input arrives.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["Channel"]


@runtime_checkable
class Channel(Protocol):
    """A host endpoint for one guest console."""

    eof: bool  # the input side reached end of file

    def write(self, data: bytes) -> None:
        """Deliver guest output; never raises for a vanished reader (output is dropped)."""
        ...

    def read(self, maxlen: int) -> bytes:
        """Return up to ``maxlen`` bytes of input available now; b"" when none."""
        ...

    def fileno(self) -> int | None:
        """A descriptor readable when input is pending, or None if never any input."""
        ...

    def close(self) -> None:
        """Release host resources; restores terminal modes for tty channels."""
        ...

    def describe(self) -> str:
        """The channel in UML syntax, as mconsole ``config con<N>`` shows it."""
        ...
