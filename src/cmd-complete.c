/*
 * cmd-complete.c: completion for the shell and for bash, read off the same
 * table and option declarations the parser uses: command words, option
 * names, enum values, columns, and object names from the store.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "util.h"

struct comp {
	const char	*prefix;
	size_t		 plen;
	cmd_complete_fn	 cb;
	void		*arg;
};

static void
offer(struct comp *cp, const char *cand)
{
	if (strncmp(cand, cp->prefix, cp->plen) == 0)
		cp->cb(cand, cp->arg);
}

static void
name_cb(const char *name, void *arg)
{
	struct comp	*cp = arg;

	cp->cb(name, cp->arg);
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
		cp->cb(cand, cp->arg);
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
		cp->cb(cand, cp->arg);
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

/* The option of e that word names ("--host", "-o"), or NULL. */
static const struct cmd_opt *
word_opt(const struct cmd_opt **opts, size_t n, const char *word)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (opts[i]->flags & OPT_POSITIONAL)
			continue;
		if (word[0] == '-' && word[1] == '-' &&
		    strcmp(word + 2, opts[i]->name) == 0)
			return opts[i];
		if (word[0] == '-' && word[1] != '-' && word[1] != '\0' &&
		    word[2] == '\0' && word[1] == opts[i]->short_name)
			return opts[i];
	}
	return NULL;
}

static void
complete_args(struct ctx *c, struct comp *cp, const struct cmd_entry *e,
    int argc, char **argv)
{
	const struct cmd_opt	*opts[CMD_ALLOPTS], *o;
	size_t			 n, i, npos = 0;
	int			 k;
	char			*cand;

	n = cmd_opts(e, opts);
	/* Count the positionals before the word under the cursor. */
	for (k = 0; k < argc - 1; k++) {
		if (argv[k][0] == '-' && argv[k][1] != '\0') {
			o = word_opt(opts, n, argv[k]);
			if (o != NULL && o->type != OPT_FLAG &&
			    strchr(argv[k], '=') == NULL)
				k++;
			continue;
		}
		npos++;
	}
	if (argc >= 2 && argv[argc - 2][0] == '-') {
		o = word_opt(opts, n, argv[argc - 2]);
		if (o != NULL && o->type != OPT_FLAG) {
			complete_value(c, cp, e, o);
			return;
		}
	}
	if (cp->prefix[0] == '-') {
		for (i = 0; i < n; i++) {
			if (opts[i]->flags & OPT_POSITIONAL)
				continue;
			cand = xasprintf("--%s", opts[i]->name);
			offer(cp, cand);
			free(cand);
		}
		return;
	}
	for (i = 0; i < n; i++) {
		if (!(opts[i]->flags & OPT_POSITIONAL))
			continue;
		if (npos == 0 || (opts[i]->flags & OPT_MULTI)) {
			complete_value(c, cp, e, opts[i]);
			return;
		}
		npos--;
	}
}

void
cmd_complete(struct ctx *c, int argc, char **argv, cmd_complete_fn cb,
    void *arg)
{
	const struct cmd_entry *const	*ep;
	const struct cmd_entry		*e;
	struct comp			 cp;
	const char			*last = NULL;
	int				 used;

	if (argc < 1)
		return;
	cp.prefix = argv[argc - 1];
	cp.plen = strlen(cp.prefix);
	cp.cb = cb;
	cp.arg = arg;

	/* "help host a" completes like "host a". */
	if (argc >= 2 && strcmp(argv[0], "help") == 0) {
		argv++;
		argc--;
		if (argc > 2)
			return;
	}
	if (argc == 1) {
		for (ep = cmd_table; *ep != NULL; ep++) {
			const char	*w = (*ep)->noun != NULL ? (*ep)->noun :
			    (*ep)->verb;

			if (((*ep)->flags & CMD_HIDDEN) ||
			    (last != NULL && strcmp(last, w) == 0))
				continue;
			offer(&cp, w);
			last = w;
		}
		return;
	}
	if (argc == 2) {
		int	noun = 0;

		for (ep = cmd_table; *ep != NULL; ep++) {
			if ((*ep)->noun == NULL ||
			    strcmp((*ep)->noun, argv[0]) != 0)
				continue;
			noun = 1;
			if (!((*ep)->flags & CMD_HIDDEN))
				offer(&cp, (*ep)->verb);
		}
		if (noun)
			return;
	}
	e = cmd_find(argc - 1, argv, &used);
	if (e == NULL || e->exec == NULL)
		return;
	complete_args(c, &cp, e, argc - used, argv + used);
}
