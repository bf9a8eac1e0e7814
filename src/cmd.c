/*
 * cmd.c: the command engine: finds an entry in the table, parses its
 * arguments against the entry's declared options, checks prerequisites
 * (store, role) in one place, runs it and turns its result into an exit
 * status. Errors reach the user only through ctx_error().
 */
#include <sys/types.h>

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "err.h"
#include "hostops.h"
#include "lex.h"
#include "name.h"
#include "util.h"

/* Longest value an option takes; longer input is refused, not truncated. */
#define ARG_MAXLEN 4096

static const struct cmd_opt list_common[] = {
	{ "output", 'o', OPT_ENUM, 0, 0, out_format_names, "FORMAT",
	    "output format (wide: a table of every column)" },
	{ "columns", 0, OPT_STR, 0, 0, NULL, "COLS",
	    "columns to show, comma-separated, in order" },
	{ "wide", 'l', OPT_FLAG, 0, 0, NULL, NULL,
	    "every column, not only the usual ones" },
	{ "no-header", 0, OPT_FLAG, 0, 0, NULL, NULL,
	    "leave out the header line" },
	{ "filter", 0, OPT_STR, 0, 0, NULL, "EXPR",
	    "rows to keep, e.g. 'state!=running and host=kvm1'" },
	{ "sort", 0, OPT_STR, 0, 0, NULL, "[-]COLUMN",
	    "order rows by COLUMN (-COLUMN: descending)" },
};

static const struct cmd_opt show_common[] = {
	{ "output", 'o', OPT_ENUM, 0, 0, out_format_names, "FORMAT",
	    "output format" },
	{ "columns", 0, OPT_STR, 0, 0, NULL, "COLS",
	    "fields to show, comma-separated, in order" },
};

static const struct cmd_opt hosts_common[] = {
	{ "dry-run", 'n', OPT_FLAG, 0, 0, NULL, NULL,
	    "print the commands that would run on each host; run none" },
};

static const struct cmd_opt destructive_common[] = {
	{ "yes", 'y', OPT_FLAG, 0, 0, NULL, NULL,
	    "do it without asking (needed in scripts)" },
};

static const struct cmd_opt help_opt[] = {
	{ "help", 'h', OPT_FLAG, 0, 0, NULL, NULL, "show this help" },
};

struct cmd_args {
	const struct cmd_entry	*entry;
	const struct cmd_opt	*opts[CMD_ALLOPTS];
	size_t			 nopts;
	char			**vals[CMD_ALLOPTS];	/* borrowed from argv */
	int			 nvals[CMD_ALLOPTS];
	int64_t			 num[CMD_ALLOPTS];
	struct list_opts	 lo;
	int			 partial;	/* cmd_where: values unchecked */
};

size_t
cmd_opts(const struct cmd_entry *e, const struct cmd_opt **out)
{
	const struct cmd_opt	*o;
	size_t			 n = 0, i;

	for (o = e->opts; o != NULL && o->name != NULL && n < CMD_MAXOPTS; o++)
		out[n++] = o;
	if (e->flags & CMD_LIST) {
		for (i = 0; i < nitems(list_common); i++)
			out[n++] = &list_common[i];
	}
	if (e->flags & CMD_SHOW) {
		for (i = 0; i < nitems(show_common); i++)
			out[n++] = &show_common[i];
	}
	if (e->flags & CMD_HOSTS)
		out[n++] = &hosts_common[0];
	if (e->flags & CMD_DESTRUCTIVE)
		out[n++] = &destructive_common[0];
	out[n++] = &help_opt[0];
	return n;
}

const char *
cmd_name(const struct cmd_entry *e, char *buf, size_t len)
{
	if (e->noun == NULL)
		snprintf(buf, len, "%s", e->verb);
	else
		snprintf(buf, len, "%s %s", e->noun, e->verb);
	return buf;
}

const struct cmd_entry *
cmd_find(int argc, char **argv, int *used)
{
	const struct cmd_entry *const	*ep;

	*used = 0;
	if (argc < 1)
		return NULL;
	for (ep = cmd_table; *ep != NULL; ep++) {
		if ((*ep)->noun == NULL && strcmp((*ep)->verb, argv[0]) == 0) {
			*used = 1;
			return *ep;
		}
	}
	if (argc < 2)
		return NULL;
	for (ep = cmd_table; *ep != NULL; ep++) {
		const struct cmd_entry	*e = *ep;

		if (e->noun == NULL || strcmp(e->noun, argv[0]) != 0)
			continue;
		if (strcmp(e->verb, argv[1]) == 0 ||
		    (e->alias != NULL && strcmp(e->alias, argv[1]) == 0)) {
			*used = 2;
			return e;
		}
	}
	return NULL;
}

/* 1 if some entry has noun as its first word. */
static int
is_noun(const char *noun)
{
	const struct cmd_entry *const	*ep;

	for (ep = cmd_table; *ep != NULL; ep++) {
		if ((*ep)->noun != NULL && strcmp((*ep)->noun, noun) == 0)
			return 1;
	}
	return 0;
}

