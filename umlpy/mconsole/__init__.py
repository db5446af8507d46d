"""The management console: UML's mconsole protocol, server, commands and instance directories.

Spec: uml-reference.md §6.  Public surface for the machine and the cli::

    inst = Instance.create(umid, uml_dir, log)          # umid.py, §6.1
    server = MconsoleServer(inst.socket_path, control).start()
    log(inst.boot_line)                                  # "mconsole (version 2) initialized on ..."
    ...
    server.close(); inst.close()
"""

from __future__ import annotations

from .commands import COMMANDS, HELP_TEXT, CollectingSink, ReplySink, execute
from .control import MachineControl
from .server import MconsoleServer
from .umid import Instance

__all__ = ["MachineControl", "MconsoleServer", "CollectingSink", "ReplySink", "execute",
           "COMMANDS", "HELP_TEXT", "Instance"]

