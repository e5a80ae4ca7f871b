/*
 * fs: file helpers. Writes are atomic (temporary file in the same directory, fsync,
 * rename), so a failure never leaves a half-written file behind.
 */
#ifndef STRATA_UTIL_FS_H
#define STRATA_UTIL_FS_H

#include "util/buf.h"
#include "util/err.h"
#include "util/vec.h"

#include <stddef.h>

/* Reads the whole file into `out` (appending). Returns 0 or STRATA_EFAIL. */
int fs_read(buf *out, const char *path, strata_err *e);
/* fs_read, also giving the fstat(2) of the file it read (zeroed when fstat failed). */
struct stat;
int fs_read_stat(buf *out, const char *path, struct stat *st, strata_err *e);
/* The same for `name` in the directory open as dfd (-1: `path` itself); messages name
 * `path` (dfd's directory joined with name). */
int fs_read_stat_at(buf *out, int dfd, const char *name, const char *path, struct stat *st,
		    strata_err *e);
/* Reads at most `max` bytes from the start of the file into `out` (appending). */
int fs_read_head(buf *out, const char *path, size_t max, strata_err *e);
/* Writes `len` bytes atomically with the given mode (e.g. 0644). Fails if
 * `exclusive` and the path exists. */
int fs_write_atomic(const char *path, const char *data, size_t len, int mode, int exclusive,
		    strata_err *e);
/* The same; `sync` 0 skips the fsync (a cache that is checked when read back). */
int fs_write_atomic_ex(const char *path, const char *data, size_t len, int mode, int exclusive,
		       int sync, strata_err *e);
/* Appends the names (not paths) of entries in `dir` ending in `suffix` (or all
 * when NULL), sorted, skipping dot-files. */
int fs_list(strvec *out, const char *dir, const char *suffix, strata_err *e);
int fs_exists(const char *path);
/* 1 when something is at `path`, a symlink included (dangling or not). */
int fs_lexists(const char *path);
/* Creates an empty temporary file beside `path` (`path`.tmp-XXXXXX, mode 0600) with
 * mkstemp, which never follows a file or symlink planted there. Sets *tmp to its
 * malloc'd name and returns the open descriptor, or -1 with the error in e. */
int fs_temp_beside(const char *path, char **tmp, strata_err *e);
/* Gives temporary file `tmp` the name `path` without ever replacing what is there
 * (a symlink included): fails "PATH already exists" then, leaving `tmp` in place. */
int fs_publish(const char *tmp, const char *path, strata_err *e);
int fs_is_dir(const char *path);
/* 1 when `dir` has no entries but . and .., 0 otherwise (or when it doesn't exist). */
int fs_dir_empty(const char *dir);
/* mkdir -p with mode 0755. */
int fs_mkdirs(const char *path, strata_err *e);
/* "$TMPDIR/NAME-XXXXXX" (/tmp when TMPDIR is unset or empty), malloc'd: a template
 * for mkstemp or mkdtemp. */
char *fs_temp_template(const char *name);
/* Joins two path parts with one '/' into a malloc'd string. */
char *fs_join(const char *a, const char *b);
/* Directory part of a path (malloc'd; "." when there is none). */
char *fs_dirname(const char *path);
/* Renames, failing with a clear message. */
int fs_rename(const char *from, const char *to, strata_err *e);
/* Copies a file byte for byte (atomic, given mode). */
int fs_copy(const char *from, const char *to, int mode, strata_err *e);

#endif
