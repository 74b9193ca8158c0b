/*
 * The CMOS real-time clock a PC guest reads its wall clock from at boot
 * (ports 0x70 index, 0x71 data).  Without one, every register reads
 * 0xff: the update-in-progress bit never clears and Linux 6.1 polls it
 * for a whole second of guest time (eight seconds under QEMU TCG) before
 * it gives up.  hv has no wall clock of its own, so the RTC tells the
 * guest a fixed, valid time, 2000-01-01 00:00:00, in binary 24-hour
 * mode with update-in-progress clear; time synchronisation over the bus
 * (the TimeSync IC) sets the real time once the guest's drivers run.
 * Writes are accepted and forgotten, so the time never changes.
 */
#ifndef HV_PLAT_CMOS_RTC_H
#define HV_PLAT_CMOS_RTC_H

#include <stdbool.h>
#include <stdint.h>

#define CMOS_RTC_INDEX_PORT 0x70u
#define CMOS_RTC_DATA_PORT 0x71u

struct cmos_rtc {
	uint8_t index; /* register selected through port 0x70 (bit 7 is NMI disable) */
};

/* IN from port (0x70 or 0x71). */
uint8_t cmos_rtc_read(const struct cmos_rtc *rtc, uint16_t port);

/* OUT to port (0x70 selects a register; data writes are ignored). */
void cmos_rtc_write(struct cmos_rtc *rtc, uint16_t port, uint8_t value);

#endif
