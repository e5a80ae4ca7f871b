/*
 * test_random.h — what the random schema-pair generators share: seeded numbers
 * (xorshift64, so a seed gives the same pairs everywhere) and awkward names.
 */
#ifndef TEST_RANDOM_H
#define TEST_RANDOM_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* 0 <= n < bound */
static int rnd(int bound)
{
	return bound > 0 ? (int)(rng_next() % (uint64_t)bound) : 0;
}

static int chance(int percent)
{
	return rnd(100) < percent;
}

static unsigned name_seq;

/* A new name: mostly plain, sometimes with spaces, quotes, keywords or non-ASCII. */
static void new_name(char *out, size_t n, const char *prefix)
{
	static const char *const odd[] = { "%s %u", "%s\"q%u", "select%u", "naïve_%s%u",
					   "%s;x%u", "%s--%u", "Ñ%s%u", "%s'%u" };
	unsigned k = ++name_seq;
	if (chance(15)) {
		int i = rnd((int)(sizeof(odd) / sizeof(*odd)));
		if (strncmp(odd[i], "select", 6) == 0)
			snprintf(out, n, odd[i], k);
		else
			snprintf(out, n, odd[i], prefix, k);
	} else {
		snprintf(out, n, "%s%u", prefix, k);
	}
}

#endif
