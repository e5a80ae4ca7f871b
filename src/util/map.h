/*
 * map: a hash map from NUL-terminated string keys to pointers, open addressing.
 * The map copies nothing: keys must outlive their entries (they usually live in the
 * value itself). Lookups are O(1) so graphs of 100,000 revisions stay linear.
 */
#ifndef STRATA_UTIL_MAP_H
#define STRATA_UTIL_MAP_H

#include <stddef.h>

typedef struct map_entry {
	const char *key;
	void *value;
} map_entry;

typedef struct map {
	map_entry *slots;
	size_t cap; /* power of two, or 0 */
	size_t n;
} map;

/* Returns the value for `key`, or NULL. */
void *map_get(const map *m, const char *key);
/* Sets `key` to `value`; returns the previous value or NULL. */
void *map_put(map *m, const char *key, void *value);
/* Makes room for n keys at most half full, in one table: no rehash while they are
 * put, and short probes (a key that is not there ends at the first empty slot). */
void map_reserve(map *m, size_t n);
void map_free(map *m);

#endif
