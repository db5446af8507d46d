"""umlpy-mconsole against our server: addressing, output, exit statuses, local commands (spec §6.6)."""

from __future__ import annotations

import io
import os
import socket

import pytest

from umlpy.errors import MconsoleError
from umlpy.mconsole import Instance, MconsoleServer
from umlpy.mconsole.client import absolutize_config, find_socket, send_command
from umlpy.mconsole.recording import RecordingMachine
from umlpy.tools.mconsole import main


@pytest.fixture
def served(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("h")
    monkeypatch.setenv("HOME", str(home))
    inst = Instance.create("vm", str(home / ".uml"))
    mc = RecordingMachine()
    srv = MconsoleServer(inst.socket_path, mc).start()
    yield str(home), inst, mc
    srv.close()
    inst.close()
    mc.close()


def test_one_shot_output_and_status(served, capsys):
    home, _, mc = served
    assert main(["vm", "version"]) == 0
    assert capsys.readouterr().out == f"OK {mc.uname}\n"
    assert main(["vm", "remove", "ubdb"]) == 237
    assert capsys.readouterr().out == "ERR Device doesn't exist\n"
    assert main(["vm", "remove", "mem"]) == 240
    assert main(["vm", "bogus"]) == 1
    assert capsys.readouterr().out.endswith("ERR Unknown command\n")


def test_addressing_forms(served, capsys, tmp_path_factory):
    home, inst, mc = served
    other = tmp_path_factory.mktemp("o")
    alt = Instance.create("alt", str(other))
    with MconsoleServer(alt.socket_path, mc):
        for argv in (["--uml-dir", str(other), "alt", "go"], [alt.directory, "go"],
                     [alt.socket_path, "go"], [inst.socket_path, "go"]):
            assert main(argv) == 1
            assert capsys.readouterr().out == "ERR Not stopped\n"
    alt.close()


def test_missing_instance_is_one_line_and_status_1(served, capsys):
    assert main(["nosuch", "version"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "no mconsole socket found for 'nosuch'" in captured.err


def test_directory_without_socket_is_not_a_target(served, tmp_path_factory):
    empty = tmp_path_factory.mktemp("e")
    with pytest.raises(MconsoleError):
        find_socket(str(empty))


def test_usage_without_arguments(capsys):
    assert main([]) == 1
    assert "Usage : umlpy-mconsole socket-name [command]" in capsys.readouterr().err


def test_log_prints_one_ok_and_sends_a_newline(served, capsys, tmp_path_factory):
    home, _, mc = served
    assert main(["vm", "log", "hello", "world"]) == 0
    assert capsys.readouterr().out == "OK \n"
    assert mc.kernel_log == ["hello world\n"]
    f = tmp_path_factory.mktemp("l") / "msg"
    f.write_text("x" * 600 + "\n")
    assert main(["vm", "log", "-f", str(f)]) == 0
    assert mc.kernel_log[1:] == ["x" * 507, "x" * 93 + "\n"]


def test_help_adds_local_commands(served, capsys):
    assert main(["vm", "help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK Commands: \n") and "Additional local mconsole commands:" in out


def test_int_sends_sigint_to_pid_file_owner(served, capsys):
    import signal
    got = []
    old = signal.signal(signal.SIGINT, lambda s, f: got.append(s))
    try:
        assert main(["vm", "int"]) == 0
    finally:
        signal.signal(signal.SIGINT, old)
    assert got == [signal.SIGINT]


def test_interactive_from_a_pipe(served, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("config mem\nswitch vm\nstop\nquit\nversion\n"))
    assert main(["vm"]) == 0
    assert capsys.readouterr().out == "OK 67108864\nSwitched to 'vm'\nOK stopped\n"


def test_timeout_when_nobody_answers(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("s") / "mconsole")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as silent:
        silent.bind(path)
        with pytest.raises(MconsoleError, match="no reply"):
            send_command(path, "version", timeout=0.2)


def test_overlong_command_is_refused(served):
    _, inst, _ = served
    with pytest.raises(MconsoleError, match="511"):
        send_command(inst.socket_path, "log " + "x" * 600)


@pytest.mark.parametrize("text, expect", [
    ("config ubdb=cow,base", "config ubdb=/w/cow,/w/base"),
    ("config ubdb=/abs/cow:base,serial1", "config ubdb=/abs/cow:/w/base,serial1"),
    ("config ubdb=img,,SER", "config ubdb=/w/img,,SER"),
    ("config ubd=sync", "config ubd=sync"),
    ("config ubdb=", "config ubdb="),
    ("config ubdbr=../x", "config ubdbr=/x"),
    ("config mem=+1M", "config mem=+1M"),
    ("remove ubdb", "remove ubdb"),
])
def test_absolutize_config(text, expect):
    assert absolutize_config(text, "/w") == expect


def test_interactive_prompt_on_a_terminal(served):
    """The prompt_toolkit prompt on a real pty: a command runs, quit exits, history is kept."""
    import select
    import subprocess
    import time
    home, _, mc = served
    fd, slave = os.openpty()
    child = subprocess.Popen(["umlpy-mconsole", "vm"], stdin=slave, stdout=slave, stderr=slave,
                             start_new_session=True)
    os.close(slave)
    seen = b""

    def wait_for(needle: bytes) -> None:
        nonlocal seen
        deadline = time.monotonic() + 20
        while needle not in seen and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    seen += os.read(fd, 4096)
                except OSError:
                    break
        assert needle in seen

    try:
        wait_for(b"(vm)")
        os.write(fd, b"config mem\r")
        wait_for(b"OK 67108864")
        os.write(fd, b"quit\r")
        assert child.wait(timeout=20) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(fd)
    with open(os.path.join(home, ".umlpy_mconsole_history")) as f:
        assert "config mem" in f.read()
