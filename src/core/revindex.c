/*
 * revindex: the index of parsed revision files (see revindex.h for what makes it safe).
 *
 * Layout, native byte order (the index is a cache of this machine's files; another
 * byte order or format version reads as "no index"):
 *   header  "STRATAIX", u32 version, u32 0x01020304, u64 payload length, u64 checksum
 *           of the payload, u64 entry count
 *   entry   str name, u8 racy, i64 size, mtime s, mtime ns, ctime s, ctime ns, u64 inode,
 *           str id, message, created, u32 n + n str for parents, labels, depends,
 *           i32 transactional, revises_line, depends_line, upgrade_line,
 *           downgrade_line, has_downgrade, str upgrade, downgrade
 *   str     u32 length (0xffffffff: NULL), the bytes, a NUL
 */
#define _POSIX_C_SOURCE 200809L
#include "core/revindex.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAGIC "STRATAIX"
#define VERSION 1u
#define ORDER 0x01020304u
#define HEADER 40
#define NULLSTR 0xffffffffu

struct revindex {
	buf data;
	const char **names;   /* in file order, which is name order (the writer's) */
	const unsigned char **at; /* entry i: the byte after its name's NUL */
	size_t n;
	struct timespec mtime; /* the index file's own mtime */
};

/* A checksum against truncation and stray writes (not against tampering: whoever can
 * write the index can write the revision files too). */
static uint64_t checksum(const unsigned char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h ^ (h >> 32);
}

/* ---- reading: a bounds-checked cursor; any overrun marks it bad ---- */

typedef struct cursor {
	const unsigned char *p, *end;
	int bad;
} cursor;

static uint64_t get_u64(cursor *c)
{
	uint64_t v = 0;
	if (c->bad || (size_t)(c->end - c->p) < 8) {
		c->bad = 1;
		return 0;
	}
	memcpy(&v, c->p, 8);
	c->p += 8;
	return v;
}

static uint32_t get_u32(cursor *c)
{
	uint32_t v = 0;
	if (c->bad || (size_t)(c->end - c->p) < 4) {
		c->bad = 1;
		return 0;
	}
	memcpy(&v, c->p, 4);
	c->p += 4;
	return v;
}

/* A string in place (NUL-terminated in the file), NULL for a NULL string or when bad. */
static const char *get_str(cursor *c, int *isnull)
{
	uint32_t len = get_u32(c);
	*isnull = len == NULLSTR;
	if (c->bad || *isnull)
		return NULL;
	if ((size_t)(c->end - c->p) < (size_t)len + 1 || c->p[len] != '\0') {
		c->bad = 1;
		return NULL;
	}
	const char *s = (const char *)c->p;
	c->p += (size_t)len + 1;
	return s;
}

static char *dup_str(cursor *c, int borrow)
{
	int isnull;
	const char *s = get_str(c, &isnull);
	return s && !borrow ? xstrdup(s) : (char *)s;
}

static void get_list(cursor *c, strvec *out)
{
	uint32_t n = get_u32(c);
	for (uint32_t i = 0; i < n && !c->bad; i++) {
		char *s = dup_str(c, 0);
		if (s)
			strvec_push_owned(out, s);
		else
			c->bad = 1;
	}
}

void revindex_key_of(revindex_key *k, const struct stat *st)
{
	k->size = (int64_t)st->st_size;
	k->mtime_s = (int64_t)st->st_mtim.tv_sec;
	k->mtime_ns = (int64_t)st->st_mtim.tv_nsec;
	k->ctime_s = (int64_t)st->st_ctim.tv_sec;
	k->ctime_ns = (int64_t)st->st_ctim.tv_nsec;
	k->ino = (uint64_t)st->st_ino;
}

/* An entry's racy flag and key. */
static void get_stamp(cursor *c, int *racy, revindex_key *k)
{
	if (c->bad || c->p >= c->end) {
		c->bad = 1;
		return;
	}
	*racy = *c->p++;
	k->size = (int64_t)get_u64(c);
	k->mtime_s = (int64_t)get_u64(c);
	k->mtime_ns = (int64_t)get_u64(c);
	k->ctime_s = (int64_t)get_u64(c);
	k->ctime_ns = (int64_t)get_u64(c);
	k->ino = get_u64(c);
}

