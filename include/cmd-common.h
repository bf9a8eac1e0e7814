/*
 * cmd-common.h: verbs that work the same way on every kind, driven by the
 * schema and by the running entry's option declarations. An option named
 * like a field of the noun's kind sets that field ("--address" sets
 * host.address), so most command files are only their table.
 */
#ifndef HVSH_CMD_COMMON_H
#define HVSH_CMD_COMMON_H

#include "cmd.h"
#include "record.h"
#include "store.h"

/* The kind named by the running entry's noun. */
enum kind cmd_kind(const struct ctx *);

/* NOUN list: every record, with list options. */
int	cmd_generic_list(struct ctx *, struct cmd_args *);
/* NOUN show NAME. */
int	cmd_generic_show(struct ctx *, struct cmd_args *);
/* NOUN remove NAME [--force]. */
int	cmd_generic_remove(struct ctx *, struct cmd_args *);
/* NOUN set NAME [--FIELD VALUE...] [--tag K=V...] [--untag K...] [--rename NEW]. */
int	cmd_generic_set(struct ctx *, struct cmd_args *);
/* NOUN add NAME [--FIELD VALUE...] [--tag K=V...]. */
int	cmd_generic_add(struct ctx *, struct cmd_args *);

/*
 * The same verbs with hooks. init (add) runs on the new record after the
 * options are applied, to fill derived fields or refuse; check (set,
 * remove) runs after the change inside the same transaction and can refuse
 * it, so a rule such as "one admin remains" holds atomically.
 */
typedef int (*cmd_init_fn)(struct ctx *, struct store_txn *, struct record *,
	    void *arg);
typedef int (*cmd_check_fn)(struct store_txn *);
int	cmd_add(struct ctx *, struct cmd_args *, cmd_init_fn, void *arg);
int	cmd_set(struct ctx *, struct cmd_args *, cmd_check_fn);
int	cmd_remove(struct ctx *, struct cmd_args *, cmd_check_fn);

/*
 * Copies the options of the running command that name fields of r's kind
 * into r: sizes as bytes, references by name to ids (ERR_NOENT if missing),
 * and --tag/--untag into the tags field. Inside tx.
 */
int	cmd_apply_fields(struct ctx *, struct cmd_args *, struct store_txn *,
	    struct record *);

/*
 * A dispatch_emit_fn (dispatch.h) for --dry-run: "HOST: LINE" on the
 * command's output. arg is the struct ctx.
 */
void	cmd_dry_emit(void *ctx, const char *host, const char *line);

/* 1 if a person watches: a terminal, not a script, and no -q. */
int	cmd_at_terminal(const struct ctx *);

/*
 * A progress line on a terminal ("waiting for web1 to stop, 57 s left"),
 * rewritten in place; nothing in scripts or with -q. cmd_progress_done
 * wipes it before the command reports.
 */
void	cmd_progress(struct ctx *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	cmd_progress_done(struct ctx *);

struct host_refresh;

/*
 * Refreshes n hosts (hostops_refresh, ids as it says) and shows on a
 * terminal how many answered while the others are awaited.
 */
void	cmd_refresh(struct ctx *, struct transport *, struct host_refresh *,
	    size_t n, int ids);

/* A host's facts as a row (host check, host facts): the columns, the row. */
#define CMD_FACTS_NCOLS	8
extern const struct col_def cmd_facts_cols[CMD_FACTS_NCOLS];
#define CMD_FACTS_DEFAULT "host,status,cpus,memory,mem_free,hv_version,vms,error"
struct cmd_facts_row {
	const char	*vals[CMD_FACTS_NCOLS];
	char		 cpus[16], mem[24], mfree[24], nvms[16];
};
/* Fills row from what host (named name) answered; row is self-contained. */
void	cmd_facts_row(struct cmd_facts_row *, const char *name,
	    const struct host_refresh *);

struct dcall;

/*
 * Prepares n calls and, with --dry-run, shows their exact lines, else asks
 * (ctx_confirm) when confirm is not NULL and runs them on their hosts.
 * Each failed call is reported with dispatch's words. Returns 0 when every
 * call ran, 1 when they were only shown, or the code of the first failure
 * or refusal (some calls may still have run: see each rc).
 */
int	cmd_dispatch(struct ctx *, struct cmd_args *, struct dcall *, size_t n,
	    const char *confirm);

/*
 * Pushes image to host (image push), or with dry shows how; *path is
 * where it lands (caller frees). Reports its own errors.
 */
struct transport;
int	cmd_image_push_to(struct ctx *, struct transport *,
	    const struct record *image, const struct record *host, int dry,
	    char **path);

/*
 * KIND list with an optional "vm" argument: all records, or those of the
 * instance named, through the index of field (volume.vm, snapshot.vm).
 */
int	cmd_list_of_vm(struct ctx *, struct cmd_args *, enum kind, int field);

/* Option declarations shared by the tables. */
#define OPT_NAME_NEW(k, what) \
	{ "name", 0, OPT_NAME, OPT_POSITIONAL | OPT_REQUIRED, k, NULL, "NAME", what }
#define OPT_NAME_OLD(k, what) \
	{ "name", 0, OPT_NAME, OPT_POSITIONAL | OPT_REQUIRED | OPT_EXISTING, \
	    k, NULL, "NAME", what }
#define OPT_TAGS \
	{ "tag", 0, OPT_TAG, OPT_MULTI, 0, NULL, NULL, "label KEY=VALUE" }
#define OPT_UNTAG \
	{ "untag", 0, OPT_STR, OPT_MULTI, 0, NULL, "KEY", "remove label KEY" }
#define OPT_RENAME(k) \
	{ "rename", 0, OPT_NAME, 0, k, NULL, "NEW", "give it a new name" }
#define OPT_FORCE(what) \
	{ "force", 'f', OPT_FLAG, 0, 0, NULL, NULL, what }

#endif
