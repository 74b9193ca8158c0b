/*
 * Unit tests of the 16550A model (hv/plat/uart16550.c).  The probe tests
 * replay, register access by register access, what Linux 6.1's 8250
 * driver does (drivers/tty/serial/8250/8250_port.c: autoconfig(),
 * autoconfig_16550a(), size_fifo(), the THRE and TXEN checks of
 * serial8250_do_startup()) and check that it would settle on a 16550A
 * with no bug workarounds.  Register values are the PC16550D data
 * sheet's, as literals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "plat/uart16550.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum { RBR, IER, IIR, LCR, MCR, LSR, MSR, SCR };
#define FCR IIR
#define THR RBR

static uint8_t in(struct uart_port *u, uint8_t offset)
{
	return uart_port_read(u, offset);
}

/* A write that must not put a byte on the line. */
static void out(struct uart_port *u, uint8_t offset, uint8_t value)
{
	uint8_t tx = 0;

	assert_false(uart_port_write(u, offset, value, &tx));
}

/* ---- Linux's probe, replayed ----------------------------------------------- */

enum port_type {
	PORT_NONE, PORT_8250, PORT_16450, PORT_UNKNOWN, PORT_16550, PORT_16550A,
	PORT_16650, PORT_16650V2, PORT_NS16550A, PORT_16750, PORT_XSCALE, PORT_U6_16550A,
};

/* size_fifo(): loopback at the top speed, 256 bytes out, count what came back. */
static int size_fifo(struct uart_port *u)
{
	uint8_t old_lcr = in(u, LCR), old_fcr, old_mcr, old_dll, old_dlm;
	int count;

	out(u, LCR, 0);
	old_fcr = in(u, FCR); /* reads IIR, as Linux does */
	old_mcr = in(u, MCR);
	out(u, FCR, 0x07);
	out(u, MCR, 0x10);
	out(u, LCR, 0x80);
	old_dll = in(u, RBR);
	old_dlm = in(u, IER);
	out(u, RBR, 1);
	out(u, IER, 0);
	out(u, LCR, 0x03);
	for (count = 0; count < 256; count++)
		out(u, THR, (uint8_t)count); /* looped back, never on the line */
	for (count = 0; (in(u, LSR) & 0x01) && count < 256; count++)
		in(u, RBR);
	out(u, FCR, old_fcr);
	out(u, MCR, old_mcr);
	out(u, LCR, 0x80);
	out(u, RBR, old_dll);
	out(u, IER, old_dlm);
	out(u, LCR, old_lcr);
	return count;
}

/* The NatSemi test: does LCR 0xe0 show MCR's LOOP bit at offset 2? */
static bool natsemi(struct uart_port *u)
{
	uint8_t mcr, excr1;

	out(u, LCR, 0);
	mcr = in(u, MCR);
	out(u, LCR, 0xe0);
	excr1 = in(u, 2);
	if ((excr1 ^ mcr) & 0x10)
		return false;
	out(u, LCR, 0);
	out(u, MCR, mcr ^ 0x10);
	out(u, LCR, 0xe0);
	excr1 = in(u, 2);
	out(u, LCR, 0);
	out(u, MCR, mcr);
	return ((excr1 ^ mcr) & 0x10) != 0;
}

/* The TI16750 test: IIR bit 5 with 64-byte mode asked for, DLAB clear then set. */
static bool ti16750(struct uart_port *u)
{
	uint8_t iir1, iir2;

	out(u, LCR, 0);
	out(u, FCR, 0x21);
	iir1 = in(u, IIR) >> 5;
	out(u, FCR, 0x01);
	out(u, LCR, 0x80);
	out(u, FCR, 0x21);
	iir2 = in(u, IIR) >> 5;
	out(u, FCR, 0x01);
	out(u, LCR, 0);
	return iir1 == 6 && iir2 == 7;
}

