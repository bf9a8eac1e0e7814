/*
 * cmd-pool.c: storage pool commands. Primary pools hold instance disks and
 * volumes; secondary pools hold images and snapshots.
 */
#include "cmd-common.h"

static const char *const pool_roles[] = { "primary", "secondary", NULL };
static const char *const pool_types[] = { "dir", "nfs", "iscsi", "zfs", "lvm",
	NULL };

static const struct cmd_opt pool_add_opts[] = {
	OPT_NAME_NEW(KIND_POOL, "name for the pool"),
	{ "role", 'r', OPT_ENUM, OPT_REQUIRED, 0, pool_roles, "ROLE",
	    "primary (instance disks, volumes) or secondary (images)" },
	{ "type", 't', OPT_ENUM, OPT_REQUIRED, 0, pool_types, "TYPE",
	    "dir, nfs, iscsi, zfs or lvm" },
	{ "path", 0, OPT_STR, OPT_REQUIRED, 0, NULL, "PATH",
	    "directory, NFS export, iSCSI target or dataset" },
	{ "host", 0, OPT_NAME, OPT_EXISTING, KIND_HOST, NULL, "HOST",
	    "host the pool is local to" },
	{ "capacity", 0, OPT_SIZE, 0, 0, NULL, NULL, "size of the pool" },
	OPT_TAGS,
	{ NULL }
};

static const struct cmd_opt pool_name_opts[] = {
	OPT_NAME_OLD(KIND_POOL, "the pool"),
	{ NULL }
};

static const struct cmd_opt pool_remove_opts[] = {
	OPT_NAME_OLD(KIND_POOL, "the pool"),
	OPT_FORCE("remove it even if images or volumes refer to it"),
	{ NULL }
};

static const struct cmd_opt no_opts[] = { { NULL } };

const struct cmd_entry cmd_pool_add = {
	"pool", "add", NULL, pool_add_opts, CMD_WRITE | CMD_ADMIN,
	"record a storage pool", NULL, cmd_generic_add
};
const struct cmd_entry cmd_pool_list = {
	"pool", "list", "ls", no_opts, CMD_LIST,
	"list storage pools", NULL, cmd_generic_list
};
const struct cmd_entry cmd_pool_show = {
	"pool", "show", NULL, pool_name_opts, CMD_SHOW,
	"show a storage pool", NULL, cmd_generic_show
};
const struct cmd_entry cmd_pool_remove = {
	"pool", "remove", "rm", pool_remove_opts,
	CMD_WRITE | CMD_ADMIN | CMD_DESTRUCTIVE,
	"forget a storage pool",
	"Refused while images or volumes refer to the pool, unless --force.",
	cmd_generic_remove
};
