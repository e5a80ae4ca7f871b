#include "core/script.h"
#include "core/revindex.h"
#include "util/fs.h"

#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define HDR "-- strata:"

int script_valid_id(const char *id)
{
	size_t n = 0;
	for (; id[n]; n++)
		if (!(isalnum((unsigned char)id[n]) || id[n] == '_') || n >= 64)
			return 0;
	return n > 0;
}

int script_reserved_id(const char *id)
{
	static const char *const kw[] = { "head", "heads", "base", "current" };
	for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
		if (strcasecmp(id, kw[i]) == 0)
			return 1;
	return 0;
}

int script_control_char(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return *p;
	return 0;
}

void script_free(script *s)
{
	if (!s)
		return;
	if (s->borrowed) {
		if (s->borrowed == 1)
			free(s); /* see script.borrowed */
		return;
	}
	free(s->id);
	free(s->message);
	free(s->created);
	free(s->upgrade);
	free(s->downgrade);
	free(s->path);
	strvec_free(&s->parents);
	strvec_free(&s->labels);
	strvec_free(&s->depends);
	free(s);
}

/* Copies [p, end) without the trailing CR/whitespace. */
static char *trimmed(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	return xstrndup(p, (size_t)(end - p));
}

/* Checks each word of a header list as a revision id. */
static int check_ids(const strvec *ids, const char *path, int line, const char *what,
		     strata_err *e)
{
	for (size_t i = 0; i < ids->n; i++)
		if (!script_valid_id(ids->v[i]))
			return err_set(e, STRATA_EFAIL,
				       "%s:%d: invalid %s '%s' (ids are 1 to 64 letters, digits or '_')",
				       path, line, what, ids->v[i]);
	return 0;
}

/* A section's text: its lines [from, to) as they are in the file, the last one ended
 * by a newline when the file ends without one. */
static void section_text(buf *b, const char *from, const char *to)
{
	if (!from || from >= to)
		return;
	buf_add(b, from, (size_t)(to - from));
	if (to[-1] != '\n')
		buf_putc(b, '\n');
}

