"""The real uml_mconsole client (uml-utilities 20070815) against our mconsole server (spec §6.6)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from umlpy.mconsole import HELP_TEXT, Instance, MconsoleServer
from umlpy.mconsole.recording import RecordingMachine

pytestmark = [pytest.mark.interop,
              pytest.mark.skipif(shutil.which("uml_mconsole") is None, reason="no uml_mconsole")]


@pytest.fixture
def served(tmp_path_factory):
    home = tmp_path_factory.mktemp("h")
    inst = Instance.create("vm", str(home / ".uml"))
    mc = RecordingMachine(cwd=str(home))
    srv = MconsoleServer(inst.socket_path, mc).start()
    yield str(home), inst, mc
    srv.close()
    inst.close()
    mc.close()


def uml_mconsole(home: str, *args: str, cwd: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, HOME=home)
    return subprocess.run(["uml_mconsole", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=30)


def test_version_and_path_form(served):
    home, inst, mc = served
    r = uml_mconsole(home, "vm", "version")
    assert (r.returncode, r.stdout) == (0, f"OK {mc.uname}\n")
    r = uml_mconsole(home, inst.socket_path, "version")
    assert (r.returncode, r.stdout) == (0, f"OK {mc.uname}\n")


def test_help_is_byte_exact(served):
    home, _, _ = served
    r = uml_mconsole(home, "vm", "help")
    assert r.returncode == 0
    assert r.stdout.startswith("OK " + HELP_TEXT + "\nAdditional local mconsole commands:\n")


def test_unknown_command(served):
    home, _, _ = served
    r = uml_mconsole(home, "vm", "bogus")
    assert (r.returncode, r.stdout) == (1, "ERR Unknown command\n")


def test_stop_go(served):
    home, _, mc = served
    assert uml_mconsole(home, "vm", "stop").stdout == "OK stopped\n" and mc.is_paused
    r = uml_mconsole(home, "vm", "stop")
    assert (r.returncode, r.stdout) == (1, "ERR Already stopped\n")
    assert uml_mconsole(home, "vm", "go").stdout == "OK \n" and not mc.is_paused
    r = uml_mconsole(home, "vm", "go")
    assert (r.returncode, r.stdout) == (1, "ERR Not stopped\n")


def test_log_sends_text_then_newline(served):
    home, _, mc = served
    r = uml_mconsole(home, "vm", "log", "hello", "world")
    assert (r.returncode, r.stdout) == (0, "OK \nOK \n")
    assert mc.kernel_log == ["hello world", "\n"]


def test_proc_and_errors(served):
    home, _, _ = served
    r = uml_mconsole(home, "vm", "proc", "uptime")
    assert (r.returncode, r.stdout) == (0, "OK \n12.34 5.67\n\n")
    r = uml_mconsole(home, "vm", "proc", "nope")
    assert (r.returncode, r.stdout) == (1, "ERR Failed to open file\n")


def test_config_queries_and_remove_statuses(served):
    home, _, mc = served
    assert uml_mconsole(home, "vm", "config", "mem").stdout == f"OK {mc.mem}\n"
    assert uml_mconsole(home, "vm", "config", "con0").stdout == "OK fd:0,fd:1\n"
    r = uml_mconsole(home, "vm", "remove", "ubdb")
    assert (r.returncode, r.stdout) == (237, "ERR Device doesn't exist\n")
    r = uml_mconsole(home, "vm", "remove", "mem")
    assert (r.returncode, r.stdout) == (240, "ERR Memory doesn't support the remove operation\n")
    r = uml_mconsole(home, "vm", "config", "ubdz=x")
    assert (r.returncode, r.stdout) == (1, "ERR Device number out of range\n")


def test_config_hotplug_cow(served):
    pytest.importorskip("umlpy.ubd.opening")
    home, _, mc = served
    base = os.path.join(home, "base.img")
    with open(base, "wb") as f:
        f.truncate(1 << 20)
    r = uml_mconsole(home, "vm", "config", "ubdb=cow.img,base.img", cwd=home)
    assert (r.returncode, r.stdout) == (0, "OK \n")
    assert os.path.exists(os.path.join(home, "cow.img"))
    r = uml_mconsole(home, "vm", "config", "ubdb")
    assert r.stdout == f"OK {home}/cow.img,{base}\n"
    r = uml_mconsole(home, "vm", "config", "ubdb=cow.img,base.img", cwd=home)
    assert (r.returncode, r.stdout) == (240, "ERR Device is already configured\n")
    r = uml_mconsole(home, "vm", "config", "ubdc=missing.img", cwd=home)
    assert r.returncode == 254 and r.stdout.startswith("ERR ")
    mc.open_units.add(1)
    r = uml_mconsole(home, "vm", "remove", "ubdb")
    assert (r.returncode, r.stdout) == (240, "ERR Device is currently open\n")
    mc.open_units.clear()
    assert uml_mconsole(home, "vm", "remove", "ubdb").stdout == "OK \n"
    assert uml_mconsole(home, "vm", "config", "ubdb").stdout == "OK \n"
