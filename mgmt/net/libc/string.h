/*
 * lwIP includes <string.h>; the root has no C library, so the lwIP build
 * (and code including lwIP headers) finds this file first and gets the
 * freestanding runtime's functions (lib/string.c, lib/memcpy.c).
 */
#ifndef MGMT_NET_LIBC_STRING_H
#define MGMT_NET_LIBC_STRING_H

#include <lib/string.h>

#endif
