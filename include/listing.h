/*
 * listing.h: how lists and single records reach the user: an aligned table
 * that fits the terminal, JSON (one array of objects), or CSV (RFC 4180).
 *
 * The caller declares the columns a list can have, then feeds rows of raw
 * canonical values (see schema.h); the listing applies --columns and
 * --filter, formats per column type, and neutralises control characters so
 * that text from anywhere never reaches a terminal raw. JSON and CSV stream
 * row by row; a table is held until the end to size its columns.
 */
#ifndef HVSH_LISTING_H
#define HVSH_LISTING_H

#include <stdio.h>
#include <stddef.h>

#include "util.h"

enum col_type {
	COL_STR,	/* text; JSON string */
	COL_INT,	/* integer; JSON number */
	COL_SIZE,	/* bytes; table "2.0 GiB", JSON/CSV number of bytes */
	COL_TIME,	/* unix seconds; table "2026-01-02 03:04", JSON/CSV ISO 8601 */
};

struct col_def {
	const char	*name;
	enum col_type	 type;
};

enum out_format { OUT_TABLE, OUT_JSON, OUT_CSV };

struct list_opts {
	enum out_format	 format;
	const char	*columns;	/* "a,b,c" or NULL for the defaults */
	const char	*filter;	/* expression or NULL */
	int		 no_header;
	int		 width;		/* terminal width for tables; 0: no limit */
};

/* Parses "table", "json" or "csv". 0 or ERR_USAGE. */
int	out_format_parse(const char *, enum out_format *);

struct listing;

/*
 * Starts a list on out. defaults is "a,b,c", the columns shown without
 * --columns. Fails with ERR_USAGE on an unknown column or a bad filter.
 */
int	listing_new(FILE *out, const struct col_def *cols, size_t ncols,
	    const char *defaults, const struct list_opts *, struct listing **ret);
/* The parsed filter (for index use), or NULL. */
const struct filter *listing_filter(const struct listing *);
/* Offers a row (vals in cols order, NULL unset); kept if the filter matches. */
int	listing_row(struct listing *, const char *const *vals);
/* Rows kept so far. */
size_t	listing_count(const struct listing *);
/* Writes what is held (the table), frees the listing. NULL is a no-op. */
int	listing_end(struct listing *);

/*
 * One record: a table is "Name:  value" lines (virsh dominfo style) with
 * every column unless --columns says otherwise; JSON one object; CSV a header
 * and one row.
 */
int	listing_show(FILE *out, const struct col_def *cols, size_t ncols,
	    const char *const *vals, const struct list_opts *);

/*
 * Copies s into out with control characters (C0, DEL, C1 and ESC sequences'
 * introducers) replaced by visible escapes such as "\x1b", and invalid UTF-8
 * bytes shown as "\xNN". Returns out->data.
 */
const char *sanitize(const char *s, struct buf *out);

#endif
