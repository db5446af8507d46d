"""The umlpy exception tree.

Library code raises these; only CLI entry points (``main()`` functions) catch
them, print one line and choose an exit code.

::

    UmlError
     +-- CowError               a COW file is malformed or unusable
     |    +-- CowHeaderError    a header field is invalid (names the field and value)
     |    +-- NotCowError       the file carries no COW header
     |    +-- BackingMismatch   backing size or mtime differs from the header
     +-- UbdError               a ubd switch or device open failed
     |    +-- UbdOptionError    the ubd<N>=... switch does not parse (UML's texts)
     |    +-- LockError         a host file is locked by someone else
     |    +-- DiskRangeError    a request lies outside the device or is misaligned
     |    +-- DiskIOError       host I/O failed while serving a request
     |    +-- DeviceBusy        the guest holds the device open
     |    +-- NoSuchDevice      the unit is not configured
     +-- ConfigError            a umlpy command-line switch is wrong
     +-- MachineError           the virtual machine cannot start or has crashed
     |    +-- GuestFault        unhandled CPU fault or guest panic
     +-- MconsoleError          management console protocol / instance errors
     +-- ToolError              a tool (moo, mkcow, cow) failed; carries exit status
"""

from __future__ import annotations

__all__ = [
    "UmlError",
    "CowError",
    "CowHeaderError",
    "NotCowError",
    "BackingMismatch",
    "UbdError",
    "UbdOptionError",
    "LockError",
    "DiskRangeError",
    "DiskIOError",
    "DeviceBusy",
    "NoSuchDevice",
    "ConfigError",
    "MachineError",
    "GuestFault",
    "MconsoleError",
    "ToolError",
]


class UmlError(Exception):
    """Base of every error umlpy raises on purpose."""

    exit_code: int = 1


class CowError(UmlError):
    """A COW file is malformed or cannot be used."""


class CowHeaderError(CowError):
    """A COW header field holds an invalid value; the message names field and value."""

    def __init__(self, message: str, field: str = "", value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class NotCowError(CowError):
    """The file has no COW header (it is a plain image)."""


class BackingMismatch(CowError):
    """The backing file's size or mtime differs from the COW header."""


class UbdError(UmlError):
    """A ubd device could not be configured or opened."""


class UbdOptionError(UbdError):
    """A ubd switch does not parse; the message is UML's text."""


class LockError(UbdError):
    """A host file is locked by another process or open file description."""


class DiskRangeError(UbdError):
    """A block request lies outside the device, or is not sector aligned."""


class DiskIOError(UbdError):
    """The host failed to read or write a file while serving a request."""


class DeviceBusy(UbdError):
    """The guest has the device open, so it cannot be removed."""


class NoSuchDevice(UbdError):
    """The ubd unit is not configured."""


class ConfigError(UmlError):
    """A umlpy command-line switch is invalid."""

    exit_code = 2


class MachineError(UmlError):
    """The virtual machine cannot be built or run."""


class GuestFault(MachineError):
    """The guest panicked or took a CPU fault it cannot handle."""


class MconsoleError(UmlError):
    """Management console protocol or instance-directory error."""


class ToolError(UmlError):
    """A command-line tool failed; ``exit_code`` is the status to exit with."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
