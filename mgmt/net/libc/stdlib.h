/*
 * lwIP includes <stdlib.h> for atoi (netif_find) only; the root has no C
 * library, so this file stands in for it with the runtime's atoi
 * (lib/string.c).
 */
#ifndef MGMT_NET_LIBC_STDLIB_H
#define MGMT_NET_LIBC_STDLIB_H

#include <lib/string.h>

#endif