/* The XScale test: does IER bit 6 (UUE) stick? */
static bool xscale(struct uart_port *u)
{
	uint8_t ier = in(u, IER);
	bool sticks = false;

	out(u, IER, ier & ~0x40);
	if (!(in(u, IER) & 0x40)) {
		out(u, IER, ier | 0x40);
		sticks = (in(u, IER) & 0x40) != 0;
	}
	out(u, IER, ier);
	return sticks;
}

/* autoconfig_16550a() with every variant probe (SERIAL_8250_16550A_VARIANTS). */
static enum port_type probe_16550a_variants(struct uart_port *u)
{
	out(u, LCR, 0x80);
	if (in(u, 2) == 0) /* an EFR with DLAB set */
		return PORT_16650;
	out(u, LCR, 0xbf);
	if (in(u, 2) == 0) /* an EFR behind 0xbf */
		return PORT_16650V2;
	if (natsemi(u))
		return PORT_NS16550A;
	if (ti16750(u))
		return PORT_16750;
	if (xscale(u))
		return PORT_XSCALE;
	return size_fifo(u) == 64 ? PORT_U6_16550A : PORT_16550A;
}

static enum port_type probe_fifo_type(struct uart_port *u)
{
	uint8_t scr;

	out(u, LCR, 0xbf);
	out(u, 2, 0); /* "EFR" = 0: an FCR write on a 16550A */
	out(u, LCR, 0);
	out(u, FCR, 0x01);
	switch (in(u, IIR) >> 6) {
	case 0:
		scr = in(u, SCR);
		out(u, SCR, 0xa5);
		if (in(u, SCR) != 0xa5)
			return PORT_8250;
		out(u, SCR, scr);
		return PORT_16450;
	case 1:
		return PORT_UNKNOWN;
	case 2:
		return PORT_16550;
	default:
		return probe_16550a_variants(u);
	}
}

/* autoconfig(): the IER test, the loopback test (no UPF_SKIP_TEST), the FIFO type. */
static enum port_type linux_autoconfig(struct uart_port *u)
{
	uint8_t ier = in(u, IER), ier_zero, ier_all, save_mcr, save_lcr, status;
	enum port_type type;

	out(u, IER, 0);
	ier_zero = in(u, IER) & 0x0f;
	out(u, IER, 0x0f);
	ier_all = in(u, IER) & 0x0f;
	out(u, IER, ier);
	if (ier_zero != 0 || ier_all != 0x0f)
		return PORT_NONE;
	save_mcr = in(u, MCR);
	save_lcr = in(u, LCR);
	out(u, MCR, 0x10 | 0x0a);
	status = in(u, MSR) & 0xf0;
	out(u, MCR, save_mcr);
	if (status != 0x90)
		return PORT_NONE;
	type = probe_fifo_type(u);
	out(u, LCR, save_lcr);
	/* Reset the UART: clear the FIFOs, drain RX, interrupts off. */
	out(u, MCR, save_mcr);
	out(u, FCR, 0x01);
	out(u, FCR, 0x07);
	out(u, FCR, 0x00);
	in(u, RBR);
	out(u, IER, 0);
	return type;
}

static void test_autoconfig_finds_16550a(void **state)
{
	struct uart_port u;

	(void)state;
	/* From power-on. */
	uart_port_init(&u);
	assert_int_equal(linux_autoconfig(&u), PORT_16550A);
	/* From the state an early console leaves: 8N1, FIFOs on, DTR/RTS/OUT2. */
	uart_port_init(&u);
	out(&u, LCR, 0x83);
	out(&u, RBR, 1);
	out(&u, IER, 0);
	out(&u, LCR, 0x03);
	out(&u, FCR, 0xc7);
	out(&u, MCR, 0x0b);
	assert_int_equal(linux_autoconfig(&u), PORT_16550A);
	assert_int_equal(in(&u, LCR), 0x03);  /* restored */
	assert_int_equal(in(&u, MCR), 0x0b);
	assert_int_equal(in(&u, IER), 0);
	assert_int_equal(in(&u, LSR), 0x60);  /* nothing left in the receiver */
	assert_int_equal(in(&u, IIR), 0x01);  /* FIFOs off again */
}

