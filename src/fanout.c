/*
 * fanout.c: one call per index from a small pool of threads that take the
 * next index under a lock, so slow calls do not hold up quick ones.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fanout.h"

/* The work of fanout_each, taken an index at a time by its threads. */
struct each {
	pthread_mutex_t	  lock;
	size_t		  next;
	size_t		  n;
	void		(*fn)(size_t, void *);
	void		 *arg;
};

static void *
each_main(void *p)
{
	struct each	*e = p;
	size_t		 i;

	for (;;) {
		pthread_mutex_lock(&e->lock);
		i = e->next++;
		pthread_mutex_unlock(&e->lock);
		if (i >= e->n)
			break;
		e->fn(i, e->arg);
	}
	return NULL;
}

void
fanout_each(size_t n, void (*fn)(size_t, void *), void *arg)
{
	fanout_run(n, FANOUT_THREADS, fn, arg);
}

void
fanout_run(size_t n, size_t nthreads, void (*fn)(size_t, void *), void *arg)
{
	struct each	 e;
	pthread_t	*th;
	sigset_t	 block, old;
	size_t		 i, nth = 0;

	if (n == 0)
		return;
	memset(&e, 0, sizeof e);
	pthread_mutex_init(&e.lock, NULL);
	e.n = n;
	e.fn = fn;
	e.arg = arg;
	th = calloc(nthreads + 1, sizeof *th);
	/* One call needs no thread; a thread that cannot start is done without. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (i = 0; th != NULL && i + 1 < n && i + 1 < nthreads; i++)
		if (pthread_create(&th[nth], NULL, each_main, &e) == 0)
			nth++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	each_main(&e);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	free(th);
	pthread_mutex_destroy(&e.lock);
}
