/*
 * cmd-ui.c: the ui commands, which key bindings and the dashboard's ':'
 * prompt run like any other command (tmux's model: one table for the
 * command line, bindings and the prompt), and 'keys', which lists a keymap
 * or checks a keymap file. A ui command acts only through the dashboard's
 * hook (ctx->ui); anywhere else it fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "keymap.h"
#include "listing.h"
#include "util.h"

/*
 * Hands the action and its words to the dashboard. The words of ui prompt
 * go as one text, joined by spaces, as the prompt is prefilled with it.
 */
static int
ui_exec(struct ctx *c, struct cmd_args *a)
{
	const struct cmd_opt	*o;
	struct buf		 text = { 0 };
	char			*const *vals, *argv[2] = { NULL, NULL };
	int			 n, i, argc = 0, rc;

	if (c->ui == NULL)
		return ctx_error(c, ERR_FAIL, "only in the dashboard");
	for (o = c->entry->opts; o->name != NULL; o++) {
		vals = arg_multi(a, o->name, &n);
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_addc(&text, ' ');
			buf_addstr(&text, vals[i]);
		}
		if (n > 0)
			break;
	}
	if (text.data != NULL)
		argv[argc++] = text.data;
	rc = c->ui(c, c->entry->verb, argc, argv);
	buf_free(&text);
	return rc;
}

static const char *const ui_moves[] = {
	"up", "down", "left", "right", "top", "bottom", "page-up", "page-down",
	"half-up", "half-down", NULL
};

static const char *const ui_views[] = {
	"hosts", "instances", "images", "pools", "volumes", "snapshots",
	"events", "next", "prev", NULL
};

static const struct cmd_opt ui_move_opts[] = {
	{ "where", 0, OPT_ENUM, OPT_POSITIONAL | OPT_REQUIRED, 0, ui_moves,
	    NULL, "up, down, left, right, top, bottom, page-up, page-down, "
	    "half-up or half-down" },
	{ NULL }
};

static const struct cmd_opt ui_view_opts[] = {
	{ "view", 0, OPT_ENUM, OPT_POSITIONAL | OPT_REQUIRED, 0, ui_views,
	    NULL, "a view's name, or next or prev" },
	{ NULL }
};

static const struct cmd_opt ui_sort_opts[] = {
	{ "column", 0, OPT_STR, OPT_POSITIONAL, 0, NULL, "COLUMN",
	    "the column to sort by; none: the next one; the same again: "
	    "reversed" },
	{ NULL }
};

static const struct cmd_opt ui_prompt_opts[] = {
	{ "text", 0, OPT_STR, OPT_POSITIONAL | OPT_MULTI, 0, NULL, "TEXT",
	    "what the command line starts with" },
	{ NULL }
};

static const struct cmd_opt ui_no_opts[] = { { NULL } };

#define UI_ENTRY(var, verb, opts, summary)				\
const struct cmd_entry var = {						\
	"ui", verb, NULL, opts, CMD_NOSTORE, summary,			\
	"Runs in the dashboard (from a key binding or its ':' prompt); "\
	"anywhere else it fails.", ui_exec				\
}

UI_ENTRY(cmd_ui_move, "move", ui_move_opts, "dashboard: move the selection");
UI_ENTRY(cmd_ui_view, "view", ui_view_opts, "dashboard: show another view");
UI_ENTRY(cmd_ui_sort, "sort", ui_sort_opts,
    "dashboard: sort by a column, or reverse it");
UI_ENTRY(cmd_ui_filter, "filter", ui_no_opts,
    "dashboard: open the / filter line");
UI_ENTRY(cmd_ui_prompt, "prompt", ui_prompt_opts,
    "dashboard: open the : command line");
UI_ENTRY(cmd_ui_mark, "mark", ui_no_opts,
    "dashboard: mark or unmark the selected row");
UI_ENTRY(cmd_ui_mark_all, "mark-all", ui_no_opts,
    "dashboard: mark every row shown");
UI_ENTRY(cmd_ui_mark_none, "mark-none", ui_no_opts,
    "dashboard: unmark every row");
UI_ENTRY(cmd_ui_detail, "detail", ui_no_opts,
    "dashboard: show or hide the selected row's detail");
UI_ENTRY(cmd_ui_help, "help", ui_no_opts,
    "dashboard: the key bindings and their notes");
UI_ENTRY(cmd_ui_refresh, "refresh", ui_no_opts,
    "dashboard: refresh the hosts now");