static void test_size_fifo(void **state)
{
	struct uart_port u;

	(void)state;
	uart_port_init(&u);
	assert_int_equal(size_fifo(&u), 16);
	assert_int_equal(in(&u, LSR) & 0x01, 0);
	assert_int_equal(in(&u, MCR), 0);
}

/* serial8250_do_startup(): THRE must be re-asserted and show once enabled. */
static void test_startup_checks(void **state)
{
	uint8_t iir1, iir, lsr;
	struct uart_port u;

	(void)state;
	uart_port_init(&u);
	linux_autoconfig(&u);
	out(&u, FCR, 0x01);
	out(&u, FCR, 0x07);
	out(&u, FCR, 0x00);
	in(&u, LSR);
	in(&u, RBR);
	in(&u, IIR);
	in(&u, MSR);
	assert_int_not_equal(in(&u, LSR), 0xff);
	/* UART_BUG_THRE check. */
	assert_true(in(&u, LSR) & 0x20);
	out(&u, IER, 0x02);
	iir1 = in(&u, IIR);
	out(&u, IER, 0);
	out(&u, IER, 0x02);
	iir = in(&u, IIR);
	out(&u, IER, 0);
	assert_int_equal(iir1, 0x02);
	assert_int_equal(iir, 0x02);
	/* UART_BUG_TXEN check. */
	out(&u, LCR, 0x03);
	out(&u, MCR, 0x0b);
	out(&u, IER, 0x02);
	lsr = in(&u, LSR);
	iir = in(&u, IIR);
	out(&u, IER, 0);
	assert_true(lsr & 0x40);
	assert_int_equal(iir & 0x01, 0);
}

/* set_termios at 115200 8N1 with the 16550A's FCR, then polled console I/O. */
static void test_polled_console(void **state)
{
	static const char text[] = "Linux version 6.1\n";
	uint8_t tx, sent[sizeof(text)];
	struct uart_port u;
	size_t n = 0;

	(void)state;
	uart_port_init(&u);
	out(&u, LCR, 0x83);
	out(&u, RBR, 0x01);
	out(&u, IER, 0x00);
	out(&u, LCR, 0x03);
	out(&u, FCR, 0x81);
	for (size_t i = 0; i < sizeof(text) - 1; i++) {
		while ((in(&u, LSR) & 0x60) != 0x60)
			;
		assert_true(uart_port_write(&u, THR, (uint8_t)text[i], &tx));
		sent[n++] = tx;
	}
	assert_memory_equal(sent, text, sizeof(text) - 1);
	for (const char *p = "ls\r"; *p; p++)
		assert_true(uart_port_receive(&u, (uint8_t)*p));
	assert_int_equal(uart_port_rx_room(&u), 13);
	n = 0;
	while (in(&u, LSR) & 0x01)
		sent[n++] = in(&u, RBR);
	assert_int_equal(n, 3);
	assert_memory_equal(sent, "ls\r", 3);
	assert_int_equal(in(&u, IIR), 0xc1);
}

/* ---- registers ---------------------------------------------------------------- */

static void test_power_on_values(void **state)
{
	static const uint8_t expect[8] = { 0x00, 0x00, 0x01, 0x00, 0x00, 0x60, 0xb0, 0x00 };
	struct uart_port u;

	(void)state;
	uart_port_init(&u);
	for (uint8_t off = 0; off < 8; off++)
		assert_int_equal(in(&u, off), expect[off]);
	assert_int_equal(in(&u, 8), 0xff);
	out(&u, LCR, 0x80);
	assert_int_equal(in(&u, RBR), 12); /* 9600 baud */
	assert_int_equal(in(&u, IER), 0);
	assert_int_equal(uart_port_rx_room(&u), 1);
	assert_false(uart_port_irq_pending(&u));
}

