"""Instance directories: umid choice, pid file, takeover of stale directories (spec §6.1)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from umlpy.errors import MconsoleError
from umlpy.mconsole.umid import Instance


@pytest.fixture
def base(tmp_path_factory):
    return str(tmp_path_factory.mktemp("u"))


def test_named_instance_layout_and_cleanup(base):
    lines: list[str] = []
    inst = Instance.create("vm1", base, lines.append)
    assert inst.umid == "vm1"
    assert inst.directory == base + "/vm1"
    assert inst.socket_path == base + "/vm1/mconsole"
    assert stat.S_IMODE(os.stat(inst.directory).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(inst.pid_path).st_mode) == 0o644 & ~_umask()
    with open(inst.pid_path) as f:
        assert f.read() == f"{os.getpid()}\n"
    assert inst.boot_line == f"mconsole (version 2) initialized on {base}/vm1/mconsole"
    assert lines == []
    inst.close()
    assert not os.path.exists(inst.directory)
    assert os.path.isdir(base)


def _umask() -> int:
    old = os.umask(0)
    os.umask(old)
    return old


def test_random_umid_and_length_limit(base):
    a = Instance.create(None, base)
    assert len(a.umid) == 6 and a.umid.isalnum()
    ok = Instance.create("x" * 63, base)
    assert ok.umid == "x" * 63
    lines: list[str] = []
    long = Instance.create("y" * 64, base, lines.append)
    assert len(long.umid) == 6 and not os.path.exists(base + "/" + "y" * 64)
    assert lines and "longer than 63" in lines[0]
    for inst in (a, ok, long):
        inst.close()


def test_uml_dir_gets_trailing_slash_and_is_created(base):
    inst = Instance.create("n", base + "/new/deeper")
    assert inst.base == base + "/new/deeper/"
    assert os.path.isdir(base + "/new/deeper/n")
    inst.close()


def test_default_base_is_home_dot_uml(base, monkeypatch):
    monkeypatch.setenv("HOME", base)
    inst = Instance.create("h", None)
    assert inst.socket_path == base + "/.uml/h/mconsole"
    inst.close()


def test_empty_uml_dir_is_refused(base):
    with pytest.raises(MconsoleError, match="uml_dir can't be an empty string"):
        Instance.create("e", "")


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_directory_of_dead_pid_is_taken_over_silently(base):
    stale = base + "/old"
    os.mkdir(stale)
    with open(stale + "/pid", "w") as f:
        f.write(f"{_dead_pid()}\n")
    with open(stale + "/mconsole", "w") as f:
        f.write("leftover")
    lines: list[str] = []
    inst = Instance.create("old", base, lines.append)
    assert inst.umid == "old" and lines == []
    assert sorted(os.listdir(stale)) == ["pid"]
    inst.close()


def test_unreadable_pid_counts_as_dead(base):
    os.mkdir(base + "/junk")
    with open(base + "/junk/pid", "w") as f:
        f.write("not a pid")
    inst = Instance.create("junk", base)
    assert inst.umid == "junk"
    inst.close()


def test_live_instance_gets_uml_messages_and_random_umid(base):
    live = base + "/busy"
    os.mkdir(live)
    with open(live + "/pid", "w") as f:
        f.write(f"{os.getppid()}\n")
    lines: list[str] = []
    inst = Instance.create("busy", base, lines.append)
    assert lines == [f'umid "busy" is already in use by pid {os.getppid()}',
                     'Failed to initialize umid "busy", trying with a random umid']
    assert inst.umid != "busy" and len(inst.umid) == 6
    inst.close()
    with open(live + "/pid") as f:
        assert f.read() == f"{os.getppid()}\n"     # the live one is untouched


def test_close_leaves_a_directory_someone_else_took_over(base):
    inst = Instance.create("t", base)
    with open(inst.pid_path, "w") as f:
        f.write(f"{os.getppid()}\n")
    inst.close()
    assert os.path.isdir(inst.directory)


def test_socket_path_too_long(base):
    with pytest.raises(MconsoleError, match="longer than 107 bytes"):
        Instance.create("z" * 63, base + "/" + "d" * 60)
    assert not os.path.exists(base + "/" + "d" * 60 + "/" + "z" * 63)
