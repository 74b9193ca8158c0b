/*
 * Exec: our own IC service (GUID vmbus_guid_exec, version 1.0, IC
 * framing) that runs a command in the guest and returns its exit status
 * and a bounded piece of its output.  Bodies defined here and in
 * docs/bus.md.
 */
#ifndef VMBUS_EXEC_H
#define VMBUS_EXEC_H

#include <stdint.h>

#include "vmbus_ic.h"

#define IC_EXEC_MAX_COMMAND 1024u
#define IC_EXEC_MAX_OUTPUT 4096u

/* Answer flags. */
#define IC_EXEC_TRUNCATED 0x1u   /* more output than max_output */
#define IC_EXEC_TIMED_OUT 0x2u   /* killed after timeout_ms */
#define IC_EXEC_NOT_FOUND 0x4u   /* no such command (exit_status meaningless) */

/* Request body (host -> guest): this header, then command_len bytes of UTF-8. */
struct ic_exec_request {
	uint32_t timeout_ms;     /* 0: the guest's default */
	uint32_t max_output;     /* at most IC_EXEC_MAX_OUTPUT */
	uint16_t command_len;    /* 1..IC_EXEC_MAX_COMMAND, no NUL inside */
	uint16_t flags;          /* none defined: 0 */
	uint32_t reserved;
} __attribute__((packed));

/* Answer body (guest -> host): this header, then output_len bytes of output. */
struct ic_exec_answer {
	int32_t exit_status;
	uint32_t flags;          /* IC_EXEC_* */
	uint32_t output_len;     /* at most the request's max_output */
	uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct ic_exec_request) == 16, "exec request");
_Static_assert(sizeof(struct ic_exec_answer) == 16, "exec answer");

struct ic_exec_req {
	uint32_t timeout_ms;
	uint32_t max_output;
	const char *command;     /* into the message, not terminated */
	uint32_t command_len;
};

struct ic_exec_result {
	int32_t exit_status;
	uint32_t flags;
	const uint8_t *output;   /* into the message */
	uint32_t output_len;
};

int ic_exec_build_request(void *buf, size_t cap, const struct ic_hdr_info *h,
			  const char *command, uint32_t timeout_ms, uint32_t max_output);
int ic_exec_parse_request(const struct ic_msg *m, struct ic_exec_req *out);

/*
 * Guest: the answer to req in buf (a different buffer from req's: the
 * answer is usually longer).  Output beyond the request's max_output is
 * cut and IC_EXEC_TRUNCATED set.
 */
int ic_exec_build_answer(void *buf, size_t cap, const struct ic_msg *req, uint32_t status,
			 int32_t exit_status, uint32_t flags, const void *output, uint32_t output_len);

int ic_exec_parse_answer(const struct ic_msg *m, struct ic_exec_result *out);

#endif
