/*
 * A partition's console: what it writes to its COM1 is gathered into
 * lines, each logged with the partition's name, so one guest's bytes never
 * interleave with another's inside a line.
 */
#include <part/partition.h>

#include <core/console.h>
#include <core/spinlock.h>

static struct spinlock console_locks[HVCFG_MAX_PARTITIONS];

void partition_console_write(struct partition *p, const char *s, uint64_t len)
{
	struct partition_console *c = &p->console;

	spin_lock(&console_locks[p->id]);
	for (uint64_t i = 0; i < len; i++) {
		char ch = s[i];

		if (ch == '\n' || c->used == sizeof(c->line) - 1) {
			c->line[c->used] = '\0';
			log_info("[%s] %s", p->cfg->name, c->line);
			c->used = 0;
		}
		if (ch != '\n' && ch != '\r')
			c->line[c->used++] = (ch >= 0x20 && ch < 0x7f) ? ch : '?';
	}
	spin_unlock(&console_locks[p->id]);
}

