/*
 * push.c: an image copied to a host over its kept session, resumable and
 * verified on the host (see push.h). The remote steps are fixed scripts
 * whose one value, the path, arrives as "$1".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "push.h"
#include "util.h"

/* What the host has at the path: "whole N", "part N" or "none". */
#define LOOK_SCRIPT \
	"mkdir -p -- \"${1%/*}\" || exit; " \
	"if [ -f \"$1\" ]; then printf 'whole '; wc -c < \"$1\"; " \
	"elif [ -f \"$1.part\" ]; then printf 'part '; wc -c < \"$1.part\"; " \
	"else echo none; fi"
/*
 * The copy in one exec: stdin is appended to PATH.part ("$3" new: which
 * is emptied first) while the host sums the whole part as it grows (what
 * it had, then what arrives), so the file is not read again; the sum is
 * printed, and the part renamed to PATH if it is "$2", else removed (exit
 * 3). A failed write exits 1. The sum is OpenSSL's where the host has it
 * (several times faster than coreutils' sha256sum, which would set the
 * pace), else sha256sum, else shasum; each prints the hex digest first.
 */
#define STREAM_SCRIPT \
	"if command -v openssl >/dev/null 2>&1; then s='openssl dgst " \
	"-sha256 -r'; elif command -v sha256sum >/dev/null 2>&1; then " \
	"s=sha256sum; else s='shasum -a 256'; fi; " \
	"if [ \"$3\" = new ]; then : > \"$1.part\" || exit 1; fi; " \
	"{ cat -- \"$1.part\" && tee -a -- \"$1.part\" || " \
	"echo x > \"$1.fail\"; } | $s > \"$1.sum\"; " \
	"if [ -e \"$1.fail\" ]; then rm -f -- \"$1.fail\" \"$1.sum\"; " \
	"exit 1; fi; " \
	"read h rest < \"$1.sum\"; rm -f -- \"$1.sum\"; echo \"$h\"; " \
	"if [ \"$h\" = \"$2\" ]; then mv -f -- \"$1.part\" \"$1\"; " \
	"else rm -f -- \"$1.part\"; exit 3; fi"

static void
script(char **argv, const char *body, const char *path)
{
	argv[0] = (char *)"sh";
	argv[1] = (char *)"-c";
	argv[2] = (char *)body;
	argv[3] = (char *)"sh";
	argv[4] = (char *)path;
	argv[5] = NULL;
}

/* The stream's argv: the path, the sum wanted, new or append. */
static void
stream_argv(char **argv, const struct push *p, int append)
{
	script(argv, STREAM_SCRIPT, p->remote);
	argv[5] = (char *)record_get(p->image, IMAGE_SHA256);
	argv[6] = (char *)(append ? "append" : "new");
	argv[7] = NULL;
}

void
push_dry(const struct transport *tp, const struct push *p,
    dispatch_emit_fn emit, void *arg)
{
	const char	*host = record_get(p->host, FI_NAME);
	char		*argv[8], *line, *note;

	script(argv, LOOK_SCRIPT, p->remote);
	line = tp_command_line(tp, argv);
	emit(arg, host, line);
	free(line);
	stream_argv(argv, p, 1);
	line = tp_stream_line(argv);
	note = xasprintf("%s < %s (from where the host's copy stops)", line,
	    record_get(p->image, IMAGE_LOCATION));
	emit(arg, host, note);
	free(note);
	free(line);
}

/* Runs one fixed script on the host; its output stays in res. */
static int
run_script(struct transport *tp, const struct push *p, const char *body,
    struct tp_result *res)
{
	struct tp_host	 th;
	char		*argv[6];
	int		 rc;

	dispatch_tp_host(p->host, &th);
	script(argv, body, p->remote);
	if ((rc = tp_run(tp, &th, argv, NULL, res)) != 0)
		return rc;
	if (res->status != 0)
		return err_set(ERR_IO, "%s: %s failed (status %d): %.200s",
		    th.name, body, res->status, res->err != NULL ? res->err :
		    "");
	return 0;
}

