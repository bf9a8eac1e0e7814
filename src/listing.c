/*
 * listing.c: the output of every list and show command. Tables are held
 * compactly (one allocation per row) until the end so that columns can be
 * sized and fitted to the terminal; JSON and CSV are written row by row.
 * Every string bound for a table or CSV goes through sanitize() so that
 * values from hosts and users can never drive the reader's terminal.
 */
#include <errno.h>
#include <langinfo.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <jansson.h>

#include "err.h"
#include "filter.h"
#include "listing.h"
#include "util.h"

/* Narrowest a column is shrunk to when fitting a table to the terminal. */
#define MIN_COLW	3

struct listing {
	FILE			 *out;
	const struct col_def	 *cols;
	size_t			  ncols;
	enum out_format		  format;
	int			  no_header;
	int			  width;
	int			  utf8;		/* locale codeset is UTF-8 */
	size_t			 *sel;		/* shown columns, as indexes */
	size_t			  nsel;
	struct filter		 *filter;
	size_t			  count;
	int			  started;	/* JSON "[" or CSV header written */
	json_t			 *jrow;		/* JSON: the object every row refills */

	/* Table: rows of NUL-separated cells, one allocation each. */
	char			 *header;
	char			**rows;
	size_t			  nrows;
	size_t			  rowcap;
	size_t			 *widths;	/* widest cell per shown column */

	struct buf		  line;
	struct buf		  scratch;
};

static const struct list_opts	default_opts = { OUT_TABLE, NULL, NULL, 0, 0 };

int
out_format_parse(const char *s, enum out_format *fmt)
{
	struct buf	b = { NULL, 0, 0 };
	int		r;

	if (strcmp(s, "table") == 0)
		*fmt = OUT_TABLE;
	else if (strcmp(s, "json") == 0)
		*fmt = OUT_JSON;
	else if (strcmp(s, "csv") == 0)
		*fmt = OUT_CSV;
	else {
		r = err_set(ERR_USAGE, "unknown output format '%s' (table, "
		    "json, csv)", sanitize(s, &b));
		buf_free(&b);
		return r;
	}
	return 0;
}

/*
 * Length of the well-formed UTF-8 sequence at p (1 to 4) with its code point
 * in *cp, or 0 when p starts an invalid one. Overlong forms, surrogates and
 * values past U+10FFFF are invalid; a NUL stops the look-ahead.
 */
static size_t
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

/* Whether all of s is well-formed UTF-8, which JSON requires. */
static int
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
static void
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

/* Whether the locale main() chose speaks UTF-8, which decides widths. */
static int
locale_utf8(void)
{
	const char	*cs = nl_langinfo(CODESET);

	return cs != NULL && (strcmp(cs, "UTF-8") == 0 ||
	    strcmp(cs, "utf8") == 0);
}

/* Width of one character at p on a terminal, and its length in *len. */
static size_t
char_width(const char *s, int utf8, size_t *len)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	int			 w;

	*len = 1;
	if (!utf8 || *p < 0x80)
		return 1;
	if ((*len = utf8_seq(p, &cp)) == 0) {
		*len = 1;
		return 1;
	}
	w = wcwidth((wchar_t)cp);
	/* Unknown to the locale: assume the terminal shows one cell. */
	return w < 0 ? 1 : (size_t)w;
}

/* Terminal cells taken by s: bytes unless the locale is UTF-8. */
static size_t
disp_width(const char *s, int utf8)
{
	size_t	w = 0, len;

	if (!utf8)
		return strlen(s);
	while (*s != '\0') {
		if ((unsigned char)*s < 0x80) {
			w++;
			s++;
			continue;
		}
		w += char_width(s, utf8, &len);
		s += len;
	}
	return w;
}

/*
 * Appends the longest prefix of s that fits maxw - 1 cells, then the
 * truncation mark; returns the width used, which may fall short of maxw
 * when a wide character did not fit.
 */
static size_t
add_truncated(struct buf *b, const char *s, size_t maxw, int utf8)
{
	size_t	used = 0, cw, len;

	if (maxw == 0)
		return 0;
	while (*s != '\0') {
		cw = char_width(s, utf8, &len);
		if (used + cw > maxw - 1)
			break;
		buf_add(b, s, len);
		used += cw;
		s += len;
	}
	buf_addstr(b, utf8 ? "\xe2\x80\xa6" : "~");
	return used + 1;
}

