/*
 * test-transport.c: unit tests of transport.c against real OpenSSH servers.
 *
 * The group starts private sshds on 127.0.0.1, each on a free port with its
 * own ed25519 host key, logging in the invoking user (root or not) with a
 * client key made for the run. Faults are real: a stopped sshd (SIGSTOP),
 * a killed connection, a restarted server with a new key, a closed port.
 * Every process started here is tracked by pid and ended in teardown, and
 * everything lives under one temporary directory that is removed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "transport.h"
#include "util.h"

#define NSSHD		4		/* the lab's steady servers */
#define EXTRA		NSSHD		/* a slot for tests that break one */
#define SSHD_PATH	"/usr/sbin/sshd"

struct sshd {
	int	 port;
	pid_t	 pid;		/* 0: not running */
	char	*conf;
	char	*hostkey;	/* private key; ".pub" beside it */
	char	*log;
	char	*fp;		/* "SHA256:..." as ssh-keygen -l prints */
};

static struct {
	char		 dir[64];
	const char	*user;
	char		*key;		/* the client's private key */
	char		*auth;		/* authorized_keys */
	char		*pinned;	/* known_hosts naming every lab sshd */
	struct sshd	 sshd[NSSHD + 1];
	pid_t		 agent;
} lab;

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void
msleep(int ms)
{
	struct timespec	ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Runs argv with output thrown away; returns its exit status or -1. */
static int
run_quiet(char *const argv[], const char *env_sock)
{
	pid_t	pid;
	int	st, fd;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (env_sock != NULL)
			setenv("SSH_AUTH_SOCK", env_sock, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static int
keygen(const char *path, const char *type)
{
	char	*pub = xasprintf("%s.pub", path);
	char	*argv[] = { "ssh-keygen", "-q", "-t", (char *)type, "-N", "",
		"-C", "hvsh-test", "-f", (char *)path, NULL };
	int	 rc;

	unlink(path);
	unlink(pub);
	free(pub);
	rc = run_quiet(argv, NULL);
	return rc;
}

/* The fingerprint ssh-keygen gives for a public key file: the reference. */
static char *
keygen_fp(const char *pubpath)
{
	char	*cmd = xasprintf("ssh-keygen -lf '%s' -E sha256", pubpath);
	char	 line[512], fp[256];
	FILE	*f;

	f = popen(cmd, "r");
	free(cmd);
	if (f == NULL)
		return NULL;
	fp[0] = '\0';
	if (fgets(line, sizeof line, f) == NULL ||
	    sscanf(line, "%*d %255s", fp) != 1)
		fp[0] = '\0';
	pclose(f);
	return fp[0] != '\0' ? xstrdup(fp) : NULL;
}

static char *
slurp(const char *path, size_t *lenp)
{
	struct buf	 b = { 0 };
	char		 chunk[4096];
	FILE		*f;
	size_t		 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	if (lenp != NULL)
		*lenp = b.len;
	return buf_take(&b);
}

static int
spew(const char *path, const char *text, int append)
{
	FILE	*f;

	if ((f = fopen(path, append ? "a" : "w")) == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* A port nobody listens on right now. */
static int
free_port(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd, port = -1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static int
port_open(int port)
{
	struct sockaddr_in	sin;
	int			fd, ok;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return 0;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0;
	close(fd);
	return ok;
}

/*
 * A listener that never accepts: the kernel completes connections into its
 * backlog, and then nothing ever answers, as with a host that hangs in the
 * middle of a handshake. Returns the socket, its port in *port.
 */
static int
silent_listener(int *port)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    listen(fd, 64) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Ends a process of ours: wakes it if stopped, asks, then insists. */
static void
end_pid(pid_t pid, int ours)
{
	int	i, st;

	if (pid <= 0)
		return;
	kill(pid, SIGCONT);
	kill(pid, SIGTERM);
	for (i = 0; i < 200; i++) {
		if (ours) {
			if (waitpid(pid, &st, WNOHANG) == pid)
				return;
		} else if (kill(pid, 0) == -1)
			return;
		msleep(10);
	}
	kill(pid, SIGKILL);
	if (ours)
		waitpid(pid, &st, 0);
}

/*
 * Writes d's config and starts it in the foreground, so its pid is ours.
 * SHLVL=1 stops bash from reading the account's ~/.bashrc for every
 * command (it does so only for a top-level shell run by sshd): a login rc
 * that starts a toolchain would otherwise add ~100 ms to each command.
 */
static int
sshd_start(struct sshd *d)
{
	char	*text;
	pid_t	 pid;
	int	 i, tries, st;

	for (tries = 0; tries < 5; tries++) {
		if (d->port == 0 || tries > 0)
			d->port = free_port();
		text = xasprintf(
		    "ListenAddress 127.0.0.1:%d\n"
		    "HostKey %s\n"
		    "PidFile none\n"
		    "UsePAM no\n"
		    "UseDNS no\n"
		    "StrictModes no\n"
		    "PubkeyAuthentication yes\n"
		    "PasswordAuthentication no\n"
		    "KbdInteractiveAuthentication no\n"
		    "AuthorizedKeysFile %s\n"
		    "PermitRootLogin prohibit-password\n"
		    "AllowUsers %s\n"
		    "MaxStartups 100:30:200\n"
		    "PrintMotd no\n"
		    "LogLevel INFO\n"
		    "SetEnv SHLVL=1\n",
		    d->port, d->hostkey, lab.auth, lab.user);
		spew(d->conf, text, 0);
		free(text);
		if ((pid = fork()) == -1)
			return -1;
		if (pid == 0) {
			int	fd = open("/dev/null", O_RDWR);

			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			execl(SSHD_PATH, SSHD_PATH, "-D", "-f", d->conf, "-E",
			    d->log, (char *)NULL);
			_exit(127);
		}
		for (i = 0; i < 500; i++) {
			if (waitpid(pid, &st, WNOHANG) == pid) {
				pid = 0;
				break;
			}
			if (port_open(d->port)) {
				d->pid = pid;
				return 0;
			}
			msleep(10);
		}
		if (pid != 0)
			end_pid(pid, 1);
	}
	return -1;
}

static void
sshd_stop(struct sshd *d)
{
	end_pid(d->pid, 1);
	d->pid = 0;
}

/* Sets up slot i: paths, a fresh host key of type, its fingerprint. */
static int
sshd_init(struct sshd *d, int i, const char *type)
{
	char	*pub;

	if (d->conf == NULL) {
		d->conf = xasprintf("%s/sshd%d.conf", lab.dir, i);
		d->hostkey = xasprintf("%s/hostkey%d", lab.dir, i);
		d->log = xasprintf("%s/sshd%d.log", lab.dir, i);
	}
	if (keygen(d->hostkey, type) != 0)
		return -1;
	pub = xasprintf("%s.pub", d->hostkey);
	free(d->fp);
	d->fp = keygen_fp(pub);
	free(pub);
	return d->fp != NULL ? 0 : -1;
}

static void
sshd_fini(struct sshd *d)
{
	sshd_stop(d);
	free(d->conf);
	free(d->hostkey);
	free(d->log);
	free(d->fp);
	memset(d, 0, sizeof *d);
}

/* A known_hosts line pinning d, as hvsh would have written it. */
static char *
pin_line(const struct sshd *d)
{
	char	*pub = xasprintf("%s.pub", d->hostkey), *text, *line;
	char	 type[64], b64[256];

	text = slurp(pub, NULL);
	free(pub);
	if (text == NULL || sscanf(text, "%63s %255s", type, b64) != 2) {
		free(text);
		return NULL;
	}
	line = xasprintf("[127.0.0.1]:%d %s %s\n", d->port, type, b64);
	free(text);
	return line;
}

/* How many lines of d's log hold what. */
static int
log_count(const struct sshd *d, const char *what)
{
	char	*text = slurp(d->log, NULL), *p;
	int	 n = 0;

	for (p = text; p != NULL && (p = strstr(p, what)) != NULL; p++)
		n++;
	free(text);
	return n;
}

/* How many logins d has accepted: a new session is one more. */
static int
logins(const struct sshd *d)
{
	return log_count(d, "Accepted publickey");
}

/*
 * The pids below sshd d: the per-connection processes and whatever they
 * run. Found by walking /proc for parents, so only d's own children count.
 */
static size_t
descendants(const struct sshd *d, pid_t *out, size_t max)
{
	size_t	 n = 0, i, before;
	DIR	*dp;
	struct dirent *de;

	do {
		before = n;
		if ((dp = opendir("/proc")) == NULL)
			return n;
		while ((de = readdir(dp)) != NULL && n < max) {
			char	path[64], buf[512], *p;
			pid_t	pid, ppid;
			FILE	*f;
			int	known = 0;

			pid = (pid_t)atoi(de->d_name);
			if (pid <= 0)
				continue;
			snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
			if ((f = fopen(path, "r")) == NULL)
				continue;
			p = fgets(buf, sizeof buf, f);
			fclose(f);
			if (p == NULL || (p = strrchr(buf, ')')) == NULL ||
			    sscanf(p + 1, " %*c %d", &ppid) != 1)
				continue;
			for (i = 0; i < n; i++)
				if (out[i] == pid)
					known = 1;
			if (known)
				continue;
			if (ppid == d->pid)
				out[n++] = pid;
			else
				for (i = 0; i < n; i++)
					if (out[i] == ppid) {
						out[n++] = pid;
						break;
					}
		}
		closedir(dp);
	} while (n != before && n < max);
	return n;
}

static void
signal_descendants(const struct sshd *d, int sig)
{
	pid_t	pids[64];
	size_t	n, i;

	n = descendants(d, pids, nitems(pids));
	for (i = 0; i < n; i++)
		kill(pids[i], sig);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int group_teardown(void **);

/* Starts the lab; on any failure stops what was started. */
static int
group_setup(void **state)
{
	struct passwd	*pw;
	char		*pub, *text = NULL, *line;
	int		 i;

	memset(&lab, 0, sizeof lab);
	if ((pw = getpwuid(getuid())) == NULL)
		return -1;
	lab.user = pw->pw_name;
	snprintf(lab.dir, sizeof lab.dir, "/tmp/hvsh-test-tp.XXXXXX");
	if (mkdtemp(lab.dir) == NULL) {
		lab.dir[0] = '\0';
		return -1;
	}
	/* sshd running as root wants its privilege separation directory. */
	if (geteuid() == 0)
		mkdir("/run/sshd", 0755);
	lab.key = xasprintf("%s/id", lab.dir);
	lab.auth = xasprintf("%s/authorized_keys", lab.dir);
	lab.pinned = xasprintf("%s/pinned", lab.dir);
	if (keygen(lab.key, "ed25519") != 0)
		goto fail;
	pub = xasprintf("%s.pub", lab.key);
	text = slurp(pub, NULL);
	free(pub);
	if (text == NULL || spew(lab.auth, text, 0) != 0)
		goto fail;
	spew(lab.pinned, "", 0);
	chmod(lab.pinned, 0600);
	for (i = 0; i < NSSHD; i++) {
		if (sshd_init(&lab.sshd[i], i, "ed25519") != 0 ||
		    sshd_start(&lab.sshd[i]) != 0)
			goto fail;
		if ((line = pin_line(&lab.sshd[i])) == NULL)
			goto fail;
		spew(lab.pinned, line, 1);
		free(line);
	}
	free(text);
	return 0;
fail:
	fprintf(stderr, "cannot start the test sshds\n");
	free(text);
	group_teardown(state);
	return -1;
}

static int
group_teardown(void **state)
{
	int	i;

	for (i = 0; i <= NSSHD; i++)
		sshd_fini(&lab.sshd[i]);
	end_pid(lab.agent, 1);
	free(lab.key);
	free(lab.auth);
	free(lab.pinned);
	if (lab.dir[0] != '\0')
		nftw(lab.dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	memset(&lab, 0, sizeof lab);
	return 0;
}

static struct transport *
tp_make(const char *kh, int connect_ms, int command_ms, size_t cap)
{
	struct tp_opts		 o;
	struct transport	*tp = NULL;

	memset(&o, 0, sizeof o);
	o.known_hosts = kh;
	o.connect_timeout_ms = connect_ms;
	o.command_timeout_ms = command_ms;
	o.output_cap = cap;
	o.max_parallel = 4;
	if (tp_new(&o, &tp) != 0)
		fail_msg("tp_new: %s", err_msg());
	return tp;
}

static struct tp_host
host_of(int i, const char *name)
{
	struct tp_host	h;

	memset(&h, 0, sizeof h);
	h.name = name;
	h.address = "127.0.0.1";
	h.port = lab.sshd[i].port;
	h.user = lab.user;
	h.key = lab.key;
	return h;
}

/* Runs argv and asserts it ran; the result is the caller's to free. */
static void
run_ok(struct transport *tp, const struct tp_host *h, char *const argv[],
    const char *in, struct tp_result *res)
{
	if (tp_run(tp, h, argv, in, res) != 0)
		fail_msg("tp_run %s: %s", argv[0], res->errmsg);
	assert_int_equal(res->rc, 0);
	assert_null(res->errmsg);
}

static void
assert_contains(const char *s, const char *part)
{
	if (s == NULL || strstr(s, part) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", s != NULL ? s : "(null)", part);
}

static void
test_unknown_refused(void **state)
{
	struct transport	*tp;
	struct tp_host		 h = host_of(0, "kvm-unknown");
	struct tp_result	 res;
	char			*kh = xasprintf("%s/kh-none", lab.dir);
	char			*argv[] = { "true", NULL };
	char			*want;

	unlink(kh);
	tp = tp_make(kh, 5000, 5000, 0);
	/* No file at all, then an empty one: both are "not trusted yet". */
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_PERM);
	want = xasprintf("host key of kvm-unknown is not trusted yet: %s "
	    "(confirm it with --accept-key %s)", lab.sshd[0].fp,
	    lab.sshd[0].fp);
	assert_string_equal(res.errmsg, want);
	assert_int_equal(res.status, -1);
	tp_result_free(&res);
	assert_int_not_equal(access(kh, F_OK), 0);
	spew(kh, "", 0);
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_PERM);
	assert_string_equal(res.errmsg, want);
	tp_result_free(&res);
	tp_free(tp);
	unlink(kh);
	free(want);
	free(kh);
}

static void
test_scan(void **state)
{
	struct transport	*tp;
	struct tp_host		 h = host_of(0, "kvm-scan");
	char			*kh = xasprintf("%s/kh-scan", lab.dir);
	char			*fp, *type;
	int			 before = logins(&lab.sshd[0]);

	unlink(kh);
	tp = tp_make(kh, 5000, 5000, 0);
	if (tp_hostkey_scan(tp, &h, &fp, &type) != 0)
		fail_msg("scan: %s", err_msg());
	assert_string_equal(fp, lab.sshd[0].fp);
	assert_string_equal(type, "ssh-ed25519");
	free(fp);
	free(type);
	tp_free(tp);
	/* Scanning is no login, and writes nothing. */
	assert_int_equal(logins(&lab.sshd[0]), before);
	assert_int_not_equal(access(kh, F_OK), 0);
	/* A pinned host scans the same, and keytype may be left out. */
	tp = tp_make(lab.pinned, 5000, 5000, 0);
	assert_int_equal(tp_hostkey_scan(tp, &h, &fp, NULL), 0);
	assert_string_equal(fp, lab.sshd[0].fp);
	free(fp);
	tp_free(tp);
	unlink(kh);
	free(kh);
}

static void
test_accept_then_run(void **state)
{
	struct transport	*tp;
	struct tp_host		 h = host_of(1, "kvm-accept");
	struct tp_result	 res;
	struct stat		 sb;
	char			*kh = xasprintf("%s/kh-accept", lab.dir);
	char			*argv[] = { "echo", "hi", NULL };
	char			*text;
	size_t			 len;

	unlink(kh);
	tp = tp_make(kh, 5000, 5000, 0);
	if (tp_hostkey_accept(tp, &h, lab.sshd[1].fp) != 0)
		fail_msg("accept: %s", err_msg());
	assert_int_equal(stat(kh, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	run_ok(tp, &h, argv, NULL, &res);
	assert_string_equal(res.out, "hi\n");
	assert_int_equal(res.status, 0);
	tp_result_free(&res);
	/* Accepting a pinned key again (without "SHA256:") adds nothing. */
	text = slurp(kh, &len);
	assert_int_equal(tp_hostkey_accept(tp, &h, lab.sshd[1].fp + 7), 0);
	free(text);
	text = slurp(kh, NULL);
	assert_int_equal(strlen(text), len);
	free(text);
	tp_free(tp);
	unlink(kh);
	free(kh);
}

static void
test_accept_wrong(void **state)
{
	struct transport	*tp;
	struct tp_host		 h = host_of(1, "kvm-wrong");
	char			*kh = xasprintf("%s/kh-wrong", lab.dir);
	const char		*bad =
	    "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

	unlink(kh);
	tp = tp_make(kh, 5000, 5000, 0);
	assert_int_equal(tp_hostkey_accept(tp, &h, bad), ERR_PERM);
	assert_contains(err_msg(), "kvm-wrong");
	assert_contains(err_msg(), lab.sshd[1].fp);
	assert_contains(err_msg(), bad);
	assert_int_not_equal(access(kh, F_OK), 0);
	/* Nor does a key pinned for another host stand in. */
	assert_int_equal(tp_hostkey_accept(tp, &h, lab.sshd[0].fp), ERR_PERM);
	assert_int_not_equal(access(kh, F_OK), 0);
	tp_free(tp);
	free(kh);
}

/* Restarts the extra sshd on its port with a new host key of type. */
static void
extra_rekey(const char *type)
{
	struct sshd	*d = &lab.sshd[EXTRA];

	sshd_stop(d);
	assert_int_equal(sshd_init(d, EXTRA, type), 0);
	assert_int_equal(sshd_start(d), 0);
}

static void
test_changed_key(void **state)
{
	struct transport	*tp;
	struct sshd		*d = &lab.sshd[EXTRA];
	struct tp_host		 h;
	struct tp_result	 res;
	char			*kh = xasprintf("%s/kh-changed", lab.dir);
	char			*argv[] = { "true", NULL };
	char			*old, *fp;
	int			 port;

	unlink(kh);
	assert_int_equal(sshd_init(d, EXTRA, "ed25519"), 0);
	assert_int_equal(sshd_start(d), 0);
	port = d->port;
	h = host_of(EXTRA, "kvm-changed");
	tp = tp_make(kh, 5000, 5000, 0);
	assert_int_equal(tp_hostkey_accept(tp, &h, d->fp), 0);
	run_ok(tp, &h, argv, NULL, &res);
	tp_result_free(&res);
	tp_free(tp);
	old = xstrdup(d->fp);

	/* Same type, new key: CHANGED, with both fingerprints named. */
	extra_rekey("ed25519");
	if (d->port != port)
		skip();		/* someone took the port meanwhile */
	tp = tp_make(kh, 5000, 5000, 0);
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_PERM);
	assert_contains(res.errmsg, "host key of kvm-changed has CHANGED");
	assert_contains(res.errmsg, old);
	assert_contains(res.errmsg, d->fp);
	tp_result_free(&res);
	assert_int_equal(tp_hostkey_scan(tp, &h, &fp, NULL), ERR_PERM);
	assert_null(fp);
	assert_contains(err_msg(), old);
	assert_int_equal(tp_hostkey_accept(tp, &h, d->fp), ERR_PERM);
	assert_contains(err_msg(), "CHANGED");
	tp_free(tp);

	/* Another type: refused as well, both named. */
	extra_rekey("ecdsa");
	if (d->port != port)
		skip();
	tp = tp_make(kh, 5000, 5000, 0);
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_PERM);
	assert_contains(res.errmsg, "host key of kvm-changed");
	assert_contains(res.errmsg, old);
	assert_contains(res.errmsg, d->fp);
	printf("# type change: %s\n", res.errmsg);
	tp_result_free(&res);
	tp_free(tp);
	sshd_stop(d);
	unlink(kh);
	free(old);
	free(kh);
}

static void
test_streams(void **state)
{
	struct transport	*tp = tp_make(lab.pinned, 5000, 10000, 0);
	struct tp_host		 h = host_of(0, "kvm0");
	struct tp_result	 res;
	char			*a1[] = { "sh", "-c",
	    "printf out; printf err >&2; exit 3", NULL };
	char			*a2[] = { "sh", "-c", "kill -9 $$", NULL };
	char			*a3[] = { "sh", "-c", "head -c 1000000 "
	    "/dev/zero; head -c 700000 /dev/zero >&2; exit 0", NULL };
	char			*a4[] = { "no-such-command-hvsh", NULL };

	run_ok(tp, &h, a1, NULL, &res);
	assert_int_equal(res.status, 3);
	assert_string_equal(res.out, "out");
	assert_int_equal(res.outlen, 3);
	assert_string_equal(res.err, "err");
	assert_int_equal(res.errlen, 3);
	assert_int_equal(res.truncated, 0);
	assert_true(res.elapsed_ms > 0);
	tp_result_free(&res);
	/* Killed by a signal: no status. */
	run_ok(tp, &h, a2, NULL, &res);
	assert_int_equal(res.status, -1);
	tp_result_free(&res);
	run_ok(tp, &h, a3, NULL, &res);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.outlen, 1000000);
	assert_int_equal(res.errlen, 700000);
	tp_result_free(&res);
	run_ok(tp, &h, a4, NULL, &res);
	assert_int_equal(res.status, 127);
	assert_contains(res.err, "no-such-command-hvsh");
	tp_result_free(&res);
	tp_free(tp);
}

static void
test_stdin(void **state)
{
	struct transport	*tp = tp_make(lab.pinned, 5000, 20000, 0);
	struct tp_host		 h = host_of(0, "kvm0");
	struct tp_result	 res;
	char			*cat[] = { "cat", NULL };
	char			*wc[] = { "wc", "-c", NULL };
	char			*tru[] = { "true", NULL };
	char			*head[] = { "head", "-c", "5", NULL };
	char			*big;
	size_t			 i, n = (size_t)3 << 20;

	run_ok(tp, &h, cat, "hello\nworld\n", &res);
	assert_string_equal(res.out, "hello\nworld\n");
	tp_result_free(&res);
	/* No stdin: the command sees EOF at once. */
	run_ok(tp, &h, cat, NULL, &res);
	assert_int_equal(res.outlen, 0);
	tp_result_free(&res);
	/* More than a window's worth, in and out at once: no deadlock. */
	big = xmalloc(n + 1);
	for (i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	big[n] = '\0';
	run_ok(tp, &h, wc, big, &res);
	assert_int_equal(atol(res.out), (long)n);
	tp_result_free(&res);
	run_ok(tp, &h, cat, big, &res);
	assert_int_equal(res.outlen, n);
	assert_memory_equal(res.out, big, n);
	tp_result_free(&res);
	/* Commands that leave input unread end normally. */
	run_ok(tp, &h, tru, big, &res);
	assert_int_equal(res.status, 0);
	tp_result_free(&res);
	run_ok(tp, &h, head, big, &res);
	assert_int_equal(res.status, 0);
	assert_string_equal(res.out, "abcde");
	tp_result_free(&res);
	free(big);
	tp_free(tp);
}

static void
test_output_cap(void **state)
{
	struct transport	*tp = tp_make(lab.pinned, 5000, 10000, 1000);
	struct tp_host		 h = host_of(0, "kvm0");
	struct tp_result	 res;
	char			*a1[] = { "head", "-c", "100000", "/dev/zero",
	    NULL };
	char			*a2[] = { "sh", "-c", "head -c 5000 /dev/zero "
	    ">&2; echo ok", NULL };
	char			*a3[] = { "head", "-c", "1000", "/dev/zero",
	    NULL };

	run_ok(tp, &h, a1, NULL, &res);
	assert_int_equal(res.outlen, 1000);
	assert_int_equal(res.truncated, 1);
	assert_int_equal(res.status, 0);
	tp_result_free(&res);
	run_ok(tp, &h, a2, NULL, &res);
	assert_int_equal(res.errlen, 1000);
	assert_string_equal(res.out, "ok\n");
	assert_int_equal(res.truncated, 1);
	tp_result_free(&res);
	/* Exactly the cap is not cut. */
	run_ok(tp, &h, a3, NULL, &res);
	assert_int_equal(res.outlen, 1000);
	assert_int_equal(res.truncated, 0);
	tp_result_free(&res);
	tp_free(tp);
}

static void
test_command_timeout(void **state)
{
	struct transport	*tp = tp_make(lab.pinned, 5000, 500, 0);
	struct tp_host		 h = host_of(2, "kvm2");
	struct tp_result	 res;
	char			*pidfile = xasprintf("%s/sleep.pid", lab.dir);
	char			*script = xasprintf("echo $$ > %s; echo started;"
	    " exec sleep 10", pidfile);
	char			*sl[] = { "sh", "-c", script, NULL };
	char			*ok[] = { "echo", "again", NULL };
	char			*text;
	double			 t0, dt;
	pid_t			 pid = 0;
	int			 before = logins(&lab.sshd[2]), alive, i;

	run_ok(tp, &h, ok, NULL, &res);		/* the session is open */
	tp_result_free(&res);
	t0 = now_ms();
	assert_int_equal(tp_run(tp, &h, sl, NULL, &res), ERR_IO);
	dt = now_ms() - t0;
	assert_string_equal(res.errmsg, "kvm2: command timed out after 500 ms");
	assert_string_equal(res.out, "started\n");	/* what came is kept */
	assert_true(dt >= 450 && dt < 1100);
	printf("# command timeout 500 ms: returned after %.0f ms\n", dt);
	tp_result_free(&res);
	/* The session was dropped; the next command reopens it and works. */
	run_ok(tp, &h, ok, NULL, &res);
	assert_string_equal(res.out, "again\n");
	tp_result_free(&res);
	assert_int_equal(logins(&lab.sshd[2]), before + 2);
	tp_free(tp);
	if ((text = slurp(pidfile, NULL)) != NULL)
		pid = (pid_t)atoi(text);
	free(text);
	alive = 0;
	for (i = 0; pid > 0 && i < 50 && (alive = kill(pid, 0) == 0); i++)
		msleep(10);
	printf("# remote sleep after timeout: %s\n", pid <= 0 ? "no pid" :
	    alive ? "still running (killed by the test)" : "ended by signal");
	if (pid > 0 && alive)
		end_pid(pid, 0);
	unlink(pidfile);
	free(pidfile);
	free(script);
}

static void
test_stopped_sshd(void **state)
{
	struct transport	*tp;
	struct sshd		*d = &lab.sshd[EXTRA];
	struct tp_host		 h;
	struct tp_result	 res;
	char			*kh = xasprintf("%s/kh-stopped", lab.dir);
	char			*argv[] = { "true", NULL };
	char			*fp = NULL;
	double			 t0, dt;

	unlink(kh);
	assert_int_equal(sshd_init(d, EXTRA, "ed25519"), 0);
	assert_int_equal(sshd_start(d), 0);
	h = host_of(EXTRA, "kvm-frozen");
	tp = tp_make(kh, 1000, 5000, 0);
	assert_int_equal(tp_hostkey_accept(tp, &h, d->fp), 0);
	kill(d->pid, SIGSTOP);
	t0 = now_ms();
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_IO);
	dt = now_ms() - t0;
	printf("# stopped sshd, connect timeout 1000 ms: %.0f ms: %s\n", dt,
	    res.errmsg);
	assert_contains(res.errmsg, "kvm-frozen");
	assert_true(dt >= 900 && dt < 1600);
	tp_result_free(&res);
	t0 = now_ms();
	assert_int_equal(tp_hostkey_scan(tp, &h, &fp, NULL), ERR_IO);
	assert_true(now_ms() - t0 < 1600);
	kill(d->pid, SIGCONT);
	tp_free(tp);
	sshd_stop(d);
	unlink(kh);
	free(kh);
}

static void
test_refused_port(void **state)
{
	struct transport	*tp = tp_make(lab.pinned, 5000, 5000, 0);
	struct tp_host		 h = host_of(0, "kvm-closed");
	struct tp_result	 res;
	char			*argv[] = { "true", NULL };
	double			 t0, dt;

	h.port = free_port();
	t0 = now_ms();
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_IO);
	dt = now_ms() - t0;
	printf("# refused port: %.1f ms: %s\n", dt, res.errmsg);
	assert_true(dt < 500);
	assert_contains(res.errmsg, "kvm-closed");
	assert_contains(res.errmsg, "refused");
	tp_result_free(&res);
	tp_free(tp);
}

static void
test_auth_refused(void **state)
{
	struct transport	*tp = tp_make(lab.pinned, 5000, 5000, 0);
	struct tp_host		 h = host_of(0, "kvm-auth");
	struct tp_result	 res;
	char			*other = xasprintf("%s/other", lab.dir);
	char			*pub = xasprintf("%s.pub", other);
	char			*missing = xasprintf("%s/missing", lab.dir);
	char			*argv[] = { "true", NULL };
	char			*first;
	/* What sshd logs (INFO) when a client leaves a refused login. */
	const char		*gone = "Disconnected from authenticating user";
	int			 before = log_count(&lab.sshd[0], gone), i;

	assert_int_equal(keygen(other, "ed25519"), 0);
	/* A key file we cannot read is ours to fix: no backoff. */
	h.key = missing;
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_PERM);
	assert_contains(res.errmsg, "kvm-auth: cannot read private key");
	tp_result_free(&res);
	h.key = other;
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_PERM);
	assert_contains(res.errmsg, "kvm-auth: login as ");
	assert_contains(res.errmsg, "refused");
	assert_null(strstr(res.errmsg, "next try"));
	first = xstrdup(res.errmsg);
	tp_result_free(&res);
	/* sshd logs the refused login when it ends; wait for it. */
	for (i = 0; i < 200 &&
	    log_count(&lab.sshd[0], gone) == before; i++)
		msleep(10);
	assert_int_equal(log_count(&lab.sshd[0], gone), before + 1);
	/* A refused login is the host's answer: repeated, not asked again. */
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_PERM);
	assert_contains(res.errmsg, first);
	assert_contains(res.errmsg, "(next try in 1 s)");
	tp_result_free(&res);
	msleep(200);
	assert_int_equal(log_count(&lab.sshd[0], gone), before + 1);
	free(first);
	tp_free(tp);
	unlink(other);
	unlink(pub);
	free(other);
	free(pub);
	free(missing);
}

/* Key-less hosts log in through ssh-agent; without one they are refused. */
static void
test_agent(void **state)
{
	struct transport	*tp = tp_make(lab.pinned, 5000, 5000, 0);
	struct tp_host		 h = host_of(0, "kvm-agent");
	struct tp_result	 res;
	char			*sock = xasprintf("%s/agent.sock", lab.dir);
	char			*add[] = { "ssh-add", lab.key, NULL };
	char			*argv[] = { "echo", "via-agent", NULL };
	char			*saved = getenv("SSH_AUTH_SOCK");
	pid_t			 pid;
	int			 i, fd;

	saved = saved != NULL ? xstrdup(saved) : NULL;
	h.key = NULL;
	unsetenv("SSH_AUTH_SOCK");
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_PERM);
	assert_contains(res.errmsg, "no ssh-agent");
	tp_result_free(&res);

	if ((pid = fork()) == 0) {
		fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execlp("ssh-agent", "ssh-agent", "-D", "-a", sock,
		    (char *)NULL);
		_exit(127);
	}
	assert_true(pid > 0);
	lab.agent = pid;
	for (i = 0; i < 300 && access(sock, F_OK) != 0; i++)
		msleep(10);
	assert_int_equal(run_quiet(add, sock), 0);
	setenv("SSH_AUTH_SOCK", sock, 1);
	run_ok(tp, &h, argv, NULL, &res);
	assert_string_equal(res.out, "via-agent\n");
	tp_result_free(&res);
	tp_free(tp);
	if (saved != NULL)
		setenv("SSH_AUTH_SOCK", saved, 1);
	else
		unsetenv("SSH_AUTH_SOCK");
	end_pid(lab.agent, 1);
	lab.agent = 0;
	unlink(sock);
	free(saved);
	free(sock);
}

/* The remote line: C locale and a time bound on the host, argv quoted. */
static void
test_command_line(void **state)
{
	struct transport	*tp = tp_make(lab.pinned, 5000, 500, 0);
	struct tp_host		 h = host_of(2, "kvm2");
	struct tp_result	 res;
	char			*argv[] = { "virsh", "start", "it's", NULL };
	char			*loc[] = { "sh", "-c", "echo \"$LC_ALL\"; "
	    "ps -o args= -p $PPID", NULL };
	char			*line;

	line = tp_command_line(NULL, argv);
	assert_string_equal(line, "'env' 'LC_ALL=C' 'timeout' '-k' '5' '65' "
	    "'virsh' 'start' 'it'\\''s'");
	free(line);
	/* The bound is the command timeout, rounded up, and the margin. */
	line = tp_command_line(tp, argv);
	assert_string_equal(line, "'env' 'LC_ALL=C' 'timeout' '-k' '5' '6' "
	    "'virsh' 'start' 'it'\\''s'");
	free(line);
	run_ok(tp, &h, loc, NULL, &res);
	assert_int_equal(res.status, 0);
	assert_string_equal(res.out, "C\ntimeout -k 5 6 sh -c echo "
	    "\"$LC_ALL\"; ps -o args= -p $PPID\n");
	tp_result_free(&res);
	tp_free(tp);
}

static void *
raise_later(void *arg)
{
	(void)arg;
	msleep(300);
	intr_raise();
	return NULL;
}

/* Ctrl-C (intr_raise) ends a wait within a slice, and nothing is retried. */
static void
test_interrupt(void **state)
{
	struct transport	*tp = tp_make(lab.pinned, 5000, 20000, 0);
	struct tp_host		 h = host_of(2, "kvm2");
	struct tp_result	 res;
	struct tp_job		 jobs[4];
	char			*sl[] = { "sleep", "10", NULL };
	char			*ok[] = { "echo", "again", NULL };
	pthread_t		 th;
	double			 t0, dt;
	size_t			 i;

	intr_clear();
	run_ok(tp, &h, ok, NULL, &res);
	tp_result_free(&res);
	t0 = now_ms();
	assert_int_equal(pthread_create(&th, NULL, raise_later, NULL), 0);
	assert_int_equal(tp_run(tp, &h, sl, NULL, &res), ERR_CANCEL);
	dt = now_ms() - t0;
	pthread_join(th, NULL);
	assert_string_equal(res.errmsg, "kvm2: interrupted");
	assert_true(dt >= 250 && dt < 1000);
	printf("# interrupted after 300 ms: returned after %.0f ms\n", dt);
	tp_result_free(&res);
	/* While it is pending nothing starts. */
	memset(jobs, 0, sizeof jobs);
	for (i = 0; i < 4; i++) {
		jobs[i].host = &h;
		jobs[i].argv = ok;
	}
	tp_run_many(tp, jobs, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(jobs[i].res.rc, ERR_CANCEL);
		tp_result_free(&jobs[i].res);
	}
	intr_clear();
	run_ok(tp, &h, ok, NULL, &res);
	assert_string_equal(res.out, "again\n");
	tp_result_free(&res);
	tp_free(tp);
}

static void
test_run_many(void **state)
{
	struct transport	*tp = tp_make(lab.pinned, 5000, 10000, 0);
	struct tp_host		 hosts[NSSHD];
	struct tp_job		 jobs[20], slow[8];
	char			 names[NSSHD][16], words[20][16];
	char			*argvs[20][3];
	char			*sl[] = { "sleep", "0.3", NULL };
	char			 want[32];
	double			 t0, dt;
	size_t			 i;

	for (i = 0; i < NSSHD; i++) {
		snprintf(names[i], sizeof names[i], "kvm%zu", i);
		hosts[i] = host_of((int)i, names[i]);
	}
	memset(jobs, 0, sizeof jobs);
	for (i = 0; i < 20; i++) {
		snprintf(words[i], sizeof words[i], "job-%zu", i);
		argvs[i][0] = "echo";
		argvs[i][1] = words[i];
		argvs[i][2] = NULL;
		jobs[i].host = &hosts[i % NSSHD];
		jobs[i].argv = argvs[i];
	}
	t0 = now_ms();
	tp_run_many(tp, jobs, 20);
	dt = now_ms() - t0;
	printf("# run_many: 20 jobs on 4 new sessions: %.1f ms\n", dt);
	for (i = 0; i < 20; i++) {
		if (jobs[i].res.rc != 0)
			fail_msg("job %zu: %s", i, jobs[i].res.errmsg);
		snprintf(want, sizeof want, "job-%zu\n", i);
		assert_string_equal(jobs[i].res.out, want);
		tp_result_free(&jobs[i].res);
	}
	/* 8 jobs of 0.3 s, 2 per host: hosts in parallel, a host in series. */
	memset(slow, 0, sizeof slow);
	for (i = 0; i < 8; i++) {
		slow[i].host = &hosts[i % NSSHD];
		slow[i].argv = sl;
	}
	t0 = now_ms();
	tp_run_many(tp, slow, 8);
	dt = now_ms() - t0;
	printf("# run_many: 8 x sleep 0.3 on 4 hosts: %.0f ms\n", dt);
	for (i = 0; i < 8; i++) {
		assert_int_equal(slow[i].res.rc, 0);
		tp_result_free(&slow[i].res);
	}
	assert_true(dt >= 590 && dt < 1200);
	tp_free(tp);
}

static void
test_reuse(void **state)
{
	struct transport	*tp = tp_make(lab.pinned, 5000, 5000, 0);
	struct tp_host		 h = host_of(3, "kvm3");
	struct tp_result	 res;
	char			*argv[] = { "true", NULL };
	int			 before = logins(&lab.sshd[3]), i, n = 40;
	double			 t0, first, rest;

	t0 = now_ms();
	run_ok(tp, &h, argv, NULL, &res);
	first = now_ms() - t0;
	tp_result_free(&res);
	/* More commands than sshd's MaxSessions (10): channels are closed. */
	t0 = now_ms();
	for (i = 1; i < n; i++) {
		run_ok(tp, &h, argv, NULL, &res);
		tp_result_free(&res);
	}
	rest = (now_ms() - t0) / (n - 1);
	assert_int_equal(logins(&lab.sshd[3]), before + 1);
	printf("# connect+auth+true: %.1f ms; true on the open session: "
	    "%.2f ms\n", first, rest);
	/* tp_forget closes it: the next command logs in again. */
	tp_forget(tp, &h);
	run_ok(tp, &h, argv, NULL, &res);
	tp_result_free(&res);
	assert_int_equal(logins(&lab.sshd[3]), before + 2);
	tp_free(tp);
}

static void
test_hostile_argv(void **state)
{
	struct transport	*tp = tp_make(lab.pinned, 5000, 5000, 0);
	struct tp_host		 h = host_of(0, "kvm0");
	struct tp_result	 res;
	struct buf		 want = { 0 };
	char			*big = xmalloc(10001);
	char			*argv[] = { "printf", "%s\\0", "", "two words",
	    "it's", "'\\''", "\"q\"", "back\\slash", "$(id)", "`id`", "$HOME",
	    "a;b|c&d<e>f", "line1\nline2", "-n", "--help", "*", "?[a]",
	    "~", "#", "!x", "h\xc3\xa9llo", "\xff\x01\x1b[0m", big, NULL };
	size_t			 i;

	for (i = 0; i < 10000; i++)
		big[i] = "x'\\\"$ \n"[i % 7];
	big[10000] = '\0';
	for (i = 2; argv[i] != NULL; i++)
		buf_add(&want, argv[i], strlen(argv[i]) + 1);
	run_ok(tp, &h, argv, NULL, &res);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.outlen, want.len);
	assert_memory_equal(res.out, want.data, want.len);
	tp_result_free(&res);
	buf_free(&want);
	free(big);
	tp_free(tp);
}