/* The verbs of a noun, "add, list, show", for usage messages. */
static char *
noun_verbs(const char *noun)
{
	const struct cmd_entry *const	*ep;
	struct buf			 b = { 0 };

	for (ep = cmd_table; *ep != NULL; ep++) {
		if ((*ep)->noun == NULL || strcmp((*ep)->noun, noun) != 0 ||
		    ((*ep)->flags & CMD_HIDDEN))
			continue;
		if (b.len > 0)
			buf_addstr(&b, ", ");
		buf_addstr(&b, (*ep)->verb);
	}
	return buf_take(&b);
}

/*
 * The optimal string alignment distance of a and b: insertions, deletions,
 * substitutions and swaps of neighbours count one each. Words are short
 * (callers refuse longer than 64 bytes).
 */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), i, j, d[66][66], best;

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

/* The closest of the names offered to a mistyped word, for "did you mean". */
struct suggest {
	const char	*word;
	const char	*best;
	size_t		 dist;
};

static void
suggest_try(struct suggest *sg, const char *cand)
{
	size_t	d;

	if (cand == NULL)
		return;
	d = edit_distance(sg->word, cand);
	if (d > 0 && (sg->best == NULL || d < sg->dist)) {
		sg->best = cand;
		sg->dist = d;
	}
}

/* The best name if it is near enough to be what was meant, else NULL. */
static const char *
suggest_get(const struct suggest *sg)
{
	size_t	limit = strlen(sg->word) <= 4 ? 1 : 2;

	return sg->best != NULL && sg->dist <= limit ? sg->best : NULL;
}

/* The command word (a noun or a lone word) nearest to word, or NULL. */
static const char *
suggest_command(const char *word)
{
	const struct cmd_entry *const	*ep;
	struct suggest			 sg = { word, NULL, 0 };

	for (ep = cmd_table; *ep != NULL; ep++) {
		if ((*ep)->flags & CMD_HIDDEN)
			continue;
		suggest_try(&sg, (*ep)->noun != NULL ? (*ep)->noun :
		    (*ep)->verb);
	}
	return suggest_get(&sg);
}

/* The verb (or alias) of noun nearest to word, or NULL. */
static const char *
suggest_verb(const char *noun, const char *word)
{
	const struct cmd_entry *const	*ep;
	struct suggest			 sg = { word, NULL, 0 };

	for (ep = cmd_table; *ep != NULL; ep++) {
		if ((*ep)->noun == NULL || strcmp((*ep)->noun, noun) != 0 ||
		    ((*ep)->flags & CMD_HIDDEN))
			continue;
		suggest_try(&sg, (*ep)->verb);
		suggest_try(&sg, (*ep)->alias);
	}
	return suggest_get(&sg);
}

/* The values of an enum option joined by '|'. */
static const char *
enum_list(const struct cmd_opt *o, char *buf, size_t len)
{
	const char *const	*e;
	size_t			 off = 0;

	buf[0] = '\0';
	for (e = o->enums; e != NULL && *e != NULL && off < len; e++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    e == o->enums ? "" : "|", *e);
	return buf;
}

const char *
cmd_metavar(const struct cmd_opt *o, char *buf, size_t len)
{
	if (o->type == OPT_ENUM && o->metavar == NULL)
		return enum_list(o, buf, len);
	if (o->metavar != NULL)
		return o->metavar;
	switch (o->type) {
	case OPT_INT:
		return "N";
	case OPT_SIZE:
		return "SIZE";
	case OPT_NAME:
		return "NAME";
	case OPT_FILE:
		return "FILE";
	case OPT_TAG:
		return "KEY=VALUE";
	default:
		return "VALUE";
	}
}

void
cmd_usage(struct buf *out, const struct cmd_entry *e)
{
	const struct cmd_opt	*opts[CMD_ALLOPTS];
	size_t			 n, i;
	char			 name[64], mv[128];

	n = cmd_opts(e, opts);
	buf_addstr(out, cmd_name(e, name, sizeof name));
	for (i = 0; i < n; i++) {
		const struct cmd_opt	*o = opts[i];

		if (!(o->flags & OPT_POSITIONAL))
			continue;
		buf_printf(out, (o->flags & OPT_REQUIRED) ? " %s%s" : " [%s%s]",
		    cmd_metavar(o, mv, sizeof mv),
		    (o->flags & OPT_MULTI) ? "..." : "");
	}
	for (i = 0; i < n; i++) {
		const struct cmd_opt	*o = opts[i];

		if ((o->flags & OPT_POSITIONAL) || !(o->flags & OPT_REQUIRED))
			continue;
		buf_printf(out, " --%s %s", o->name,
		    cmd_metavar(o, mv, sizeof mv));
	}
	for (i = 0; i < n; i++) {
		if (!(opts[i]->flags & (OPT_POSITIONAL | OPT_REQUIRED)) &&
		    opts[i] != &help_opt[0]) {
			buf_addstr(out, " [options]");
			break;
		}
	}
	buf_addc(out, '\n');
}

