"""The ``null`` console channel (UML's ``conN=null``): output discarded, no input.

Spec: uml-reference.md §6.5 (``config con<n>`` reports ``null``).
"""

from __future__ import annotations

__all__ = ["NullChannel"]


class NullChannel:
    """Discards guest output; never has input and never reaches EOF."""

    def __init__(self) -> None:
        self.eof = False

    def write(self, data: bytes) -> None:
        pass

    def read(self, maxlen: int) -> bytes:
        return b""

    def fileno(self) -> int | None:
        return None

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return "null"