/* A kept session whose server side died is reopened, once, unnoticed. */
static void
test_dead_session(void **state)
{
	struct transport	*tp = tp_make(lab.pinned, 5000, 5000, 0);
	struct tp_host		 h = host_of(1, "kvm1");
	struct tp_result	 res;
	char			*argv[] = { "echo", "alive", NULL };
	int			 before = logins(&lab.sshd[1]);
	pid_t			 pids[64];
	size_t			 n;

	run_ok(tp, &h, argv, NULL, &res);
	tp_result_free(&res);
	n = descendants(&lab.sshd[1], pids, nitems(pids));
	assert_true(n > 0);
	signal_descendants(&lab.sshd[1], SIGKILL);
	msleep(100);
	run_ok(tp, &h, argv, NULL, &res);
	assert_string_equal(res.out, "alive\n");
	tp_result_free(&res);
	assert_int_equal(logins(&lab.sshd[1]), before + 2);
	tp_free(tp);
}

/*
 * A session idle past the probe time whose peer stopped answering (the
 * connection's sshd is frozen): the probe notices within the connect
 * timeout, and a new session runs the command.
 */
static void
test_probe_silent(void **state)
{
	struct transport	*tp = tp_make(lab.pinned, 800, 5000, 0);
	struct tp_host		 h = host_of(2, "kvm2");
	struct tp_result	 res;
	char			*argv[] = { "echo", "probed", NULL };
	int			 before = logins(&lab.sshd[2]);
	pid_t			 pids[64];
	size_t			 n, i;
	double			 t0, dt;

	tp_set_probe_idle(tp, 0);
	run_ok(tp, &h, argv, NULL, &res);
	tp_result_free(&res);
	/* With the peer alive, the probe costs a round trip and no more. */
	run_ok(tp, &h, argv, NULL, &res);
	tp_result_free(&res);
	assert_int_equal(logins(&lab.sshd[2]), before + 1);
	n = descendants(&lab.sshd[2], pids, nitems(pids));
	assert_true(n > 0);
	for (i = 0; i < n; i++)
		kill(pids[i], SIGSTOP);
	t0 = now_ms();
	run_ok(tp, &h, argv, NULL, &res);
	dt = now_ms() - t0;
	printf("# silent peer found by the probe and replaced: %.0f ms\n", dt);
	assert_string_equal(res.out, "probed\n");
	assert_true(dt >= 750 && dt < 2000);
	tp_result_free(&res);
	assert_int_equal(logins(&lab.sshd[2]), before + 2);
	tp_free(tp);
	for (i = 0; i < n; i++)
		end_pid(pids[i], 0);
}