/* Finds a long (--name) or short (-x) option; NULL if the command has none. */
static int
find_opt(struct cmd_args *a, const char *word, size_t len, char short_name)
{
	size_t	i;

	for (i = 0; i < a->nopts; i++) {
		const struct cmd_opt	*o = a->opts[i];

		if (o->flags & OPT_POSITIONAL)
			continue;
		if (short_name != 0 ? o->short_name == short_name :
		    (strlen(o->name) == len && strncmp(o->name, word, len) == 0))
			return (int)i;
	}
	return -1;
}

/* 1 if s has a byte that must never reach a record, a log or a terminal. */
static int
has_control(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	}
	return 0;
}

/* Checks one value against its option's type; ERR_USAGE with a reason. */
static int
check_value(struct ctx *c, struct cmd_args *a, size_t i, char *val)
{
	const struct cmd_opt	*o = a->opts[i];
	const char *const	*e;
	char			 mv[128], what[80];
	const char		*eq;
	int64_t			 v;

	if (strlen(val) > ARG_MAXLEN)
		return ctx_error(c, ERR_USAGE, "%s: value is longer than %d "
		    "bytes", o->name, ARG_MAXLEN);
	if (has_control(val))
		return ctx_error(c, ERR_USAGE, "%s: value has control "
		    "characters", o->name);
	switch (o->type) {
	case OPT_INT:
		if (parse_i64(val, &v) != 0 || v < 0)
			return ctx_error(c, ERR_USAGE, "%s: '%s' is not a whole "
			    "number", o->name, val);
		a->num[i] = v;
		break;
	case OPT_SIZE:
		if (parse_size(val, &v) != 0)
			return ctx_error(c, ERR_USAGE, "%s: '%s' is not a size "
			    "(such as 512M, 2G)", o->name, val);
		a->num[i] = v;
		break;
	case OPT_ENUM:
		for (e = o->enums; *e != NULL; e++) {
			if (strcmp(*e, val) == 0)
				return 0;
		}
		return ctx_error(c, ERR_USAGE, "%s: '%s' is not one of %s",
		    o->name, val, enum_list(o, mv, sizeof mv));
	case OPT_NAME:
		snprintf(what, sizeof what, "%s", o->kind < KIND__COUNT &&
		    kind_def(o->kind) != NULL ? kind_def(o->kind)->name : o->name);
		if (name_check(what, val) != 0)
			return ctx_error(c, ERR_USAGE, "%s", err_msg());
		break;
	case OPT_TAG:
		eq = strchr(val, '=');
		if (eq == NULL)
			return ctx_error(c, ERR_USAGE, "%s: '%s' is not "
			    "KEY=VALUE", o->name, val);
		break;
	default:
		break;
	}
	return 0;
}

/* Adds a value to option i, refusing a repeat of a single-valued option. */
static int
add_value(struct ctx *c, struct cmd_args *a, size_t i, char *val)
{
	const struct cmd_opt	*o = a->opts[i];
	int			 rc;

	if (a->nvals[i] > 0 && !(o->flags & OPT_MULTI)) {
		if (o->flags & OPT_POSITIONAL)
			return ctx_error(c, ERR_USAGE, "unexpected argument "
			    "'%s'", val);
		return ctx_error(c, ERR_USAGE, "option --%s given twice",
		    o->name);
	}
	if (!a->partial && (rc = check_value(c, a, i, val)) != 0)
		return rc;
	a->vals[i] = xreallocarray(a->vals[i], (size_t)a->nvals[i] + 2,
	    sizeof *a->vals[i]);
	a->vals[i][a->nvals[i]++] = val;
	a->vals[i][a->nvals[i]] = NULL;
	return 0;
}

static void
args_free(struct cmd_args *a)
{
	size_t	i;

	for (i = 0; i < a->nopts; i++)
		free(a->vals[i]);
}

/* Refuses an option the command does not take, naming the nearest one. */
static int
unknown_option(struct ctx *c, const struct cmd_args *a, const char *w)
{
	struct suggest	 sg = { NULL, NULL, 0 };
	const char	*near;
	char		*name;
	size_t		 i;
	int		 rc;

	if (has_control(w) || strlen(w) > 64)
		return ctx_error(c, ERR_USAGE, "unknown option");
	if (w[1] != '-')
		return ctx_error(c, ERR_USAGE, "unknown option '%s'", w);
	name = xstrndup(w + 2, strcspn(w + 2, "="));
	sg.word = name;
	for (i = 0; i < a->nopts; i++) {
		if (!(a->opts[i]->flags & OPT_POSITIONAL))
			suggest_try(&sg, a->opts[i]->name);
	}
	if ((near = suggest_get(&sg)) != NULL)
		rc = ctx_error(c, ERR_USAGE, "unknown option '%s' (did you "
		    "mean '--%s'?)", w, near);
	else
		rc = ctx_error(c, ERR_USAGE, "unknown option '%s'", w);
	free(name);
	return rc;
}

/*
 * Says what the word under the cursor is, from the state args_parse reached
 * before it: an option's name, a value given with the option ("--driver=kv",
 * "-dkv"), or the next positional, if any is left.
 */
