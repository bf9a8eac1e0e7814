/*
 * cmd-pool.c: storage pool commands. Primary pools hold instance disks and
 * volumes; secondary pools hold images and snapshots. A pool records where
 * each host sees it (storage.h has the rules); `pool list --refresh` and
 * `pool show --refresh` ask the hosts for capacity and use, and `pool
 * check` asks every host that should see a pool whether it does, and
 * whether the images on it are there with the right contents.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "cmd-common.h"
#include "dispatch.h"
#include "err.h"
#include "hostops.h"
#include "name.h"
#include "storage.h"
#include "view.h"

static const char *const pool_roles[] = { "primary", "secondary", NULL };
static const char *const pool_types[] = { "dir", "nfs", "iscsi", "zfs", "lvm",
	NULL };

/* A path a host is told: absolute, printable, no ',' or '=' (tags). */
static int
path_ok(const char *p)
{
	const char	*q;

	if (p[0] != '/' || strlen(p) > 1024)
		return 0;
	for (q = p; *q != '\0'; q++)
		if (*q < ' ' || *q > '~' || *q == ',' || *q == '=')
			return 0;
	return 1;
}

/*
 * --host-path HOST[=PATH]: each host named must exist; PATH defaults to
 * the pool's own path. Written as host_paths tags.
 */
static int
pool_init(struct ctx *c, struct store_txn *tx, struct record *r, void *arg)
{
	struct cmd_args	*a = arg;
	struct record	*h = NULL;
	char *const	*hp;
	char		**tags;
	const char	*eq, *path;
	char		*host;
	int		 k, n, rc = 0;

	if (!path_ok(record_get(r, POOL_PATH)))
		return err_set(ERR_USAGE, "--path must be an absolute path of "
		    "printable characters without ',' or '='");
	hp = arg_multi(a, "host-path", &n);
	tags = xcalloc((size_t)n + 1, sizeof *tags);
	for (k = 0; rc == 0 && k < n; k++) {
		eq = strchr(hp[k], '=');
		host = eq != NULL ? xstrndup(hp[k], (size_t)(eq - hp[k])) :
		    xstrdup(hp[k]);
		path = eq != NULL ? eq + 1 : record_get(r, POOL_PATH);
		if (name_check("host", host) != 0)
			rc = err_set(ERR_USAGE, "--host-path %s: %s", hp[k],
			    err_msg());
		else if ((rc = view_find(tx, KIND_HOST, host, &h)) != 0)
			rc = err_set(rc, "--host-path %s: no host %s", hp[k],
			    host);
		else if (!path_ok(path))
			rc = err_set(ERR_USAGE, "--host-path %s: the path must "
			    "be absolute, printable, without ',' or '='", hp[k]);
		else
			tags[k] = xasprintf("%s=%s", host, path);
		record_free(h);
		h = NULL;
		free(host);
	}
	if (rc == 0 && n > 0 && record_get(r, POOL_HOST) != NULL)
		rc = err_set(ERR_USAGE, "a pool local to one host (--host) "
		    "takes no --host-path");
	if (rc == 0 && n > 0)
		rc = view_tags(r, POOL_HOSTPATHS, tags, n, NULL, 0);
	for (k = 0; k < n; k++)
		free(tags[k]);
	free(tags);
	return rc != 0 ? ctx_error_last(c) : 0;
}

static int
pool_add(struct ctx *c, struct cmd_args *a)
{
	return cmd_add(c, a, pool_init, a);
}

/* One pool as one host sees it, and what asking found. */
struct seen {
	struct record	*pool;		/* borrowed from the pools held */
	struct record	*host;		/* borrowed; NULL: the bastion */
	char		*path;
	struct dcall	 dc;
	struct buf	 detail;	/* pool check: what is wrong */
};

struct sights {
	struct seen	*v;
	size_t		 n;
	struct records	 pools;
	struct records	 hosts;
};

static void
sights_free(struct sights *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].path);
		dcall_clear(&s->v[i].dc);
		buf_free(&s->v[i].detail);
	}
	free(s->v);
	records_free(&s->pools);
	records_free(&s->hosts);
	memset(s, 0, sizeof *s);
}

static struct seen *
sight_add(struct sights *s, struct record *pool, struct record *host,
    char *path)
{
	struct seen	*v;
	char		*subject;

	s->v = xreallocarray(s->v, s->n + 1, sizeof *s->v);
	v = &s->v[s->n++];
	memset(v, 0, sizeof *v);
	v->pool = pool;
	v->host = host;
	v->path = path;
	subject = xasprintf("pool %s", record_get(pool, FI_NAME));
	dcall_init(&v->dc, host, subject);
	free(subject);
	v->dc.what = DC_CALL;
	v->dc.call = DRV_POOL_INFO;
	v->dc.req.pool = path;
	return v;
}

