/*
 * cmd-misc.c: the lone-word commands: help, version, the shell, the table's
 * self-test, and 'complete', which bash completion calls.
 */
#include <stdio.h>
#include <string.h>

#include <lmdb.h>

#include "cmd-common.h"
#include "err.h"
#include "shell.h"

static int
help_cmd(struct ctx *c, struct cmd_args *a)
{
	struct buf	 b = { 0 };
	char		*const *words;
	int		 n, rc;

	words = arg_multi(a, "command", &n);
	rc = cmd_help(&b, n, (char **)words);
	if (rc == 0)
		ctx_emit(c, CTX_OUT, b.data, b.len);
	buf_free(&b);
	if (rc != 0)
		return ctx_error(c, ERR_USAGE, "no command '%s'", words[0]);
	return 0;
}

static int
version_cmd(struct ctx *c, struct cmd_args *a)
{
	ctx_printf(c, "hvsh %s (store schema %d, %s)\n", HVSH_VERSION,
	    SCHEMA_VERSION, MDB_VERSION_STRING);
	return 0;
}

static int
self_test_cmd(struct ctx *c, struct cmd_args *a)
{
	const struct cmd_entry *const	*ep;
	struct buf			 b = { 0 };
	int				 n = 0, problems;

	for (ep = cmd_table; *ep != NULL; ep++)
		n++;
	problems = cmd_self_test(&b);
	ctx_emit(c, CTX_OUT, b.data, b.len);
	buf_free(&b);
	if (problems > 0)
		return ctx_error(c, ERR_FAIL, "%d problem%s in the command "
		    "table", problems, problems == 1 ? "" : "s");
	ctx_info(c, "%d commands, no problems", n);
	return 0;
}

static void
print_cand(const char *cand, void *arg)
{
	ctx_printf(arg, "%s\n", cand);
}

static int
complete_cmd(struct ctx *c, struct cmd_args *a)
{
	int	n;
	char	*const *words = arg_multi(a, "words", &n);
	char	*empty[] = { (char *)"", NULL };

	if (n == 0)
		cmd_complete(c, 1, empty, print_cand, c);
	else
		cmd_complete(c, n, (char **)words, print_cand, c);
	return 0;
}

static int
shell_cmd(struct ctx *c, struct cmd_args *a)
{
	int	rc = shell_run(c);

	return rc == 0 ? 0 : (rc == 2 ? ERR_USAGE : ERR_FAIL);
}

static const struct cmd_opt help_opts[] = {
	{ "command", 0, OPT_STR, OPT_POSITIONAL | OPT_MULTI, 0, NULL,
	    "COMMAND", "the command to explain" },
	{ NULL }
};

static const struct cmd_opt complete_opts[] = {
	{ "words", 0, OPT_STR, OPT_POSITIONAL | OPT_MULTI, 0, NULL, "WORDS",
	    "the words typed so far, the last one being completed" },
	{ NULL }
};

static const struct cmd_opt no_opts[] = { { NULL } };

const struct cmd_entry cmd_help_entry = {
	NULL, "help", NULL, help_opts, CMD_NOSTORE,
	"list commands, or explain one", NULL, help_cmd
};
const struct cmd_entry cmd_version = {
	NULL, "version", NULL, no_opts, CMD_NOSTORE,
	"print hvsh's version", NULL, version_cmd
};
const struct cmd_entry cmd_shell = {
	NULL, "shell", NULL, no_opts, CMD_NOSTORE | CMD_INTERACTIVE,
	"an interactive command shell with completion and history", NULL,
	shell_cmd
};
const struct cmd_entry cmd_self_test_entry = {
	NULL, "self-test", NULL, no_opts, CMD_NOSTORE,
	"check the command table", NULL, self_test_cmd
};
const struct cmd_entry cmd_complete_entry = {
	NULL, "complete", NULL, complete_opts, CMD_HIDDEN,
	"print completions of the words typed so far (for bash)",
	"Called as 'hvsh complete -- WORDS...' by contrib/hvsh.bash-completion.",
	complete_cmd
};