static void
where_word(struct cmd_args *a, struct cmd_where *where, char *w, int dashdash,
    size_t pos)
{
	const char	*eq;
	size_t		 i;
	int		 idx;

	where->word = w;
	if (!dashdash && w[0] == '-') {
		if (w[1] == '-' && (eq = strchr(w + 2, '=')) != NULL) {
			idx = find_opt(a, w + 2, (size_t)(eq - (w + 2)), 0);
			where->lead = (size_t)(eq + 1 - w);
		} else if (w[1] != '-' && w[1] != '\0' && w[2] != '\0') {
			idx = find_opt(a, NULL, 0, w[1]);
			where->lead = 2;
		} else {
			where->at = CMD_AT_OPTION;
			return;
		}
		if (idx >= 0 && a->opts[idx]->type != OPT_FLAG) {
			where->at = CMD_AT_VALUE;
			where->opt = a->opts[idx];
			where->word = w + where->lead;
		} else
			where->lead = 0;
		return;
	}
	for (i = pos; i < a->nopts; i++) {
		if (a->opts[i]->flags & OPT_POSITIONAL) {
			where->at = CMD_AT_VALUE;
			where->opt = a->opts[i];
			return;
		}
	}
}

/*
 * Parses argv (the words after the command's name) into a. Options may come
 * anywhere; "--" ends them. Returns 0, ERR_USAGE, or 1 when --help was given.
 * With where set (cmd_where) the last word is the one under the cursor: the
 * parse stops there and says what it is.
 */
static int
args_parse(struct ctx *c, struct cmd_args *a, int argc, char **argv,
    struct cmd_where *where)
{
	size_t	 pos = 0, i;
	int	 k, idx, rc, dashdash = 0;
	char	 mv[128];

	for (k = 0; k < argc; k++) {
		char	*w = argv[k], *val = NULL;

		if (where != NULL && k == argc - 1) {
			where_word(a, where, w, dashdash, pos);
			return 0;
		}
		if (!dashdash && strcmp(w, "--") == 0) {
			dashdash = 1;
			continue;
		}
		if (!dashdash && w[0] == '-' && w[1] != '\0') {
			const char	*eq;
			size_t		 len;

			if (w[1] == '-') {
				eq = strchr(w + 2, '=');
				len = eq != NULL ? (size_t)(eq - (w + 2)) :
				    strlen(w + 2);
				idx = find_opt(a, w + 2, len, 0);
				if (eq != NULL)
					val = (char *)eq + 1;
			} else {
				idx = find_opt(a, NULL, 0, w[1]);
				if (w[2] != '\0')
					val = w + 2;
			}
			if (idx < 0)
				return unknown_option(c, a, w);
			if (a->opts[idx]->type == OPT_FLAG) {
				if (val != NULL)
					return ctx_error(c, ERR_USAGE, "option "
					    "--%s takes no value",
					    a->opts[idx]->name);
				if (a->opts[idx] == &help_opt[0])
					return 1;
				a->nvals[idx]++;
				continue;
			}
			if (val == NULL) {
				if (where != NULL && k + 1 == argc - 1) {
					where->at = CMD_AT_VALUE;
					where->opt = a->opts[idx];
					where->word = argv[k + 1];
					return 0;
				}
				if (k + 1 >= argc)
					return ctx_error(c, ERR_USAGE, "option "
					    "--%s needs a value (%s)",
					    a->opts[idx]->name,
					    cmd_metavar(a->opts[idx], mv,
					    sizeof mv));
				val = argv[++k];
			}
			if ((rc = add_value(c, a, (size_t)idx, val)) != 0)
				return rc;
			continue;
		}
		/* A positional: the next one declared, or the last if multi. */
		for (i = pos; i < a->nopts; i++) {
			if (a->opts[i]->flags & OPT_POSITIONAL)
				break;
		}
		if (i >= a->nopts) {
			if (has_control(w) || strlen(w) > 64)
				return ctx_error(c, ERR_USAGE,
				    "unexpected argument");
			return ctx_error(c, ERR_USAGE, "unexpected argument "
			    "'%s'", w);
		}
		if ((rc = add_value(c, a, i, w)) != 0)
			return rc;
		if (!(a->opts[i]->flags & OPT_MULTI))
			pos = i + 1;
		else
			pos = i;
	}
	for (i = 0; i < a->nopts; i++) {
		const struct cmd_opt	*o = a->opts[i];

		if ((o->flags & OPT_REQUIRED) && a->nvals[i] == 0) {
			if (o->flags & OPT_POSITIONAL)
				return ctx_error(c, ERR_USAGE, "missing %s",
				    cmd_metavar(o, mv, sizeof mv));
			return ctx_error(c, ERR_USAGE, "missing --%s %s",
			    o->name, cmd_metavar(o, mv, sizeof mv));
		}
	}
	if (a->entry->flags & (CMD_LIST | CMD_SHOW)) {
		const char	*fmt = arg_str(a, "output");

		if (fmt != NULL)
			out_format_parse(fmt, &a->lo.format);
		a->lo.columns = arg_str(a, "columns");
		a->lo.filter = arg_str(a, "filter");
		a->lo.no_header = arg_flag(a, "no-header");
		a->lo.width = c->width;
		a->lo.sort = arg_str(a, "sort");
		a->lo.all = arg_flag(a, "wide");
		/* Colour is for people: never in JSON or CSV. */
		a->lo.colour = c->colour && (a->lo.format == OUT_TABLE ||
		    a->lo.format == OUT_WIDE);
	}
	return 0;
}

