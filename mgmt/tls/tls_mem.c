/*
 * The TLS arena (tls.h) and lwIP's altcp_tls memory porting layer
 * (altcp_tls_mbedtls_mem.h, whose functions this file provides in place
 * of lwIP's example, which would put mbedTLS on lwIP's own heap).  Every
 * allocation of mbedTLS and of lwIP's TLS layer comes from mbedTLS's
 * buffer allocator over one static arena: TLS cannot starve TCP's send
 * buffers (lwIP's heap) or the other way round, and the arena's use is
 * what /metrics reports as the TLS heap.
 */
#include "tls.h"

#include <lwip/opt.h>

#include "altcp_tls_mbedtls_mem.h"

#include <mbedtls/memory_buffer_alloc.h>
#include <mbedtls/platform.h>

static unsigned char arena[TLS_HEAP_SIZE] __attribute__((aligned(16)));
static bool arena_ready;

void tls_heap_init(void)
{
	if (!arena_ready) {
		mbedtls_memory_buffer_alloc_init(arena, sizeof(arena));
		arena_ready = true;
	}
}

void altcp_mbedtls_mem_init(void)
{
	tls_heap_init();
}

altcp_mbedtls_state_t *altcp_mbedtls_alloc(void *conf)
{
	altcp_mbedtls_state_t *s = mbedtls_calloc(1, sizeof(*s));

	if (s)
		s->conf = conf;
	return s;
}

void altcp_mbedtls_free(void *conf, altcp_mbedtls_state_t *state)
{
	(void)conf;
	mbedtls_free(state);
}

void *altcp_mbedtls_alloc_config(size_t size)
{
	return mbedtls_calloc(1, size);
}

void altcp_mbedtls_free_config(void *item)
{
	mbedtls_free(item);
}

void tls_heap_use(struct tls_heap_use *out)
{
	size_t used = 0, blocks = 0, peak = 0, peak_blocks = 0;

	if (arena_ready) {
		mbedtls_memory_buffer_alloc_cur_get(&used, &blocks);
		mbedtls_memory_buffer_alloc_max_get(&peak, &peak_blocks);
	}
	*out = (struct tls_heap_use){ used, peak, blocks, sizeof(arena) };
}