struct th_arg {
	struct transport	*tp;
	struct tp_host		*h;
	int			 fails;
};

static void *
th_run(void *p)
{
	struct th_arg		*a = p;
	struct tp_result	 res;
	char			*argv[] = { "echo", "t", NULL };
	int			 i;

	for (i = 0; i < 5; i++) {
		if (tp_run(a->tp, a->h, argv, NULL, &res) != 0 ||
		    strcmp(res.out, "t\n") != 0)
			a->fails++;
		tp_result_free(&res);
	}
	return NULL;
}

/* Many threads on one transport and the same hosts: one session each. */
static void
test_threads(void **state)
{
	struct transport	*tp = tp_make(lab.pinned, 5000, 5000, 0);
	struct tp_host		 h0 = host_of(0, "kvm0"), h1 = host_of(1, "kvm1");
	struct th_arg		 args[8];
	pthread_t		 th[8];
	int			 b0 = logins(&lab.sshd[0]);
	int			 b1 = logins(&lab.sshd[1]), i;

	for (i = 0; i < 8; i++) {
		args[i].tp = tp;
		args[i].h = i % 2 ? &h1 : &h0;
		args[i].fails = 0;
		assert_int_equal(pthread_create(&th[i], NULL, th_run,
		    &args[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(args[i].fails, 0);
	}
	assert_int_equal(logins(&lab.sshd[0]), b0 + 1);
	assert_int_equal(logins(&lab.sshd[1]), b1 + 1);
	tp_free(tp);
}

/*
 * Backoff: a host that timed out is not tried again within its window, the
 * window doubles, a success clears it, and tp_forget does too.
 */
static void
test_backoff(void **state)
{
	struct transport	*tp = tp_make(lab.pinned, 400, 5000, 0);
	struct tp_host		 h;
	struct tp_result	 res;
	char			*argv[] = { "echo", "back", NULL };
	char			*first;
	double			 t0, dt;
	int			 fd, port;

	assert_true((fd = silent_listener(&port)) >= 0);
	h = host_of(0, "kvm-silent");
	h.port = port;
	t0 = now_ms();
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_IO);
	dt = now_ms() - t0;
	assert_true(dt >= 350);
	assert_contains(res.errmsg, "kvm-silent: cannot connect");
	assert_null(strstr(res.errmsg, "next try"));
	first = xstrdup(res.errmsg);
	tp_result_free(&res);
	/* Within the window: the same error at once, and when to try. */
	t0 = now_ms();
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_IO);
	dt = now_ms() - t0;
	printf("# within the backoff window: %.1f ms: %s\n", dt, res.errmsg);
	assert_true(dt < 300);
	assert_contains(res.errmsg, first);
	assert_contains(res.errmsg, "(next try in 1 s)");
	tp_result_free(&res);
	/* After it: tried again, and the next window is twice as long. */
	msleep(1100);
	t0 = now_ms();
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_IO);
	assert_true(now_ms() - t0 >= 350);
	assert_null(strstr(res.errmsg, "next try"));
	tp_result_free(&res);
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_IO);
	assert_contains(res.errmsg, "(next try in 2 s)");
	tp_result_free(&res);
	/* tp_forget clears it: the next call tries at once. */
	tp_forget(tp, &h);
	t0 = now_ms();
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_IO);
	assert_true(now_ms() - t0 >= 350);
	assert_null(strstr(res.errmsg, "next try"));
	tp_result_free(&res);
	/*
	 * The host comes back (a real sshd on the address): after the window
	 * the session opens, and the backoff is gone with the failure count.
	 */
	msleep(1100);
	h.port = lab.sshd[0].port;
	run_ok(tp, &h, argv, NULL, &res);
	tp_result_free(&res);
	free(first);
	close(fd);
	tp_free(tp);
}

