/*
 * Register layout of the Intel 82540EM (e1000) as the root's driver uses
 * it: the MMIO registers of BAR0 (offsets in bytes, 32-bit registers) and
 * the legacy receive and transmit descriptors (Intel's "PCI/PCI-X Family
 * of Gigabit Ethernet Controllers Software Developer's Manual", chapters
 * 3 and 13).  QEMU and Bochs both emulate this device as 8086:100e.
 * The 82574L (8086:10d3, QEMU's e1000e) keeps these offsets and the
 * legacy descriptors (chosen while RFCTL.EXSTEN and RCTL.DTYP are 0);
 * the few registers and bits that are its own are marked "82574".
 */
#ifndef MGMT_NET_E1000_REGS_H
#define MGMT_NET_E1000_REGS_H

#include <stdint.h>

#define E1000_VENDOR_INTEL 0x8086u
#define E1000_DEVICE_82540EM 0x100eu
#define E1000_DEVICE_82574L 0x10d3u

/* ---- registers (BAR0 offsets) ---- */
#define E1000_CTRL 0x0000u     /* device control */
#define E1000_STATUS 0x0008u   /* device status (read only) */
#define E1000_EERD 0x0014u     /* EEPROM read: start, address, done, data */
#define E1000_CTRL_EXT 0x0018u /* extended device control */
#define E1000_ICR 0x00c0u      /* interrupt cause, cleared by reading */
#define E1000_IMC 0x00d8u      /* interrupt mask clear: 1 bits disable */
#define E1000_RCTL 0x0100u     /* receive control */
#define E1000_TCTL 0x0400u     /* transmit control */
#define E1000_TIPG 0x0410u     /* transmit inter-packet gap */
#define E1000_RDBAL 0x2800u    /* receive ring base, low and high dwords */
#define E1000_RDBAH 0x2804u
#define E1000_RDLEN 0x2808u    /* receive ring size in bytes, multiple of 128 */
#define E1000_RDH 0x2810u      /* receive head: next descriptor the device fills */
#define E1000_RDT 0x2818u      /* receive tail: the device owns [RDH, RDT) */
#define E1000_TDBAL 0x3800u
#define E1000_TDBAH 0x3804u
#define E1000_TDLEN 0x3808u
#define E1000_TDH 0x3810u      /* transmit head: next descriptor the device sends */
#define E1000_TDT 0x3818u      /* transmit tail: the device owns [TDH, TDT) */
#define E1000_MPC 0x4010u      /* missed packets (no descriptor), cleared by reading */
#define E1000_MTA 0x5200u      /* multicast table, 128 dwords */
#define E1000_MTA_WORDS 128u
#define E1000_RAL0 0x5400u     /* receive address 0: MAC bytes 0-3 */
#define E1000_RAH0 0x5404u     /* MAC bytes 4-5 in bits 15:0, AV in bit 31 */

/* CTRL */
#define E1000_CTRL_GIO_MASTER_DISABLE (1u << 2) /* 82574: stop bus mastering */
#define E1000_CTRL_LRST (1u << 3)     /* link reset */
#define E1000_CTRL_ASDE (1u << 5)     /* auto-speed detection */
#define E1000_CTRL_SLU (1u << 6)      /* set link up */
#define E1000_CTRL_ILOS (1u << 7)     /* invert loss-of-signal */
#define E1000_CTRL_RST (1u << 26)     /* device reset, self-clearing */
#define E1000_CTRL_VME (1u << 30)     /* VLAN mode */
#define E1000_CTRL_PHY_RST (1u << 31)

/* STATUS */
#define E1000_STATUS_LU (1u << 1)     /* link up */
#define E1000_STATUS_GIO_MASTER_EN (1u << 19) /* 82574: bus mastering still on */

/* CTRL_EXT (82574) */
#define E1000_CTRL_EXT_DRV_LOAD (1u << 28) /* a driver has taken the port */

/*
 * EERD: write START with the word address, poll DONE, data in 31:16.
 * The 82540EM's layout; the 82574L moves DONE to bit 1 and the address
 * to bits 15:2.
 */
#define E1000_EERD_START (1u << 0)
#define E1000_EERD_DONE (1u << 4)
#define E1000_EERD_ADDR_SHIFT 8
#define E1000_EERD_DATA_SHIFT 16
#define E1000E_EERD_DONE (1u << 1)
#define E1000E_EERD_ADDR_SHIFT 2

/* RAH */
#define E1000_RAH_AV (1u << 31)       /* address valid */

/* RCTL */
#define E1000_RCTL_EN (1u << 1)
#define E1000_RCTL_BAM (1u << 15)     /* accept broadcast */
#define E1000_RCTL_BSIZE_2048 (0u << 16) /* with BSEX clear */
#define E1000_RCTL_SECRC (1u << 26)   /* strip the Ethernet CRC */

/* TCTL */
#define E1000_TCTL_EN (1u << 1)
#define E1000_TCTL_PSP (1u << 3)      /* pad short packets to 64 bytes */
#define E1000_TCTL_CT(n) ((uint32_t)(n) << 4)    /* collision threshold */
#define E1000_TCTL_COLD(n) ((uint32_t)(n) << 12) /* collision distance */

/* TIPG for copper: IPGT 10, IPGR1 8, IPGR2 6 (the manual's values). */
#define E1000_TIPG_COPPER (10u | 8u << 10 | 6u << 20)

/*
 * Legacy receive descriptor (16 bytes).  The driver writes addr (a device
 * address: host-physical) and clears status; the device writes length,
 * checksum, errors and finally status with DD set.  Ownership passes
 * through RDT (driver -> device) and the DD bit (device -> driver).
 */
struct e1000_rx_desc {
	uint64_t addr;
	uint16_t length;
	uint16_t checksum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
};
_Static_assert(sizeof(struct e1000_rx_desc) == 16, "e1000 rx descriptor layout");

#define E1000_RXD_STAT_DD (1u << 0)   /* descriptor done */
#define E1000_RXD_STAT_EOP (1u << 1)  /* last descriptor of the frame */
/* CRC/alignment, symbol, sequence, carrier-extension and RX-data errors. */
#define E1000_RXD_ERR_FRAME 0x97u

/*
 * Legacy transmit descriptor (16 bytes).  The driver writes addr, length
 * and cmd and clears status, then moves TDT past it; with RS set the
 * device writes status DD back once the frame has left.
 */
struct e1000_tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
};
_Static_assert(sizeof(struct e1000_tx_desc) == 16, "e1000 tx descriptor layout");

#define E1000_TXD_CMD_EOP (1u << 0)   /* end of packet */
#define E1000_TXD_CMD_IFCS (1u << 1)  /* insert the Ethernet CRC */
#define E1000_TXD_CMD_RS (1u << 3)    /* report status (write DD back) */
#define E1000_TXD_STAT_DD (1u << 0)

#endif
