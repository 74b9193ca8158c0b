/*
 * llhttp includes <string.h> for memset; the freestanding runtime's
 * (lib/memcpy.c) serves it in root.elf.
 */
#ifndef MGMT_HTTP_LIBC_STRING_H
#define MGMT_HTTP_LIBC_STRING_H

#include <lib/string.h>

#endif