static void
add_spaces(struct buf *b, size_t n)
{
	static const char	sp[] = "                                ";

	while (n > 0) {
		size_t	k = n < sizeof sp - 1 ? n : sizeof sp - 1;

		buf_add(b, sp, k);
		n -= k;
	}
}

static int
col_numeric(enum col_type t)
{
	return t == COL_INT || t == COL_SIZE;
}

/*
 * Appends a value as a table shows it: "-" when unset, sizes for people,
 * times in ISO 8601 with the zone (UTC), as every output format shows them.
 */
static void
add_cell_table(struct buf *b, const char *v, enum col_type t)
{
	char	tmp[64];
	int64_t	n;

	if (v == NULL) {
		buf_addc(b, '-');
		return;
	}
	if (t == COL_SIZE && parse_i64(v, &n) == 0) {
		buf_addstr(b, fmt_size(n, tmp, sizeof tmp));
		return;
	}
	if (t == COL_TIME && parse_i64(v, &n) == 0) {
		buf_addstr(b, fmt_time(n, 1, tmp, sizeof tmp));
		return;
	}
	/* Integers are canonical already; anything malformed is shown as is. */
	sanitize_add(b, v);
}

/* Appends one CSV field, quoted only when RFC 4180 requires it. */
static void
csv_add_field(struct buf *b, const char *s)
{
	const char	*q;

	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_addstr(b, s);
		return;
	}
	buf_addc(b, '"');
	while ((q = strchr(s, '"')) != NULL) {
		buf_add(b, s, (size_t)(q - s) + 1);
		buf_addc(b, '"');
		s = q + 1;
	}
	buf_addstr(b, s);
	buf_addc(b, '"');
}

/* Appends the CSV form of a value: bytes, ISO 8601 times, empty when unset. */
static void
csv_add_value(struct buf *b, struct buf *scratch, const char *v,
    enum col_type t)
{
	char	tmp[64];
	int64_t	n;

	if (v == NULL)
		return;
	if (t == COL_TIME && parse_i64(v, &n) == 0) {
		buf_addstr(b, fmt_time(n, 1, tmp, sizeof tmp));
		return;
	}
	csv_add_field(b, sanitize(v, scratch));
}

static void
csv_add_header(struct buf *b, struct buf *scratch, const struct col_def *cols,
    const size_t *sel, size_t nsel)
{
	size_t	i;

	for (i = 0; i < nsel; i++) {
		if (i > 0)
			buf_addc(b, ',');
		csv_add_field(b, sanitize(cols[sel[i]].name, scratch));
	}
	buf_add(b, "\r\n", 2);
}

static void
csv_add_row(struct buf *b, struct buf *scratch, const struct col_def *cols,
    const size_t *sel, size_t nsel, const char *const *vals)
{
	size_t	i;

	for (i = 0; i < nsel; i++) {
		if (i > 0)
			buf_addc(b, ',');
		csv_add_value(b, scratch, vals[sel[i]], cols[sel[i]].type);
	}
	buf_add(b, "\r\n", 2);
}

/*
 * A value as JSON: integers for numeric columns, ISO 8601 for times, null
 * when unset; malformed numbers stay strings rather than being lost, and
 * text that is not UTF-8 (which JSON cannot carry) is sanitized.
 */
static json_t *
json_value(struct buf *scratch, const char *v, enum col_type t)
{
	char	tmp[64];
	int64_t	n;

	if (v == NULL)
		return json_null();
	if (col_numeric(t) && parse_i64(v, &n) == 0)
		return json_integer((json_int_t)n);
	if (t == COL_TIME && parse_i64(v, &n) == 0)
		return json_string(fmt_time(n, 1, tmp, sizeof tmp));
	if (!utf8_valid(v))
		v = sanitize(v, scratch);
	return json_string(v);
}

static size_t
col_find(const struct col_def *cols, size_t ncols, const char *name,
    size_t len)
{
	size_t	i;

	for (i = 0; i < ncols; i++) {
		if (strlen(cols[i].name) == len &&
		    memcmp(cols[i].name, name, len) == 0)
			return i;
	}
	return ncols;
}

/*
 * Turns "a,b,c" (spaces around names allowed) into column indexes, or all
 * columns when spec is NULL. A repeated column is refused: it is nearly
 * always a typo, and JSON objects cannot hold a key twice.
 */
