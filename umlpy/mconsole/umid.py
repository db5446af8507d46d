"""Instance directories: ``<uml_dir>/<umid>/`` with the pid file and the mconsole socket (spec §6.1).

``Instance.create`` picks the directory the way UML does: ``umid=NAME`` (at
most 63 characters) or six random characters; base ``~/.uml/`` or
``uml_dir=`` (a ``/`` appended if missing).  A leftover directory whose pid
is dead (or unreadable) is taken over silently; one whose pid is alive gets
UML's two messages and a random umid.  Directories are created mode 0700
(UML: 0777 minus umask; see docs/compat.md).  ``close()`` removes everything.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import string
from typing import Callable

from ..errors import MconsoleError

__all__ = ["Instance", "UMID_MAX", "SOCKET_NAME", "PID_NAME", "default_uml_dir", "random_umid"]

UMID_MAX = 63
SOCKET_NAME = "mconsole"
PID_NAME = "pid"
_ALPHABET = string.ascii_letters + string.digits
_SUN_PATH_MAX = 107           # sockaddr_un.sun_path minus the NUL


def default_uml_dir() -> str:
    """``$HOME/.uml/`` (UML's default base directory)."""
    return os.path.join(os.path.expanduser("~"), ".uml") + "/"


def random_umid() -> str:
    """Six random letters and digits, like UML's mkstemp-made umids (e.g. ``Q2gwd7``)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(6))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_pid(directory: str) -> int | None:
    try:
        with open(os.path.join(directory, PID_NAME), "rb") as f:
            return int(f.read(32).strip())
    except (OSError, ValueError):
        return None


def _empty_dir(directory: str) -> None:
    for entry in os.listdir(directory):
        path = os.path.join(directory, entry)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass


class Instance:
    """A claimed instance directory; ``socket_path`` is where the server binds."""

    def __init__(self, umid: str, base: str, directory: str) -> None:
        self.umid = umid
        self.base = base
        self.directory = directory
        self.socket_path = os.path.join(directory, SOCKET_NAME)
        self.pid_path = os.path.join(directory, PID_NAME)
        self.pid = os.getpid()
        self._closed = False

    @property
    def boot_line(self) -> str:
        """UML's boot message for this instance's socket."""
        return f"mconsole (version 2) initialized on {self.socket_path}"

    @classmethod
    def create(cls, umid: str | None = None, uml_dir: str | None = None,
               log: Callable[[str], None] = lambda line: None) -> "Instance":
        """Claim ``<base>/<umid>/`` and write the pid file; raises MconsoleError."""
        if uml_dir is not None and uml_dir == "":
            raise MconsoleError("uml_dir can't be an empty string")
        base = uml_dir if uml_dir is not None else default_uml_dir()
        if not base.endswith("/"):
            base += "/"
        try:
            os.makedirs(base, mode=0o700, exist_ok=True)
        except OSError as exc:
            raise MconsoleError(f"cannot create uml_dir {base}: {exc.strerror}") from None
        if umid is not None and len(umid) > UMID_MAX:
            log(f'umid "{umid}" is longer than {UMID_MAX} characters, using a random umid')
            umid = None
        if umid is not None and (umid in ("", ".", "..") or "/" in umid):
            log(f'umid "{umid}" is not a valid directory name, using a random umid')
            umid = None
        if umid is not None:
            inst = cls._claim(umid, base, log)
            if inst is not None:
                return inst
            log(f'Failed to initialize umid "{umid}", trying with a random umid')
        for _ in range(100):
            inst = cls._claim(random_umid(), base, log, quiet=True)
            if inst is not None:
                return inst
        raise MconsoleError(f"cannot create a umid directory in {base}")

    @classmethod
    def _claim(cls, umid: str, base: str, log: Callable[[str], None],
               quiet: bool = False) -> "Instance | None":
        directory = base + umid
        try:
            os.mkdir(directory, 0o700)
        except FileExistsError:
            if quiet:
                return None
            if not os.path.isdir(directory) or os.path.islink(directory):
                log(f'umid "{umid}": {directory} exists and is not a directory')
                return None
            pid = _read_pid(directory)
            if pid is not None and pid != os.getpid() and _pid_alive(pid):
                log(f'umid "{umid}" is already in use by pid {pid}')
                return None
            _empty_dir(directory)        # stale: a dead instance's leftovers
        except OSError as exc:
            raise MconsoleError(f"cannot create {directory}: {exc.strerror}") from None
        inst = cls(umid, base, directory)
        if len(inst.socket_path.encode()) > _SUN_PATH_MAX:
            os.rmdir(directory)
            raise MconsoleError(f"mconsole socket path {inst.socket_path} is longer than "
                                f"{_SUN_PATH_MAX} bytes; use a shorter uml_dir= or umid=")
        try:
            fd = os.open(inst.pid_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except OSError as exc:
            if exc.errno == errno.EEXIST:
                return None              # someone raced us for the same directory
            raise MconsoleError(f"cannot create {inst.pid_path}: {exc.strerror}") from None
        try:
            os.write(fd, f"{inst.pid}\n".encode())
        finally:
            os.close(fd)
        return inst

    def close(self) -> None:
        """Remove the socket, the pid file and the directory (only if still ours)."""
        if self._closed:
            return
        self._closed = True
        if _read_pid(self.directory) not in (self.pid, None):
            return                       # another instance took it over: leave it alone
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> "Instance":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
