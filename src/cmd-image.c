/*
 * cmd-image.c: the image repository: ISO images, templates and disk images
 * with their metadata. 'image add' records a file that already exists;
 * 'image import' copies a file into a secondary pool's directory. Either way
 * the record holds the file's size, its format read from its magic bytes,
 * the size of the disk it holds and its sha256, all from one read. 'image
 * verify' reads the files again; 'image remove' refuses while anything was
 * made from the image and deletes a file that lives in its pool.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd-common.h"
#include "err.h"
#include "inventory.h"
#include "probe.h"
#include "view.h"

#define IMPORT_BUFSZ	(1024 * 1024)
/* Nanoseconds between two drawings of the progress bar. */
#define PROGRESS_NS	100000000LL
/* Names of referring records a refusal lists per kind. */
#define REFS_NAMED	5

static const char *const image_kinds[] = { "iso", "template", "disk", NULL };
static const char *const image_formats[] = { "qcow2", "raw", "vmdk", "vhd",
	"iso", "xva", "vmx", NULL };

struct image_add {
	struct probe_result	 pr;
	char			 path[PATH_MAX];
	uint64_t		 pool;		/* import: the pool chosen */
};

/*
 * What the file says about itself against what the user said. A format
 * given must agree with the magic, except that a file with no magic may be
 * called any headerless format (a flat vmdk extent is raw bytes); a header
 * whose size cannot be believed refuses the file. *format is what to record.
 */
static int
image_check(const struct probe_result *pr, const char *path,
    const char *given, const char *kind, const char **format)
{
	if (pr->bad[0] != '\0')
		return err_set(ERR_INVAL, "%s: %s", path, pr->bad);
	if (given != NULL && strcmp(given, pr->format) != 0 &&
	    strcmp(pr->format, "raw") != 0)
		return err_set(ERR_INVAL, "%s is %s by its contents, not %s",
		    path, pr->format, given);
	*format = given != NULL ? given : pr->format;
	if (kind != NULL && strcmp(kind, "iso") == 0 &&
	    strcmp(*format, "iso") != 0)
		return err_set(ERR_INVAL, "%s is %s, not an ISO image",
		    path, *format);
	return 0;
}

/* Fills what the file says about itself into the new record. */
static int
image_init(struct ctx *c, struct store_txn *tx, struct record *r,
    void *arg)
{
	struct image_add	*ia = arg;
	struct record		*pool = NULL;
	const char		*format, *kind = record_get(r, IMAGE_KIND);
	int			 rc;

	if ((rc = image_check(&ia->pr, ia->path, record_get(r, IMAGE_FORMAT),
	    kind, &format)) != 0)
		return rc;
	record_set(r, IMAGE_FORMAT, format);
	if (kind == NULL)
		record_set(r, IMAGE_KIND, strcmp(format, "iso") == 0 ? "iso" :
		    "disk");
	if (ia->pool != 0) {
		/* The pool was chosen before the copy; it must still be. */
		if ((rc = store_get(tx, KIND_POOL, ia->pool, &pool)) != 0)
			return err_set(rc, "the pool was removed during the "
			    "import");
		record_free(pool);
		record_setf(r, IMAGE_POOL, "%" PRIu64, ia->pool);
	}
	record_set_i64(r, IMAGE_SIZE, ia->pr.size);
	if (ia->pr.vsize >= 0)
		record_set_i64(r, IMAGE_VSIZE, ia->pr.vsize);
	record_set(r, IMAGE_SHA256, ia->pr.sha256);
	record_set(r, IMAGE_LOCATION, ia->path);
	if (record_get(r, IMAGE_OWNER) == NULL)
		record_set(r, IMAGE_OWNER, c->user);
	return 0;
}

static int
image_add(struct ctx *c, struct cmd_args *a)
{
	struct image_add	ia;
	const char		*file = arg_str(a, "file");

	memset(&ia, 0, sizeof ia);
	/* Hash before the transaction: a large file must not hold the writer. */
	if (probe_file(file, &ia.pr) != 0)
		return ctx_error_last(c);
	if (realpath(file, ia.path) == NULL)
		return ctx_error(c, ERR_IO, "%s: cannot resolve path", file);
	return cmd_add(c, a, image_init, &ia);
}