static int
select_cols(const struct col_def *cols, size_t ncols, const char *spec,
    size_t **selp, size_t *nselp)
{
	struct buf	 b = { NULL, 0, 0 }, names = { NULL, 0, 0 };
	size_t		*sel = NULL, nsel = 0, i, j, len, idx;
	const char	*p, *end;
	char		*name = NULL;
	int		 r = 0;

	*selp = NULL;
	*nselp = 0;
	if (spec == NULL) {
		sel = xreallocarray(NULL, ncols, sizeof *sel);
		for (i = 0; i < ncols; i++)
			sel[i] = i;
		nsel = ncols;
		goto done;
	}
	sel = xreallocarray(NULL, strlen(spec) / 2 + 1, sizeof *sel);
	for (p = spec;; p = end + 1) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0) {
			r = err_set(ERR_USAGE, "empty column name in '%s'",
			    sanitize(spec, &b));
			goto out;
		}
		if ((idx = col_find(cols, ncols, p, len)) == ncols) {
			buf_add(&names, "", 0);
			for (j = 0; j < ncols; j++)
				buf_printf(&names, "%s%s", j > 0 ? ", " : "",
				    cols[j].name);
			name = xstrndup(p, len);
			r = err_set(ERR_USAGE, "unknown column '%s' (columns: "
			    "%s)", sanitize(name, &b), names.data);
			goto out;
		}
		for (j = 0; j < nsel; j++) {
			if (sel[j] == idx) {
				r = err_set(ERR_USAGE, "column '%s' is given "
				    "twice", cols[idx].name);
				goto out;
			}
		}
		sel[nsel++] = idx;
		if (*end == '\0')
			break;
	}
 done:
	*selp = sel;
	*nselp = nsel;
	sel = NULL;	/* transferred */
 out:
	free(sel);
	free(name);
	buf_free(&b);
	buf_free(&names);
	return r;
}

static void
listing_free(struct listing *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nrows; i++)
		free(l->rows[i]);
	free(l->rows);
	json_decref(l->jrow);
	free(l->header);
	free(l->widths);
	free(l->sel);
	filter_free(l->filter);
	buf_free(&l->line);
	buf_free(&l->scratch);
	free(l);
}

/* Prepares what every row reuses: JSON keys, or the table header and widths. */
static void
listing_prepare(struct listing *l)
{
	size_t	i, start;
	char	*p;

	if (l->format == OUT_JSON) {
		/* One object for all rows: its keys are made once. */
		l->jrow = json_object();
		for (i = 0; i < l->nsel; i++)
			json_object_set_new(l->jrow, l->cols[l->sel[i]].name,
			    json_null());
	}
	if (l->format != OUT_TABLE)
		return;
	l->widths = xcalloc(l->nsel, sizeof *l->widths);
	buf_reset(&l->line);
	for (i = 0; i < l->nsel; i++) {
		start = l->line.len;
		sanitize_add(&l->line, l->cols[l->sel[i]].name);
		for (p = l->line.data + start; *p != '\0'; p++) {
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		}
		/* A header left out must not widen its column. */
		if (!l->no_header)
			l->widths[i] = disp_width(l->line.data + start,
			    l->utf8);
		buf_add(&l->line, "", 1);
	}
	l->header = xmalloc(l->line.len);
	memcpy(l->header, l->line.data, l->line.len);
}

int
listing_new(FILE *out, const struct col_def *cols, size_t ncols,
    const char *defaults, const struct list_opts *o, struct listing **ret)
{
	struct listing	*l;
	int		 r;

	*ret = NULL;
	if (o == NULL)
		o = &default_opts;
	l = xcalloc(1, sizeof *l);
	l->out = out;
	l->cols = cols;
	l->ncols = ncols;
	l->format = o->format;
	l->no_header = o->no_header;
	l->width = o->width;
	l->utf8 = locale_utf8();
	if ((r = select_cols(cols, ncols, o->columns != NULL ? o->columns :
	    defaults, &l->sel, &l->nsel)) != 0)
		goto out;
	if (o->filter != NULL &&
	    (r = filter_parse(o->filter, cols, ncols, &l->filter)) != 0)
		goto out;
	listing_prepare(l);
	*ret = l;
	l = NULL;	/* transferred */
 out:
	listing_free(l);
	return r;
}

const struct filter *
listing_filter(const struct listing *l)
{
	return l->filter;
}

size_t
listing_count(const struct listing *l)
{
	return l->count;
}

