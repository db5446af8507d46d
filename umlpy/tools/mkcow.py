"""umlpy-mkcow: create a COW file, compatible with uml_mkcow.

Implements spec/uml-reference.md §5 (command line, messages, exit codes) using
the v3 layout of §1.6 and the backing-path absolutization of §1.7 (both from
umlpy.ubd.cow).  Deliberate differences (docs/compat.md, "Tools"):

* ``-f`` produces a clean COW: the file is truncated before the new header is
  written (uml_mkcow keeps old bitmap bits and data);
* a missing or unusable backing file leaves no 0-byte COW behind, and with
  ``-f`` an existing COW is left untouched;
* ``-f`` refuses when the COW name is the backing file itself.

Startup matters (it is run from scripts): this module imports only os/sys at
load time; umlpy.ubd.cow is imported when needed.
"""

from __future__ import annotations

import os
import sys

__all__ = ["main", "USAGE"]

USAGE = ("uml_mkcow usage: \n"
         "\tuml_mkcow [-f] <COW file> <backing file>\n"
         "\t-f forces overwrite of an existing COW file\n")


class _Fail(Exception):
    """Print ``out`` on stdout and ``err`` on stderr, exit 1."""

    def __init__(self, err: str, out: str = "") -> None:
        super().__init__(err)
        self.err = err
        self.out = out


def _strerror(e: OSError) -> str:
    return e.strerror or os.strerror(e.errno or 0)


def _backing_values(backing: str) -> tuple[str, int, int]:
    """(absolute path, mtime, size) of the backing file, or _Fail with uml_mkcow's texts."""
    from umlpy.errors import CowError
    from umlpy.ubd.cow import absolutize

    try:
        path = absolutize(backing)
    except CowError as e:
        raise _Fail("write_cow_header: Invalid argument", str(e)) from None
    try:
        st = os.stat(path)
    except OSError:
        raise _Fail("write_cow_header: Operation not permitted",
                    f"write_cow_header - backing file '{path}' mtime request failed, err = 1") from None
    import stat as _stat

    if _stat.S_ISDIR(st.st_mode):
        raise _Fail("write_cow_header: Is a directory")
    size = st.st_size
    if _stat.S_ISBLK(st.st_mode):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            try:
                size = os.lseek(fd, 0, os.SEEK_END)
            finally:
                os.close(fd)
        except OSError as e:
            raise _Fail(f"write_cow_header: {_strerror(e)}") from None
    return path, int(st.st_mtime) & 0xFFFFFFFF, size


def _write_cow(fd: int, header: bytes, data_offset: int, size: int) -> None:
    """Header at 0, one zero byte at data_offset + size - 1 (spec §1.6)."""
    view = memoryview(header)
    off = 0
    while off < len(view):
        off += os.pwrite(fd, view[off:], off)
    end = data_offset + size
    if end > len(header):
        os.pwrite(fd, b"\0", end - 1)


def create(cow: str, backing: str, force: bool) -> None:
    """Create (or with force, re-create cleanly) ``cow`` on ``backing``."""
    from umlpy.ubd.cow import build_v3_header, parse_header

    flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
    created = False
    try:
        fd = os.open(cow, flags | os.O_EXCL, 0o644)
        created = True
    except FileExistsError:
        if not force:
            raise _Fail("open COW file: File exists") from None
        try:
            fd = os.open(cow, os.O_RDWR | os.O_CLOEXEC)
        except OSError as e:
            raise _Fail(f"open COW file: {_strerror(e)}") from None
    except OSError as e:
        raise _Fail(f"open COW file: {_strerror(e)}") from None
    try:
        try:
            path, mtime, size = _backing_values(backing)
            if not created:
                cst = os.fstat(fd)
                bst = os.stat(path)
                if (cst.st_dev, cst.st_ino) == (bst.st_dev, bst.st_ino):
                    raise _Fail(f"open COW file: '{cow}' is the backing file itself")
            header = build_v3_header(path, mtime, size)
            layout = parse_header(header)
            if not created:
                os.ftruncate(fd, 0)
            _write_cow(fd, header, layout.data_offset, size)
        except OSError as e:
            raise _Fail(f"write_cow_header: {_strerror(e)}") from None
    except BaseException:
        os.close(fd)
        if created:
            try:
                os.unlink(cow)
            except OSError:
                pass
        raise
    os.close(fd)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv[1:])
    force = False
    if args and args[0] == "-f":
        force = True
        del args[0]
    if len(args) < 2:
        sys.stderr.write(USAGE)
        return 2
    try:
        create(args[0], args[1], force)
    except _Fail as e:
        if e.out:
            sys.stdout.write(e.out + "\n")
            sys.stdout.flush()
        sys.stderr.write(e.err + "\n")
        return 1
    except Exception as e:   # library errors: one line, never a traceback
        sys.stderr.write(f"write_cow_header: {e}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