/* A dead kept session is reopened at once, and a success resets the count. */
static void
test_backoff_reset(void **state)
{
	struct transport	*tp;
	struct sshd		*d = &lab.sshd[EXTRA];
	struct tp_host		 h;
	struct tp_result	 res;
	char			*kh = xasprintf("%s/kh-backoff", lab.dir);
	char			*argv[] = { "echo", "up", NULL };
	int			 i;

	unlink(kh);
	assert_int_equal(sshd_init(d, EXTRA, "ed25519"), 0);
	assert_int_equal(sshd_start(d), 0);
	h = host_of(EXTRA, "kvm-flaky");
	tp = tp_make(kh, 500, 5000, 0);
	assert_int_equal(tp_hostkey_accept(tp, &h, d->fp), 0);
	/* Two failures: the window is 2 s. */
	kill(d->pid, SIGSTOP);
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_IO);
	tp_result_free(&res);
	msleep(1100);
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_IO);
	tp_result_free(&res);
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_IO);
	assert_contains(res.errmsg, "(next try in 2 s)");
	tp_result_free(&res);
	kill(d->pid, SIGCONT);
	/*
	 * Refused within the window, then tried again: the woken sshd first
	 * serves the connections queued while it was stopped, so on a busy
	 * machine that try may time out too and open a new window.
	 */
	for (i = 0; i < 50; i++) {
		if (tp_run(tp, &h, argv, NULL, &res) == 0)
			break;
		if (strstr(res.errmsg, "next try in") == NULL)
			assert_contains(res.errmsg, "Timeout connecting");
		tp_result_free(&res);
		msleep(100);
	}
	assert_int_equal(res.rc, 0);
	assert_string_equal(res.out, "up\n");
	tp_result_free(&res);
	/* The session dies: it is reopened at once, which is no failure. */
	signal_descendants(d, SIGKILL);
	msleep(100);
	run_ok(tp, &h, argv, NULL, &res);
	tp_result_free(&res);
	/* A failure after the success opens a window of 1 s again, not 4. */
	signal_descendants(d, SIGKILL);
	kill(d->pid, SIGSTOP);
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_IO);
	tp_result_free(&res);
	assert_int_equal(tp_run(tp, &h, argv, NULL, &res), ERR_IO);
	assert_contains(res.errmsg, "(next try in 1 s)");
	tp_result_free(&res);
	kill(d->pid, SIGCONT);
	tp_free(tp);
	sshd_stop(d);
	unlink(kh);
	free(kh);
}

