/*
 * screen_check: checks a picture of hv's screen console against its serial
 * log, pixel for pixel, with hv's own font and text layer (hv/core/fbcon.c).
 *
 *   screen_check PICTURE.ppm SERIAL.log
 *
 * PICTURE is QEMU's screendump (binary PPM, P6, 8 bits a colour) taken
 * while the machine was stopped; SERIAL is the serial log read at the same
 * moment.  hv writes each line to serial before it draws it, and draws
 * every pixel of a line once with its final value (fbcon.h), so the
 * picture must be the screen after the log's last complete line n, or
 * after line n-1, or, pixel by pixel, one of the two (line n was being
 * drawn).  The lines are those from the last "hv: hypervisor " line (the
 * first hv draws) on, without the CR the UART sends before each LF.  Exit
 * status:
 *   0  the picture is the screen after line n or n-1; the rows of that
 *      screen follow, one "row R: TEXT" line each (blank rows left out);
 *   2  the picture is between the two: take another one;
 *   1  a pixel is neither (the first is named, with the rows expected),
 *      or an input cannot be read.  Nothing drawn, garbage, a wrong font,
 *      a missing or extra line all end here.
 */
#include <core/fbcon.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BANNER "hv: hypervisor "

struct picture {
	uint32_t width, height;
	uint32_t *rgb; /* 0xRRGGBB */
};

struct log_lines {
	char *text;
	size_t *start, *len;
	size_t count;
};

static char *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "screen_check: cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	buf[n] = '\0';
	*size = (size_t)n;
	return buf;
}

/* A header number of a PPM: blanks and # comments before it. */
static long ppm_number(const char *b, size_t size, size_t *pos)
{
	long n = 0;

	while (*pos < size && (b[*pos] == ' ' || b[*pos] == '\n' || b[*pos] == '\r' ||
			       b[*pos] == '\t' || b[*pos] == '#')) {
		if (b[*pos] == '#')
			while (*pos < size && b[*pos] != '\n')
				(*pos)++;
		else
			(*pos)++;
	}
	if (*pos >= size || b[*pos] < '0' || b[*pos] > '9')
		return -1;
	while (*pos < size && b[*pos] >= '0' && b[*pos] <= '9' && n < 100000)
		n = n * 10 + (b[(*pos)++] - '0');
	return n;
}

static void read_ppm(const char *path, struct picture *p)
{
	size_t size, pos = 2;
	char *b = read_file(path, &size);
	long w, h, max;

	if (size < 2 || b[0] != 'P' || b[1] != '6' || (w = ppm_number(b, size, &pos)) <= 0 ||
	    (h = ppm_number(b, size, &pos)) <= 0 || (max = ppm_number(b, size, &pos)) != 255 ||
	    size - ++pos < (size_t)w * (size_t)h * 3) {
		fprintf(stderr, "screen_check: %s is not a binary PPM with 8 bits a colour\n", path);
		exit(1);
	}
	p->width = (uint32_t)w;
	p->height = (uint32_t)h;
	p->rgb = malloc((size_t)w * (size_t)h * sizeof(uint32_t));
	for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
		const unsigned char *px = (const unsigned char *)b + pos + 3 * i;

		p->rgb[i] = (uint32_t)px[0] << 16 | (uint32_t)px[1] << 8 | px[2];
	}
	free(b);
}