/* Makes a pool's directory absolute and resolved; ERR_INVAL if not local. */
static int
pool_dir(const struct record *pool, char dir[PATH_MAX])
{
	const char	*path = record_get(pool, POOL_PATH);
	const char	*name = record_get(pool, FI_NAME);
	struct stat	 st;

	if (path == NULL || path[0] != '/')
		return err_set(ERR_INVAL, "pool %s: its path '%s' is not a "
		    "directory on this machine", name, path != NULL ? path : "");
	if (realpath(path, dir) == NULL || stat(dir, &st) == -1)
		return err_set(ERR_IO, "pool %s: %s: %s", name, path,
		    strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return err_set(ERR_INVAL, "pool %s: %s is not a directory",
		    name, path);
	return 0;
}

struct import {
	struct ctx		*c;
	const char		*name;
	const char		*file;
	char			 dir[PATH_MAX];	/* the pool's, resolved */
	uint64_t		 pool;
	int			 dirfd;
	int			 srcfd;
	int			 tmpfd;
	char			 tmpname[NAME_MAX + 1];
	char			 final[NAME_MAX + 1];
	int64_t			 expect;	/* -1: a pipe, size unknown */
	struct timespec		 start;
	struct timespec		 drawn;
	int			 bar;		/* the bar is drawn */
};

/*
 * Picks the pool: the one named, or the only secondary pool. Also refuses a
 * taken image name now, before a long copy would find out.
 */
static int
import_pool(struct store_txn *tx, const char *want, struct import *im)
{
	struct records	 pools = { 0 };
	struct record	*r = NULL, *pick = NULL;
	struct buf	 names = { 0 };
	const char	*role;
	size_t		 i, n = 0;
	int		 rc;

	if (view_find(tx, KIND_IMAGE, im->name, &r) == 0) {
		record_free(r);
		return err_set(ERR_EXIST, "image '%s' already exists",
		    im->name);
	}
	if (want != NULL) {
		if ((rc = view_find(tx, KIND_POOL, want, &pick)) != 0)
			return rc;
		role = record_get(pick, POOL_ROLE);
		if (role == NULL || strcmp(role, "secondary") != 0) {
			rc = err_set(ERR_INVAL, "pool %s is not a secondary "
			    "pool", want);
			goto out;
		}
	} else {
		if ((rc = store_iter(tx, KIND_POOL, records_hold, &pools)) < 0)
			goto out;
		for (i = 0; i < pools.n; i++) {
			role = record_get(pools.v[i], POOL_ROLE);
			if (role == NULL || strcmp(role, "secondary") != 0)
				continue;
			buf_printf(&names, "%s%s", n > 0 ? ", " : "",
			    record_get(pools.v[i], FI_NAME));
			if (n++ == 0)
				pick = record_dup(pools.v[i]);
		}
		if (n == 0) {
			rc = err_set(ERR_NOENT, "no secondary pool to import "
			    "into (see 'pool add --role secondary')");
			goto out;
		}
		if (n > 1) {
			rc = err_set(ERR_INVAL, "several secondary pools (%s): "
			    "name one with --pool", names.data);
			goto out;
		}
	}
	im->pool = pick->id;
	rc = pool_dir(pick, im->dir);
out:
	record_free(pick);
	records_free(&pools);
	buf_free(&names);
	return rc;
}

/* The signal that interrupted the copy, if any. */
static volatile sig_atomic_t	import_sig;
static const int		import_signals[] = { SIGINT, SIGTERM, SIGHUP };

/* Ctrl-C (or a stop) during a copy: the loop sees it and cleans up. */
static void
import_on_signal(int sig)
{
	import_sig = sig;
	intr_raise();
}

static double
elapsed(const struct timespec *from, const struct timespec *to)
{
	return (double)(to->tv_sec - from->tv_sec) +
	    (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

/*
 * Shows "copied / total  pct  rate  ETA" as the command's progress line, at
 * most ten times a second; the last call (done) erases it.
 */
static void
import_progress(struct import *im, int64_t copied, int done)
{
	struct timespec	now;
	char		a[32], b[32], r[32], eta[32] = "";
	double		secs, rate;
	int64_t		left;

	if (!cmd_at_terminal(im->c))
		return;
	if (done) {
		if (im->bar)
			cmd_progress_done(im->c);
		im->bar = 0;
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (im->bar && (now.tv_sec - im->drawn.tv_sec) * 1000000000LL +
	    (now.tv_nsec - im->drawn.tv_nsec) < PROGRESS_NS)
		return;
	im->drawn = now;
	secs = elapsed(&im->start, &now);
	rate = secs > 0 ? (double)copied / secs : 0;
	fmt_size(copied, a, sizeof a);
	fmt_size((int64_t)rate, r, sizeof r);
	if (im->expect > 0) {
		fmt_size(im->expect, b, sizeof b);
		left = im->expect - copied;
		if (rate > 0 && left >= 0)
			snprintf(eta, sizeof eta, "  ETA %" PRId64 ":%02d",
			    (int64_t)((double)left / rate) / 60,
			    (int)((int64_t)((double)left / rate) % 60));
		cmd_progress(im->c, "%s %s / %s  %3d%%  %s/s%s", im->name, a,
		    b, (int)(copied * 100 / im->expect), r, eta);
	} else
		cmd_progress(im->c, "%s %s  %s/s", im->name, a, r);
	im->bar = 1;
}

/* Writes all of p, retrying short writes. */
static int
write_all(int fd, const unsigned char *p, size_t n, const char *path)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR && !intr_pending())
				continue;
			if (errno == EINTR)
				return err_set(ERR_CANCEL, "import interrupted");
			return err_set(ERR_IO, "%s: %s", path, strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Opens the file to import: a regular file or a pipe, nothing else. */
static int
import_open(struct import *im)
{
	struct stat	st;
	int		flags;

	if (stat(im->file, &st) == -1)
		return err_set(ERR_IO, "%s: %s", im->file, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
		return err_set(ERR_INVAL, "%s is not a regular file", im->file);
	/* A FIFO's open waits for its writer; Ctrl-C ends the wait. */
	im->srcfd = open(im->file, O_RDONLY | O_CLOEXEC |
	    (S_ISREG(st.st_mode) ? O_NONBLOCK : 0));
	if (im->srcfd == -1) {
		if (errno == EINTR && intr_pending())
			return err_set(ERR_CANCEL, "import interrupted");
		return err_set(ERR_IO, "%s: %s", im->file, strerror(errno));
	}
	if (fstat(im->srcfd, &st) == -1)
		return err_set(ERR_IO, "%s: %s", im->file, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
		return err_set(ERR_INVAL, "%s is not a regular file", im->file);
	im->expect = S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
	if ((flags = fcntl(im->srcfd, F_GETFL)) == -1 ||
	    fcntl(im->srcfd, F_SETFL, flags & ~O_NONBLOCK) == -1)
		return err_set(ERR_IO, "%s: %s", im->file, strerror(errno));
	(void)posix_fadvise(im->srcfd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return 0;
}

/*
 * The copy: reads the file once, hashing and probing every block as it is
 * written to a temporary file in the pool, then checks what it read, syncs
 * and renames it to NAME.FORMAT without replacing anything. On any failure
 * the temporary file is gone; on success ia says what was written.
 */
static int
import_copy(struct import *im, struct cmd_args *a, struct image_add *ia)
{
	struct probe	 pb;
	unsigned char	*buf = NULL;
	const char	*format;
	ssize_t		 got;
	int64_t		 copied = 0;
	int		 rc, i;

	memset(&pb, 0, sizeof pb);
	if ((rc = import_open(im)) != 0)
		goto out;
	for (i = 0; i < 100; i++) {
		snprintf(im->tmpname, sizeof im->tmpname, ".%s.import-%ld-%d",
		    im->name, (long)getpid(), i);
		im->tmpfd = openat(im->dirfd, im->tmpname, O_WRONLY | O_CREAT |
		    O_EXCL | O_CLOEXEC, 0644);
		if (im->tmpfd != -1 || errno != EEXIST)
			break;
	}
	if (im->tmpfd == -1) {
		im->tmpname[0] = '\0';
		rc = err_set(ERR_IO, "%s: %s", im->dir, strerror(errno));
		goto out;
	}
	/* The umask must not make the pool's files private to one user. */
	if (fchmod(im->tmpfd, 0644) == -1) {
		rc = err_set(ERR_IO, "%s/%s: %s", im->dir, im->tmpname,
		    strerror(errno));
		goto out;
	}
	if ((rc = probe_begin(&pb)) != 0)
		goto out;
	buf = xmalloc(IMPORT_BUFSZ);
	clock_gettime(CLOCK_MONOTONIC, &im->start);
	for (;;) {
		if (intr_pending()) {
			rc = err_set(ERR_CANCEL, "import interrupted");
			goto out;
		}
		if ((got = read(im->srcfd, buf, IMPORT_BUFSZ)) == -1) {
			if (errno == EINTR)
				continue;
			rc = err_set(ERR_IO, "%s: %s", im->file,
			    strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		if ((rc = probe_update(&pb, buf, (size_t)got)) != 0 ||
		    (rc = write_all(im->tmpfd, buf, (size_t)got,
		    im->dir)) != 0)
			goto out;
		copied += got;
		import_progress(im, copied, 0);
	}
	if (im->expect >= 0 && copied != im->expect) {
		rc = err_set(ERR_IO, "%s changed while it was being read",
		    im->file);
		goto out;
	}
	if ((rc = probe_end(&pb, &ia->pr)) != 0)
		goto out;
	if ((rc = image_check(&ia->pr, im->file, arg_str(a, "format"),
	    arg_str(a, "kind"), &format)) != 0)
		goto out;
	snprintf(im->final, sizeof im->final, "%s.%s", im->name, format);
	if (strlen(im->dir) + 1 + strlen(im->final) >= sizeof ia->path) {
		rc = err_set(ERR_INVAL, "%s: path too long", im->dir);
		goto out;
	}
	if (fsync(im->tmpfd) == -1) {
		rc = err_set(ERR_IO, "%s: %s", im->dir, strerror(errno));
		goto out;
	}
	if (renameat2(im->dirfd, im->tmpname, im->dirfd, im->final,
	    RENAME_NOREPLACE) == -1) {
		rc = err_set(errno == EEXIST ? ERR_EXIST : ERR_IO,
		    "%s/%s: %s", im->dir, im->final, strerror(errno));
		im->final[0] = '\0';
		goto out;
	}
	im->tmpname[0] = '\0';
	if (fsync(im->dirfd) == -1) {
		rc = err_set(ERR_IO, "%s: %s", im->dir, strerror(errno));
		goto out;
	}
	memcpy(ia->path, im->dir, strlen(im->dir));
	ia->path[strlen(im->dir)] = '/';
	memcpy(ia->path + strlen(im->dir) + 1, im->final,
	    strlen(im->final) + 1);
	ia->pool = im->pool;
	rc = 0;
out:
	import_progress(im, copied, 1);
	probe_free(&pb);
	free(buf);
	if (im->tmpfd != -1)
		close(im->tmpfd);
	if (im->srcfd != -1)
		close(im->srcfd);
	im->tmpfd = im->srcfd = -1;
	if (im->tmpname[0] != '\0')
		(void)unlinkat(im->dirfd, im->tmpname, 0);
	return rc;
}

/*
 * image import: one pass copies, hashes and probes; the record follows in
 * one write. Interrupted or failed, it leaves neither file nor record.
 */
static int
image_import(struct ctx *c, struct cmd_args *a)
{
	struct import		 im;
	struct image_add	 ia;
	struct sigaction	 sa, old[nitems(import_signals)];
	struct store		*st;
	struct store_txn	*tx;
	size_t			 i;
	int			 rc, sig;

	memset(&im, 0, sizeof im);
	memset(&ia, 0, sizeof ia);
	im.c = c;
	im.name = arg_str(a, "name");
	im.file = arg_str(a, "file");
	im.dirfd = im.srcfd = im.tmpfd = -1;
	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	rc = import_pool(tx, arg_str(a, "pool"), &im);
	store_txn_end(tx);
	if (rc != 0)
		return ctx_error_last(c);
	if ((im.dirfd = open(im.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return ctx_error(c, ERR_IO, "%s: %s", im.dir, strerror(errno));

	/* No SA_RESTART: a read waiting on a pipe must return to the loop. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = import_on_signal;
	sigemptyset(&sa.sa_mask);
	import_sig = 0;
	for (i = 0; i < nitems(import_signals); i++)
		sigaction(import_signals[i], &sa, &old[i]);
	/*
	 * The handlers stay until the record is written, so that a Ctrl-C
	 * after the rename cannot leave a file without its record.
	 */
	if ((rc = import_copy(&im, a, &ia)) != 0)
		ctx_error_last(c);
	else if ((rc = cmd_add(c, a, image_init, &ia)) != 0) {
		/* No record, so no file either. */
		(void)unlinkat(im.dirfd, im.final, 0);
		(void)fsync(im.dirfd);
	}
	for (i = 0; i < nitems(import_signals); i++)
		sigaction(import_signals[i], &old[i], NULL);
	sig = import_sig;
	close(im.dirfd);
	/* A stop or a hang-up still ends hvsh, now that nothing is left. */
	if (sig != 0 && sig != SIGINT)
		raise(sig);
	return rc;
}

/* Checks one image's file against its record; 0 when it matches. */
static int
verify_one(struct ctx *c, const struct record *r)
{
	struct probe_result	 pr;
	struct stat		 st;
	const char		*name = record_get(r, FI_NAME);
	const char		*loc = record_get(r, IMAGE_LOCATION);
	const char		*sha = record_get(r, IMAGE_SHA256);

	if (loc == NULL || sha == NULL)
		return ctx_error(c, ERR_INVAL, "image %s: no file recorded",
		    name);
	if (stat(loc, &st) == -1 && errno == ENOENT)
		return ctx_error(c, ERR_NOENT, "image %s: missing: %s", name,
		    loc);
	if (probe_file(loc, &pr) != 0)
		return ctx_error(c, err_code(), "image %s: %s", name,
		    err_msg());
	if (strcmp(pr.sha256, sha) != 0)
		return ctx_error(c, ERR_INVAL, "image %s: MISMATCH: %s has "
		    "sha256 %s, recorded %s", name, loc, pr.sha256, sha);
	ctx_info(c, "image %s: ok", name);
	return 0;
}

/*
 * image verify: reads each image's file again. The records are copied out
 * first, so no transaction stays open while files are read.
 */
static int
image_verify(struct ctx *c, struct cmd_args *a)
{
	struct records		 rs = { 0 };
	struct store		*st;
	struct store_txn	*tx;
	struct record		*r;
	char *const		*names;
	size_t			 i;
	int			 n, j, rc, bad = 0;

	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	names = arg_multi(a, "name", &n);
	if (n == 0)
		rc = store_iter(tx, KIND_IMAGE, records_hold, &rs);
	for (j = 0; j < n; j++) {
		if (view_lookup(c, tx, KIND_IMAGE, names[j], &r) != 0) {
			bad++;
			continue;
		}
		rs.v = xreallocarray(rs.v, rs.n + 1, sizeof *rs.v);
		rs.v[rs.n++] = r;
	}
	store_txn_end(tx);
	if (rc < 0)
		goto out;
	for (i = 0; i < rs.n && !intr_pending(); i++) {
		if ((rc = verify_one(c, rs.v[i])) == ERR_CANCEL)
			break;
		if (rc != 0)
			bad++;
	}
	rc = bad > 0 || rc == ERR_CANCEL ? ERR_FAIL : 0;
out:
	records_free(&rs);
	return rc;
}

/* Records of one kind that refer to an image through one field. */
struct refs {
	uint64_t	 id;
	int		 field;
	int		 indexed;
	uint64_t	*ids;
	size_t		 n;
	struct buf	 names;
};

static int
refs_add(const struct record *r, void *arg)
{
	struct refs	*rf = arg;
	int64_t		 v;

	if (!rf->indexed && (record_get(r, rf->field) == NULL ||
	    parse_i64(record_get(r, rf->field), &v) != 0 ||
	    (uint64_t)v != rf->id || (r->kind == KIND_IMAGE && r->id == rf->id)))
		return 0;
	rf->ids = xreallocarray(rf->ids, rf->n + 1, sizeof *rf->ids);
	rf->ids[rf->n++] = r->id;
	if (rf->n <= REFS_NAMED)
		buf_printf(&rf->names, "%s%s", rf->n > 1 ? ", " : "",
		    record_get(r, FI_NAME));
	else if (rf->n == REFS_NAMED + 1)
		buf_addstr(&rf->names, ", ...");
	return 0;
}

struct image_rm {
	struct ctx	*c;
	const char	*name;
	uint64_t	 id;		/* the image the file belongs to */
	int		 force;
};

/*
 * Removes the image inside the transaction. Every reference field of every
 * kind is walked, indexed or not (an instance's image, a disk's image, an
 * image's parent), so a refusal can name what was made from it; with force
 * the references are cleared.
 */
static int
image_rm_tx(struct store_txn *tx, void *arg)
{
	struct image_rm		*rm = arg;
	const struct kind_def	*kd;
	struct record		*r = NULL, *ref;
	struct refs		 rf;
	struct buf		 desc = { 0 };
	size_t			 i, j;
	int			 k, rc;

	if ((rc = view_find(tx, KIND_IMAGE, rm->name, &r)) != 0)
		return rc;
	if (r->id != rm->id) {
		rc = err_set(ERR_BUSY, "image '%s' changed meanwhile; try again",
		    rm->name);
		goto out;
	}
	for (k = 0; k < KIND__COUNT && rc == 0; k++) {
		kd = kind_def((enum kind)k);
		for (i = 0; i < kd->nfields && rc == 0; i++) {
			if (kd->fields[i].type != FT_REF ||
			    kd->fields[i].ref != KIND_IMAGE)
				continue;
			memset(&rf, 0, sizeof rf);
			rf.id = r->id;
			rf.field = (int)i;
			rf.indexed = (kd->fields[i].flags & F_INDEXED) != 0;
			rc = rf.indexed ? store_iter_ref(tx, (enum kind)k,
			    (int)i, r->id, refs_add, &rf) :
			    store_iter(tx, (enum kind)k, refs_add, &rf);
			if (rc == 0 && rf.n > 0)
				buf_printf(&desc, "%s%zu %s (%s)",
				    desc.len > 0 ? ", " : "", rf.n,
				    rf.n == 1 ? kd->name : kd->plural,
				    rf.names.data);
			/* The index keeps itself; plain fields are cleared here. */
			for (j = 0; rc == 0 && rm->force && !rf.indexed &&
			    j < rf.n; j++) {
				if ((rc = store_get(tx, (enum kind)k,
				    rf.ids[j], &ref)) != 0)
					break;
				record_set(ref, (int)i, NULL);
				rc = store_put(tx, ref);
				record_free(ref);
			}
			free(rf.ids);
			buf_free(&rf.names);
		}
	}
	if (rc != 0)
		goto out;
	if (desc.len > 0 && !rm->force) {
		rc = err_set(ERR_BUSY, "image '%s' is used by %s (use --force "
		    "to remove it anyway)", rm->name, desc.data);
		goto out;
	}
	rc = inventory_remove(tx, KIND_IMAGE, r->id, 1);
	ctx_set_result(rm->c, "removed image %s (id %" PRIu64 ")", rm->name,
	    r->id);
out:
	buf_free(&desc);
	record_free(r);
	return rc;
}

/*
 * The file to delete with an image: only one that lives directly in the
 * directory of the image's pool, as an import puts it. NULL otherwise.
 */
static char *
image_pool_file(struct store_txn *tx, const struct record *img)
{
	struct record	*pool = NULL;
	const char	*loc = record_get(img, IMAGE_LOCATION);
	char		 dir[PATH_MAX];
	size_t		 len;
	int64_t		 id;
	char		*file = NULL;

	if (loc == NULL || record_get(img, IMAGE_POOL) == NULL ||
	    parse_i64(record_get(img, IMAGE_POOL), &id) != 0 ||
	    store_get(tx, KIND_POOL, (uint64_t)id, &pool) != 0)
		return NULL;
	if (pool_dir(pool, dir) == 0) {
		len = strlen(dir);
		if (strncmp(loc, dir, len) == 0 && loc[len] == '/' &&
		    loc[len + 1] != '\0' && loc[len + 1] != '.' &&
		    strchr(loc + len + 1, '/') == NULL)
			file = xstrdup(loc);
	}
	err_clear();
	record_free(pool);
	return file;
}

/* image remove: the record, then the file an import put in the pool. */
static int
image_remove(struct ctx *c, struct cmd_args *a)
{
	struct image_rm		 rm = { c, arg_str(a, "name"), 0,
				    arg_flag(a, "force") };
	struct store		*st;
	struct store_txn	*tx;
	struct record		*r = NULL;
	char			*file, *dir, *slash, *what;
	int			 rc, dfd;

	if ((rc = ctx_store(c, &st)) != 0 || (rc = store_read(st, &tx)) != 0)
		return rc;
	if ((rc = view_lookup(c, tx, KIND_IMAGE, rm.name, &r)) != 0) {
		store_txn_end(tx);
		return rc;
	}
	rm.id = r->id;
	file = image_pool_file(tx, r);
	record_free(r);
	store_txn_end(tx);

	what = xasprintf("remove image %s%s%s%s", rm.name,
	    rm.force ? " (--force: even if others were made from it)" : "",
	    file != NULL ? "\ndelete file " : "", file != NULL ? file : "");
	rc = ctx_confirm(c, what);
	free(what);
	if (rc != 0)
		goto out;
	if ((rc = ctx_write(c, image_rm_tx, &rm)) != 0)
		goto out;
	if (file != NULL) {
		if (unlink(file) == -1 && errno != ENOENT) {
			rc = ctx_error(c, ERR_IO, "image %s removed, but its "
			    "file %s was not deleted: %s", rm.name, file,
			    strerror(errno));
			goto out;
		}
		dir = xstrdup(file);
		if ((slash = strrchr(dir, '/')) != NULL)
			*slash = '\0';
		if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) !=
		    -1) {
			(void)fsync(dfd);
			close(dfd);
		}
		free(dir);
		ctx_info(c, "image %s removed, file %s deleted", rm.name, file);
	} else
		ctx_info(c, "image %s removed", rm.name);
out:
	free(file);
	return rc;
}

#define IMAGE_META_OPTS							\
	{ "os", 0, OPT_STR, 0, 0, NULL, "OS", "operating system, e.g. centos9" }, \
	{ "arch", 0, OPT_STR, 0, 0, NULL, "ARCH",			\
	    "architecture, e.g. x86_64" },				\
	{ "owner", 0, OPT_STR, 0, 0, NULL, "OWNER",			\
	    "who owns it (default: you)" },				\
	OPT_TAGS

static const struct cmd_opt image_add_opts[] = {
	OPT_NAME_NEW(KIND_IMAGE, "name for the image"),
	{ "file", 0, OPT_FILE, OPT_REQUIRED, 0, NULL, "FILE",
	    "the image file (ISO, qcow2, raw, vmdk, vhd, xva, vmx)" },
	{ "kind", 'k', OPT_ENUM, OPT_REQUIRED, 0, image_kinds, "KIND",
	    "iso, template or disk" },
	{ "format", 0, OPT_ENUM, 0, 0, image_formats, "FORMAT",
	    "format, when the contents cannot tell (default: detected)" },
	{ "pool", 0, OPT_NAME, OPT_EXISTING, KIND_POOL, NULL, "POOL",
	    "secondary pool that holds the file" },
	IMAGE_META_OPTS,
	{ NULL }
};

static const struct cmd_opt image_import_opts[] = {
	OPT_NAME_NEW(KIND_IMAGE, "name for the image"),
	{ "file", 0, OPT_FILE, OPT_REQUIRED, 0, NULL, "FILE",
	    "the file to copy (or a pipe)" },
	{ "kind", 'k', OPT_ENUM, 0, 0, image_kinds, "KIND",
	    "iso, template or disk (default: iso for an ISO, else disk)" },
	{ "format", 0, OPT_ENUM, 0, 0, image_formats, "FORMAT",
	    "format, when the contents cannot tell (default: detected)" },
	{ "pool", 0, OPT_NAME, OPT_EXISTING, KIND_POOL, NULL, "POOL",
	    "secondary pool to copy into (default: the only one)" },
	IMAGE_META_OPTS,
	{ NULL }
};

static const struct cmd_opt image_set_opts[] = {
	OPT_NAME_OLD(KIND_IMAGE, "the image"),
	{ "kind", 'k', OPT_ENUM, 0, 0, image_kinds, "KIND",
	    "iso, template or disk" },
	IMAGE_META_OPTS,
	OPT_UNTAG,
	OPT_RENAME(KIND_IMAGE),
	{ NULL }
};

static const struct cmd_opt image_name_opts[] = {
	OPT_NAME_OLD(KIND_IMAGE, "the image"),
	{ NULL }
};

static const struct cmd_opt image_verify_opts[] = {
	{ "name", 0, OPT_NAME, OPT_POSITIONAL | OPT_MULTI | OPT_EXISTING,
	    KIND_IMAGE, NULL, "NAME", "images to check (default: all)" },
	{ NULL }
};

static const struct cmd_opt image_remove_opts[] = {
	OPT_NAME_OLD(KIND_IMAGE, "the image"),
	OPT_FORCE("remove it even if instances, disks or images were made "
	    "from it (they keep their records)"),
	{ NULL }
};

static const struct cmd_opt no_opts[] = { { NULL } };

const struct cmd_entry cmd_image_add = {
	"image", "add", NULL, image_add_opts, CMD_WRITE | CMD_ADMIN,
	"record an image file in the repository",
	"Reads the whole file once for its sha256; the format comes from its "
	"magic bytes, the virtual size from its header.",
	image_add
};
const struct cmd_entry cmd_image_import = {
	"image", "import", NULL, image_import_opts, CMD_WRITE | CMD_ADMIN,
	"copy an image file into a secondary pool and record it",
	"The file is copied to NAME.FORMAT in the pool's directory in one "
	"pass that also computes its sha256, format and virtual size. An "
	"import that fails or is interrupted leaves neither file nor record.",
	image_import
};
const struct cmd_entry cmd_image_list = {
	"image", "list", "ls", no_opts, CMD_LIST,
	"list images", NULL, cmd_generic_list
};
const struct cmd_entry cmd_image_show = {
	"image", "show", NULL, image_name_opts, CMD_SHOW,
	"show an image's metadata", NULL, cmd_generic_show
};
const struct cmd_entry cmd_image_set = {
	"image", "set", NULL, image_set_opts, CMD_WRITE | CMD_ADMIN,
	"change an image's metadata", NULL, cmd_generic_set
};
const struct cmd_entry cmd_image_verify = {
	"image", "verify", NULL, image_verify_opts, 0,
	"check images' files against their recorded sha256",
	"One line per image: ok, or an error for a MISMATCH or a missing "
	"file; the exit status is 1 if any image failed.",
	image_verify
};
const struct cmd_entry cmd_image_remove = {
	"image", "remove", "rm", image_remove_opts,
	CMD_WRITE | CMD_ADMIN | CMD_DESTRUCTIVE,
	"forget an image, and delete its file if it was imported",
	"Refused while instances, disks or images made from it exist, unless "
	"--force. The file is deleted only if it lies in its pool's "
	"directory.",
	image_remove
};
