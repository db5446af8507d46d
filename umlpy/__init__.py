"""umlpy: a User-Mode-Linux-style virtual machine launcher.

Packages (dependencies point downwards only):

* ``umlpy.ubd``       COW files and block devices (pure stdlib)
* ``umlpy.tools``     uml_mkcow / uml_moo / umlpy-cow / mconsole client entry points
* ``umlpy.mconsole``  management console protocol and server (pure stdlib)
* ``umlpy.chan``      console channels (fd, null, pts, port)
* ``umlpy.machine``   the unicorn CPU, guest memory and paravirtual devices
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
