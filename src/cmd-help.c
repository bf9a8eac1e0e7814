/*
 * cmd-help.c: help and the table's self-test, both read off the command
 * table so that neither can fall out of step with the commands.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "util.h"

static void
help_all(struct buf *out)
{
	const struct cmd_entry *const	*ep;
	char				 name[64];

	buf_addstr(out, "usage: hvsh [--home DIR] [-q] COMMAND [ARGS...]\n"
	    "       hvsh [--home DIR] -c 'COMMAND; COMMAND...'\n"
	    "       hvsh [--home DIR] -f FILE\n"
	    "       hvsh [--home DIR] shell\n"
	    "Commands are also read from standard input when it is not a "
	    "terminal.\n\n"
	    "Commands:\n");
	for (ep = cmd_table; *ep != NULL; ep++) {
		if ((*ep)->flags & CMD_HIDDEN)
			continue;
		buf_printf(out, "  %-18s %s\n", cmd_name(*ep, name, sizeof name),
		    (*ep)->summary);
	}
	buf_addstr(out, "\nRun 'hvsh help COMMAND' for a command's options.\n");
}

/* "a, b, c" for an enum option's values. */
static const char *
enum_values(const struct cmd_opt *o, char *buf, size_t len)
{
	const char *const	*e;
	size_t			 off = 0;

	buf[0] = '\0';
	for (e = o->enums; *e != NULL && off < len; e++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    e == o->enums ? "" : ", ", *e);
	return buf;
}

static void
help_one(struct buf *out, const struct cmd_entry *e)
{
	const struct cmd_opt	*opts[CMD_ALLOPTS];
	size_t			 n, i;
	char			 mv[128], left[160];

	buf_addstr(out, "usage: hvsh ");
	cmd_usage(out, e);
	buf_printf(out, "\n%s\n", e->summary);
	if (e->help != NULL)
		buf_printf(out, "\n%s\n", e->help);
	n = cmd_opts(e, opts);
	buf_addc(out, '\n');
	for (i = 0; i < n; i++) {
		const struct cmd_opt	*o = opts[i];

		if (o->flags & OPT_POSITIONAL)
			snprintf(left, sizeof left, "%s",
			    cmd_metavar(o, mv, sizeof mv));
		else if (o->type == OPT_FLAG)
			snprintf(left, sizeof left, "%s%c%s--%s",
			    o->short_name ? "-" : "",
			    o->short_name ? o->short_name : ' ',
			    o->short_name ? ", " : "", o->name);
		else
			snprintf(left, sizeof left, "%s%c%s--%s %s",
			    o->short_name ? "-" : "",
			    o->short_name ? o->short_name : ' ',
			    o->short_name ? ", " : "", o->name,
			    cmd_metavar(o, mv, sizeof mv));
		buf_printf(out, "  %-28s %s%s%s\n", left[0] == ' ' ? left + 1 :
		    left, o->help, (o->flags & OPT_REQUIRED) ? " (required)" :
		    "", (o->flags & OPT_MULTI) ? " (may repeat)" : "");
		if (o->type == OPT_ENUM && o->metavar != NULL)
			buf_printf(out, "  %-28s one of: %s\n", "",
			    enum_values(o, mv, sizeof mv));
	}
}

int
cmd_help(struct buf *out, int argc, char **argv)
{
	const struct cmd_entry *const	*ep;
	const struct cmd_entry		*e;
	char				 name[64];
	int				 used, found = 0;

	if (argc == 0) {
		help_all(out);
		return 0;
	}
	e = cmd_find(argc, argv, &used);
	if (e != NULL) {
		help_one(out, e);
		return 0;
	}
	for (ep = cmd_table; *ep != NULL; ep++) {
		if ((*ep)->noun == NULL || strcmp((*ep)->noun, argv[0]) != 0 ||
		    ((*ep)->flags & CMD_HIDDEN))
			continue;
		buf_printf(out, "  %-18s %s\n", cmd_name(*ep, name, sizeof name),
		    (*ep)->summary);
		found = 1;
	}
	return found ? 0 : ERR_USAGE;
}

