/*
 * cmd-volume.c: data volumes: made on a host in a primary pool it sees,
 * attached to and detached from that host's instances, grown, removed,
 * and listed. Every host call goes through dispatch (dispatch.h), so
 * --dry-run shows the exact lines and a missing driver slot is worded
 * there. Input is checked against the records before any host is asked;
 * the store changes only after a host did what was asked, in one write
 * with the command's audit event, whose result is dispatch's outcome.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-common.h"
#include "dispatch.h"
#include "err.h"
#include "hostops.h"
#include "inventory.h"
#include "storage.h"
#include "view.h"

/* What one volume command holds between its reads, the host and its write. */
struct volop {
	struct ctx	*c;
	struct cmd_args	*a;
	struct record	*vol;		/* the volume (NULL for create) */
	struct record	*vm;		/* the instance concerned, if any */
	struct record	*host;		/* the host that is asked */
	struct record	*pool;		/* create: the pool */
	char		*dir;		/* create: the pool as host sees it */
	char		 idbuf[24];	/* vm's id, for its drv_target */
	struct dcall	 dc;
	char		*outcome;	/* dispatch_outcome() */
	char		*confirm;	/* remove: what is asked */
};

static void
volop_free(struct volop *v)
{
	record_free(v->vol);
	record_free(v->vm);
	record_free(v->host);
	record_free(v->pool);
	free(v->dir);
	free(v->outcome);
	free(v->confirm);
	dcall_clear(&v->dc);
}

/* How the instance's host knows it: the same target vm lifecycle uses. */
static void
vm_target(const struct record *vm, struct drv_target *t, char *idbuf,
    size_t len)
{
	snprintf(idbuf, len, "%" PRIu64, vm->id);
	memset(t, 0, sizeof *t);
	t->name = record_get(vm, FI_NAME);
	t->uuid = record_get(vm, VM_UUID);
	t->hvsh_id = idbuf;
}

static int
is_running(const struct record *vm)
{
	const char	*s = record_get(vm, VM_STATE);

	return s != NULL && strcmp(s, "running") == 0;
}

/* A record by its id-valued reference field, or ERR_NOENT with a message. */
static int
get_ref(struct store_txn *tx, const struct record *r, int field,
    enum kind k, const char *what, struct record **out)
{
	int64_t	id = record_get_i64(r, field, 0);

	*out = NULL;
	if (id <= 0 || store_get(tx, k, (uint64_t)id, out) != 0)
		return err_set(ERR_NOENT, "%s %s has no %s recorded",
		    kind_def(r->kind)->name, record_get(r, FI_NAME), what);
	return 0;
}

/*
 * Reads the volume named, its host and, when attached, its instance, in
 * one read transaction; reports what is missing.
 */
static int
volop_load(struct volop *v, const char *name)
{
	struct store		*st;
	struct store_txn	*tx;
	const char		*state;
	int			 rc;

	if ((rc = ctx_store(v->c, &st)) != 0 ||
	    (rc = store_read(st, &tx)) != 0)
		return rc;
	if ((rc = view_lookup(v->c, tx, KIND_VOLUME, name, &v->vol)) != 0)
		goto out;
	if ((rc = get_ref(tx, v->vol, VOLUME_HOST, KIND_HOST, "host",
	    &v->host)) != 0) {
		rc = ctx_error_last(v->c);
		goto out;
	}
	state = record_get(v->vol, VOLUME_STATE);
	if (state != NULL && strcmp(state, "attached") == 0 &&
	    (rc = get_ref(tx, v->vol, VOLUME_VM, KIND_VM, "instance",
	    &v->vm)) != 0)
		rc = ctx_error_last(v->c);
out:
	store_txn_end(tx);
	return rc;
}

/* The name of the instance the volume is attached to, or NULL. */
static const char *
attached_to(const struct volop *v)
{
	return v->vm != NULL ? record_get(v->vm, FI_NAME) : NULL;
}

static void	volop_call_init(struct volop *, enum drv_call, const char *,
		    ...) __attribute__((format(printf, 3, 4)));

