/*
 * listen_backlog.so: preloaded into QEMU by the API benchmark
 * (tests/system/bench_api.py).  QEMU's user networking (libslirp) opens
 * each hostfwd listener with a backlog of 1, so when wrk opens 64
 * connections at once the host kernel drops most of the handshakes and the
 * clients retry after 1, 2, 4 ... seconds: seconds of latency that belong
 * to the emulator's host side, not to the root's TCP/IP stack.  This shim
 * raises every listen() backlog to at least LISTEN_BACKLOG_MIN; nothing
 * else changes.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>

#define LISTEN_BACKLOG_MIN 256

typedef int (*listen_fn)(int, int);

int listen(int fd, int backlog)
{
	static listen_fn real_listen;

	if (!real_listen)
		real_listen = (listen_fn)dlsym(RTLD_NEXT, "listen");
	if (!real_listen) {
		errno = ENOSYS;
		return -1;
	}
	return real_listen(fd, backlog < LISTEN_BACKLOG_MIN ? LISTEN_BACKLOG_MIN : backlog);
}
