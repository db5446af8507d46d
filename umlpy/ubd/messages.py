"""UML's ubd message texts, verbatim (spec/uml-reference.md §2.1, §2.3, §2.5, §2.6).

Kept as constants so tests compare them byte for byte and callers format them
in one way.  ``{...}`` fields are filled with ``str.format``.
"""

from __future__ import annotations

# §2.1 switch grammar
BAD_DEVICE_NUMBER = "Couldn't parse device number"
OUT_OF_RANGE = "Device number out of range"
ALREADY_CONFIGURED = "Device is already configured"
EXPECTED_FLAG = "Expected '=' or flag letter (r, s, c, t or d)"
TOO_MANY_FLAGS = "Too many flags specified"
MISSING_EQUALS = "Missing '='"
D_AND_COW = "Can't specify both 'd' and a cow file"
INIT_FAILED = 'Failed to initialize device with "{text}" : {error}'
SYNC_MODE = "ubd: Synchronous mode"
FAKE_MAJOR = "fake major not supported any more"
UDB_TYPO = "udb{rest} specified on command line is almost certainly a ubd -> udb TYPO"
FAKE_IDE = "The fake_ide option has been removed"

# §2.3 device size
COULDNT_STAT_BACKING = 'Couldn\'t stat "{name}" : err = {errno}'
NO_SIZE = "Failed to initialize ubd device {unit} :Couldn't determine size of device's file"
NO_SIZE_SHORT = "Couldn't determine size of device's file"

# §2.5 open procedure
OPEN_FAILED = "Failed to open '{file}', errno = {errno}"
CANT_OPEN = 'ubd{letter}: Can\'t open "{file}": errno = {errno}'
LOCK_HELD = "F_SETLK failed, file already locked by pid {pid}"
LOCK_FAILED = "Failed to lock '{file}', err = {errno}"
NOT_LOCKING = 'Not locking "{file}" on the host'
NO_COW_HEADER = 'Failed to read COW header from COW file "{file}", errno = 22'
COULDNT_STAT = "Couldn't stat '{name}', err = {errno}"
BACKING_MISMATCH = ('Backing file mismatch - "{requested}" requested, "{header}" specified '
                    'in COW header of "{cow}"')
SWITCHING = "Switching backing file to '{name}'"
SWITCH_FAILED = "Switch failed, errno = {errno}"
SIZE_MISMATCH = "Size mismatch ({header} vs {actual}) of COW header vs backing file"
MTIME_MISMATCH = "mtime mismatch ({header} vs {actual}) of COW header vs backing file"
NO_MTIME = 'Failed to get modification time of backing file "{file}", err = {errno}'
NO_BACKING_SIZE = 'Failed to get size of backing file "{file}", err = {errno}'
CREATING = 'Creating "{cow}" as COW file for "{backing}"'
CREATE_FAILED = "Open of COW file '{cow}' failed, errno = {errno}"
SHORT_HEADER = "read_cow_header - short header"
BROKEN_V3 = "read_cow_header - broken V3 file with 64-bit layout - recovering content."


def unit_letter(unit: int) -> str:
    """'a'..'p' for units 0..15."""
    return chr(ord("a") + unit)