struct hang_arg {
	struct transport	*tp;
	struct tp_host		 h;
	int			 rc;
};

static void *
hang_run(void *p)
{
	struct hang_arg		*a = p;
	struct tp_result	 res;
	char			*argv[] = { "true", NULL };

	a->rc = tp_run(a->tp, &a->h, argv, NULL, &res);
	tp_result_free(&res);
	return NULL;
}

/*
 * A transport of one handshake slot: two handshakes that hang (a listener
 * that never answers, two users so two sessions) hold it in turn; a good
 * host waits for both, longer than its connect timeout, and then succeeds,
 * since its timeout starts with its own handshake. With the default, it
 * does not wait.
 */
static void
test_handshake_cap(void **state)
{
	struct transport	*tp;
	struct tp_opts		 o;
	struct hang_arg		 a[2];
	pthread_t		 th[2];
	struct tp_host		 good = host_of(1, "kvm1");
	struct tp_result	 res;
	char			*argv[] = { "echo", "waited", NULL };
	double			 t0, dt;
	int			 fd, port, i, cap;

	assert_true((fd = silent_listener(&port)) >= 0);
	for (cap = 1; cap >= 0; cap--) {
		memset(&o, 0, sizeof o);
		o.known_hosts = lab.pinned;
		o.connect_timeout_ms = 600;
		o.command_timeout_ms = 5000;
		o.max_handshakes = cap;		/* 0: the default */
		assert_int_equal(tp_new(&o, &tp), 0);
		for (i = 0; i < 2; i++) {
			a[i].tp = tp;
			a[i].h = host_of(0, "kvm-hangs");
			a[i].h.port = port;
			a[i].h.user = i == 0 ? "one" : "two";
			assert_int_equal(pthread_create(&th[i], NULL, hang_run,
			    &a[i]), 0);
			msleep(100);
		}
		t0 = now_ms();
		run_ok(tp, &good, argv, NULL, &res);
		dt = now_ms() - t0;
		printf("# %s handshake slots, behind 2 hung: %.0f ms\n",
		    cap ? "1" : "default", dt);
		assert_string_equal(res.out, "waited\n");
		tp_result_free(&res);
		if (cap)
			assert_true(dt >= 900);	/* both hung ones first */
		else
			assert_true(dt < 500);
		for (i = 0; i < 2; i++) {
			pthread_join(th[i], NULL);
			assert_int_equal(a[i].rc, ERR_IO);
		}
		tp_free(tp);
	}
	close(fd);
}

