/*
 * SQLite migration lock: a run-wide lock, as PostgreSQL's advisory lock, held from
 * the start of an upgrade, downgrade or stamp to its end.
 *
 * SQLite's own write lock lasts one transaction, and a revision marked
 * `-- strata:transaction off` runs between two transactions: without a lock held
 * across them, a second migrator would read the old version table and run the same
 * revision again. The lock is an fcntl write lock on `<database>-strata.lock`
 * beside the database (open-file-description locks where the system has them, so
 * two handles in one process exclude each other too). The kernel drops it when the
 * process dies, so a crash never leaves a stale lock; the file itself stays.
 */
#define _GNU_SOURCE
#include "backends/sqlite/sqlite_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef F_OFD_SETLK
#define LOCK_CMD F_OFD_SETLK
#else
#define LOCK_CMD F_SETLK
#endif

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* One attempt at the write lock on open file `fd`: 1 taken, 0 held by another,
 * -1 error (errno set). */
static int try_lock(int fd)
{
	struct flock fl;
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, LOCK_CMD, &fl) == 0)
		return 1;
	return errno == EAGAIN || errno == EACCES ? 0 : -1;
}

/* Takes the migration lock of database file `db` (its absolute name, as SQLite
 * reports it), waiting up to timeout_ms for another holder. Sets *fd to the open
 * lock file (the caller closes it to release), or to -1 when there is nothing to
 * lock (an in-memory database, a read-only file system). On timeout the message
 * starts "database is locked", as every lock failure of strata does. */
int sqlite_lock_file(const char *db, int timeout_ms, int *fd, strata_err *e)
{
	*fd = -1;
	if (!db || !*db || strcmp(db, ":memory:") == 0)
		return 0;
	char *path = xasprintf("%s-strata.lock", db);
	int rc = 0, pause_ms = 2;
	double start = mono_ms();
	int f = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (f < 0) {
		if (errno != EROFS)
			rc = err_set(e, STRATA_EFAIL, "cannot open the migration lock file %s: %s", path,
				     strerror(errno));
		goto done;
	}
	for (;;) {
		int got = try_lock(f);
		if (got > 0)
			break;
		if (got < 0) {
			rc = err_set(e, STRATA_EFAIL, "cannot lock %s: %s", path, strerror(errno));
			goto done;
		}
		double waited = mono_ms() - start;
		if (waited >= timeout_ms) {
			rc = err_set(e, STRATA_ELOCKED,
				     "database is locked: another strata holds the migration lock of %s "
				     "(%s) and did not release it within %d ms. Wait for it to finish, or "
				     "raise lock_timeout in strata.ini",
				     db, path, timeout_ms);
			goto done;
		}
		int left = timeout_ms - (int)waited;
		poll(NULL, 0, pause_ms < left ? pause_ms : left);
		if (pause_ms < 50)
			pause_ms *= 2;
	}
	*fd = f;
	f = -1;
done:
	if (f >= 0)
		close(f);
	free(path);
	return rc;
}