/* Decodes the script part of an entry into a new script (NULL when bad). */
static script *get_script(cursor *c, const char *path, int borrow)
{
	script *s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->borrowed = borrow;
	s->id = dup_str(c, borrow);
	s->message = dup_str(c, borrow);
	s->created = dup_str(c, borrow);
	get_list(c, &s->parents);
	get_list(c, &s->labels);
	get_list(c, &s->depends);
	s->transactional = (int)get_u32(c);
	s->revises_line = (int)get_u32(c);
	s->depends_line = (int)get_u32(c);
	s->upgrade_line = (int)get_u32(c);
	s->downgrade_line = (int)get_u32(c);
	s->has_downgrade = (int)get_u32(c);
	s->upgrade = dup_str(c, borrow);
	s->downgrade = dup_str(c, borrow);
	if (c->bad || !s->id || !s->message || !s->upgrade || !s->downgrade) {
		script_free(s);
		return NULL;
	}
	return s;
}

/* Skips the script part of an entry, checking its bounds. */
static void skip_script(cursor *c)
{
	int isnull;
	for (int i = 0; i < 3; i++)
		get_str(c, &isnull);
	for (int l = 0; l < 3 && !c->bad; l++) {
		uint32_t n = get_u32(c);
		for (uint32_t i = 0; i < n && !c->bad; i++)
			if (!get_str(c, &isnull))
				c->bad = 1;
	}
	for (int i = 0; i < 6; i++)
		get_u32(c);
	for (int i = 0; i < 2; i++)
		if (!get_str(c, &isnull))
			c->bad = 1;
}

revindex *revindex_read(const char *dir)
{
	char *path = fs_join(dir, REVINDEX_NAME);
	struct stat st;
	revindex *ix = xcalloc(1, sizeof(*ix));
	int ok = fs_read_stat(&ix->data, path, &st, NULL) == 0 && ix->data.len >= HEADER;
	free(path);
	if (ok) {
		const unsigned char *d = (const unsigned char *)ix->data.ptr;
		cursor h = { d + 8, d + HEADER, 0 };
		uint32_t version = get_u32(&h), order = get_u32(&h);
		uint64_t len = get_u64(&h), sum = get_u64(&h), n = get_u64(&h);
		ok = memcmp(d, MAGIC, 8) == 0 && version == VERSION && order == ORDER &&
		     len == ix->data.len - HEADER && sum == checksum(d + HEADER, (size_t)len);
		cursor c = { d + HEADER, d + ix->data.len, 0 };
		/* Each entry takes at least 60 bytes: a count beyond that is damage. */
		ok = ok && n <= len / 60;
		if (ok) {
			ix->names = xcalloc((size_t)n + 1, sizeof(*ix->names));
			ix->at = xcalloc((size_t)n + 1, sizeof(*ix->at));
		}
		for (uint64_t i = 0; ok && i < n; i++) {
			int isnull;
			const char *name = get_str(&c, &isnull);
			if (!name) {
				ok = 0;
				break;
			}
			/* Names strictly increasing, so lookups can bisect. */
			if (i && strcmp(ix->names[i - 1], name) >= 0) {
				ok = 0;
				break;
			}
			ix->names[i] = name;
			ix->at[i] = c.p;
			revindex_key k;
			int racy;
			get_stamp(&c, &racy, &k);
			skip_script(&c);
			ok = !c.bad;
		}
		ok = ok && c.p == c.end;
		ix->n = (size_t)n;
		ix->mtime = st.st_mtim;
	}
	if (!ok) {
		revindex_free(ix);
		return NULL;
	}
	return ix;
}

size_t revindex_count(const revindex *ix)
{
	return ix ? ix->n : 0;
}

void revindex_free(revindex *ix)
{
	if (!ix)
		return;
	buf_free(&ix->data);
	free(ix->names);
	free(ix->at);
	free(ix);
}

/* a < b for timestamps. */
static int ts_before(int64_t as, int64_t ans, int64_t bs, int64_t bns)
{
	return as < bs || (as == bs && ans < bns);
}

