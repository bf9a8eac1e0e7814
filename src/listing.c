/*
 * listing.c: the output of every list and show command. Each format is one
 * row of out_modes[] (as htop's Meter_modes[]): what it does with a row, at
 * the end, and with a single record. Tables are held compactly (one
 * allocation per row) until the end so that columns can be sized and
 * fitted to the terminal; JSON and CSV are written row by row unless the
 * rows are to be sorted first. Every string bound for a table or CSV goes
 * through sanitize() so that values from hosts and users can never drive
 * the reader's terminal.
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
#include "text.h"
#include "util.h"

/* Narrowest a column is shrunk to when fitting a table to the terminal. */
#define MIN_COLW	3

struct listing;

/* One output format. */
struct out_mode {
	int	  all_columns;	/* every column when --columns is not given */
	int	  fit;		/* a table cut to the terminal's width */
	void	(*row)(struct listing *, const char *const *vals);
	void	(*end)(struct listing *);
	/* One record, every selected column. */
	int	(*show)(struct listing *, const char *const *vals);
};

const char *const out_format_names[] = {
	[OUT_TABLE] = "table",
	[OUT_WIDE] = "wide",
	[OUT_JSON] = "json",
	[OUT_CSV] = "csv",
	[OUT__COUNT] = NULL
};

struct listing {
	listing_write_fn	  write;
	void			 *warg;
	int			  wrc;		/* first failure of write */
	const struct out_mode	 *mode;
	const struct col_def	 *cols;
	size_t			  ncols;
	int			  no_header;
	int			  width;
	int			  colour;
	int			  utf8;		/* locale codeset is UTF-8 */
	size_t			 *sel;		/* shown columns, as indexes */
	size_t			  nsel;
	struct filter		 *filter;
	size_t			  count;
	int			  started;	/* JSON "[" or CSV header written */
	json_t			 *jrow;		/* JSON: the object every row refills */

	/* --sort: rows copied as given, ordered and formatted at the end. */
	size_t			  sortcol;	/* ncols: no sorting */
	int			  sortdesc;
	char			***held;
	size_t			  nheld;
	size_t			  heldcap;

	/* Table: rows of NUL-separated cells, one allocation each. */
	char			 *header;
	char			**rows;
	size_t			  nrows;
	size_t			  rowcap;
	size_t			 *widths;	/* widest cell per shown column */

	struct buf		  line;
	struct buf		  scratch;
};

static const struct out_mode	out_modes[OUT__COUNT];

static const struct list_opts	default_opts = { OUT_TABLE, NULL, NULL, 0, 0,
	NULL, 0, 0 };

int
out_format_parse(const char *s, enum out_format *fmt)
{
	struct buf	b = { NULL, 0, 0 }, names = { NULL, 0, 0 };
	size_t		i;
	int		r;

	for (i = 0; i < OUT__COUNT; i++) {
		if (strcmp(s, out_format_names[i]) == 0) {
			*fmt = (enum out_format)i;
			return 0;
		}
	}
	for (i = 0; i < OUT__COUNT; i++)
		buf_printf(&names, "%s%s", i > 0 ? ", " : "",
		    out_format_names[i]);
	r = err_set(ERR_USAGE, "unknown output format '%s' (%s)",
	    sanitize(s, &b), names.data);
	buf_free(&b);
	buf_free(&names);
	return r;
}

int
listing_write_file(void *arg, const char *text, size_t len)
{
	FILE	*f = arg;

	if (len > 0)
		fwrite(text, 1, len, f);
	else if (fflush(f) == EOF)
		return err_set(ERR_IO, "cannot write the output: %s",
		    strerror(errno));
	if (ferror(f))
		return err_set(ERR_IO, "cannot write the output: %s",
		    strerror(errno));
	return 0;
}

/* Writes through the listing's writer; after a failure, nothing more. */
static void
emit(struct listing *l, const char *text, size_t len)
{
	if (l->wrc == 0 && len > 0)
		l->wrc = l->write(l->warg, text, len);
}

