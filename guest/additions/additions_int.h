/*
 * Internal to guest/additions: the services that live in files of their
 * own, called by additions.c's packet dispatch.
 */
#ifndef ADDITIONS_INT_H
#define ADDITIONS_INT_H

#include <stdint.h>

/*
 * KVP (additions_kvp.c): answers the KVP request of len bytes in pkt, in
 * place; the answer's length, or a negative VMBUS_E_* if the packet is
 * not a KVP message.
 */
int additions_kvp_answer(uint8_t *pkt, uint32_t len);

#endif
