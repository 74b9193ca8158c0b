/*
 * net_hello: a diagnostic TCP service on the management port instead of
 * the API (serve hook), for testing the network without HTTP.  Every
 * connection to the port gets "hvroot hello\n" and is closed (lwIP sends
 * the FIN after the queued text); what the client sends is discarded by
 * lwIP's default receive handler.  Logs "root: net: hello listening on
 * port N", or a console line when it cannot listen.
 */
#include "knobs.h"

#include "lwip/ip_addr.h"
#include "lwip/tcp.h"

#include <kernel/cmdline.h>
#include <kernel/console.h>

static const char hello_text[] = "hvroot hello\n";
static unsigned long hello_count;

static err_t hello_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	char peer[IP4ADDR_STRLEN_MAX];

	(void)arg;
	if (err != ERR_OK || pcb == NULL)
		return ERR_VAL;
	ip4addr_ntoa_r(ip_2_ip4(&pcb->remote_ip), peer, sizeof(peer));
	if (tcp_write(pcb, hello_text, sizeof(hello_text) - 1, 0) != ERR_OK ||
	    tcp_close(pcb) != ERR_OK) {
		kprintf("root: net: hello to %s:%u failed (out of memory)\n", peer, pcb->remote_port);
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	kprintf("root: net: hello %lu sent to %s:%u\n", ++hello_count, peer, pcb->remote_port);
	return ERR_OK;
}

static bool net_hello_start(uint16_t port)
{
	struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4), *listener;

	if (pcb == NULL) {
		kputs("root: net: hello: no TCP PCB\n");
		return false;
	}
	if (tcp_bind(pcb, IP4_ADDR_ANY, port) != ERR_OK) {
		kprintf("root: net: hello: port %u is taken\n", port);
		tcp_close(pcb);
		return false;
	}
	listener = tcp_listen(pcb);
	if (listener == NULL) {
		kputs("root: net: hello: listen failed\n");
		tcp_close(pcb);
		return false;
	}
	tcp_accept(listener, hello_accept);
	kprintf("root: net: hello listening on port %u\n", port);
	return true;
}

/* Whether it could listen or not, the port is the knob's: the API is not served. */
static bool net_hello_serve(const struct knob_env *env, uint16_t port)
{
	if (!cmdline_has(env->cmdline, "net_hello"))
		return false;
	net_hello_start(port);
	return true;
}

static const struct root_knob net_hello_knob = { .name = "net_hello", .serve = net_hello_serve };
ROOT_KNOB(net_hello_knob, 60);
