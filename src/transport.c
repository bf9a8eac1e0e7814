/*
 * transport.c: commands on hosts over SSH with libssh, the only file that
 * speaks SSH.
 *
 * One session per user@address:port is opened on first use and kept; every
 * command gets a new channel on it, which costs two round trips instead of
 * a TCP and SSH handshake. A session is used by one thread at a time (libssh
 * sessions are not thread-safe), so each carries a mutex and commands for
 * one host queue on it.
 *
 * libssh waits forever in a blocking call unless the session's timeout
 * option is set, and it has no keepalive, so: every blocking call here is
 * preceded by sess_budget() with the time left, output is read by polling
 * in short slices against a monotonic deadline, and a session that sat idle
 * is checked before it is trusted again.
 *
 * Host keys are checked by us, against hvsh's own known_hosts file only:
 * libssh is told not to read ~/.ssh/config or /etc/ssh, and nothing but an
 * exactly pinned key is accepted.
 *
 * Opening a session takes one of max_handshakes slots for its handshake
 * (a counting semaphore whose waiters queue in order), and a session
 * whose opening failed remembers why and until when not to try again, so
 * that a large fleet neither floods sshds nor waits out the same dead host
 * on every refresh (transport.h).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libssh/libssh.h>
#include <libssh/server.h>	/* ssh_send_keepalive(), usable by clients */

#include "err.h"
#include "quote.h"
#include "transport.h"
#include "util.h"

#define TP_SLICE_MS	100	/* longest wait for output at once */
/*
 * How long to wait while stdin lacks window: a poll returns early only for
 * output, not for the window adjust that lets more input go, so this is
 * what a full window costs; a streamed file fills it every megabyte or so.
 */
#define TP_WINDOW_MS	1
#define TP_CLOSE_MS	200	/* for closing after a failure */
/*
 * AES-GCM first: with the AES instructions of current CPUs it moves bulk
 * data (an image push) faster than ChaCha20-Poly1305; the rest as libssh
 * orders them, for servers without GCM.
 */
#define TP_CIPHERS	"aes128-gcm@openssh.com,aes256-gcm@openssh.com," \
			"chacha20-poly1305@openssh.com,aes256-ctr,aes192-ctr," \
			"aes128-ctr"
#define TP_CHUNK	16384	/* bytes read per call */
#define TP_FEED		(256 * 1024)	/* bytes of a streamed file read at once */

/* A kept session, found by id; never removed before tp_free. */
struct tp_sess {
	struct tp_sess	*next;
	char		*id;	/* user@address:port */
	pthread_mutex_t	 lock;	/* held while a thread uses ssh */
	ssh_session	 ssh;	/* NULL: not open */
	int64_t		 last;	/* mono_ms() of its last good use */
	/* Backoff, guarded by lock: see sess_connect. */
	int		 nfail;		/* opens failed in a row */
	int64_t		 retry_at;	/* no try before this mono_ms() */
	int		 fail_rc;	/* the last failure's code */
	char		*fail_msg;	/* and its message */
};

struct hs_waiter;
struct hs_end;

struct transport {
	struct tp_opts	 opts;
	char		*known_hosts;
	int		 probe_idle_ms;
	pthread_mutex_t	 lock;	/* guards the list of sessions */
	pthread_mutex_t	 kh_lock; /* serialises known_hosts appends */
	struct tp_sess	*sessions;
	pthread_mutex_t	 hs_lock; /* guards hs_free and hs_head */
	int		 hs_free; /* handshake slots left */
	struct hs_waiter *hs_head; /* the line for a slot, first first */
	struct hs_waiter **hs_tail; /* where the next in line goes */
	struct hs_end	*ends;	/* per sshd: handshakes in flight */
	pthread_cond_t	 ends_cond; /* an sshd's count went down */
};

static pthread_once_t	tp_once = PTHREAD_ONCE_INIT;
static int		tp_init_rc;

static void
tp_init(void)
{
	tp_init_rc = ssh_init();
}

static double
mono_ms_f(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static const char *
host_label(const struct tp_host *h)
{
	return h->name != NULL ? h->name : h->address;
}

static int
host_port(const struct tp_host *h)
{
	return h->port > 0 ? h->port : 22;
}

/* Ctrl-C: the user gave up on the command (intr_pending). */
static int
intr_err(const struct tp_host *h)
{
	return err_set(ERR_CANCEL, "%s: interrupted", host_label(h));
}

/*
 * Waits on cond (a CLOCK_MONOTONIC one) for at most a slice, so that the
 * caller sees a Ctrl-C within one.
 */
static void
slice_wait(pthread_cond_t *cond, pthread_mutex_t *lock)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += (long)TP_SLICE_MS * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(cond, lock, &ts);
}

/* A thread waiting for a handshake slot, in line. */
struct hs_waiter {
	struct hs_waiter	*next;
	pthread_cond_t		 cond;	/* granted was set */
	int			 granted;
};

/* A slot comes free, with hs_lock held: to the first in line, if any. */
static void
hs_grant(struct transport *tp)
{
	struct hs_waiter	*w;

	if ((w = tp->hs_head) == NULL) {
		tp->hs_free++;
		return;
	}
	if ((tp->hs_head = w->next) == NULL)
		tp->hs_tail = &tp->hs_head;
	w->granted = 1;
	pthread_cond_signal(&w->cond);
}

/*
 * Takes a handshake slot, waiting in line for one as long as it takes:
 * each handshake in flight ends within its connect timeout, and slots go
 * first come, first served. The wait is cut in slices so that a Ctrl-C is
 * seen within one.
 */
static int
hs_acquire(struct transport *tp, const struct tp_host *h)
{
	struct hs_waiter	  w, **pp;
	pthread_condattr_t	  ca;
	int			  rc = 0;

	pthread_mutex_lock(&tp->hs_lock);
	if (tp->hs_free > 0 && tp->hs_head == NULL) {
		tp->hs_free--;
		pthread_mutex_unlock(&tp->hs_lock);
		return 0;
	}
	memset(&w, 0, sizeof w);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w.cond, &ca);
	pthread_condattr_destroy(&ca);
	*tp->hs_tail = &w;
	tp->hs_tail = &w.next;
	while (!w.granted) {
		if (intr_pending()) {
			rc = intr_err(h);
			break;
		}
		slice_wait(&w.cond, &tp->hs_lock);
	}
	if (!w.granted) {
		/* Out of the line: hs_grant only takes the first off it. */
		for (pp = &tp->hs_head; *pp != &w; pp = &(*pp)->next)
			;
		if ((*pp = w.next) == NULL)
			tp->hs_tail = pp;
	}
	pthread_mutex_unlock(&tp->hs_lock);
	pthread_cond_destroy(&w.cond);
	return rc;
}

