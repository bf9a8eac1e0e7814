/*
 * cmd-snapshot.c: snapshots of instances: taken, reverted to and removed
 * on the instance's host, and listed from the records. Snapshot names are
 * unique per instance. Every host call goes through dispatch (dispatch.h),
 * so --dry-run shows the exact lines and a missing driver slot is worded
 * there; the store changes only after the host did what was asked, in one
 * write with the audit event, whose result is dispatch's outcome.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-common.h"
#include "dispatch.h"
#include "err.h"
#include "hostops.h"
#include "inventory.h"
#include "view.h"

/* What one snapshot command holds between its reads, the host and its write. */
struct snapop {
	struct ctx		*c;
	struct cmd_args		*a;
	struct record		*vm;
	struct record		*host;
	struct record		*snap;		/* NULL for create */
	char			 idbuf[24];
	struct dcall		 dc;
	char			*outcome;	/* dispatch_outcome() */
	struct host_refresh	 hr;		/* revert: the host after */
};

static void
snapop_free(struct snapop *s)
{
	record_free(s->vm);
	record_free(s->host);
	record_free(s->snap);
	free(s->outcome);
	dcall_clear(&s->dc);
	host_refresh_clear(&s->hr);
}

/*
 * Reads the instance, its host and, when want_snap, its snapshot named in
 * one read transaction. With want_snap 0 a snapshot of that name must not
 * exist yet.
 */
static int
snapop_load(struct snapop *s, int want_snap)
{
	struct store		*st;
	struct store_txn	*tx;
	const char		*vmname = arg_str(s->a, "vm");
	const char		*name = arg_str(s->a, "name");
	int64_t			 hid;
	int			 rc;

	if ((rc = ctx_store(s->c, &st)) != 0 ||
	    (rc = store_read(st, &tx)) != 0)
		return rc;
	if ((rc = view_lookup(s->c, tx, KIND_VM, vmname, &s->vm)) != 0)
		goto out;
	rc = store_get_by_name(tx, KIND_SNAPSHOT, s->vm->id, name, &s->snap);
	if (want_snap && rc == ERR_NOENT) {
		rc = ctx_error(s->c, rc, "instance '%s' has no snapshot '%s'",
		    vmname, name);
		goto out;
	} else if (!want_snap && rc == 0) {
		rc = ctx_error(s->c, ERR_EXIST, "instance '%s' already has a "
		    "snapshot '%s'", vmname, name);
		goto out;
	} else if (rc != 0 && rc != ERR_NOENT)
		goto out;
	hid = record_get_i64(s->vm, VM_HOST, 0);
	if (hid <= 0 || store_get(tx, KIND_HOST, (uint64_t)hid,
	    &s->host) != 0) {
		rc = ctx_error(s->c, ERR_INVAL, "instance %s is not placed on "
		    "any host", vmname);
		goto out;
	}
	rc = 0;
out:
	store_txn_end(tx);
	return rc;
}

/*
 * Starts the one call of the command: on the instance's host, about it.
 * The subject reads after dispatch's verb: "snapshot vm web1 as s1",
 * "revert vm web1 to snapshot s1", "remove a snapshot of vm web1 (s1)".
 */
static void
snapop_call_init(struct snapop *s, enum drv_call call)
{
	struct drv_target	*t = &s->dc.req.vm;
	const char		*vm = record_get(s->vm, FI_NAME);
	const char		*name = arg_str(s->a, "name");
	char			*subject;

	if (call == DRV_SNAP_CREATE)
		subject = xasprintf("vm %s as %s", vm, name);
	else if (call == DRV_SNAP_REVERT)
		subject = xasprintf("vm %s to snapshot %s", vm, name);
	else
		subject = xasprintf("vm %s (%s)", vm, name);
	dcall_init(&s->dc, s->host, subject);
	free(subject);
	s->dc.what = DC_CALL;
	s->dc.call = call;
	snprintf(s->idbuf, sizeof s->idbuf, "%" PRIu64, s->vm->id);
	t->name = record_get(s->vm, FI_NAME);
	t->uuid = record_get(s->vm, VM_UUID);
	t->hvsh_id = s->idbuf;
	s->dc.req.product = record_get(s->host, HOST_PRODUCT);
	s->dc.req.snapshot = arg_str(s->a, "name");
	if (s->snap != NULL)
		s->dc.req.snap_ref = record_get(s->snap, SNAPSHOT_REF);
}

