"""The mconsole server over a real AF_UNIX datagram socket, driven by a raw client (spec §6.2-6.3)."""

from __future__ import annotations

import os
import socket
import struct

import pytest

from umlpy.mconsole import Instance, MconsoleServer
from umlpy.mconsole.client import exchange_raw, send_command
from umlpy.mconsole.protocol import MAGIC, V0_REPLY, pack_request, unpack_reply
from umlpy.mconsole.recording import RecordingMachine


def req(text: bytes, version: int = 2, length: int | None = None) -> bytes:
    return struct.pack("<III", MAGIC, version, len(text) if length is None else length) + text


class Exploding(RecordingMachine):
    def version(self) -> str:
        raise RuntimeError("boom")


@pytest.fixture
def served(tmp_path_factory):
    base = tmp_path_factory.mktemp("m")
    inst = Instance.create("t", str(base))
    mc = RecordingMachine()
    errors: list[BaseException] = []
    srv = MconsoleServer(inst.socket_path, mc, on_error=errors.append).start()
    yield inst.socket_path, mc, srv, errors
    srv.close()
    inst.close()
    mc.close()


def decode(packets):
    return [unpack_reply(p) for p in packets]


def test_version_roundtrip(served):
    path, mc, _, _ = served
    (reply,) = send_command(path, "version", timeout=5)
    assert (reply.err, reply.text) == (0, mc.uname.encode())


def test_version0_client_gets_raw_text_only(served):
    path, _, _, _ = served
    packets = exchange_raw(path, b"version", timeout=5)
    assert packets == [V0_REPLY]


def test_request_too_large(served):
    path, _, _, _ = served
    assert decode(exchange_raw(path, req(b"version", length=512) + bytes(512))) == \
        [(1, False, b"Request too large")]


@pytest.mark.parametrize("data", [struct.pack("<II", MAGIC, 2), req(b"version", length=20)])
def test_malformed_get_error_and_nothing_runs(served, data):
    path, mc, _, _ = served
    assert decode(exchange_raw(path, data)) == [(1, False, b"Malformed request")]
    assert mc.requests == []


def test_non_utf8(served):
    path, mc, _, _ = served
    assert decode(exchange_raw(path, req(b"log \xff\xfe"))) == \
        [(1, False, b"Request is not valid UTF-8")]
    assert mc.kernel_log == []


def test_wrong_version_errors_and_still_runs(served):
    path, mc, _, _ = served
    replies = decode(exchange_raw(path, req(b"stop", version=3), finals=2))
    assert replies == [(1, False, b"This driver only supports version 2 clients"),
                       (0, False, b"stopped")]
    assert mc.is_paused


def test_unpadded_and_padded_requests(served):
    path, mc, _, _ = served
    assert decode(exchange_raw(path, req(b"config mem"))) == [(0, False, b"67108864")]
    assert decode(exchange_raw(path, pack_request("config mem"))) == [(0, False, b"67108864")]


def test_help_arrives_in_two_packets(served):
    path, _, _, _ = served
    packets = exchange_raw(path, req(b"help"))
    assert [len(p) for p in packets] == [524, 224]
    assert [unpack_reply(p)[1] for p in packets] == [True, False]


def test_unbound_sender_runs_but_gets_no_reply(served):
    path, mc, _, _ = served
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as unbound:
        unbound.sendto(req(b"stop"), path)
    # requests are served in order: "go" answered OK (not "Not stopped") proves "stop" ran
    assert decode(exchange_raw(path, req(b"go"))) == [(0, False, b"")]
    assert not mc.is_paused


def test_server_answers_while_stopped(served):
    path, mc, _, _ = served
    assert send_command(path, "stop")[0].text == b"stopped"
    assert send_command(path, "proc uptime")[0].text == b"\n12.34 5.67\n"
    assert send_command(path, "stop")[0].err == 1
    assert send_command(path, "go")[0].err == 0


def test_internal_error_is_reported_and_server_survives(tmp_path_factory):
    base = tmp_path_factory.mktemp("m")
    inst = Instance.create("x", str(base))
    errors: list[BaseException] = []
    mc = Exploding()
    with MconsoleServer(inst.socket_path, mc, on_error=errors.append):
        (reply,) = send_command(inst.socket_path, "version", timeout=5)
        assert reply.err == 1 and b"boom" in reply.text
        assert send_command(inst.socket_path, "config mem", timeout=5)[0].text == b"67108864"
    assert isinstance(errors[0], RuntimeError)
    inst.close()


def test_close_unlinks_socket(tmp_path_factory):
    base = tmp_path_factory.mktemp("m")
    path = str(base / "sock")
    srv = MconsoleServer(path, RecordingMachine()).start()
    assert send_command(path, "go")[0].text == b"Not stopped"
    srv.close()
    srv.close()
    assert not os.path.exists(path)
