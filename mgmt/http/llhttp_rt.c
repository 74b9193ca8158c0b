/*
 * The one C library function the freestanding llhttp needs besides memset:
 * abort, reached only through a parser state llhttp's generator marks
 * unreachable.  Should it ever happen, the root says so on its console and
 * stops rather than parse on from a corrupt state.
 */
#include <libc/stdlib.h>

#include <kernel/console.h>

void abort(void)
{
	kpanic("http: llhttp aborted (unreachable parser state)");
}