/*
 * Runs the call (or shows it). Returns 0 when it ran, 1 when it was only
 * shown, else the failure's code; keeps the audit outcome.
 */
static int
snapop_run(struct snapop *s, const char *confirm)
{
	int	rc;

	if ((rc = cmd_dispatch(s->c, s->a, &s->dc, 1, confirm)) == 0)
		s->outcome = dispatch_outcome(&s->dc, 1);
	return rc;
}

static int
create_tx(struct store_txn *tx, void *arg)
{
	struct snapop	*s = arg;
	struct record	*r = record_new(KIND_SNAPSHOT);
	int		 rc;

	record_set(r, FI_NAME, arg_str(s->a, "name"));
	record_set_i64(r, SNAPSHOT_VM, (int64_t)s->vm->id);
	record_set(r, SNAPSHOT_STATE, record_get(s->vm, VM_STATE));
	record_set(r, SNAPSHOT_DESCRIPTION, arg_str(s->a, "description"));
	record_set(r, SNAPSHOT_REF, s->dc.reply.ref);
	/* Only a running instance has memory to save. */
	record_set(r, SNAPSHOT_MEMORY, s->dc.req.memory && s->dc.req.running ?
	    "yes" : "no");
	if ((rc = store_put(tx, r)) == 0)
		ctx_set_result(s->c, "%s", s->outcome);
	record_free(r);
	return rc;
}

/* snapshot create VM NAME: taken on the instance's host. */
static int
snapshot_create(struct ctx *c, struct cmd_args *a)
{
	struct snapop	 s = { .c = c, .a = a };
	const char	*state;
	int		 rc;

	if ((rc = snapop_load(&s, 0)) != 0)
		goto out;
	snapop_call_init(&s, DRV_SNAP_CREATE);
	state = record_get(s.vm, VM_STATE);
	s.dc.req.description = arg_str(a, "description");
	s.dc.req.memory = arg_flag(a, "memory");
	s.dc.req.running = state != NULL && strcmp(state, "running") == 0;
	if ((rc = snapop_run(&s, NULL)) != 0) {
		rc = rc > 0 ? 0 : rc;
		goto out;
	}
	if ((rc = ctx_write(c, create_tx, &s)) != 0) {
		rc = ctx_error(c, rc, "host %s took snapshot %s of %s, but it "
		    "could not be recorded: %s", record_get(s.host, FI_NAME),
		    arg_str(a, "name"), arg_str(a, "vm"), err_msg());
		goto out;
	}
	ctx_info(c, "snapshot %s of %s created", arg_str(a, "name"),
	    arg_str(a, "vm"));
out:
	snapop_free(&s);
	return rc;
}

/* Records the host's word on the instance's state after a revert. */
static int
revert_tx(struct store_txn *tx, void *arg)
{
	struct snapop	*s = arg;
	int		 rc;

	if (s->hr.host != NULL &&
	    (rc = hostops_apply(tx, &s->hr, 1)) != 0)
		return rc;
	ctx_set_result(s->c, "%s", s->outcome);
	return 0;
}

/*
 * snapshot revert VM NAME: the instance goes back; afterwards its state
 * is what its host says.
 */
static int
snapshot_revert(struct ctx *c, struct cmd_args *a)
{
	struct snapop		 s = { .c = c, .a = a };
	struct transport	*tp = NULL;
	char			*what = NULL;
	int			 rc;

	if ((rc = snapop_load(&s, 1)) != 0)
		goto out;
	snapop_call_init(&s, DRV_SNAP_REVERT);
	what = xasprintf("revert instance %s on %s to snapshot %s: what "
	    "changed since is lost", arg_str(a, "vm"),
	    record_get(s.host, FI_NAME), arg_str(a, "name"));
	if ((rc = snapop_run(&s, what)) != 0) {
		rc = rc > 0 ? 0 : rc;
		goto out;
	}
	if (ctx_transport(c, &tp) == 0) {
		s.hr.host = s.host;
		hostops_refresh(tp, &s.hr, 1, &(struct refresh_want){
		    .store = c->store, .ids = RF_IDS_MATCH });
	}
	if ((rc = ctx_write(c, revert_tx, &s)) != 0) {
		rc = ctx_error_last(c);
		goto out;
	}
	ctx_info(c, "%s reverted to snapshot %s", arg_str(a, "vm"),
	    arg_str(a, "name"));
out:
	free(what);
	snapop_free(&s);
	return rc;
}

