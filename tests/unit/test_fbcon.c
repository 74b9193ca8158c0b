/*
 * Unit tests of the screen console's font and text layer
 * (hv/core/fbcon_font.c, hv/core/fbcon.c) drawing into a framebuffer in
 * memory: the art is well formed and its glyphs are distinct, a line reads
 * back cell by cell, lines wrap and scroll by jumps, both pixel orders,
 * the padding beyond the visible width is never written.  The last test
 * is a benchmark: the time to fill a screen with log lines (printed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <core/fbcon.h>

#define CANARY 0x5a5a5a5au

static struct fbcon con;

/* A surface of w x h pixels with `pad` extra pixels per row, filled with CANARY. */
static struct fbcon_surface surface(uint32_t w, uint32_t h, uint32_t pad, int bgr)
{
	struct fbcon_surface s = { 0 };
	size_t n = (size_t)(w + pad) * h;

	s.pixels = malloc(n * sizeof(uint32_t));
	assert_non_null(s.pixels);
	for (size_t i = 0; i < n; i++)
		s.pixels[i] = CANARY;
	s.width = w;
	s.height = h;
	s.stride = w + pad;
	s.red_shift = bgr ? 16 : 0;
	s.green_shift = 8;
	s.blue_shift = bgr ? 0 : 16;
	return s;
}

/* The character whose glyph is drawn at cell (row, col), '\0' if none matches. */
static char cell_char(const struct fbcon *c, uint32_t row, uint32_t col)
{
	const uint32_t *px = c->s.pixels + (size_t)row * FBCON_GLYPH_H * c->s.stride +
			     (size_t)col * FBCON_GLYPH_W;
	uint8_t bits[FBCON_GLYPH_H];

	for (uint32_t y = 0; y < FBCON_GLYPH_H; y++, px += c->s.stride) {
		bits[y] = 0;
		for (uint32_t x = 0; x < FBCON_GLYPH_W; x++) {
			if (px[x] != c->fg && px[x] != c->bg)
				return '\0';
			bits[y] = (uint8_t)(bits[y] << 1 | (px[x] == c->fg));
		}
	}
	for (unsigned ch = FBCON_FONT_FIRST; ch < FBCON_FONT_FIRST + FBCON_FONT_COUNT; ch++) {
		if (memcmp(fbcon_font_glyph((unsigned char)ch), bits, sizeof(bits)) == 0)
			return (char)ch;
	}
	return '\0';
}

/* Row `row` of the screen read back from its pixels, trailing blanks cut. */
static void read_row(const struct fbcon *c, uint32_t row, char *out)
{
	uint32_t len = 0;

	for (uint32_t col = 0; col < c->cols; col++) {
		out[col] = cell_char(c, row, col);
		assert_true(out[col] != '\0');
		if (out[col] != ' ')
			len = col + 1;
	}
	out[len] = '\0';
}

static void assert_row(const struct fbcon *c, uint32_t row, const char *want)
{
	char got[FBCON_MAX_COLS + 1];

	read_row(c, row, got);
	assert_string_equal(got, want);
}

static void test_font_is_well_formed(void **state)
{
	const uint8_t *space, *underscore;

	(void)state;
	assert_true(fbcon_font_init());
	space = fbcon_font_glyph(' ');
	underscore = fbcon_font_glyph('_');
	for (uint32_t y = 0; y < FBCON_GLYPH_H; y++)
		assert_int_equal(space[y], 0);
	for (unsigned a = FBCON_FONT_FIRST; a < FBCON_FONT_FIRST + FBCON_FONT_COUNT; a++) {
		const uint8_t *ga = fbcon_font_glyph((unsigned char)a);
		unsigned ink = 0;

		for (uint32_t y = 0; y < FBCON_GLYPH_H; y++) {
			ink |= ga[y];
			/* column 7 is the gap between letters, but for '_' */
			if (ga != underscore)
				assert_int_equal(ga[y] & 1u, 0);
		}
		assert_true(a == ' ' || ink != 0);
		for (unsigned b = FBCON_FONT_FIRST; b < a; b++)
			assert_true(memcmp(ga, fbcon_font_glyph((unsigned char)b), FBCON_GLYPH_H) != 0);
	}
	/* every byte outside the printable range is the box */
	assert_ptr_equal(fbcon_font_glyph(0x7f), fbcon_font_glyph(0x01));
	assert_ptr_equal(fbcon_font_glyph(0xff), fbcon_font_glyph('\n'));
	assert_ptr_not_equal(fbcon_font_glyph(0x7e), fbcon_font_glyph(0x7f));
}