/*
 * One sshd (address and port) gets at most TP_ENDPOINT_HANDSHAKES at once:
 * with that many hanging there (one user each, so as many sessions), one
 * more to the same sshd waits for a hung one to time out, while a host on
 * another sshd does not wait at all.
 */
static void
test_endpoint_cap(void **state)
{
	struct transport	*tp;
	struct tp_opts		 o;
	struct hang_arg		 a[TP_ENDPOINT_HANDSHAKES + 1];
	pthread_t		 th[TP_ENDPOINT_HANDSHAKES + 1];
	char			 users[TP_ENDPOINT_HANDSHAKES + 1][16];
	struct tp_host		 good = host_of(1, "kvm1");
	struct tp_result	 res;
	char			*argv[] = { "echo", "other", NULL };
	double			 t0, dt;
	int			 fd, port, i, n = TP_ENDPOINT_HANDSHAKES;

	(void)state;
	assert_true((fd = silent_listener(&port)) >= 0);
	memset(&o, 0, sizeof o);
	o.known_hosts = lab.pinned;
	o.connect_timeout_ms = 1500;
	o.command_timeout_ms = 5000;
	o.max_handshakes = 64;
	assert_int_equal(tp_new(&o, &tp), 0);
	t0 = now_ms();
	for (i = 0; i <= n; i++) {
		snprintf(users[i], sizeof users[i], "u%d", i);
		a[i].tp = tp;
		a[i].h = host_of(0, "kvm-hangs");
		a[i].h.port = port;
		a[i].h.user = users[i];
		assert_int_equal(pthread_create(&th[i], NULL, hang_run, &a[i]),
		    0);
		if (i == n - 1)
			msleep(200);	/* the first n hold the sshd's slots */
	}
	run_ok(tp, &good, argv, NULL, &res);
	dt = now_ms() - t0;
	printf("# another sshd, behind %d hung on one: %.0f ms\n", n + 1, dt);
	assert_true(dt < 1200);
	tp_result_free(&res);
	for (i = 0; i <= n; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(a[i].rc, ERR_IO);
	}
	dt = now_ms() - t0;
	printf("# the %dth on the same sshd done after %.0f ms\n", n + 1, dt);
	/* It waited for a slot (1.5 s), then hung its own 1.5 s. */
	assert_true(dt >= 2500);
	tp_free(tp);
	close(fd);
}

