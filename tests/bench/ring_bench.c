/*
 * Ring benchmark (host, pthreads): messages/second through a vmbus/ ring
 * and, in the same run, through Concurrency Kit's SPSC ck_ring, for 64 B
 * and 1 KiB messages, with the ratio; then each ring's single-thread CPU
 * cost per message.  Figures, not pass/fail: `meson test --benchmark`.
 */

/*
 * Usage: ring_bench [messages-64B [messages-1KiB [repeats]]].  Producer
 * and consumer threads are pinned to CPUs 0 and 1 unless RING_BENCH_PIN=0.
 *
 * What is compared, so that the ratio means something:
 *  - Both rings are single-producer single-consumer, one producer and one
 *    consumer thread, the same storage (RING_BYTES), set up before the
 *    clock starts, their control structures on cache lines of their own.
 *  - The same payload traffic: the producer writes the sequence number
 *    into a message buffer and the ring copies the whole message in; the
 *    consumer gets it copied out into its own buffer and checks the
 *    sequence number (and, for ours, the length).  ck_ring holds messages
 *    by value (CK_RING_PROTOTYPE), so it copies exactly as much.
 *  - One ring call per message on each side, no batching API on either.
 *    Index publication is each ring's own design: ck_ring stores its
 *    index on every enqueue and dequeue; ours publishes the write index
 *    on every write (the signalling rule needs it) and the consumer its
 *    read index per drained batch or every COMMIT_BYTES, as Linux's
 *    hv_pkt_iter_close does.
 *  - Waiting is the same: spin with PAUSE, then sched_yield.
 *  - Signals: neither ring delivers any.  Ours still decides, per write,
 *    whether the consumer must be interrupted (full fence + header loads)
 *    and, per commit, whether the producer must be; the consumer polls as
 *    the protocol says a polling reader does: interrupt_mask set while it
 *    spins, cleared (and the ring looked at again) before it yields, where
 *    a real reader would sleep.  The counts are printed.
 *  - Our ring also pays for the protocol: a 16-byte descriptor, padding,
 *    an 8-byte trailer and checks on every index and descriptor it reads.
 */
#define _GNU_SOURCE
#include <ck_ring.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmbus_err.h"
#include "vmbus_ring.h"

#define RING_BYTES (256u * 1024u)   /* data area of both rings */
#define COMMIT_BYTES (RING_BYTES / 4u) /* our consumer publishes at least this often */
#define CACHE_LINE 64

struct msg64 {
	uint64_t seq;
	uint8_t pad[56];
};

struct msg1k {
	uint64_t seq;
	uint8_t pad[1016];
};

CK_RING_PROTOTYPE(msg64, msg64)
CK_RING_PROTOTYPE(msg1k, msg1k)

/*
 * One timed run.  Read-only while it runs except the results, which each
 * thread writes once at its end; the rings' own state lives elsewhere
 * (the ring memory, ck_ring on its own lines, each thread's struct ring
 * on its stack).
 */