static int
arg_index(const struct cmd_args *a, const char *name)
{
	size_t	i;

	for (i = 0; i < a->nopts; i++) {
		if (strcmp(a->opts[i]->name, name) == 0)
			return (int)i;
	}
	return -1;
}

const char *
arg_str(const struct cmd_args *a, const char *name)
{
	int	i = arg_index(a, name);

	if (i < 0 || a->nvals[i] == 0 || a->vals[i] == NULL)
		return NULL;
	return a->vals[i][a->nvals[i] - 1];
}

int
arg_flag(const struct cmd_args *a, const char *name)
{
	int	i = arg_index(a, name);

	return i >= 0 && a->nvals[i] > 0;
}

int64_t
arg_i64(const struct cmd_args *a, const char *name, int64_t def)
{
	int	i = arg_index(a, name);

	if (i < 0 || a->nvals[i] == 0)
		return def;
	return a->num[i];
}

char *const *
arg_multi(const struct cmd_args *a, const char *name, int *n)
{
	static char	*none[] = { NULL };
	int		 i = arg_index(a, name);

	if (i < 0 || a->nvals[i] == 0) {
		*n = 0;
		return none;
	}
	*n = a->nvals[i];
	return a->vals[i];
}

const struct list_opts *
arg_list_opts(const struct cmd_args *a)
{
	return &a->lo;
}

void
ctx_error_text(struct ctx *c, const char *msg, struct buf *line)
{
	struct buf	clean = { 0 };
	char		name[64];

	if (c->src.file != NULL && c->src.line > 0)
		buf_printf(line, "%s:%d: ", c->src.file, c->src.line);
	if (c->entry != NULL)
		buf_printf(line, "%s: ", cmd_name(c->entry, name, sizeof name));
	/* Messages carry text from hosts and users: never raw to a terminal. */
	buf_printf(line, "%s\n", sanitize(msg, &clean));
	buf_free(&clean);
}

static void
default_on_error(struct ctx *c, const char *msg)
{
	struct buf	line = { 0 };

	buf_addstr(&line, "hvsh: ");
	ctx_error_text(c, msg, &line);
	ctx_emit(c, CTX_ERR, line.data, line.len);
	buf_free(&line);
}

void
ctx_init(struct ctx *c, const char *home)
{
	struct passwd	*pw;

	memset(c, 0, sizeof *c);
	c->home = home;
	c->out = stdout;
	c->err = stderr;
	c->on_error = default_on_error;
	pw = getpwuid(geteuid());
	c->user = pw != NULL ? xstrdup(pw->pw_name) :
	    xasprintf("uid%ld", (long)geteuid());
}

void
ctx_free(struct ctx *c)
{
	tp_free(c->tp);
	c->tp = NULL;
	store_close(c->store);
	c->store = NULL;
	free(c->user);
	free(c->cmdline);
	free(c->result);
	c->user = c->cmdline = c->result = NULL;
}

int
ctx_error(struct ctx *c, int code, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	c->nerrors++;
	c->on_error(c, msg);
	free(msg);
	return code;
}

int
ctx_error_last(struct ctx *c)
{
	int	code = err_code();

	c->nerrors++;
	c->on_error(c, err_msg());
	return code;
}

void
ctx_info(struct ctx *c, const char *fmt, ...)
{
	va_list	ap;

	struct buf	 clean = { 0 };
	char		*msg;

	if (c->quiet)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	sanitize(msg, &clean);
	buf_addc(&clean, '\n');
	ctx_emit(c, CTX_OUT, clean.data, clean.len);
	free(msg);
	buf_free(&clean);
}

void
ctx_emit(struct ctx *c, int stream, const char *text, size_t len)
{
	FILE	*f = stream == CTX_ERR ? c->err : c->out;

	if (len == 0)
		return;
	if (c->emit != NULL) {
		c->emit(c, stream, text, len);
		return;
	}
	fwrite(text, 1, len, f);
	/* Notes must show at once, before a slow step follows. */
	if (stream == CTX_ERR)
		fflush(f);
}

void
ctx_vemit(struct ctx *c, int stream, const char *fmt, va_list ap)
{
	char	*text = xvasprintf(fmt, ap);

	ctx_emit(c, stream, text, strlen(text));
	free(text);
}

void
ctx_printf(struct ctx *c, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	ctx_vemit(c, CTX_OUT, fmt, ap);
	va_end(ap);
}

void
ctx_eprintf(struct ctx *c, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	ctx_vemit(c, CTX_ERR, fmt, ap);
	va_end(ap);
}

void
ctx_puts(struct ctx *c, const char *s)
{
	ctx_emit(c, CTX_OUT, s, strlen(s));
}

void
ctx_flush(struct ctx *c)
{
	if (c->emit != NULL)
		return;
	fflush(c->out);
	fflush(c->err);
}

