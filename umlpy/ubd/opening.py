"""The ubd open procedure: from a parsed switch to an open ``Disk``.

Implements spec/uml-reference.md §2.2-2.6: the device size rule, COW creation
when missing, COW alone (backing from the header), the ``d`` flag, the size and
mtime checks with UML's messages, relocation to a new backing path, and locks
(exclusive on a COW or read-write image, shared on the backing and read-only
opens; none with ``c``).  Deliberate differences (docs/compat.md, "Block
devices"): naming a backing file that fails the checks or does not exist is an
error, never a silent fallback to the header's file; relocation keeps v1/v2
layouts (no data loss); ``d`` sizes the device by the file itself.
"""

from __future__ import annotations

import os
from typing import Callable

from umlpy.errors import BackingMismatch, CowError, CowHeaderError, NotCowError, UbdError
from umlpy.ubd import messages as M
from umlpy.ubd.bitmap import Bitmap
from umlpy.ubd.cow import (V3_BROKEN_SIZE, CowHeader, absolutize, backing_identity,
                           parse_header, rewrite_backing, write_new_cow)
from umlpy.ubd.disk import Disk
from umlpy.ubd.hostfile import HostFile, create_host, lock_file, open_host
from umlpy.ubd.options import UbdConfig

__all__ = ["open_disk", "check_backing"]

Log = Callable[[str], None]


def _nolog(line: str) -> None:
    pass


def _err(cls: type[UbdError] | type[CowError], msg: str, err: int) -> Exception:
    e = cls(msg)
    e.err = err   # type: ignore[attr-defined]   # mconsole reply value (§6.5)
    return e


def _round512(n: int) -> int:
    return (n + 511) // 512 * 512


def check_backing(header: CowHeader, path: str) -> tuple[int, int]:
    """Size first, then mtime, of ``path`` against the header (§2.5 step 8).

    Returns the file's (mtime, size); raises BackingMismatch with UML's text.
    The mtime message also says how to restore the expected time."""
    try:
        mtime, size = backing_identity(path)
    except OSError as e:
        raise _err(BackingMismatch, M.NO_BACKING_SIZE.format(file=path, errno=e.errno), -22)
    if size != header.size:
        raise _err(BackingMismatch, M.SIZE_MISMATCH.format(header=header.size, actual=size)
                   + f' "{path}"', -22)
    if mtime != header.mtime:
        raise _err(BackingMismatch, M.MTIME_MISMATCH.format(header=header.mtime, actual=mtime)
                   + f' "{path}"; if its contents are unchanged, restore the time with: '
                   f"touch --date=@{header.mtime} '{path}'", -22)
    return mtime, size


def _same_file(a: str, b: str) -> bool:
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def _lock(hf: HostFile, cfg: UbdConfig, log: Log, exclusive: bool) -> None:
    if cfg.shared:
        log(M.NOT_LOCKING.format(file=hf.name))
    else:
        lock_file(hf, exclusive=exclusive)


def open_disk(cfg: UbdConfig, *, cwd: str | None = None, log: Log = _nolog) -> Disk:
    """Open the device ``cfg`` describes (§2.3-2.6).  Relative names resolve against
    ``cwd`` (default: the process cwd).  ``log`` receives UML's informational lines.
    Raises UbdError / CowError / LockError; nothing stays open on failure."""
    def at(name: str) -> str:
        return name if cwd is None or os.path.isabs(name) else os.path.join(cwd, name)

    opened: list[HostFile] = []
    try:
        return _open(cfg, at, cwd, log, opened)
    except OSError as e:          # e.g. a directory given as image: EISDIR on read
        for hf in opened:
            hf.close()
        raise _err(UbdError, M.OPEN_FAILED.format(file=cfg.file, errno=e.errno),
                   -(e.errno or 5)) from e
    except BaseException:
        for hf in opened:
            hf.close()
        raise


def _file_size(fd: int) -> int:
    """Length of a regular file or a host block device."""
    return os.lseek(fd, 0, os.SEEK_END)


