/*
 * err.h: the one channel through which lower layers report why something
 * failed. A function that fails returns a negative code and leaves a message
 * here; the caller that reports to the user reads it with err_msg(). One
 * message per thread, replaced by the next err_set().
 */
#ifndef HVSH_ERR_H
#define HVSH_ERR_H

enum {
	ERR_OK = 0,
	ERR_FAIL = -1,		/* generic failure */
	ERR_NOENT = -2,		/* no such object */
	ERR_EXIST = -3,		/* already exists */
	ERR_INVAL = -4,		/* bad argument or input */
	ERR_BUSY = -5,		/* in use (refused by a rule) */
	ERR_PERM = -6,		/* not allowed (role, read-only store) */
	ERR_VERSION = -7,	/* store written by a newer hvsh */
	ERR_IO = -8,		/* I/O or system error */
	ERR_USAGE = -9,		/* command used wrongly: exit status 2 */
	ERR_CANCEL = -10,	/* interrupted by the user (Ctrl-C) */
};

/* Sets the message and returns code, so "return err_set(ERR_NOENT, ...)" reads well. */
int		 err_set(int code, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
const char	*err_msg(void);
int		 err_code(void);
void		 err_clear(void);

#endif