/* Ctrl-C ends the wait for a handshake slot at once. */
static void
test_handshake_intr(void **state)
{
	struct transport	*tp;
	struct tp_opts		 o;
	struct hang_arg		 a;
	pthread_t		 th, ti;
	struct tp_host		 good = host_of(1, "kvm1");
	struct tp_result	 res;
	char			*argv[] = { "true", NULL };
	double			 t0, dt;
	int			 fd, port;

	assert_true((fd = silent_listener(&port)) >= 0);
	memset(&o, 0, sizeof o);
	o.known_hosts = lab.pinned;
	o.connect_timeout_ms = 1500;
	o.max_handshakes = 1;
	assert_int_equal(tp_new(&o, &tp), 0);
	intr_clear();
	a.tp = tp;
	a.h = host_of(0, "kvm-hangs");
	a.h.port = port;
	assert_int_equal(pthread_create(&th, NULL, hang_run, &a), 0);
	msleep(100);
	t0 = now_ms();
	assert_int_equal(pthread_create(&ti, NULL, raise_later, NULL), 0);
	assert_int_equal(tp_run(tp, &good, argv, NULL, &res), ERR_CANCEL);
	dt = now_ms() - t0;
	printf("# waiting for a slot, interrupted after 300 ms: %.0f ms\n",
	    dt);
	assert_string_equal(res.errmsg, "kvm1: interrupted");
	assert_true(dt >= 250 && dt < 1000);
	tp_result_free(&res);
	pthread_join(ti, NULL);
	pthread_join(th, NULL);
	intr_clear();
	/* An interruption is no failure of the host: no backoff. */
	run_ok(tp, &good, argv, NULL, &res);
	tp_result_free(&res);
	tp_free(tp);
	close(fd);
}