int script_parse(script **out, const char *path, const char *text, size_t len, strata_err *e)
{
	script *s = xcalloc(1, sizeof(*s));
	buf up = BUF_INIT, down = BUF_INIT;
	s->path = xstrdup(path);
	s->transactional = 1;
	if (memchr(text, '\0', len)) {
		err_set(e, STRATA_EFAIL, "%s: not a text file (contains NUL bytes)", path);
		goto fail;
	}
	enum { HEADERS, UPGRADE, DOWNGRADE } where = HEADERS;
	const char *p = text, *end = text + len;
	const char *sec = NULL; /* where the current section's body starts */
	int line = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		line++;
		size_t ll = (size_t)(eol - p);
		if (ll >= strlen(HDR) && memcmp(p, HDR, strlen(HDR)) == 0) {
			const char *k = p + strlen(HDR);
			const char *ke = k;
			while (ke < eol && (isalnum((unsigned char)*ke) || *ke == '-' || *ke == '_'))
				ke++;
			char *key = xstrndup(k, (size_t)(ke - k));
			char *val = trimmed(ke, eol);
			int bad = 0, ctl = where == HEADERS ? script_control_char(val) : 0;
			if (ctl) {
				bad = err_set(e, STRATA_EFAIL,
					      "%s:%d: control character 0x%02x in the '-- strata:%s' header "
					      "(headers are printed in SQL comments and on terminals; remove it)%s",
					      path, line, ctl, key,
					      ctl == '\r' && line == 1 && !nl ? " — a file with CR-only line endings?" : "");
			} else if (strcmp(key, "upgrade") == 0 || strcmp(key, "downgrade") == 0) {
				int isup = key[0] == 'u';
				if (*val || (isup && where != HEADERS) ||
				    (!isup && (where == DOWNGRADE || s->has_downgrade))) {
					err_set(e, STRATA_EFAIL, "%s:%d: unexpected '-- strata:%s' %s", path,
						line, key, *val ? "(nothing may follow it on the line)" : "section here");
					bad = 1;
				} else if (isup) {
					where = UPGRADE;
					s->upgrade_line = line + 1;
					sec = nl ? nl + 1 : end;
				} else {
					if (where == HEADERS && !s->upgrade_line)
						s->upgrade_line = 0;
					if (where == UPGRADE)
						section_text(&up, sec, p);
					where = DOWNGRADE;
					sec = nl ? nl + 1 : end;
					s->has_downgrade = 1;
					s->downgrade_line = line + 1;
				}
			} else if (where != HEADERS) {
				/* A header-looking comment inside SQL belongs to the SQL (e.g. the
				 * `-- strata:rebuild` markers of generated revisions): it stays in
				 * the section's text. */
			} else if (strcmp(key, "revision") == 0) {
				if (s->id)
					bad = err_set(e, STRATA_EFAIL, "%s:%d: duplicate 'revision' header", path, line);
				else if (!script_valid_id(val))
					bad = err_set(e, STRATA_EFAIL,
						      "%s:%d: invalid revision id '%s' (ids are 1 to 64 letters, digits or '_')",
						      path, line, val);
				else if (script_reserved_id(val))
					bad = err_set(e, STRATA_EFAIL,
						      "%s:%d: revision id '%s' is a target keyword (" SCRIPT_RESERVED_IDS
						      "): the keyword would shadow it; choose another id",
						      path, line, val);
				else
					s->id = xstrdup(val);
			} else if (strcmp(key, "revises") == 0) {
				strvec_split_ws(&s->parents, val);
				s->revises_line = line;
				bad = check_ids(&s->parents, path, line, "parent revision", e);
			} else if (strcmp(key, "message") == 0) {
				free(s->message);
				s->message = xstrdup(val);
			} else if (strcmp(key, "created") == 0) {
				free(s->created);
				s->created = xstrdup(val);
			} else if (strcmp(key, "branch-labels") == 0) {
				strvec_split_ws(&s->labels, val);
				bad = check_ids(&s->labels, path, line, "branch label", e);
				for (size_t i = 0; !bad && i < s->labels.n; i++)
					if (script_reserved_id(s->labels.v[i]))
						bad = err_set(e, STRATA_EFAIL,
							      "%s:%d: branch label '%s' is a target keyword ("
							      SCRIPT_RESERVED_IDS "): the keyword would shadow it; "
							      "choose another label",
							      path, line, s->labels.v[i]);
			} else if (strcmp(key, "depends-on") == 0) {
				strvec_split_ws(&s->depends, val);
				s->depends_line = line;
				bad = check_ids(&s->depends, path, line, "dependency", e);
			} else if (strcmp(key, "transaction") == 0) {
				if (strcmp(val, "off") == 0)
					s->transactional = 0;
				else if (strcmp(val, "on") == 0)
					s->transactional = 1;
				else
					bad = err_set(e, STRATA_EFAIL,
						      "%s:%d: 'transaction' takes 'on' or 'off', not '%s'", path, line, val);
			} else {
				bad = err_set(e, STRATA_EFAIL, "%s:%d: unknown header '-- strata:%s'", path,
					      line, key);
			}
			free(key);
			free(val);
			if (bad)
				goto fail;
		} else if (where == HEADERS) {
			const char *q = p;
			while (q < eol && isspace((unsigned char)*q))
				q++;
			if (q < eol && !(eol - q >= 2 && q[0] == '-' && q[1] == '-')) {
				err_set(e, STRATA_EFAIL,
					"%s:%d: SQL before the '-- strata:upgrade' section", path, line);
				goto fail;
			}
		}
		p = nl ? nl + 1 : end;
	}
	if (where != HEADERS)
		section_text(where == UPGRADE ? &up : &down, sec, end);
	if (!s->id) {
		err_set(e, STRATA_EFAIL, "%s:1: missing '-- strata:revision' header", path);
		goto fail;
	}
	if (!s->upgrade_line) {
		err_set(e, STRATA_EFAIL, "%s:%d: missing '-- strata:upgrade' section", path, line ? line : 1);
		goto fail;
	}
	for (size_t i = 0; i < s->parents.n; i++)
		if (strcmp(s->parents.v[i], s->id) == 0) {
			err_set(e, STRATA_EFAIL, "%s:%d: revision %s revises itself", path,
				s->revises_line, s->id);
			goto fail;
		}
	if (!s->message)
		s->message = xstrdup("");
	s->upgrade = buf_detach(&up);
	s->downgrade = buf_detach(&down);
	*out = s;
	return 0;
fail:
	buf_free(&up);
	buf_free(&down);
	script_free(s);
	*out = NULL;
	return STRATA_EFAIL;
}

/* Reads and parses one file, `path` (or `name` in directory dfd when dfd >= 0); *key
 * receives the stat key of the file read (for the index) when not NULL. */
static int load_stat(script **out, int dfd, const char *name, const char *path, revindex_key *key,
		     strata_err *e)
{
	buf b = BUF_INIT;
	struct stat st;
	*out = NULL;
	int rc = fs_read_stat_at(&b, dfd, name, path, &st, e);
	if (key)
		revindex_key_of(key, &st);
	if (rc == 0)
		rc = script_parse(out, path, b.ptr, b.len, e);
	buf_free(&b);
	return rc;
}

int script_load(script **out, const char *path, strata_err *e)
{
	return load_stat(out, -1, NULL, path, NULL, e);
}