UI_ENTRY(cmd_ui_redraw, "redraw", ui_no_opts, "dashboard: draw it all again");
UI_ENTRY(cmd_ui_quit, "quit", ui_no_opts, "dashboard: leave it");

/* --- keys --- */

static const struct col_def keys_cols[] = {
	{ "table", COL_STR, 0 },
	{ "key", COL_STR, 0 },
	{ "note", COL_STR, 0 },
	{ "command", COL_STR, 0 },
};

/* Reports each "FILE:LINE: why" line of errors; how many there were. */
static int
report_lines(struct ctx *c, const char *errors)
{
	const char	*p, *nl;
	int		 n = 0;

	for (p = errors; p != NULL && (nl = strchr(p, '\n')) != NULL;
	    p = nl + 1) {
		ctx_error(c, ERR_USAGE, "%.*s", (int)(nl - p), p);
		n++;
	}
	return n;
}

/* keys --check FILE: the file alone, as a keymap. */
static int
keys_check(struct ctx *c, const char *path)
{
	struct keymap	*km;
	struct buf	 errors = { 0 };
	int		 rc, n;

	if ((rc = keymap_load(&km, path, NULL, &errors)) != 0)
		return ctx_error(c, rc, "%s", err_msg());
	n = report_lines(c, errors.data);
	if (n == 0)
		ctx_info(c, "%s: %zu binding%s, no problems", path,
		    keymap_count(km), keymap_count(km) == 1 ? "" : "s");
	else
		rc = ctx_error(c, ERR_FAIL, "%d bad line%s in %s", n,
		    n == 1 ? "" : "s", path);
	keymap_free(km);
	buf_free(&errors);
	return rc;
}

static int
keys_cmd(struct ctx *c, struct cmd_args *a)
{
	const struct keybind	*kb;
	struct keymap		*km = NULL;
	struct listing		*l = NULL;
	struct buf		 errors = { 0 };
	const char		*vals[nitems(keys_cols)];
	char			*path = NULL, *user = NULL;
	size_t			 i;
	int			 rc, n;

	if (arg_str(a, "check") != NULL)
		return keys_check(c, arg_str(a, "check"));
	if ((rc = keymap_find(keymap_choose(arg_str(a, "keymap")), &path)) != 0)
		return ctx_error(c, rc, "%s", err_msg());
	user = keymap_user_path(c->home);
	if ((rc = keymap_load(&km, path, user, &errors)) != 0) {
		rc = ctx_error(c, rc, "%s", err_msg());
		goto out;
	}
	if ((rc = listing_new(ctx_out_write, c, keys_cols, nitems(keys_cols),
	    "table,key,note,command", arg_list_opts(a), &l)) != 0) {
		rc = ctx_error(c, rc, "%s", err_msg());
		goto out;
	}
	for (i = 0; i < keymap_count(km); i++) {
		kb = keymap_at(km, i);
		vals[0] = kb->table;
		vals[1] = kb->keyname;
		vals[2] = kb->note;
		vals[3] = kb->command;
		listing_row(l, vals);
	}
	rc = listing_end(l);
	l = NULL;
	/* The list is what loaded; the lines that did not are errors. */
	if (rc == 0 && (n = report_lines(c, errors.data)) > 0)
		rc = ctx_error(c, ERR_FAIL, "%d bad line%s in the keymaps", n,
		    n == 1 ? "" : "s");
out:
	listing_end(l);
	keymap_free(km);
	buf_free(&errors);
	free(path);
	free(user);
	return rc;
}

static const struct cmd_opt keys_opts[] = {
	{ "keymap", 'k', OPT_STR, 0, 0, NULL, "NAME",
	    "default, vi, emacs, or a file (default: $HVSH_KEYMAP, or "
	    "default)" },
	{ "check", 0, OPT_FILE, 0, 0, NULL, "FILE",
	    "check a keymap file: print its bad lines as FILE:LINE: why" },
	{ NULL }
};

const struct cmd_entry cmd_keys = {
	NULL, "keys", NULL, keys_opts, CMD_NOSTORE | CMD_LIST,
	"list the dashboard's key bindings, or check a keymap file",
	"Lists the bindings of the keymap (with the user's own from "
	"$HVSH_HOME/keys over it) with the notes the dashboard's help shows. "
	"With --check, reads FILE as a keymap and reports each bad line; "
	"exits 1 if there is one.",
	keys_cmd
};
