#include "util/map.h"
#include "util/buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

void *map_get(const map *m, const char *key)
{
	if (!m->cap)
		return NULL;
	size_t mask = m->cap - 1;
	for (size_t i = hash(key) & mask;; i = (i + 1) & mask) {
		if (!m->slots[i].key)
			return NULL;
		if (strcmp(m->slots[i].key, key) == 0)
			return m->slots[i].value;
	}
}

/* Moves the entries into a table of `cap` slots (a power of two). */
static void rehash(map *m, size_t cap)
{
	size_t oldcap = m->cap;
	map_entry *old = m->slots;
	m->cap = cap;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	m->n = 0;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			map_put(m, old[i].key, old[i].value);
	free(old);
}

void map_reserve(map *m, size_t n)
{
	size_t cap = 64;
	while (cap < 2 * n)
		cap *= 2;
	if (cap > m->cap)
		rehash(m, cap);
}

void *map_put(map *m, const char *key, void *value)
{
	if ((m->n + 1) * 4 >= m->cap * 3)
		rehash(m, m->cap ? m->cap * 2 : 64);
	size_t mask = m->cap - 1;
	for (size_t i = hash(key) & mask;; i = (i + 1) & mask) {
		if (!m->slots[i].key) {
			m->slots[i].key = key;
			m->slots[i].value = value;
			m->n++;
			return NULL;
		}
		if (strcmp(m->slots[i].key, key) == 0) {
			void *prev = m->slots[i].value;
			m->slots[i].key = key;
			m->slots[i].value = value;
			return prev;
		}
	}
}

void map_free(map *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}
