/*
 * filter.h: the --filter expression language of every list.
 *
 *   expr  := or
 *   or    := and ('or' and)*
 *   and   := unary ('and' unary)*
 *   unary := 'not' unary | '(' expr ')' | COLUMN OP VALUE
 *   OP    := = != < > <= >= ~
 *
 * VALUE is a bare word or a single- or double-quoted string. '~' is a POSIX
 * extended regex search. Ordering compares as numbers when the column is
 * numeric (sizes take suffixes such as 2G, times take dates), else as text.
 * An unset value compares equal only to the empty string.
 */
#ifndef HVSH_FILTER_H
#define HVSH_FILTER_H

#include <stddef.h>

#include "column.h"

struct filter;

/* 0, or ERR_USAGE with a message naming the problem and its position. */
int	filter_parse(const char *expr, const struct col_def *cols, size_t ncols,
	    struct filter **out);
/* vals are raw (canonical) values in the order of cols; NULL is unset. */
int	filter_match(const struct filter *, const char *const *vals);
/*
 * If the whole expression requires column col to equal a value (it is
 * "col=V" or a top-level 'and' containing it), returns that value (owned by
 * the filter); else NULL. Lets a list use an index instead of a scan.
 */
const char *filter_eq(const struct filter *, const char *col);
/* Whether the expression compares column col (an index into its cols). */
int	filter_uses(const struct filter *, size_t col);
void	filter_free(struct filter *);

#endif
