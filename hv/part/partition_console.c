/*
 * A partition's console: what it writes to its COM1 is gathered into
 * lines, each logged with the partition's name, so one guest's bytes never
 * interleave with another's inside a line.  Lines are rate-limited per
 * partition (partition_console_admit), so a guest that prints in a loop
 * cannot keep hv's UART, and with it every CPU that logs, busy.
 */
#include <part/partition.h>

#include <core/console.h>
#include <core/spinlock.h>
#include <plat/reftime.h>

#define REF_PER_S 10000000ull /* reference time counts 100 ns */

static struct spinlock console_locks[HVCFG_MAX_PARTITIONS];

bool partition_console_admit(struct partition_console *c, uint64_t now)
{
	return rate_limit_admit(&c->rate, now, REF_PER_S / PARTITION_CONSOLE_PER_S,
				PARTITION_CONSOLE_BURST);
}

/* One complete line: logged if the rate allows, after a count of those dropped before. */
static void emit_line(struct partition *p, struct partition_console *c)
{
	if (!partition_console_admit(c, reftime_now()))
		return;
	if (c->rate.dropped != 0)
		log_warn("partition %s: %u console lines dropped (more than %u a second)",
			 p->cfg->name, c->rate.dropped, PARTITION_CONSOLE_PER_S);
	c->rate.dropped = 0;
	log_info("[%s] %s", p->cfg->name, c->line);
}

void partition_console_write(struct partition *p, const char *s, uint64_t len)
{
	struct partition_console *c = &p->console;

	spin_lock(&console_locks[p->id]);
	for (uint64_t i = 0; i < len; i++) {
		char ch = s[i];

		if (ch == '\n' || c->used == sizeof(c->line) - 1) {
			c->line[c->used] = '\0';
			emit_line(p, c);
			c->used = 0;
		}
		if (ch != '\n' && ch != '\r')
			c->line[c->used++] = (ch >= 0x20 && ch < 0x7f) ? ch : '?';
	}
	spin_unlock(&console_locks[p->id]);
}

