/*
 * transport.h: running commands on hosts over SSH (libssh), the only layer
 * that speaks SSH. One session per host is opened on first use and kept;
 * each command gets a new channel on it. Host keys are pinned in hvsh's own
 * known_hosts file. Nothing here waits forever: connect, authentication and
 * every command have timeouts.
 *
 * Opening sessions is throttled for large fleets. At most max_handshakes
 * handshakes (connect, key exchange, host key check, login) are in flight
 * across the transport, so that the key exchanges of hundreds of hosts do
 * not starve the bastion's CPU, and at most TP_ENDPOINT_HANDSHAKES to any
 * one sshd, so that hosts behind one sshd do not trip its MaxStartups
 * (10:30:100 by default). Waiting for a slot does not count against the
 * connect timeout, which starts with the handshake; Ctrl-C ends the wait.
 *
 * A host that cannot be reached is not retried at once. When opening its
 * session fails (refused, timed out, no route, key exchange, login), every
 * call within the backoff window fails at once with the same error and
 * "(next try in N s)". The window is 1 s after a failure and doubles with
 * each consecutive one, up to 30 s; one success clears it. Interruption,
 * an unreadable key file, a missing agent and a host key that is not
 * trusted are not counted: none is the host's fault. A kept session found
 * dead is reopened at once (no failure unless the reopening fails). Host
 * key scans and accepts keep to the same window.
 *
 * Remote command lines are built only by quote_argv() (quote.h), through
 * tp_command_line(): callers pass argv, never a string.
 */
#ifndef HVSH_TRANSPORT_H
#define HVSH_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

/* How to reach one host. Strings are borrowed for the call. */
struct tp_host {
	const char	*name;		/* hvsh's name, for messages */
	const char	*address;
	int		 port;		/* 0: 22 */
	const char	*user;
	const char	*key;		/* private key file; NULL: the agent */
};

struct tp_opts {
	const char	*known_hosts;	/* hvsh's own known_hosts file */
	int		 connect_timeout_ms;	/* connect + key exchange + auth */
	int		 command_timeout_ms;	/* one command, start to exit */
	size_t		 output_cap;	/* bytes kept per stream; more is cut */
	int		 max_parallel;	/* hosts at once in tp_run_many */
	int		 max_handshakes; /* sessions being opened at once */
};

/* What tp_new uses for a tp_opts number left 0. */
#define TP_DEFAULT_CONNECT_TIMEOUT_MS	10000
#define TP_DEFAULT_COMMAND_TIMEOUT_MS	60000
#define TP_DEFAULT_OUTPUT_CAP		((size_t)16 << 20)
#define TP_DEFAULT_MAX_PARALLEL		16
/*
 * Handshakes in flight across the transport: enough that a cold round of
 * 64 lab hosts takes no longer than with 64 at once (docs/ARCHITECTURE.md),
 * few enough that hundreds of hosts do not run hundreds of key exchanges
 * on the bastion at once.
 */
#define TP_DEFAULT_MAX_HANDSHAKES	16
/*
 * Handshakes in flight to one sshd (address and port): below sshd's
 * default MaxStartups (10:30:100), with room for sshd's own late count, so
 * that hosts behind one sshd are never dropped at random.
 */
#define TP_ENDPOINT_HANDSHAKES		8
/* The backoff after a failed open: first window, ceiling. */
#define TP_BACKOFF_FIRST_MS		1000
#define TP_BACKOFF_MAX_MS		30000
/* A kept session idle longer than this is probed before reuse. */
#define TP_DEFAULT_PROBE_IDLE_MS	30000

/* The outcome of one command on one host. */
struct tp_result {
	int	 rc;		/* 0 ran (see status); else ERR_* why not */
	char	*errmsg;	/* rc != 0: what went wrong, for the user */
	int	 status;	/* remote exit status; -1 if killed or unknown */
	char	*out;		/* stdout, NUL-terminated */
	size_t	 outlen;
	char	*err;		/* stderr, NUL-terminated */
	size_t	 errlen;
	int	 truncated;	/* 1 if either stream passed output_cap */
	double	 elapsed_ms;
};

void	tp_result_free(struct tp_result *);

struct transport;

int	tp_new(const struct tp_opts *, struct transport **out);
/* Closes every session. NULL is a no-op. */
void	tp_free(struct transport *);

/*
 * Runs argv on host and waits for it (up to the command timeout). The
 * session is opened, and the host key checked, on first use. stdin_data may
 * be NULL. Returns res->rc.
 */
int	tp_run(struct transport *, const struct tp_host *, char *const argv[],
	    const char *stdin_data, struct tp_result *res);

/*
 * Runs argv on host with the file fd streamed to its stdin until fd's end
 * (an image push): "env LC_ALL=C ARGV", without the time bound of
 * tp_command_line, since it lasts as long as its input; the command
 * timeout is one of inactivity, moved on by every block sent. *sent (may
 * be NULL) is the number of bytes of fd that went out, and progress (may
 * be NULL) is told it as it grows. Ctrl-C ends it.
 */
typedef void (*tp_progress_fn)(void *arg, int64_t sent);
/* The line tp_put sends for argv (for --dry-run); caller frees. */
char	*tp_stream_line(char *const argv[]);
int	tp_put(struct transport *, const struct tp_host *, char *const argv[],
	    int fd, tp_progress_fn progress, void *arg, int64_t *sent,
	    struct tp_result *res);

/* One command for one host in tp_run_many. */
struct tp_job {
	const struct tp_host	*host;
	char *const		*argv;
	const char		*stdin_data;
	struct tp_result	 res;
};

/*
 * Runs every job, many hosts at once (a host's session is used by one
 * thread at a time), and returns when all have finished or timed out.
 */
void	tp_run_many(struct transport *, struct tp_job *jobs, size_t njobs);

/*
 * The command line tp_run hands to host for argv: argv quoted (quote_argv)
 * behind a fixed prefix, "env LC_ALL=C timeout -k 5 SECONDS", so that the
 * host's CLI answers in the C locale the parsers read, and a command cut by
 * the timeout ends on the host too (a channel's signal is not honoured for
 * every user). SECONDS is the command timeout (tp's; the default if tp is
 * NULL) plus TP_REMOTE_MARGIN_S. --dry-run prints this same line.
 * Caller frees.
 */
#define TP_REMOTE_MARGIN_S	5
char	*tp_command_line(const struct transport *, char *const argv[]);

/*
 * Host keys. tp_hostkey_scan connects without trusting and returns the
 * server key's fingerprint ("SHA256:...") and type. tp_hostkey_accept pins
 * it for host after the user confirmed that fingerprint; it fails if the key
 * offered now is not the one confirmed. A changed pinned key is refused by
 * every call with both fingerprints named.
 */
int	tp_hostkey_scan(struct transport *, const struct tp_host *,
	    char **fingerprint, char **keytype);
int	tp_hostkey_accept(struct transport *, const struct tp_host *,
	    const char *fingerprint);

/*
 * Drops host's open session and its backoff (after an error, or when the
 * host is removed or changed).
 */
void	tp_forget(struct transport *, const struct tp_host *);

/*
 * Sets after how long idle a kept session is probed with a round trip
 * before it is reused (TP_DEFAULT_PROBE_IDLE_MS); tests lower it. Call
 * before the transport is shared between threads.
 */
void	tp_set_probe_idle(struct transport *, int ms);

#endif
