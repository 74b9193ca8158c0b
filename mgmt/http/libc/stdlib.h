/*
 * llhttp includes <stdlib.h> for abort, which its generated parser calls
 * only on states that cannot be reached; root.elf has no C library, so
 * llhttp_rt.c provides it (a console line, then the root stops).
 */
#ifndef MGMT_HTTP_LIBC_STDLIB_H
#define MGMT_HTTP_LIBC_STDLIB_H

__attribute__((noreturn)) void abort(void);

#endif