/*
 * Starts the command's one call, on the volume's host; the subject reads
 * after dispatch's verb ("attach volume d1 to vm web1").
 */
static void
volop_call_init(struct volop *v, enum drv_call call, const char *fmt, ...)
{
	va_list	 ap;
	char	*subject;

	va_start(ap, fmt);
	subject = xvasprintf(fmt, ap);
	va_end(ap);
	dcall_init(&v->dc, v->host, subject);
	free(subject);
	v->dc.what = DC_CALL;
	v->dc.call = call;
	v->dc.req.product = record_get(v->host, HOST_PRODUCT);
}

/*
 * Runs the prepared call (or shows it with --dry-run). Returns 0 when it
 * ran, 1 when it was only shown, else the failure's code; on success the
 * audit outcome is kept in v->outcome.
 */
static int
volop_call(struct volop *v)
{
	int	rc;

	rc = cmd_dispatch(v->c, v->a, &v->dc, 1, NULL);
	if (rc == 0)
		v->outcome = dispatch_outcome(&v->dc, 1);
	return rc;
}

/* The format a path's extension names, for a driver that chose it. */
static const char *
format_of(const char *path)
{
	static const char *const ext[][2] = {
		{ ".qcow2", "qcow2" }, { ".vmdk", "vmdk" }, { ".vhd", "vhd" },
		{ ".img", "raw" }, { ".raw", "raw" },
	};
	size_t	i, n, e;

	if (path == NULL)
		return NULL;
	n = strlen(path);
	for (i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		e = strlen(ext[i][0]);
		if (n > e && strcmp(path + n - e, ext[i][0]) == 0)
			return ext[i][1];
	}
	return NULL;
}

/* Records the volume the host made, with the command's audit event. */
static int
create_tx(struct store_txn *tx, void *arg)
{
	struct volop		*v = arg;
	const struct drv_reply	*rep = &v->dc.reply;
	const char		*format = arg_str(v->a, "format");
	struct record		*r = record_new(KIND_VOLUME);
	int			 rc;

	record_set(r, FI_NAME, arg_str(v->a, "name"));
	/* The options (tags) first; what the host made has the last word. */
	if ((rc = cmd_apply_fields(v->c, v->a, tx, r)) != 0)
		goto out;
	record_set_i64(r, VOLUME_POOL, (int64_t)v->pool->id);
	record_set_i64(r, VOLUME_HOST, (int64_t)v->host->id);
	record_set_i64(r, VOLUME_SIZE, rep->size > 0 ? rep->size :
	    arg_i64(v->a, "size", 0));
	if (format == NULL)
		format = format_of(rep->path);
	record_set(r, VOLUME_FORMAT, format);
	/* A path, or the hypervisor's own id for the disk (a VDI uuid). */
	record_set(r, VOLUME_PATH, rep->path);
	if (rep->path != NULL && rep->path[0] != '/')
		record_set(r, VOLUME_REF, rep->path);
	record_set(r, VOLUME_STATE, "available");
	record_set(r, VOLUME_ROLE, "data");
	record_set(r, VOLUME_MANAGED, "yes");
	record_set(r, VOLUME_OWNER, v->c->user);
	if ((rc = store_put(tx, r)) == 0)
		ctx_set_result(v->c, "%s", v->outcome);
out:
	record_free(r);
	return rc;
}

