/*
 * hb_stats=<n> (1-1000): keeps the round trip of each guest's last n
 * heartbeats (request sent -> answer parsed, timed by the bus with the
 * TSC) and every n answers logs their median and 99th percentile:
 *   root: bus: <guest>: heartbeat round trip p50 <x> us p99 <y> us (n=<n>)
 * scripts/bench --bus reads that line.
 */
#include "knobs.h"

#include <bus/bus.h>
#include <events/events.h>

#include <kernel/cmdline.h>
#include <kernel/console.h>
#include <kernel/time.h>
#include <lib/string.h>

#define HB_STATS_MAX 1000u

static uint32_t hb_stats;
/* Per guest id: the last hb_stats round trips in microseconds, a ring. */
static struct hb_rtt {
	uint32_t us[HB_STATS_MAX];
	uint32_t pos, fill, since_log;
} hb_rtt[HV_MAX_PARTITIONS];

/* Shell sort of a few hundred samples, no allocation. */
static void sort_u32(uint32_t *a, uint32_t n)
{
	for (uint32_t gap = n / 2; gap > 0; gap /= 2) {
		for (uint32_t i = gap; i < n; i++) {
			uint32_t x = a[i], j = i;

			for (; j >= gap && a[j - gap] > x; j -= gap)
				a[j] = a[j - gap];
			a[j] = x;
		}
	}
}

/* Nearest-rank percentile of sorted a[0..n): the smallest value with pct% at or below it. */
static uint32_t percentile(const uint32_t *a, uint32_t n, uint32_t pct)
{
	uint32_t rank = (n * pct + 99) / 100;

	return a[rank == 0 ? 0 : rank - 1];
}

/* One answered heartbeat (the bus's watcher): keep its round trip, log every hb_stats answers. */
static void hb_rtt_record(uint32_t id, uint64_t round_trip_tsc)
{
	static uint32_t sorted[HB_STATS_MAX];
	struct hb_rtt *h = &hb_rtt[id % HV_MAX_PARTITIONS];
	uint64_t per_ms = tsc_hz() / 1000;

	if (per_ms == 0)
		return;
	h->us[h->pos] = (uint32_t)(round_trip_tsc * 1000 / per_ms);
	h->pos = (h->pos + 1) % hb_stats;
	if (h->fill < hb_stats)
		h->fill++;
	if (++h->since_log < hb_stats)
		return;
	h->since_log = 0;
	memcpy(sorted, h->us, h->fill * sizeof(sorted[0]));
	sort_u32(sorted, h->fill);
	kprintf("root: bus: %s: heartbeat round trip p50 %u us p99 %u us (n=%u)\n",
		events_name(id), percentile(sorted, h->fill, 50), percentile(sorted, h->fill, 99),
		h->fill);
}

static void hb_stats_configure(const struct knob_env *env)
{
	struct cmdline_word w;
	uint64_t v;

	if (!cmdline_find(env->cmdline, "hb_stats", &w))
		return;
	if (w.value && cmdline_parse_u64(w.value, w.value_len, 10, &v) && v >= 1 &&
	    v <= HB_STATS_MAX) {
		hb_stats = (uint32_t)v;
		bus_ic_watch_heartbeats(hb_rtt_record);
	} else {
		kprintf("root: bus: hb_stats wants 1..%u samples, off\n", HB_STATS_MAX);
	}
}

static const struct root_knob hb_stats_knob = { .name = "hb_stats", .configure = hb_stats_configure };
ROOT_KNOB(hb_stats_knob, 31);
