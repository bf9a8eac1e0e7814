/*
 * cmd.h: the one command table. Every front-end (scripted mode, the shell,
 * later the dashboard's prompt and key bindings) turns a line into argv and
 * calls cmd_run(); help, completion, the bash completion and the self-test
 * are all read off the same entries.
 *
 * Commands are "NOUN VERB ARGS..." (or a lone word such as "help"). Each
 * command file (cmd-host.c, ...) exports its entries; cmd-table.c lists them.
 * Commands never print directly: every byte of their output goes through
 * the ctx (ctx_printf, ctx_info, ctx_error, listings written with
 * ctx_out_write), which a front-end can route with ctx->emit.
 */
#ifndef HVSH_CMD_H
#define HVSH_CMD_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "listing.h"
#include "schema.h"
#include "store.h"
#include "util.h"

enum opt_type {
	OPT_FLAG,	/* --force */
	OPT_STR,	/* free text */
	OPT_INT,	/* decimal integer >= 0 */
	OPT_SIZE,	/* 2G, 512M, bytes */
	OPT_ENUM,	/* one of opt.enums */
	OPT_NAME,	/* a name passing name_check; completes names of opt.kind */
	OPT_FILE,	/* a path on the bastion; completes files */
	OPT_TAG,	/* k=v, key a name, value printable */
};

#define OPT_REQUIRED	0x01
#define OPT_POSITIONAL	0x02	/* given by position, in declaration order */
#define OPT_MULTI	0x04	/* may repeat (options) / takes the rest (last positional) */
#define OPT_EXISTING	0x08	/* OPT_NAME: completes existing names (default for positional names of other commands than add) */

struct cmd_opt {
	const char		 *name;		/* long name, or positional's name */
	char			  short_name;	/* 0 if none */
	enum opt_type		  type;
	int			  flags;
	enum kind		  kind;		/* OPT_NAME: whose names complete */
	const char *const	 *enums;	/* OPT_ENUM: NULL-terminated */
	const char		 *metavar;	/* "SIZE", "FILE"; defaults from type */
	const char		 *help;
};

/* Entry flags: prerequisites checked in one place, cmd_run(). */
#define CMD_NOSTORE	0x001	/* needs no store (help, version) */
#define CMD_WRITE	0x002	/* changes the store; audited */
#define CMD_LIST	0x004	/* takes -o, --columns, --no-header, --filter */
#define CMD_SHOW	0x008	/* takes -o, --columns */
#define CMD_OPERATOR	0x010	/* needs role operator or admin */
#define CMD_ADMIN	0x020	/* needs role admin */
#define CMD_HIDDEN	0x040	/* left out of help listings (complete) */
#define CMD_HOSTS	0x080	/* changes hosts: takes --dry-run */
#define CMD_INTERACTIVE	0x100	/* not inside -c/-f/stdin scripts (shell) */
#define CMD_DESTRUCTIVE	0x200	/* destroys data: takes --yes; asks (ctx_confirm) */

#define CMD_MAXOPTS	24

struct ctx;
struct cmd_args;

struct cmd_entry {
	const char		 *noun;		/* "host"; NULL for a lone word */
	const char		 *verb;		/* "add" */
	const char		 *alias;	/* verb alias, e.g. "ls"; or NULL */
	const struct cmd_opt	 *opts;		/* terminated by { NULL } */
	int			  flags;
	const char		 *summary;	/* one line for listings */
	const char		 *help;		/* paragraph for 'help CMD', or NULL */
	int			(*exec)(struct ctx *, struct cmd_args *);
};

/* The table (cmd-table.c), terminated by an entry with noun and verb NULL. */
extern const struct cmd_entry *const cmd_table[];

enum role { ROLE_VIEWER, ROLE_OPERATOR, ROLE_ADMIN };

/* The streams of a command's output, for ctx->emit. */
#define CTX_OUT		1	/* results */
#define CTX_ERR		2	/* errors, notes, progress */

/* Where a command's words came from, for error messages. */
struct ctx_source {
	const char	*file;		/* script path, "-c", "stdin", or NULL (argv) */
	int		 line;
};

