"""Guest-physical memory map and paravirtual ABI constants (docs/machine.md §1-§3).

The single Python copy of the host<->guest contract; ``guest/include/layout.h``
holds the C copy and ``tests/test_layout_sync.py`` keeps the two equal.
"""

from __future__ import annotations

# --- §1 memory map ---------------------------------------------------------
KERNEL_VBASE = 0xFFFFFFFF80000000   # kernel image VA = KERNEL_VBASE + PA
DIRECTMAP_BASE = 0xFFFF800000000000  # all RAM mapped RW/NX at DIRECTMAP_BASE + PA
USER_TOP = 0x0000800000000000       # user space is below this
BOOTINFO_PA = 0x1000                # struct bootinfo, written by the host
CMDLINE_PA = 0x2000                 # NUL-terminated command line
CMDLINE_MAX = 4095                  # bytes of command line, without the NUL
BOOT_PT_PA = 0x10000                # boot page tables (64 KiB region)
BOOT_PT_SIZE = 0x10000              # size of the boot page-table region
KERNEL_PA = 0x100000                # kernel image load address
BOOTINFO_MAGIC = 0x31494250594C4D55  # "UMLPYBI1" little-endian
DEFAULT_HZ = 100                    # suggested timer frequency (bootinfo.hz)
DEFAULT_MEM = 64 * 1024 * 1024      # mem= default

# --- §2 hypercalls ----------------------------------------------------------
HC_PORT = 0xE0                      # outl %eax, $HC_PORT; EAX = request block PA
DEBUG_PORT = 0xE9                   # outb %al: one byte to host stderr
HCALL_SIZE = 64                     # bytes per request block (64-byte aligned)

HC_CONSOLE_WRITE = 1                # a0 channel, a1 buf_pa, a2 len -> ret written
HC_CONSOLE_READ = 2                 # a0 channel, a1 buf_pa, a2 maxlen -> ret read, r0 eof
HC_CLOCK = 3                        # r0 realtime ns, r1 monotonic ns since start
HC_TIMER = 4                        # a0 period ns (0 = stop)
HC_POWER = 5                        # a0 POWER_*; does not return
HC_PANIC = 6                        # a0 msg_pa, a1 len
HC_UBD_INFO = 7                     # a0 unit -> r0 size, r1 flags
HC_UBD_IO = 8                       # a0 unit, a1 op, a2 sector, a3 count, a4 buf_pa
HC_UBD_OPEN = 9                     # a0 unit
HC_UBD_CLOSE = 10                   # a0 unit
HC_MGMT_GET = 11                    # a0 buf_pa, a1 maxlen -> ret len, r0 id, r1 kind
HC_MGMT_REPLY = 12                  # a0 id, a1 buf_pa, a2 len, a3 flags

POWER_OFF = 0                       # HC_POWER a0
POWER_REBOOT = 1
POWER_HALT = 2

UBD_MAX = 16                        # units 0..15
UBD_SECTOR = 512                    # bytes per sector
UBD_F_PRESENT = 1                   # HC_UBD_INFO r1 flags
UBD_F_RO = 2
UBD_OP_READ = 0                     # HC_UBD_IO a1
UBD_OP_WRITE = 1
UBD_OP_FLUSH = 2
UBD_OP_DISCARD = 3
UBD_OP_WRITE_ZEROES = 4

MGMT_SYSRQ = 1                      # HC_MGMT_GET r1 kinds
MGMT_PROC = 2
MGMT_STACK = 3
MGMT_CAD = 4
MGMT_LOG = 5
MGMT_VERSION = 6
MGMT_F_FINAL = 1                    # HC_MGMT_REPLY a3 flags
MGMT_F_ERROR = 2

# --- §3 interrupts ----------------------------------------------------------
IRQ_TIMER = 32                      # periodic timer
IRQ_CONSOLE = 33                    # console input available
IRQ_MGMT = 34                       # management request pending
IRQ_UBD = 35                        # block device added/removed

GDT_KERNEL_CS = 0x08                # required GDT layout (Linux style)
GDT_KERNEL_DS = 0x10
GDT_USER_CS32 = 0x18
GDT_USER_DS = 0x20
GDT_USER_CS = 0x28
GDT_TSS = 0x30
