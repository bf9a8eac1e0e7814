/*
 * dispatch.h: the one way from a command to a driver, as libvirt's
 * src/libvirt-domain.c stands in front of its driver table.
 *
 * A command says what it wants done on which host: a lifecycle operation,
 * a create, or a storage or image call (struct dcall). Dispatch resolves
 * the host's driver, checks that the driver has the slot (and words "X is
 * not supported by DRIVER" here and nowhere else), plans the call, or has a
 * driver that speaks an API describe it; gives the exact --dry-run lines;
 * runs every call at once, one host's steps in order; words each failure
 * in hvsh's words with the host's own text after it; and sums the outcome
 * per host up for the audit trail. No command file names a driver.
 */
#ifndef HVSH_DISPATCH_H
#define HVSH_DISPATCH_H

#include <stddef.h>

#include "driver.h"
#include "record.h"
#include "transport.h"

enum dcall_what {
	DC_OP,		/* op on instance t */
	DC_CREATE,	/* create spec */
	DC_CALL,	/* call with req */
};

struct dcall {
	/* Set by the caller (dcall_init, then the fields of what). */
	const struct record	*host;		/* borrowed */
	enum dcall_what		 what;
	enum drv_op		 op;
	enum drv_call		 call;
	struct drv_target	 t;
	struct drv_spec		 spec;
	struct drv_req		 req;
	char			*subject;	/* "vm web1": what is acted on */

	/* Set by dispatch. */
	const struct driver	*drv;
	struct drv_plan		 plan;
	char			*calls;		/* an API driver's description */
	int			 prepared;
	int			 rc;		/* 0: done (or to do) */
	char			*errmsg;	/* rc != 0, for the user */
	char			*note;		/* a success worth saying */
	struct drv_reply	 reply;		/* DC_CALL */
	struct hv_vm		 made;		/* DC_CREATE */
};

/* subject is copied ("vm web1"); what and its arguments are set after. */
void	dcall_init(struct dcall *, const struct record *host,
	    const char *subject);
void	dcall_clear(struct dcall *);
/* Marks a call failed before it ran: fmt words why. */
void	dcall_fail(struct dcall *, int rc, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* How the transport reaches host record h; the strings stay h's. */
void	dispatch_tp_host(const struct record *h, struct tp_host *th);

/* The driver of host.driver, or NULL with "host X has no driver Y". */
const struct driver *dispatch_driver(const struct record *host);
/* 1 if hvsh has a driver of that name. */
int	dispatch_has_driver(const char *driver);
/* 1 if the driver named reaches its hosts through an API, not SSH. */
int	dispatch_is_api(const char *driver);
/*
 * Checks a host's address for its driver: an API driver's own rules (a
 * URI), else a DNS name or IP address. ERR_USAGE with a message.
 */
int	dispatch_address_check(const char *driver, const char *address);
/* 1 if host's driver has the slot of call (0 with no message). */
int	dispatch_can_call(const struct record *host, enum drv_call);
int	dispatch_can_create(const struct record *host);

/*
 * Resolves, checks and plans (or describes) each call not failed yet.
 * Returns how many failed here.
 */
size_t	dispatch_prepare(struct dcall *, size_t n);

/* Called for each line --dry-run shows: the host's name and the line. */
typedef void (*dispatch_emit_fn)(void *arg, const char *host,
	    const char *line);
/*
 * The exact lines that would run, per host, for every prepared call, as
 * tp would send them (tp_command_line; tp NULL: the default timeouts).
 */
void	dispatch_dry(const struct transport *tp, const struct dcall *,
	    size_t n, dispatch_emit_fn, void *arg);

/*
 * Runs every prepared call, all hosts at once: plans through tp (step k of
 * every call, then step k + 1 of those that succeeded), API drivers
 * through their own calls. Each call's rc, errmsg, reply and made are set.
 * tp may be NULL when every host is reached through an API.
 */
void	dispatch_run(struct transport *tp, struct dcall *, size_t n);

/* Prepare and run one call; its rc. */
int	dispatch_one(struct transport *tp, struct dcall *);

/*
 * The outcome of every call, one per call, for the audit event:
 * "start vm web1 on kvm1: ok; stop vm db on xen1: failed (...)". Caller
 * frees.
 */
char	*dispatch_outcome(const struct dcall *, size_t n);

/* 1 if host's driver can watch its instances (dispatch_watch). */
int	dispatch_can_watch(const struct record *host);
/* Watches host's instances through its driver (see driver.h watch). */
int	dispatch_watch(const struct record *host, drv_watch_fn, void *arg,
	    int max_events, int timeout_ms);

#endif
