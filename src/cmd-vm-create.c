/*
 * cmd-vm-create.c: `vm create`: an instance on a host, empty or from an
 * image of the repository. hvsh records the instance before the host makes
 * it (so the hypervisor object can carry hvsh's id), then what the host
 * made: its uuid, and every disk, with its pool, path, size, image and
 * whether hvsh made it (so `vm destroy` removes only those).
 *
 * Without --host, placement asks every host that can create and takes,
 * of those that answer, have the memory free and can reach the image
 * (they see its pool, or it was pushed to them), the one with the most
 * free memory, then the fewest instances; --dry-run says which and why.
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
#include "storage.h"
#include "view.h"

/* What the command knows before it asks any host. */
struct create {
	struct ctx		*c;
	struct cmd_args		*a;
	struct record		*host;
	struct record		*image;		/* NULL: empty */
	struct record		*pool;		/* primary pool, or NULL */
	char			*pool_path;	/* where the host sees it */
	char			*image_path;	/* where the host finds it */
	int			 push;		/* the host must get it first */
	int64_t			 memory;
	int64_t			 disk;
	uint64_t		 id;		/* the new record's */
	const struct hv_vm	*made;		/* what the host made */
	const char		*failure;	/* why it did not */
};

static void
create_free(struct create *cr)
{
	record_free(cr->host);
	record_free(cr->image);
	record_free(cr->pool);
	free(cr->pool_path);
	free(cr->image_path);
}

/*
 * --memory: a bare number is MiB, as virt-install and kcli read it;
 * with a unit (512M, 2G, 2GiB) it is that.
 */
static int
parse_memory(const char *s, int64_t *out)
{
	int64_t	n;

	if (parse_i64(s, &n) == 0) {
		if (n <= 0 || n > (INT64_C(1) << 40))
			return -1;
		*out = n << 20;
		return 0;
	}
	return parse_size(s, out) == 0 && *out > 0 ? 0 : -1;
}

/* One host placement looked at, and what it found. */
struct cand {
	struct host_refresh	*hr;
	size_t			 ninst;
	int			 sees;		/* reaches the image as it is */
	char			*why;		/* NULL: fit */
};

/* Fills cand i's instance count and whether it reaches the image. */
static void
cand_look(struct store_txn *tx, struct create *cr, struct cand *k)
{
	char	*path = NULL;

	(void)store_count_ref(tx, KIND_VM, VM_HOST, k->hr->host->id,
	    &k->ninst);
	if (k->hr->rc != 0) {
		k->why = xstrdup("does not answer");
		return;
	}
	if (k->hr->facts.mem_free >= 0 && k->hr->facts.mem_free < cr->memory) {
		k->why = xasprintf("%" PRId64 " MiB free, %" PRId64
		    " MiB wanted", k->hr->facts.mem_free >> 20,
		    cr->memory >> 20);
		return;
	}
	if (cr->image == NULL)
		return;
	if (storage_image_path(tx, cr->image, k->hr->host, &path) == 0)
		k->sees = 1;
	else if (storage_push_path(tx, cr->image, k->hr->host, &path) != 0)
		k->why = xasprintf("cannot reach image %s (%s)",
		    record_get(cr->image, FI_NAME), err_msg());
	free(path);
}

/* 1 if candidate a is better than b. */
static int
cand_better(const struct cand *a, const struct cand *b)
{
	if (a->sees != b->sees)
		return a->sees;
	if (a->hr->facts.mem_free != b->hr->facts.mem_free)
		return a->hr->facts.mem_free > b->hr->facts.mem_free;
	return a->ninst < b->ninst;
}

/*
 * Picks the host (see the top of the file). On --dry-run, says for each
 * host why it was taken or not.
 */