/*
 * Everything one invocation of the command table needs. A front-end fills
 * the public part and keeps the ctx across commands (the store stays open).
 */
struct ctx {
	const char		 *home;		/* store directory */
	FILE			 *out;		/* results */
	FILE			 *err;		/* errors and notes */
	int			  width;	/* terminal width for tables; 0: none */
	int			  interactive;	/* a person at a terminal */
	int			  quiet;	/* no confirmations on out */
	int			  colour;	/* tables may colour states */
	struct ctx_source	  src;
	/*
	 * Takes every byte a command outputs, on stream CTX_OUT or CTX_ERR;
	 * NULL writes to out and err. Errors and notes come as whole lines;
	 * a progress line comes without its newline and without terminal
	 * controls, to be replaced by whatever comes next.
	 */
	void			(*emit)(struct ctx *, int stream,
				    const char *text, size_t len);
	/* Routes error messages; default writes "hvsh: CMD: msg" to err. */
	void			(*on_error)(struct ctx *, const char *msg);
	/*
	 * Asks the person a yes/no question (prompt: lines of what will
	 * happen, the last one the question); 1 yes, 0 no, EOF or Ctrl-C.
	 * NULL: no one to ask (a script), so CMD_DESTRUCTIVE needs --yes.
	 */
	int			(*ask)(struct ctx *, const char *prompt);
	/*
	 * Carries out a ui command (cmd-ui.c: "move", "view", ...) with its
	 * word, if any (ui prompt's words come joined as one); set only by
	 * the dashboard. NULL elsewhere, where a ui command fails with "only
	 * in the dashboard". 0 or an ERR_* code.
	 */
	int			(*ui)(struct ctx *, const char *action, int argc,
				    char **argv);

	/* Managed by cmd_run and the store helpers below. */
	struct store		 *store;
	int			  store_rdonly;
	char			 *user;		/* Unix user running hvsh */
	const struct cmd_entry	 *entry;	/* command running now */
	char			 *cmdline;	/* its words, quoted, for the audit */
	char			 *result;	/* audit result text (ctx_set_result) */
	int			  result_status; /* its status (ctx_set_status) */
	struct transport	 *tp;		/* sessions kept for the ctx's life */
	int			  confirmed;	/* --yes (or --dry-run) given */
	enum role		  role;		/* of user, once known */
	int			  nerrors;	/* errors reported so far */
};

void	ctx_init(struct ctx *, const char *home);
void	ctx_free(struct ctx *);

/*
 * Runs one command. Returns the exit status: 0 done, 1 failed, 2 usage (or
 * a destructive command refused in a script without --yes), 130 cancelled
 * (Ctrl-C, or the person answered no). Errors have been reported through
 * ctx->on_error.
 */
int	cmd_run(struct ctx *, int argc, char **argv);

/* Looks a command up by its first words; *used says how many words it took. */
const struct cmd_entry *cmd_find(int argc, char **argv, int *used);
/* "host add" (or "help"); static storage per entry is fine: it is built in place. */
const char *cmd_name(const struct cmd_entry *, char *buf, size_t len);

/*
 * Completion: argv holds the words typed so far, the last being the word
 * under the cursor (possibly empty). Calls cb for each candidate.
 */
typedef void (*cmd_complete_fn)(const char *cand, void *arg);
void	cmd_complete(struct ctx *, int argc, char **argv, cmd_complete_fn cb, void *arg);

/* Checks the table (unique names, options well formed); adds problems to out; count. */
int	cmd_self_test(struct buf *out);

/*
 * Help into out: all commands (argc 0), a noun's commands, or one command;
 * ERR_USAGE if the words name none.
 */
int	cmd_help(struct buf *out, int argc, char **argv);

/*
 * The options a command accepts: its own, then those its flags imply (list
 * options, --dry-run, --help). Fills out (CMD_MAXOPTS + 8 entries) and returns
 * the count. Used by the parser, help and completion alike.
 */
