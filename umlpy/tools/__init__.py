"""Command-line tools: umlpy-mkcow (uml_mkcow, spec §5), umlpy-moo (uml_moo, §4),
umlpy-cow (info/check, our own), umlpy-mconsole (uml_mconsole, §6.6).

Each tool module exposes ``main(argv)``; heavy imports happen inside the
functions that need them so that start-up stays fast.
"""