static int
place(struct ctx *c, struct transport *tp, struct create *cr, int dry)
{
	struct records		 hosts = { 0 };
	struct buf		 clean = { 0 };
	struct cand		*k = NULL;
	struct host_refresh	*hr = NULL;
	struct store		*st;
	struct store_txn	*tx;
	size_t			 i, n = 0, best = SIZE_MAX;
	int			 rc;

	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	rc = store_iter(tx, KIND_HOST, records_hold, &hosts);
	store_txn_end(tx);
	if (rc != 0)
		goto out;
	k = xcalloc(hosts.n + 1, sizeof *k);
	hr = xcalloc(hosts.n + 1, sizeof *hr);
	for (i = 0; i < hosts.n; i++) {
		if (!dispatch_can_create(hosts.v[i]))
			continue;
		k[n].hr = &hr[n];
		hr[n++].host = hosts.v[i];
	}
	/* Placement reads facts and counts, not ids. */
	hostops_refresh(tp, hr, n, &(struct refresh_want){
	    .ids = RF_IDS_NONE });
	if ((rc = store_read(st, &tx)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		cand_look(tx, cr, &k[i]);
		if (k[i].why == NULL && (best == SIZE_MAX ||
		    cand_better(&k[i], &k[best])))
			best = i;
	}
	store_txn_end(tx);
	for (i = 0; dry && i < n; i++) {
		/* The reasons may quote a host. */
		sanitize(k[i].why, &clean);
		if (i == best)
			ctx_printf(c, "placement: %s: chosen (%" PRId64
			    " MiB free, %zu instances%s)\n",
			    record_get(k[i].hr->host, FI_NAME),
			    k[i].hr->facts.mem_free >> 20, k[i].ninst,
			    cr->image == NULL ? "" : k[i].sees ?
			    ", sees the image" : ", image to be pushed");
		else
			ctx_printf(c, "placement: %s: %s\n",
			    record_get(k[i].hr->host, FI_NAME),
			    k[i].why != NULL ? clean.data : "fits, but another "
			    "fits better");
	}
	if (best == SIZE_MAX)
		rc = ctx_error(c, ERR_BUSY, "no host can take the instance: "
		    "none that can create answers with %" PRId64 " MiB free%s",
		    cr->memory >> 20, cr->image != NULL ? " and reaches the "
		    "image" : "");
	else
		cr->host = record_dup(k[best].hr->host);
out:
	for (i = 0; i < n; i++) {
		host_refresh_clear(&hr[i]);
		free(k[i].why);
	}
	free(hr);
	free(k);
	records_free(&hosts);
	buf_free(&clean);
	return rc;
}

/* Reads what the command names: the image, the host, the name's freedom. */
static int
create_lookup(struct ctx *c, struct cmd_args *a, struct create *cr)
{
	struct store		*st;
	struct store_txn	*tx;
	struct record		*other = NULL;
	int			 rc;

	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	rc = store_get_by_name(tx, KIND_VM, 0, arg_str(a, "name"), &other);
	record_free(other);
	if (rc == 0)
		rc = ctx_error(c, ERR_EXIST, "vm '%s' already exists",
		    arg_str(a, "name"));
	else if (rc == ERR_NOENT)
		rc = 0;
	if (rc == 0 && arg_str(a, "image") != NULL)
		rc = view_lookup(c, tx, KIND_IMAGE, arg_str(a, "image"),
		    &cr->image);
	if (rc == 0 && arg_str(a, "host") != NULL)
		rc = view_lookup(c, tx, KIND_HOST, arg_str(a, "host"),
		    &cr->host);
	if (rc == 0 && arg_str(a, "pool") != NULL && cr->host == NULL) {
		/* The pool is checked against the host once there is one. */
		rc = store_get_by_name(tx, KIND_POOL, 0, arg_str(a, "pool"),
		    &other);
		record_free(other);
		if (rc == ERR_NOENT)
			rc = ctx_error(c, rc, "no pool %s", arg_str(a, "pool"));
	}
	store_txn_end(tx);
	return rc;
}

/* Where, on the chosen host, the root disk goes and the image is found. */
static int
create_paths(struct ctx *c, struct create *cr)
{
	struct store		*st;
	struct store_txn	*tx;
	int			 rc;

	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	rc = storage_primary(tx, cr->host, arg_str(cr->a, "pool"), &cr->pool,
	    &cr->pool_path);
	if (rc == 0 && cr->image != NULL &&
	    (rc = storage_image_path(tx, cr->image, cr->host,
	    &cr->image_path)) == ERR_NOENT) {
		cr->push = 1;
		rc = 0;
	}
	store_txn_end(tx);
	return rc != 0 ? ctx_error_last(c) : 0;
}

/* Records the instance before the host makes it, so it has an id to carry. */
static int
create_record_tx(struct store_txn *tx, void *arg)
{
	struct create	*cr = arg;
	struct record	*r = record_new(KIND_VM);
	int		 rc;

	record_set(r, FI_NAME, arg_str(cr->a, "name"));
	record_set_i64(r, VM_HOST, (int64_t)cr->host->id);
	if (cr->image != NULL)
		record_set_i64(r, VM_IMAGE, (int64_t)cr->image->id);
	record_set(r, VM_STATE, "unknown");
	record_set(r, VM_OWNER, cr->c->user);
	if ((rc = cmd_apply_fields(cr->c, cr->a, tx, r)) != 0)
		goto out;
	/* Read by hvsh's rules, not as a field's plain size. */
	record_set_i64(r, VM_MEMORY, cr->memory);
	record_set(r, VM_NETWORK, arg_str(cr->a, "network"));
	if (cr->disk > 0)
		record_set_i64(r, VM_DISK, cr->disk);
	if ((rc = store_put(tx, r)) == 0) {
		cr->id = r->id;
		ctx_set_result(cr->c, "creating %s on %s (id %" PRIu64 ")",
		    arg_str(cr->a, "name"), record_get(cr->host, FI_NAME),
		    r->id);
	}
out:
	record_free(r);
	return rc;
}

/* A free volume name for a disk of the instance: "web1-root", else by id. */
static char *
disk_name(struct store_txn *tx, const char *vm, const char *what,
    uint64_t id)
{
	struct record	*other = NULL;
	char		*name = xasprintf("%s-%s", vm, what);

	if (strlen(name) <= 64 && store_get_by_name(tx, KIND_VOLUME, 0, name,
	    &other) == ERR_NOENT)
		return name;
	record_free(other);
	free(name);
	return xasprintf("%s-%" PRIu64, what, id);
}

/* Records one disk of the new instance. */
static int
disk_record(struct store_txn *tx, struct create *cr, const char *role,
    const char *where, int managed, int64_t size)
{
	struct record	*v = record_new(KIND_VOLUME);
	char		*name;
	int		 rc;

	name = disk_name(tx, arg_str(cr->a, "name"), role, cr->id);
	record_set(v, FI_NAME, name);
	free(name);
	record_set_i64(v, VOLUME_VM, (int64_t)cr->id);
	record_set_i64(v, VOLUME_HOST, (int64_t)cr->host->id);
	if (cr->pool != NULL && strcmp(role, "root") == 0)
		record_set_i64(v, VOLUME_POOL, (int64_t)cr->pool->id);
	if (cr->image != NULL)
		record_set_i64(v, VOLUME_IMAGE, (int64_t)cr->image->id);
	/* A path is a path; anything else is the hypervisor's id (a VDI). */
	record_set(v, where[0] == '/' ? VOLUME_PATH : VOLUME_REF, where);
	if (size > 0)
		record_set_i64(v, VOLUME_SIZE, size);
	record_set(v, VOLUME_STATE, "attached");
	record_set(v, VOLUME_ROLE, role);
	record_set(v, VOLUME_MANAGED, managed ? "yes" : "no");
	record_set(v, VOLUME_OWNER, cr->c->user);
	rc = store_put(tx, v);
	record_free(v);
	return rc;
}

/* Completes the record with what the host made, or forgets it. */
static int
create_done_tx(struct store_txn *tx, void *arg)
{
	struct create	*cr = arg;
	struct record	*r;
	const char	*kind;
	int64_t		 size;
	int		 rc;

	if (cr->failure != NULL) {
		ctx_set_result(cr->c, "not created: %s", cr->failure);
		ctx_set_status(cr->c, 1);
		return inventory_remove(tx, KIND_VM, cr->id, 1);
	}
	if ((rc = store_get(tx, KIND_VM, cr->id, &r)) != 0)
		return rc;
	if (cr->made->uuid != NULL)
		record_set(r, VM_UUID, cr->made->uuid);
	if (cr->made->path != NULL && record_get(r, VM_UUID) == NULL)
		record_set(r, VM_UUID, cr->made->path);
	record_set(r, VM_STATE, "stopped");
	record_set_i64(r, VM_LASTSEEN, now_unix());
	if ((rc = store_put(tx, r)) != 0)
		goto out;
	kind = cr->image != NULL ? record_get(cr->image, IMAGE_KIND) : NULL;
	size = cr->disk;
	if (size <= 0 && cr->image != NULL)
		size = record_get_i64(cr->image, IMAGE_VSIZE,
		    record_get_i64(cr->image, IMAGE_SIZE, 0));
	if (cr->made->disk != NULL &&
	    (rc = disk_record(tx, cr, "root", cr->made->disk, 1, size)) != 0)
		goto out;
	if (kind != NULL && strcmp(kind, "iso") == 0 && cr->image_path != NULL)
		rc = disk_record(tx, cr, "cdrom", cr->image_path, 0,
		    record_get_i64(cr->image, IMAGE_SIZE, 0));
	ctx_set_result(cr->c, "created %s on %s (id %" PRIu64 ")",
	    arg_str(cr->a, "name"), record_get(cr->host, FI_NAME), cr->id);
out:
	record_free(r);
	return rc;
}

/* The instance as the driver is asked to make it. */
static void
create_spec(struct create *cr, struct drv_spec *s, const char *id)
{
	const char	*accel = record_get(cr->host, HOST_ACCEL);

	memset(s, 0, sizeof *s);
	s->name = arg_str(cr->a, "name");
	s->hvsh_id = id;
	s->cpus = (int)arg_i64(cr->a, "cpus", 1);
	s->memory = cr->memory;
	s->disk = cr->disk;
	s->pool = cr->pool_path;
	s->full = arg_flag(cr->a, "full");
	s->network = arg_str(cr->a, "network");
	s->domtype = accel != NULL && strcmp(accel, "yes") == 0 ? "kvm" :
	    "qemu";
	s->product = record_get(cr->host, HOST_PRODUCT);
	if (cr->image != NULL) {
		s->image_path = cr->image_path;
		s->image_kind = record_get(cr->image, IMAGE_KIND);
		s->image_format = record_get(cr->image, IMAGE_FORMAT);
	}
}

static int
vm_create(struct ctx *c, struct cmd_args *a)
{
	struct create		 cr;
	struct transport	*tp = NULL;
	struct dcall		 dc;
	char			 idbuf[24], *why = NULL;
	int			 rc, dry = arg_flag(a, "dry-run");

	memset(&cr, 0, sizeof cr);
	cr.c = c;
	cr.a = a;
	dcall_init(&dc, NULL, arg_str(a, "name"));
	if (parse_memory(arg_str(a, "memory"), &cr.memory) != 0) {
		rc = ctx_error(c, ERR_USAGE, "--memory: '%s' is not a size "
		    "(a bare number is MiB; or 512M, 2G)", arg_str(a, "memory"));
		goto out;
	}
	cr.disk = arg_i64(a, "disk", 0);
	if ((rc = create_lookup(c, a, &cr)) != 0)
		goto out;
	if (cr.image != NULL && cr.disk <= 0 &&
	    strcmp(record_get(cr.image, IMAGE_KIND), "iso") == 0) {
		rc = ctx_error(c, ERR_USAGE, "an instance booting from an iso "
		    "image needs --disk SIZE for its new empty disk");
		goto out;
	}
	if ((rc = ctx_transport(c, &tp)) != 0)
		goto out;
	if (cr.host == NULL && (rc = place(c, tp, &cr, dry)) != 0)
		goto out;
	if ((rc = create_paths(c, &cr)) != 0)
		goto out;
	if (cr.push) {
		ctx_info(c, "host %s does not see image %s: pushing it first",
		    record_get(cr.host, FI_NAME), record_get(cr.image, FI_NAME));
		if ((rc = cmd_image_push_to(c, tp, cr.image, cr.host, dry,
		    &cr.image_path)) != 0)
			goto out;
	}
	free(dc.subject);
	dc.subject = xasprintf("vm %s", arg_str(a, "name"));
	dc.host = cr.host;
	dc.what = DC_CREATE;
	create_spec(&cr, &dc.spec, "NEW");
	if (dry) {
		dispatch_prepare(&dc, 1);
		dispatch_dry(tp, &dc, 1, cmd_dry_emit, c);
		rc = dc.rc != 0 ? ctx_error(c, dc.rc, "%s", dc.errmsg) : 0;
		goto out;
	}
	if ((rc = ctx_write(c, create_record_tx, &cr)) != 0)
		goto out;
	snprintf(idbuf, sizeof idbuf, "%" PRIu64, cr.id);
	dc.spec.hvsh_id = idbuf;
	if (dispatch_one(tp, &dc) != 0) {
		/* Keep the host's reason; the record goes. */
		why = xstrdup(dc.errmsg);
		cr.failure = why;
		(void)ctx_write(c, create_done_tx, &cr);
		rc = ctx_error(c, dc.rc, "%s", why);
		goto out;
	}
	cr.made = &dc.made;
	if ((rc = ctx_write(c, create_done_tx, &cr)) != 0)
		goto out;
	ctx_info(c, "vm %s created on %s%s%s", arg_str(a, "name"),
	    record_get(cr.host, FI_NAME), cr.image != NULL ? " from image " :
	    "", cr.image != NULL ? record_get(cr.image, FI_NAME) : "");
out:
	free(why);
	dcall_clear(&dc);
	create_free(&cr);
	return rc;
}

static const struct cmd_opt vm_create_opts[] = {
	{ "name", 0, OPT_NAME, OPT_POSITIONAL | OPT_REQUIRED, KIND_VM, NULL,
	    "NAME", "name for the instance" },
	{ "image", 'i', OPT_NAME, OPT_EXISTING, KIND_IMAGE, NULL, "IMAGE",
	    "image to make it from (else an empty disk)" },
	{ "host", 0, OPT_NAME, OPT_EXISTING, KIND_HOST, NULL, "HOST",
	    "host to create it on (default: placement)" },
	{ "cpus", 'c', OPT_INT, 0, 0, NULL, "N", "virtual CPUs (1)" },
	{ "memory", 'm', OPT_STR, OPT_REQUIRED, 0, NULL, "SIZE",
	    "memory: 512M, 2G; a bare number is MiB" },
	{ "disk", 0, OPT_SIZE, 0, 0, NULL, NULL,
	    "root disk size (from a template: its own size)" },
	{ "pool", 0, OPT_NAME, OPT_EXISTING, KIND_POOL, NULL, "POOL",
	    "primary pool for the root disk (default: one the host sees)" },
	{ "full", 0, OPT_FLAG, 0, 0, NULL, NULL,
	    "a full copy of the template, not an overlay or linked clone" },
	{ "network", 0, OPT_STR, 0, 0, NULL, "NETWORK",
	    "network to attach it to" },
	OPT_TAGS,
	{ NULL }
};

const struct cmd_entry cmd_vm_create = {
	"vm", "create", NULL, vm_create_opts,
	CMD_WRITE | CMD_OPERATOR | CMD_HOSTS,
	"create an instance on a host, empty or from an image",
	"Without --host, placement asks the hosts that can create and takes, "
	"of those that answer, have the memory free and reach the image, the "
	"one with the most free memory, then the fewest instances; --dry-run "
	"says which and why. An iso image boots as a CD-ROM with a new empty "
	"disk of --disk SIZE.",
	vm_create
};