static void
hs_release(struct transport *tp)
{
	pthread_mutex_lock(&tp->hs_lock);
	hs_grant(tp);
	pthread_mutex_unlock(&tp->hs_lock);
}

/* Handshakes in flight to one sshd (address and port). */
struct hs_end {
	struct hs_end	*next;
	char		*id;
	int		 busy;
};

/*
 * Takes one of the TP_ENDPOINT_HANDSHAKES slots of h's sshd, whose
 * MaxStartups counts what is in flight to it alone. Taken before a slot
 * of the transport's, so that a thread waiting here holds none of those.
 */
static int
end_acquire(struct transport *tp, const struct tp_host *h,
    struct hs_end **out)
{
	struct hs_end	*e;
	char		*id = xasprintf("%s:%d", h->address, host_port(h));
	int		 rc = 0;

	pthread_mutex_lock(&tp->hs_lock);
	for (e = tp->ends; e != NULL; e = e->next)
		if (strcmp(e->id, id) == 0)
			break;
	if (e == NULL) {
		e = xcalloc(1, sizeof *e);
		e->id = id;
		id = NULL;	/* transferred */
		e->next = tp->ends;
		tp->ends = e;
	}
	while (e->busy >= TP_ENDPOINT_HANDSHAKES) {
		if (intr_pending()) {
			rc = intr_err(h);
			break;
		}
		slice_wait(&tp->ends_cond, &tp->hs_lock);
	}
	if (rc == 0)
		e->busy++;
	pthread_mutex_unlock(&tp->hs_lock);
	free(id);
	*out = rc == 0 ? e : NULL;
	return rc;
}

static void
end_release(struct transport *tp, struct hs_end *e)
{
	if (e == NULL)
		return;
	pthread_mutex_lock(&tp->hs_lock);
	e->busy--;
	pthread_cond_broadcast(&tp->ends_cond);
	pthread_mutex_unlock(&tp->hs_lock);
}

/* Both slots of a handshake to h: its sshd's, then the transport's. */
static int
slots_acquire(struct transport *tp, const struct tp_host *h,
    struct hs_end **e)
{
	int	rc;

	if ((rc = end_acquire(tp, h, e)) != 0)
		return rc;
	if ((rc = hs_acquire(tp, h)) != 0) {
		end_release(tp, *e);
		*e = NULL;
	}
	return rc;
}

static void
slots_release(struct transport *tp, struct hs_end *e)
{
	hs_release(tp);
	end_release(tp, e);
}

/*
 * Bounds libssh's next blocking calls to ms. libssh reads the option at
 * each call, and treats 0 as "forever", so at least 1 ms is set.
 */
static void
sess_budget(ssh_session ssh, int64_t ms)
{
	long	sec, usec;

	if (ms < 1)
		ms = 1;
	if (ms > (int64_t)1000 * 86400)
		ms = (int64_t)1000 * 86400;
	sec = (long)(ms / 1000);
	usec = (long)(ms % 1000) * 1000;
	ssh_options_set(ssh, SSH_OPTIONS_TIMEOUT, &sec);
	ssh_options_set(ssh, SSH_OPTIONS_TIMEOUT_USEC, &usec);
}

/* libssh's reason for a failed call; a timeout leaves no message. */
static const char *
ssh_why(ssh_session ssh, int r)
{
	const char	*e;

	if (r == SSH_AGAIN)
		return "timed out";
	e = ssh_get_error(ssh);
	if (e == NULL || *e == '\0')
		return ssh_is_connected(ssh) ? "unknown error" :
		    "connection lost";
	return e;
}

/* Closes and frees a session, spending little time on a dead peer. */
static void
conn_close(ssh_session ssh)
{
	if (ssh == NULL)
		return;
	sess_budget(ssh, TP_CLOSE_MS);
	ssh_disconnect(ssh);
	ssh_free(ssh);
}

/*
 * Opens the TCP connection and does the key exchange, by deadline. libssh
 * is pointed at hvsh's known_hosts file for both its user and global
 * lookups and kept away from ssh_config, so nothing outside hvsh can
 * redirect a host or loosen a check.
 */
static int
conn_open(struct transport *tp, const struct tp_host *h, int64_t deadline,
    ssh_session *out)
{
	ssh_session	ssh;
	unsigned int	port = (unsigned int)host_port(h);
	int		one = 1, r, rc;
	bool		no = false;

	*out = NULL;
	if ((ssh = ssh_new()) == NULL)
		return err_set(ERR_IO, "%s: cannot create an SSH session",
		    host_label(h));
	if (ssh_options_set(ssh, SSH_OPTIONS_HOST, h->address) < 0 ||
	    ssh_options_set(ssh, SSH_OPTIONS_PORT, &port) < 0 ||
	    (h->user != NULL &&
	    ssh_options_set(ssh, SSH_OPTIONS_USER, h->user) < 0) ||
	    ssh_options_set(ssh, SSH_OPTIONS_NODELAY, &one) < 0 ||
	    ssh_options_set(ssh, SSH_OPTIONS_KNOWNHOSTS, tp->known_hosts) < 0 ||
	    ssh_options_set(ssh, SSH_OPTIONS_GLOBAL_KNOWNHOSTS,
	    tp->known_hosts) < 0 ||
	    ssh_options_set(ssh, SSH_OPTIONS_PROCESS_CONFIG, &no) < 0 ||
	    ssh_options_set(ssh, SSH_OPTIONS_CIPHERS_C_S, TP_CIPHERS) < 0 ||
	    ssh_options_set(ssh, SSH_OPTIONS_CIPHERS_S_C, TP_CIPHERS) < 0) {
		rc = err_set(ERR_INVAL, "%s: bad SSH settings: %s",
		    host_label(h), ssh_why(ssh, SSH_ERROR));
		goto out;
	}
	sess_budget(ssh, deadline - mono_ms());
	if ((r = ssh_connect(ssh)) != SSH_OK) {
		rc = err_set(ERR_IO, "%s: cannot connect to %s port %u: %s",
		    host_label(h), h->address, port, ssh_why(ssh, r));
		goto out;
	}
	*out = ssh;
	ssh = NULL;	/* transferred */
	rc = 0;
out:
	if (ssh != NULL)
		ssh_free(ssh);
	return rc;
}

/* "SHA256:..." of key, as ssh-keygen -l prints it. Caller frees. */
static char *
key_fingerprint(ssh_key key)
{
	unsigned char	*hash = NULL;
	size_t		 hlen = 0;
	char		*fp, *s;

	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash,
	    &hlen) != 0)
		return NULL;
	fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	ssh_clean_pubkey_hash(&hash);
	if (fp == NULL)
		return NULL;
	s = xstrdup(fp);
	ssh_string_free_char(fp);
	return s;
}

