/*
 * index.c: open addressing with linear probing over FNV-1a hashes. The
 * table is kept at most half full; entries are never removed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "util.h"

struct slot {
	const char	*key;	/* NULL: empty */
	size_t		 len;
	uint64_t	 hash;
	size_t		 val;
};

struct index {
	struct slot	*s;
	size_t		 cap;	/* a power of two */
	size_t		 n;
};

static uint64_t
fnv1a(const char *k, size_t n)
{
	uint64_t	h = 1469598103934665603ULL;
	size_t		i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)k[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct index *
index_new(size_t n)
{
	struct index	*ix = xcalloc(1, sizeof *ix);

	ix->cap = 16;
	while (ix->cap < 2 * n + 2)
		ix->cap *= 2;
	ix->s = xcalloc(ix->cap, sizeof *ix->s);
	return ix;
}

void
index_free(struct index *ix)
{
	if (ix == NULL)
		return;
	free(ix->s);
	free(ix);
}

/* Puts e in the first free slot of its probe sequence. */
static void
place(struct slot *s, size_t cap, const struct slot *e)
{
	size_t	i = (size_t)e->hash & (cap - 1);

	while (s[i].key != NULL)
		i = (i + 1) & (cap - 1);
	s[i] = *e;
}

static void
grow(struct index *ix)
{
	struct slot	*ns = xcalloc(ix->cap * 2, sizeof *ns);
	size_t		 i, k, e = 0;

	/*
	 * Around the ring from an empty slot, so that no probe run is cut
	 * where the table wraps: values of one key keep the order they were
	 * added in. The table is at most half full, so there is one.
	 */
	while (ix->s[e].key != NULL)
		e++;
	for (k = 1; k <= ix->cap; k++) {
		i = (e + k) & (ix->cap - 1);
		if (ix->s[i].key != NULL)
			place(ns, ix->cap * 2, &ix->s[i]);
	}
	free(ix->s);
	ix->s = ns;
	ix->cap *= 2;
}

void
index_add(struct index *ix, const char *key, size_t len, size_t val)
{
	struct slot	e;

	if (key == NULL)
		return;
	if (2 * (ix->n + 1) > ix->cap)
		grow(ix);
	e.key = key;
	e.len = len;
	e.hash = fnv1a(key, len);
	e.val = val;
	place(ix->s, ix->cap, &e);
	ix->n++;
}

void
index_adds(struct index *ix, const char *key, size_t val)
{
	if (key != NULL)
		index_add(ix, key, strlen(key), val);
}

int
index_next(const struct index *ix, const char *key, size_t len,
    size_t *cursor, size_t *val)
{
	uint64_t	h;
	size_t		i, steps;

	if (key == NULL)
		return 0;
	h = fnv1a(key, len);
	/* *cursor counts probe steps already taken from the home slot. */
	for (steps = *cursor; steps < ix->cap; steps++) {
		i = ((size_t)h + steps) & (ix->cap - 1);
		if (ix->s[i].key == NULL)
			return 0;
		if (ix->s[i].hash == h && ix->s[i].len == len &&
		    memcmp(ix->s[i].key, key, len) == 0) {
			*cursor = steps + 1;
			*val = ix->s[i].val;
			return 1;
		}
	}
	return 0;
}

int
index_get(const struct index *ix, const char *key, size_t *val)
{
	size_t	cur = 0;

	return key != NULL && index_next(ix, key, strlen(key), &cur, val);
}