static void test_ier_readback(void **state)
{
	static const struct {
		uint8_t write, read;
	} cases[] = {
		{ 0x00, 0x00 }, { 0x0f, 0x0f }, { 0x05, 0x05 }, { 0xff, 0x0f }, { 0x40, 0x00 },
		{ 0xf0, 0x00 },
	};
	struct uart_port u;

	(void)state;
	uart_port_init(&u);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		out(&u, IER, cases[i].write);
		assert_int_equal(in(&u, IER), cases[i].read);
	}
}

/* DLAB moves offsets 0 and 1 to the divisor latch; the rest stay. */
static void test_dlab(void **state)
{
	struct uart_port u;
	uint8_t tx = 0;

	(void)state;
	uart_port_init(&u);
	out(&u, IER, 0x05);
	out(&u, SCR, 0x5a);
	out(&u, LCR, 0x83);
	assert_false(uart_port_write(&u, RBR, 0x34, &tx));
	out(&u, IER, 0x12);
	assert_int_equal(in(&u, RBR), 0x34);
	assert_int_equal(in(&u, IER), 0x12);
	assert_int_equal(in(&u, SCR), 0x5a);
	assert_int_equal(in(&u, LCR), 0x83);
	assert_int_equal(in(&u, LSR), 0x60);
	out(&u, LCR, 0x03);
	assert_int_equal(in(&u, IER), 0x05);
	assert_int_equal(in(&u, RBR), 0x00);
	assert_true(uart_port_write(&u, THR, 0x34, &tx));
	assert_int_equal(tx, 0x34);
}

/* IIR: priority line status > data > THRE > modem status, FIFO bits on top. */
static void test_iir_priority(void **state)
{
	static const struct {
		uint8_t fcr, ier;
		int rx;           /* bytes received */
		bool overrun;     /* one more than fits */
		bool thre;        /* IER.THRI raised THRE */
		bool delta;       /* a modem input changed */
		uint8_t iir;
	} cases[] = {
		{ 0x00, 0x0f, 0, false, false, false, 0x01 },
		{ 0x00, 0x0f, 0, false, true, false, 0x02 },
		{ 0x00, 0x0f, 0, false, true, true, 0x02 },
		{ 0x00, 0x0f, 0, false, false, true, 0x00 },
		{ 0x00, 0x0f, 1, false, true, true, 0x04 },
		{ 0x00, 0x0f, 1, true, true, true, 0x06 },
		{ 0x00, 0x0b, 1, true, true, true, 0x04 },   /* RLSI off */
		{ 0x00, 0x0a, 1, true, true, true, 0x02 },   /* RDI off too */
		{ 0x01, 0x0f, 1, false, false, false, 0xc4 }, /* trigger level 1 */
		{ 0x41, 0x0f, 1, false, false, false, 0xcc }, /* below 4: character timeout */
		{ 0x41, 0x0f, 4, false, false, false, 0xc4 },
		{ 0xc1, 0x0f, 13, false, false, false, 0xcc },
		{ 0xc1, 0x0f, 14, false, false, false, 0xc4 },
		{ 0xc1, 0x0f, 16, true, false, false, 0xc6 },
		{ 0x01, 0x00, 16, true, true, true, 0xc1 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct uart_port u;

		uart_port_init(&u);
		out(&u, FCR, cases[i].fcr);
		out(&u, IER, cases[i].ier);
		if (!cases[i].thre)
			in(&u, IIR); /* acknowledges the THRE that enabling THRI raised */
		for (int b = 0; b < cases[i].rx; b++)
			assert_true(uart_port_receive(&u, (uint8_t)b));
		if (cases[i].overrun)
			assert_false(uart_port_receive(&u, 0xee));
		if (cases[i].delta)
			uart_port_set_modem_inputs(&u, 0x30); /* DCD drops */
		assert_int_equal(in(&u, IIR), cases[i].iir);
	}
}

/* THRE: raised by enabling THRI or by a written byte; reading IIR acknowledges it. */
static void test_thre_interrupt(void **state)
{
	struct uart_port u;
	uint8_t tx;

	(void)state;
	uart_port_init(&u);
	out(&u, IER, 0x02);
	assert_int_equal(in(&u, IIR), 0x02);
	assert_int_equal(in(&u, IIR), 0x01);
	out(&u, IER, 0x02); /* still enabled: no new edge */
	assert_int_equal(in(&u, IIR), 0x01);
	assert_true(uart_port_write(&u, THR, 'x', &tx));
	assert_int_equal(in(&u, IIR), 0x02);
	assert_true(uart_port_write(&u, THR, 'x', &tx));
	/* A received byte hides THRE without acknowledging it. */
	assert_true(uart_port_receive(&u, 'y'));
	out(&u, IER, 0x03);
	assert_int_equal(in(&u, IIR), 0x04);
	assert_int_equal(in(&u, RBR), 'y');
	assert_int_equal(in(&u, IIR), 0x02);
	assert_int_equal(in(&u, IIR), 0x01);
}

/* Loopback wires RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD. */
static void test_loopback_modem_lines(void **state)
{
	static const struct {
		uint8_t mcr, msr_lines;
	} cases[] = {
		{ 0x10, 0x00 }, { 0x11, 0x20 }, { 0x12, 0x10 }, { 0x14, 0x40 }, { 0x18, 0x80 },
		{ 0x1a, 0x90 }, { 0x1f, 0xf0 }, { 0x0a, 0xb0 }, /* not in loopback: the terminal */
	};
	struct uart_port u;

	(void)state;
	uart_port_init(&u);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		out(&u, MCR, cases[i].mcr);
		assert_int_equal(in(&u, MCR), cases[i].mcr);
		assert_int_equal(in(&u, MSR) & 0xf0, cases[i].msr_lines);
	}
	out(&u, MCR, 0xff);
	assert_int_equal(in(&u, MCR), 0x1f);
}