/*
 * The keys pinned for h, as "type SHA256:..." joined by ", ". libssh says
 * that a key changed but not what it was, and the user needs both to judge.
 */
static char *
pinned_keys(struct transport *tp, const struct tp_host *h)
{
	struct buf	 b = { 0 };
	FILE		*f;
	char		*line = NULL, *match, *p, *fp;
	size_t		 cap = 0;
	ssize_t		 n;

	if (host_port(h) == 22)
		match = xstrdup(h->address);
	else
		match = xasprintf("[%s]:%d", h->address, host_port(h));
	/* libssh compares lowercased names; so must we. */
	for (p = match; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if ((f = fopen(tp->known_hosts, "re")) != NULL) {
		while ((n = getline(&line, &cap, f)) != -1) {
			struct ssh_knownhosts_entry	*e = NULL;

			line[strcspn(line, "\r\n")] = '\0';
			for (p = line; isspace((unsigned char)*p); p++)
				;
			if (*p == '\0' || *p == '#')
				continue;
			if (ssh_known_hosts_parse_line(match, line, &e) !=
			    SSH_OK || e == NULL)
				continue;
			fp = key_fingerprint(e->publickey);
			buf_printf(&b, "%s%s %s", b.len > 0 ? ", " : "",
			    ssh_key_type_to_char(ssh_key_type(e->publickey)),
			    fp != NULL ? fp : "(unreadable)");
			free(fp);
			ssh_knownhosts_entry_free(e);
		}
		fclose(f);
	}
	free(line);
	free(match);
	if (b.len == 0)
		buf_addstr(&b, "(none readable)");
	return buf_take(&b);
}

/*
 * Checks the key the server offered against the pinned ones. Returns 0 if
 * it is pinned, or if allow_unknown (scanning, accepting) and nothing is
 * pinned for the host; a changed key is refused always, naming both keys.
 * *pinned says whether it was pinned; *fpp and *typep, if not NULL, get the
 * offered key's fingerprint and type.
 */
static int
hostkey_check(struct transport *tp, const struct tp_host *h, ssh_session ssh,
    int allow_unknown, int *pinned, char **fpp, char **typep)
{
	ssh_key			 key = NULL;
	char			*fp = NULL, *old = NULL;
	const char		*type;
	enum ssh_known_hosts_e	 kh;
	int			 rc;

	*pinned = 0;
	if (fpp != NULL)
		*fpp = NULL;
	if (typep != NULL)
		*typep = NULL;
	if (ssh_get_server_publickey(ssh, &key) != SSH_OK ||
	    (fp = key_fingerprint(key)) == NULL) {
		rc = err_set(ERR_IO, "%s: cannot read the server's host key: "
		    "%s", host_label(h), ssh_why(ssh, SSH_ERROR));
		goto out;
	}
	type = ssh_key_type_to_char(ssh_key_type(key));
	if (type == NULL)
		type = "unknown";
	kh = ssh_session_is_known_server(ssh);
	switch (kh) {
	case SSH_KNOWN_HOSTS_OK:
		*pinned = 1;
		rc = 0;
		break;
	case SSH_KNOWN_HOSTS_CHANGED:
		old = pinned_keys(tp, h);
		rc = err_set(ERR_PERM, "host key of %s has CHANGED: pinned %s, "
		    "offered %s %s; refusing to connect (if the host's key "
		    "was replaced on purpose, remove the old one from %s and "
		    "accept the new one)", host_label(h), old, type, fp,
		    tp->known_hosts);
		break;
	case SSH_KNOWN_HOSTS_OTHER:
		old = pinned_keys(tp, h);
		rc = err_set(ERR_PERM, "host key of %s has changed type: "
		    "pinned %s, offered %s %s; refusing to connect (if this is "
		    "expected, remove the old key from %s and accept the new "
		    "one)", host_label(h), old, type, fp, tp->known_hosts);
		break;
	case SSH_KNOWN_HOSTS_UNKNOWN:
	case SSH_KNOWN_HOSTS_NOT_FOUND:
		if (allow_unknown)
			rc = 0;
		else
			rc = err_set(ERR_PERM, "host key of %s is not trusted "
			    "yet: %s (confirm it with --accept-key %s)",
			    host_label(h), fp, fp);
		break;
	default:
		rc = err_set(ERR_IO, "%s: cannot check the host key against "
		    "%s: %s", host_label(h), tp->known_hosts,
		    ssh_why(ssh, SSH_ERROR));
		break;
	}
	if (rc == 0) {
		if (fpp != NULL) {
			*fpp = fp;
			fp = NULL;	/* transferred */
		}
		if (typep != NULL)
			*typep = xstrdup(type);
	}
out:
	ssh_key_free(key);
	free(fp);
	free(old);
	return rc;
}

/*
 * What h logs in with: its key file, read now, or (*key NULL) the agent.
 * A failure here is ours, not the host's: no backoff.
 */
static int
auth_key(const struct tp_host *h, ssh_key *key)
{
	*key = NULL;
	if (h->key != NULL) {
		if (ssh_pki_import_privkey_file(h->key, NULL, NULL, NULL,
		    key) != SSH_OK) {
			*key = NULL;
			return err_set(ERR_PERM, "%s: cannot read private key "
			    "%s (a key with a passphrase must be used through "
			    "ssh-agent)", host_label(h), h->key);
		}
		return 0;
	}
	if (getenv("SSH_AUTH_SOCK") == NULL)
		return err_set(ERR_PERM, "%s: no key file is set and no "
		    "ssh-agent is running (SSH_AUTH_SOCK is not set)",
		    host_label(h));
	return 0;
}

/* Logs in with key, or the agent if it is NULL; never with a password. */
static int
conn_auth(struct transport *tp, const struct tp_host *h, ssh_session ssh,
    ssh_key key, int64_t deadline)
{
	const char	*user = h->user != NULL ? h->user : "the local user";
	int		 r;

	sess_budget(ssh, deadline - mono_ms());
	if (key != NULL)
		r = ssh_userauth_publickey(ssh, NULL, key);
	else
		r = ssh_userauth_agent(ssh, NULL);
	switch (r) {
	case SSH_AUTH_SUCCESS:
		return 0;
	case SSH_AUTH_DENIED:
	case SSH_AUTH_PARTIAL:
		return err_set(ERR_PERM, "%s: login as %s refused with %s%s",
		    host_label(h), user, h->key != NULL ? "key " :
		    "the keys in ssh-agent", h->key != NULL ? h->key : "");
	case SSH_AUTH_AGAIN:
		return err_set(ERR_IO, "%s: login timed out (connect timeout "
		    "%d ms)", host_label(h), tp->opts.connect_timeout_ms);
	default:
		return err_set(ERR_IO, "%s: login as %s failed: %s",
		    host_label(h), user, ssh_why(ssh, SSH_ERROR));
	}
}

/*
 * Connects, checks the host key and logs in, all within the connect
 * timeout, which starts once a handshake slot is ours. *host_fault says
 * whether a failure is the host's (connect, key exchange, login) and
 * counts for its backoff; a local problem, an untrusted host key or an
 * interruption does not. The private key is freed as soon as libssh has
 * signed with it.
 */
static int
sess_open(struct transport *tp, const struct tp_host *h, ssh_session *out,
    int *host_fault)
{
	ssh_session	ssh = NULL;
	ssh_key		key = NULL;
	struct hs_end	*end = NULL;
	int64_t		deadline;
	int		pinned, slot = 0, rc;

	*out = NULL;
	*host_fault = 0;
	/*
	 * libssh's blocking calls return early when a Ctrl-C interrupts
	 * their poll (the handler has no SA_RESTART); whatever they then
	 * say, the reason is the interruption.
	 */
	if (intr_pending()) {
		rc = intr_err(h);
		goto out;
	}
	if ((rc = slots_acquire(tp, h, &end)) != 0)
		goto out;
	slot = 1;
	deadline = mono_ms() + tp->opts.connect_timeout_ms;
	if ((rc = conn_open(tp, h, deadline, &ssh)) != 0) {
		*host_fault = 1;
		goto out;
	}
	if (intr_pending()) {
		rc = intr_err(h);
		goto out;
	}
	if ((rc = hostkey_check(tp, h, ssh, 0, &pinned, NULL, NULL)) != 0)
		goto out;
	if ((rc = auth_key(h, &key)) != 0)
		goto out;
	rc = conn_auth(tp, h, ssh, key, deadline);
	ssh_key_free(key);
	key = NULL;
	if (rc != 0) {
		*host_fault = 1;
		goto out;
	}
	if (intr_pending()) {
		rc = intr_err(h);
		goto out;
	}
	*out = ssh;
	ssh = NULL;	/* transferred */
out:
	if (rc != 0 && rc != ERR_CANCEL && intr_pending())
		rc = intr_err(h);
	if (rc == ERR_CANCEL)
		*host_fault = 0;
	if (slot)
		slots_release(tp, end);
	ssh_key_free(key);
	conn_close(ssh);
	return rc;
}

static void
sess_drop(struct tp_sess *s)
{
	conn_close(s->ssh);
	s->ssh = NULL;
}

/*
 * Whether a kept session still works. A peer that closed is seen at once;
 * one that vanished (host rebooted, NAT forgot us) only answers nothing, so
 * a session idle for long is asked for a reply first: the keepalive global
 * request, which the server must answer even though it refuses it.
 */
static int
sess_alive(struct transport *tp, struct tp_sess *s)
{
	int64_t	t0, budget;

	if (!ssh_is_connected(s->ssh))
		return 0;
	if (mono_ms() - s->last < tp->probe_idle_ms)
		return 1;
	budget = tp->opts.connect_timeout_ms;
	t0 = mono_ms();
	sess_budget(s->ssh, budget);
	ssh_send_keepalive(s->ssh);
	return ssh_is_connected(s->ssh) && mono_ms() - t0 < budget;
}

static int
timeout_err(struct transport *tp, const struct tp_host *h)
{
	return err_set(ERR_IO, "%s: command timed out after %d ms",
	    host_label(h), tp->opts.command_timeout_ms);
}

/* Keeps up to cap bytes of a stream, noting what was cut. */
static void
keep(struct buf *b, const char *p, size_t n, size_t cap, int *truncated)
{
	size_t	room = b->len < cap ? cap - b->len : 0;

	if (n > room) {
		*truncated = 1;
		n = room;
	}
	if (n > 0)
		buf_add(b, p, n);
}

/*
 * What a command reads on stdin: bytes in memory, or a file streamed from
 * fd until its end. A streamed command's deadline is one of inactivity:
 * every block that goes out moves it on.
 */
struct tp_input {
	const char	*mem;
	size_t		 len;
	int		 fd;		/* -1: mem */
	int64_t		 sent;		/* bytes of fd written so far */
	tp_progress_fn	 progress;	/* told of sent, or NULL */
	void		*arg;
};

/*
 * Feeds stdin and reads both streams until the remote side closes them, by
 * deadline. Stdin is written only as far as the channel window allows, so a
 * command that writes before it reads cannot deadlock against us. Partial
 * output is kept in res even on failure.
 */
static int
chan_io(struct transport *tp, const struct tp_host *h, ssh_session ssh,
    ssh_channel ch, struct tp_input *ti, int64_t *deadlinep, int *timed_out,
    struct tp_result *res)
{
	struct buf	 b[2] = { { 0 }, { 0 } };
	char		*chunk, *fbuf = NULL;
	const char	*in = ti->mem;
	size_t		 inlen = ti->len, off = 0, n;
	int		 eof[2] = { 0, 0 }, eof_sent = 0, fd_eof = 0, i, r, rc;
	int		 wait;
	int64_t		 left, deadline = *deadlinep;
	ssize_t		 got;
	uint32_t	 win;

	*timed_out = 0;
	chunk = xmalloc(TP_CHUNK);
	if (ti->fd >= 0) {
		in = fbuf = xmalloc(TP_FEED);
		inlen = 0;
	}
	for (;;) {
		/* Every pass waits TP_SLICE_MS at most: Ctrl-C is seen soon. */
		if (intr_pending()) {
			*timed_out = 1;
			rc = intr_err(h);
			goto out;
		}
		if ((left = deadline - mono_ms()) <= 0) {
			*timed_out = 1;
			rc = timeout_err(tp, h);
			goto out;
		}
		sess_budget(ssh, left);
		/*
		 * A command may exit without reading all its input, and then
		 * libssh refuses writes to the closed channel. Like a broken
		 * pipe that only ends the input; whether the session itself
		 * broke is for the polling below to find out.
		 */
		if (ti->fd >= 0 && !fd_eof && off == inlen) {
			if ((got = read(ti->fd, fbuf, TP_FEED)) < 0) {
				if (errno == EINTR)
					continue;
				rc = err_set(ERR_IO, "%s: reading what to "
				    "send: %s", host_label(h), strerror(errno));
				goto out;
			}
			fd_eof = got == 0;
			off = 0;
			inlen = (size_t)got;
		}
		win = 0;
		if (!eof_sent && off < inlen &&
		    (win = ssh_channel_window_size(ch)) > 0) {
			n = inlen - off < win ? inlen - off : win;
			if ((r = ssh_channel_write(ch, in + off,
			    (uint32_t)n)) < 0)
				eof_sent = 1;
			else {
				off += (size_t)r;
				if (ti->fd >= 0) {
					ti->sent += r;
					if (ti->progress != NULL)
						ti->progress(ti->arg, ti->sent);
					deadline = mono_ms() +
					    tp->opts.command_timeout_ms;
				}
			}
		}
		if (!eof_sent && off == inlen && (ti->fd < 0 || fd_eof)) {
			ssh_channel_send_eof(ch);
			eof_sent = 1;
		}
		/*
		 * Wait for output, but not while more input could go out now,
		 * and only briefly while input waits for the window to open.
		 */
		if (!eof_sent)
			wait = win > 0 ? 0 : TP_WINDOW_MS;
		else
			wait = TP_SLICE_MS;
		if (wait > left)
			wait = (int)left;
		if (ssh_channel_poll_timeout(ch, wait, 0) == SSH_ERROR) {
			/* A Ctrl-C interrupts the poll itself. */
			if (intr_pending()) {
				*timed_out = 1;
				rc = intr_err(h);
				goto out;
			}
			rc = err_set(ERR_IO, "%s: connection lost: %s",
			    host_label(h), ssh_why(ssh, SSH_ERROR));
			goto out;
		}
		for (i = 0; i < 2; i++) {
			while (!eof[i]) {
				r = ssh_channel_read_nonblocking(ch, chunk,
				    TP_CHUNK, i);
				if (r == SSH_EOF)
					eof[i] = 1;
				else if (r < 0) {
					rc = err_set(ERR_IO, "%s: connection "
					    "lost: %s", host_label(h),
					    ssh_why(ssh, SSH_ERROR));
					goto out;
				} else if (r == 0)
					break;
				else
					keep(&b[i], chunk, (size_t)r,
					    tp->opts.output_cap,
					    &res->truncated);
			}
		}
		if (eof[0] && eof[1])
			break;
	}
	rc = 0;
out:
	*deadlinep = deadline;
	free(fbuf);
	free(chunk);
	free(res->out);
	free(res->err);
	res->outlen = b[0].len;
	res->out = buf_take(&b[0]);
	res->errlen = b[1].len;
	res->err = buf_take(&b[1]);
	return rc;
}

/*
 * Opens a session channel. The request goes out without waiting, and the
 * socket is put in quick-ACK mode before we wait for the answer: sshd has
 * no TCP_NODELAY until a session starts, so it holds its small reply (Nagle)
 * until the data it sent right after login is acknowledged, and our delayed
 * ACK would add 40 ms to the first command of every session.
 */
static int
chan_open(ssh_session ssh, ssh_channel ch)
{
	int	r;

	ssh_set_blocking(ssh, 0);
	r = ssh_channel_open_session(ch);
	ssh_set_blocking(ssh, 1);
	if (r != SSH_AGAIN)
		return r;
#ifdef TCP_QUICKACK
	{
		int	one = 1;

		setsockopt(ssh_get_fd(ssh), IPPROTO_TCP, TCP_QUICKACK, &one,
		    sizeof one);
	}
#endif
	return ssh_channel_open_session(ch);
}

/*
 * Runs cmd on an open session in a new channel. *sent is set once the exec
 * request has gone out: from then on the command may have run, and it must
 * not be run again on another session.
 */
static int
chan_run(struct transport *tp, const struct tp_host *h, ssh_session ssh,
    const char *cmd, struct tp_input *in, struct tp_result *res, int *sent)
{
	ssh_channel	ch = NULL;
	int64_t		start = mono_ms(), deadline, left;
	int		timed_out = 0, st, r, rc;

	*sent = 0;
	deadline = start + tp->opts.command_timeout_ms;
	/*
	 * Opening the channel is a round trip like those of connecting; on a
	 * session that died silently it is where we notice, so it gets the
	 * shorter of the two timeouts.
	 */
	left = tp->opts.connect_timeout_ms < tp->opts.command_timeout_ms ?
	    tp->opts.connect_timeout_ms : tp->opts.command_timeout_ms;
	sess_budget(ssh, left);
	if ((ch = ssh_channel_new(ssh)) == NULL) {
		rc = err_set(ERR_IO, "%s: cannot create a channel: %s",
		    host_label(h), ssh_why(ssh, SSH_ERROR));
		goto out;
	}
	if ((r = chan_open(ssh, ch)) != SSH_OK) {
		rc = intr_pending() ? intr_err(h) : err_set(ERR_IO, "%s: "
		    "cannot open a channel: %s", host_label(h), ssh_why(ssh, r));
		goto out;
	}
	if (intr_pending()) {
		rc = intr_err(h);
		goto out;
	}
	if ((left = deadline - mono_ms()) <= 0) {
		timed_out = 1;
		rc = timeout_err(tp, h);
		goto out;
	}
	sess_budget(ssh, left);
	*sent = 1;
	if ((r = ssh_channel_request_exec(ch, cmd)) != SSH_OK) {
		rc = err_set(ERR_IO, "%s: cannot start the command: %s",
		    host_label(h), ssh_why(ssh, r));
		goto out;
	}
	if ((rc = chan_io(tp, h, ssh, ch, in, &deadline, &timed_out, res)) != 0)
		goto out;
	/* The exit status travels after the EOF; give it what time is left. */
	sess_budget(ssh, deadline - mono_ms());
	st = ssh_channel_get_exit_status(ch);
	if (st < 0 && !ssh_is_connected(ssh)) {
		rc = err_set(ERR_IO, "%s: connection lost: %s", host_label(h),
		    ssh_why(ssh, SSH_ERROR));
		goto out;
	}
	if (st < 0 && !ssh_channel_is_closed(ch) && mono_ms() >= deadline) {
		timed_out = 1;
		rc = timeout_err(tp, h);
		goto out;
	}
	res->status = st < 0 ? -1 : st;
	rc = 0;
out:
	if (ch != NULL) {
		/*
		 * A command that overran or was interrupted is asked to stop;
		 * servers that do not support "signal" (or not for root)
		 * ignore it, and the remote time bound (tp_command_line) ends
		 * it.
		 */
		if (timed_out)
			ssh_channel_request_send_signal(ch, "TERM");
		sess_budget(ssh, TP_CLOSE_MS);
		if (ssh_is_connected(ssh))
			ssh_channel_close(ch);
		ssh_channel_free(ch);
	}
	return rc;
}

static void
backoff_clear(struct tp_sess *s)
{
	s->nfail = 0;
	s->retry_at = 0;
	s->fail_rc = 0;
	free(s->fail_msg);
	s->fail_msg = NULL;
}

/*
 * Within s's backoff window (s->lock held), the last failure again, saying
 * when the next try is, instead of a connect timeout spent again (a
 * dashboard refreshes every few seconds); else 0.
 */
static int
backoff_check(struct tp_sess *s)
{
	int64_t	now = mono_ms();

	if (s->fail_msg == NULL || now >= s->retry_at)
		return 0;
	return err_set(s->fail_rc, "%s (next try in %d s)", s->fail_msg,
	    (int)((s->retry_at - now + 999) / 1000));
}

/*
 * Notes a failure of the host's (rc, with its message in err_msg()): the
 * window is TP_BACKOFF_FIRST_MS after one, doubled by each that follows,
 * at most TP_BACKOFF_MAX_MS.
 */
static void
backoff_fail(struct tp_sess *s, int rc)
{
	int64_t	window = TP_BACKOFF_FIRST_MS;
	int	i;

	for (i = 0; i < s->nfail && window < TP_BACKOFF_MAX_MS; i++)
		window *= 2;
	if (window > TP_BACKOFF_MAX_MS)
		window = TP_BACKOFF_MAX_MS;
	s->nfail++;
	s->retry_at = mono_ms() + window;
	s->fail_rc = rc;
	free(s->fail_msg);
	s->fail_msg = xstrdup(err_msg());
}

/* Opens s, with s->lock held, unless it failed lately. */
static int
sess_connect(struct transport *tp, struct tp_sess *s, const struct tp_host *h)
{
	int	host_fault, rc;

	if ((rc = backoff_check(s)) != 0)
		return rc;
	if ((rc = sess_open(tp, h, &s->ssh, &host_fault)) == 0) {
		backoff_clear(s);
		return 0;
	}
	if (host_fault)
		backoff_fail(s, rc);
	return rc;
}

/*
 * Runs cmd on s, opening it if needed, with s->lock held. A kept session
 * that fails before the command went out is taken to be dead: it is
 * reopened once and the command tried again. After the command went out a
 * failure is final, since running it twice could do a change twice.
 */
static int
run_locked(struct transport *tp, struct tp_sess *s, const struct tp_host *h,
    const char *cmd, struct tp_input *in, struct tp_result *res)
{
	int	attempt, fresh, sent, rc = ERR_IO;

	for (attempt = 0; attempt < 2; attempt++) {
		fresh = 0;
		if (s->ssh != NULL && !sess_alive(tp, s))
			sess_drop(s);
		if (s->ssh == NULL) {
			if ((rc = sess_connect(tp, s, h)) != 0)
				return rc;
			fresh = 1;
		}
		rc = chan_run(tp, h, s->ssh, cmd, in, res, &sent);
		if (rc == 0) {
			s->last = mono_ms();
			return 0;
		}
		sess_drop(s);
		if (sent || fresh || rc == ERR_CANCEL)
			break;
	}
	return rc;
}

static char *
sess_id(const struct tp_host *h)
{
	return xasprintf("%s@%s:%d", h->user != NULL ? h->user : "",
	    h->address, host_port(h));
}

/* The kept session for h, created (closed) if there is none. */
static struct tp_sess *
sess_get(struct transport *tp, const struct tp_host *h, int create)
{
	struct tp_sess	*s;
	char		*id = sess_id(h);

	pthread_mutex_lock(&tp->lock);
	for (s = tp->sessions; s != NULL; s = s->next)
		if (strcmp(s->id, id) == 0)
			break;
	if (s == NULL && create) {
		s = xcalloc(1, sizeof *s);
		s->id = id;
		id = NULL;	/* transferred */
		pthread_mutex_init(&s->lock, NULL);
		s->next = tp->sessions;
		tp->sessions = s;
	}
	pthread_mutex_unlock(&tp->lock);
	free(id);
	return s;
}

/* Refuses what would confuse libssh or the session cache. */
static int
host_check(const struct tp_host *h)
{
	if (h == NULL || h->address == NULL || *h->address == '\0')
		return err_set(ERR_INVAL, "host has no address");
	/* libssh reads "user@host" out of the host option. */
	if (strpbrk(h->address, "@ \t\r\n") != NULL)
		return err_set(ERR_INVAL, "%s: bad address \"%s\"",
		    host_label(h), h->address);
	if (h->port < 0 || h->port > 65535)
		return err_set(ERR_INVAL, "%s: bad port %d", host_label(h),
		    h->port);
	return 0;
}

void
tp_result_free(struct tp_result *res)
{
	if (res == NULL)
		return;
	free(res->errmsg);
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof *res);
	res->status = -1;
}