int
ctx_out_write(void *arg, const char *text, size_t len)
{
	struct ctx	*c = arg;

	if (len > 0) {
		ctx_emit(c, CTX_OUT, text, len);
		return 0;
	}
	/* The end of a listing: a write error shows by now. */
	if (c->emit == NULL && (fflush(c->out) == EOF || ferror(c->out)))
		return err_set(ERR_IO, "cannot write the output: %s",
		    strerror(errno));
	return 0;
}

int
ctx_confirm(struct ctx *c, const char *what)
{
	struct buf	 clean = { 0 }, prompt = { 0 };
	const char	*p, *nl;
	char		*line;
	int		 r;

	if (c->confirmed)
		return 0;
	if (c->ask == NULL)
		return ctx_error(c, ERR_USAGE, "refusing to go on without "
		    "--yes in a script");
	/* Names in what come from hosts and users: never raw to a terminal. */
	for (p = what; *p != '\0'; p = *nl != '\0' ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		line = xstrndup(p, (size_t)(nl - p));
		buf_printf(&prompt, "%s\n", sanitize(line, &clean));
		free(line);
	}
	buf_addstr(&prompt, "Go on? [y/N] ");
	r = c->ask(c, prompt.data);
	buf_free(&prompt);
	buf_free(&clean);
	if (r == 1)
		return 0;
	return ctx_error(c, ERR_CANCEL, "cancelled");
}

void
ctx_set_result(struct ctx *c, const char *fmt, ...)
{
	va_list	ap;

	free(c->result);
	va_start(ap, fmt);
	c->result = xvasprintf(fmt, ap);
	va_end(ap);
}

int
ctx_transport(struct ctx *c, struct transport **out)
{
	int	rc;

	if (c->tp == NULL && (rc = hostops_transport(c->home, &c->tp)) != 0) {
		*out = NULL;
		return rc;
	}
	*out = c->tp;
	return 0;
}

void
ctx_set_status(struct ctx *c, int status)
{
	c->result_status = status;
}

int
ctx_store(struct ctx *c, struct store **out)
{
	int	rc;

	if (c->store == NULL) {
		rc = store_open(c->home, 0, &c->store);
		if (rc == ERR_PERM) {
			/* Reading is still possible from a store we cannot change. */
			rc = store_open(c->home, STORE_RDONLY, &c->store);
			if (rc == 0)
				c->store_rdonly = 1;
		}
		if (rc != 0) {
			c->store = NULL;
			return rc;
		}
	}
	*out = c->store;
	return 0;
}

/* Appends the running command's audit event inside tx. */
static int
audit_append(struct store_txn *tx, struct ctx *c, int status,
    const char *result)
{
	struct record	*r = record_new(KIND_AUDIT);
	int		 rc;

	record_set_i64(r, AUDIT_TIME, now_unix());
	record_set(r, AUDIT_USER, c->user);
	record_set(r, AUDIT_COMMAND, c->cmdline != NULL ? c->cmdline : "");
	record_set_i64(r, AUDIT_STATUS, status);
	record_set(r, AUDIT_RESULT, result);
	rc = store_put(tx, r);
	record_free(r);
	return rc;
}

struct write_arg {
	struct ctx	*c;
	store_write_fn	 fn;
	void		*arg;
};

static int
write_wrap(struct store_txn *tx, void *p)
{
	struct write_arg	*wa = p;
	int			 rc;

	free(wa->c->result);
	wa->c->result = NULL;
	wa->c->result_status = 0;
	if ((rc = wa->fn(tx, wa->arg)) != 0)
		return rc;
	return audit_append(tx, wa->c, wa->c->result_status,
	    wa->c->result != NULL ? wa->c->result : "ok");
}

int
ctx_write(struct ctx *c, store_write_fn fn, void *arg)
{
	struct write_arg	 wa = { c, fn, arg };
	struct store		*st;
	int			 rc;

	if ((rc = ctx_store(c, &st)) != 0)
		return rc;
	if (c->store_rdonly)
		return err_set(ERR_PERM, "the store at %s is read-only for "
		    "user %s", c->home, c->user);
	return store_write(st, write_wrap, &wa);
}

struct denied_arg {
	struct ctx	*c;
	const char	*why;
};

static int
denied_tx(struct store_txn *tx, void *p)
{
	struct denied_arg	*da = p;

	return audit_append(tx, da->c, 3, da->why);
}

/*
 * Decides the user's role: the role recorded for their Unix name; while no
 * user is recorded at all, whoever owns the store is admin, so that a new
 * installation can be set up.
 */
static int
resolve_role(struct ctx *c, struct store *st, enum role *role)
{
	struct store_txn	*tx;
	struct record		*u = NULL;
	size_t			 nusers = 0;
	const char		*r;
	int			 rc;

	if ((rc = store_read(st, &tx)) != 0)
		return rc;
	if ((rc = store_count(tx, KIND_USER, &nusers)) != 0)
		goto out;
	if (nusers == 0) {
		*role = ROLE_ADMIN;
		goto out;
	}
	rc = store_get_by_name(tx, KIND_USER, 0, c->user, &u);
	if (rc == ERR_NOENT) {
		rc = err_set(ERR_PERM, "user %s is not registered with hvsh "
		    "(an admin can run 'hvsh user add %s --role viewer')",
		    c->user, c->user);
		goto out;
	}
	if (rc != 0)
		goto out;
	r = record_get(u, USER_ROLE);
	if (r != NULL && strcmp(r, "admin") == 0)
		*role = ROLE_ADMIN;
	else if (r != NULL && strcmp(r, "operator") == 0)
		*role = ROLE_OPERATOR;
	else
		*role = ROLE_VIEWER;
out:
	record_free(u);
	store_txn_end(tx);
	return rc;
}

