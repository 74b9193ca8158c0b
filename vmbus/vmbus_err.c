/*
 * Names of the vmbus/ error codes, for log lines.
 */
#include "vmbus_err.h"

static const char *const names[VMBUS_E_COUNT] = {
	[VMBUS_OK] = "VMBUS_OK",
	[VMBUS_E_SHORT] = "VMBUS_E_SHORT",
	[VMBUS_E_OVERSIZE] = "VMBUS_E_OVERSIZE",
	[VMBUS_E_MALFORMED] = "VMBUS_E_MALFORMED",
	[VMBUS_E_UNKNOWN] = "VMBUS_E_UNKNOWN",
	[VMBUS_E_STATE] = "VMBUS_E_STATE",
	[VMBUS_E_NOSPACE] = "VMBUS_E_NOSPACE",
	[VMBUS_E_NOTFOUND] = "VMBUS_E_NOTFOUND",
	[VMBUS_E_LIMIT] = "VMBUS_E_LIMIT",
	[VMBUS_E_VERSION] = "VMBUS_E_VERSION",
	[VMBUS_E_EMPTY] = "VMBUS_E_EMPTY",
	[VMBUS_E_FULL] = "VMBUS_E_FULL",
	[VMBUS_E_TOOBIG] = "VMBUS_E_TOOBIG",
	[VMBUS_E_CORRUPT] = "VMBUS_E_CORRUPT",
	[VMBUS_E_EXISTS] = "VMBUS_E_EXISTS",
	[VMBUS_E_INVAL] = "VMBUS_E_INVAL",
};

const char *vmbus_strerror(int err)
{
	unsigned int e = err < 0 ? (unsigned int)-err : (unsigned int)err;

	if (e >= VMBUS_E_COUNT)
		return "VMBUS_E_?";
	return names[e];
}