/* volume create: checks the name, pool and host, then has the host make it. */
static int
volume_create(struct ctx *c, struct cmd_args *a)
{
	struct volop		 v = { .c = c, .a = a };
	struct store		*st;
	struct store_txn	*tx;
	struct record		*other = NULL;
	const char		*name = arg_str(a, "name");
	const char		*hname = arg_str(a, "host");
	int64_t			 local;
	int			 rc;

	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	/* Refuse a taken name before any host is asked. */
	rc = store_get_by_name(tx, KIND_VOLUME, 0, name, &other);
	record_free(other);
	if (rc == 0) {
		rc = ctx_error(c, ERR_EXIST, "volume '%s' already exists",
		    name);
		goto read_out;
	}
	if (rc != ERR_NOENT)
		goto read_out;
	if ((rc = view_lookup(c, tx, KIND_POOL, arg_str(a, "pool"),
	    &v.pool)) != 0)
		goto read_out;
	local = record_get_i64(v.pool, POOL_HOST, 0);
	if (hname != NULL)
		rc = view_lookup(c, tx, KIND_HOST, hname, &v.host);
	else if (local > 0 && (rc = store_get(tx, KIND_HOST,
	    (uint64_t)local, &v.host)) != 0)
		rc = ctx_error(c, ERR_NOENT, "pool %s is local to a host "
		    "that is not recorded", record_get(v.pool, FI_NAME));
	else if (local <= 0)
		rc = ctx_error(c, ERR_USAGE, "pool %s is not local to one "
		    "host: say which host makes the volume with --host",
		    record_get(v.pool, FI_NAME));
	if (rc != 0)
		goto read_out;
	/* Primary, and seen by that host: where the host sees it. */
	record_free(v.pool);
	v.pool = NULL;
	if ((rc = storage_primary(tx, v.host, arg_str(a, "pool"), &v.pool,
	    &v.dir)) != 0)
		rc = ctx_error_last(c);
read_out:
	store_txn_end(tx);
	if (rc != 0)
		goto out;

	volop_call_init(&v, DRV_VOL_CREATE, "volume %s", name);
	v.dc.req.pool = v.dir;
	v.dc.req.volume = name;
	v.dc.req.size = arg_i64(a, "size", 0);
	v.dc.req.format = arg_str(a, "format");
	if ((rc = volop_call(&v)) != 0) {
		rc = rc > 0 ? 0 : rc;
		goto out;
	}
	if ((rc = ctx_write(c, create_tx, &v)) != 0) {
		rc = ctx_error(c, rc, "host %s made volume %s at %s, but it "
		    "could not be recorded: %s", record_get(v.host, FI_NAME),
		    name, v.dc.reply.path != NULL ? v.dc.reply.path : "?",
		    err_msg());
		goto out;
	}
	ctx_info(c, "volume %s created on %s", name,
	    record_get(v.host, FI_NAME));
out:
	volop_free(&v);
	return rc;
}

/* The volume's record again, inside the write, by id. */
static int
vol_again(struct store_txn *tx, struct volop *v, struct record **r)
{
	return store_get(tx, KIND_VOLUME, v->vol->id, r);
}

static int
attach_tx(struct store_txn *tx, void *arg)
{
	struct volop	*v = arg;
	struct record	*r;
	int		 rc;

	if ((rc = vol_again(tx, v, &r)) != 0)
		return rc;
	record_set_i64(r, VOLUME_VM, (int64_t)v->vm->id);
	record_set(r, VOLUME_STATE, "attached");
	record_set(r, VOLUME_DEVICE, v->dc.reply.device);
	if ((rc = store_put(tx, r)) == 0)
		ctx_set_result(v->c, "%s", v->outcome);
	record_free(r);
	return rc;
}

/* volume attach NAME --vm V: to an instance of the volume's own host. */
static int
volume_attach(struct ctx *c, struct cmd_args *a)
{
	struct volop		 v = { .c = c, .a = a };
	struct store		*st;
	struct store_txn	*tx;
	const char		*name = arg_str(a, "name");
	const char		*vmname = arg_str(a, "vm");
	int			 rc;

	if ((rc = volop_load(&v, name)) != 0)
		goto out;
	if (attached_to(&v) != NULL) {
		rc = ctx_error(c, ERR_BUSY, "volume %s is already attached to "
		    "%s", name, attached_to(&v));
		goto out;
	}
	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		goto out;
	rc = view_lookup(c, tx, KIND_VM, vmname, &v.vm);
	store_txn_end(tx);
	if (rc != 0)
		goto out;
	if ((uint64_t)record_get_i64(v.vm, VM_HOST, 0) != v.host->id) {
		rc = ctx_error(c, ERR_INVAL, "volume %s is on host %s and "
		    "instance %s is not: a volume is attached on its own host",
		    name, record_get(v.host, FI_NAME), vmname);
		goto out;
	}
	volop_call_init(&v, DRV_VOL_ATTACH, "volume %s to vm %s", name,
	    vmname);
	vm_target(v.vm, &v.dc.req.vm, v.idbuf, sizeof v.idbuf);
	v.dc.req.vol_path = record_get(v.vol, VOLUME_PATH);
	v.dc.req.format = record_get(v.vol, VOLUME_FORMAT);
	v.dc.req.running = is_running(v.vm);
	if ((rc = volop_call(&v)) != 0) {
		rc = rc > 0 ? 0 : rc;
		goto out;
	}
	if ((rc = ctx_write(c, attach_tx, &v)) != 0) {
		rc = ctx_error_last(c);
		goto out;
	}
	ctx_info(c, "volume %s attached to %s as %s", name, vmname,
	    v.dc.reply.device != NULL ? v.dc.reply.device : "?");
out:
	volop_free(&v);
	return rc;
}

