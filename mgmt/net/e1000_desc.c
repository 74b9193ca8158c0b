/*
 * The e1000 family's check of a completed legacy receive descriptor,
 * kept pure so that the host unit tests (tests/unit/test_nic_rings.c)
 * can hand it whatever a hostile device might write back.
 */
#include "e1000.h"
#include "e1000_regs.h"

enum e1000_rx_verdict e1000_rx_check(uint8_t status, uint8_t errors, uint16_t length,
				     bool *discarding)
{
	bool eop = status & E1000_RXD_STAT_EOP;

	if (*discarding || !eop) {
		/* A frame longer than one buffer: drop every piece of it, count it once. */
		bool first = !*discarding;

		*discarding = !eop;
		return first ? E1000_RX_OVERSIZE : E1000_RX_SKIP;
	}
	/*
	 * The buffer is not read for a flagged frame.  RCTL.BSIZE is 2048
	 * and long packets are off: a correct device never writes more than
	 * the buffer, nor less than a header (QEMU pads short frames to 60
	 * bytes).
	 */
	if (errors & E1000_RXD_ERR_FRAME)
		return E1000_RX_ERROR;
	if (length < NIC_MIN_FRAME || length > NIC_BUF_SIZE)
		return E1000_RX_BROKEN;
	return E1000_RX_DELIVER;
}