/* In loopback, THR bytes reach RBR, not the line, and the line is cut off. */
static void test_loopback_data(void **state)
{
	struct uart_port u;
	uint8_t tx = 0;

	(void)state;
	uart_port_init(&u);
	out(&u, MCR, 0x10);
	assert_false(uart_port_write(&u, THR, 0x55, &tx));
	assert_int_equal(tx, 0);
	assert_int_equal(in(&u, LSR), 0x61);
	assert_int_equal(uart_port_rx_room(&u), 0);
	assert_false(uart_port_receive(&u, 0x66));
	assert_int_equal(in(&u, LSR), 0x61); /* no overrun either */
	assert_int_equal(in(&u, RBR), 0x55);
	assert_int_equal(in(&u, LSR), 0x60);
	out(&u, MCR, 0x00);
	assert_int_equal(uart_port_rx_room(&u), 1);
	assert_true(uart_port_write(&u, THR, 0x77, &tx));
	assert_int_equal(tx, 0x77);
}

static void test_modem_deltas(void **state)
{
	static const struct {
		uint8_t from, to, msr;
	} cases[] = {
		{ 0xb0, 0xb0, 0xb0 },
		{ 0xb0, 0xa0, 0xa1 },  /* CTS dropped */
		{ 0xb0, 0x90, 0x92 },  /* DSR dropped */
		{ 0xb0, 0x30, 0x38 },  /* DCD dropped */
		{ 0xb0, 0xf0, 0xf0 },  /* RI rising: no trailing edge */
		{ 0xf0, 0xb0, 0xb4 },  /* RI falling */
		{ 0x00, 0xf0, 0xfb },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct uart_port u;

		uart_port_init(&u);
		uart_port_set_modem_inputs(&u, cases[i].from);
		in(&u, MSR);
		uart_port_set_modem_inputs(&u, cases[i].to);
		assert_int_equal(in(&u, MSR), cases[i].msr);
		assert_int_equal(in(&u, MSR), cases[i].to); /* deltas clear on read */
	}
}

