/*
 * cmd-image-push.c: `image push NAME --host H`: the image copied to a host
 * that does not see its pool (push.h), and recorded as there, so that
 * instances made from it on that host find it. `vm create` calls
 * cmd_image_push_to() itself when the host it makes an instance on must
 * have the image first.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-common.h"
#include "err.h"
#include "hostops.h"
#include "push.h"
#include "storage.h"
#include "view.h"

/* What the progress line shows. */
struct shown {
	struct ctx	*c;
	const char	*what;
	int64_t		 t0;
};

static void
shown(void *arg, int64_t have, int64_t size)
{
	struct shown	*s = arg;
	char		 a[32], b[32];

	cmd_progress(s->c, "pushing %s: %s of %s", s->what,
	    fmt_size(have, a, sizeof a), fmt_size(size, b, sizeof b));
}

/* What the command records: the copy, and its audit result. */
struct copied {
	struct ctx	*c;
	uint64_t	 image;
	const char	*host;
	const char	*path;
	char		*result;
};

static int
copied_tx(struct store_txn *tx, void *arg)
{
	struct copied	*cp = arg;
	struct record	*r;
	char		*tag, *v[1];
	int		 rc;

	if ((rc = store_get(tx, KIND_IMAGE, cp->image, &r)) != 0)
		return rc;
	tag = xasprintf("%s=%s", cp->host, cp->path);
	v[0] = tag;
	if ((rc = view_tags(r, IMAGE_COPIES, v, 1, NULL, 0)) == 0)
		rc = store_put(tx, r);
	free(tag);
	record_free(r);
	if (rc == 0 && cp->result != NULL)
		ctx_set_result(cp->c, "%s", cp->result);
	return rc;
}

int
cmd_image_push_to(struct ctx *c, struct transport *tp,
    const struct record *image, const struct record *host, int dry,
    char **path)
{
	struct store		*st;
	struct store_txn	*tx;
	struct push		 p;
	struct shown		 sh = { c, record_get(image, FI_NAME), 0 };
	struct copied		 cp;
	int			 rc;

	*path = NULL;
	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	rc = storage_push_path(tx, image, host, path);
	store_txn_end(tx);
	if (rc != 0)
		return ctx_error_last(c);
	memset(&p, 0, sizeof p);
	p.host = host;
	p.image = image;
	p.remote = *path;
	if (dry) {
		push_dry(tp, &p, cmd_dry_emit, c);
		return 0;
	}
	rc = push_run(tp, &p, shown, &sh);
	cmd_progress_done(c);
	if (rc != 0)
		return ctx_error(c, rc, "cannot push image %s to %s: %s",
		    record_get(image, FI_NAME), record_get(host, FI_NAME),
		    err_msg());
	memset(&cp, 0, sizeof cp);
	cp.c = c;
	cp.image = image->id;
	cp.host = record_get(host, FI_NAME);
	cp.path = *path;
	cp.result = p.already ? xasprintf("image %s already on %s at %s",
	    record_get(image, FI_NAME), cp.host, *path) :
	    xasprintf("pushed image %s to %s at %s (%" PRId64 " bytes sent, "
	    "%" PRId64 " resumed)", record_get(image, FI_NAME), cp.host,
	    *path, p.sent, p.resumed);
	rc = ctx_write(c, copied_tx, &cp);
	if (rc == 0)
		ctx_info(c, "%s", cp.result);
	free(cp.result);
	return rc;
}

static int
image_push(struct ctx *c, struct cmd_args *a)
{
	struct store		*st;
	struct store_txn	*tx;
	struct record		*image = NULL, *host = NULL;
	struct transport	*tp = NULL;
	char			*path = NULL;
	int			 rc;

	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	if ((rc = view_lookup(c, tx, KIND_IMAGE, arg_str(a, "name"),
	    &image)) == 0)
		rc = view_lookup(c, tx, KIND_HOST, arg_str(a, "host"), &host);
	store_txn_end(tx);
	if (rc == 0 && (rc = ctx_transport(c, &tp)) == 0)
		rc = cmd_image_push_to(c, tp, image, host,
		    arg_flag(a, "dry-run"), &path);
	free(path);
	record_free(image);
	record_free(host);
	return rc;
}

static const struct cmd_opt image_push_opts[] = {
	OPT_NAME_OLD(KIND_IMAGE, "the image"),
	{ "host", 0, OPT_NAME, OPT_REQUIRED | OPT_EXISTING, KIND_HOST, NULL,
	    "HOST", "host to copy it to" },
	{ NULL }
};

const struct cmd_entry cmd_image_push = {
	"image", "push", NULL, image_push_opts,
	CMD_WRITE | CMD_OPERATOR | CMD_HOSTS,
	"copy an image to a host that does not see its pool",
	"Copies over the host's SSH session into its primary pool "
	"(hvsh-images/), continuing an interrupted copy where it stopped, and "
	"checks the host's own sha256 of it before it is used. A host that "
	"has it whole already is sent nothing.",
	image_push
};
