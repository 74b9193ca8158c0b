/*
 * llhttp's api.c includes <stdio.h> for one function, llhttp__debug, a
 * trace hook only llparse's debug builds call.  root.elf has no stdio:
 * the hook prints on the root's console instead, so the freestanding
 * llhttp links without a C library.
 */
#ifndef MGMT_LIBC_STDIO_H
#define MGMT_LIBC_STDIO_H

#include <kernel/console.h>

#define stderr ((void *)0)
#define fprintf(stream, ...) ((void)(stream), kprintf(__VA_ARGS__))

#endif
