/* fstool.h - shared between fstool.c and fstool_ops.c. */
#ifndef FS_FSTOOL_H
#define FS_FSTOOL_H
int fstool_op(int argc, char **argv, int nbuf, int rdonly);
const char *ename(int e);
#endif
