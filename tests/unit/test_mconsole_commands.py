"""mconsole command lookup, arguments and replies, run in-process (spec §6.3-6.5)."""

from __future__ import annotations

import errno

import pytest

from umlpy.mconsole.commands import HELP_TEXT, PROC_CHUNK, CollectingSink, execute, lookup
from umlpy.mconsole.devices import parse_unit
from umlpy.mconsole.recording import RecordingMachine


def run(mc: RecordingMachine, text: str) -> CollectingSink:
    sink = CollectingSink()
    execute(text, mc, sink)
    return sink


@pytest.fixture
def mc():
    m = RecordingMachine()
    yield m
    m.close()


@pytest.mark.parametrize("text, name", [
    ("version", "version"), ("versionXYZ", "version"), ("gofoo", "go"), ("help me", "help"),
    ("haltnow", "halt"), ("stack", "stack"), ("logx", "log"),
])
def test_prefix_lookup_in_uml_order(text, name):
    found = lookup(text)
    assert found is not None and found[0] == name


@pytest.mark.parametrize("text", ["  version", "h", "", "VERSION", "ver", "int", "quit"])
def test_unknown_command(mc, text):
    sink = run(mc, text)
    assert sink.replies == [(b"Unknown command", 1, False)]


def test_help_and_version(mc):
    assert run(mc, "help").replies == [(HELP_TEXT.encode(), 0, False)]
    assert run(mc, "version").text == mc.uname


def test_stop_go_state_machine(mc):
    assert run(mc, "go").replies == [(b"Not stopped", 1, False)]
    assert run(mc, "stop").replies == [(b"stopped", 0, False)] and mc.is_paused
    assert run(mc, "stop").replies == [(b"Already stopped", 1, False)] and mc.is_paused
    assert run(mc, "version").err == 0          # other commands keep working while stopped
    assert run(mc, "go").replies == [(b"", 0, False)] and not mc.is_paused


def test_halt_reboot_cad_reply_then_act(mc):
    for cmd, attr in (("halt", "halted"), ("reboot", "reboots"), ("cad", "cads")):
        assert run(mc, cmd).replies == [(b"", 0, False)]
        assert getattr(mc, attr) == 1


def test_log_skips_exactly_four_characters(mc):
    run(mc, "log hello world")
    run(mc, "log  two spaces")
    run(mc, "logXtext")
    run(mc, "log")
    assert mc.kernel_log == ["hello world", " two spaces", "text", ""]


def test_proc_streams_newline_content_and_empty_final(mc):
    mc.proc_files["big"] = "a" * (PROC_CHUNK + 10)
    sink = run(mc, "proc   uptime")
    assert sink.replies == [(b"\n", 0, True), (b"12.34 5.67\n", 0, True), (b"", 0, False)]
    big = run(mc, "proc big").replies
    assert [len(t) for t, _, _ in big] == [1, PROC_CHUNK, 10, 0]
    assert run(mc, "proc nope").replies == [(b"Failed to open file", 1, False)]
    assert run(mc, "proc").replies == [(b"Read of file failed", 1, False)]


@pytest.mark.parametrize("text, reply", [
    ("stack", b"Please specify a pid"), ("stack x", b"Please specify a pid"),
    ("stack 0", b"Couldn't find that pid"), ("stack 77", b"Couldn't find that pid"),
])
def test_stack_errors(mc, text, reply):
    assert run(mc, text).replies == [(reply, 1, False)]


def test_stack_uses_sscanf_number_and_streams(mc):
    sink = run(mc, "stack  1abc")
    assert sink.replies == [(mc.pids[1].encode(), 0, True), (b"", 0, False)]
    assert mc.requests[-1] == ("stack", "1")


def test_sysrq_streams_output_and_b_replies_first(mc):
    assert run(mc, "sysrq h").replies == [(b"sysrq: h\n", 0, True), (b"", 0, False)]
    assert run(mc, "sysrq").text == "sysrq: HELP\n"
    assert run(mc, "sysrq b").replies == [(b"", 0, False)]
    assert mc.requests[-1] == ("sysrq", "b")


@pytest.mark.parametrize("text, reply, err", [
    ("config mem", b"67108864", 0),
    ("config con0", b"fd:0,fd:1", 0),
    ("config con1", b"none", 0),
    ("config con", b"line_get_config failed to parse device number", 1),
    ("config con99", b"device number out of range", 1),
    ("config ubdb", b"", 0),
    ("config ubd", b"ubd_get_config : device number out of range", 1),
    ("config ubdq", b"ubd_get_config : device number out of range", 1),
    ("config ubd16", b"ubd_get_config : device number out of range", 1),
    ("config xyz", b"Bad configuration option", 1),
    ("config", b"Bad configuration option", 1),
    ("config ubd!=x", b"Couldn't parse device number", -errno.EINVAL),
    ("config ubd16=x", b"Device number out of range", 1),
    ("config ubdq=x", b"Device number out of range", 1),
    ("config mem=4", b"Expected increment to start with '-' or '+'", -errno.EINVAL),
    ("remove ubdb", b"Device doesn't exist", -errno.ENODEV),
    ("remove ubd", b"Couldn't parse device number", 1),
    ("remove ubdz", b"Invalid device number - must be between 0 and 15", 1),
    ("remove ubd0x10", b"Invalid device number - must be between 0 and 15", 1),
    ("remove mem", b"Memory doesn't support the remove operation", -errno.EBUSY),
    ("remove con", b"Couldn't parse device number", 1),
    ("remove con99", b"Device number out of range", -errno.EINVAL),
    ("remove eth0", b"Bad remove option", 1),
])
def test_config_and_remove_texts(mc, text, reply, err):
    assert run(mc, text).replies == [(reply, err, False)]


def test_parse_unit_c_bases():
    assert parse_unit("b") == (1, "")
    assert parse_unit("0x1=x") == (1, "=x")
    assert parse_unit("010") == (8, "")
    assert parse_unit("0") == (0, "")
    assert parse_unit("=sync") == (-1, "=sync")
