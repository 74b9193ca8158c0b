/*
 * The screen console's text layer (see fbcon.h for how and why it draws
 * the way it does): lay a line out in the text grid, scrolling by a jump
 * when it does not fit, then draw every cell whose character changed.
 */
#include <core/fbcon.h>

#include <lib/string.h>

/* A store of two pixels at a 4-byte aligned address (a stride may be odd). */
typedef uint64_t pixel_pair __attribute__((aligned(4), may_alias));

static uint32_t channel_shift_ok(uint8_t shift)
{
	return shift == 0 || shift == 8 || shift == 16 || shift == 24;
}

uint32_t fbcon_pack(const struct fbcon_surface *s, uint32_t rgb)
{
	return ((rgb >> 16) & 0xffu) << s->red_shift | ((rgb >> 8) & 0xffu) << s->green_shift |
	       (rgb & 0xffu) << s->blue_shift;
}

static bool surface_ok(const struct fbcon_surface *s)
{
	return s->pixels != NULL && s->width >= FBCON_GLYPH_W && s->height >= FBCON_GLYPH_H &&
	       s->stride >= s->width && channel_shift_ok(s->red_shift) &&
	       channel_shift_ok(s->green_shift) && channel_shift_ok(s->blue_shift) &&
	       s->red_shift != s->green_shift && s->red_shift != s->blue_shift &&
	       s->green_shift != s->blue_shift;
}

static void clear_surface(const struct fbcon *c)
{
	for (uint32_t y = 0; y < c->s.height; y++) {
		uint32_t *row = c->s.pixels + (size_t)y * c->s.stride;

		for (uint32_t x = 0; x < c->s.width; x++)
			row[x] = c->bg;
	}
}

bool fbcon_init(struct fbcon *c, const struct fbcon_surface *s, uint32_t jump)
{
	if (!surface_ok(s) || !fbcon_font_init())
		return false;
	c->s = *s;
	c->cols = s->width / FBCON_GLYPH_W;
	c->rows = s->height / FBCON_GLYPH_H;
	if (c->cols > FBCON_MAX_COLS)
		c->cols = FBCON_MAX_COLS;
	if (c->rows > FBCON_MAX_ROWS)
		c->rows = FBCON_MAX_ROWS;
	c->jump = jump != 0 ? jump : c->rows / 4;
	if (c->jump == 0 || c->jump > c->rows)
		c->jump = c->jump == 0 ? 1 : c->rows;
	c->row = 0;
	c->fg = fbcon_pack(s, FBCON_FG);
	c->bg = fbcon_pack(s, FBCON_BG);
	c->stats = (struct fbcon_stats){ 0 };
	memset(c->text, ' ', sizeof(c->text));
	memset(c->shown, ' ', sizeof(c->shown));
	clear_surface(c);
	return true;
}

/* The glyph of ch at cell (row, col): four two-pixel stores per pixel row. */
static void draw_cell(struct fbcon *c, uint32_t row, uint32_t col, char ch)
{
	const uint8_t *glyph = fbcon_font_glyph((unsigned char)ch);
	uint32_t *px = c->s.pixels + (size_t)row * FBCON_GLYPH_H * c->s.stride +
		       (size_t)col * FBCON_GLYPH_W;
	uint64_t pair[4];

	/* Index: bit 1 the left pixel (the lower address), bit 0 the right. */
	pair[0] = c->bg | (uint64_t)c->bg << 32;
	pair[1] = c->bg | (uint64_t)c->fg << 32;
	pair[2] = c->fg | (uint64_t)c->bg << 32;
	pair[3] = c->fg | (uint64_t)c->fg << 32;
	for (uint32_t y = 0; y < FBCON_GLYPH_H; y++, px += c->s.stride) {
		uint8_t bits = glyph[y];

		*(pixel_pair *)(px + 0) = pair[bits >> 6];
		*(pixel_pair *)(px + 2) = pair[(bits >> 4) & 3u];
		*(pixel_pair *)(px + 4) = pair[(bits >> 2) & 3u];
		*(pixel_pair *)(px + 6) = pair[bits & 3u];
	}
	c->shown[row][col] = ch;
	c->stats.cells++;
}

/* Draws the cells of rows [first, end) that differ from what is shown. */
static void render(struct fbcon *c, uint32_t first, uint32_t end)
{
	for (uint32_t r = first; r < end; r++) {
		for (uint32_t col = 0; col < c->cols; col++) {
			if (c->text[r][col] != c->shown[r][col])
				draw_cell(c, r, col, c->text[r][col]);
		}
	}
}

/* Moves the text up by n rows (in RAM only) and blanks the rows freed. */
static void scroll(struct fbcon *c, uint32_t n)
{
	uint32_t keep = c->rows - n;

	memmove(c->text[0], c->text[n], (size_t)keep * FBCON_MAX_COLS);
	memset(c->text[keep], ' ', (size_t)n * FBCON_MAX_COLS);
	c->row -= n;
	c->stats.scrolls++;
}

static char printable(char ch)
{
	return ch >= 0x20 && ch <= 0x7e ? ch : 0x7f; /* 0x7f: the font's box */
}

void fbcon_write_line(struct fbcon *c, const char *text, size_t len)
{
	size_t max = (size_t)c->rows * c->cols;
	uint32_t need, first;
	bool scrolled = false;

	if (len > max)
		len = max;
	need = len == 0 ? 1 : (uint32_t)((len + c->cols - 1) / c->cols);
	first = c->row;
	if (c->row + need > c->rows) {
		/* over <= row, since need <= rows: the jump is cut to what there is */
		uint32_t over = c->row + need - c->rows;
		uint32_t n = over > c->jump ? over : c->jump;

		scroll(c, n < c->row ? n : c->row);
		scrolled = true;
	}
	for (size_t i = 0; i < len; i++)
		c->text[c->row + i / c->cols][i % c->cols] = printable(text[i]);
	c->row += need;
	c->stats.lines++;
	/* After a scroll any row may differ from what is shown. */
	render(c, scrolled ? 0 : first, scrolled ? c->rows : c->row);
}
