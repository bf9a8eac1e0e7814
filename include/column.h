/*
 * column.h: what a list's columns are, as the listing shows them and as a
 * --filter compares them. Only descriptions: both listing.c and filter.c
 * read them, neither owns them.
 */
#ifndef HVSH_COLUMN_H
#define HVSH_COLUMN_H

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

#endif