int
tp_new(const struct tp_opts *opts, struct transport **out)
{
	struct transport	*tp;
	pthread_condattr_t	 ca;

	*out = NULL;
	if (opts == NULL || opts->known_hosts == NULL ||
	    *opts->known_hosts == '\0')
		return err_set(ERR_INVAL, "transport: no known_hosts file");
	/* libssh expands %d, %u, %h... in this path; ours must stay as is. */
	if (strchr(opts->known_hosts, '%') != NULL)
		return err_set(ERR_INVAL, "transport: known_hosts path may "
		    "not contain '%%': %s", opts->known_hosts);
	if (opts->connect_timeout_ms < 0 || opts->command_timeout_ms < 0 ||
	    opts->max_parallel < 0 || opts->max_handshakes < 0)
		return err_set(ERR_INVAL, "transport: negative setting");
	pthread_once(&tp_once, tp_init);
	if (tp_init_rc != SSH_OK)
		return err_set(ERR_IO, "transport: libssh failed to start");
	tp = xcalloc(1, sizeof *tp);
	tp->opts = *opts;
	tp->known_hosts = xstrdup(opts->known_hosts);
	tp->opts.known_hosts = tp->known_hosts;
	if (tp->opts.connect_timeout_ms == 0)
		tp->opts.connect_timeout_ms = TP_DEFAULT_CONNECT_TIMEOUT_MS;
	if (tp->opts.command_timeout_ms == 0)
		tp->opts.command_timeout_ms = TP_DEFAULT_COMMAND_TIMEOUT_MS;
	if (tp->opts.output_cap == 0)
		tp->opts.output_cap = TP_DEFAULT_OUTPUT_CAP;
	if (tp->opts.max_parallel == 0)
		tp->opts.max_parallel = TP_DEFAULT_MAX_PARALLEL;
	if (tp->opts.max_handshakes == 0)
		tp->opts.max_handshakes = TP_DEFAULT_MAX_HANDSHAKES;
	tp->probe_idle_ms = TP_DEFAULT_PROBE_IDLE_MS;
	pthread_mutex_init(&tp->lock, NULL);
	pthread_mutex_init(&tp->kh_lock, NULL);
	pthread_mutex_init(&tp->hs_lock, NULL);
	tp->hs_free = tp->opts.max_handshakes;
	tp->hs_tail = &tp->hs_head;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&tp->ends_cond, &ca);
	pthread_condattr_destroy(&ca);
	*out = tp;
	return 0;
}