static int
detach_tx(struct store_txn *tx, void *arg)
{
	struct volop	*v = arg;
	struct record	*r;
	int		 rc;

	if ((rc = vol_again(tx, v, &r)) != 0)
		return rc;
	record_set(r, VOLUME_VM, NULL);
	record_set(r, VOLUME_DEVICE, NULL);
	record_set(r, VOLUME_STATE, "available");
	if ((rc = store_put(tx, r)) == 0)
		ctx_set_result(v->c, "%s", v->outcome);
	record_free(r);
	return rc;
}

/* volume detach NAME: from the instance the record says. */
static int
volume_detach(struct ctx *c, struct cmd_args *a)
{
	struct volop	 v = { .c = c, .a = a };
	const char	*name = arg_str(a, "name");
	int		 rc;

	if ((rc = volop_load(&v, name)) != 0)
		goto out;
	if (attached_to(&v) == NULL) {
		rc = ctx_error(c, ERR_INVAL, "volume %s is not attached", name);
		goto out;
	}
	volop_call_init(&v, DRV_VOL_DETACH, "volume %s from vm %s", name,
	    attached_to(&v));
	vm_target(v.vm, &v.dc.req.vm, v.idbuf, sizeof v.idbuf);
	v.dc.req.vol_path = record_get(v.vol, VOLUME_PATH);
	v.dc.req.device = record_get(v.vol, VOLUME_DEVICE);
	v.dc.req.running = is_running(v.vm);
	if ((rc = volop_call(&v)) != 0) {
		rc = rc > 0 ? 0 : rc;
		goto out;
	}
	if ((rc = ctx_write(c, detach_tx, &v)) != 0) {
		rc = ctx_error_last(c);
		goto out;
	}
	ctx_info(c, "volume %s detached from %s", name, attached_to(&v));
out:
	volop_free(&v);
	return rc;
}

static int
resize_tx(struct store_txn *tx, void *arg)
{
	struct volop	*v = arg;
	struct record	*r;
	int		 rc;

	if ((rc = vol_again(tx, v, &r)) != 0)
		return rc;
	record_set_i64(r, VOLUME_SIZE, v->dc.reply.size > 0 ?
	    v->dc.reply.size : v->dc.req.size);
	if ((rc = store_put(tx, r)) == 0)
		ctx_set_result(v->c, "%s", v->outcome);
	record_free(r);
	return rc;
}

/* volume resize NAME --size S: grow only, attached or not. */
static int
volume_resize(struct ctx *c, struct cmd_args *a)
{
	struct volop	 v = { .c = c, .a = a };
	const char	*name = arg_str(a, "name");
	int64_t		 size = arg_i64(a, "size", 0), now;
	int		 rc;

	if ((rc = volop_load(&v, name)) != 0)
		goto out;
	now = record_get_i64(v.vol, VOLUME_SIZE, 0);
	if (size <= now) {
		rc = ctx_error(c, ERR_INVAL, "volume %s is %" PRId64 " bytes; "
		    "it can only grow (asked: %" PRId64 ")", name, now, size);
		goto out;
	}
	volop_call_init(&v, DRV_VOL_RESIZE, "volume %s", name);
	v.dc.req.vol_path = record_get(v.vol, VOLUME_PATH);
	v.dc.req.format = record_get(v.vol, VOLUME_FORMAT);
	v.dc.req.size = size;
	if (v.vm != NULL) {
		vm_target(v.vm, &v.dc.req.vm, v.idbuf, sizeof v.idbuf);
		v.dc.req.device = record_get(v.vol, VOLUME_DEVICE);
		v.dc.req.running = is_running(v.vm);
	}
	if ((rc = volop_call(&v)) != 0) {
		rc = rc > 0 ? 0 : rc;
		goto out;
	}
	if ((rc = ctx_write(c, resize_tx, &v)) != 0) {
		rc = ctx_error_last(c);
		goto out;
	}
	ctx_info(c, "volume %s resized", name);
out:
	volop_free(&v);
	return rc;
}