/* Overrun: FIFOs off, the new byte replaces the unread one; on, it is lost. */
static void test_overrun(void **state)
{
	struct uart_port u;

	(void)state;
	uart_port_init(&u);
	assert_true(uart_port_receive(&u, 'a'));
	assert_false(uart_port_receive(&u, 'b'));
	assert_int_equal(in(&u, LSR), 0x63);
	assert_int_equal(in(&u, LSR), 0x61); /* OE clears on read */
	assert_int_equal(in(&u, RBR), 'b');
	assert_int_equal(in(&u, RBR), 'b');  /* nothing new: the last byte again */

	out(&u, FCR, 0x01);
	for (int i = 0; i < 16; i++)
		assert_true(uart_port_receive(&u, (uint8_t)('A' + i)));
	assert_int_equal(uart_port_rx_room(&u), 0);
	assert_false(uart_port_receive(&u, 'z'));
	assert_int_equal(in(&u, LSR), 0x63);
	for (int i = 0; i < 16; i++)
		assert_int_equal(in(&u, RBR), 'A' + i);
	assert_int_equal(in(&u, LSR), 0x60);
}

/* FCR: bit 0 gates the others; toggling it or bit 1 empties the receiver. */
static void test_fcr(void **state)
{
	static const struct {
		uint8_t fcr;
		bool keeps_data;
		uint8_t iir;
	} cases[] = {
		{ 0x01, true, 0xc1 },   /* FIFOs already on: data stays */
		{ 0xc1, true, 0xc1 },
		{ 0x03, false, 0xc1 },  /* clear RX */
		{ 0x05, true, 0xc1 },   /* clear TX: nothing to clear */
		{ 0x00, false, 0x01 },  /* FIFOs off: both reset */
		{ 0xc0, false, 0x01 },  /* trigger bits without bit 0: off */
		{ 0x21, true, 0xc1 },   /* no 64-byte mode: bit 5 ignored */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct uart_port u;

		uart_port_init(&u);
		out(&u, FCR, 0x01);
		uart_port_receive(&u, 'q');
		out(&u, FCR, cases[i].fcr);
		assert_int_equal(in(&u, LSR) & 0x01, cases[i].keeps_data);
		assert_int_equal(in(&u, IIR), cases[i].iir);
	}
}

/* The PC wiring: OUT2 enables the interrupt line, loopback disconnects it. */
static void test_irq_line(void **state)
{
	struct uart_port u;

	(void)state;
	uart_port_init(&u);
	out(&u, IER, 0x01);
	uart_port_receive(&u, 'k');
	assert_false(uart_port_irq_pending(&u));
	out(&u, MCR, 0x08);
	assert_true(uart_port_irq_pending(&u));
	out(&u, MCR, 0x18);
	assert_false(uart_port_irq_pending(&u));
	out(&u, MCR, 0x08);
	in(&u, RBR);
	assert_false(uart_port_irq_pending(&u));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_autoconfig_finds_16550a),
		cmocka_unit_test(test_size_fifo),
		cmocka_unit_test(test_startup_checks),
		cmocka_unit_test(test_polled_console),
		cmocka_unit_test(test_power_on_values),
		cmocka_unit_test(test_ier_readback),
		cmocka_unit_test(test_dlab),
		cmocka_unit_test(test_iir_priority),
		cmocka_unit_test(test_thre_interrupt),
		cmocka_unit_test(test_loopback_modem_lines),
		cmocka_unit_test(test_loopback_data),
		cmocka_unit_test(test_modem_deltas),
		cmocka_unit_test(test_overrun),
		cmocka_unit_test(test_fcr),
		cmocka_unit_test(test_irq_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