/* The complete lines from the last banner on; the last, unfinished piece is left out. */
static void read_log(const char *path, struct log_lines *l)
{
	size_t size, from = 0, cap = 1024;
	char *b = read_file(path, &size);

	for (size_t i = 0; i + strlen(BANNER) <= size; i++) {
		if ((i == 0 || b[i - 1] == '\n') && memcmp(b + i, BANNER, strlen(BANNER)) == 0)
			from = i + 1;
	}
	if (from == 0) {
		fprintf(stderr, "screen_check: no '%s' line in %s\n", BANNER, path);
		exit(1);
	}
	l->text = b;
	l->start = malloc(cap * sizeof(size_t));
	l->len = malloc(cap * sizeof(size_t));
	l->count = 0;
	for (size_t i = from - 1; i < size;) {
		char *nl = memchr(b + i, '\n', size - i);

		if (nl == NULL)
			break;
		if (l->count == cap) {
			cap *= 2;
			l->start = realloc(l->start, cap * sizeof(size_t));
			l->len = realloc(l->len, cap * sizeof(size_t));
		}
		l->start[l->count] = i;
		l->len[l->count] = (size_t)(nl - (b + i));
		/* lib/uart.c ends each line with CR LF */
		if (l->len[l->count] > 0 && b[i + l->len[l->count] - 1] == '\r')
			l->len[l->count]--;
		l->count++;
		i = (size_t)(nl - b) + 1;
	}
}

/* The screen after the first n lines, drawn into pixels of the picture's size. */
static void draw(struct fbcon *c, const struct picture *p, const struct log_lines *l, size_t n)
{
	struct fbcon_surface s = {
		.pixels = calloc((size_t)p->width * p->height, sizeof(uint32_t)),
		.width = p->width,
		.height = p->height,
		.stride = p->width,
		.red_shift = 16,
		.green_shift = 8,
		.blue_shift = 0,
	};

	if (s.pixels == NULL || !fbcon_init(c, &s, 0)) {
		fprintf(stderr, "screen_check: fbcon refuses a %ux%u screen\n", p->width, p->height);
		exit(1);
	}
	for (size_t i = 0; i < n; i++)
		fbcon_write_line(c, l->text + l->start[i], l->len[i]);
}

static void print_rows(const struct fbcon *c)
{
	for (uint32_t r = 0; r < c->rows; r++) {
		int len = (int)c->cols;

		while (len > 0 && c->text[r][len - 1] == ' ')
			len--;
		if (len > 0)
			printf("row %u: %.*s\n", r, len, c->text[r]);
	}
}

static struct fbcon before, after;

int main(int argc, char **argv)
{
	struct picture pic;
	struct log_lines log;
	size_t n, as_after = 0, as_before = 0, neither = 0, first_bad = 0, changed = 0, drawn = 0;
	size_t pixels;

	if (argc != 3) {
		fprintf(stderr, "usage: screen_check PICTURE.ppm SERIAL.log\n");
		return 1;
	}
	read_ppm(argv[1], &pic);
	read_log(argv[2], &log);
	n = log.count;
	if (n == 0) {
		printf("screen: the banner line is not complete yet\n");
		return 2;
	}
	draw(&after, &pic, &log, n);
	draw(&before, &pic, &log, n - 1);
	pixels = (size_t)pic.width * pic.height;
	for (size_t i = 0; i < pixels; i++) {
		uint32_t got = pic.rgb[i], a = after.s.pixels[i], b = before.s.pixels[i];

		as_after += got == a;
		as_before += got == b;
		changed += a != b;
		drawn += a != b && got == a;
		if (got != a && got != b && neither++ == 0)
			first_bad = i;
	}
	if (as_after == pixels || as_before == pixels) {
		printf("screen: %ux%u, as after line %zu of %zu from the banner\n", pic.width,
		       pic.height, as_after == pixels ? n : n - 1, n);
		print_rows(as_after == pixels ? &after : &before);
		return 0;
	}
	if (neither == 0) {
		printf("screen: line %zu was being drawn (%zu of the %zu pixels it changes)\n", n,
		       drawn, changed);
		return 2;
	}
	printf("screen: %zu pixels are as after neither line %zu nor line %zu; the first, at x %zu "
	       "y %zu (row %zu, column %zu), is 0x%06x where 0x%06x was expected\n", neither, n,
	       n - 1, first_bad % pic.width, first_bad / pic.width,
	       first_bad / pic.width / FBCON_GLYPH_H, first_bad % pic.width / FBCON_GLYPH_W,
	       pic.rgb[first_bad], after.s.pixels[first_bad]);
	print_rows(&after);
	return 1;
}