static int
remove_tx(struct store_txn *tx, void *arg)
{
	struct volop	*v = arg;
	int		 rc;

	if ((rc = inventory_remove(tx, KIND_VOLUME, v->vol->id, 1)) == 0)
		ctx_set_result(v->c, "%s", v->outcome != NULL ? v->outcome :
		    "forgot an unmanaged volume");
	return rc;
}

/*
 * The remove call: as cmd_dispatch, but a disk already gone from its host
 * is no failure, so that its record can still be forgotten.
 */
static int
remove_call(struct volop *v)
{
	struct transport	*tp = NULL;
	int			 rc;

	if (dispatch_prepare(&v->dc, 1) > 0 || arg_flag(v->a, "dry-run"))
		return cmd_dispatch(v->c, v->a, &v->dc, 1, NULL);
	if ((rc = ctx_confirm(v->c, v->confirm)) != 0)
		return rc;
	if ((rc = ctx_transport(v->c, &tp)) != 0)
		return ctx_error_last(v->c);
	dispatch_run(tp, &v->dc, 1);
	if (v->dc.rc == ERR_NOENT) {
		v->dc.rc = 0;
		free(v->dc.errmsg);
		v->dc.errmsg = NULL;
		v->dc.note = xstrdup("already gone");
	}
	if (v->dc.rc != 0)
		return ctx_error(v->c, v->dc.rc, "%s", v->dc.errmsg != NULL ?
		    v->dc.errmsg : "failed");
	return 0;
}

/*
 * volume remove NAME: deletes the disk hvsh made (one already gone is no
 * failure) and forgets it; a disk hvsh did not make is only forgotten.
 */
static int
volume_remove(struct ctx *c, struct cmd_args *a)
{
	struct volop	 v = { .c = c, .a = a };
	const char	*name = arg_str(a, "name");
	const char	*managed;
	int		 rc;

	if ((rc = volop_load(&v, name)) != 0)
		goto out;
	if (attached_to(&v) != NULL) {
		rc = ctx_error(c, ERR_BUSY, "volume %s is attached to %s: "
		    "detach it first", name, attached_to(&v));
		goto out;
	}
	managed = record_get(v.vol, VOLUME_MANAGED);
	if (managed != NULL && strcmp(managed, "yes") == 0) {
		v.confirm = xasprintf("delete the disk of volume %s (%s) on "
		    "%s, and forget the volume", name,
		    record_get(v.vol, VOLUME_PATH), record_get(v.host,
		    FI_NAME));
		volop_call_init(&v, DRV_VOL_REMOVE, "volume %s", name);
		v.dc.req.vol_path = record_get(v.vol, VOLUME_PATH);
		if ((rc = remove_call(&v)) != 0) {
			rc = rc > 0 ? 0 : rc;
			goto out;
		}
		v.outcome = dispatch_outcome(&v.dc, 1);
	} else if (arg_flag(a, "dry-run"))
		goto out;
	else {
		v.confirm = xasprintf("forget volume %s (its disk, which hvsh "
		    "did not make, stays on %s)", name,
		    record_get(v.host, FI_NAME));
		if ((rc = ctx_confirm(c, v.confirm)) != 0)
			goto out;
	}
	if ((rc = ctx_write(c, remove_tx, &v)) != 0) {
		rc = ctx_error_last(c);
		goto out;
	}
	ctx_info(c, "volume %s removed", name);
out:
	volop_free(&v);
	return rc;
}

