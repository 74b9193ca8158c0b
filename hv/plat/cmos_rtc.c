/*
 * A read-only CMOS RTC (see cmos_rtc.h): a few status registers and a
 * fixed date.  Register numbers are the MC146818's.
 */
#include <plat/cmos_rtc.h>

#define RTC_SECONDS 0x00u
#define RTC_MINUTES 0x02u
#define RTC_HOURS 0x04u
#define RTC_DAY_OF_WEEK 0x06u
#define RTC_DAY_OF_MONTH 0x07u
#define RTC_MONTH 0x08u
#define RTC_YEAR 0x09u
#define RTC_STATUS_A 0x0au
#define RTC_STATUS_B 0x0bu
#define RTC_STATUS_C 0x0cu
#define RTC_STATUS_D 0x0du
#define RTC_CENTURY 0x32u
#define RTC_INDEX_MASK 0x7fu

#define STATUS_A_DIVIDER_32K 0x20u /* time base running, update-in-progress clear */
#define STATUS_B_24H_BINARY 0x06u  /* 24-hour, binary (not BCD) values */
#define STATUS_D_VALID_RAM 0x80u   /* battery good: the time is valid */

static uint8_t register_value(uint8_t reg)
{
	switch (reg) {
	case RTC_DAY_OF_WEEK: return 7;  /* 2000-01-01 was a Saturday */
	case RTC_DAY_OF_MONTH: return 1;
	case RTC_MONTH: return 1;
	case RTC_YEAR: return 0;
	case RTC_CENTURY: return 20;
	case RTC_STATUS_A: return STATUS_A_DIVIDER_32K;
	case RTC_STATUS_B: return STATUS_B_24H_BINARY;
	case RTC_STATUS_D: return STATUS_D_VALID_RAM;
	default: return 0; /* seconds, minutes, hours, status C, CMOS RAM */
	}
}

uint8_t cmos_rtc_read(const struct cmos_rtc *rtc, uint16_t port)
{
	if (port != CMOS_RTC_DATA_PORT)
		return 0xff; /* the index port is write-only */
	return register_value(rtc->index & RTC_INDEX_MASK);
}

void cmos_rtc_write(struct cmos_rtc *rtc, uint16_t port, uint8_t value)
{
	if (port == CMOS_RTC_INDEX_PORT)
		rtc->index = value;
}
