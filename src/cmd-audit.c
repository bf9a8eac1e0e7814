/*
 * cmd-audit.c: the audit trail. Every change is recorded in the same
 * transaction as the change itself, with who ran it, the command line and
 * what came of it; refusals by role are recorded as well.
 */
#include "cmd-common.h"
#include "view.h"

static int
audit_list(struct ctx *c, struct cmd_args *a)
{
	return view_list(c, a, KIND_AUDIT, -1, 0);
}

static const struct cmd_opt audit_list_opts[] = {
	{ "limit", 0, OPT_INT, 0, 0, NULL, "N", "only the newest N events" },
	{ NULL }
};

const struct cmd_entry cmd_audit_list = {
	"audit", "list", "ls", audit_list_opts, CMD_LIST,
	"list the audit trail, oldest first",
	"status is 0 for a change made, 3 for a command refused by role.",
	audit_list
};
