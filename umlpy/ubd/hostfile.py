"""Host file open and lock: the only place in umlpy.ubd doing open/lock syscalls.

Implements spec/uml-reference.md §2.5 steps 1-3 and 12 and §2.6: open flags
(read always, write unless read-only, O_SYNC for ``s``, close-on-exec, never
O_CREAT except for COW creation), the silent read-only fallback on EROFS/EACCES,
and whole-file locks.  Locks are Linux *open file description* locks
(``F_OFD_SETLK``): they conflict with real UML's POSIX ``F_SETLK`` locks, and
unlike POSIX locks they also conflict between two opens in one process (two
disks of one umlpy) and are not dropped when some other fd of the file closes.
"""

from __future__ import annotations

import errno
import fcntl
import os
import struct
from dataclasses import dataclass

from umlpy.errors import LockError, UbdError
from umlpy.ubd import messages as M

__all__ = ["HostFile", "open_host", "create_host", "lock_file", "lock_holder"]

# struct flock on x86-64 Linux: short l_type, short l_whence, off_t l_start,
# off_t l_len, pid_t l_pid (+4 bytes padding)
_FLOCK = struct.Struct("hhqqi4x")


@dataclass
class HostFile:
    """An open host file: fd, the name as given, whether it is writable and locked."""

    fd: int
    name: str
    writable: bool
    locked: bool = False

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)      # closing the description drops its OFD lock
            self.fd = -1


def _flags(write: bool, sync: bool) -> int:
    f = (os.O_RDWR if write else os.O_RDONLY) | os.O_CLOEXEC
    if sync:
        f |= os.O_SYNC
    return f


def open_host(path: str, name: str, *, write: bool, sync: bool) -> HostFile:
    """Open an existing file (§2.5 step 1-2); EROFS/EACCES on a write open falls back
    to read-only silently.  Raises FileNotFoundError unchanged (the caller may create
    a COW), UbdError with UML's text otherwise."""
    try:
        return HostFile(os.open(path, _flags(write, sync)), name, write)
    except FileNotFoundError:
        raise
    except OSError as e:
        if write and e.errno in (errno.EROFS, errno.EACCES):
            try:
                return HostFile(os.open(path, _flags(False, sync)), name, False)
            except OSError as e2:
                e = e2
        raise UbdError(M.OPEN_FAILED.format(file=name, errno=e.errno)) from e


def create_host(path: str, name: str, *, sync: bool) -> HostFile:
    """Create a new file for a COW, mode 0644 (§2.5 step 9).  O_EXCL: an existing
    file is never clobbered by a race."""
    try:
        fd = os.open(path, _flags(True, sync) | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as e:
        raise UbdError(M.CREATE_FAILED.format(cow=name, errno=e.errno)) from e
    return HostFile(fd, name, True)


def _proc_locks_pid(fd: int) -> int | None:
    """Pid of a conflicting lock holder on the file of ``fd`` from /proc/locks."""
    st = os.fstat(fd)
    key = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 6 and parts[0].endswith(":") and parts[5] == key:
                    pid = int(parts[4])
                    if pid > 0 and pid != os.getpid():
                        return pid
    except (OSError, ValueError):
        pass
    return None


def lock_holder(fd: int, exclusive: bool) -> int | None:
    """Pid holding a lock that conflicts with ours, where the kernel tells (F_OFD_GETLK
    reports a POSIX holder's pid; OFD holders show -1, then /proc/locks is asked)."""
    ltype = fcntl.F_WRLCK if exclusive else fcntl.F_RDLCK
    try:
        res = fcntl.fcntl(fd, fcntl.F_OFD_GETLK, _FLOCK.pack(ltype, os.SEEK_SET, 0, 0, 0))
        l_type, _, _, _, pid = _FLOCK.unpack(res)
        if l_type != fcntl.F_UNLCK and pid > 0:
            return pid
    except OSError:
        pass
    return _proc_locks_pid(fd)


def lock_file(hf: HostFile, *, exclusive: bool) -> None:
    """Lock the whole file (start 0, length 0 = to EOF) without waiting (§2.5 step 3):
    write lock if ``exclusive`` else read lock.  Raises LockError naming file and holder."""
    ltype = fcntl.F_WRLCK if exclusive else fcntl.F_RDLCK
    try:
        fcntl.fcntl(hf.fd, fcntl.F_OFD_SETLK, _FLOCK.pack(ltype, os.SEEK_SET, 0, 0, 0))
    except OSError as e:
        if e.errno not in (errno.EAGAIN, errno.EACCES):
            raise UbdError(M.LOCK_FAILED.format(file=hf.name, errno=e.errno)) from e
        pid = lock_holder(hf.fd, exclusive)
        who = (M.LOCK_HELD.format(pid=pid) if pid else
               "F_SETLK failed, file already locked by another open of it (OFD lock, "
               "holder pid unknown)")
        err = LockError(f"{M.LOCK_FAILED.format(file=hf.name, errno=errno.EAGAIN)}: {who}")
        err.holder_pid = pid   # type: ignore[attr-defined]
        raise err from e
    hf.locked = True
