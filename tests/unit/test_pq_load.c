/*
 * Unit tests for loading libpq at run time (src/backends/postgres/pq.c).
 *
 * Several handles may connect to PostgreSQL at once from different threads: the first
 * connection of each loads libpq. The threads here start together and call pq_load at
 * the same moment; each must succeed and see the whole function table. A data race on
 * the table (what pthread_once prevents) shows under ThreadSanitizer:
 *   cc -fsanitize=thread -g -Iinclude -Isrc -I/usr/include/postgresql -o /tmp/t \
 *      tests/unit/test_pq_load.c src/backends/postgres/pq.c src/util/err.c -lcmocka -ldl -pthread
 * Skipped when libpq is not installed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

/* The table by its members (pq.h otherwise maps PQ names onto it). */
#define STRATA_PQ_REAL_NAMES
#include "backends/postgres/pq.h"

#define THREADS 8

static pthread_barrier_t start;

typedef struct result {
	int rc;
	int complete; /* every function pointer was set when pq_load returned */
} result;

static void *load(void *arg)
{
	result *r = arg;
	strata_err e = STRATA_ERR_INIT;
	pthread_barrier_wait(&start);
	r->rc = pq_load(&e);
	r->complete = strata_pq.PQclear && strata_pq.PQconnectdbParams && strata_pq.PQcmdStatus;
	err_clear(&e);
	return NULL;
}

/* Threads that load at the same moment all succeed and see a filled table. */
static void test_concurrent_load(void **state)
{
	(void)state;
	void *probe = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
	if (!probe)
		skip();
	dlclose(probe);
	pthread_t th[THREADS];
	result res[THREADS];
	assert_int_equal(pthread_barrier_init(&start, NULL, THREADS), 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, load, &res[i]), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(res[i].rc, 0);
		assert_true(res[i].complete);
	}
	/* Later calls return at once, with the same table. */
	strata_err e = STRATA_ERR_INIT;
	void (*clear)(PGresult *) = strata_pq.PQclear;
	assert_int_equal(pq_load(&e), 0);
	assert_ptr_equal(strata_pq.PQclear, clear);
}

/* Runs the libpq loading tests; exits non-zero when one fails. */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
