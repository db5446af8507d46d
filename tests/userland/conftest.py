"""Fixtures for the guest userland tests (brief H5, docs/userland.md): build the
multi-call binary with guest/user/Makefile into a temporary directory and expose
every command as a symlink in a bin directory, so the programs run natively."""

from __future__ import annotations

import os
import subprocess

import pytest

from userland_util import COMMANDS, USER_DIR, Userland


@pytest.fixture(scope="session")
def userland(tmp_path_factory: pytest.TempPathFactory) -> Userland:
    build = tmp_path_factory.mktemp("userbuild")
    subprocess.run(["make", "-s", "-C", str(USER_DIR), f"B={build}"], check=True,
                   capture_output=True)
    bindir = build / "bin"
    bindir.mkdir()
    for c in COMMANDS:
        os.symlink(build / "box", bindir / c)
    return Userland(build / "box", bindir)
