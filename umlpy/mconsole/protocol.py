"""mconsole datagram formats: pack and unpack, no sockets (spec §6.2, §6.3).

The byte tables are in docs/mconsole.md.  All integers are host byte order
(little-endian on x86-64), as UML sends them.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = [
    "MAGIC", "VERSION", "MAX_DATA", "MAX_TEXT", "REQUEST_SIZE", "HEADER",
    "V0_REPLY", "Request", "BadRequest", "parse_request", "pack_request",
    "pack_reply", "reply_packets", "unpack_reply",
]

MAGIC = 0xCAFEBABE
VERSION = 2
MAX_DATA = 512                 # data[] size in request and reply
MAX_TEXT = MAX_DATA - 1        # text bytes per reply packet (plus the NUL)
HEADER = struct.Struct("<III")  # request: magic, version, len; reply: err, more, len
REQUEST_SIZE = HEADER.size + MAX_DATA   # 524, what uml_mconsole always sends
V0_REPLY = b"ERR Version 0 mconsole clients are not supported by this driver"


@dataclass(frozen=True)
class Request:
    """A decoded request: the command text (cut at ``len`` and at a NUL) and its version."""

    version: int
    text: str


class BadRequest(Exception):
    """A datagram that cannot be served; ``reply`` is what goes back (raw if ``raw``)."""

    def __init__(self, reply: bytes, *, raw: bool = False, err: int = 1) -> None:
        super().__init__(reply.decode("ascii", "replace"))
        self.reply = reply
        self.raw = raw
        self.err = err


def parse_request(data: bytes) -> Request:
    """Decode one request datagram, applying UML's checks in UML's order (§6.3).

    Raises BadRequest for: wrong magic (raw version-0 text, no header);
    ``len >= 512`` (``Request too large``); a datagram shorter than the header
    or than ``12 + len`` (``Malformed request``, umlpy); text that is not UTF-8
    (``Request is not valid UTF-8``, umlpy).  A version other than 2 is NOT an
    error here: the caller replies the version error and still runs the command.
    """
    if len(data) < 4 or int.from_bytes(data[:4], "little") != MAGIC:
        raise BadRequest(V0_REPLY, raw=True)
    if len(data) < HEADER.size:
        raise BadRequest(b"Malformed request")
    _, version, length = HEADER.unpack_from(data)
    if length >= MAX_DATA:
        raise BadRequest(b"Request too large")
    if HEADER.size + length > len(data):
        raise BadRequest(b"Malformed request")
    raw = data[HEADER.size:HEADER.size + length].split(b"\0", 1)[0]  # C string semantics
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(b"Request is not valid UTF-8") from None
    return Request(version, text)


def pack_request(text: str | bytes, *, version: int = VERSION, pad: bool = True) -> bytes:
    """Build a request; ``pad`` sends the full 524 bytes like uml_mconsole does.

    Text longer than 511 bytes is cut to 511, as uml_mconsole does.
    """
    body = text.encode("utf-8") if isinstance(text, str) else text
    body = body[:MAX_TEXT]
    packet = HEADER.pack(MAGIC, version, len(body)) + body
    if pad:
        packet += bytes(REQUEST_SIZE - len(packet))
    return packet


def pack_reply(chunk: bytes, err: int, more: bool) -> bytes:
    """One reply packet: ``12 + len`` bytes, text NUL-terminated, err as u32."""
    if len(chunk) > MAX_TEXT:
        raise ValueError("reply chunk longer than 511 bytes")
    return HEADER.pack(err & 0xFFFFFFFF, 1 if more else 0, len(chunk) + 1) + chunk + b"\0"


def reply_packets(text: bytes, err: int = 0, more: bool = False) -> list[bytes]:
    """UML's ``mconsole_reply_len``: split into 511-byte packets.

    ``err`` goes on the first packet only; ``more`` is 1 on every packet but
    the last, which carries the caller's ``more``.  Empty text is one packet.
    """
    packets = []
    pos = 0
    while True:
        chunk = text[pos:pos + MAX_TEXT]
        pos += len(chunk)
        last = pos >= len(text)
        packets.append(pack_reply(chunk, err, more if last else True))
        err = 0
        if last:
            return packets


def unpack_reply(data: bytes) -> tuple[int, bool, bytes]:
    """Decode one reply packet to (err as signed int32, more, text without NUL).

    Raises ValueError for a packet too short for its header or its ``len``.
    """
    if len(data) < HEADER.size:
        raise ValueError(f"reply packet of {len(data)} bytes is shorter than its header")
    err, more, length = HEADER.unpack_from(data)
    if err >= 0x80000000:
        err -= 1 << 32
    if length > MAX_DATA or HEADER.size + length > len(data):
        raise ValueError(f"reply packet length field {length} exceeds the packet")
    text = data[HEADER.size:HEADER.size + length].split(b"\0", 1)[0]
    return err, bool(more), text
