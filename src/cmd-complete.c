/*
 * cmd-complete.c: completion for the shell, the dashboard's prompt and bash.
 * It parses nothing itself: the command parser, run on the partial line
 * (cmd_where), says whether the cursor is on a command word, an option's
 * name or a value and whose; this file only offers what can go there:
 * command words, option names, enum values, columns, files, and object names
 * from the store.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "util.h"

struct comp {
	const char	*prefix;	/* what is typed of the value */
	size_t		 plen;
	const char	*lead;		/* what comes before it in the word */
	size_t		 llen;
	cmd_complete_fn	 cb;
	void		*arg;
};

/* Hands cand on as the whole word: "--driver=" and "kvm" give "--driver=kvm". */
static void
emit(struct comp *cp, const char *cand)
{
	char	*w;

	if (cp->llen == 0) {
		cp->cb(cand, cp->arg);
		return;
	}
	w = xasprintf("%.*s%s", (int)cp->llen, cp->lead, cand);
	cp->cb(w, cp->arg);
	free(w);
}

static void
offer(struct comp *cp, const char *cand)
{
	if (strncmp(cand, cp->prefix, cp->plen) == 0)
		emit(cp, cand);
}

static void
name_cb(const char *name, void *arg)
{
	emit(arg, name);
}

/* Names of kind from the store; the store's prefix walk keeps this fast. */
static void
complete_names(struct ctx *c, struct comp *cp, enum kind k)
{
	struct store		*st;
	struct store_txn	*tx;

	if (ctx_store(c, &st) != 0 || store_read(st, &tx) != 0)
		return;
	(void)store_names(tx, k, cp->prefix, name_cb, cp);
	store_txn_end(tx);
}

/* Files and directories beginning with the prefix, for OPT_FILE values. */
static void
complete_files(struct comp *cp)
{
	const char	*slash = strrchr(cp->prefix, '/');
	char		*dir, *cand;
	const char	*base;
	DIR		*d;
	struct dirent	*de;

	if (slash == NULL) {
		dir = xstrdup(".");
		base = cp->prefix;
	} else {
		dir = xstrndup(cp->prefix, (size_t)(slash - cp->prefix) + 1);
		base = slash + 1;
	}
	if ((d = opendir(dir)) == NULL) {
		free(dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (strncmp(de->d_name, base, strlen(base)) != 0)
			continue;
		cand = xasprintf("%s%s%s", slash != NULL ? dir : "", de->d_name,
		    de->d_type == DT_DIR ? "/" : "");
		emit(cp, cand);
		free(cand);
	}
	closedir(d);
	free(dir);
}

/* The columns a list of the entry's noun has (for --columns and --filter). */
static void
complete_columns(struct comp *cp, const struct cmd_entry *e)
{
	const struct kind_def	*kd = kind_by_name(e->noun);
	const char		*comma;
	char			*cand;
	size_t			 i;

	if (kd == NULL)
		return;
	/* After "a,b," complete the next column with the list kept in front. */
	comma = strrchr(cp->prefix, ',');
	for (i = 0; i < kd->nfields + 1; i++) {
		const char	*col = i == 0 ? "id" : kd->fields[i - 1].name;

		if (comma == NULL) {
			offer(cp, col);
			continue;
		}
		if (strncmp(col, comma + 1, strlen(comma + 1)) != 0)
			continue;
		cand = xasprintf("%.*s%s", (int)(comma - cp->prefix + 1),
		    cp->prefix, col);
		emit(cp, cand);
		free(cand);
	}
}

static void
complete_value(struct ctx *c, struct comp *cp, const struct cmd_entry *e,
    const struct cmd_opt *o)
{
	const char *const	*v;

	switch (o->type) {
	case OPT_ENUM:
		for (v = o->enums; *v != NULL; v++)
			offer(cp, *v);
		break;
	case OPT_NAME:
		if (o->flags & OPT_EXISTING)
			complete_names(c, cp, o->kind);
		break;
	case OPT_FILE:
		complete_files(cp);
		break;
	case OPT_STR:
		if (strcmp(o->name, "columns") == 0)
			complete_columns(cp, e);
		break;
	default:
		break;
	}
}

/* First words (nouns once, lone words), or the verbs of noun. */
static void
complete_command(struct comp *cp, const char *noun)
{
	const struct cmd_entry *const	*ep;
	const char			*w, *last = NULL;

	for (ep = cmd_table; *ep != NULL; ep++) {
		if ((*ep)->flags & CMD_HIDDEN)
			continue;
		if (noun != NULL) {
			if ((*ep)->noun != NULL && strcmp((*ep)->noun, noun) == 0)
				offer(cp, (*ep)->verb);
			continue;
		}
		w = (*ep)->noun != NULL ? (*ep)->noun : (*ep)->verb;
		if (last != NULL && strcmp(last, w) == 0)
			continue;
		offer(cp, w);
		last = w;
	}
}

/* Long names of the options not given yet (or that may repeat). */
static void
complete_options(struct comp *cp, const struct cmd_where *w)
{
	const struct cmd_opt	*o;
	char			*cand;
	size_t			 i;

	for (i = 0; i < w->nopts; i++) {
		o = w->opts[i];
		if ((o->flags & OPT_POSITIONAL) ||
		    (w->given[i] > 0 && !(o->flags & OPT_MULTI)))
			continue;
		cand = xasprintf("--%s", o->name);
		offer(cp, cand);
		free(cand);
	}
}

/* "help WORDS": the words of a command, and nothing after them. */
static void
complete_help(struct comp *cp, int argc, char **argv)
{
	struct cmd_where	w;

	if (argc > 2)
		return;
	cmd_where(argc, argv, &w);
	if (w.at == CMD_AT_COMMAND)
		complete_command(cp, w.noun);
}

void
cmd_complete(struct ctx *c, int argc, char **argv, cmd_complete_fn cb,
    void *arg)
{
	struct cmd_where	w;
	struct comp		cp;
	int			used;

	if (argc < 1)
		return;
	cmd_where(argc, argv, &w);
	memset(&cp, 0, sizeof cp);
	cp.prefix = w.word;
	cp.plen = strlen(w.word);
	cp.lead = argv[argc - 1];
	cp.llen = w.lead;
	cp.cb = cb;
	cp.arg = arg;

	switch (w.at) {
	case CMD_AT_COMMAND:
		complete_command(&cp, w.noun);
		break;
	case CMD_AT_OPTION:
		complete_options(&cp, &w);
		break;
	case CMD_AT_VALUE:
		/* help's words are commands: complete them as such. */
		if (w.entry->noun == NULL && strcmp(w.entry->verb, "help") == 0 &&
		    (w.opt->flags & OPT_POSITIONAL)) {
			(void)cmd_find(argc, argv, &used);
			complete_help(&cp, argc - used, argv + used);
			break;
		}
		complete_value(c, &cp, w.entry, w.opt);
		break;
	case CMD_AT_NONE:
		break;
	}
}
