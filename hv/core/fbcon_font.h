/*
 * The screen console's built-in 8x16 bitmap font (fbcon_font.c): one glyph
 * per printable ASCII character and a box for any other byte.  Pure data
 * and code, shared by hv, the unit tests and the screen test's host tool.
 */
#ifndef HV_FBCON_FONT_H
#define HV_FBCON_FONT_H

#include <stdbool.h>
#include <stdint.h>

#define FBCON_GLYPH_W 8u
#define FBCON_GLYPH_H 16u
#define FBCON_FONT_FIRST 0x20u  /* ' ' */
#define FBCON_FONT_COUNT 96u    /* 0x20-0x7e, then the box */

/* Turns the art into bitmaps (once); false if the art is malformed. */
bool fbcon_font_init(void);

/*
 * The 16 rows of c's glyph, top first, bit 7 the left pixel; bytes outside
 * 0x20-0x7e get the box.  Valid after fbcon_font_init returned true.
 */
const uint8_t *fbcon_font_glyph(unsigned char c);

#endif