script *revindex_get(const revindex *ix, const char *name, const revindex_key *st,
		     const char *path, int borrow)
{
	if (!ix || !ix->n)
		return NULL;
	size_t lo = 0, hi = ix->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix->names[mid], name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == ix->n || strcmp(ix->names[lo], name) != 0)
		return NULL;
	const unsigned char *e = ix->at[lo];
	cursor c = { e, (const unsigned char *)ix->data.ptr + ix->data.len, 0 };
	revindex_key k;
	int racy = 1;
	get_stamp(&c, &racy, &k);
	int64_t xs = (int64_t)ix->mtime.tv_sec, xns = (int64_t)ix->mtime.tv_nsec;
	if (c.bad || racy || k.size != st->size || k.ino != st->ino ||
	    k.mtime_s != st->mtime_s || k.mtime_ns != st->mtime_ns ||
	    k.ctime_s != st->ctime_s || k.ctime_ns != st->ctime_ns ||
	    /* Not older than the index itself: it may have changed within the tick. */
	    !ts_before(k.mtime_s, k.mtime_ns, xs, xns) || !ts_before(k.ctime_s, k.ctime_ns, xs, xns))
		return NULL;
	return get_script(&c, path, borrow);
}

/* ---- writing ---- */

static void put_u64(buf *b, uint64_t v)
{
	buf_add(b, (const char *)&v, 8);
}

static void put_u32(buf *b, uint32_t v)
{
	buf_add(b, (const char *)&v, 4);
}

static void put_str(buf *b, const char *s)
{
	if (!s) {
		put_u32(b, NULLSTR);
		return;
	}
	size_t n = strlen(s);
	put_u32(b, (uint32_t)n);
	buf_add(b, s, n + 1);
}

static void put_list(buf *b, const strvec *v)
{
	put_u32(b, (uint32_t)v->n);
	for (size_t i = 0; i < v->n; i++)
		put_str(b, v->v[i]);
}

struct timespec revindex_now(void)
{
	struct timespec t = { 0, 0 };
#ifdef CLOCK_REALTIME_COARSE
	if (clock_gettime(CLOCK_REALTIME_COARSE, &t) == 0)
		return t;
#endif
	/* Without the coarse clock, a second of margin for the file system's tick. */
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec -= 1;
	return t;
}

void revindex_write(const char *dir, const strvec *names, const revindex_key *st,
		    script *const *sc, struct timespec begun)
{
	buf b = BUF_INIT;
	char head[HEADER];
	memset(head, 0, sizeof head);
	buf_add(&b, head, HEADER);
	for (size_t i = 0; i < names->n; i++) {
		const revindex_key *f = &st[i];
		const script *s = sc[i];
		int64_t bs = (int64_t)begun.tv_sec, bns = (int64_t)begun.tv_nsec;
		/* Changed since the load began: its stat may not change again on the next edit. */
		int racy = !ts_before(f->mtime_s, f->mtime_ns, bs, bns) ||
			   !ts_before(f->ctime_s, f->ctime_ns, bs, bns);
		put_str(&b, names->v[i]);
		buf_putc(&b, (char)racy);
		put_u64(&b, (uint64_t)f->size);
		put_u64(&b, (uint64_t)f->mtime_s);
		put_u64(&b, (uint64_t)f->mtime_ns);
		put_u64(&b, (uint64_t)f->ctime_s);
		put_u64(&b, (uint64_t)f->ctime_ns);
		put_u64(&b, f->ino);
		put_str(&b, s->id);
		put_str(&b, s->message);
		put_str(&b, s->created);
		put_list(&b, &s->parents);
		put_list(&b, &s->labels);
		put_list(&b, &s->depends);
		put_u32(&b, (uint32_t)s->transactional);
		put_u32(&b, (uint32_t)s->revises_line);
		put_u32(&b, (uint32_t)s->depends_line);
		put_u32(&b, (uint32_t)s->upgrade_line);
		put_u32(&b, (uint32_t)s->downgrade_line);
		put_u32(&b, (uint32_t)s->has_downgrade);
		put_str(&b, s->upgrade);
		put_str(&b, s->downgrade);
	}
	buf h = BUF_INIT;
	buf_add(&h, MAGIC, 8);
	put_u32(&h, VERSION);
	put_u32(&h, ORDER);
	put_u64(&h, (uint64_t)(b.len - HEADER));
	put_u64(&h, checksum((const unsigned char *)b.ptr + HEADER, b.len - HEADER));
	put_u64(&h, (uint64_t)names->n);
	memcpy(b.ptr, h.ptr, HEADER);
	buf_free(&h);
	/* A cache, checked when read: no fsync. A read-only directory keeps no index. */
	char *path = fs_join(dir, REVINDEX_NAME);
	fs_write_atomic_ex(path, b.ptr, b.len, 0644, 0, 0, NULL);
	free(path);
	buf_free(&b);
}