/*
 * Every (pool, host) that should see each other; a pool no host sees is
 * the bastion's (host NULL). With one_each, only the first host of each
 * pool (enough for capacity and use).
 */
static int
sights_load(struct ctx *c, const char *name, int one_each,
    struct sights *s)
{
	struct store		*st;
	struct store_txn	*tx;
	struct record		*p = NULL;
	size_t			 i, j, before;
	char			*path;
	int			 rc;

	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	if (name != NULL) {
		if ((rc = view_lookup(c, tx, KIND_POOL, name, &p)) == 0)
			(void)records_hold(p, &s->pools);
		record_free(p);
	} else
		rc = store_iter(tx, KIND_POOL, records_hold, &s->pools);
	if (rc == 0)
		rc = store_iter(tx, KIND_HOST, records_hold, &s->hosts);
	store_txn_end(tx);
	if (rc != 0)
		return rc;
	for (i = 0; i < s->pools.n; i++) {
		before = s->n;
		for (j = 0; j < s->hosts.n; j++) {
			if (one_each && s->n > before)
				break;
			if (!dispatch_can_call(s->hosts.v[j], DRV_POOL_INFO))
				continue;
			if (storage_pool_path(s->pools.v[i], s->hosts.v[j],
			    &path) == 0)
				sight_add(s, s->pools.v[i], s->hosts.v[j],
				    path);
		}
		if (s->n == before)
			sight_add(s, s->pools.v[i], NULL,
			    xstrdup(record_get(s->pools.v[i], POOL_PATH)));
	}
	return 0;
}

/* Capacity and use of a directory on the bastion. */
static int
bastion_info(struct seen *v)
{
	struct statvfs	sv;

	if (statvfs(v->path, &sv) != 0)
		return err_set(ERR_IO, "pool %s: %s on the bastion: cannot "
		    "read it", record_get(v->pool, FI_NAME), v->path);
	v->dc.reply.capacity = (int64_t)sv.f_blocks * (int64_t)sv.f_frsize;
	v->dc.reply.used = (int64_t)(sv.f_blocks - sv.f_bfree) *
	    (int64_t)sv.f_frsize;
	return 0;
}

/* Asks every sight at once: the hosts through dispatch, the bastion here. */
static void
sights_ask(struct transport *tp, struct sights *s)
{
	struct dcall	*dc = xcalloc(s->n + 1, sizeof *dc);
	size_t		*idx = xcalloc(s->n + 1, sizeof *idx);
	size_t		 i, n = 0;

	for (i = 0; i < s->n; i++) {
		if (s->v[i].host == NULL) {
			if (bastion_info(&s->v[i]) != 0)
				dcall_fail(&s->v[i].dc, ERR_IO, "%s",
				    err_msg());
			continue;
		}
		dc[n] = s->v[i].dc;	/* moved, and back below */
		idx[n++] = i;
	}
	dispatch_prepare(dc, n);
	dispatch_run(tp, dc, n);
	for (i = 0; i < n; i++)
		s->v[idx[i]].dc = dc[i];
	free(dc);
	free(idx);
}