/* The host's sha256 of path, through its driver; 1 if it is want. */
static int
sum_matches(struct transport *tp, const struct push *p, const char *path,
    int *match)
{
	struct dcall	dc;
	const char	*want = record_get(p->image, IMAGE_SHA256);
	char		*subject;
	int		 rc;

	subject = xasprintf("image %s", record_get(p->image, FI_NAME));
	dcall_init(&dc, p->host, subject);
	free(subject);
	dc.what = DC_CALL;
	dc.call = DRV_IMAGE_SUM;
	dc.req.dest = path;
	rc = dispatch_one(tp, &dc);
	*match = rc == 0 && want != NULL && dc.reply.sha256 != NULL &&
	    strcmp(want, dc.reply.sha256) == 0;
	dcall_clear(&dc);
	return rc;
}

struct feed {
	struct push		*p;
	push_progress_fn	 fn;
	void			*arg;
};

static void
fed(void *arg, int64_t sent)
{
	struct feed	*f = arg;

	if (f->fn != NULL)
		f->fn(f->arg, f->p->resumed + sent, f->p->size);
}

/* Reads "whole N", "part N" or "none" into *kind and *have. */
static int
look_read(const struct tp_result *res, char *kind, int64_t *have)
{
	char	word[8];
	long long n = 0;

	*have = 0;
	if (res->out == NULL || sscanf(res->out, "%7s %lld", word, &n) < 1)
		return err_set(ERR_INVAL, "push: the host's answer is "
		    "unreadable");
	if (strcmp(word, "whole") == 0)
		*kind = 'w';
	else if (strcmp(word, "part") == 0)
		*kind = 'p';
	else if (strcmp(word, "none") == 0)
		*kind = 'n';
	else
		return err_set(ERR_INVAL, "push: the host's answer is "
		    "unreadable");
	if (*kind != 'n' && n < 0)
		return err_set(ERR_INVAL, "push: the host's answer is "
		    "unreadable");
	*have = (int64_t)n;
	return 0;
}

int
push_run(struct transport *tp, struct push *p, push_progress_fn fn, void *arg)
{
	struct tp_result res = { 0 };
	struct tp_host	 th;
	struct feed	 f = { p, fn, arg };
	const char	*local = record_get(p->image, IMAGE_LOCATION);
	char		*argv[8], kind = 'n';
	int64_t		 have;
	off_t		 end;
	int		 fd = -1, match, rc;

	if (local == NULL || record_get(p->image, IMAGE_SHA256) == NULL)
		return err_set(ERR_INVAL, "image %s has no file or sum to push",
		    record_get(p->image, FI_NAME));
	if ((fd = open(local, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set(ERR_IO, "image %s: %s: %s",
		    record_get(p->image, FI_NAME), local, strerror(errno));
	if ((end = lseek(fd, 0, SEEK_END)) < 0) {
		rc = err_set(ERR_IO, "%s: %s", local, strerror(errno));
		goto out;
	}
	p->size = (int64_t)end;
	if ((rc = run_script(tp, p, LOOK_SCRIPT, &res)) != 0 ||
	    (rc = look_read(&res, &kind, &have)) != 0)
		goto out;
	if (kind == 'w' && have == p->size) {
		if ((rc = sum_matches(tp, p, p->remote, &match)) != 0)
			goto out;
		if (match) {
			p->already = 1;
			p->resumed = p->size;
			goto out;
		}
	}
	/* A part longer than the image is not a prefix of it: start over. */
	p->resumed = kind == 'p' && have <= p->size ? have : 0;
	if (lseek(fd, (off_t)p->resumed, SEEK_SET) < 0) {
		rc = err_set(ERR_IO, "%s: %s", local, strerror(errno));
		goto out;
	}
	tp_result_free(&res);
	dispatch_tp_host(p->host, &th);
	stream_argv(argv, p, p->resumed > 0);
	if ((rc = tp_put(tp, &th, argv, fd, fed, &f, &p->sent, &res)) != 0)
		goto out;
	if (res.status == 3)
		rc = err_set(ERR_IO, "%s: the copy's sha256 (%.64s) differs from "
		    "image %s's; the copy was removed", th.name, res.out,
		    record_get(p->image, FI_NAME));
	else if (res.status != 0)
		rc = err_set(ERR_IO, "%s: writing %s.part failed (status %d): "
		    "%.200s", th.name, p->remote, res.status, res.err);
out:
	tp_result_free(&res);
	if (fd >= 0)
		close(fd);
	return rc;
}