void
tp_free(struct transport *tp)
{
	struct tp_sess	*s, *next;
	struct hs_end	*e, *enext;

	if (tp == NULL)
		return;
	for (s = tp->sessions; s != NULL; s = next) {
		next = s->next;
		sess_drop(s);
		backoff_clear(s);
		pthread_mutex_destroy(&s->lock);
		free(s->id);
		free(s);
	}
	for (e = tp->ends; e != NULL; e = enext) {
		enext = e->next;
		free(e->id);
		free(e);
	}
	pthread_cond_destroy(&tp->ends_cond);
	pthread_mutex_destroy(&tp->lock);
	pthread_mutex_destroy(&tp->kh_lock);
	pthread_mutex_destroy(&tp->hs_lock);
	free(tp->known_hosts);
	free(tp);
}

void
tp_set_probe_idle(struct transport *tp, int ms)
{
	tp->probe_idle_ms = ms < 0 ? 0 : ms;
}

/*
 * A streamed command's line: the C locale, but no time bound on the host,
 * since it lasts as long as its input; it ends when the channel does.
 */
char *
tp_stream_line(char *const argv[])
{
	char	**full, *line;
	size_t	  n, k;

	for (n = 0; argv[n] != NULL; n++)
		;
	full = xcalloc(n + 3, sizeof *full);
	full[0] = (char *)"env";
	full[1] = (char *)"LC_ALL=C";
	for (k = 0; k < n; k++)
		full[k + 2] = argv[k];
	line = quote_argv(full);
	free(full);
	return line;
}