/* Tells the writer the output is complete; the first failure, or 0. */
static int
emit_end(struct listing *l)
{
	if (l->wrc == 0)
		l->wrc = l->write(l->warg, NULL, 0);
	return l->wrc;
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
			col_names(cols, ncols, &names);
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
held_free(char **row, size_t ncols)
{
	size_t	i;

	if (row == NULL)
		return;
	for (i = 0; i < ncols; i++)
		free(row[i]);
	free(row);
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
	for (i = 0; i < l->nheld; i++)
		held_free(l->held[i], l->ncols);
	free(l->held);
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
listing_prepare(struct listing *l, enum out_format format)
{
	size_t	i, start;
	char	*p;

	if (format == OUT_JSON) {
		/* One object for all rows: its keys are made once. */
		l->jrow = json_object();
		for (i = 0; i < l->nsel; i++)
			json_object_set_new(l->jrow, l->cols[l->sel[i]].name,
			    json_null());
	}
	if (format != OUT_TABLE && format != OUT_WIDE)
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

/* "COL" or "-COL" (descending) into l->sortcol and l->sortdesc. */
static int
sort_parse(struct listing *l, const char *spec)
{
	struct buf	 b = { NULL, 0, 0 }, names = { NULL, 0, 0 };
	const char	*name = spec;
	size_t		 j;
	int		 r;

	if (*name == '-') {
		l->sortdesc = 1;
		name++;
	}
	l->sortcol = col_find(l->cols, l->ncols, name, strlen(name));
	if (l->sortcol < l->ncols)
		return 0;
	for (j = 0; j < l->ncols; j++)
		buf_printf(&names, "%s%s", j > 0 ? ", " : "", l->cols[j].name);
	r = err_set(ERR_USAGE, "unknown column '%s' to sort by (columns: %s)",
	    sanitize(name, &b), names.data != NULL ? names.data : "");
	buf_free(&b);
	buf_free(&names);
	return r;
}

/*
 * The common start of a list and a show: the writer, the format's mode
 * and the selected columns (spec, or all of them when spec is NULL).
 */
static struct listing *
listing_alloc(listing_write_fn fn, void *arg, const struct col_def *cols,
    size_t ncols, const struct list_opts *o)
{
	struct listing	*l;

	l = xcalloc(1, sizeof *l);
	l->write = fn;
	l->warg = arg;
	l->cols = cols;
	l->ncols = ncols;
	l->mode = &out_modes[o->format < OUT__COUNT ? o->format : OUT_TABLE];
	l->no_header = o->no_header;
	l->width = l->mode->fit ? o->width : 0;
	l->colour = o->colour && (o->format == OUT_TABLE ||
	    o->format == OUT_WIDE);
	l->utf8 = locale_utf8();
	l->sortcol = ncols;
	return l;
}

int
listing_new(listing_write_fn fn, void *arg, const struct col_def *cols,
    size_t ncols, const char *defaults, const struct list_opts *o,
    struct listing **ret)
{
	struct listing	*l;
	const char	*spec;
	int		 r;

	*ret = NULL;
	if (o == NULL)
		o = &default_opts;
	l = listing_alloc(fn, arg, cols, ncols, o);
	spec = o->columns;
	if (spec == NULL && !o->all && !l->mode->all_columns)
		spec = defaults;
	if ((r = select_cols(cols, ncols, spec, &l->sel, &l->nsel)) != 0)
		goto out;
	if (o->filter != NULL &&
	    (r = filter_parse(o->filter, cols, ncols, &l->filter)) != 0)
		goto out;
	if (o->sort != NULL && (r = sort_parse(l, o->sort)) != 0)
		goto out;
	listing_prepare(l, o->format);
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
	emit(l, l->line.data, l->line.len);
}

static void
json_end(struct listing *l)
{
	if (l->started)
		emit(l, "\n]\n", 3);
	else
		emit(l, "[]\n", 3);
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
	emit(l, l->line.data, l->line.len);
}

static void
csv_row(struct listing *l, const char *const *vals)
{
	csv_start(l);
	buf_reset(&l->line);
	csv_add_row(&l->line, &l->scratch, l->cols, l->sel, l->nsel, vals);
	emit(l, l->line.data, l->line.len);
}

/* Copies a row as given, to be sorted at the end. */
static void
hold_row(struct listing *l, const char *const *vals)
{
	char	**row;
	size_t	  i;

	row = xcalloc(l->ncols, sizeof *row);
	for (i = 0; i < l->ncols; i++)
		row[i] = vals[i] != NULL ? xstrdup(vals[i]) : NULL;
	if (l->nheld == l->heldcap) {
		l->heldcap = l->heldcap == 0 ? 256 : l->heldcap * 2;
		l->held = xreallocarray(l->held, l->heldcap, sizeof *l->held);
	}
	l->held[l->nheld++] = row;
}

int
listing_row(struct listing *l, const char *const *vals)
{
	if (l->filter != NULL && !filter_match(l->filter, vals))
		return 0;
	l->count++;
	if (l->sortcol < l->ncols)
		hold_row(l, vals);
	else
		l->mode->row(l, vals);
	return 0;
}

/*
 * Orders two held rows by the sort column: numbers and times as numbers,
 * text bytewise; unset values come last either way.
 */
static int
held_cmp(const struct listing *l, char *const *a, char *const *b)
{
	const char	*va = a[l->sortcol], *vb = b[l->sortcol];
	int64_t		 na, nb;
	int		 c;

	if (va == NULL || vb == NULL)
		return va == NULL ? (vb == NULL ? 0 : 1) : -1;
	if (l->cols[l->sortcol].type != COL_STR && parse_i64(va, &na) == 0 &&
	    parse_i64(vb, &nb) == 0)
		c = na < nb ? -1 : na > nb;
	else
		c = strcmp(va, vb);
	return l->sortdesc ? -c : c;
}

/*
 * Sorts the held rows (a bottom-up merge sort: stable, so equal rows keep
 * the order they came in) and gives them to the format.
 */
static void
held_flush(struct listing *l)
{
	char	***tmp;
	size_t	  width, i, lo, mid, hi, a, b, k;

	tmp = xreallocarray(NULL, l->nheld > 0 ? l->nheld : 1, sizeof *tmp);
	for (width = 1; width < l->nheld; width *= 2) {
		for (lo = 0; lo < l->nheld; lo += 2 * width) {
			mid = lo + width < l->nheld ? lo + width : l->nheld;
			hi = lo + 2 * width < l->nheld ? lo + 2 * width :
			    l->nheld;
			for (a = lo, b = mid, k = lo; k < hi; k++) {
				if (a < mid && (b >= hi ||
				    held_cmp(l, l->held[a], l->held[b]) <= 0))
					tmp[k] = l->held[a++];
				else
					tmp[k] = l->held[b++];
			}
		}
		memcpy(l->held, tmp, l->nheld * sizeof *tmp);
	}
	free(tmp);
	for (i = 0; i < l->nheld; i++) {
		l->mode->row(l, (const char *const *)l->held[i]);
		held_free(l->held[i], l->ncols);
		l->held[i] = NULL;
	}
	l->nheld = 0;
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

/* Colours of state words (SGR parameters); others are left plain. */
static const struct {
	const char	*word;
	const char	*sgr;
} state_colours[] = {
	{ "running", "32" },		/* green */
	{ "available", "32" },
	{ "attached", "36" },		/* cyan */
	{ "paused", "33" },		/* yellow */
	{ "suspended", "33" },
	{ "crashed", "1;31" },		/* bold red */
	{ "error", "1;31" },
	{ "unknown", "35" },		/* magenta */
};

static const char *
state_sgr(const char *word)
{
	size_t	i;

	for (i = 0; i < nitems(state_colours); i++) {
		if (strcmp(state_colours[i].word, word) == 0)
			return state_colours[i].sgr;
	}
	return NULL;
}

/*
 * Writes one table line: padded cells, two spaces apart, no trailing
 * blanks. With colour, a state cell is wrapped in its colour; the escapes
 * are ours and take no width.
 */
static void
table_line(struct listing *l, const char *cells, const size_t *w, int head)
{
	struct buf	*b = &l->line;
	const char	*sgr;
	size_t		 i, cw, pad;
	int		 right;

	buf_reset(b);
	for (i = 0; i < l->nsel; i++) {
		if (i > 0)
			buf_add(b, "  ", 2);
		right = col_numeric(l->cols[l->sel[i]].type);
		sgr = NULL;
		if (l->colour && !head && (l->cols[l->sel[i]].flags & COL_STATE))
			sgr = state_sgr(cells);
		if (sgr != NULL)
			buf_printf(b, "\033[%sm", sgr);
		cw = disp_width(cells, l->utf8);
		if (cw > w[i]) {
			cw = add_truncated(b, cells, w[i], l->utf8);
			pad = w[i] - cw;
			right = 0;
		} else {
			pad = w[i] - cw;
			if (right)
				add_spaces(b, pad);
			buf_addstr(b, cells);
		}
		if (sgr != NULL)
			buf_addstr(b, "\033[m");
		if (!right)
			add_spaces(b, pad);
		cells += strlen(cells) + 1;
	}
	while (b->len > 0 && b->data[b->len - 1] == ' ')
		b->len--;
	buf_addc(b, '\n');
	emit(l, b->data, b->len);
}

static void
table_end(struct listing *l)
{
	size_t	i;

	table_fit(l, l->widths);
	if (!l->no_header)
		table_line(l, l->header, l->widths, 1);
	for (i = 0; i < l->nrows; i++)
		table_line(l, l->rows[i], l->widths, 0);
}

static void
csv_end(struct listing *l)
{
	csv_start(l);
}

int
listing_end(struct listing *l)
{
	int	r;

	if (l == NULL)
		return 0;
	held_flush(l);
	l->mode->end(l);
	r = emit_end(l);
	listing_free(l);
	return r;
}

/* "name:" lines for one record, values as in a table but never truncated. */
static int
show_table(struct listing *l, const char *const *vals)
{
	struct buf		 b = { NULL, 0, 0 };
	const struct col_def	*col;
	const char		*sgr;
	size_t			 i, maxlen = 0;

	for (i = 0; i < l->nsel; i++) {
		if (strlen(l->cols[l->sel[i]].name) > maxlen)
			maxlen = strlen(l->cols[l->sel[i]].name);
	}
	for (i = 0; i < l->nsel; i++) {
		col = &l->cols[l->sel[i]];
		sgr = NULL;
		if (l->colour && (col->flags & COL_STATE) &&
		    vals[l->sel[i]] != NULL)
			sgr = state_sgr(vals[l->sel[i]]);
		buf_reset(&b);
		sanitize_add(&b, col->name);
		buf_addc(&b, ':');
		add_spaces(&b, maxlen + 1 - strlen(col->name));
		if (sgr != NULL)
			buf_printf(&b, "\033[%sm", sgr);
		add_cell_table(&b, vals[l->sel[i]], col->type);
		while (b.len > 0 && b.data[b.len - 1] == ' ')
			b.len--;
		if (sgr != NULL)
			buf_addstr(&b, "\033[m");
		buf_addc(&b, '\n');
		emit(l, b.data, b.len);
	}
	buf_free(&b);
	return 0;
}

/* One pretty JSON object for a record, built with jansson. */
static int
show_json(struct listing *l, const char *const *vals)
{
	const struct col_def	*cols = l->cols;
	json_t			*obj, *v;
	char			*text = NULL;
	size_t			 i;
	int			 r = 0;

	obj = json_object();
	for (i = 0; i < l->nsel; i++) {
		v = json_value(&l->scratch, vals[l->sel[i]],
		    cols[l->sel[i]].type);
		if (v == NULL || json_object_set_new(obj, cols[l->sel[i]].name,
		    v) != 0) {
			r = err_set(ERR_FAIL, "cannot encode column '%s' as "
			    "JSON", cols[l->sel[i]].name);
			goto out;
		}
	}
	if ((text = json_dumps(obj, JSON_INDENT(2))) == NULL) {
		r = err_set(ERR_FAIL, "cannot encode the record as JSON");
		goto out;
	}
	emit(l, text, strlen(text));
	emit(l, "\n", 1);
 out:
	free(text);
	json_decref(obj);
	return r;
}

static int
show_csv(struct listing *l, const char *const *vals)
{
	buf_reset(&l->line);
	if (!l->no_header)
		csv_add_header(&l->line, &l->scratch, l->cols, l->sel,
		    l->nsel);
	csv_add_row(&l->line, &l->scratch, l->cols, l->sel, l->nsel, vals);
	emit(l, l->line.data, l->line.len);
	return 0;
}

/* The formats, in out_format order: one row each, nothing else knows them. */
static const struct out_mode out_modes[OUT__COUNT] = {
	[OUT_TABLE] = { 0, 1, table_keep, table_end, show_table },
	[OUT_WIDE] = { 1, 0, table_keep, table_end, show_table },
	[OUT_JSON] = { 1, 0, json_row, json_end, show_json },
	[OUT_CSV] = { 0, 0, csv_row, csv_end, show_csv },
};

int
listing_show(listing_write_fn fn, void *arg, const struct col_def *cols,
    size_t ncols, const char *const *vals, const struct list_opts *o)
{
	struct listing	*l;
	int		 r;

	if (o == NULL)
		o = &default_opts;
	l = listing_alloc(fn, arg, cols, ncols, o);
	if ((r = select_cols(cols, ncols, o->columns, &l->sel,
	    &l->nsel)) != 0)
		goto out;
	if ((r = l->mode->show(l, vals)) != 0)
		goto out;
	r = emit_end(l);
 out:
	listing_free(l);
	return r;
}
