"""RecordingMachine: an in-memory MachineControl that really keeps state, for tests.

It stands in for the machine (umlpy/machine) where booting a guest is not the
point of a test: disks are opened with the real ``umlpy.ubd.open_disk`` (the
full COW open procedure), pause/halt/reboot flags are kept, ``log`` lines are
recorded, and ``proc``/``stack``/``sysrq`` answer from tables the test fills.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from ..errors import DeviceBusy, MconsoleError, NoSuchDevice

if TYPE_CHECKING:
    from ..ubd.options import UbdConfig

__all__ = ["RecordingMachine"]


class RecordingMachine:
    """A MachineControl whose effects can be inspected (thread-safe)."""

    def __init__(self, *, mem: int = 64 << 20, uname: str = "Linux (none) 6.1.0-umlpy #1 x86_64",
                 channels: dict[int, str] | None = None, cwd: str | None = None) -> None:
        self.lock = threading.Lock()
        self.mem = mem
        self.uname = uname
        self.cwd = cwd
        self.channels = dict(channels if channels is not None else {0: "fd:0,fd:1"})
        self.disks: dict[int, Any] = {}          # unit -> umlpy.ubd Disk
        self.open_units: set[int] = set()        # units the "guest" holds open
        self.is_paused = False
        self.halted = 0
        self.reboots = 0
        self.cads = 0
        self.kernel_log: list[str] = []
        self.proc_files: dict[str, str] = {"uptime": "12.34 5.67\n"}
        self.pids: dict[int, str] = {1: "Call Trace:\n init\n"}
        self.requests: list[tuple[str, str]] = []
        self.open_log: list[str] = []

    # -- MachineControl -------------------------------------------------------------
    def version(self) -> str:
        return self.uname

    def halt(self) -> None:
        with self.lock:
            self.halted += 1

    def reboot(self) -> None:
        with self.lock:
            self.reboots += 1

    def cad(self) -> None:
        with self.lock:
            self.cads += 1

    def pause(self) -> None:
        with self.lock:
            self.is_paused = True

    def resume(self) -> None:
        with self.lock:
            self.is_paused = False

    def paused(self) -> bool:
        return self.is_paused

    def guest_request(self, kind: str, arg: str, timeout: float = 5.0) -> str:
        with self.lock:
            self.requests.append((kind, arg))
            if kind == "log":
                self.kernel_log.append(arg)
                return ""
            if kind == "proc":
                if arg not in self.proc_files:
                    raise MconsoleError("Failed to open file" if arg else "Read of file failed")
                return self.proc_files[arg]
            if kind == "stack":
                if int(arg) not in self.pids:
                    raise MconsoleError("Couldn't find that pid")
                return self.pids[int(arg)]
            if kind == "sysrq":
                return f"sysrq: {arg or 'HELP'}\n"
        raise MconsoleError(f"unknown guest request {kind}")

    def disk_config(self, unit: int) -> str:
        with self.lock:
            disk = self.disks.get(unit)
            return "" if disk is None else disk.description

    def disk_attach(self, cfg: "UbdConfig") -> None:
        from ..ubd import opening
        with self.lock:
            if cfg.unit in self.disks:
                raise DeviceBusy("Device is already configured")
            self.disks[cfg.unit] = opening.open_disk(cfg, cwd=self.cwd, log=self.open_log.append)

    def disk_detach(self, unit: int) -> None:
        with self.lock:
            if unit not in self.disks:
                raise NoSuchDevice("Device doesn't exist")
            if unit in self.open_units:
                raise DeviceBusy("Device is currently open")
            self.disks.pop(unit).close()

    def mem_size(self) -> int:
        return self.mem

    def channel_config(self, n: int) -> str:
        return self.channels.get(n, "")

    def close(self) -> None:
        with self.lock:
            for disk in self.disks.values():
                disk.close()
            self.disks.clear()