char *
tp_command_line(const struct transport *tp, char *const argv[])
{
	char	**full, *line, secs[32];
	size_t	  n, i, k = 0;
	int64_t	  ms;

	ms = tp != NULL ? tp->opts.command_timeout_ms :
	    TP_DEFAULT_COMMAND_TIMEOUT_MS;
	snprintf(secs, sizeof secs, "%" PRId64,
	    (ms + 999) / 1000 + TP_REMOTE_MARGIN_S);
	for (n = 0; argv != NULL && argv[n] != NULL; n++)
		;
	full = xcalloc(n + 8, sizeof *full);
	full[k++] = (char *)"env";
	full[k++] = (char *)"LC_ALL=C";
	full[k++] = (char *)"timeout";
	full[k++] = (char *)"-k";
	full[k++] = (char *)"5";
	full[k++] = secs;
	for (i = 0; i < n; i++)
		full[k++] = argv[i];
	full[k] = NULL;
	line = quote_argv(full);
	free(full);
	return line;
}

/* tp_run and tp_put: argv on h with in on its stdin; line builds cmd. */
static int
run_input(struct transport *tp, const struct tp_host *h, char *const argv[],
    struct tp_input *in, int bounded, struct tp_result *res)
{
	struct tp_sess	*s;
	char		*cmd = NULL;
	double		 t0 = mono_ms_f();
	int		 rc;