/* Reports one problem of the table; counts it. */
static void
problem(struct buf *out, int *count, const struct cmd_entry *e, const char *what,
    const char *detail)
{
	char	name[64];

	buf_printf(out, "%s: %s%s%s\n", cmd_name(e, name, sizeof name), what,
	    detail != NULL ? ": " : "", detail != NULL ? detail : "");
	(*count)++;
}

/* Checks that a word is lowercase letters, digits and '-'. */
static int
word_ok(const char *w)
{
	if (w == NULL || *w == '\0')
		return 0;
	for (; *w != '\0'; w++) {
		if (!((*w >= 'a' && *w <= 'z') || (*w >= '0' && *w <= '9') ||
		    *w == '-'))
			return 0;
	}
	return 1;
}

static void
check_entry(struct buf *out, int *count, const struct cmd_entry *e)
{
	const struct cmd_opt	*opts[CMD_ALLOPTS];
	size_t			 n, i, j;
	int			 seen_optional = 0, seen_multi = 0;

	if ((e->noun != NULL && !word_ok(e->noun)) || !word_ok(e->verb))
		problem(out, count, e, "name is not lowercase words", NULL);
	if (e->exec == NULL)
		problem(out, count, e, "no function", NULL);
	if (e->summary == NULL || *e->summary == '\0')
		problem(out, count, e, "no summary", NULL);
	if ((e->flags & CMD_LIST) && (e->flags & CMD_SHOW))
		problem(out, count, e, "both a list and a show", NULL);
	n = cmd_opts(e, opts);
	for (i = 0; i < n; i++) {
		const struct cmd_opt	*o = opts[i];

		if (!word_ok(o->name))
			problem(out, count, e, "bad option name", o->name);
		if (o->help == NULL || *o->help == '\0')
			problem(out, count, e, "option without help", o->name);
		if (o->type == OPT_ENUM && o->enums == NULL)
			problem(out, count, e, "enum without values", o->name);
		if (o->type == OPT_NAME && o->kind >= KIND__COUNT)
			problem(out, count, e, "name of no kind", o->name);
		if ((o->flags & OPT_POSITIONAL) && o->type == OPT_FLAG)
			problem(out, count, e, "positional flag", o->name);
		if (o->flags & OPT_POSITIONAL) {
			if (seen_multi)
				problem(out, count, e, "positional after a "
				    "repeating one", o->name);
			if ((o->flags & OPT_REQUIRED) && seen_optional)
				problem(out, count, e, "required positional "
				    "after an optional one", o->name);
			if (!(o->flags & OPT_REQUIRED))
				seen_optional = 1;
			if (o->flags & OPT_MULTI)
				seen_multi = 1;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(opts[j]->name, o->name) == 0)
				problem(out, count, e, "option twice", o->name);
			if (o->short_name != 0 &&
			    opts[j]->short_name == o->short_name)
				problem(out, count, e, "short option twice",
				    o->name);
		}
	}
}

int
cmd_self_test(struct buf *out)
{
	const struct cmd_entry *const	*ep, *const *ep2;
	int				 count = 0;

	for (ep = cmd_table; *ep != NULL; ep++) {
		check_entry(out, &count, *ep);
		for (ep2 = cmd_table; ep2 != ep; ep2++) {
			const struct cmd_entry	*a = *ep, *b = *ep2;
			int			 same_noun;

			same_noun = (a->noun == NULL && b->noun == NULL) ||
			    (a->noun != NULL && b->noun != NULL &&
			    strcmp(a->noun, b->noun) == 0);
			if (!same_noun)
				continue;
			if (strcmp(a->verb, b->verb) == 0 ||
			    (a->alias != NULL && (strcmp(a->alias, b->verb) == 0 ||
			    (b->alias != NULL && strcmp(a->alias, b->alias) == 0))) ||
			    (b->alias != NULL && strcmp(b->alias, a->verb) == 0))
				problem(out, &count, a, "name clashes with",
				    b->verb);
		}
		/* A lone word must not shadow a noun. */
		if ((*ep)->noun == NULL) {
			for (ep2 = cmd_table; *ep2 != NULL; ep2++) {
				if ((*ep2)->noun != NULL &&
				    strcmp((*ep2)->noun, (*ep)->verb) == 0) {
					problem(out, &count, *ep,
					    "shadows the noun", (*ep)->verb);
					break;
				}
			}
		}
	}
	return count;
}
