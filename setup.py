"""Builds umlpy's one C extension (the timer/preemption shim, docs/machine.md §3).

Everything else about the package is declared in pyproject.toml.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("umlpy.machine._tick", ["umlpy/machine/_tick.c"],
                             extra_compile_args=["-O2"])])