static void test_init_rejects_bad_surfaces(void **state)
{
	struct fbcon_surface s = surface(64, 32, 0, 1), bad;

	(void)state;
	bad = s, bad.width = 7;
	assert_false(fbcon_init(&con, &bad, 0));
	bad = s, bad.height = 15;
	assert_false(fbcon_init(&con, &bad, 0));
	bad = s, bad.stride = 63;
	assert_false(fbcon_init(&con, &bad, 0));
	bad = s, bad.red_shift = 4;
	assert_false(fbcon_init(&con, &bad, 0));
	bad = s, bad.green_shift = bad.blue_shift;
	assert_false(fbcon_init(&con, &bad, 0));
	bad = s, bad.pixels = NULL;
	assert_false(fbcon_init(&con, &bad, 0));
	assert_int_equal(s.pixels[0], CANARY); /* nothing touched */
	assert_true(fbcon_init(&con, &s, 0));
	free(s.pixels);
}

static void test_pixel_orders(void **state)
{
	struct fbcon_surface bgr = surface(16, 16, 0, 1), rgb = surface(16, 16, 0, 0);

	(void)state;
	/* BGR (byte 0 blue): 0xRRGGBB reads as itself in a little-endian word */
	assert_int_equal(fbcon_pack(&bgr, 0x123456), 0x123456);
	assert_int_equal(fbcon_pack(&rgb, 0x123456), 0x563412);
	assert_true(fbcon_init(&con, &rgb, 0));
	assert_int_equal(rgb.pixels[0], fbcon_pack(&rgb, FBCON_BG));
	fbcon_write_line(&con, "|", 1); /* '|' has ink in column 3 of row 8 */
	assert_int_equal(rgb.pixels[8 * 16 + 3], fbcon_pack(&rgb, FBCON_FG));
	assert_int_equal(rgb.pixels[8 * 16 + 0], fbcon_pack(&rgb, FBCON_BG));
	free(bgr.pixels);
	free(rgb.pixels);
}

/* An odd stride: every row starts 4-byte aligned only, and the padding stays untouched. */
static void test_line_reads_back_and_padding_untouched(void **state)
{
	struct fbcon_surface s = surface(8 * 20 + 5, 16 * 4 + 9, 3, 1);
	const char *line = "hv: hypervisor 0.1.0";

	(void)state;
	assert_true(fbcon_init(&con, &s, 0));
	assert_int_equal(con.cols, 20);
	assert_int_equal(con.rows, 4);
	fbcon_write_line(&con, line, strlen(line));
	assert_row(&con, 0, line);
	assert_row(&con, 1, "");
	for (uint32_t y = 0; y < s.height; y++) {
		for (uint32_t x = s.width; x < s.stride; x++)
			assert_int_equal(s.pixels[(size_t)y * s.stride + x], CANARY);
		/* the strip right of the last column and below the last row: background */
		for (uint32_t x = con.cols * 8; x < s.width; x++)
			assert_int_equal(s.pixels[(size_t)y * s.stride + x], con.bg);
	}
	free(s.pixels);
}

static void test_wrap_and_unprintable(void **state)
{
	struct fbcon_surface s = surface(8 * 10, 16 * 5, 0, 1);

	(void)state;
	assert_true(fbcon_init(&con, &s, 0));
	fbcon_write_line(&con, "0123456789abcdefghijKLM", 23);
	fbcon_write_line(&con, "", 0);
	fbcon_write_line(&con, "tab\there", 8);
	assert_row(&con, 0, "0123456789");
	assert_row(&con, 1, "abcdefghij");
	assert_row(&con, 2, "KLM");
	assert_row(&con, 3, "");
	assert_int_equal(cell_char(&con, 4, 3), 0x7f);
	assert_int_equal(cell_char(&con, 4, 4), 'h');
	free(s.pixels);
}

/*
 * A model of what the screen must show: the last lines laid out from the
 * top after each jump.  Checked against the pixels after every line.
 */
