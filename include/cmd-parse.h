/*
 * cmd-parse.h: the command parser's other two uses besides running a
 * command (cmd.h): where the cursor of a partial line is, for completion
 * (virsh's vsh.c model: one parser for running and completing), and a
 * check that runs nothing, for key bindings read from keymap files.
 */
#ifndef HVSH_CMD_PARSE_H
#define HVSH_CMD_PARSE_H

#include "cmd.h"

enum cmd_at {
	CMD_AT_NONE,		/* nothing can go here (or the line is bad) */
	CMD_AT_COMMAND,		/* a command's first word, or a noun's verb */
	CMD_AT_OPTION,		/* an option's name ("--dr") */
	CMD_AT_VALUE,		/* a value of opt: an option's or a positional */
};

/*
 * Where the cursor is. word and noun point into the argv given to
 * cmd_where and live as long as it does.
 */
struct cmd_where {
	enum cmd_at		 at;
	const char		*noun;	/* CMD_AT_COMMAND: the noun typed, or NULL */
	const struct cmd_entry	*entry;	/* the command, once its words are typed */
	const struct cmd_opt	*opt;	/* CMD_AT_VALUE: whose value */
	const char		*word;	/* what is typed of the value or name */
	size_t			 lead;	/* bytes of the cursor's word before word
					   ("--driver=" of "--driver=kv") */
	const struct cmd_opt	*opts[CMD_ALLOPTS];	/* entry's options */
	int			 given[CMD_ALLOPTS];	/* times each was given */
	size_t			 nopts;
};

/*
 * Runs the parser on the words typed so far, the last being the word under
 * the cursor (possibly empty), as cmd_run would parse them, and says where
 * the cursor is. Values before the cursor are not checked; a line the
 * parser refuses before the cursor (an unknown option, too many words)
 * gives CMD_AT_NONE.
 */
void	cmd_where(int argc, char **argv, struct cmd_where *);

/*
 * Parses a command line as cmd_run would, running nothing and touching no
 * store. 0, or ERR_USAGE with the parser's message in *why (to free).
 */
int	cmd_check(int argc, char **argv, char **why);

#endif
