/*
 * The root's integration-service layer (mgmt/bus/bus_ic.c) on a fake bus
 * and a fake clock: the test plays the guest.  What it pins down is when
 * the root gives up on a guest: an unanswered NEGOTIATE is waited for (one
 * line after 10 s, the channel stays open, a late answer makes the
 * service ready), an unanswered request after it closes the channel.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <string.h>

#include <bus/bus_int.h>
#include <bus/guestos_bus.h>
#include "../../vmbus/vmbus_ic.h"
#include "../../vmbus/vmbus_ic_util.h"

#define G 2u

struct bus_guest {
	struct bus_chan chan[BUS_SERVICES + 1];
};

static struct bus_guest guest;
static uint64_t now = 1000;
static uint8_t sent[IC_MSG_MAX];
static uint32_t sent_len, sent_count;
static char failed[96];
static unsigned ready_count;
static char log_text[4096];

/* ---- the fake bus, clock and console ---- */

int bus_send(struct bus_guest *g, uint32_t relid, const void *buf, uint32_t len)
{
	(void)g;
	(void)relid;
	assert_true(len <= sizeof(sent));
	memcpy(sent, buf, len);
	sent_len = len;
	sent_count++;
	return 0;
}

void bus_chan_fail(struct bus_guest *g, uint32_t relid, const char *reason)
{
	(void)g;
	(void)relid;
	snprintf(failed, sizeof(failed), "%s", reason);
}

const char *bus_guest_name(const struct bus_guest *g) { (void)g; return "g2"; }
uint32_t bus_guest_id(const struct bus_guest *g) { (void)g; return G; }
struct bus_guest *bus_guest_by_id(uint32_t id) { return id == G ? &guest : NULL; }
bool bus_guest_may_log(struct bus_guest *g) { (void)g; return true; }
uint64_t bus_now_ms(void) { return now; }
uint64_t tsc_read(void) { return now * 1000; }
unsigned int reftime_read_msr(uint64_t *value) { *value = now * 10000; return 0; }

struct bus_chan *bus_chan_of(struct bus_guest *g, uint32_t relid)
{
	return relid >= 1 && relid <= BUS_SERVICES ? &g->chan[relid] : NULL;
}

size_t kprintf(const char *fmt, ...)
{
	size_t used = strlen(log_text);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(log_text + used, sizeof(log_text) - used, fmt, ap);
	va_end(ap);
	return n < 0 ? 0 : (size_t)n;
}

/* ---- guestos, which owns the answers on KVP ---- */

void guestos_channel_ready(uint32_t id, uint32_t relid) { (void)id; (void)relid; ready_count++; }
void guestos_channel_down(uint32_t id, uint32_t relid) { (void)id; (void)relid; }
bool guestos_time_sync_enabled(uint32_t id) { (void)id; return false; }

const char *guestos_answer(uint32_t id, uint32_t relid, const struct ic_msg *m)
{
	(void)id;
	(void)relid;
	(void)m;
	return NULL;
}

/* ---- helpers ---- */

static int setup(void **state)
{
	(void)state;
	memset(&guest, 0, sizeof(guest));
	now = 1000;
	sent_len = sent_count = 0;
	failed[0] = '\0';
	ready_count = 0;
	log_text[0] = '\0';
	guest.chan[BUS_KVP].open = true;
	bus_ic_opened(&guest, BUS_KVP);
	assert_int_equal(sent_count, 1);
	return 0;
}

/* Lets ms pass in 500 ms ticks, as the root's poll loop would. */
static void run_for(uint64_t ms)
{
	for (uint64_t t = 0; t < ms; t += 500) {
		now += 500;
		bus_ic_tick(&guest, BUS_KVP);
	}
}

/* The guest answers the last NEGOTIATE with the versions Linux's KVP driver knows. */
static void answer_negotiate(void)
{
	static const struct ic_version fw[] = { { 3, 0 } };
	static const struct ic_version srv[] = { { 4, 0 }, { 5, 0 } };
	struct ic_version fw_out, srv_out;
	uint8_t pkt[IC_MSG_MAX];
	bool matched;
	int len;

	memcpy(pkt, sent, sent_len);
	len = ic_negotiate_answer(pkt, sent_len, sizeof(pkt), fw, 1, srv, 2, &fw_out, &srv_out,
				  &matched);
	assert_true(len > 0);
	assert_true(matched);
	bus_ic_packet(&guest, BUS_KVP, pkt, (uint32_t)len);
}

/* ---- tests ---- */

/* A KVP service that starts a minute late (hv_kvp_daemon) is waited for. */
static void test_negotiate_is_waited_for(void **state)
{
	(void)state;
	run_for(9500);
	assert_null(strstr(log_text, "NEGOTIATE"));
	run_for(1000);
	assert_non_null(strstr(log_text, "root: bus g2: kvp: no answer to NEGOTIATE in 10 s; "
					 "waiting for the guest's service\n"));
	run_for(60000);
	assert_string_equal(failed, "");
	assert_true(guest.chan[BUS_KVP].open);
	/* one line, not one per tick */
	assert_null(strstr(strstr(log_text, "NEGOTIATE") + 1, "NEGOTIATE"));
	assert_int_equal(ready_count, 0);
	assert_false(bus_ic_ready_since(G, BUS_KVP, &now));
	answer_negotiate();
	assert_int_equal(ready_count, 1);
	assert_non_null(strstr(log_text, "root: bus g2: kvp ready (framework 3.0, service"));
}

/* After NEGOTIATE, a request the guest leaves unanswered closes the channel in 10 s. */
static void test_request_times_out(void **state)
{
	struct ic_hdr_info h;
	uint8_t req[IC_MSG_MAX];
	int len;

	(void)state;
	answer_negotiate();
	assert_true(bus_ic_request_hdr(G, BUS_KVP, &h));
	len = ic_heartbeat_build(req, sizeof(req), &h, 2); /* any body: only the timing matters */
	assert_true(len > 0);
	assert_int_equal(bus_ic_send(G, BUS_KVP, req, (uint32_t)len, h.trans_id), 0);
	run_for(9500);
	assert_string_equal(failed, "");
	run_for(1000);
	assert_string_equal(failed, "no answer to a kvp request in 10 s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_negotiate_is_waited_for, setup),
		cmocka_unit_test_setup(test_request_times_out, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