struct run {
	uint32_t size;          /* message bytes: 64 or 1024 */
	uint64_t count;
	uint8_t *mem;           /* vmbus ring: header page + data area */
	struct ck_ring *ck;     /* ck ring and its buffer */
	void *ck_buf;
	uint64_t writer_signals, reader_signals, unmasks;
	uint64_t errors;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool pinning = true;   /* RING_BENCH_PIN=0 leaves placement to the scheduler */

static void pin(int cpu)
{
	cpu_set_t set;

	if (!pinning)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/*
 * Waiting for the other thread: spin briefly, then yield, so a descheduled
 * peer on a busy (or 2-core) machine gets the CPU back.  Both rings wait
 * the same way (our consumer's idle step, vmbus_idle, adds the unmask).
 */
#define SPINS 256
static inline void relax(unsigned *spins)
{
	if (++*spins < SPINS) {
		__builtin_ia32_pause();
	} else {
		*spins = 0;
		sched_yield();
	}
}

static void *vmbus_producer(void *arg)
{
	struct run *r = arg;
	uint8_t msg[1024] = { 0 };
	struct ring_sg sg = { msg, r->size };
	struct ring ring;
	unsigned spins = 0;
	uint64_t signals = 0;
	bool sig;

	pin(0);
	if (ring_attach_producer(&ring, r->mem, RING_HEADER_SIZE + RING_BYTES) != 0)
		abort();
	for (uint64_t i = 0; i < r->count; i++) {
		int rc;

		memcpy(msg, &i, sizeof(i));
		while ((rc = ring_send(&ring, RING_PKT_DATA_INBAND, 0, i, &sg, 1, &sig)) == -VMBUS_E_FULL)
			relax(&spins);
		if (rc != 0)
			abort();
		signals += sig;
	}
	r->writer_signals = signals;
	return NULL;
}

/*
 * A polling reader: interrupts masked while it spins; before it yields
 * (where a real one would sleep until signalled) it unmasks and looks
 * again, as the protocol requires.
 */
static void vmbus_idle(struct ring *ring, unsigned *spins, uint64_t *unmasks)
{
	if (++*spins < SPINS) {
		__builtin_ia32_pause();
		return;
	}
	*spins = 0;
	++*unmasks;
	if (!ring_unmask_interrupts(ring))
		sched_yield();
	ring_mask_interrupts(ring);
}

static void *vmbus_consumer(void *arg)
{
	struct run *r = arg;
	uint8_t msg[1024];
	struct ring_packet p;
	struct ring ring;
	uint64_t next = 0, errors = 0, signals = 0, unmasks = 0;
	uint32_t unpublished = 0;
	unsigned spins = 0;
	bool sig;

	pin(1);
	if (ring_attach_consumer(&ring, r->mem, RING_HEADER_SIZE + RING_BYTES) != 0)
		abort();
	ring_mask_interrupts(&ring);
	while (next < r->count) {
		int rc = ring_read(&ring, &p, msg, sizeof(msg));

		if (rc == 0) {
			uint64_t seq;

			memcpy(&seq, msg, sizeof(seq));
			errors += seq != next || p.payload_len != r->size;
			next++;
			unpublished += p.total_len;
			if (unpublished < COMMIT_BYTES)
				continue;
		} else if (rc != -VMBUS_E_EMPTY) {
			abort();
		}
		if (ring_commit(&ring, &sig) != 0)
			abort();
		signals += sig;
		unpublished = 0;
		if (rc != 0)
			vmbus_idle(&ring, &spins, &unmasks);
	}
	(void)ring_commit(&ring, &sig);
	r->reader_signals = signals;
	r->unmasks = unmasks;
	r->errors += errors;
	return NULL;
}

static void *ck_producer(void *arg)
{
	struct run *r = arg;
	struct msg1k big = { 0 };
	struct msg64 small = { 0 };
	unsigned spins = 0;

	pin(0);
	for (uint64_t i = 0; i < r->count; i++) {
		if (r->size == 64) {
			small.seq = i;
			while (!ck_ring_enqueue_spsc_msg64(r->ck, r->ck_buf, &small))
				relax(&spins);
		} else {
			big.seq = i;
			while (!ck_ring_enqueue_spsc_msg1k(r->ck, r->ck_buf, &big))
				relax(&spins);
		}
	}
	return NULL;
}

static void *ck_consumer(void *arg)
{
	struct run *r = arg;
	struct msg1k big;
	struct msg64 small;
	uint64_t next = 0, errors = 0;
	unsigned spins = 0;

	pin(1);
	while (next < r->count) {
		bool got = r->size == 64 ? ck_ring_dequeue_spsc_msg64(r->ck, r->ck_buf, &small)
					 : ck_ring_dequeue_spsc_msg1k(r->ck, r->ck_buf, &big);

		if (!got) {
			relax(&spins);
			continue;
		}
		errors += (r->size == 64 ? small.seq : big.seq) != next;
		next++;
	}
	r->errors += errors;
	return NULL;
}

static double timed(struct run *r, void *(*prod)(void *), void *(*cons)(void *))
{
	pthread_t tp, tc;
	double t0 = now();

	pthread_create(&tc, NULL, cons, r);
	pthread_create(&tp, NULL, prod, r);
	pthread_join(tp, NULL);
	pthread_join(tc, NULL);
	return (double)r->count / (now() - t0);
}

static double vmbus_rate(struct run *r)
{
	r->mem = aligned_alloc(4096, RING_HEADER_SIZE + RING_BYTES);
	if (!r->mem || ring_init_memory(r->mem, RING_HEADER_SIZE + RING_BYTES,
					RING_FEAT_PENDING_SEND_SZ) != 0)
		abort();
	memset(r->mem + RING_HEADER_SIZE, 0, RING_BYTES);   /* fault the pages in, as ck's */
	double rate = timed(r, vmbus_producer, vmbus_consumer);

	free(r->mem);
	return rate;
}

static double ck_rate(struct run *r)
{
	unsigned int entries = RING_BYTES / r->size;   /* the same bytes of storage */

	r->ck_buf = aligned_alloc(4096, RING_BYTES);
	/* ck_ring pads its consumer and producer indices apart: align it so they are. */
	r->ck = aligned_alloc(CACHE_LINE, (sizeof(struct ck_ring) + CACHE_LINE - 1) &
				      ~(size_t)(CACHE_LINE - 1));
	if (!r->ck_buf || !r->ck)
		abort();
	memset(r->ck_buf, 0, RING_BYTES);
	ck_ring_init(r->ck, entries);
	double rate = timed(r, ck_producer, ck_consumer);

	free(r->ck);
	free(r->ck_buf);
	return rate;
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * CPU cost per message with no second thread: write a batch, read it
 * back, in one thread.  CPU time, so it means something on a busy host.
 */
#define BATCH 64
static double vmbus_cost(uint32_t size, uint64_t count)
{
	uint8_t *mem = aligned_alloc(4096, RING_HEADER_SIZE + RING_BYTES);
	uint8_t msg[1024] = { 0 }, out[1024];
	struct ring_sg sg = { msg, size };
	struct ring prod, cons;
	struct ring_packet p;
	bool sig;

	if (!mem || ring_init_memory(mem, RING_HEADER_SIZE + RING_BYTES, RING_FEAT_PENDING_SEND_SZ) ||
	    ring_attach_producer(&prod, mem, RING_HEADER_SIZE + RING_BYTES) ||
	    ring_attach_consumer(&cons, mem, RING_HEADER_SIZE + RING_BYTES))
		abort();
	double t0 = cpu_now();

	for (uint64_t i = 0; i < count; i += BATCH) {
		for (int j = 0; j < BATCH; j++)
			if (ring_send(&prod, RING_PKT_DATA_INBAND, 0, i, &sg, 1, &sig) != 0)
				abort();
		for (int j = 0; j < BATCH; j++)
			if (ring_read(&cons, &p, out, sizeof(out)) != 0)
				abort();
		(void)ring_commit(&cons, &sig);
	}
	double t = cpu_now() - t0;

	free(mem);
	return t * 1e9 / (double)count;
}

static double ck_cost(uint32_t size, uint64_t count)
{
	void *buf = aligned_alloc(64, RING_BYTES);
	struct msg1k big = { 0 };
	struct msg64 small = { 0 };
	struct ck_ring ck;

	if (!buf)
		abort();
	ck_ring_init(&ck, RING_BYTES / size);
	double t0 = cpu_now();

	for (uint64_t i = 0; i < count; i += BATCH) {
		for (int j = 0; j < BATCH; j++)
			if (!(size == 64 ? ck_ring_enqueue_spsc_msg64(&ck, buf, &small)
					 : ck_ring_enqueue_spsc_msg1k(&ck, buf, &big)))
				abort();
		for (int j = 0; j < BATCH; j++)
			if (!(size == 64 ? ck_ring_dequeue_spsc_msg64(&ck, buf, &small)
					 : ck_ring_dequeue_spsc_msg1k(&ck, buf, &big)))
				abort();
	}
	double t = cpu_now() - t0;

	free(buf);
	return t * 1e9 / (double)count;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static int bench(uint32_t size, uint64_t count, int repeats)
{
	double ours[16], theirs[16];
	struct run r;

	memset(&r, 0, sizeof(r));
	for (int i = 0; i < repeats; i++) {
		r.size = size;
		r.count = count;
		r.writer_signals = r.reader_signals = r.unmasks = 0;
		ours[i] = vmbus_rate(&r);
		theirs[i] = ck_rate(&r);
	}
	double a = median(ours, repeats), b = median(theirs, repeats);

	/*
	 * Signals (decided, not delivered): writes that found the consumer
	 * idle on an empty ring with interrupts unmasked, and commits that
	 * would wake a producer waiting for space.  Unmasks: how often the
	 * consumer ran dry long enough to stop polling.
	 */
	printf("%5u B  vmbus ring %8.2f Mmsg/s  ck_ring %8.2f Mmsg/s  ratio %.2f"
	       "  (median of %d; last run: %.2f%% of writes signalled, %llu reader signals,"
	       " %llu unmasks)\n",
	       size, a / 1e6, b / 1e6, a / b, repeats,
	       100.0 * (double)r.writer_signals / (double)count,
	       (unsigned long long)r.reader_signals, (unsigned long long)r.unmasks);
	a = vmbus_cost(size, count);
	b = ck_cost(size, count);
	printf("%5u B  one thread, CPU ns/msg: vmbus ring %6.1f  ck_ring %6.1f  ratio %.2f\n",
	       size, a, b, b / a);
	if (r.errors) {
		printf("ERROR: %llu messages out of order or damaged\n", (unsigned long long)r.errors);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t n64 = argc > 1 ? strtoull(argv[1], NULL, 0) : 10000000;
	uint64_t n1k = argc > 2 ? strtoull(argv[2], NULL, 0) : 2000000;
	int repeats = argc > 3 ? atoi(argv[3]) : 3;

	if (repeats < 1 || repeats > 16)
		repeats = 3;
	pinning = !getenv("RING_BENCH_PIN") || strcmp(getenv("RING_BENCH_PIN"), "0") != 0;
	char load[64] = "?";
	FILE *f = fopen("/proc/loadavg", "r");

	/* The figures mean little on a busy machine: say how busy it was. */
	if (f) {
		if (!fgets(load, sizeof(load), f))
			strcpy(load, "?");
		load[strcspn(load, "\n")] = '\0';
		fclose(f);
	}
	printf("ring_bench: %u KiB rings, %s, %ld CPUs, load %s\n", RING_BYTES / 1024,
	       pinning ? "producer on CPU 0, consumer on CPU 1" : "threads not pinned",
	       sysconf(_SC_NPROCESSORS_ONLN), load);
	return bench(64, n64, repeats) | bench(1024, n1k, repeats);
}
