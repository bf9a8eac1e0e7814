/*
 * column.h: what a list's columns are, as the listing shows them and as a
 * --filter compares them. Only descriptions and their lookup (column.c):
 * listing.c, filter.c and the dashboard read them, none owns them.
 */
#ifndef HVSH_COLUMN_H
#define HVSH_COLUMN_H

#include <stddef.h>

#include "util.h"

enum col_type {
	COL_STR,	/* text; JSON string */
	COL_INT,	/* integer; JSON number */
	COL_SIZE,	/* bytes; table "2.0 GiB", JSON/CSV number of bytes */
	COL_TIME,	/* unix seconds; table "2026-01-02 03:04", JSON/CSV ISO 8601 */
};

/* Column flags. */
#define COL_STATE	0x01	/* a state word, coloured by value in a shell */

struct col_def {
	const char	*name;
	enum col_type	 type;
	int		 flags;
};

/* The index of the column named by name's len bytes, or ncols. */
size_t	col_find(const struct col_def *, size_t ncols, const char *name,
	    size_t len);
/* Appends "a, b, c", every column's name, to out (for error messages). */
void	col_names(const struct col_def *, size_t ncols, struct buf *out);

#endif
