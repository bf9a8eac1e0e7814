/*
 * fanout.c: one call per index from a small pool of threads that take the
 * next index under a lock, so slow calls do not hold up quick ones.
 */
#include <pthread.h>
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
	struct each	 e;
	pthread_t	 th[FANOUT_THREADS];
	size_t		 i, nth = 0;

	if (n == 0)
		return;
	memset(&e, 0, sizeof e);
	pthread_mutex_init(&e.lock, NULL);
	e.n = n;
	e.fn = fn;
	e.arg = arg;
	/* One call needs no thread; a thread that cannot start is done without. */
	for (i = 0; i + 1 < n && i + 1 < FANOUT_THREADS; i++)
		if (pthread_create(&th[nth], NULL, each_main, &e) == 0)
			nth++;
	each_main(&e);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&e.lock);
}
