/*
 * cmd-image-capture.c: `image capture NAME --vm V [--snapshot S]`: a
 * template made from a stopped instance's root disk (or from one of its
 * snapshots), written by the instance's host into a secondary pool that
 * host shares with the bastion, and recorded in the repository with the
 * image and instance it came from, so new instances can be made from it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd-common.h"
#include "dispatch.h"
#include "err.h"
#include "hostops.h"
#include "probe.h"
#include "storage.h"
#include "view.h"

struct capture {
	struct ctx	*c;
	struct cmd_args	*a;
	struct record	*vm;
	struct record	*host;
	struct record	*root;		/* the root disk's volume record */
	struct record	*snap;		/* NULL: the disk as it is */
	struct record	*pool;		/* the secondary pool written to */
	struct record	*parent;	/* the vm's image, or NULL */
	char		*dest;		/* on the host */
	char		*local;		/* the same file on the bastion */
	const char	*format;
	struct probe_result pr;
	int64_t		 vsize;
};

static void
capture_free(struct capture *cp)
{
	record_free(cp->vm);
	record_free(cp->host);
	record_free(cp->root);
	record_free(cp->snap);
	record_free(cp->pool);
	record_free(cp->parent);
	free(cp->dest);
	free(cp->local);
}

static int
root_of(const struct record *r, void *arg)
{
	struct record	**root = arg;
	const char	 *role = record_get(r, VOLUME_ROLE);

	if (*root == NULL && role != NULL && strcmp(role, "root") == 0)
		*root = record_dup(r);
	return 0;
}

/* The secondary pool the host shares with the bastion: named, or the one. */
struct shared {
	const struct record	*host;
	struct record		*pool;
	char			*dir;
	int			 n;
};

static int
shared_one(const struct record *p, void *arg)
{
	struct shared	*sh = arg;
	char		*dir;

	if (strcmp(record_get(p, POOL_ROLE), "secondary") != 0 ||
	    storage_pool_path(p, sh->host, &dir) != 0)
		return 0;
	if (sh->n++ == 0) {
		sh->pool = record_dup(p);
		sh->dir = dir;
	} else
		free(dir);
	return 0;
}

/* Finds everything the capture needs, in one read; reports what is wrong. */
static int
capture_lookup(struct ctx *c, struct cmd_args *a, struct capture *cp)
{
	struct store		*st;
	struct store_txn	*tx;
	struct record		*other = NULL;
	struct shared		 sh = { NULL, NULL, NULL, 0 };
	const struct driver	*d;
	const char		*name = arg_str(a, "name");
	int64_t			 id;
	int			 rc;

	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	if ((rc = store_get_by_name(tx, KIND_IMAGE, 0, name, &other)) == 0) {
		rc = ctx_error(c, ERR_EXIST, "image '%s' already exists", name);
		goto out;
	}
	if ((rc = view_lookup(c, tx, KIND_VM, arg_str(a, "vm"), &cp->vm)) != 0)
		goto out;
	id = record_get_i64(cp->vm, VM_HOST, 0);
	if (id <= 0 || store_get(tx, KIND_HOST, (uint64_t)id, &cp->host) != 0) {
		rc = ctx_error(c, ERR_INVAL, "vm %s is on no host",
		    arg_str(a, "vm"));
		goto out;
	}
	if ((id = record_get_i64(cp->vm, VM_IMAGE, 0)) > 0)
		(void)store_get(tx, KIND_IMAGE, (uint64_t)id, &cp->parent);
	if ((rc = store_iter_ref(tx, KIND_VOLUME, VOLUME_VM, cp->vm->id,
	    root_of, &cp->root)) != 0)
		goto out;
	if (cp->root == NULL) {
		rc = ctx_error(c, ERR_INVAL, "vm %s has no recorded root disk "
		    "to capture", arg_str(a, "vm"));
		goto out;
	}
	if (arg_str(a, "snapshot") != NULL && (rc = store_get_by_name(tx,
	    KIND_SNAPSHOT, cp->vm->id, arg_str(a, "snapshot"),
	    &cp->snap)) != 0) {
		rc = ctx_error(c, rc, "vm %s has no snapshot %s",
		    arg_str(a, "vm"), arg_str(a, "snapshot"));
		goto out;
	}
	sh.host = cp->host;
	if (arg_str(a, "pool") != NULL) {
		if ((rc = view_lookup(c, tx, KIND_POOL, arg_str(a, "pool"),
		    &other)) == 0)
			rc = shared_one(other, &sh);
	} else
		rc = store_iter(tx, KIND_POOL, shared_one, &sh);
	if (rc != 0)
		goto out;
	if (sh.n != 1) {
		rc = ctx_error(c, ERR_INVAL, sh.n == 0 ? "host %s shares no "
		    "secondary pool with the bastion to write the template to"
		    : "host %s sees several secondary pools: name one with "
		    "--pool", record_get(cp->host, FI_NAME));
		goto out;
	}
	cp->pool = sh.pool;
	sh.pool = NULL;		/* transferred */
	d = dispatch_driver(cp->host);
	cp->format = d != NULL && d->capture_format != NULL ?
	    d->capture_format : "qcow2";
	cp->dest = xasprintf("%s/%s.%s", sh.dir, name,
	    storage_ext(cp->format));
	cp->local = xasprintf("%s/%s.%s", record_get(cp->pool, POOL_PATH),
	    name, storage_ext(cp->format));
out:
	free(sh.dir);
	record_free(sh.pool);
	record_free(other);
	store_txn_end(tx);
	return rc;
}

