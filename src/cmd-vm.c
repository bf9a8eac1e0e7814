/*
 * cmd-vm.c: instances, volumes and snapshots as recorded in the store.
 * Creating and driving them on hosts arrives with the drivers; these are the
 * views of what is recorded.
 */
#include <string.h>

#include "cmd-common.h"
#include "err.h"
#include "view.h"

/* snapshot list [VM]: all snapshots, or one instance's through its index. */
static int
snapshot_list(struct ctx *c, struct cmd_args *a)
{
	struct store		*st;
	struct store_txn	*tx;
	struct record		*vm = NULL;
	const char		*name = arg_str(a, "vm");
	uint64_t		 id;
	int			 rc;

	if (name == NULL)
		return view_list(c, a, KIND_SNAPSHOT, -1, 0);
	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	rc = view_lookup(c, tx, KIND_VM, name, &vm);
	id = vm != NULL ? vm->id : 0;
	record_free(vm);
	store_txn_end(tx);
	if (rc != 0)
		return rc;
	return view_list(c, a, KIND_SNAPSHOT, SNAPSHOT_VM, id);
}

/* snapshot show VM NAME: snapshot names are unique per instance. */
static int
snapshot_show(struct ctx *c, struct cmd_args *a)
{
	struct store		*st;
	struct store_txn	*tx;
	struct record		*vm = NULL, *snap = NULL;
	const char		*name = arg_str(a, "name");
	int			 rc;

	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	if ((rc = view_lookup(c, tx, KIND_VM, arg_str(a, "vm"), &vm)) != 0)
		goto out;
	rc = store_get_by_name(tx, KIND_SNAPSHOT, vm->id, name, &snap);
	if (rc == ERR_NOENT)
		rc = ctx_error(c, rc, "instance '%s' has no snapshot '%s'",
		    arg_str(a, "vm"), name);
	else if (rc == 0)
		rc = view_show(c, a, tx, snap);
out:
	record_free(vm);
	record_free(snap);
	store_txn_end(tx);
	return rc;
}

static const struct cmd_opt vm_name_opts[] = {
	OPT_NAME_OLD(KIND_VM, "the instance"),
	{ NULL }
};

static const struct cmd_opt volume_name_opts[] = {
	OPT_NAME_OLD(KIND_VOLUME, "the volume"),
	{ NULL }
};

static const struct cmd_opt snapshot_list_opts[] = {
	{ "vm", 0, OPT_NAME, OPT_POSITIONAL | OPT_EXISTING, KIND_VM, NULL,
	    "VM", "only this instance's snapshots" },
	{ NULL }
};

static const struct cmd_opt snapshot_show_opts[] = {
	{ "vm", 0, OPT_NAME, OPT_POSITIONAL | OPT_REQUIRED | OPT_EXISTING,
	    KIND_VM, NULL, "VM", "the instance" },
	{ "name", 0, OPT_NAME, OPT_POSITIONAL | OPT_REQUIRED, KIND_SNAPSHOT,
	    NULL, "NAME", "the snapshot" },
	{ NULL }
};

static const struct cmd_opt no_opts[] = { { NULL } };

const struct cmd_entry cmd_vm_show = {
	"vm", "show", NULL, vm_name_opts, CMD_SHOW,
	"show an instance: host, image, size, state", NULL, cmd_generic_show
};
const struct cmd_entry cmd_volume_list = {
	"volume", "list", "ls", no_opts, CMD_LIST,
	"list data volumes", NULL, cmd_generic_list
};
const struct cmd_entry cmd_volume_show = {
	"volume", "show", NULL, volume_name_opts, CMD_SHOW,
	"show a data volume", NULL, cmd_generic_show
};
const struct cmd_entry cmd_snapshot_list = {
	"snapshot", "list", "ls", snapshot_list_opts, CMD_LIST,
	"list snapshots, of all instances or of one", NULL, snapshot_list
};
const struct cmd_entry cmd_snapshot_show = {
	"snapshot", "show", NULL, snapshot_show_opts, CMD_SHOW,
	"show one snapshot of an instance", NULL, snapshot_show
};
