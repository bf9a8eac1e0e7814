/*
 * cmd-user.c: the users hvsh knows and their roles. A user is a Unix
 * account on the bastion; its role decides what it may do: viewer reads,
 * operator also runs instances, admin does everything.
 */
#include <string.h>

#include "cmd-common.h"
#include "err.h"

static int
count_admin(const struct record *r, void *arg)
{
	const char	*role = record_get(r, USER_ROLE);

	if (role != NULL && strcmp(role, "admin") == 0)
		(*(size_t *)arg)++;
	return 0;
}

/*
 * Once users are recorded only they may use hvsh, so the last admin must
 * stay: without one nobody could change roles again.
 */
static int
one_admin_left(struct store_txn *tx)
{
	size_t	users = 0, admins = 0;
	int	rc;

	if ((rc = store_count(tx, KIND_USER, &users)) != 0)
		return rc;
	if (users == 0)
		return 0;
	if ((rc = store_iter(tx, KIND_USER, count_admin, &admins)) != 0)
		return rc;
	if (admins == 0)
		return err_set(ERR_BUSY, "that would leave no admin; "
		    "make another user admin first");
	return 0;
}

/*
 * The first user recorded ends the open set-up phase, so it must be an
 * admin, or nobody could manage hvsh afterwards. Checked in the transaction
 * so that two first users cannot race past it.
 */
static int
user_init(struct ctx *c, struct store_txn *tx, struct record *r, void *arg)
{
	size_t	n = 0;
	int	rc;

	if ((rc = store_count(tx, KIND_USER, &n)) != 0)
		return rc;
	if (n == 0 && strcmp(record_get(r, USER_ROLE), "admin") != 0)
		return err_set(ERR_BUSY, "the first user must be an admin");
	return 0;
}

static int
user_add(struct ctx *c, struct cmd_args *a)
{
	return cmd_add(c, a, user_init, NULL);
}

static int
user_set(struct ctx *c, struct cmd_args *a)
{
	return cmd_set(c, a, one_admin_left);
}

static int
user_remove(struct ctx *c, struct cmd_args *a)
{
	return cmd_remove(c, a, one_admin_left);
}

static const struct cmd_opt user_add_opts[] = {
	OPT_NAME_NEW(KIND_USER, "Unix user name on the bastion"),
	{ "role", 'r', OPT_ENUM, OPT_REQUIRED, 0, user_roles, "ROLE",
	    "viewer, operator or admin" },
	{ NULL }
};

static const struct cmd_opt user_set_opts[] = {
	OPT_NAME_OLD(KIND_USER, "the user"),
	{ "role", 'r', OPT_ENUM, OPT_REQUIRED, 0, user_roles, "ROLE",
	    "viewer, operator or admin" },
	{ NULL }
};

static const struct cmd_opt user_name_opts[] = {
	OPT_NAME_OLD(KIND_USER, "the user"),
	{ NULL }
};

static const struct cmd_opt no_opts[] = { { NULL } };

const struct cmd_entry cmd_user_add = {
	"user", "add", NULL, user_add_opts, CMD_WRITE | CMD_ADMIN,
	"let a Unix user use hvsh with a role",
	"While no user is recorded, whoever can open the store is admin; the "
	"first user added must therefore be an admin.",
	user_add
};
const struct cmd_entry cmd_user_list = {
	"user", "list", "ls", no_opts, CMD_LIST,
	"list users and roles", NULL, cmd_generic_list
};
const struct cmd_entry cmd_user_set = {
	"user", "set", NULL, user_set_opts, CMD_WRITE | CMD_ADMIN,
	"change a user's role", NULL, user_set
};
const struct cmd_entry cmd_user_remove = {
	"user", "remove", "rm", user_name_opts, CMD_WRITE | CMD_ADMIN,
	"take a user's access away", NULL, user_remove
};
