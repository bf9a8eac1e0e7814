/*
 * quote.h: the one place a remote command line is built. SSH hands the
 * remote side a string that its login shell parses, so every argument is
 * single-quoted ('it'\''s'); nothing else in hvsh formats a shell command.
 */
#ifndef HVSH_QUOTE_H
#define HVSH_QUOTE_H

/* "'virsh' 'start' 'web1'". Caller frees. */
char	*quote_argv(char *const argv[]);
/* One argument, single-quoted. Caller frees. */
char	*quote_arg(const char *);

#endif
