/*
 * The screen console's text layer (fbcon.c): lines of text drawn with the
 * built-in font into a linear 32-bit framebuffer, wrapped at the screen's
 * width and scrolled when they reach the bottom.  Pure code over a pixel
 * pointer, so the unit tests and the screen test's host tool draw exactly
 * what hv draws.
 *
 * How it draws, and why: the framebuffer is never read.  On real hardware
 * it is uncached or write-combining memory, where reads cost far more
 * than writes, so a scroll is not a memmove of pixel rows: the text grid
 * (what the screen should show) is moved in RAM, and each cell whose
 * character differs from the one on screen (the shown grid) is drawn
 * again.  Scrolling jumps several rows at once (`jump`) so that its cost
 * is shared by the lines that follow.  A line is laid out completely
 * (scroll included) before any pixel is written, and every pixel is
 * written once per line with its final value: a picture taken while a
 * line is being drawn shows each pixel either as it was before the line
 * or as it is after it.
 */
#ifndef HV_FBCON_H
#define HV_FBCON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <core/fbcon_font.h>

/* The largest text grid: a 3840x2160 screen; a bigger one uses its top left. */
#define FBCON_MAX_COLS 480u
#define FBCON_MAX_ROWS 135u

/* Colours as 0xRRGGBB. */
#define FBCON_FG 0xc0c8d0u
#define FBCON_BG 0x000000u

/* A linear framebuffer of 32-bit pixels; each colour is 8 bits at its shift. */
struct fbcon_surface {
	uint32_t *pixels;
	uint32_t width, height;  /* visible pixels */
	uint32_t stride;         /* pixels from one row to the next, >= width */
	uint8_t red_shift, green_shift, blue_shift;
};

struct fbcon_stats {
	uint64_t lines;   /* lines written */
	uint64_t scrolls; /* jumps */
	uint64_t cells;   /* glyphs drawn */
};

struct fbcon {
	struct fbcon_surface s;
	uint32_t cols, rows;
	uint32_t row;      /* the row the next line starts on */
	uint32_t jump;     /* rows a scroll moves at least */
	uint32_t fg, bg;   /* packed for the surface */
	struct fbcon_stats stats;
	char text[FBCON_MAX_ROWS][FBCON_MAX_COLS];  /* what the screen should show */
	char shown[FBCON_MAX_ROWS][FBCON_MAX_COLS]; /* what it shows */
};

/*
 * Takes the surface, clears all of it to the background and starts at the
 * top.  jump: rows a scroll moves (0: a quarter of the screen).  false,
 * touching nothing, when the surface is smaller than one glyph or its
 * shifts are not 0, 8, 16 or 24, or when the font is malformed.
 */
bool fbcon_init(struct fbcon *c, const struct fbcon_surface *s, uint32_t jump);

/*
 * Draws one line (no newline in it), wrapped over as many rows as it
 * needs (at most the whole screen); bytes outside 0x20-0x7e show as a box.
 */
void fbcon_write_line(struct fbcon *c, const char *text, size_t len);

/* 0xRRGGBB packed into a pixel of surface s. */
uint32_t fbcon_pack(const struct fbcon_surface *s, uint32_t rgb);

#endif