/* volume list [--vm V]: all volumes, or one instance's through the index. */
static int
volume_list(struct ctx *c, struct cmd_args *a)
{
	return cmd_list_of_vm(c, a, KIND_VOLUME, VOLUME_VM);
}

static const char *const vol_formats[] = { "qcow2", "raw", "vmdk", "vhd",
	NULL };

static const struct cmd_opt volume_create_opts[] = {
	OPT_NAME_NEW(KIND_VOLUME, "name for the volume"),
	{ "size", 's', OPT_SIZE, OPT_REQUIRED, 0, NULL, NULL,
	    "size, e.g. 1G" },
	{ "pool", 'p', OPT_NAME, OPT_REQUIRED | OPT_EXISTING, KIND_POOL, NULL,
	    "POOL", "primary pool to make it in" },
	{ "host", 0, OPT_NAME, OPT_EXISTING, KIND_HOST, NULL, "HOST",
	    "host that makes it (needed unless the pool is local to one)" },
	{ "format", 0, OPT_ENUM, 0, 0, vol_formats, "FORMAT",
	    "disk format (default: the host's native one)" },
	OPT_TAGS,
	{ NULL }
};

static const struct cmd_opt volume_attach_opts[] = {
	OPT_NAME_OLD(KIND_VOLUME, "the volume"),
	{ "vm", 0, OPT_NAME, OPT_REQUIRED | OPT_EXISTING, KIND_VM, NULL, "VM",
	    "instance to attach it to (on the volume's host)" },
	{ NULL }
};

static const struct cmd_opt volume_resize_opts[] = {
	OPT_NAME_OLD(KIND_VOLUME, "the volume"),
	{ "size", 's', OPT_SIZE, OPT_REQUIRED, 0, NULL, NULL,
	    "new size, larger than now" },
	{ NULL }
};

static const struct cmd_opt volume_name_opts[] = {
	OPT_NAME_OLD(KIND_VOLUME, "the volume"),
	{ NULL }
};

static const struct cmd_opt volume_list_opts[] = {
	{ "vm", 0, OPT_NAME, OPT_EXISTING, KIND_VM, NULL, "VM",
	    "only the volumes attached to this instance" },
	{ NULL }
};

#define VOL_HOSTS	(CMD_WRITE | CMD_OPERATOR | CMD_HOSTS)

const struct cmd_entry cmd_volume_create = {
	"volume", "create", NULL, volume_create_opts, VOL_HOSTS,
	"make a data volume in a primary pool",
	"The volume is made by the host the pool is local to, or by --host, "
	"where that host sees the pool.",
	volume_create
};
const struct cmd_entry cmd_volume_attach = {
	"volume", "attach", NULL, volume_attach_opts, VOL_HOSTS,
	"attach a volume to an instance on its host",
	"The instance may be running; the device it became is recorded.",
	volume_attach
};
const struct cmd_entry cmd_volume_detach = {
	"volume", "detach", NULL, volume_name_opts, VOL_HOSTS,
	"detach a volume from its instance", NULL, volume_detach
};
const struct cmd_entry cmd_volume_resize = {
	"volume", "resize", NULL, volume_resize_opts, VOL_HOSTS,
	"grow a volume", "Volumes only grow; a smaller size is refused.",
	volume_resize
};
const struct cmd_entry cmd_volume_remove = {
	"volume", "remove", "rm", volume_name_opts,
	VOL_HOSTS | CMD_DESTRUCTIVE,
	"delete a volume's disk and forget it",
	"Refused while the volume is attached. A disk hvsh did not make is "
	"only forgotten.",
	volume_remove
};
const struct cmd_entry cmd_volume_list = {
	"volume", "list", "ls", volume_list_opts, CMD_LIST,
	"list data volumes", NULL, volume_list
};
const struct cmd_entry cmd_volume_show = {
	"volume", "show", NULL, volume_name_opts, CMD_SHOW,
	"show a data volume", NULL, cmd_generic_show
};