static const char *
role_name(enum role r)
{
	return user_roles[r];
}

/* Records a refused command in the audit trail, if the store can be written. */
static void
audit_denied(struct ctx *c, struct store *st, const char *why)
{
	struct denied_arg	da = { c, why };

	if (!c->store_rdonly)
		(void)store_write(st, denied_tx, &da);
}

/* Checks the entry's role flag against the user's role; audits a refusal. */
static int
check_role(struct ctx *c, const struct cmd_entry *e)
{
	struct store	*st;
	enum role	 need = ROLE_VIEWER;
	char		*why;
	int		 rc;

	if ((rc = ctx_store(c, &st)) != 0)
		return ctx_error_last(c);
	if ((rc = resolve_role(c, st, &c->role)) != 0) {
		if (rc == ERR_PERM) {
			why = xasprintf("denied: %s", err_msg());
			audit_denied(c, st, why);
			free(why);
		}
		return ctx_error_last(c);
	}
	if (e->flags & CMD_ADMIN)
		need = ROLE_ADMIN;
	else if (e->flags & (CMD_OPERATOR | CMD_WRITE))
		need = ROLE_OPERATOR;
	if (c->role >= need)
		return 0;
	why = xasprintf("denied: needs role %s; user %s is %s",
	    role_name(need), c->user, role_name(c->role));
	audit_denied(c, st, why);
	rc = ctx_error(c, ERR_PERM, "%s", why);
	free(why);
	return rc;
}

static int
exit_status(int rc)
{
	if (rc == 0)
		return 0;
	if (rc == ERR_CANCEL)
		return 130;
	return rc == ERR_USAGE ? 2 : 1;
}

/*
 * A destructive command in a script (no one to ask) needs --yes, or
 * --dry-run, which changes nothing; it is refused before it runs.
 */
static int
check_confirm(struct ctx *c, const struct cmd_entry *e, struct cmd_args *a)
{
	char	name[64];

	c->confirmed = arg_flag(a, "yes") ||
	    ((e->flags & CMD_HOSTS) && arg_flag(a, "dry-run"));
	if (!(e->flags & CMD_DESTRUCTIVE) || c->confirmed || c->ask != NULL)
		return 0;
	return ctx_error(c, ERR_USAGE, "refusing to %s without --yes in a "
	    "script%s", cmd_name(e, name, sizeof name),
	    (e->flags & CMD_HOSTS) ? " (--dry-run shows what it would do)" :
	    "");
}

/*
 * "help WORDS..." through the table, for --help: the engine knows help
 * only as one of the table's entries.
 */
static int
run_help(struct ctx *c, int n, char **words)
{
	char	**argv;
	int	  status;

	argv = xcalloc((size_t)n + 2, sizeof *argv);
	argv[0] = (char *)"help";
	memcpy(argv + 1, words, (size_t)n * sizeof *argv);
	status = cmd_run(c, n + 1, argv);
	free(argv);
	return status;
}

/* Refuses words that name no command, with the nearest names. */
static int
unknown_command(struct ctx *c, int argc, char **argv)
{
	const char	*near;
	char		*verbs;
	int		 rc;

	if (has_control(argv[0]) || strlen(argv[0]) > 64)
		return ctx_error(c, ERR_USAGE, "unknown command (see 'hvsh "
		    "help')");
	if (!is_noun(argv[0])) {
		if ((near = suggest_command(argv[0])) != NULL)
			return ctx_error(c, ERR_USAGE, "unknown command '%s' "
			    "(did you mean '%s'?)", argv[0], near);
		return ctx_error(c, ERR_USAGE, "unknown command '%s' (see "
		    "'hvsh help')", argv[0]);
	}
	verbs = noun_verbs(argv[0]);
	if (argc < 2)
		rc = ctx_error(c, ERR_USAGE, "%s: missing verb (%s)", argv[0],
		    verbs);
	else if (has_control(argv[1]) || strlen(argv[1]) > 64)
		rc = ctx_error(c, ERR_USAGE, "%s: unknown verb (%s)", argv[0],
		    verbs);
	else if ((near = suggest_verb(argv[0], argv[1])) != NULL)
		rc = ctx_error(c, ERR_USAGE, "%s: unknown verb '%s' (did you "
		    "mean '%s'?)", argv[0], argv[1], near);
	else
		rc = ctx_error(c, ERR_USAGE, "%s: unknown verb '%s' (%s)",
		    argv[0], argv[1], verbs);
	free(verbs);
	return rc;
}