/* Formats a row's shown cells into one allocation and notes their widths. */
static void
table_keep(struct listing *l, const char *const *vals)
{
	size_t	i, start, w;

	buf_reset(&l->line);
	for (i = 0; i < l->nsel; i++) {
		start = l->line.len;
		add_cell_table(&l->line, vals[l->sel[i]],
		    l->cols[l->sel[i]].type);
		w = disp_width(l->line.data + start, l->utf8);
		if (w > l->widths[i])
			l->widths[i] = w;
		buf_add(&l->line, "", 1);
	}
	if (l->nrows == l->rowcap) {
		l->rowcap = l->rowcap == 0 ? 256 : l->rowcap * 2;
		l->rows = xreallocarray(l->rows, l->rowcap, sizeof *l->rows);
	}
	l->rows[l->nrows] = xmalloc(l->line.len);
	memcpy(l->rows[l->nrows], l->line.data, l->line.len);
	l->nrows++;
}

static int
json_to_buf(const char *p, size_t n, void *arg)
{
	buf_add(arg, p, n);
	return 0;
}

/*
 * Writes one object of the array, encoded by jansson; "[" comes with the
 * first, so an empty list is "[]".
 */
static void
json_row(struct listing *l, const char *const *vals)
{
	json_t	*v;
	size_t	 i;

	for (i = 0; i < l->nsel; i++) {
		v = json_value(&l->scratch, vals[l->sel[i]],
		    l->cols[l->sel[i]].type);
		json_object_set_new(l->jrow, l->cols[l->sel[i]].name,
		    v != NULL ? v : json_null());
	}
	buf_reset(&l->line);
	buf_addstr(&l->line, l->started ? ",\n" : "[\n");
	l->started = 1;
	/* jansson writes token by token: gather a row, write it once. */
	json_dump_callback(l->jrow, json_to_buf, &l->line,
	    JSON_COMPACT | JSON_PRESERVE_ORDER);
	fwrite(l->line.data, 1, l->line.len, l->out);
}

/* Writes the header once: before the first row, or at the end if none. */
static void
csv_start(struct listing *l)
{
	if (l->started)
		return;
	l->started = 1;
	if (l->no_header)
		return;
	buf_reset(&l->line);
	csv_add_header(&l->line, &l->scratch, l->cols, l->sel, l->nsel);
	fwrite(l->line.data, 1, l->line.len, l->out);
}

int
listing_row(struct listing *l, const char *const *vals)
{
	if (l->filter != NULL && !filter_match(l->filter, vals))
		return 0;
	l->count++;
	switch (l->format) {
	case OUT_TABLE:
		table_keep(l, vals);
		break;
	case OUT_JSON:
		json_row(l, vals);
		break;
	case OUT_CSV:
		csv_start(l);
		buf_reset(&l->line);
		csv_add_row(&l->line, &l->scratch, l->cols, l->sel, l->nsel,
		    vals);
		fwrite(l->line.data, 1, l->line.len, l->out);
		break;
	}
	return 0;
}

/*
 * Shrinks the widest columns until the table fits l->width, one step at a
 * time among equals so that two long columns share the loss. Columns never
 * go below MIN_COLW; a terminal too narrow even for that gets long lines.
 */
static void
table_fit(struct listing *l, size_t *w)
{
	size_t	total = 0, excess, i, best, second, target, step;

	for (i = 0; i < l->nsel; i++)
		total += w[i] + (i > 0 ? 2 : 0);
	if (l->width <= 0 || total <= (size_t)l->width)
		return;
	excess = total - (size_t)l->width;
	while (excess > 0) {
		best = l->nsel;
		for (i = 0; i < l->nsel; i++) {
			if (w[i] <= MIN_COLW)
				continue;
			if (best == l->nsel || w[i] > w[best])
				best = i;
		}
		if (best == l->nsel)
			break;
		second = 0;
		for (i = 0; i < l->nsel; i++) {
			if (i != best && w[i] > MIN_COLW && w[i] > second)
				second = w[i];
		}
		target = second > MIN_COLW ? second : MIN_COLW;
		if (target >= w[best])
			step = 1;
		else
			step = w[best] - target;
		if (step > excess)
			step = excess;
		w[best] -= step;
		excess -= step;
	}
}

/* Writes one table line: padded cells, two spaces apart, no trailing blanks. */
static void
table_line(struct listing *l, const char *cells, const size_t *w)
{
	struct buf	*b = &l->line;
	size_t		 i, cw, pad;
	int		 right;

	buf_reset(b);
	for (i = 0; i < l->nsel; i++) {
		if (i > 0)
			buf_add(b, "  ", 2);
		right = col_numeric(l->cols[l->sel[i]].type);
		cw = disp_width(cells, l->utf8);
		if (cw > w[i]) {
			cw = add_truncated(b, cells, w[i], l->utf8);
			add_spaces(b, w[i] - cw);
		} else {
			pad = w[i] - cw;
			if (right)
				add_spaces(b, pad);
			buf_addstr(b, cells);
			if (!right)
				add_spaces(b, pad);
		}
		cells += strlen(cells) + 1;
	}
	while (b->len > 0 && b->data[b->len - 1] == ' ')
		b->len--;
	buf_addc(b, '\n');
	fwrite(b->data, 1, b->len, l->out);
}

