/*
 * listing.h: how lists and single records reach the user: an aligned table
 * that fits the terminal, JSON (one array of objects), or CSV (RFC 4180).
 *
 * The caller declares the columns a list can have, then feeds rows of raw
 * canonical values (see schema.h); the listing applies --columns, --filter
 * and --sort, formats per column type, and neutralises control characters so
 * that text from anywhere never reaches a terminal raw. JSON and CSV stream
 * row by row; a table is held until the end to size its columns, and every
 * format holds its rows when they are to be sorted.
 */
#ifndef HVSH_LISTING_H
#define HVSH_LISTING_H

#include <stdio.h>
#include <stddef.h>

#include "column.h"
#include "text.h"
#include "util.h"

/*
 * The output formats, one formatter each (listing.c's out_modes): an
 * aligned table fitted to the terminal, the same table with every column
 * and nothing cut ("wide", also -l), JSON with every column, CSV.
 */
enum out_format { OUT_TABLE, OUT_WIDE, OUT_JSON, OUT_CSV, OUT__COUNT };

/* Their names in enum order, NULL-terminated: the values -o takes. */
extern const char *const out_format_names[];

struct list_opts {
	enum out_format	 format;
	const char	*columns;	/* "a,b,c" or NULL for the defaults */
	const char	*filter;	/* expression or NULL */
	int		 no_header;
	int		 width;		/* terminal width for tables; 0: no limit */
	const char	*sort;		/* "COL", "-COL" (descending) or NULL */
	int		 all;		/* every column unless --columns (--wide) */
	int		 colour;	/* colour state columns of a table */
};

/* Parses one of out_format_names. 0 or ERR_USAGE. */
int	out_format_parse(const char *, enum out_format *);

/*
 * Where a listing's text goes: fn(arg, text, len) with each piece in
 * order, and once with len 0 when the listing is complete, so that a
 * writer that buffers can flush. Returns 0 or an ERR_* code (err_set).
 */
typedef int (*listing_write_fn)(void *arg, const char *text, size_t len);
/* A listing_write_fn for a FILE * given as arg. */
int	listing_write_file(void *file, const char *text, size_t len);

struct listing;

/*
 * Starts a list written through fn. defaults is "a,b,c", the columns shown
 * without --columns by the formats that do not show every column. Fails
 * with ERR_USAGE on an unknown column, sort column or a bad filter.
 */
int	listing_new(listing_write_fn fn, void *arg, const struct col_def *cols,
	    size_t ncols, const char *defaults, const struct list_opts *,
	    struct listing **ret);
/* The parsed filter (for index use), or NULL. */
const struct filter *listing_filter(const struct listing *);
/* Offers a row (vals in cols order, NULL unset); kept if the filter matches. */
int	listing_row(struct listing *, const char *const *vals);
/* Rows kept so far. */
size_t	listing_count(const struct listing *);
/* Writes what is held (a table, sorted rows), frees the listing. NULL is a no-op. */
int	listing_end(struct listing *);

/*
 * One record: a table is "Name:  value" lines (virsh dominfo style) with
 * every column unless --columns says otherwise; JSON one object; CSV a header
 * and one row.
 */
int	listing_show(listing_write_fn fn, void *arg, const struct col_def *cols,
	    size_t ncols, const char *const *vals, const struct list_opts *);

#endif
