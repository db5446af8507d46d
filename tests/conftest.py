"""Shared, generic pytest fixtures: real files in tmp_path with known content and mtime."""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path
from typing import Callable

import pytest

FIXED_MTIME = 1704067200          # 2024-01-01T00:00:00Z, the spec's example mtime


def sha256_file(path: str | os.PathLike[str]) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@pytest.fixture
def make_image(tmp_path: Path) -> Callable[..., Path]:
    """make_image(name, size, seed=0, mtime=FIXED_MTIME, sparse=False) -> Path.

    A file of ``size`` bytes of seeded random data (or a hole when ``sparse``)
    with the given mtime."""
    def make(name: str, size: int, seed: int = 0, mtime: int = FIXED_MTIME,
             sparse: bool = False) -> Path:
        p = tmp_path / name
        with open(p, "wb") as f:
            if sparse:
                f.truncate(size)
            else:
                f.write(random.Random(seed).randbytes(size))
        os.utime(p, (mtime, mtime))
        return p
    return make