/* One slice of a directory load: files [from, to) of names, parsed into out[] (from the
 * index when it holds a file as it is on disk), their stat into st[]. */
typedef struct load_slice {
	const strvec *names;
	const char *dir;
	const revindex *ix;
	int borrow;       /* scripts may borrow their text from the index */
	int dfd;          /* the directory, for stat relative to it */
	size_t from, to;
	script **out;
	revindex_key *st;
	revindex_room room; /* where its borrowed scripts go (empty: allocated alone) */
	size_t failed; /* index of the first file that failed, or `to` */
	size_t read;   /* files read and parsed (not taken from the index) */
	strata_err err;
} load_slice;

static void *load_range(void *arg)
{
	load_slice *sl = arg;
	size_t hint = 0;
	sl->failed = sl->to;
	/* The files' paths are built in one buffer: no allocation per file. */
	buf path_buf = BUF_INIT;
	buf_puts(&path_buf, sl->dir);
	if (path_buf.len && path_buf.ptr[path_buf.len - 1] != '/')
		buf_putc(&path_buf, '/');
	size_t dir_len = path_buf.len;
	for (size_t i = sl->from; i < sl->to; i++) {
		buf_truncate(&path_buf, dir_len);
		buf_puts(&path_buf, sl->names->v[i]);
		const char *path = path_buf.ptr;
		int rc = 0;
		struct stat st;
		if (sl->ix && fstatat(sl->dfd, sl->names->v[i], &st, 0) == 0) {
			revindex_key_of(&sl->st[i], &st);
			sl->out[i] = revindex_get_near(sl->ix, sl->names->v[i], &sl->st[i], path, sl->borrow,
						       &hint, &sl->room);
		}
		if (!sl->out[i]) {
			rc = load_stat(&sl->out[i], sl->dfd, sl->names->v[i], path, &sl->st[i], &sl->err);
			sl->read++;
		}
		if (rc) {
			sl->failed = i;
			break;
		}
	}
	buf_free(&path_buf);
	return NULL;
}

/* Files are read and parsed on up to LOAD_THREADS threads once there are enough of them
 * to pay for the threads: the cost is one open/read/close per file, which is what a
 * history of many thousand revisions spends its time on. */
#define LOAD_THREADS   4
#define LOAD_PER_THREAD 512

typedef struct index_reader {
	const char *dir;
	revindex *ix;
} index_reader;

static void *read_index(void *arg)
{
	index_reader *rd = arg;
	rd->ix = revindex_read(rd->dir);
	return NULL;
}

int script_load_dir(vec *out, const char *dir, strata_err *e)
{
	return script_load_dir_ex(out, dir, NULL, e);
}

int script_load_dir_ex(vec *out, const char *dir, size_t *nread, strata_err *e)
{
	return script_load_dir_keep(out, dir, nread, NULL, e);
}

