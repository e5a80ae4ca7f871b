/*
 * script: revision files: parsing migrations/versions/NAME.sql and writing new ones.
 *
 * A revision file is a header block of `-- strata:KEY VALUE` lines followed by an
 * `-- strata:upgrade` and an optional `-- strata:downgrade` section of plain SQL.
 */
#ifndef STRATA_CORE_SCRIPT_H
#define STRATA_CORE_SCRIPT_H

#include "util/buf.h"
#include "util/err.h"
#include "util/vec.h"

typedef struct script {
	char *id;
	char *path;     /* as found: dir/name */
	char *message;
	char *created;
	strvec parents;  /* `revises` */
	strvec labels;   /* `branch-labels` */
	strvec depends;  /* `depends-on` (ids or prefixes as written) */
	int transactional; /* 0 with `-- strata:transaction off` */
	int revises_line;  /* line of the revises header (for error messages), 0 if absent */
	int depends_line;
	char *upgrade;     /* section text, "" when absent */
	char *downgrade;
	int upgrade_line;  /* line of the first line of each section's body */
	int downgrade_line;
	int has_downgrade; /* the section header is present */
	/* Every string (id, message, created, the lists' words, upgrade and downgrade)
	 * points into a buffer its loader keeps (the directory's index, held by the
	 * graph), and the struct, its path and its lists' arrays are one allocation:
	 * script_free frees that one block (1), or nothing when the block was cut from
	 * one the index owns (2: revindex_room). */
	int borrowed;
	/* A revision written in C (strata_embedded_revision's functions): called after
	 * the section's SQL, inside its transaction; NULL for SQL only. */
	int (*upgrade_fn)(void *ctx, struct strata *s);
	int (*downgrade_fn)(void *ctx, struct strata *s);
	void *fn_ctx;
} script;

/* Parses `text` (len bytes, need not be NUL-terminated) read from `path` into a new
 * script. On error returns STRATA_EFAIL with "path:line: what". */
int script_parse(script **out, const char *path, const char *text, size_t len, strata_err *e);
/* Reads and parses one file. */
int script_load(script **out, const char *path, strata_err *e);
/* Loads every *.sql file in `dir` (sorted by name) into `out` (a vec of script *).
 * Stops at the first file that does not parse. */
int script_load_dir(vec *out, const char *dir, strata_err *e);
/* The same, through the directory's index of parsed files (core/revindex.h), which it
 * brings up to date; *nread, when not NULL, receives the number of files it had to
 * read and parse (0: every one came from the index). */
int script_load_dir_ex(vec *out, const char *dir, size_t *nread, strata_err *e);
/* The same; scripts taken from the index borrow their text from it, and *keep receives
 * what they borrow from (revindex_free it after the scripts; NULL when nothing). */
struct revindex;
int script_load_dir_keep(vec *out, const char *dir, size_t *nread, struct revindex **keep,
			 strata_err *e);
void script_free(script *s);

/* 1 when `id` is a valid revision id: [A-Za-z0-9_]{1,64}. */
int script_valid_id(const char *id);
/* The target keywords (SPEC "Revision identifiers") that no revision id or branch
 * label may be, in any case: a revision so named would be shadowed by the keyword. */
#define SCRIPT_RESERVED_IDS "head, heads, base, current"
/* 1 when `id` is one of SCRIPT_RESERVED_IDS, compared case-insensitively. */
int script_reserved_id(const char *id);
/* The first control character in `text` (a byte below 0x20 other than tab, or 0x7f),
 * or 0 when it has none. Header values may hold none: they are printed in SQL
 * comments (`--sql`) and on terminals, where a CR or escape could hide or add text. */
int script_control_char(const char *text);
/* The file-name slug of a message: lowercase words joined by '_', at most 40 chars. */
char *script_slug(const char *message);
/* A line of a downgrade section saying the revision cannot be reverted (strata
 * import writes it for a migration without a downgrade): downgrade refuses to go
 * past such a revision instead of running nothing. */
#define SCRIPT_IRREVERSIBLE_MARK "-- strata:irreversible"
/* 1 when `downgrade` (a section's text) has a line starting SCRIPT_IRREVERSIBLE_MARK,
 * or import's earlier note "-- WARNING: irreversible:". */
int script_irreversible(const char *downgrade);
/* Renders a revision file. */
void script_render(buf *out, const script *s);

#endif