static void test_scroll_jumps(void **state)
{
	enum { ROWS = 8, COLS = 12, LINES = 40, JUMP = 3 };
	struct fbcon_surface s = surface(8 * COLS, 16 * ROWS, 0, 0);
	char model[ROWS][COLS + 1];
	uint32_t row = 0, scrolls = 0;

	(void)state;
	memset(model, 0, sizeof(model));
	assert_true(fbcon_init(&con, &s, JUMP));
	for (int i = 0; i < LINES; i++) {
		char line[32];
		int len = snprintf(line, sizeof(line), i % 7 == 6 ? "line %d wraps here" : "line %d", i);

		if (row + (uint32_t)(len + COLS - 1) / COLS > ROWS) {
			uint32_t n = row + (uint32_t)(len + COLS - 1) / COLS - ROWS;

			n = n > JUMP ? n : JUMP;
			memmove(model[0], model[n], sizeof(model[0]) * (ROWS - n));
			memset(model[ROWS - n], 0, sizeof(model[0]) * n);
			row -= n;
			scrolls++;
		}
		for (int o = 0; o < len; o += COLS, row++)
			snprintf(model[row], COLS + 1, "%.*s", COLS, line + o);
		fbcon_write_line(&con, line, (size_t)len);
		for (uint32_t r = 0; r < ROWS; r++)
			assert_row(&con, r, model[r]);
	}
	assert_int_equal(con.stats.lines, LINES);
	assert_int_equal(con.stats.scrolls, scrolls);
	assert_true(scrolls > 5);
	free(s.pixels);
}

/* A line longer than the screen keeps its first rows*cols characters. */
static void test_line_longer_than_screen(void **state)
{
	struct fbcon_surface s = surface(8 * 4, 16 * 2, 0, 1);

	(void)state;
	assert_true(fbcon_init(&con, &s, 1));
	fbcon_write_line(&con, "ab", 2);
	fbcon_write_line(&con, "0123456789", 10);
	assert_row(&con, 0, "0123");
	assert_row(&con, 1, "4567");
	assert_int_equal(con.row, 2);
	free(s.pixels);
}

static double seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * Benchmark (prints, never fails on time): log lines of 60-110 characters
 * like hv's, until the screen has scrolled 200 times, on 1280x800 (QEMU's
 * standard VGA under OVMF) and 1920x1080.
 */
static void test_bench_full_screen(void **state)
{
	static const uint32_t sizes[][2] = { { 1280, 800 }, { 1920, 1080 } };

	(void)state;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct fbcon_surface s = surface(sizes[k][0], sizes[k][1], 0, 1);
		double t0, t1;
		uint64_t n = 0;
		char line[160];

		assert_true(fbcon_init(&con, &s, 0));
		t0 = seconds();
		while (con.stats.scrolls < 200) {
			int len = snprintf(line, sizeof(line),
					   "hv: [root] root: bus testos%llu: channel %llu open, rings 4+4 "
					   "pages%.*s", (unsigned long long)n % 7, (unsigned long long)n,
					   (int)(n % 50), "................................................");
			fbcon_write_line(&con, line, (size_t)len);
			n++;
		}
		t1 = seconds();
		printf("fbcon %ux%u (%ux%u cells, jump %u): %llu lines in %.1f ms, %.2f us a line, "
		       "%.2f ms a screen of %u lines, %.1f cells drawn a line\n",
		       sizes[k][0], sizes[k][1], con.cols, con.rows, con.jump,
		       (unsigned long long)n, (t1 - t0) * 1e3, (t1 - t0) * 1e6 / (double)n,
		       (t1 - t0) * 1e3 / (double)n * con.rows, con.rows,
		       (double)con.stats.cells / (double)n);
		free(s.pixels);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_font_is_well_formed),
		cmocka_unit_test(test_init_rejects_bad_surfaces),
		cmocka_unit_test(test_pixel_orders),
		cmocka_unit_test(test_line_reads_back_and_padding_untouched),
		cmocka_unit_test(test_wrap_and_unprintable),
		cmocka_unit_test(test_scroll_jumps),
		cmocka_unit_test(test_line_longer_than_screen),
		cmocka_unit_test(test_bench_full_screen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
