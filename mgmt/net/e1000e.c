/*
 * The Intel 82574L (8086:10d3), QEMU's default NIC on q35 (`-nic user`
 * gives one; QEMU's model is "e1000e").  It is an e1000 to this driver:
 * the same register offsets, legacy descriptors and rings (e1000.c), with
 * three differences kept in its struct e1000_model: EERD's DONE bit and
 * address field, bus mastering quiesced before reset (CTRL.GIO master
 * disable, STATUS bit 19), and CTRL_EXT.DRV_LOAD set after it.  Its
 * extended and packet-split descriptors, MSI-X and the second queue stay
 * unused: the root polls one queue of legacy descriptors.
 *
 * How the next members of the family differ, for whoever adds them
 * (Intel's I217/I218/I219 datasheets and Linux's e1000e driver):
 * - They are not one chip but a MAC inside the PCH (chipset) with an
 *   external PHY, linked by a PCIe-based interconnect for data and SMBus
 *   for manageability when idle.  PHY
 *   registers are reached through MDIC like the 82574's but many live on
 *   pages above 0 (page select in PHY register 31, BM_* paged access), and
 *   MDIC must be serialised with firmware through the software/firmware
 *   semaphore (EXTCNF_CTRL.SWFLAG) before any PHY or NVM access.
 * - NVM is not a separate EEPROM: the MAC address and settings sit in the
 *   PCH's SPI flash, read through the flash registers of BAR1 (GbE region,
 *   ICH_FLASH_*), not EERD; on I219 (SPT and later) flash is reached at an
 *   offset of BAR0 instead.  Receive address 0 still holds the MAC the
 *   firmware loaded, which is what such a driver would read first.
 * - PCH quirks: the PHY may still be in SMBus mode after a warm boot and
 *   must be toggled to PCIe (CTRL_EXT.FORCE_SMBUS, LANPHYPC toggling)
 *   before it answers; ULP (ultra-low-power) must be left on I219; K1
 *   power state and the PHY's "workarounds" must be set per link speed;
 *   TDH/RDH must not be written while the ring is enabled on SPT, and
 *   FEXTNVM7/FEXTNVM11 and the descriptor-ring flush before reset are
 *   needed on I219 or transmit hangs.
 * - Device ids are many (0x153a/0x153b I217, 0x155a/0x1559/0x15a0..15a3
 *   I218, 0x156f/0x1570/0x15b7/0x15b8/... I219); none can be tested here,
 *   so none is claimed.
 */
#include "e1000.h"
#include "e1000_regs.h"

static const struct e1000_model model_82574l = {
	.name = "e1000e",
	.eerd_start = E1000_EERD_START,
	.eerd_done = E1000E_EERD_DONE,
	.eerd_addr_shift = E1000E_EERD_ADDR_SHIFT,
	.pcie = true,
};

static bool start_82574l(struct nic_device *dev)
{
	return e1000_start(dev, &model_82574l);
}

static const struct nic_id ids_82574l[] = {
	{ E1000_VENDOR_INTEL, E1000_DEVICE_82574L, "82574L" },
	{ 0, 0, NULL },
};

const struct nic_driver e1000e_driver = {
	.name = "e1000e",
	.config_name = "e1000e",
	.config_id = HV_MGMT_NIC_E1000E,
	.ids = ids_82574l,
	.start = start_82574l,
	E1000_FAMILY_OPS,
};
