/*
 * Error codes of the vmbus/ library.  Functions return 0 (or a length) on
 * success and the negated code on failure, so callers can tell a short
 * message from a corrupt ring from a wrong-state message and log the name.
 */
#ifndef VMBUS_ERR_H
#define VMBUS_ERR_H

enum vmbus_err {
	VMBUS_OK = 0,
	VMBUS_E_SHORT = 1,     /* input shorter than its format requires */
	VMBUS_E_OVERSIZE = 2,  /* input longer than its format allows */
	VMBUS_E_MALFORMED = 3, /* a field holds an impossible value */
	VMBUS_E_UNKNOWN = 4,   /* unknown message type or operation */
	VMBUS_E_STATE = 5,     /* valid message, wrong state for it */
	VMBUS_E_NOSPACE = 6,   /* the caller's buffer or outbox is too small */
	VMBUS_E_NOTFOUND = 7,  /* no such channel, GPADL or key */
	VMBUS_E_LIMIT = 8,     /* a fixed table or bound is exhausted */
	VMBUS_E_VERSION = 9,   /* no common protocol version */
	VMBUS_E_EMPTY = 10,    /* ring: nothing to read */
	VMBUS_E_FULL = 11,     /* ring: no room now; retry after the reader frees space */
	VMBUS_E_TOOBIG = 12,   /* ring: the packet can never fit */
	VMBUS_E_CORRUPT = 13,  /* ring: the peer left invalid indices or a bad descriptor */
	VMBUS_E_EXISTS = 14,   /* duplicate id */
	VMBUS_E_INVAL = 15,    /* the local caller passed an invalid argument */
	VMBUS_E_COUNT
};

/* Name of an error code, either sign ("VMBUS_E_SHORT"); never NULL. */
const char *vmbus_strerror(int err);

#endif