/* Records what the hosts said of each pool's capacity and use. */
static int
capacity_tx(struct store_txn *tx, void *arg)
{
	struct sights	*s = arg;
	struct record	*p;
	size_t		 i;
	int		 rc;

	for (i = 0; i < s->n; i++) {
		if (s->v[i].dc.rc != 0 || s->v[i].dc.reply.capacity < 0)
			continue;
		if ((rc = store_get(tx, KIND_POOL, s->v[i].pool->id, &p)) != 0)
			return rc == ERR_NOENT ? 0 : rc;
		record_set_i64(p, POOL_CAPACITY, s->v[i].dc.reply.capacity);
		if (s->v[i].dc.reply.used >= 0)
			record_set_i64(p, POOL_USED, s->v[i].dc.reply.used);
		rc = store_put(tx, p);
		record_free(p);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Asks the hosts for capacity and use of one pool (name) or all. */
static int
pool_refresh(struct ctx *c, const char *name)
{
	struct sights		 s = { 0 };
	struct transport	*tp = NULL;
	size_t			 i;
	int			 rc;

	if ((rc = sights_load(c, name, 1, &s)) != 0)
		goto out;
	if ((rc = ctx_transport(c, &tp)) != 0)
		goto out;
	sights_ask(tp, &s);
	if ((rc = store_write(c->store, capacity_tx, &s)) != 0)
		goto out;
	for (i = 0; i < s.n; i++)
		if (s.v[i].dc.rc != 0)
			ctx_error(c, s.v[i].dc.rc, "%s", s.v[i].dc.errmsg);
out:
	sights_free(&s);
	return rc;
}

static int
pool_list(struct ctx *c, struct cmd_args *a)
{
	int	rc;

	if (arg_flag(a, "refresh") && (rc = pool_refresh(c, NULL)) != 0)
		return rc;
	return cmd_generic_list(c, a);
}

static int
pool_show(struct ctx *c, struct cmd_args *a)
{
	int	rc;

	if (arg_flag(a, "refresh") &&
	    (rc = pool_refresh(c, arg_str(a, "name"))) != 0)
		return rc;
	return cmd_generic_show(c, a);
}

/* What pool check compares on a host: each image of a secondary pool. */
struct images_of {
	uint64_t	 pool;
	struct records	 v;
};

static int
image_of(const struct record *r, void *arg)
{
	struct images_of	*io = arg;

	if ((uint64_t)record_get_i64(r, IMAGE_POOL, 0) == io->pool)
		return records_hold(r, &io->v);
	return 0;
}

/*
 * The images of v's pool, as v's host sees them, are summed there and
 * compared with the repository's sha256; each mismatch goes to detail.
 */
static void
check_images(struct ctx *c, struct transport *tp, struct seen *v)
{
	struct images_of	 io = { v->pool->id, { 0 } };
	struct store_txn	*tx;
	struct dcall		*dc;
	char			**paths;
	const char		*want;
	size_t			 i;

	if (store_read(c->store, &tx) != 0)
		return;
	(void)store_iter(tx, KIND_IMAGE, image_of, &io);
	paths = xcalloc(io.v.n + 1, sizeof *paths);
	for (i = 0; i < io.v.n; i++)
		(void)storage_image_path(tx, io.v.v[i], v->host, &paths[i]);
	store_txn_end(tx);
	dc = xcalloc(io.v.n + 1, sizeof *dc);
	for (i = 0; i < io.v.n; i++) {
		dcall_init(&dc[i], v->host, record_get(io.v.v[i], FI_NAME));
		dc[i].what = DC_CALL;
		dc[i].call = DRV_IMAGE_SUM;
		dc[i].req.dest = paths[i];
		if (paths[i] == NULL)
			dcall_fail(&dc[i], ERR_NOENT, "no path");
	}
	dispatch_prepare(dc, io.v.n);
	dispatch_run(tp, dc, io.v.n);
	for (i = 0; i < io.v.n; i++) {
		want = record_get(io.v.v[i], IMAGE_SHA256);
		if (dc[i].rc != 0)
			buf_printf(&v->detail, "%simage %s missing or "
			    "unreadable", v->detail.len ? "; " : "",
			    record_get(io.v.v[i], FI_NAME));
		else if (want != NULL && (dc[i].reply.sha256 == NULL ||
		    strcmp(want, dc[i].reply.sha256) != 0))
			buf_printf(&v->detail, "%simage %s differs",
			    v->detail.len ? "; " : "",
			    record_get(io.v.v[i], FI_NAME));
		dcall_clear(&dc[i]);
		free(paths[i]);
	}
	free(dc);
	free(paths);
	records_free(&io.v);
}

static const struct col_def check_cols[] = {
	{ "pool", COL_STR, 0 },
	{ "host", COL_STR, 0 },
	{ "path", COL_STR, 0 },
	{ "status", COL_STR, 0 },
	{ "capacity", COL_SIZE, 0 },
	{ "used", COL_SIZE, 0 },
	{ "detail", COL_STR, 0 },
};

/*
 * pool check [POOL]: every host that should see each pool is asked for
 * it; on secondary pools, each image is summed on each host and compared.
 * One row per pool and host; fails if any is not as recorded.
 */
static int
pool_check(struct ctx *c, struct cmd_args *a)
{
	struct sights		 s = { 0 };
	struct transport	*tp = NULL;
	struct listing		*l = NULL;
	const char		*vals[nitems(check_cols)];
	char			 cap[24], used[24];
	size_t			 i, bad = 0;
	int			 rc;

	if ((rc = sights_load(c, arg_str(a, "name"), 0, &s)) != 0)
		goto out;
	if ((rc = ctx_transport(c, &tp)) != 0)
		goto out;
	sights_ask(tp, &s);
	for (i = 0; i < s.n; i++)
		if (s.v[i].host != NULL && s.v[i].dc.rc == 0 &&
		    strcmp(record_get(s.v[i].pool, POOL_ROLE), "secondary") == 0)
			check_images(c, tp, &s.v[i]);
	if ((rc = store_write(c->store, capacity_tx, &s)) != 0)
		goto out;
	if ((rc = listing_new(ctx_out_write, c, check_cols, nitems(check_cols),
	    "pool,host,path,status,capacity,used,detail", arg_list_opts(a),
	    &l)) != 0) {
		rc = ctx_error(c, rc, "%s", err_msg());
		goto out;
	}
	for (i = 0; i < s.n; i++) {
		struct seen	*v = &s.v[i];
		int		 ok = v->dc.rc == 0 && v->detail.len == 0;

		bad += !ok;
		snprintf(cap, sizeof cap, "%" PRId64, v->dc.reply.capacity);
		snprintf(used, sizeof used, "%" PRId64, v->dc.reply.used);
		vals[0] = record_get(v->pool, FI_NAME);
		vals[1] = v->host != NULL ? record_get(v->host, FI_NAME) :
		    "(bastion)";
		vals[2] = v->path;
		vals[3] = ok ? "ok" : "bad";
		vals[4] = v->dc.reply.capacity >= 0 ? cap : NULL;
		vals[5] = v->dc.reply.used >= 0 ? used : NULL;
		vals[6] = v->dc.rc != 0 ? v->dc.errmsg : v->detail.data;
		listing_row(l, vals);
	}
	listing_end(l);
	if (bad > 0)
		rc = ctx_error(c, ERR_FAIL, "%zu of %zu pool sights are not as "
		    "recorded", bad, s.n);
out:
	sights_free(&s);
	return rc;
}

static const struct cmd_opt pool_add_opts[] = {
	OPT_NAME_NEW(KIND_POOL, "name for the pool"),
	{ "role", 'r', OPT_ENUM, OPT_REQUIRED, 0, pool_roles, "ROLE",
	    "primary (instance disks, volumes) or secondary (images)" },
	{ "type", 't', OPT_ENUM, OPT_REQUIRED, 0, pool_types, "TYPE",
	    "dir, nfs, iscsi, zfs or lvm" },
	{ "path", 0, OPT_STR, OPT_REQUIRED, 0, NULL, "PATH",
	    "where the storage is (on the bastion, for secondary pools)" },
	{ "host", 0, OPT_NAME, OPT_EXISTING, KIND_HOST, NULL, "HOST",
	    "host the pool is local to" },
	{ "host-path", 0, OPT_STR, OPT_MULTI, 0, NULL, "HOST[=PATH]",
	    "a host that sees the pool, and where (default: --path)" },
	{ "capacity", 0, OPT_SIZE, 0, 0, NULL, NULL, "size of the pool" },
	OPT_TAGS,
	{ NULL }
};

static const struct cmd_opt pool_show_opts[] = {
	OPT_NAME_OLD(KIND_POOL, "the pool"),
	{ "refresh", 'r', OPT_FLAG, 0, 0, NULL, NULL,
	    "ask a host for capacity and use first" },
	{ NULL }
};

static const struct cmd_opt pool_list_opts[] = {
	{ "refresh", 'r', OPT_FLAG, 0, 0, NULL, NULL,
	    "ask the hosts for capacity and use first" },
	{ NULL }
};

static const struct cmd_opt pool_check_opts[] = {
	{ "name", 0, OPT_NAME, OPT_POSITIONAL | OPT_EXISTING, KIND_POOL, NULL,
	    "POOL", "the pool (default: all)" },
	{ NULL }
};

static const struct cmd_opt pool_remove_opts[] = {
	OPT_NAME_OLD(KIND_POOL, "the pool"),
	OPT_FORCE("remove it even if images or volumes refer to it"),
	{ NULL }
};

const struct cmd_entry cmd_pool_add = {
	"pool", "add", NULL, pool_add_opts, CMD_WRITE | CMD_ADMIN,
	"record a storage pool",
	"A pool local to one host takes --host. A shared pool names each host "
	"that sees it with --host-path HOST[=PATH]. A primary pool with "
	"neither is seen by every host at --path; a secondary pool with "
	"neither only by the bastion, and its images are pushed to hosts.",
	pool_add
};
const struct cmd_entry cmd_pool_list = {
	"pool", "list", "ls", pool_list_opts, CMD_LIST,
	"list storage pools", NULL, pool_list
};
const struct cmd_entry cmd_pool_show = {
	"pool", "show", NULL, pool_show_opts, CMD_SHOW,
	"show a storage pool", NULL, pool_show
};
const struct cmd_entry cmd_pool_check = {
	"pool", "check", NULL, pool_check_opts, CMD_LIST,
	"check that every host sees each pool it should, with its images",
	"Asks each host that should see a pool for it; for secondary pools, "
	"sums each image on each host and compares it with the repository.",
	pool_check
};
const struct cmd_entry cmd_pool_remove = {
	"pool", "remove", "rm", pool_remove_opts,
	CMD_WRITE | CMD_ADMIN | CMD_DESTRUCTIVE,
	"forget a storage pool",
	"Refused while images or volumes refer to the pool, unless --force.",
	cmd_generic_remove
};
