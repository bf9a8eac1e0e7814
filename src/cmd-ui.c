/*
 * cmd-ui.c: the "ui" commands that key bindings and the dashboard's ':'
 * prompt run. They act through the context's ui hook, which only the
 * dashboard sets; elsewhere they fail.
 */
#include <string.h>

#include "cmd.h"
#include "err.h"

static const char *const ui_moves[] = { "up", "down", "left", "right", "top",
	"bottom", "page-up", "page-down", "half-up", "half-down", NULL };
static const char *const ui_views[] = { "hosts", "instances", "images",
	"pools", "volumes", "snapshots", "events", "next", "prev", NULL };

static int
ui_exec(struct ctx *c, struct cmd_args *a)
{
	char *const	*words;
	int		 n;

	if (c->ui == NULL)
		return ctx_error(c, ERR_FAIL, "only in the dashboard");
	words = arg_multi(a, "args", &n);
	return c->ui(c, c->entry->verb, n, (char **)words);
}

static const struct cmd_opt move_opts[] = {
	{ "args", 0, OPT_ENUM, OPT_POSITIONAL | OPT_REQUIRED, 0, ui_moves,
	    NULL, "where to move" },
	{ NULL }
};
static const struct cmd_opt view_opts[] = {
	{ "args", 0, OPT_ENUM, OPT_POSITIONAL | OPT_REQUIRED, 0, ui_views,
	    NULL, "the view to show" },
	{ NULL }
};
static const struct cmd_opt sort_opts[] = {
	{ "args", 0, OPT_STR, OPT_POSITIONAL, 0, NULL, "COLUMN",
	    "the column to sort by (again: reverse)" },
	{ NULL }
};
static const struct cmd_opt prompt_opts[] = {
	{ "args", 0, OPT_STR, OPT_POSITIONAL | OPT_MULTI, 0, NULL, "TEXT",
	    "text to start the command line with" },
	{ NULL }
};
static const struct cmd_opt no_opts[] = { { NULL } };

#define UI_ENTRY(verb, opts, summary)					\
const struct cmd_entry cmd_ui_##verb = {				\
	"ui", #verb, NULL, opts, CMD_NOSTORE, summary, NULL, ui_exec	\
}
#define UI_ENTRY2(id, verb, opts, summary)				\
const struct cmd_entry cmd_ui_##id = {					\
	"ui", verb, NULL, opts, CMD_NOSTORE, summary, NULL, ui_exec	\
}

UI_ENTRY(move, move_opts, "dashboard: move the selection");
UI_ENTRY(view, view_opts, "dashboard: show a view");
UI_ENTRY(sort, sort_opts, "dashboard: sort by a column");
UI_ENTRY(filter, no_opts, "dashboard: open the filter line");
UI_ENTRY(prompt, prompt_opts, "dashboard: open the command line");
UI_ENTRY(mark, no_opts, "dashboard: mark the selected row");
UI_ENTRY2(mark_all, "mark-all", no_opts, "dashboard: mark every row");
UI_ENTRY2(mark_none, "mark-none", no_opts, "dashboard: unmark every row");
UI_ENTRY(detail, no_opts, "dashboard: toggle the detail pane");
UI_ENTRY(help, no_opts, "dashboard: show the keys");
UI_ENTRY(refresh, no_opts, "dashboard: refresh the hosts now");
UI_ENTRY(redraw, no_opts, "dashboard: redraw the screen");
UI_ENTRY(quit, no_opts, "dashboard: leave");