def _open(cfg: UbdConfig, at: Callable[[str], str], cwd: str | None, log: Log,
          opened: list[HostFile]) -> Disk:
    path = at(cfg.file)
    # §2.3: a named backing file must exist before anything happens
    if cfg.backing is not None:
        try:
            os.stat(at(cfg.backing))
        except OSError as e:
            log(M.COULDNT_STAT_BACKING.format(name=cfg.backing, errno=e.errno))
            raise _err(UbdError, M.NO_SIZE.format(unit=cfg.unit), -2) from e

    created = False
    try:
        hf = open_host(path, cfg.file, write=not cfg.readonly, sync=cfg.sync)
        opened.append(hf)
    except FileNotFoundError as e:
        if cfg.backing is None or cfg.no_cow:
            raise _err(UbdError, M.NO_SIZE.format(unit=cfg.unit), -2) from e
        hf = create_host(path, cfg.file, sync=cfg.sync)
        opened.append(hf)
        try:
            _lock(hf, cfg, log, True)
            mtime, size = backing_identity(at(cfg.backing))
            write_new_cow(hf.fd, absolutize(cfg.backing, cwd=cwd), mtime, size)
        except BaseException:
            hf.close()
            os.unlink(path)
            raise
        log(M.CREATING.format(cow=cfg.file, backing=cfg.backing))
        created = True
    if not created:
        _lock(hf, cfg, log, hf.writable)
    readonly = cfg.readonly or not hf.writable

    if cfg.no_cow:
        size = _file_size(hf.fd)
        return Disk(size=_round512(size), readonly=readonly, description=cfg.file,
                    image=hf, no_trim=cfg.no_trim, serial=cfg.serial)

    buf = os.pread(hf.fd, V3_BROKEN_SIZE, 0)
    try:
        header = parse_header(buf, file_size=os.fstat(hf.fd).st_size)
    except NotCowError as e:
        if cfg.backing is not None:
            raise _err(CowError, M.NO_COW_HEADER.format(file=cfg.file), -22) from e
        size = _file_size(hf.fd)
        return Disk(size=_round512(size), readonly=readonly, description=cfg.file,
                    image=hf, no_trim=cfg.no_trim, serial=cfg.serial)
    except CowHeaderError as e:
        raise _err(CowHeaderError, f'COW file "{cfg.file}": {e}', -22) from e
    if header.broken_v3:
        log(M.BROKEN_V3)

    header, backing_path, shown = _choose_backing(cfg, header, hf, at, cwd, log, created)
    bitmap = Bitmap.read_from(hf.fd, header)
    try:
        bf = open_host(backing_path, shown, write=False, sync=cfg.sync)
    except FileNotFoundError as e:
        raise _err(UbdError, M.OPEN_FAILED.format(file=shown, errno=e.errno), -2) from e
    opened.append(bf)
    _lock(bf, cfg, log, False)
    return Disk(size=header.sectors * 512, readonly=readonly,
                description=f"{cfg.file},{shown}", image=hf, backing=bf, header=header,
                bitmap=bitmap, no_trim=cfg.no_trim, serial=cfg.serial)


def _choose_backing(cfg: UbdConfig, header: CowHeader, hf: HostFile,
                    at: Callable[[str], str], cwd: str | None, log: Log,
                    created: bool) -> tuple[CowHeader, str, str]:
    """§2.5 steps 6-8 and 10: (header, backing path to open, name for description)."""
    hname = header.backing_file
    if cfg.backing is None or cfg.backing == hname or created:
        check_backing(header, at(hname) if not created else at(cfg.backing or hname))
        return header, at(hname), (cfg.backing if created and cfg.backing else hname)
    want = at(cfg.backing)
    try:
        os.stat(want)
    except OSError as e:
        raise _err(BackingMismatch, M.COULDNT_STAT.format(name=cfg.backing, errno=e.errno),
                   -2) from e
    try:
        os.stat(at(hname))
    except OSError as e:
        log(M.COULDNT_STAT.format(name=hname, errno=e.errno))
    else:
        if _same_file(want, at(hname)):
            check_backing(header, at(hname))
            return header, at(hname), hname
    log(M.BACKING_MISMATCH.format(requested=cfg.backing, header=hname, cow=cfg.file))
    try:
        mtime, size = check_backing(header, want)
    except BackingMismatch as e:
        raise _err(BackingMismatch, f"{e} (requested backing file of \"{cfg.file}\"; "
                   f"its header names \"{hname}\")", -22) from e
    log(M.SWITCHING.format(name=cfg.backing))
    new_abs = absolutize(cfg.backing, cwd=cwd)
    if hf.writable:
        try:
            header = rewrite_backing(hf.fd, header, new_abs, mtime, size)
        except CowError as e:
            raise _err(CowError, f"{M.SWITCH_FAILED.format(errno=22)}: {e}", -22) from e
        except OSError as e:
            raise _err(CowError, M.SWITCH_FAILED.format(errno=e.errno), -22) from e
    return header, want, cfg.backing
