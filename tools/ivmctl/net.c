/*
 * The real transport: one TCP connection per request (the request says
 * Connection: close), in TLS for an https endpoint (tls.c), the answer
 * read through http.c's llhttp reader until the message is complete.
 * Timeouts bound every step: 10 s to connect, send or shake hands, 90 s
 * for an answer (the longest server-side wait ivmctl asks for is 25 s).
 */
#include "net.h"
#include "tls.h"

#include <errno.h>
#include <limits.h>
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

/* One connection: a socket, and a TLS session on it for https. */
struct conn {
	int fd;
	SSL *ssl;
};

static ssize_t conn_send(struct conn *c, const char *data, size_t len)
{
	if (c->ssl) {
		int n = SSL_write(c->ssl, data, len > INT_MAX ? INT_MAX : (int)len);

		return n > 0 ? n : -1;
	}
	return send(c->fd, data, len, MSG_NOSIGNAL);
}

/* Bytes read, 0 at the end (TLS: close_notify, or the TCP end without it), -1 on error. */
static ssize_t conn_recv(struct conn *c, char *buf, size_t len)
{
	if (c->ssl) {
		int n = SSL_read(c->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
		int e = n > 0 ? SSL_ERROR_NONE : SSL_get_error(c->ssl, n);

		if (n > 0)
			return n;
		if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && errno == 0))
			return 0;
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			errno = EAGAIN;   /* the socket's timeout ran out */
		else if (e != SSL_ERROR_SYSCALL)
			errno = EPROTO;
		return -1;
	}
	return recv(c->fd, buf, len, 0);
}

static int send_all(struct conn *c, const char *data, size_t len, char *err, size_t errlen)
{
	while (len > 0) {
		ssize_t n = conn_send(c, data, len);

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
static int receive(struct conn *c, struct ivm_http_reader *r, struct ivm_response *resp,
		   char *err, size_t errlen)
{
	char buf[16384];

	while (!resp->complete) {
		ssize_t n = conn_recv(c, buf, sizeof(buf));

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
	struct ivm_net *net = ctx;
	struct ivm_http_reader *r = NULL;
	struct conn c = { dial(net, err, errlen), NULL };
	int rc = -1;

	*resp = (struct ivm_response){ 0 };
	if (c.fd < 0)
		return -1;
	if (net->tls)
		rc = ivm_tls_connect(net->tls, c.fd, net->host, &c.ssl, err, errlen);
	if (!net->tls || rc == 0) {
		rc = -1;
		r = ivm_http_reader_new(resp);
		if (r == NULL)
			snprintf(err, errlen, "out of memory");
		else if (send_all(&c, request, len, err, errlen) == 0)
			rc = receive(&c, r, resp, err, errlen);
	}
	ivm_http_reader_free(r);
	if (net->tls)
		ivm_tls_done(net->tls, c.ssl, rc == 0);
	close(c.fd);
	return rc;
}