static int
remove_tx(struct store_txn *tx, void *arg)
{
	struct snapop	*s = arg;
	int		 rc;

	if ((rc = inventory_remove(tx, KIND_SNAPSHOT, s->snap->id, 0)) == 0)
		ctx_set_result(s->c, "%s", s->outcome);
	return rc;
}

/* snapshot remove VM NAME: deleted on the host, then forgotten. */
static int
snapshot_remove(struct ctx *c, struct cmd_args *a)
{
	struct snapop	 s = { .c = c, .a = a };
	char		*what = NULL;
	int		 rc;

	if ((rc = snapop_load(&s, 1)) != 0)
		goto out;
	snapop_call_init(&s, DRV_SNAP_REMOVE);
	what = xasprintf("delete snapshot %s of instance %s on %s",
	    arg_str(a, "name"), arg_str(a, "vm"), record_get(s.host, FI_NAME));
	if ((rc = snapop_run(&s, what)) != 0) {
		rc = rc > 0 ? 0 : rc;
		goto out;
	}
	if ((rc = ctx_write(c, remove_tx, &s)) != 0) {
		rc = ctx_error_last(c);
		goto out;
	}
	ctx_info(c, "snapshot %s of %s removed", arg_str(a, "name"),
	    arg_str(a, "vm"));
out:
	free(what);
	snapop_free(&s);
	return rc;
}

/* snapshot list [VM]: all snapshots, or one instance's through its index. */
static int
snapshot_list(struct ctx *c, struct cmd_args *a)
{
	return cmd_list_of_vm(c, a, KIND_SNAPSHOT, SNAPSHOT_VM);
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

#define SNAP_VM								\
	{ "vm", 0, OPT_NAME, OPT_POSITIONAL | OPT_REQUIRED | OPT_EXISTING, \
	    KIND_VM, NULL, "VM", "the instance" }

static const struct cmd_opt snapshot_create_opts[] = {
	SNAP_VM,
	{ "name", 0, OPT_NAME, OPT_POSITIONAL | OPT_REQUIRED, KIND_SNAPSHOT,
	    NULL, "NAME", "name for the snapshot" },
	{ "description", 'd', OPT_STR, 0, 0, NULL, "TEXT",
	    "what the snapshot is for" },
	{ "memory", 0, OPT_FLAG, 0, 0, NULL, NULL,
	    "save a running instance's memory too" },
	{ NULL }
};

static const struct cmd_opt snapshot_name_opts[] = {
	SNAP_VM,
	{ "name", 0, OPT_NAME, OPT_POSITIONAL | OPT_REQUIRED, KIND_SNAPSHOT,
	    NULL, "NAME", "the snapshot" },
	{ NULL }
};

static const struct cmd_opt snapshot_list_opts[] = {
	{ "vm", 0, OPT_NAME, OPT_POSITIONAL | OPT_EXISTING, KIND_VM, NULL,
	    "VM", "only this instance's snapshots" },
	{ NULL }
};

#define SNAP_HOSTS	(CMD_WRITE | CMD_OPERATOR | CMD_HOSTS)

const struct cmd_entry cmd_snapshot_create = {
	"snapshot", "create", NULL, snapshot_create_opts, SNAP_HOSTS,
	"take a snapshot of an instance on its host", NULL, snapshot_create
};
const struct cmd_entry cmd_snapshot_revert = {
	"snapshot", "revert", NULL, snapshot_name_opts,
	SNAP_HOSTS | CMD_DESTRUCTIVE,
	"put an instance back as it was at a snapshot",
	"What changed since the snapshot is lost. The instance's state "
	"afterwards is what its host says.",
	snapshot_revert
};
const struct cmd_entry cmd_snapshot_remove = {
	"snapshot", "remove", "rm", snapshot_name_opts,
	SNAP_HOSTS | CMD_DESTRUCTIVE,
	"delete a snapshot on its host and forget it", NULL, snapshot_remove
};
const struct cmd_entry cmd_snapshot_list = {
	"snapshot", "list", "ls", snapshot_list_opts, CMD_LIST,
	"list snapshots, of all instances or of one", NULL, snapshot_list
};
const struct cmd_entry cmd_snapshot_show = {
	"snapshot", "show", NULL, snapshot_name_opts, CMD_SHOW,
	"show one snapshot of an instance", NULL, snapshot_show
};
