"""umlpy.ubd: UML's block layer on the host side (stdlib only).

COW file format (cow.py, bitmap.py; spec §1), the ubd switch grammar
(options.py; §2.1), host open and locks (hostfile.py; §2.5-2.6), the open
procedure (opening.py; §2.3-2.6) and the data path (disk.py; §3).  The on-disk
format is documented in docs/cow-format.md, the open procedure in docs/ubd.md.
"""

from __future__ import annotations

from umlpy.ubd.bitmap import Bitmap
from umlpy.ubd.cow import CowHeader, create_cow, parse_header, read_header
from umlpy.ubd.disk import Disk, DiskReadOnly
from umlpy.ubd.opening import open_disk
from umlpy.ubd.options import UbdConfig, UbdSwitches, failure_line, parse_ubd_switch

__all__ = ["Bitmap", "CowHeader", "create_cow", "parse_header", "read_header", "Disk",
           "DiskReadOnly", "open_disk", "UbdConfig", "UbdSwitches", "failure_line",
           "parse_ubd_switch"]
