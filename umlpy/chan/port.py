"""The ``port:PORT`` console channel: a telnet-able TCP listener on 127.0.0.1.

One client at a time: a second connection is accepted, told
``Console is busy`` and closed.  Output produced while nobody is connected is
kept in a 64 KiB ring (oldest bytes dropped) and sent to the next client when
it connects, so the boot messages are not lost.  On connect we offer telnet
character mode (``IAC WILL ECHO``, ``IAC WILL SUPPRESS-GO-AHEAD``) and telnet
command sequences in the input are removed.  A background thread accepts and
reads; input is handed to the machine through a pipe whose read end is
``fileno()``.
"""

from __future__ import annotations

import os
import socket
import threading

from ..errors import ConfigError

__all__ = ["PortChannel", "strip_telnet"]

_RING_MAX = 64 * 1024
IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
_GREETING = bytes([IAC, WILL, 1, IAC, WILL, 3])  # WILL ECHO, WILL SUPPRESS-GO-AHEAD


def strip_telnet(data: bytes, state: list[int]) -> bytes:
    """Remove telnet commands from ``data``; ``state`` carries a partial sequence across calls.

    ``state[0]``: 0 = data, 1 = after IAC, 2 = after IAC+verb (option byte
    follows), 3 = inside subnegotiation, 4 = IAC inside subnegotiation.
    """
    out = bytearray()
    st = state[0]
    for b in data:
        if st == 0:
            if b == IAC:
                st = 1
            elif b != 0:         # telnet sends CR NUL for a bare CR
                out.append(b)
        elif st == 1:
            if b == IAC:
                out.append(IAC)
                st = 0
            elif b in (DO, DONT, WILL, WONT):
                st = 2
            elif b == SB:
                st = 3
            else:
                st = 0
        elif st == 2:
            st = 0
        elif st == 3:
            st = 4 if b == IAC else 3
        else:
            st = 0 if b == SE else 3
    state[0] = st
    return bytes(out)


class PortChannel:
    """Guest console served over TCP on 127.0.0.1:``port``."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        if not 0 <= port <= 65535:
            raise ConfigError(f"port channel: port {port} out of range")
        self.eof = False
        self._closed = False
        self._lock = threading.Lock()
        self._client: socket.socket | None = None
        self._ring = bytearray()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._listener.bind((host, port))
        except OSError as exc:
            self._listener.close()
            raise ConfigError(f"port channel: cannot listen on {host}:{port}: {exc.strerror}") from None
        self._listener.listen(2)
        self.port = self._listener.getsockname()[1]
        self._rpipe, self._wpipe = os.pipe()
        os.set_blocking(self._rpipe, False)
        self._thread = threading.Thread(target=self._serve, name=f"port:{self.port}", daemon=True)
        self._thread.start()

    @property
    def connected(self) -> bool:
        return self._client is not None

    def write(self, data: bytes) -> None:
        if self._closed or not data:
            return
        with self._lock:
            client = self._client
            if client is None:
                self._ring += data
                if len(self._ring) > _RING_MAX:
                    del self._ring[:len(self._ring) - _RING_MAX]
                return
            try:
                client.sendall(data)
            except OSError:
                self._drop_client_locked()

    def read(self, maxlen: int) -> bytes:
        if self._closed or maxlen <= 0:
            return b""
        try:
            return os.read(self._rpipe, maxlen)
        except (BlockingIOError, InterruptedError):
            return b""

    def fileno(self) -> int | None:
        return None if self._closed else self._rpipe

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        with self._lock:
            self._drop_client_locked()
        self._thread.join(timeout=2.0)
        for fd in (self._rpipe, self._wpipe):
            try:
                os.close(fd)
            except OSError:
                pass

    def describe(self) -> str:
        return f"port:{self.port}"

    # -- background thread -----------------------------------------------------
    def _serve(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return  # listener closed
            with self._lock:
                if self._client is not None:
                    busy = True
                else:
                    busy = False
                    self._client = conn
                    try:
                        conn.sendall(_GREETING + bytes(self._ring))
                        self._ring.clear()
                    except OSError:
                        self._drop_client_locked()
                        continue
            if busy:
                threading.Thread(target=self._refuse, args=(conn,), daemon=True).start()
                continue
            threading.Thread(target=self._pump, args=(conn,), daemon=True,
                             name=f"port:{self.port}:client").start()

    @staticmethod
    def _refuse(conn: socket.socket) -> None:
        try:
            conn.sendall(b"Console is busy\r\n")
        except OSError:
            pass
        conn.close()

    def _pump(self, conn: socket.socket) -> None:
        state = [0]
        while not self._closed:
            try:
                data = conn.recv(4096)
            except OSError:
                data = b""
            if not data:
                break
            data = strip_telnet(data, state)
            if data:
                try:
                    os.write(self._wpipe, data)
                except OSError:
                    break
        with self._lock:
            if self._client is conn:
                self._drop_client_locked()

    def _drop_client_locked(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            client.close()