int script_load_dir_keep(vec *out, const char *dir, size_t *nread, revindex **keep,
			 strata_err *e)
{
	strvec names = { 0 };
	struct timespec begun = revindex_now();
	if (keep)
		*keep = NULL;
	/* A large index is read and checked on a thread while the directory is listed
	 * (10 ms and more each, for 100,000 revisions). */
	index_reader rd = { .dir = dir };
	pthread_t rth;
	int reading = revindex_large(dir) && pthread_create(&rth, NULL, read_index, &rd) == 0;
	int rc = fs_list(&names, dir, ".sql", e);
	if (nread)
		*nread = 0;
	if (reading)
		pthread_join(rth, NULL);
	if (rc || !names.n) {
		revindex_free(rd.ix);
		strvec_free(&names);
		return rc;
	}
	revindex *ix = reading ? rd.ix : revindex_read(dir);
	/* Files are stat'ed and read relative to the directory: one name to look up each. */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		revindex_free(ix);
		ix = NULL;
	}
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	/* Files the index holds cost a stat, not a read: more of them per thread. */
	size_t nt = names.n / (ix ? 8 * LOAD_PER_THREAD : LOAD_PER_THREAD);
	if (cpus > 0 && nt > (size_t)cpus)
		nt = (size_t)cpus;
	if (nt > LOAD_THREADS)
		nt = LOAD_THREADS;
	if (nt < 1)
		nt = 1;
	script **all = xcalloc(names.n, sizeof(*all));
	revindex_key *st = xcalloc(names.n, sizeof(*st));
	load_slice sl[LOAD_THREADS];
	pthread_t th[LOAD_THREADS];
	int started[LOAD_THREADS] = { 0 };
	size_t read = 0;
	/* Scripts taken from the index and kept go into one block the index owns, cut into
	 * a room per slice, instead of an allocation each (from this thread's heap, not
	 * from each thread's arena of its own). */
	size_t room[LOAD_THREADS] = { 0 }, rooms = 0;
	size_t dir_len = strlen(dir) + 1;
	for (size_t t = 0; ix && keep && t < nt; t++) {
		for (size_t i = names.n * t / nt; i < names.n * (t + 1) / nt; i++)
			room[t] += revindex_room_for(dir_len + strlen(names.v[i]));
		rooms += room[t];
	}
	char *block = rooms ? revindex_block(ix, rooms) : NULL;
	for (size_t t = 0; t < nt; t++) {
		sl[t] = (load_slice){ .names = &names, .dir = dir, .ix = ix, .borrow = keep != NULL,
				      .dfd = dfd, .from = names.n * t / nt, .to = names.n * (t + 1) / nt,
				      .out = all, .st = st, .room = { block, block ? block + room[t] : NULL },
				      .err = STRATA_ERR_INIT };
		if (block)
			block += room[t];
		/* The first slice runs here; the others on threads (or here, if one cannot start). */
		if (t > 0 && pthread_create(&th[t], NULL, load_range, &sl[t]) == 0)
			started[t] = 1;
	}
	load_range(&sl[0]);
	for (size_t t = 1; t < nt; t++) {
		if (started[t])
			pthread_join(th[t], NULL);
		else
			load_range(&sl[t]);
	}
	/* The error reported is the first file's in name order, as a serial load gives. */
	for (size_t t = 0; t < nt; t++) {
		read += sl[t].read;
		if (!rc && sl[t].failed < sl[t].to) {
			rc = sl[t].err.code ? sl[t].err.code : STRATA_EFAIL;
			if (e)
				err_move(e, &sl[t].err);
		}
		err_clear(&sl[t].err);
	}
	/* Anything read, or an entry for a file that is gone: the index is out of date. */
	if (!rc && (read || revindex_count(ix) != names.n))
		revindex_write(dir, &names, st, all, begun);
	if (dfd >= 0)
		close(dfd);
	for (size_t i = 0; i < names.n; i++) {
		if (!all[i])
			continue;
		if (rc)
			script_free(all[i]);
		else
			vec_push(out, all[i]);
	}
	/* Scripts that borrowed from it free nothing of it (those in its block, nothing at
	 * all); on failure they are gone before it. */
	if (keep && !rc)
		*keep = ix;
	else
		revindex_free(ix);
	if (nread)
		*nread = read;
	free(all);
	free(st);
	strvec_free(&names);
	return rc;
}

char *script_slug(const char *message)
{
	buf b = BUF_INIT;
	int sep = 0;
	for (const char *p = message; *p && b.len < 40; p++) {
		unsigned char c = (unsigned char)*p;
		if (isalnum(c)) {
			if (sep && b.len)
				buf_putc(&b, '_');
			buf_putc(&b, (char)tolower(c));
			sep = 0;
		} else {
			sep = 1;
		}
	}
	return buf_detach(&b);
}

static void put_list(buf *out, const char *key, const strvec *v)
{
	if (!v->n)
		return;
	char *j = strvec_join(v, " ");
	buf_printf(out, HDR "%s %s\n", key, j);
	free(j);
}

void script_render(buf *out, const script *s)
{
	buf_printf(out, HDR "revision %s\n", s->id);
	char *j = strvec_join(&s->parents, " ");
	buf_printf(out, HDR "revises %s\n", j);
	free(j);
	/* A message is one line in the header: fold any newlines into spaces. */
	buf_puts(out, HDR "message ");
	for (const char *p = s->message ? s->message : ""; *p; p++)
		buf_putc(out, (*p == '\n' || *p == '\r') ? ' ' : *p);
	buf_putc(out, '\n');
	if (s->created)
		buf_printf(out, HDR "created %s\n", s->created);
	put_list(out, "branch-labels", &s->labels);
	put_list(out, "depends-on", &s->depends);
	if (!s->transactional)
		buf_puts(out, HDR "transaction off\n");
	buf_puts(out, "\n" HDR "upgrade\n");
	buf_puts(out, s->upgrade ? s->upgrade : "");
	if (out->len && out->ptr[out->len - 1] != '\n')
		buf_putc(out, '\n');
	buf_puts(out, "\n" HDR "downgrade\n");
	buf_puts(out, s->downgrade ? s->downgrade : "");
	if (out->ptr[out->len - 1] != '\n')
		buf_putc(out, '\n');
}

int script_irreversible(const char *downgrade)
{
	static const char old_note[] = "-- WARNING: irreversible:";
	for (const char *p = downgrade; p && *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, SCRIPT_IRREVERSIBLE_MARK, sizeof(SCRIPT_IRREVERSIBLE_MARK) - 1) == 0 ||
		    strncmp(p, old_note, sizeof(old_note) - 1) == 0)
			return 1;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return 0;
}