/* The instance must be stopped: its host is asked. */
static int
capture_stopped(struct ctx *c, struct transport *tp, struct capture *cp)
{
	struct host_refresh	 hr;
	const struct hv_vm	*hv;
	int			 rc = 0;

	memset(&hr, 0, sizeof hr);
	hr.host = cp->host;
	hostops_refresh(tp, &hr, 1, &(struct refresh_want){
	    .store = c->store, .ids = RF_IDS_MATCH });
	if (hr.rc != 0)
		rc = ctx_error(c, hr.rc, "%s", hr.errmsg);
	else if ((hv = hostops_match(&hr, cp->vm)) == NULL)
		rc = ctx_error(c, ERR_NOENT, "host %s no longer has vm %s",
		    record_get(cp->host, FI_NAME), record_get(cp->vm, FI_NAME));
	else if (hv->state != HV_STOPPED)
		rc = ctx_error(c, ERR_BUSY, "vm %s is %s: stop it first (a "
		    "template is made from a stopped instance's disk)",
		    record_get(cp->vm, FI_NAME), hv_state_name(hv->state));
	host_refresh_clear(&hr);
	return rc;
}

static void
copy_field(struct record *r, int field, const struct record *from, int ff)
{
	if (from != NULL && record_get(from, ff) != NULL)
		record_set(r, field, record_get(from, ff));
}

static int
capture_tx(struct store_txn *tx, void *arg)
{
	struct capture	*cp = arg;
	struct record	*r = record_new(KIND_IMAGE);
	int		 rc;

	record_set(r, FI_NAME, arg_str(cp->a, "name"));
	record_set(r, IMAGE_KIND, "template");
	record_set(r, IMAGE_FORMAT, cp->format);
	copy_field(r, IMAGE_OS, cp->parent, IMAGE_OS);
	copy_field(r, IMAGE_ARCH, cp->parent, IMAGE_ARCH);
	record_set_i64(r, IMAGE_SIZE, cp->pr.size);
	record_set(r, IMAGE_SHA256, cp->pr.sha256);
	record_set(r, IMAGE_LOCATION, cp->local);
	record_set_i64(r, IMAGE_POOL, (int64_t)cp->pool->id);
	record_set(r, IMAGE_OWNER, cp->c->user);
	if (cp->vsize > 0)
		record_set_i64(r, IMAGE_VSIZE, cp->vsize);
	if (cp->parent != NULL)
		record_set_i64(r, IMAGE_PARENT, (int64_t)cp->parent->id);
	record_set(r, IMAGE_SOURCEVM, record_get(cp->vm, FI_NAME));
	if ((rc = cmd_apply_fields(cp->c, cp->a, tx, r)) == 0)
		rc = store_put(tx, r);
	record_free(r);
	if (rc == 0)
		ctx_set_result(cp->c, "captured image %s from vm %s%s%s on %s",
		    arg_str(cp->a, "name"), record_get(cp->vm, FI_NAME),
		    cp->snap != NULL ? " snapshot " : "",
		    cp->snap != NULL ? record_get(cp->snap, FI_NAME) : "",
		    record_get(cp->host, FI_NAME));
	return rc;
}

