/*
 * revindex: the index of parsed revision files, DIR/.strata-index (git's index for the
 * work tree, applied to migrations/versions). It holds, per file name, the file's
 * stat (size, mtime and ctime to the nanosecond, inode) and the script parsed from it,
 * so loading a directory of 100,000 revisions reads one file and stats the others
 * instead of opening, reading and parsing each.
 *
 * It is a cache and never an authority:
 * - an entry is used only when the file's stat matches it exactly; any edit, even of
 *   the same size, changes the ctime (which no tool can set back), a rename or a new
 *   file has a name or inode the index does not hold, a removed file is never asked for;
 * - an entry whose file changed at or after the moment the load began is written as
 *   "racy" and never trusted (an edit within the same clock tick as the read would
 *   leave its stat unchanged), as is one not older than the index file itself;
 * - a truncated, corrupt or foreign index (checksum, sizes, magic) is ignored and
 *   written anew;
 * - it is written to a temporary file and renamed into place, so concurrent writers
 *   leave one whole index or the other; a directory that cannot be written keeps none.
 * Deleting it is always safe: the next command that loads the graph writes it again.
 */
#ifndef STRATA_CORE_REVINDEX_H
#define STRATA_CORE_REVINDEX_H

#include "core/script.h"

#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#define REVINDEX_NAME ".strata-index"

typedef struct revindex revindex;

/* What the index compares of a file's stat (48 bytes instead of struct stat's 144: a
 * load of 100,000 files keeps one per file). */
typedef struct revindex_key {
	int64_t size, mtime_s, mtime_ns, ctime_s, ctime_ns;
	uint64_t ino;
} revindex_key;

/* The key of a stat(2) result. */
void revindex_key_of(revindex_key *k, const struct stat *st);

/* Maps DIR's index (the SQL texts stay on disk until a script's text is read); NULL
 * when it is missing, unreadable or not valid. */
revindex *revindex_read(const char *dir);
/* Whether the directory's index is large enough (REVINDEX_LARGE bytes, about 5,000
 * revisions) to be worth reading on a thread of its own. */
#define REVINDEX_LARGE (2 << 20)
int revindex_large(const char *dir);
/* The script the index holds for file `name` when it is trusted for a file whose stat
 * has key `st`: a new script with its path set to `path` (the caller owns it), else NULL.
 * With `borrow`, its strings point into the index (script.borrowed), which must then
 * outlive it. Safe to call from several threads at once. */
script *revindex_get(const revindex *ix, const char *name, const revindex_key *st,
		     const char *path, int borrow);
/* Room for the scripts revindex_get_near makes with `borrow`: [at, end) of a block the
 * index owns and frees with itself (revindex_block). Such a script is not freed on its
 * own (script.borrowed 2); one that does not fit is allocated alone. One per thread. */
typedef struct revindex_room {
	char *at, *end;
} revindex_room;
/* A block of `bytes` the index owns (freed by revindex_free), to cut rooms from. */
char *revindex_block(revindex *ix, size_t bytes);
/* What a borrowed script for a file with a path of `path_len` bytes takes at most in a
 * room, for the common shape (up to 3 parents, labels and dependencies in all); one
 * with more words is allocated alone. */
size_t revindex_room_for(size_t path_len);
/* The same as revindex_get, for names asked in order: *hint (start it at 0) is where
 * the next name is looked for first, before bisecting; borrowed scripts are cut from
 * `room` when it is not NULL and they fit. */
script *revindex_get_near(const revindex *ix, const char *name, const revindex_key *st,
			  const char *path, int borrow, size_t *hint, revindex_room *room);
/* Number of entries. */
size_t revindex_count(const revindex *ix);
void revindex_free(revindex *ix);
/* Writes DIR's index for the files names[i], stat key st[i], parsed into sc[i]. `begun` is
 * when the load began, by the clock file times come from (revindex_now): entries that
 * changed since are written as racy. Best effort: errors leave no index, silently. */
void revindex_write(const char *dir, const strvec *names, const revindex_key *st,
		    script *const *sc, struct timespec begun);
/* The time file systems stamp files with (the kernel's coarse real-time clock). */
struct timespec revindex_now(void);

#endif