int
cmd_run(struct ctx *c, int argc, char **argv)
{
	const struct cmd_entry	*e;
	struct cmd_args		 a;
	struct buf		 usage = { 0 };
	int			 used, rc, nerrors;

	c->entry = NULL;
	err_clear();
	if (argc < 1)
		return 0;
	e = cmd_find(argc, argv, &used);
	if (e == NULL) {
		if (is_noun(argv[0]) && argc >= 2 &&
		    (strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "-h") == 0))
			return run_help(c, 1, argv);
		return exit_status(unknown_command(c, argc, argv));
	}
	c->entry = e;
	if ((e->flags & CMD_INTERACTIVE) && c->interactive)
		return exit_status(ctx_error(c, ERR_USAGE, "already in the "
		    "shell"));

	memset(&a, 0, sizeof a);
	a.entry = e;
	a.nopts = cmd_opts(e, a.opts);
	rc = args_parse(c, &a, argc - used, argv + used, NULL);
	if (rc == 1) {
		args_free(&a);
		c->entry = NULL;
		return run_help(c, used, argv);
	}
	if (rc != 0) {
		buf_addstr(&usage, "usage: hvsh ");
		cmd_usage(&usage, e);
		ctx_emit(c, CTX_ERR, usage.data, usage.len);
		buf_free(&usage);
		goto out;
	}

	if ((rc = check_confirm(c, e, &a)) != 0)
		goto out;
	free(c->cmdline);
	c->cmdline = lex_join(argv, argc);
	if (!(e->flags & CMD_NOSTORE) && (rc = check_role(c, e)) != 0)
		goto out;
	nerrors = c->nerrors;
	rc = e->exec(c, &a);
	/* A command may return a lower layer's code without reporting it. */
	if (rc != 0 && c->nerrors == nerrors)
		ctx_error_last(c);
	/* Whatever a command made of a Ctrl-C, it failed by being cancelled. */
	if (rc != 0 && intr_pending())
		rc = ERR_CANCEL;
out:
	ctx_flush(c);
	args_free(&a);
	c->entry = NULL;
	c->confirmed = 0;
	return exit_status(rc);
}

/* A ctx for parses that run nothing: it keeps the first error's text. */
struct quiet_ctx {
	struct ctx	 c;		/* first, so the ctx is the whole */
	char		*msg;
};

static void
quiet_on_error(struct ctx *c, const char *msg)
{
	struct quiet_ctx	*q = (struct quiet_ctx *)c;

	if (q->msg == NULL)
		q->msg = xstrdup(msg);
}

void
cmd_where(int argc, char **argv, struct cmd_where *w)
{
	const struct cmd_entry	*e;
	struct quiet_ctx	 q;
	struct cmd_args		 a;
	size_t			 i;
	int			 used;

	memset(w, 0, sizeof *w);
	if (argc < 1)
		return;
	w->word = argv[argc - 1];
	if (argc == 1) {
		w->at = CMD_AT_COMMAND;
		return;
	}
	/* The words before the cursor's name the command, or a noun of one. */
	if ((e = cmd_find(argc - 1, argv, &used)) == NULL) {
		if (argc == 2 && is_noun(argv[0])) {
			w->at = CMD_AT_COMMAND;
			w->noun = argv[0];
		}
		return;
	}
	w->entry = e;
	memset(&q, 0, sizeof q);
	q.c.on_error = quiet_on_error;
	memset(&a, 0, sizeof a);
	a.entry = e;
	a.nopts = cmd_opts(e, a.opts);
	a.partial = 1;
	if (args_parse(&q.c, &a, argc - used, argv + used, w) != 0) {
		w->at = CMD_AT_NONE;
		w->opt = NULL;
		w->lead = 0;
	}
	for (i = 0; i < a.nopts; i++) {
		w->opts[i] = a.opts[i];
		w->given[i] = a.nvals[i];
	}
	w->nopts = a.nopts;
	args_free(&a);
	free(q.msg);
}

int
cmd_check(int argc, char **argv, char **why)
{
	const struct cmd_entry	*e;
	struct quiet_ctx	 q;
	struct cmd_args		 a;
	char			*verbs, name[64];
	int			 used, rc;

	*why = NULL;
	if (argc < 1) {
		*why = xstrdup("no command");
		return ERR_USAGE;
	}
	if ((e = cmd_find(argc, argv, &used)) == NULL) {
		if (!is_noun(argv[0]))
			*why = xasprintf("unknown command '%s'", argv[0]);
		else {
			verbs = noun_verbs(argv[0]);
			*why = argc < 2 ? xasprintf("%s: missing verb (%s)",
			    argv[0], verbs) : xasprintf("%s: unknown verb "
			    "'%s' (%s)", argv[0], argv[1], verbs);
			free(verbs);
		}
		return ERR_USAGE;
	}
	memset(&q, 0, sizeof q);
	q.c.on_error = quiet_on_error;
	memset(&a, 0, sizeof a);
	a.entry = e;
	a.nopts = cmd_opts(e, a.opts);
	rc = args_parse(&q.c, &a, argc - used, argv + used, NULL);
	args_free(&a);
	if (rc == 1)
		rc = 0;		/* --help */
	if (rc != 0)
		*why = xasprintf("%s: %s", cmd_name(e, name, sizeof name),
		    q.msg != NULL ? q.msg : "bad command");
	free(q.msg);
	return rc != 0 ? ERR_USAGE : 0;
}
