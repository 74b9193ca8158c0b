/*
 * 16550A UART (see uart16550.h).  Register behaviour follows the
 * National Semiconductor PC16550D data sheet; where a guest driver
 * probes (Linux's autoconfig), the answers are a 16550A's: IER keeps only
 * its low 4 bits, IIR shows 0xc0 with FIFOs on and never bits 4-5, FCR
 * has no 64-byte mode, there is no EFR behind LCR 0xbf, and loopback
 * wires the modem outputs back to the inputs.
 */
#include <plat/uart16550.h>

#define IER_RDI 0x01u   /* received data available */
#define IER_THRI 0x02u  /* transmitter holding register empty */
#define IER_RLSI 0x04u  /* receiver line status */
#define IER_MSI 0x08u   /* modem status */
#define IER_WRITABLE 0x0fu

#define IIR_NO_INT 0x01u
#define IIR_MSI 0x00u
#define IIR_THRI 0x02u
#define IIR_RDI 0x04u
#define IIR_RLSI 0x06u
#define IIR_TIMEOUT 0x0cu
#define IIR_FIFO_ON 0xc0u
#define IIR_ID_MASK 0x0fu

#define FCR_ENABLE 0x01u
#define FCR_CLEAR_RX 0x02u
#define FCR_TRIGGER_MASK 0xc0u

#define LCR_DLAB 0x80u

#define MCR_DTR 0x01u
#define MCR_RTS 0x02u
#define MCR_OUT1 0x04u
#define MCR_OUT2 0x08u
#define MCR_LOOP 0x10u
#define MCR_WRITABLE 0x1fu

#define LSR_DR 0x01u
#define LSR_OE 0x02u
#define LSR_THRE 0x20u
#define LSR_TEMT 0x40u

#define MSR_DCTS 0x01u
#define MSR_DDSR 0x02u
#define MSR_TERI 0x04u
#define MSR_DDCD 0x08u

#define DIVISOR_9600 12u /* where a PC BIOS leaves it */

static bool fifo_on(const struct uart_port *u)
{
	return (u->fcr & FCR_ENABLE) != 0;
}

static uint32_t rx_capacity(const struct uart_port *u)
{
	return fifo_on(u) ? UART_PORT_FIFO_SIZE : 1;
}

static uint32_t rx_trigger(const struct uart_port *u)
{
	static const uint8_t levels[4] = { 1, 4, 8, 14 };

	return levels[(u->fcr & FCR_TRIGGER_MASK) >> 6];
}

/* The MSR input lines as the chip sees them: loopback wires MCR to them. */
static uint8_t modem_status(const struct uart_port *u)
{
	uint8_t lines = 0;

	if (!(u->mcr & MCR_LOOP))
		return u->modem_in;
	if (u->mcr & MCR_RTS)
		lines |= UART_PORT_MSR_CTS;
	if (u->mcr & MCR_DTR)
		lines |= UART_PORT_MSR_DSR;
	if (u->mcr & MCR_OUT1)
		lines |= UART_PORT_MSR_RI;
	if (u->mcr & MCR_OUT2)
		lines |= UART_PORT_MSR_DCD;
	return lines;
}

/* Latches the delta bits for a change of the input lines from old to new. */
static void modem_delta(struct uart_port *u, uint8_t old, uint8_t new)
{
	uint8_t changed = old ^ new;

	if (changed & UART_PORT_MSR_CTS)
		u->msr_delta |= MSR_DCTS;
	if (changed & UART_PORT_MSR_DSR)
		u->msr_delta |= MSR_DDSR;
	if ((old & UART_PORT_MSR_RI) && !(new & UART_PORT_MSR_RI))
		u->msr_delta |= MSR_TERI; /* trailing edge only */
	if (changed & UART_PORT_MSR_DCD)
		u->msr_delta |= MSR_DDCD;
}

/* The highest-priority interrupt identification, without side effects. */
static uint8_t interrupt_id(const struct uart_port *u)
{
	if ((u->ier & IER_RLSI) && u->lsr_errors)
		return IIR_RLSI;
	if ((u->ier & IER_RDI) && u->rx_count != 0)
		return !fifo_on(u) || u->rx_count >= rx_trigger(u) ? IIR_RDI : IIR_TIMEOUT;
	if ((u->ier & IER_THRI) && u->thre_pending)
		return IIR_THRI;
	if ((u->ier & IER_MSI) && u->msr_delta)
		return IIR_MSI;
	return IIR_NO_INT;
}

