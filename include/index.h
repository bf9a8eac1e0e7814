/*
 * index.h: a hash index from byte strings to numbers (array positions), so
 * that matching one list against another is linear, not quadratic. Keys are
 * borrowed: they must outlive the index. A key may be added several times;
 * lookups return its values in the order added.
 */
#ifndef HVSH_INDEX_H
#define HVSH_INDEX_H

#include <stddef.h>

struct index;

/* An index sized for about n keys; it grows as needed. */
struct index	*index_new(size_t n);
void		 index_free(struct index *);
/* Adds key (len bytes) with val. A NULL key is not added. */
void		 index_add(struct index *, const char *key, size_t len,
		    size_t val);
/* index_add with strlen(key). */
void		 index_adds(struct index *, const char *key, size_t val);
/*
 * The values of key, one per call: start with *cursor = 0; returns 1 and
 * sets *val while there is one more, then 0. A NULL key has none.
 */
int		 index_next(const struct index *, const char *key, size_t len,
		    size_t *cursor, size_t *val);
/* The first value of NUL-terminated key into *val; 0 if it has none. */
int		 index_get(const struct index *, const char *key, size_t *val);

#endif