/*
 * tp_run_many keeps each host's jobs in order (a counter file per host
 * shows the order they ran in), and groups many jobs without a quadratic
 * cost: 50000 jobs that fail at once (no address) end quickly.
 */
static void
test_run_many_order(void **state)
{
	struct transport	*tp = tp_make(lab.pinned, 5000, 10000, 0);
	struct tp_host		 hosts[NSSHD], bad;
	struct tp_job		*jobs;
	char			 names[NSSHD][16], *scripts[NSSHD];
	char			*argvs[NSSHD][4];
	size_t			 i, n = 120, nbad = 50000;
	int			 seen[NSSHD];
	double			 t0, dt;

	for (i = 0; i < NSSHD; i++) {
		snprintf(names[i], sizeof names[i], "kvm%zu", i);
		hosts[i] = host_of((int)i, names[i]);
		scripts[i] = xasprintf("f=%s/count%zu; n=$(cat $f 2>/dev/null "
		    "|| echo 0); echo $n; echo $((n + 1)) >$f", lab.dir, i);
		argvs[i][0] = "sh";
		argvs[i][1] = "-c";
		argvs[i][2] = scripts[i];
		argvs[i][3] = NULL;
		seen[i] = 0;
	}
	jobs = xcalloc(nbad, sizeof *jobs);
	/* Hosts interleaved irregularly. */
	for (i = 0; i < n; i++) {
		jobs[i].host = &hosts[(i * 7 + i / 5) % NSSHD];
		jobs[i].argv = argvs[(i * 7 + i / 5) % NSSHD];
	}
	tp_run_many(tp, jobs, n);
	for (i = 0; i < n; i++) {
		size_t	k = (size_t)(jobs[i].host - hosts);

		if (jobs[i].res.rc != 0)
			fail_msg("job %zu: %s", i, jobs[i].res.errmsg);
		assert_int_equal(atoi(jobs[i].res.out), seen[k]);
		seen[k]++;
		tp_result_free(&jobs[i].res);
	}
	memset(&bad, 0, sizeof bad);
	bad.name = "nowhere";
	bad.address = "";
	for (i = 0; i < nbad; i++) {
		jobs[i].host = &bad;
		jobs[i].argv = argvs[0];
	}
	t0 = now_ms();
	tp_run_many(tp, jobs, nbad);
	dt = now_ms() - t0;
	printf("# run_many: %zu jobs that fail at once: %.0f ms\n", nbad, dt);
	for (i = 0; i < nbad; i++) {
		assert_int_equal(jobs[i].res.rc, ERR_INVAL);
		tp_result_free(&jobs[i].res);
	}
	assert_true(dt < 3000);
	for (i = 0; i < NSSHD; i++)
		free(scripts[i]);
	free(jobs);
	tp_free(tp);
}

static void
test_bad_args(void **state)
{
	struct transport	*tp = NULL;
	struct tp_opts		 o;
	struct tp_host		 h = host_of(0, "kvm0");
	struct tp_result	 res;
	char			*none[] = { NULL };

	memset(&o, 0, sizeof o);
	assert_int_equal(tp_new(&o, &tp), ERR_INVAL);
	assert_null(tp);
	tp_free(NULL);
	tp = tp_make(lab.pinned, 0, 0, 0);
	assert_int_equal(tp_run(tp, &h, none, NULL, &res), ERR_INVAL);
	tp_result_free(&res);
	h.address = "root@127.0.0.1";
	assert_int_equal(tp_run(tp, &h, none, NULL, &res), ERR_INVAL);
	tp_result_free(&res);
	tp_forget(tp, &h);
	tp_free(tp);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_unknown_refused),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_accept_then_run),
		cmocka_unit_test(test_accept_wrong),
		cmocka_unit_test(test_changed_key),
		cmocka_unit_test(test_streams),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_output_cap),
		cmocka_unit_test(test_command_timeout),
		cmocka_unit_test(test_command_line),
		cmocka_unit_test(test_interrupt),
		cmocka_unit_test(test_stopped_sshd),
		cmocka_unit_test(test_refused_port),
		cmocka_unit_test(test_auth_refused),
		cmocka_unit_test(test_agent),
		cmocka_unit_test(test_run_many),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_hostile_argv),
		cmocka_unit_test(test_dead_session),
		cmocka_unit_test(test_probe_silent),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_backoff_reset),
		cmocka_unit_test(test_handshake_cap),
		cmocka_unit_test(test_handshake_intr),
		cmocka_unit_test(test_endpoint_cap),
		cmocka_unit_test(test_run_many_order),
		cmocka_unit_test(test_bad_args),
	};

	if (access(SSHD_PATH, X_OK) != 0) {
		printf("ok 1 - test-transport # SKIP no %s\n", SSHD_PATH);
		return 0;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