	if (res == NULL)
		return err_set(ERR_INVAL, "tp_run: no result");
	memset(res, 0, sizeof *res);
	res->status = -1;
	if ((rc = host_check(h)) != 0)
		goto out;
	if (argv == NULL || argv[0] == NULL) {
		rc = err_set(ERR_INVAL, "%s: empty command", host_label(h));
		goto out;
	}
	if (intr_pending()) {
		rc = intr_err(h);
		goto out;
	}
	cmd = bounded ? tp_command_line(tp, argv) : tp_stream_line(argv);
	s = sess_get(tp, h, 1);
	pthread_mutex_lock(&s->lock);
	rc = run_locked(tp, s, h, cmd, in, res);
	pthread_mutex_unlock(&s->lock);
out:
	if (res->out == NULL) {
		res->out = xstrdup("");
		res->outlen = 0;
	}
	if (res->err == NULL) {
		res->err = xstrdup("");
		res->errlen = 0;
	}
	res->rc = rc;
	if (rc != 0)
		res->errmsg = xstrdup(err_msg());
	res->elapsed_ms = mono_ms_f() - t0;
	free(cmd);
	return rc;
}

int
tp_run(struct transport *tp, const struct tp_host *h, char *const argv[],
    const char *stdin_data, struct tp_result *res)
{
	struct tp_input	in = { stdin_data, stdin_data != NULL ?
			    strlen(stdin_data) : 0, -1, 0, NULL, NULL };

	return run_input(tp, h, argv, &in, 1, res);
}

int
tp_put(struct transport *tp, const struct tp_host *h, char *const argv[],
    int fd, tp_progress_fn progress, void *arg, int64_t *sent,
    struct tp_result *res)
{
	struct tp_input	in = { NULL, 0, fd, 0, progress, arg };
	int		rc;

	rc = run_input(tp, h, argv, &in, 0, res);
	if (sent != NULL)
		*sent = in.sent;
	return rc;
}

/* A job's index and its session's id, sorted to group jobs by session. */
struct tp_key {
	char	*id;
	size_t	 job;
};

/* One session's jobs: keys[start .. end), in the order they were given. */
struct tp_group {
	size_t	start, end;
	size_t	first;		/* its first job's index */
};

/* The state tp_run_many's workers share. */
struct tp_many {
	struct transport	*tp;
	struct tp_job		*jobs;
	struct tp_key		*keys;
	struct tp_group		*groups;
	size_t			 ngroups;
	size_t			 next;	/* next group to take */
	pthread_mutex_t		 lock;
};

/* By session, then by job: a host's jobs keep their order. */
static int
key_cmp(const void *a, const void *b)
{
	const struct tp_key	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->id, y->id)) != 0)
		return c;
	return x->job < y->job ? -1 : x->job > y->job;
}

