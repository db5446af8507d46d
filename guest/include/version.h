/* version.h -- the kernel's name and version (uname(2), mconsole version,
 * /proc/version and the first boot line).  No build timestamps: the build is
 * reproducible. */
#ifndef VERSION_H
#define VERSION_H
#define UMLPY_KERNEL_VERSION "0.1"
#define UTS_SYSNAME "Linux"
#define UTS_RELEASE "6.1.0-umlpy"
#define UTS_VERSION "#1 umlpy " UMLPY_KERNEL_VERSION
#define UTS_MACHINE "x86_64"
#define UTS_NODENAME_DEFAULT "(none)"
#endif
