/*
 * mgmt/tls: what the root's TLS needs besides mbedTLS and lwIP's
 * altcp_tls layer.  The mbedTLS port (tls_port.c: entropy from RDSEED or
 * RDRAND, a seconds clock, console output), the arena every TLS
 * allocation comes from (tls_mem.c) and the handshake budget
 * (tls_budget.c), which keeps TLS handshakes from taking more than a
 * fixed share of the root's time.  mgmt/http/http_tls.c builds the
 * server on these.
 */
#ifndef MGMT_TLS_H
#define MGMT_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether HTTPS is being served (http_tls_start succeeded). */
bool tls_serving(void);
void tls_set_serving(void);

/* "RDSEED" or "RDRAND", whichever the CPU offers (RDSEED first); NULL: neither. */
const char *tls_entropy_source(void);

/*
 * The TLS arena: TLS_HEAP_SIZE bytes in the root's .bss, handed to
 * mbedTLS's buffer allocator on first use.  Connections, handshakes,
 * certificates and the session cache all live in it, so a full arena
 * refuses new TLS connections and touches nothing else.
 */
#define TLS_HEAP_SIZE (4u * 1024u * 1024u)
/* Hands the arena to mbedTLS (once; later calls do nothing). */
void tls_heap_init(void);
struct tls_heap_use {
	size_t used;      /* bytes allocated now, with the allocator's headers */
	size_t peak;      /* the most ever allocated at once */
	size_t blocks;    /* allocations now */
	size_t size;      /* TLS_HEAP_SIZE */
};
void tls_heap_use(struct tls_heap_use *out);

/*
 * The handshake budget (tls_budget.h): TLS handshakes may take at most
 * half of the root's time over any stretch, beyond a burst of one second;
 * a ClientHello that arrives while it is spent waits (tls_handshake.c)
 * until the budget has refilled, so a flood of handshakes slows itself,
 * never the root's poll loop (the guests' bus service, plain HTTP, the
 * handshakes already begun).  docs/http.md gives what that means in
 * handshakes per second.
 */
#define TLS_HANDSHAKE_SHARE_PERMILLE 500u
#define TLS_HANDSHAKE_BURST_MS 1000u
struct tls_handshake_stats {
	uint64_t completed;   /* handshakes that ended in an established session */
	uint64_t failed;      /* ended with an error (bad client, alert, wrong certificate) */
	uint64_t waits;       /* times a ClientHello was made to wait for the budget */
	uint64_t expired;     /* connections cut because their handshake took too long */
	uint64_t cpu_us;      /* time spent in handshake steps */
};
/* Puts the budget's gate on a new TLS connection (before its first byte). */
struct altcp_pcb;
void tls_handshake_gate(struct altcp_pcb *tls_pcb);
/* Its ClientHello is waiting for the budget (the handshake has not begun). */
bool tls_handshake_waiting(struct altcp_pcb *tls_pcb);
/* Counts a connection the transport cut for a handshake not done in time. */
void tls_handshake_expired(void);
void tls_handshake_stats(struct tls_handshake_stats *out);

#endif
