/* hostport.h - host-only hooks of hostport.c used by fstool. */
#ifndef FS_HOSTPORT_H
#define FS_HOSTPORT_H
#include <stdint.h>
void host_set_image(int fd, uint64_t size);
extern uint64_t host_reads, host_writes;
#endif