/* Groups in the order of their first job, as the caller listed hosts. */
static int
group_cmp(const void *a, const void *b)
{
	const struct tp_group	*x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/*
 * Takes one host's jobs at a time and runs them in order. Jobs for one
 * host would queue on its session anyway; handing out whole hosts keeps
 * every worker busy on a host of its own.
 */
static void *
tp_many_worker(void *arg)
{
	struct tp_many	*m = arg;
	struct tp_job	*j;
	size_t		 g, i;

	for (;;) {
		pthread_mutex_lock(&m->lock);
		g = m->next < m->ngroups ? m->next++ : m->ngroups;
		pthread_mutex_unlock(&m->lock);
		if (g == m->ngroups)
			break;
		for (i = m->groups[g].start; i < m->groups[g].end; i++) {
			j = &m->jobs[m->keys[i].job];
			tp_run(m->tp, j->host, j->argv, j->stdin_data,
			    &j->res);
		}
	}
	return NULL;
}

/*
 * Groups jobs by session in O(n log n): the keys sorted by session id,
 * each run of one id a group, the groups sorted by their first job.
 */
static void
tp_many_group(struct tp_many *m, size_t njobs)
{
	size_t	i;

	m->keys = xcalloc(njobs, sizeof *m->keys);
	m->groups = xcalloc(njobs, sizeof *m->groups);
	for (i = 0; i < njobs; i++) {
		m->keys[i].id = host_check(m->jobs[i].host) == 0 ?
		    sess_id(m->jobs[i].host) : xasprintf("invalid %zu", i);
		m->keys[i].job = i;
	}
	qsort(m->keys, njobs, sizeof *m->keys, key_cmp);
	for (i = 0; i < njobs; i++) {
		if (i == 0 || strcmp(m->keys[i].id, m->keys[i - 1].id) != 0) {
			m->groups[m->ngroups].start = i;
			m->groups[m->ngroups++].first = m->keys[i].job;
		}
		m->groups[m->ngroups - 1].end = i + 1;
	}
	qsort(m->groups, m->ngroups, sizeof *m->groups, group_cmp);
}

void
tp_run_many(struct transport *tp, struct tp_job *jobs, size_t njobs)
{
	struct tp_many	 m;
	sigset_t	 block, old;
	pthread_t	*th;
	size_t		 i, nth, started = 0;

	if (njobs == 0)
		return;
	memset(&m, 0, sizeof m);
	m.tp = tp;
	m.jobs = jobs;
	tp_many_group(&m, njobs);
	pthread_mutex_init(&m.lock, NULL);
	nth = (size_t)tp->opts.max_parallel;
	if (nth > m.ngroups)
		nth = m.ngroups;
	th = xcalloc(nth, sizeof *th);
	/*
	 * This thread works too; if no thread can be had, alone. The
	 * workers block SIGINT, so that a Ctrl-C interrupts this thread's
	 * wait; they see intr_pending() within a poll slice.
	 */
	if (nth > 1) {
		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		pthread_sigmask(SIG_BLOCK, &block, &old);
		for (started = 0; started < nth - 1; started++)
			if (pthread_create(&th[started], NULL, tp_many_worker,
			    &m) != 0)
				break;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	tp_many_worker(&m);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&m.lock);
	for (i = 0; i < njobs; i++)
		free(m.keys[i].id);
	free(m.keys);
	free(m.groups);
	free(th);
}

/*
 * Connects to h for a host key operation: no login, no session kept. It
 * takes a handshake slot like any, and keeps to the host's backoff, which
 * a failure to connect extends (`host check` scans, then runs).
 */
static int
hostkey_conn(struct transport *tp, const struct tp_host *h, ssh_session *out)
{
	struct tp_sess	*s;
	struct hs_end	*end = NULL;
	int		 rc;

	*out = NULL;
	if ((rc = host_check(h)) != 0)
		return rc;
	s = sess_get(tp, h, 1);
	pthread_mutex_lock(&s->lock);
	if ((rc = backoff_check(s)) != 0 ||
	    (rc = slots_acquire(tp, h, &end)) != 0)
		goto out;
	rc = conn_open(tp, h, mono_ms() + tp->opts.connect_timeout_ms, out);
	slots_release(tp, end);
	if (rc != 0 && intr_pending())
		rc = intr_err(h);
	else if (rc != 0)
		backoff_fail(s, rc);
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
tp_hostkey_scan(struct transport *tp, const struct tp_host *h,
    char **fingerprint, char **keytype)
{
	ssh_session	 ssh = NULL;
	char		*fp = NULL, *type = NULL;
	int		 pinned, rc;

	*fingerprint = NULL;
	if (keytype != NULL)
		*keytype = NULL;
	if ((rc = hostkey_conn(tp, h, &ssh)) != 0)
		goto out;
	if ((rc = hostkey_check(tp, h, ssh, 1, &pinned, &fp, &type)) != 0)
		goto out;
	*fingerprint = fp;
	fp = NULL;	/* transferred */
	if (keytype != NULL) {
		*keytype = type;
		type = NULL;	/* transferred */
	}
out:
	conn_close(ssh);
	free(fp);
	free(type);
	return rc;
}

/* Creates hvsh's known_hosts file private, before libssh appends to it. */
static int
kh_create(struct transport *tp)
{
	int	fd;

	fd = open(tp->known_hosts, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0600);
	if (fd == -1)
		return err_set(ERR_IO, "cannot create %s: %s", tp->known_hosts,
		    strerror(errno));
	close(fd);
	return 0;
}

int
tp_hostkey_accept(struct transport *tp, const struct tp_host *h,
    const char *fingerprint)
{
	ssh_session	 ssh = NULL;
	char		*fp = NULL, *want = NULL;
	int		 pinned, rc;

	if (fingerprint == NULL || *fingerprint == '\0')
		return err_set(ERR_INVAL, "no fingerprint to accept");
	if (strncmp(fingerprint, "SHA256:", 7) == 0)
		want = xstrdup(fingerprint);
	else
		want = xasprintf("SHA256:%s", fingerprint);
	if ((rc = hostkey_conn(tp, h, &ssh)) != 0)
		goto out;
	if ((rc = hostkey_check(tp, h, ssh, 1, &pinned, &fp, NULL)) != 0)
		goto out;
	if (strcmp(fp, want) != 0) {
		rc = err_set(ERR_PERM, "host key of %s is %s, not the "
		    "confirmed %s; nothing was pinned", host_label(h), fp,
		    want);
		goto out;
	}
	if (pinned)
		goto out;	/* already there */
	pthread_mutex_lock(&tp->kh_lock);
	if ((rc = kh_create(tp)) == 0 &&
	    ssh_session_update_known_hosts(ssh) != SSH_OK)
		rc = err_set(ERR_IO, "%s: cannot write %s: %s", host_label(h),
		    tp->known_hosts, ssh_why(ssh, SSH_ERROR));
	pthread_mutex_unlock(&tp->kh_lock);
out:
	conn_close(ssh);
	free(fp);
	free(want);
	return rc;
}

void
tp_forget(struct transport *tp, const struct tp_host *h)
{
	struct tp_sess	*s;

	if (tp == NULL || host_check(h) != 0)
		return;
	if ((s = sess_get(tp, h, 0)) == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	sess_drop(s);
	backoff_clear(s);
	pthread_mutex_unlock(&s->lock);
}