#define CMD_ALLOPTS (CMD_MAXOPTS + 8)
size_t	cmd_opts(const struct cmd_entry *, const struct cmd_opt **out);
/* The metavar shown for an option's value ("SIZE", "table|json|csv"). */
const char *cmd_metavar(const struct cmd_opt *, char *buf, size_t len);
/* Adds the usage line of a command ("host add NAME --address ADDR ...\n"). */
void	cmd_usage(struct buf *out, const struct cmd_entry *);

/* --- for command implementations --- */

/* Value of an option or positional by name; NULL if not given. */
const char *arg_str(const struct cmd_args *, const char *name);
int	arg_flag(const struct cmd_args *, const char *name);
/* Parsed value of an OPT_INT or OPT_SIZE (validated by the parser); def if absent. */
int64_t	arg_i64(const struct cmd_args *, const char *name, int64_t def);
/* All values of an OPT_MULTI option or positional; *n set to their number. */
char *const *arg_multi(const struct cmd_args *, const char *name, int *n);
/* The list options of a CMD_LIST / CMD_SHOW command. */
const struct list_opts *arg_list_opts(const struct cmd_args *);

/* Reports an error for the running command; returns code (for "return ctx_error(...)"). */
int	ctx_error(struct ctx *, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Reports err_msg() as the error; returns err_code() (or ERR_FAIL). */
int	ctx_error_last(struct ctx *);
/*
 * Asks before a CMD_DESTRUCTIVE command does what; what lists it, one line
 * per change ("destroy vm web1 on kvm1\nremove disk ..."). Returns 0 to
 * go on (--yes or --dry-run given, or the person said yes), or ERR_CANCEL
 * after reporting "cancelled" (no, EOF, Ctrl-C); ERR_USAGE if there is no
 * one to ask and no --yes.
 */
int	ctx_confirm(struct ctx *, const char *what);
/*
 * An error message as the default reporter words it after "hvsh: ":
 * "[FILE:LINE: ][CMD: ]msg\n", sanitised, appended to line.
 */
void	ctx_error_text(struct ctx *, const char *msg, struct buf *line);
/* A confirmation on out ("host kvm1 added"), unless quiet. */
void	ctx_info(struct ctx *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * A command's output: through ctx->emit when set, else to out (CTX_OUT)
 * or err (CTX_ERR). Text is passed as given: values from hosts and users
 * must have been through sanitize().
 */
void	ctx_emit(struct ctx *, int stream, const char *text, size_t len);
/* Results on CTX_OUT, as fprintf and fputs would write them. */
void	ctx_printf(struct ctx *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	ctx_puts(struct ctx *, const char *);
/* Notes on CTX_ERR. */
void	ctx_eprintf(struct ctx *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	ctx_vemit(struct ctx *, int stream, const char *fmt, va_list);
/* Pushes out what out and err hold (a no-op with emit set). */
void	ctx_flush(struct ctx *);
/*
 * A listing_write_fn (listing.h) for a command's results; arg is the
 * struct ctx: listing_new(ctx_out_write, c, ...).
 */
int	ctx_out_write(void *ctx, const char *text, size_t len);

/*
 * The transport of this ctx, made on first use and kept until ctx_free:
 * every command of a script or a shell reuses the sessions to its hosts
 * (checked before reuse, reopened when they died). Not to be freed.
 */
struct transport;
int	ctx_transport(struct ctx *, struct transport **out);

/* Opens the store if not yet open. */
int	ctx_store(struct ctx *, struct store **out);
/*
 * Runs fn in one write transaction together with the audit event of the
 * running command, whose result is what fn set with ctx_set_result (or
 * "ok"). fn may run more than once (store_write), so it must only touch
 * the transaction and its own argument.
 */
int	ctx_write(struct ctx *, store_write_fn fn, void *arg);
void	ctx_set_result(struct ctx *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * The audit status of what ctx_write records: 0 done (the default), 1
 * failed, for a change that went through on some hosts and not on others.
 */
void	ctx_set_status(struct ctx *, int status);

/*
 * The command parser's other two uses besides running a command: where the
 * cursor of a partial line is, for completion (virsh's vsh.c model: one
 * parser for running and completing), and a check that runs nothing, for
 * key bindings read from keymap files.
 */
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
