/*
 * screen: finds the framebuffer the firmware's Graphics Output Protocol
 * left on the screen and records it in boot_info for hv's screen console.
 */
#ifndef BOOT_SCREEN_H
#define BOOT_SCREEN_H

#include <hv/boot_info.h>

/*
 * Fills *fb from the console's GOP (or the first GOP there is) and logs
 * what it found; leaves fb->base 0 when there is no framebuffer hv can
 * draw on, which is not an error: hv then logs to serial only.
 */
void screen_find(struct boot_framebuffer *fb);

#endif