static void rx_clear(struct uart_port *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

/*
 * Into the receiver.  Full: with FIFOs the new byte is lost, without
 * them it replaces the unread one; either way that is an overrun.
 */
static bool rx_push(struct uart_port *u, uint8_t byte)
{
	if (u->rx_count == rx_capacity(u)) {
		u->lsr_errors |= LSR_OE;
		if (!fifo_on(u))
			u->rx[u->rx_head] = byte;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_PORT_FIFO_SIZE] = byte;
	u->rx_count++;
	return true;
}

/* Reading RBR with nothing received shows the last byte again. */
static uint8_t rx_pop(struct uart_port *u)
{
	if (u->rx_count != 0) {
		u->rbr = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % UART_PORT_FIFO_SIZE;
		u->rx_count--;
	}
	return u->rbr;
}

void uart_port_init(struct uart_port *u)
{
	*u = (struct uart_port){
		.dll = DIVISOR_9600,
		.modem_in = UART_PORT_MSR_CTS | UART_PORT_MSR_DSR | UART_PORT_MSR_DCD,
	};
}

static uint8_t read_iir(struct uart_port *u)
{
	uint8_t id = interrupt_id(u);

	if (id == IIR_THRI)
		u->thre_pending = false; /* reading IIR acknowledges THRE */
	return id | (fifo_on(u) ? IIR_FIFO_ON : 0);
}

static uint8_t read_lsr(struct uart_port *u)
{
	uint8_t lsr = LSR_THRE | LSR_TEMT | u->lsr_errors | (u->rx_count ? LSR_DR : 0);

	u->lsr_errors = 0;
	return lsr;
}

static uint8_t read_msr(struct uart_port *u)
{
	uint8_t msr = modem_status(u) | u->msr_delta;

	u->msr_delta = 0;
	return msr;
}

uint8_t uart_port_read(struct uart_port *u, uint8_t offset)
{
	bool dlab = (u->lcr & LCR_DLAB) != 0;

	switch (offset) {
	case UART_PORT_RBR:
		return dlab ? u->dll : rx_pop(u);
	case UART_PORT_IER:
		return dlab ? u->dlm : u->ier;
	case UART_PORT_IIR:
		return read_iir(u);
	case UART_PORT_LCR:
		return u->lcr;
	case UART_PORT_MCR:
		return u->mcr;
	case UART_PORT_LSR:
		return read_lsr(u);
	case UART_PORT_MSR:
		return read_msr(u);
	case UART_PORT_SCR:
		return u->scr;
	default:
		return 0xff;
	}
}

/*
 * THR: the byte leaves at once, so THR is empty again and the THRE
 * interrupt, cleared by the write, is due again right away.
 */
static bool write_thr(struct uart_port *u, uint8_t value, uint8_t *tx_byte)
{
	u->thre_pending = true;
	if (u->mcr & MCR_LOOP) {
		rx_push(u, value);
		return false;
	}
	*tx_byte = value;
	return true;
}

/* Enabling THRI while THR is empty raises THRE (Linux's THRE tests rely on it). */
static void write_ier(struct uart_port *u, uint8_t value)
{
	uint8_t ier = value & IER_WRITABLE;

	if ((ier & IER_THRI) && !(u->ier & IER_THRI))
		u->thre_pending = true;
	u->ier = ier;
}

/*
 * FCR: bit 0 must be set for the other bits to take; changing it resets
 * both FIFOs.  The transmitter FIFO is always empty, so only the
 * receiver has anything to clear.
 */
static void write_fcr(struct uart_port *u, uint8_t value)
{
	bool enable = (value & FCR_ENABLE) != 0;

	if (enable != fifo_on(u) || (enable && (value & FCR_CLEAR_RX)))
		rx_clear(u);
	u->fcr = enable ? value & (FCR_ENABLE | FCR_TRIGGER_MASK) : 0;
}

static void write_mcr(struct uart_port *u, uint8_t value)
{
	uint8_t old = modem_status(u);

	u->mcr = value & MCR_WRITABLE;
	modem_delta(u, old, modem_status(u));
}

bool uart_port_write(struct uart_port *u, uint8_t offset, uint8_t value, uint8_t *tx_byte)
{
	bool dlab = (u->lcr & LCR_DLAB) != 0;

	switch (offset) {
	case UART_PORT_RBR:
		if (!dlab)
			return write_thr(u, value, tx_byte);
		u->dll = value;
		break;
	case UART_PORT_IER:
		if (dlab)
			u->dlm = value;
		else
			write_ier(u, value);
		break;
	case UART_PORT_IIR:
		write_fcr(u, value);
		break;
	case UART_PORT_LCR:
		u->lcr = value;
		break;
	case UART_PORT_MCR:
		write_mcr(u, value);
		break;
	case UART_PORT_SCR:
		u->scr = value;
		break;
	default:
		break; /* LSR and MSR writes are factory tests on the chip */
	}
	return false;
}

/* Loopback disconnects the serial input: the line's bytes are not received. */
bool uart_port_receive(struct uart_port *u, uint8_t byte)
{
	if (u->mcr & MCR_LOOP)
		return false;
	return rx_push(u, byte);
}

uint32_t uart_port_rx_room(const struct uart_port *u)
{
	if (u->mcr & MCR_LOOP)
		return 0;
	return rx_capacity(u) - u->rx_count;
}

void uart_port_set_modem_inputs(struct uart_port *u, uint8_t lines)
{
	uint8_t old = modem_status(u);

	u->modem_in = lines & (UART_PORT_MSR_CTS | UART_PORT_MSR_DSR | UART_PORT_MSR_RI |
			       UART_PORT_MSR_DCD);
	modem_delta(u, old, modem_status(u));
}

bool uart_port_irq_pending(const struct uart_port *u)
{
	return (u->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2 && interrupt_id(u) != IIR_NO_INT;
}
