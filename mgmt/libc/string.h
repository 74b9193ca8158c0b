/*
 * The root has no C library.  The third-party code it builds (lwIP,
 * llhttp) includes <string.h>; it finds this file first (mgmt/libc is on
 * their include path) and gets the freestanding runtime's functions
 * (lib/string.c, lib/memcpy.c).
 */
#ifndef MGMT_LIBC_STRING_H
#define MGMT_LIBC_STRING_H

#include <lib/string.h>

#endif
