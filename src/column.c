/*
 * column.c: looking up a list's columns by name, for the listing's
 * --columns and --sort, a --filter's comparisons and the dashboard's views.
 */
#include <string.h>

#include "column.h"

size_t
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

void
col_names(const struct col_def *cols, size_t ncols, struct buf *out)
{
	size_t	i;

	buf_add(out, "", 0);
	for (i = 0; i < ncols; i++)
		buf_printf(out, "%s%s", i > 0 ? ", " : "", cols[i].name);
}
