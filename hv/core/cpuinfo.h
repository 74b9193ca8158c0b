/* Identification of the processor for hv's banner (vendor, family, brand). */
#ifndef HV_CPUINFO_H
#define HV_CPUINFO_H

void cpuinfo_log(void);

#endif
