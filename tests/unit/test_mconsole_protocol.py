"""mconsole datagram packing and request decoding (spec §6.2, §6.3)."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, strategies as st

from umlpy.mconsole.commands import HELP_TEXT
from umlpy.mconsole.protocol import (MAGIC, REQUEST_SIZE, V0_REPLY, BadRequest, pack_reply,
                                     pack_request, parse_request, reply_packets, unpack_reply)


def req(text: bytes, version: int = 2, length: int | None = None) -> bytes:
    return struct.pack("<III", MAGIC, version, len(text) if length is None else length) + text


def test_help_text_is_uml_bytes_and_splits_into_511_and_211():
    data = HELP_TEXT.encode()
    assert len(data) == 722
    assert data.startswith(b"Commands: \n    version - Get kernel version \n")
    assert b"UML;  \n\tsame syntax as command line \n" in data
    assert data.endswith(b"    stack <pid> - returns the stack of the specified pid\n")
    packets = reply_packets(data)
    assert [len(p) for p in packets] == [12 + 512, 12 + 212]
    assert [unpack_reply(p)[:2] for p in packets] == [(0, True), (0, False)]
    assert b"".join(unpack_reply(p)[2] for p in packets) == data


def test_err_only_on_first_packet_and_negative_errno_as_u32():
    packets = reply_packets(b"x" * 1100, err=-16, more=False)
    assert len(packets) == 3
    assert packets[0][:4] == b"\xf0\xff\xff\xff"
    assert [unpack_reply(p)[0] for p in packets] == [-16, 0, 0]
    assert [unpack_reply(p)[1] for p in packets] == [True, True, False]


def test_empty_reply_is_one_13_byte_packet():
    (packet,) = reply_packets(b"", more=True)
    assert packet == struct.pack("<III", 0, 1, 1) + b"\0"


def test_pack_request_matches_uml_mconsole_layout():
    data = pack_request("version")
    assert len(data) == REQUEST_SIZE == 524
    assert data[:12] == b"\xbe\xba\xfe\xca\x02\x00\x00\x00\x07\x00\x00\x00"
    assert data[12:19] == b"version" and set(data[19:]) == {0}
    assert len(pack_request("x" * 600, pad=False)) == 12 + 511


def test_wrong_magic_is_a_version0_client():
    for data in (b"version", b"hi", b"", struct.pack(">III", MAGIC, 2, 7) + b"version"):
        with pytest.raises(BadRequest) as info:
            parse_request(data)
        assert info.value.raw and info.value.reply == V0_REPLY
    assert len(V0_REPLY) == 63


@pytest.mark.parametrize("length, text", [(512, "Request too large"), (4000, "Request too large")])
def test_len_512_or_more_is_too_large(length, text):
    with pytest.raises(BadRequest) as info:
        parse_request(req(b"version", length=length) + bytes(600))
    assert info.value.reply.decode() == text and info.value.err == 1 and not info.value.raw


def test_len_511_is_accepted():
    assert parse_request(req(b"v" * 511)).text == "v" * 511


@pytest.mark.parametrize("data", [
    struct.pack("<II", MAGIC, 2),                  # shorter than the header
    req(b"version", length=20),                    # len beyond the datagram
])
def test_malformed_datagrams(data):
    with pytest.raises(BadRequest) as info:
        parse_request(data)
    assert info.value.reply == b"Malformed request" and not info.value.raw


def test_non_utf8_text_is_refused():
    with pytest.raises(BadRequest) as info:
        parse_request(req(b"config ubdb=\xff"))
    assert info.value.reply == b"Request is not valid UTF-8"


def test_text_is_cut_at_len_and_at_nul():
    assert parse_request(req(b"versionGARBAGE", length=7)).text == "version"
    assert parse_request(req(b"ver\0sion")).text == "ver"
    assert parse_request(req(b"version", version=3)).version == 3


def test_unpack_reply_rejects_truncated_packets():
    with pytest.raises(ValueError):
        unpack_reply(b"\0" * 8)
    with pytest.raises(ValueError):
        unpack_reply(struct.pack("<III", 0, 0, 20) + b"short\0")
    assert unpack_reply(pack_reply(b"abc", 1, False)) == (1, False, b"abc")


@given(st.binary(max_size=600))
def test_any_datagram_decodes_or_gets_an_error_reply(data):
    try:
        r = parse_request(data)
    except BadRequest as bad:
        assert bad.reply
    else:
        assert len(r.text.encode()) < 512
