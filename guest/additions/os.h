/*
 * What the guest additions need from the operating system they run in.
 * The additions (additions.c) are portable C on top of vmbus/; a guest
 * kernel implements these calls (testos: guest/testos/additions_os.c).
 * All calls are made from one thread (the OS's poll loop); none from an
 * interrupt handler.
 */
#ifndef ADDITIONS_OS_H
#define ADDITIONS_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Platform ---- */

/* n zeroed, page-aligned 4 KiB pages that stay allocated; NULL when out of memory. */
void *os_alloc_pages(size_t n);
/* Guest-physical address of p (inside memory from os_alloc_pages or static data). */
uint64_t os_gpa(const void *p);
/* Monotonic milliseconds since boot. */
uint64_t os_time_ms(void);
/* One log line (a newline is added). */
void os_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- SynIC (vCPU 0) ---- */

/* Enables SCONTROL, SIMP, SIEFP and routes sint (auto-EOI). */
bool os_synic_init(uint8_t sint);
/* Copies the message in sint's SIMP slot (256 bytes) into buf; false if the slot is empty. */
bool os_synic_peek(uint8_t sint, void *buf);
/* Frees sint's slot, writing EOM if more messages are pending. */
void os_synic_done(uint8_t sint);
/* Tests and clears event flag n of sint. */
bool os_synic_event(uint8_t sint, uint32_t n);
/* HvPostMessage / HvSignalEvent: the HV_STATUS (0 = success). */
uint16_t os_post_message(uint32_t conn_id, uint32_t type, const void *payload, uint32_t len);
uint16_t os_signal_event(uint32_t conn_id);
/* HvSignalEvent naming flag number `flag` of the connection (os_signal_event names 0). */
uint16_t os_signal_event_flag(uint32_t conn_id, uint16_t flag);

/* ---- The guest's state, as the integration services see it ---- */

const char *os_computer_name(void);
const char *os_name(void);            /* "testos" */
const char *os_version(void);
/*
 * What Windows reports besides (its OSVERSIONINFOEX), as KVP keys of the
 * same names after the ten Linux ones; NULL for an OS without it.
 */
struct os_version_ex {
	const char *csd_version;
	uint32_t sp_major, sp_minor, suite_mask, product_type, platform_id;
};
const struct os_version_ex *os_version_ex(void);

/* Shutdown: IC status for the request (0 = will do); os_shutdown_do after the answer is sent. */
uint32_t os_shutdown_check(uint32_t action, bool force);
void os_shutdown_do(uint32_t action);

/*
 * Wall clock in 100 ns units since 1601, as the host read it at reference
 * time ref_time (0: unknown, before TimeSync 4.0); step: SYNC, else a
 * SAMPLE to adjust towards.
 */
void os_clock_set(uint64_t time100ns, uint64_t ref_time, bool step);

/* Sessions. */
struct os_user {
	uint32_t session_id;
	uint16_t flags;        /* IC_SESSIONS_USER_* */
	const char *name;
};
/* Fills up to max users; returns how many there are in total. */
uint32_t os_users(struct os_user *users, uint32_t max);
bool os_locked(void);
/* Logs off session_id (or all: 0xFFFFFFFF); returns the IC status and *count logged off. */
uint32_t os_logoff(uint32_t session_id, bool force, uint32_t *count);

/* Exec: runs a command line; returns false when there is no such command. */
bool os_exec(const char *cmd, uint32_t len, int32_t *exit_status, char *out, uint32_t cap,
	     uint32_t *out_len);

#endif