static int
image_capture(struct ctx *c, struct cmd_args *a)
{
	struct capture		 cp;
	struct transport	*tp = NULL;
	struct dcall		 dc;
	char			*subject;
	int			 rc;

	memset(&cp, 0, sizeof cp);
	cp.c = c;
	cp.a = a;
	memset(&dc, 0, sizeof dc);
	if ((rc = capture_lookup(c, a, &cp)) != 0)
		goto out;
	subject = xasprintf("vm %s", record_get(cp.vm, FI_NAME));
	dcall_init(&dc, cp.host, subject);
	free(subject);
	dc.what = DC_CALL;
	dc.call = DRV_CAPTURE;
	dc.req.vm.name = record_get(cp.vm, FI_NAME);
	dc.req.vm.uuid = record_get(cp.vm, VM_UUID);
	dc.req.vm.product = dc.req.product = record_get(cp.host, HOST_PRODUCT);
	dc.req.vol_path = record_get(cp.root, VOLUME_REF) != NULL ?
	    record_get(cp.root, VOLUME_REF) : record_get(cp.root, VOLUME_PATH);
	if (cp.snap != NULL) {
		dc.req.snapshot = record_get(cp.snap, FI_NAME);
		dc.req.snap_ref = record_get(cp.snap, SNAPSHOT_REF);
	}
	dc.req.dest = cp.dest;
	if ((rc = ctx_transport(c, &tp)) != 0)
		goto out;
	if (arg_flag(a, "dry-run")) {
		dispatch_prepare(&dc, 1);
		dispatch_dry(tp, &dc, 1, cmd_dry_emit, c);
		rc = dc.rc != 0 ? ctx_error(c, dc.rc, "%s", dc.errmsg) : 0;
		goto out;
	}
	if ((rc = capture_stopped(c, tp, &cp)) != 0)
		goto out;
	if (dispatch_one(tp, &dc) != 0) {
		rc = ctx_error(c, dc.rc, "%s", dc.errmsg);
		goto out;
	}
	/* The bastion reads the same file through the pool it mounts. */
	if ((rc = probe_file(cp.local, &cp.pr)) != 0) {
		rc = ctx_error(c, rc, "the template was written on %s at %s, "
		    "but the bastion cannot read it at %s: %s",
		    record_get(cp.host, FI_NAME), cp.dest, cp.local, err_msg());
		goto out;
	}
	cp.vsize = cp.pr.vsize > 0 ? cp.pr.vsize : dc.reply.size;
	if ((rc = ctx_write(c, capture_tx, &cp)) != 0) {
		(void)unlink(cp.local);
		goto out;
	}
	ctx_info(c, "image %s captured from vm %s", arg_str(a, "name"),
	    record_get(cp.vm, FI_NAME));
out:
	dcall_clear(&dc);
	capture_free(&cp);
	return rc;
}

static const struct cmd_opt image_capture_opts[] = {
	OPT_NAME_NEW(KIND_IMAGE, "name for the template"),
	{ "vm", 0, OPT_NAME, OPT_REQUIRED | OPT_EXISTING, KIND_VM, NULL, "VM",
	    "stopped instance whose root disk becomes the template" },
	{ "snapshot", 0, OPT_NAME, 0, KIND_SNAPSHOT, NULL, "SNAPSHOT",
	    "capture the disk as this snapshot of it holds it" },
	{ "pool", 0, OPT_NAME, OPT_EXISTING, KIND_POOL, NULL, "POOL",
	    "secondary pool to write it to (default: the one the host shares)" },
	{ "os", 0, OPT_STR, 0, 0, NULL, "OS", "operating system" },
	OPT_TAGS,
	{ NULL }
};

const struct cmd_entry cmd_image_capture = {
	"image", "capture", NULL, image_capture_opts,
	CMD_WRITE | CMD_OPERATOR | CMD_HOSTS,
	"make a template from a stopped instance's disk",
	"The instance's host writes the template into a secondary pool it "
	"shares with the bastion (qcow2 on kvm, vhd on xen, a full clone .vmx "
	"on vmware); it is recorded with the image and instance it came from.",
	image_capture
};
