"""``umlpy-mconsole``: the management console client, compatible with uml_mconsole (spec §6.6).

``umlpy-mconsole [--uml-dir DIR] [--timeout S] NAME [COMMAND...]`` sends one
command and prints ``OK <text>`` or ``ERR <text>``, exiting with err mod 256
like uml_mconsole.  Without a command it opens an interactive prompt
(prompt_toolkit: history in ``~/.umlpy_mconsole_history``, completion of
command names and of the umids in ``~/.uml``).  Local commands: ``quit``,
``help``, ``switch NAME``, ``log -f FILE``, ``mconsole-version``, ``int``.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from ..errors import MconsoleError
from ..mconsole.client import (absolutize_config, find_socket, list_umids, read_pid,
                               send_command)
from ..mconsole.commands import COMMANDS

__all__ = ["main"]

LOCAL_HELP = (
    "Additional local mconsole commands:\n"
    "    quit - Quit mconsole\n"
    "    switch <socket-name> - Switch control to the given machine\n"
    "    log -f <filename> - use contents of <filename> as UML log messages\n"
    "    mconsole-version - version of this mconsole program\n"
    "    int  - Interrupt UML session\n"
)
LOCAL_COMMANDS = ("quit", "switch", "mconsole-version", "int")
LOG_CHUNK = 507          # "log " + chunk fits the 511-byte request


class Session:
    """The state of one client: which instance it talks to."""

    def __init__(self, name: str | None, uml_dir: str | None, timeout: float) -> None:
        self.name = name
        self.uml_dir = uml_dir
        self.timeout = timeout
        self.quit = False

    def socket(self) -> str:
        if self.name is None:
            raise MconsoleError("no machine selected; use 'switch NAME'")
        return find_socket(self.name, self.uml_dir)

    def remote(self, text: str) -> int:
        """Send one command, print its reply, return the exit status."""
        status = 0
        for reply in send_command(self.socket(), text, timeout=self.timeout):
            out = reply.text.decode("utf-8", "replace")
            print(f"{reply.label} {out}", flush=True)
            status = reply.exit_status
        return status

    def log_text(self, text: str) -> int:
        """Send ``text`` to the kernel log in 507-character chunks, newline-terminated."""
        if not text.endswith("\n"):
            text += "\n"
        status = 0
        for pos in range(0, len(text), LOG_CHUNK):
            status = self.remote("log " + text[pos:pos + LOG_CHUNK]) or status
        return status

    def run(self, line: str) -> int:
        """Run one command line (local or remote); returns its exit status."""
        text = " ".join(line.split())
        if not text:
            return 0
        word, _, rest = text.partition(" ")
        if text.startswith("quit"):
            self.quit = True
            return 0
        if text.startswith("mconsole-version"):
            print("uml_mconsole client version 2 (umlpy)")
            return 0
        if word == "switch":
            if not rest:
                print("switch: needs a machine name", file=sys.stderr)
                return 1
            self.name = rest
            print(f"Switched to '{rest}'")
            return 0
        if text.startswith("int"):
            return self.interrupt()
        if word == "help":
            status = self.remote("help")
            print(LOCAL_HELP, end="")
            return status
        if word == "log":
            if rest.startswith("-f "):
                with open(rest[3:].strip(), encoding="utf-8", errors="replace") as f:
                    return self.log_text(f.read())
            return self.log_text(line.split("log", 1)[1].lstrip(" \t").rstrip("\r\n"))
        return self.remote(absolutize_config(text, os.getcwd()))

    def interrupt(self) -> int:
        pid = read_pid(self.socket())
        if pid is None:
            print("Cannot determine the PID of your UML session, not sending signal.")
            return 1
        os.kill(pid, signal.SIGINT)
        return 0


def _interactive(session: Session) -> int:
    if not sys.stdin.isatty():
        status = 0
        for line in sys.stdin:
            status = _safe_run(session, line)
            if session.quit:
                break
        return status
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import WordCompleter
    from prompt_toolkit.history import FileHistory

    words = [name for name, _ in COMMANDS] + list(LOCAL_COMMANDS) + list_umids(session.uml_dir)
    history = FileHistory(os.path.join(os.path.expanduser("~"), ".umlpy_mconsole_history"))
    prompt: PromptSession[str] = PromptSession(history=history,
                                               completer=WordCompleter(words, sentence=True))
    status = 0
    while not session.quit:
        try:
            line = prompt.prompt(f"({session.name or '[None]'}) ")
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        status = _safe_run(session, line)
    return status


def _safe_run(session: Session, line: str) -> int:
    try:
        return session.run(line)
    except (MconsoleError, OSError) as exc:
        print(f"umlpy-mconsole: {exc}", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="umlpy-mconsole",
        description="Send management console commands to a running umlpy or UML instance.")
    parser.add_argument("--uml-dir", help="instance base directory (UML's uml_dir=), tried first")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="seconds to wait for a reply (default 30)")
    parser.add_argument("name", nargs="?", help="umid, instance directory or socket path")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="command words")
    args = parser.parse_args(argv)
    if args.name is None:
        print("Usage : umlpy-mconsole socket-name [command]", file=sys.stderr)
        return 1
    session = Session(args.name, args.uml_dir, args.timeout)
    if not args.command:
        return _interactive(session)
    try:
        return session.run(" ".join(args.command))
    except (MconsoleError, OSError) as exc:
        print(f"umlpy-mconsole: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
