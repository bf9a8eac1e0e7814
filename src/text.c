/*
 * text.c: making text from anywhere safe for a terminal. A value from a
 * host or a user may hold escape sequences, C1 controls or bidirectional
 * overrides; sanitize() shows them as visible escapes instead.
 */
#include <stdint.h>
#include <string.h>

#include "text.h"
#include "util.h"

/*
 * Length of the well-formed UTF-8 sequence at p (1 to 4) with its code point
 * in *cp, or 0 when p starts an invalid one. Overlong forms, surrogates and
 * values past U+10FFFF are invalid; a NUL stops the look-ahead.
 */
size_t
utf8_seq(const unsigned char *p, uint32_t *cp)
{
	unsigned char	c = p[0], lo = 0x80, hi = 0xbf;
	uint32_t	v;
	size_t		n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	v = (v << 6) | (p[1] & 0x3f);
	for (i = 2; i < n; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	*cp = v;
	return n;
}

int
utf8_valid(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	size_t			 n;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((n = utf8_seq(p, &cp)) == 0)
			return 0;
		p += n;
	}
	return 1;
}

/*
 * Code points above ASCII that must not reach a terminal raw: C1 controls
 * (U+009B is a CSI on many terminals), and the line separators and
 * bidirectional overrides that can make a value look like another.
 */
static int
cp_hidden(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Appends s to b with sanitize()'s escapes; safe runs are copied whole. */
void
sanitize_add(struct buf *b, const char *s)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = (const unsigned char *)s, *run = p;
	char			 esc[4] = { '\\', 'x', 0, 0 };
	uint32_t		 cp;
	size_t			 n, i;

	while (*p != '\0') {
		if (*p >= 0x20 && *p < 0x7f) {
			p++;
			continue;
		}
		n = utf8_seq(p, &cp);
		if (n > 1 && !cp_hidden(cp)) {
			p += n;
			continue;
		}
		buf_add(b, run, (size_t)(p - run));
		if (n == 0)
			n = 1;
		if (*p == '\t')
			buf_add(b, "\\t", 2);
		else if (*p == '\n')
			buf_add(b, "\\n", 2);
		else if (*p == '\r')
			buf_add(b, "\\r", 2);
		else {
			for (i = 0; i < n; i++) {
				esc[2] = hex[p[i] >> 4];
				esc[3] = hex[p[i] & 0xf];
				buf_add(b, esc, 4);
			}
		}
		p += n;
		run = p;
	}
	buf_add(b, run, (size_t)(p - run));
}

const char *
sanitize(const char *s, struct buf *out)
{
	buf_reset(out);
	buf_add(out, "", 0);
	if (s != NULL)
		sanitize_add(out, s);
	return out->data;
}
