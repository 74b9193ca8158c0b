/*
 * Power control as hv offers it to a partition: ACPI S5 through the
 * PM1a control port and reset through port 0xCF9.  Each returns only if
 * hv did not act on the request.
 */
#ifndef KERNEL_POWER_H
#define KERNEL_POWER_H

void power_off(void);
void power_reset(void);

#endif
