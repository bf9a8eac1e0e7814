/*
 * shell.h: the interactive readline shell. It reads lines, splits them with
 * lex.h and runs them through the command table; it completes from the
 * table and the store, keeps history under $HVSH_HOME, and offers no shell
 * escape of any kind.
 */
#ifndef HVSH_SHELL_H
#define HVSH_SHELL_H

struct ctx;

/* Runs until Ctrl-D or 'exit'; returns the status of the last command. */
int	shell_run(struct ctx *);

#endif
