/* types.h -- basic integer types for the freestanding kernel. */
#ifndef TYPES_H
#define TYPES_H
#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
typedef int64_t ssize_t;
typedef uint64_t pte_t;
typedef int pid_t;
#define NULL_PTR ((void *)0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif
