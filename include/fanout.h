/*
 * fanout.h: one call per index, from a few threads at once. The services
 * and the dispatcher use it to reach many hosts through APIs that block.
 */
#ifndef HVSH_FANOUT_H
#define HVSH_FANOUT_H

#include <stddef.h>

#define FANOUT_THREADS	16

/*
 * Calls fn(i, arg) for every i < n, from up to FANOUT_THREADS threads at
 * once (the caller's among them), and returns when all calls have.
 */
void	fanout_each(size_t n, void (*fn)(size_t i, void *arg), void *arg);
/*
 * The same from up to nthreads threads. The threads started block SIGINT,
 * so that a Ctrl-C reaches the caller's thread; calls see intr_pending().
 */
void	fanout_run(size_t n, size_t nthreads, void (*fn)(size_t i, void *arg),
	    void *arg);

#endif
