/*
 * <stdlib.h> for the third-party code in root.elf: lwIP uses atoi
 * (netif_find; lib/string.c has it), llhttp uses abort, which its
 * generated parser calls only on states that cannot be reached;
 * mgmt/http/llhttp_rt.c provides it (a console line, then the root stops).
 */
#ifndef MGMT_LIBC_STDLIB_H
#define MGMT_LIBC_STDLIB_H

#include <lib/string.h>

__attribute__((noreturn)) void abort(void);

#endif
