/*
 * The real transport: one TCP connection per request (the request says
 * Connection: close), the answer read through http.c's llhttp reader
 * until the message is complete.  Timeouts bound every step: 10 s to
 * connect or send, 90 s for an answer (the longest server-side wait
 * ivmctl asks for is 25 s).
 */
#include "net.h"

#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_S 10
#define ANSWER_TIMEOUT_S 90

static void set_timeout(int fd, int option, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	setsockopt(fd, SOL_SOCKET, option, &tv, sizeof(tv));
}

/* A connected socket, or -1 with the reason in err. */
static int dial(const struct ivm_net *net, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *list, *a;
	int fd = -1, rc = getaddrinfo(net->host, net->port, &hints, &list);

	if (rc != 0) {
		snprintf(err, errlen, "cannot resolve %s: %s", net->host, gai_strerror(rc));
		return -1;
	}
	snprintf(err, errlen, "cannot connect");
	for (a = list; a != NULL && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		/* On Linux the send timeout bounds connect() too. */
		set_timeout(fd, SO_SNDTIMEO, CONNECT_TIMEOUT_S);
		set_timeout(fd, SO_RCVTIMEO, ANSWER_TIMEOUT_S);
		if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
			snprintf(err, errlen, "cannot connect: %s",
				 errno == EINPROGRESS ? "timed out" : strerror(errno));
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(list);
	return fd;
}

static int send_all(int fd, const char *data, size_t len, char *err, size_t errlen)
{
	while (len > 0) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "sending the request: %s", strerror(errno));
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads until the answer is complete; -1 with the reason otherwise. */
static int receive(int fd, struct ivm_http_reader *r, struct ivm_response *resp, char *err,
		   size_t errlen)
{
	char buf[16384];

	while (!resp->complete) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s", errno == EAGAIN || errno == EWOULDBLOCK ?
				 "no answer within 90 s" : strerror(errno));
			return -1;
		}
		if (n == 0) {
			if (ivm_http_reader_eof(r) == 0)
				return 0;
			snprintf(err, errlen, "the server closed the connection before its answer was complete");
			return -1;
		}
		if (ivm_http_reader_feed(r, buf, (size_t)n) != 0) {
			snprintf(err, errlen, "the server's answer is not valid HTTP/1.1");
			return -1;
		}
	}
	return 0;
}

int ivm_net_exchange(void *ctx, const char *request, size_t len, struct ivm_response *resp,
		     char *err, size_t errlen)
{
	struct ivm_http_reader *r;
	int fd = dial(ctx, err, errlen), rc = -1;

	*resp = (struct ivm_response){ 0 };
	if (fd < 0)
		return -1;
	r = ivm_http_reader_new(resp);
	if (r == NULL)
		snprintf(err, errlen, "out of memory");
	else if (send_all(fd, request, len, err, errlen) == 0)
		rc = receive(fd, r, resp, err, errlen);
	ivm_http_reader_free(r);
	close(fd);
	return rc;
}
