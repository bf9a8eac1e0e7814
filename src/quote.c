/*
 * quote.c: builds the one string that SSH hands to the remote login shell.
 * Inside single quotes a POSIX shell gives no character a meaning except
 * the closing quote, so wrapping every argument in quotes and writing each
 * embedded quote as '\'' makes the shell see exactly the argv we were given,
 * whatever bytes it holds.
 */
#include <string.h>

#include "quote.h"
#include "util.h"

/* Appends arg to b, single-quoted. */
static void
quote_add(struct buf *b, const char *arg)
{
	const char	*p, *q;

	buf_addc(b, '\'');
	for (p = arg; (q = strchr(p, '\'')) != NULL; p = q + 1) {
		buf_add(b, p, (size_t)(q - p));
		buf_addstr(b, "'\\''");
	}
	buf_addstr(b, p);
	buf_addc(b, '\'');
}

char *
quote_arg(const char *arg)
{
	struct buf	b = { 0 };

	quote_add(&b, arg != NULL ? arg : "");
	return buf_take(&b);
}

char *
quote_argv(char *const argv[])
{
	struct buf	b = { 0 };
	size_t		i;

	if (argv == NULL)
		return xstrdup("");
	for (i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			buf_addc(&b, ' ');
		quote_add(&b, argv[i]);
	}
	return buf_take(&b);
}
