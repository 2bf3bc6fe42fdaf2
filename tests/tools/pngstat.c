// SPDX-License-Identifier: GPL-2.0
/*
 * pngstat: what a screenshot shows, for the HTML tests.
 *
 *   pngstat FILE [#rrggbb...]
 *
 * Prints "size W H", "inked N" (pixels that are not white) and, per colour
 * asked for, "#rrggbb N" (pixels of exactly that colour). Reads 8-bit
 * RGB or RGBA, non-interlaced PNGs (what Chromium writes).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

static void die(const char *msg)
{
	fprintf(stderr, "pngstat: %s\n", msg);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned char *file, *idat = NULL, *raw, *prev, *row;
	size_t flen, ilen = 0, stride, x, y, off = 8;
	uint32_t w = 0, h = 0, want[16];
	unsigned long count[16] = { 0 }, inked = 0;
	int bpp = 0, nwant = 0, i;
	uLongf rawlen;
	FILE *f;

	if (argc < 2 || !(f = fopen(argv[1], "rb")))
		die("usage: pngstat FILE [#rrggbb...]");
	fseek(f, 0, SEEK_END);
	flen = ftell(f);
	rewind(f);
	file = malloc(flen);
	if (!file || fread(file, 1, flen, f) != flen || flen < 8 || memcmp(file, "\x89PNG", 4))
		die("not a PNG");
	fclose(f);
	for (i = 2; i < argc && nwant < 16; i++)
		want[nwant++] = strtoul(argv[i] + (argv[i][0] == '#'), NULL, 16);
	while (off + 12 <= flen) {
		uint32_t len = be32(file + off);
		const unsigned char *type = file + off + 4, *data = file + off + 8;

		if (off + 12 + len > flen)
			die("truncated chunk");
		if (!memcmp(type, "IHDR", 4)) {
			w = be32(data);
			h = be32(data + 4);
			if (data[8] != 8 || (data[9] != 2 && data[9] != 6) || data[12])
				die("only 8-bit RGB/RGBA, non-interlaced");
			bpp = data[9] == 6 ? 4 : 3;
		} else if (!memcmp(type, "IDAT", 4)) {
			idat = realloc(idat, ilen + len);
			memcpy(idat + ilen, data, len);
			ilen += len;
		}
		off += 12 + len;
	}
	if (!bpp || !idat)
		die("no image data");
	stride = (size_t)w * bpp;
	rawlen = (stride + 1) * h;
	raw = malloc(rawlen);
	prev = calloc(stride, 1);
	if (!raw || !prev || uncompress(raw, &rawlen, idat, ilen) != Z_OK ||
	    rawlen != (stride + 1) * h)
		die("bad image data");
	for (y = 0; y < h; y++) {
		int filter = raw[y * (stride + 1)];

		row = raw + y * (stride + 1) + 1;
		for (x = 0; x < stride; x++) {
			int a = x >= (size_t)bpp ? row[x - bpp] : 0, b = prev[x];
			int c = x >= (size_t)bpp ? prev[x - bpp] : 0;

			switch (filter) {
			case 1: row[x] += a; break;
			case 2: row[x] += b; break;
			case 3: row[x] += (a + b) / 2; break;
			case 4: row[x] += paeth(a, b, c); break;
			}
		}
		for (x = 0; x < w; x++) {
			const unsigned char *p = row + x * bpp;
			uint32_t rgb = (uint32_t)p[0] << 16 | p[1] << 8 | p[2];

			inked += rgb != 0xffffff;
			for (i = 0; i < nwant; i++)
				count[i] += rgb == want[i];
		}
		prev = row;
	}
	printf("size %u %u\ninked %lu\n", w, h, inked);
	for (i = 0; i < nwant; i++)
		printf("#%06x %lu\n", want[i], count[i]);
	return 0;
}
