"""The host-side prompt behind the console escape key (Ctrl-]) — docs/console.md.

Typing Ctrl-] on an interactive terminal console suspends the guest console
(the guest keeps running; its output is held) and opens a prompt_toolkit
prompt ``umlpy> `` that accepts the mconsole commands (run by the same
functions as the mconsole server, umlpy.mconsole.commands) plus:

* ``detach`` (or Ctrl-D / an empty Ctrl-] line): back to the guest console;
* ``quit``: halt the machine (MachineControl.halt) and leave the prompt.

Replies are printed like ``umlpy-mconsole`` prints them: ``OK <text>`` / ``ERR <text>``.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from ..mconsole.commands import COMMANDS, CollectingSink, execute
from ..mconsole.control import MachineControl
from .fd import FdChannel

__all__ = ["HostPrompt", "PROMPT", "LOCAL_HELP"]

PROMPT = "umlpy> "
LOCAL_HELP = (
    "Host prompt commands:\n"
    "    detach - return to the guest console (also Ctrl-D)\n"
    "    quit - halt the machine\n"
)


class HostPrompt:
    """Runs the host prompt for one terminal channel.

    Wire it with ``FdChannel(..., on_escape=prompt.trigger)`` (or pass
    ``on_escape`` to parse_channel/ConsoleSet.open and set ``prompt.channel``).
    ``trigger()`` is called from the thread that reads the console; it only
    starts the prompt thread.  ``input``/``output`` are prompt_toolkit
    Input/Output objects (tests use a pipe input and a dummy output).
    """

    def __init__(self, channel: FdChannel | None, control: MachineControl, *,
                 echo: Callable[[str], None] | None = None,
                 input: Any = None, output: Any = None) -> None:
        self.channel = channel
        self.control = control
        self._echo = echo
        self._input = input
        self._output = output
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.quit_requested = False

    @property
    def active(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def trigger(self) -> None:
        """Open the prompt in its own thread, unless it is already open."""
        with self._lock:
            if self.active:
                return
            self._thread = threading.Thread(target=self.run, name="host-prompt", daemon=True)
            self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def echo(self, text: str) -> None:
        if self._echo is not None:
            self._echo(text)
        else:
            from prompt_toolkit import print_formatted_text
            print_formatted_text(text, output=self._output)

    def handle(self, line: str) -> bool:
        """Run one prompt line; False when the prompt should close."""
        text = line.strip()
        if not text:
            return True
        if text == "detach":
            return False
        if text == "quit":
            self.quit_requested = True
            self.control.halt()
            return False
        sink = CollectingSink()
        execute(text, self.control, sink)
        self.echo(f"{'ERR' if sink.err else 'OK'} {sink.text}")
        if text.startswith("help"):
            self.echo(LOCAL_HELP.rstrip("\n"))
        return not text.startswith("halt")

    def run(self) -> None:
        """The prompt loop (blocking): suspend the console, read lines, resume."""
        from prompt_toolkit import PromptSession
        from prompt_toolkit.completion import WordCompleter

        if self.channel is not None:
            self.channel.suspend()
        try:
            words = [name for name, _ in COMMANDS] + ["detach", "quit"]
            session: PromptSession[str] = PromptSession(
                completer=WordCompleter(words), input=self._input, output=self._output)
            self.echo("\r\n[umlpy host prompt: 'help' for commands, 'detach' or Ctrl-D to "
                      "return to the guest]")
            while True:
                try:
                    line = session.prompt(PROMPT, handle_sigint=False)
                except KeyboardInterrupt:
                    continue
                except EOFError:
                    break
                if not self.handle(line):
                    break
        finally:
            if self.channel is not None:
                self.channel.resume()
