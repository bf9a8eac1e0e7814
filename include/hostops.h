/*
 * hostops.h: the host service: reaching hosts recorded in the store through
 * the transport and their driver, refreshing many at once, and writing what
 * came back into the store. Commands call this; it never prints.
 */
#ifndef HVSH_HOSTOPS_H
#define HVSH_HOSTOPS_H

#include <stddef.h>

#include "driver.h"
#include "hvout.h"
#include "record.h"
#include "store.h"
#include "transport.h"

/*
 * The transport for one invocation: hvsh's own known_hosts in home, and
 * the timeouts of HVSH_CONNECT_TIMEOUT_MS and HVSH_COMMAND_TIMEOUT_MS when
 * set (defaults 10 s and 60 s).
 */
int	hostops_transport(const char *home, struct transport **out);


struct hr_index;

/* What one host said, or why it could not say it. */
struct host_refresh {
	struct record		*host;		/* borrowed */
	struct record		**ask;		/* hostops_ask: the instances
						   to ask about (borrowed) */
	size_t			 nask;
	const struct driver	*drv;
	int			 rc;		/* 0 ok */
	char			*errmsg;	/* rc != 0 */
	int			 partial;	/* only ask[] was asked about;
						   no facts */
	struct hv_facts		 facts;
	struct hv_vm_list	 vms;
	struct hr_index		*ix;		/* for hostops_match */
};

/* Which instances' hvsh ids a refresh reads (see hostops_refresh). */
enum refresh_ids {
	RF_IDS_MATCH,		/* those that matching recorded ones needs */
	RF_IDS_ALL,		/* every instance's (host sync) */
	RF_IDS_NONE		/* none: facts and states only */
};

/* What the caller of a refresh wants besides the hosts' answers. */
struct refresh_want {
	struct store		*store;		/* RF_IDS_MATCH: where the
						   recorded instances are */
	enum refresh_ids	 ids;
	/* Called with each host's result as soon as it is whole, from a
	   worker thread, one call at a time; may be NULL. */
	void			(*done)(struct host_refresh *, void *arg);
	void			*arg;
};

/*
 * Refreshes every host at once, each on a worker of its own, each with its
 * own timeout: one remote exec (the driver's refresh), and a second only
 * when the listing left some instances unclear (the driver's detail):
 * those it was unsure of, and those whose hvsh id is needed (want->ids)
 * and not known to this process from an earlier refresh of the same
 * definition. A driver that speaks an API (driver_is_direct) is called
 * with the host's address instead. want NULL: RF_IDS_ALL, no callback.
 * tp may be NULL when every host speaks an API.
 */
void	hostops_refresh(struct transport *, struct host_refresh *, size_t n,
	    const struct refresh_want *want);
/*
 * Asks each host about its instances hr[i].ask only (the wait after an
 * operation): their states, in one exec per host (the driver's state
 * slot; a driver without one refreshes the whole host). The result is
 * partial: hostops_apply then updates only those instances.
 */
void	hostops_ask(struct transport *, struct host_refresh *, size_t n);
void	host_refresh_clear(struct host_refresh *);

/*
 * Adds to refreshed hosts the facts their drivers' probes give besides a
 * refresh (kvm: /dev/kvm; vmware: the product; the CLI's version): one
 * exec each, all at once. A probe that fails changes nothing.
 */
void	hostops_probe(struct transport *, struct host_refresh *, size_t n);

/*
 * Writes refresh results into the store inside tx: a host's facts, status
 * and last_seen; the state of each recorded instance on it, matched by the
 * id hvsh wrote on the hypervisor object, else by uuid, else by name. A host
 * that could not be reached is marked unreachable and its instances
 * unknown, keeping their last_seen, never stopped; one whose refresh was
 * interrupted (ERR_CANCEL) is left as it was.
 */
int	hostops_apply(struct store_txn *, struct host_refresh *, size_t n);

/* Writes facts into host record h: status ok, last seen now. */
void	hostops_set_facts(struct record *h, const struct hv_facts *f,
	    int64_t now);

/*
 * Records what an event of host said of one instance (a driver's watch):
 * the recorded instance on host that vm matches, as hostops_match would
 * match it, gets vm's state, and unless it is gone its uuid and last_seen.
 * On success *name is that record's name (freed and replaced, so that a
 * write function run twice leaks nothing); ERR_NOENT if no record
 * matches.
 */
int	hostops_apply_event(struct store_txn *, const struct record *host,
	    const struct hv_vm *vm, char **name);


/*
 * The refreshed instance that is recorded vm, or NULL: the one with vm's
 * uuid, else the one carrying vm's id (a domain redefined with a new uuid;
 * the uuid goes first since a clone of a domain carries its id too), else
 * one of vm's name that carries no id.
 */
const struct hv_vm *hostops_match(const struct host_refresh *,
	    const struct record *vm);

/*
 * Runs a plan on one host, step by step, stopping at the first failure.
 * Returns 0, or an ERR_* code with a message (the driver's reading of the
 * failure, or the transport's).
 */
int	hostops_run(struct transport *, const struct record *host,
	    const struct driver *, struct drv_plan *, struct tp_result *last);

#endif
