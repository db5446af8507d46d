"""mconsole client side: find an instance's socket, send one request, collect the reply (spec §6.6).

Used by ``umlpy-mconsole`` (umlpy/tools/mconsole.py) and the tests.  Differences
from uml_mconsole (docs/compat.md): only sockets are accepted as targets, the
reply label comes from the first packet's err (where UML puts it), replies
have a timeout, and ``config ubd`` paths are absolutized field by field.
"""

from __future__ import annotations

import os
import re
import select
import socket
import stat
import time
from dataclasses import dataclass

from ..errors import MconsoleError
from .protocol import MAX_TEXT, pack_request, unpack_reply
from .umid import PID_NAME, SOCKET_NAME

__all__ = ["Reply", "candidate_paths", "find_socket", "send_command", "absolutize_config",
           "exchange_raw",
           "read_pid", "list_umids"]


@dataclass
class Reply:
    """All packets of one reply: ``err`` from the first packet carrying one."""

    err: int
    text: bytes
    packets: int

    @property
    def label(self) -> str:
        return "ERR" if self.err else "OK"

    @property
    def exit_status(self) -> int:
        return self.err % 256


def candidate_paths(name: str, uml_dir: str | None = None) -> list[str]:
    """Where ``name`` may live, in uml_mconsole's order, ``--uml-dir`` first."""
    paths = []
    if uml_dir:
        paths.append(os.path.join(uml_dir, name, SOCKET_NAME))
    home = os.path.join(os.path.expanduser("~"), ".uml")
    if not name.startswith(home):
        paths.append(os.path.join(home, name, SOCKET_NAME))
    if not name.startswith("/tmp/uml/"):
        paths.append(os.path.join("/tmp/uml", name, SOCKET_NAME))
    paths.append(os.path.join(name, SOCKET_NAME))   # an instance directory
    paths.append(name)                               # the socket itself
    return paths


def find_socket(name: str, uml_dir: str | None = None) -> str:
    """The first candidate that is a socket; raises MconsoleError naming what was tried."""
    tried = []
    for path in candidate_paths(name, uml_dir):
        try:
            if stat.S_ISSOCK(os.stat(path).st_mode):
                return path
        except OSError:
            pass
        tried.append(path)
    raise MconsoleError(f"no mconsole socket found for '{name}' (tried {', '.join(tried)})")


def read_pid(socket_path: str) -> int | None:
    """The pid from the instance's pid file next to the socket, if readable."""
    try:
        with open(os.path.join(os.path.dirname(socket_path), PID_NAME), "rb") as f:
            return int(f.read(32).strip())
    except (OSError, ValueError):
        return None


def list_umids(uml_dir: str | None = None) -> list[str]:
    """Instance names with a socket under ``uml_dir`` (default ``~/.uml``)."""
    base = uml_dir or os.path.join(os.path.expanduser("~"), ".uml")
    try:
        names = sorted(os.listdir(base))
    except OSError:
        return []
    return [n for n in names if os.path.exists(os.path.join(base, n, SOCKET_NAME))]


def send_command(socket_path: str, text: str, *, timeout: float = 30.0,
                 version: int = 2) -> list[Reply]:
    """Send ``text`` and collect replies until a packet with ``more`` = 0.

    A version other than 2 makes UML answer twice (an error, then the command);
    this returns one Reply per ``more`` = 0 terminated sequence received.
    Raises MconsoleError on a socket error, an over-long command or a timeout.
    """
    body = text.encode("utf-8")
    if len(body) > MAX_TEXT:
        raise MconsoleError(f"command is {len(body)} bytes long; mconsole allows {MAX_TEXT}")
    expect = 1 if version == 2 else 2
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("")          # Linux autobind: an abstract address, so the server can answer
        try:
            sock.sendto(pack_request(body, version=version), socket_path)
        except OSError as exc:
            raise MconsoleError(f"sending command to '{socket_path}': {exc.strerror}") from None
        deadline = time.monotonic() + timeout
        replies: list[Reply] = []
        current: Reply | None = None
        while len(replies) < expect:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([sock], [], [], left)[0]:
                if replies:
                    break
                raise MconsoleError(f"no reply from '{socket_path}' within {timeout:g} s")
            data = sock.recv(65536)
            try:
                err, more, chunk = unpack_reply(data)
            except ValueError as exc:
                raise MconsoleError(f"bad reply from '{socket_path}': {exc}") from None
            if current is None:
                current = Reply(err, b"", 0)
            elif err and not current.err:
                current.err = err
            current.text += chunk
            current.packets += 1
            if not more:
                replies.append(current)
                current = None
        return replies


_UBD_CONFIG = re.compile(r"^(config[ \t]+ubd[0-9a-z][^=]*=)(.*)$", re.S)


def absolutize_config(text: str, cwd: str) -> str:
    """Make the file names of ``config ubd<N>=file[,backing][,serial]`` absolute.

    uml_mconsole does this too (the server resolves against its own cwd), but
    mangles ``ubd=sync`` and empty fields; here only the first two non-empty
    fields (``,`` or ``:`` separated) are touched and global options are left alone.
    """
    m = _UBD_CONFIG.match(text)
    if m is None:
        return text
    head, value = m.groups()
    parts = re.split(r"([,:])", value, maxsplit=2)
    # parts: [file, sep, backing, sep, rest] (shorter when fields are absent)
    for i in (0, 2):
        if i < len(parts) and parts[i] and not os.path.isabs(parts[i]):
            parts[i] = os.path.normpath(os.path.join(cwd, parts[i]))
    return head + "".join(parts)


def exchange_raw(socket_path: str, datagram: bytes, *, finals: int = 1,
                 timeout: float = 5.0) -> list[bytes]:
    """Send an arbitrary datagram; return the packets received until ``finals``
    packets with ``more`` = 0 (or anything shorter than a header) arrived, or ``timeout``.

    A debugging aid and the tests' raw client: no framing, no validation.
    """
    packets: list[bytes] = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("")
        sock.sendto(datagram, socket_path)
        deadline = time.monotonic() + timeout
        done = 0
        while done < finals and (left := deadline - time.monotonic()) > 0:
            if not select.select([sock], [], [], left)[0]:
                break
            packet = sock.recv(65536)
            packets.append(packet)
            if len(packet) < 12 or packet[:4] == b"ERR " or int.from_bytes(packet[4:8], "little") == 0:
                done += 1
    return packets