static void
table_write(struct listing *l)
{
	size_t	i;

	table_fit(l, l->widths);
	if (!l->no_header)
		table_line(l, l->header, l->widths);
	for (i = 0; i < l->nrows; i++)
		table_line(l, l->rows[i], l->widths);
}

/* Flushes out and turns a write failure into ERR_IO. */
static int
flush_out(FILE *out)
{
	if (fflush(out) == EOF || ferror(out))
		return err_set(ERR_IO, "cannot write the output: %s",
		    strerror(errno));
	return 0;
}

int
listing_end(struct listing *l)
{
	int	r;

	if (l == NULL)
		return 0;
	switch (l->format) {
	case OUT_TABLE:
		table_write(l);
		break;
	case OUT_JSON:
		fputs(l->started ? "\n]\n" : "[]\n", l->out);
		break;
	case OUT_CSV:
		csv_start(l);
		break;
	}
	r = flush_out(l->out);
	listing_free(l);
	return r;
}

/* "name:" lines for one record, values as in a table but never truncated. */
static void
show_table(FILE *out, const struct col_def *cols, const size_t *sel,
    size_t nsel, const char *const *vals)
{
	struct buf	b = { NULL, 0, 0 };
	size_t		i, maxlen = 0;

	for (i = 0; i < nsel; i++) {
		if (strlen(cols[sel[i]].name) > maxlen)
			maxlen = strlen(cols[sel[i]].name);
	}
	for (i = 0; i < nsel; i++) {
		buf_reset(&b);
		sanitize_add(&b, cols[sel[i]].name);
		buf_addc(&b, ':');
		add_spaces(&b, maxlen + 1 - strlen(cols[sel[i]].name));
		add_cell_table(&b, vals[sel[i]], cols[sel[i]].type);
		while (b.len > 0 && b.data[b.len - 1] == ' ')
			b.len--;
		buf_addc(&b, '\n');
		fwrite(b.data, 1, b.len, out);
	}
	buf_free(&b);
}

/* One pretty JSON object for a record, built with jansson. */
static int
show_json(FILE *out, const struct col_def *cols, const size_t *sel,
    size_t nsel, const char *const *vals)
{
	struct buf	 scratch = { NULL, 0, 0 };
	json_t		*obj, *v;
	size_t		 i;
	int		 r = 0;

	obj = json_object();
	for (i = 0; i < nsel; i++) {
		v = json_value(&scratch, vals[sel[i]], cols[sel[i]].type);
		if (v == NULL || json_object_set_new(obj, cols[sel[i]].name,
		    v) != 0) {
			r = err_set(ERR_FAIL, "cannot encode column '%s' as "
			    "JSON", cols[sel[i]].name);
			goto out;
		}
	}
	if (json_dumpf(obj, out, JSON_INDENT(2)) != 0) {
		r = err_set(ERR_IO, "cannot write the output: %s",
		    strerror(errno));
		goto out;
	}
	fputc('\n', out);
 out:
	json_decref(obj);
	buf_free(&scratch);
	return r;
}

int
listing_show(FILE *out, const struct col_def *cols, size_t ncols,
    const char *const *vals, const struct list_opts *o)
{
	struct buf	 b = { NULL, 0, 0 }, scratch = { NULL, 0, 0 };
	size_t		*sel = NULL, nsel;
	int		 r;

	if (o == NULL)
		o = &default_opts;
	if ((r = select_cols(cols, ncols, o->columns, &sel, &nsel)) != 0)
		goto out;
	switch (o->format) {
	case OUT_TABLE:
		show_table(out, cols, sel, nsel, vals);
		break;
	case OUT_JSON:
		if ((r = show_json(out, cols, sel, nsel, vals)) != 0)
			goto out;
		break;
	case OUT_CSV:
		if (!o->no_header)
			csv_add_header(&b, &scratch, cols, sel, nsel);
		csv_add_row(&b, &scratch, cols, sel, nsel, vals);
		fwrite(b.data, 1, b.len, out);
		break;
	}
	r = flush_out(out);
 out:
	free(sel);
	buf_free(&b);
	buf_free(&scratch);
	return r;
}
