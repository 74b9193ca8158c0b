/*
 * What mbedTLS needs from the root (its platform port, named in
 * mbedtls_config.h): entropy from the CPU's RDSEED, else RDRAND, as the
 * one strong source of mbedTLS's entropy pool (mbedtls_hardware_poll);
 * a seconds clock for ticket and session-cache lifetimes (uptime: the
 * root has no calendar); output and a fatal exit on the console
 * (formatting is lib/format.c's fmt_snprintf).
 */
#include "tls.h"

#include <kernel/console.h>
#include <kernel/hwrng.h>
#include <kernel/time.h>
#include <lib/format.h>
#include <lib/string.h>

#include <mbedtls/entropy.h>
#include <mbedtls/entropy_poll.h>
#include <mbedtls/platform_util.h>

const char *tls_entropy_source(void)
{
	unsigned kinds = hwrng_available();

	if (kinds & HWRNG_RDSEED)
		return "RDSEED";
	return (kinds & HWRNG_RDRAND) ? "RDRAND" : NULL;
}

/* One 64-bit word of entropy: RDSEED when it has one, else RDRAND. */
static bool entropy_word(uint64_t *w)
{
	return hwrng_rdseed64(w) || hwrng_rdrand64(w);
}

int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
	size_t done = 0;
	uint64_t w;

	(void)data;
	while (done < len && entropy_word(&w)) {
		size_t n = len - done < sizeof(w) ? len - done : sizeof(w);

		memcpy(output + done, &w, n);
		done += n;
	}
	mbedtls_platform_zeroize(&w, sizeof(w));
	*olen = done;
	return done == len ? 0 : MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
}

long long tls_port_time(long long *t)
{
	long long now = (long long)(tsc_to_ms(tsc_read()) / 1000u);

	if (t)
		*t = now;
	return now;
}

void tls_port_exit(int status)
{
	kpanic("tls: mbedTLS gave up (exit status %d)", status);
}

int tls_port_fprintf(void *stream, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	(void)stream;
	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return (int)n;
}
