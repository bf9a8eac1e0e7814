/*
 * err.c: the per-thread error message behind err.h.
 */
#include <stdarg.h>
#include <stdio.h>

#include "err.h"

static _Thread_local char	err_text[1024];
static _Thread_local int	err_last_code;

int
err_set(int code, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(err_text, sizeof err_text, fmt, ap);
	va_end(ap);
	err_last_code = code;
	return code;
}

const char *
err_msg(void)
{
	return err_text[0] != '\0' ? err_text : "unknown error";
}

int
err_code(void)
{
	return err_last_code != 0 ? err_last_code : ERR_FAIL;
}

void
err_clear(void)
{
	err_text[0] = '\0';
	err_last_code = 0;
}
