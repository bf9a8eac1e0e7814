/*
 * push.h: copying an image from the bastion's repository to a host that
 * does not see its pool, over the host's kept SSH session. The copy goes
 * to PATH.part and is continued where it stopped after an interruption;
 * the host's own sha256 of it (summed as it arrives) must match the
 * repository's before it is renamed to PATH. A host that has PATH whole,
 * with the right sum, is sent nothing.
 */
#ifndef HVSH_PUSH_H
#define HVSH_PUSH_H

#include <stdint.h>

#include "dispatch.h"
#include "record.h"
#include "transport.h"

struct push {
	const struct record	*host;		/* borrowed */
	const struct record	*image;		/* borrowed */
	const char		*remote;	/* where it goes on the host */
	/* Set by push_run. */
	int64_t			 size;		/* bytes of the image */
	int64_t			 resumed;	/* bytes the host had already */
	int64_t			 sent;		/* bytes sent now */
	int			 already;	/* the host had it whole */
};

/* Told of the bytes the host has, of size, as they go. */
typedef void (*push_progress_fn)(void *arg, int64_t have, int64_t size);

/* The remote lines a push runs, for --dry-run. */
void	push_dry(const struct transport *, const struct push *,
	    dispatch_emit_fn, void *arg);

/* Pushes; 0, or an ERR_* code with a message (ERR_CANCEL on Ctrl-C). */
int	push_run(struct transport *, struct push *, push_progress_fn,
	    void *arg);

#endif
