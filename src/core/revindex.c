/*
 * revindex: the index of parsed revision files (see revindex.h for what makes it safe).
 *
 * Layout, native byte order (the index is a cache of this machine's files; another
 * byte order or format version reads as "no index"):
 *   header  "STRATAIX", u32 version, u32 0x01020304, u64 entry count, u64 length and
 *           u64 checksum of the entries, u64 length and u64 checksum of the texts
 *   entries per file: str name, u8 racy, i64 size, mtime s, mtime ns, ctime s,
 *           ctime ns, u64 inode, str id, message, created, u32 n + n str for parents,
 *           labels, depends, i32 transactional, revises_line, depends_line,
 *           upgrade_line, downgrade_line, has_downgrade, u64 offsets of the upgrade and
 *           downgrade texts
 *   texts   the sections' SQL, each ending in a NUL
 *   str     u32 length (0xffffffff: NULL), the bytes, a NUL
 * The texts come last and the file is mapped, not read: a command that only needs the
 * graph (heads, history, current) never brings the SQL into memory, and the entries
 * it does read are used in place.
 */
#define _POSIX_C_SOURCE 200809L
#include "core/revindex.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAGIC "STRATAIX"
#define VERSION 2u
#define ORDER 0x01020304u
#define HEADER 56
#define NULLSTR 0xffffffffu

struct revindex {
	const unsigned char *map; /* the whole file, mapped read-only */
	size_t size;
	const char **names;   /* in file order, which is name order (the writer's) */
	const unsigned char **at; /* entry i: the byte after its name's NUL */
	size_t n;
	const char *text;     /* the texts region */
	uint64_t text_len;
	struct timespec mtime; /* the index file's own mtime */
	vec blocks;            /* revindex_block's, where borrowed scripts live */
};

/* A checksum against truncation and stray writes (not against tampering: whoever can
 * write the index can write the revision files too), computed in pieces: sum_init
 * with the total length, sum_add with pieces whose lengths are multiples of 8 but the
 * last, sum_end. */
typedef struct sum {
	uint64_t h;
} sum;

static void sum_init(sum *k, uint64_t n)
{
	k->h = 0x9e3779b97f4a7c15ull ^ n;
}

static void sum_add(sum *k, const unsigned char *p, size_t n)
{
	uint64_t h = k->h;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	k->h = h;
}

static uint64_t sum_end(const sum *k)
{
	return k->h ^ (k->h >> 32);
}

static uint64_t checksum(const unsigned char *p, size_t n)
{
	sum k;
	sum_init(&k, n);
	sum_add(&k, p, n);
	return sum_end(&k);
}

/* The checksum of `len` bytes of file `fd` from `off`, read through a small buffer so
 * that checking the texts does not bring them into memory. -1 on a read error. The
 * buffer's pages are faulted in at first use, which costs more than the extra reads
 * on a virtual machine: 64 KiB, not more. */
static int checksum_fd(int fd, uint64_t off, uint64_t len, uint64_t *out)
{
	enum { CHUNK = 1 << 16 };
	unsigned char *b = xmalloc(CHUNK);
	sum k;
	sum_init(&k, len);
	uint64_t done = 0;
	int rc = 0;
	while (done < len) {
		size_t want = len - done < CHUNK ? (size_t)(len - done) : CHUNK;
		ssize_t got = pread(fd, b, want, (off_t)(off + done));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0 || (size_t)got != want) {
			rc = -1; /* short: CHUNK is a multiple of 8, so pieces must be whole */
			break;
		}
		sum_add(&k, b, want);
		done += want;
	}
	free(b);
	*out = sum_end(&k);
	return rc;
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

/* Reads one list of an entry: its count, and where its first word starts (the words
 * follow each other); every word is checked. */
static uint32_t get_list_at(cursor *c, const unsigned char **first)
{
	uint32_t n = get_u32(c);
	*first = c->p;
	for (uint32_t i = 0; i < n && !c->bad; i++) {
		int isnull;
		if (!get_str(c, &isnull))
			c->bad = 1;
	}
	return c->bad ? 0 : n;
}

/* Fills `out` (n + 1 slots, NULL-terminated) with the n words starting at `p`, in
 * place or copied. */
static void list_words(const unsigned char *p, uint32_t n, char **out, int copy)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len;
		memcpy(&len, p, 4);
		out[i] = copy ? xstrdup((const char *)p + 4) : (char *)p + 4;
		p += 4 + (size_t)len + 1;
	}
	out[n] = NULL;
}

/* Bytes of a borrowed script's block: the struct, `words` list slots, the path. */
static size_t borrowed_size(size_t words, size_t plen)
{
	size_t n = sizeof(script) + words * sizeof(char *) + plen;
	return (n + 15) & ~(size_t)15;
}

size_t revindex_room_for(size_t path_len)
{
	return borrowed_size(3 + 3, path_len + 1);
}

char *revindex_block(revindex *ix, size_t bytes)
{
	char *b = xmalloc(bytes ? bytes : 1);
	vec_push(&ix->blocks, b);
	return b;
}

/* Decodes the script part of an entry at cursor c into a new script (NULL when bad).
 * Borrowed, the script is one block (the struct, its path and its lists' arrays),
 * cut from `room` when it fits there, whose strings point into the index. */
static script *get_script(const revindex *ix, cursor *c, const char *path, int borrow,
			  revindex_room *room)
{
	const char *id = dup_str(c, 1), *message = dup_str(c, 1), *created = dup_str(c, 1);
	const unsigned char *at[3];
	uint32_t n[3];
	for (int l = 0; l < 3; l++)
		n[l] = get_list_at(c, &at[l]);
	int32_t v[6];
	for (int i = 0; i < 6; i++)
		v[i] = (int32_t)get_u32(c);
	uint64_t up = get_u64(c), down = get_u64(c);
	if (c->bad || !id || !message || up >= ix->text_len || down >= ix->text_len)
		return NULL;
	size_t plen = strlen(path) + 1;
	size_t words = (size_t)n[0] + n[1] + n[2] + 3;
	script *s;
	char **slot;
	int in_room = 0;
	if (borrow) {
		size_t need = borrowed_size(words, plen);
		in_room = room && (size_t)(room->end - room->at) >= need;
		char *block = in_room ? room->at : xmalloc(need);
		if (in_room)
			room->at += need;
		s = (script *)block;
		memset(s, 0, sizeof(*s));
		slot = (char **)(block + sizeof(*s));
		s->path = (char *)(slot + words);
		memcpy(s->path, path, plen);
	} else {
		s = xcalloc(1, sizeof(*s));
		slot = xcalloc(words, sizeof(char *));
		s->path = xstrdup(path);
	}
	s->borrowed = !borrow ? 0 : in_room ? 2 : 1;
	s->id = borrow ? (char *)id : xstrdup(id);
	s->message = borrow ? (char *)message : xstrdup(message);
	s->created = !created || borrow ? (char *)created : xstrdup(created);
	strvec *lists[3] = { &s->parents, &s->labels, &s->depends };
	for (int l = 0; l < 3; l++) {
		if (borrow) {
			list_words(at[l], n[l], slot, 0);
			*lists[l] = (strvec){ slot, n[l], n[l] };
			slot += n[l] + 1;
		} else {
			list_words(at[l], n[l], slot, 1);
			for (uint32_t i = 0; i < n[l]; i++)
				strvec_push_owned(lists[l], slot[i]);
		}
	}
	if (!borrow)
		free(slot);
	s->transactional = v[0];
	s->revises_line = v[1];
	s->depends_line = v[2];
	s->upgrade_line = v[3];
	s->downgrade_line = v[4];
	s->has_downgrade = v[5];
	s->upgrade = borrow ? (char *)ix->text + up : xstrdup(ix->text + up);
	s->downgrade = borrow ? (char *)ix->text + down : xstrdup(ix->text + down);
	return s;
}

/* Skips the script part of an entry, checking its bounds and its texts' offsets. */
static void skip_script(cursor *c, uint64_t text_len)
{
	int isnull;
	for (int i = 0; i < 3; i++)
		get_str(c, &isnull);
	for (int l = 0; l < 3 && !c->bad; l++) {
		const unsigned char *first;
		get_list_at(c, &first);
	}
	for (int i = 0; i < 6; i++)
		get_u32(c);
	for (int i = 0; i < 2; i++)
		if (get_u64(c) >= text_len)
			c->bad = 1;
}

/* Checks the mapped index in ix->map (header, both checksums, every entry) and
 * indexes its entries; 0 when it is whole and valid. */
static int check_index(revindex *ix, int fd)
{
	const unsigned char *d = ix->map;
	cursor h = { d + 8, d + HEADER, 0 };
	uint32_t version = get_u32(&h), order = get_u32(&h);
	uint64_t n = get_u64(&h), mlen = get_u64(&h), msum = get_u64(&h);
	uint64_t tlen = get_u64(&h), tsum = get_u64(&h);
	if (memcmp(d, MAGIC, 8) != 0 || version != VERSION || order != ORDER ||
	    mlen > ix->size - HEADER || tlen != ix->size - HEADER - mlen ||
	    /* Each entry takes at least 60 bytes: a count beyond that is damage. */
	    n > mlen / 60 || msum != checksum(d + HEADER, (size_t)mlen))
		return -1;
	uint64_t got = 0;
	if (checksum_fd(fd, HEADER + mlen, tlen, &got) != 0 || got != tsum ||
	    (tlen && d[ix->size - 1] != '\0'))
		return -1;
	ix->text = (const char *)d + HEADER + mlen;
	ix->text_len = tlen;
	ix->names = xcalloc((size_t)n + 1, sizeof(*ix->names));
	ix->at = xcalloc((size_t)n + 1, sizeof(*ix->at));
	cursor c = { d + HEADER, d + HEADER + mlen, 0 };
	for (uint64_t i = 0; i < n; i++) {
		int isnull;
		const char *name = get_str(&c, &isnull);
		/* Names strictly increasing, so lookups can bisect. */
		if (!name || (i && strcmp(ix->names[i - 1], name) >= 0))
			return -1;
		ix->names[i] = name;
		ix->at[i] = c.p;
		revindex_key k;
		int racy;
		get_stamp(&c, &racy, &k);
		skip_script(&c, tlen);
		if (c.bad)
			return -1;
	}
	if (c.p != c.end)
		return -1;
	ix->n = (size_t)n;
	return 0;
}

revindex *revindex_read(const char *dir)
{
	char *path = fs_join(dir, REVINDEX_NAME);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return NULL;
	struct stat st;
	revindex *ix = xcalloc(1, sizeof(*ix));
	int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= HEADER &&
		 (uint64_t)st.st_size <= SIZE_MAX;
	if (ok) {
		ix->size = (size_t)st.st_size;
		void *m = mmap(NULL, ix->size, PROT_READ, MAP_PRIVATE, fd, 0);
		ix->map = m == MAP_FAILED ? NULL : m;
		ix->mtime = st.st_mtim;
		ok = ix->map && check_index(ix, fd) == 0;
	}
	close(fd);
	if (!ok) {
		revindex_free(ix);
		return NULL;
	}
	return ix;
}

int revindex_large(const char *dir)
{
	char *path = fs_join(dir, REVINDEX_NAME);
	struct stat st;
	int large = stat(path, &st) == 0 && st.st_size >= REVINDEX_LARGE;
	free(path);
	return large;
}

size_t revindex_count(const revindex *ix)
{
	return ix ? ix->n : 0;
}

void revindex_free(revindex *ix)
{
	if (!ix)
		return;
	if (ix->map)
		munmap((void *)ix->map, ix->size);
	free(ix->names);
	free(ix->at);
	for (size_t i = 0; i < ix->blocks.n; i++)
		free(ix->blocks.v[i]);
	vec_free(&ix->blocks);
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
	return revindex_get_near(ix, name, st, path, borrow, NULL, NULL);
}

script *revindex_get_near(const revindex *ix, const char *name, const revindex_key *st,
			  const char *path, int borrow, size_t *hint, revindex_room *room)
{
	if (!ix || !ix->n)
		return NULL;
	size_t lo;
	if (hint && *hint < ix->n && strcmp(ix->names[*hint], name) == 0) {
		lo = *hint;
	} else {
		size_t hi = ix->n;
		lo = 0;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(ix->names[mid], name) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == ix->n || strcmp(ix->names[lo], name) != 0)
			return NULL;
	}
	if (hint)
		*hint = lo + 1;
	const unsigned char *e = ix->at[lo];
	cursor c = { e, ix->map + HEADER + (ix->size - HEADER - ix->text_len), 0 };
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
	return get_script(ix, &c, path, borrow, room);
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
	buf b = BUF_INIT, t = BUF_INIT;
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
		const char *text[2] = { s->upgrade ? s->upgrade : "", s->downgrade ? s->downgrade : "" };
		for (int k = 0; k < 2; k++) {
			put_u64(&b, (uint64_t)t.len);
			buf_add(&t, text[k], strlen(text[k]) + 1);
		}
	}
	size_t mlen = b.len - HEADER;
	buf h = BUF_INIT;
	buf_add(&h, MAGIC, 8);
	put_u32(&h, VERSION);
	put_u32(&h, ORDER);
	put_u64(&h, (uint64_t)names->n);
	put_u64(&h, (uint64_t)mlen);
	put_u64(&h, checksum((const unsigned char *)b.ptr + HEADER, mlen));
	put_u64(&h, (uint64_t)t.len);
	put_u64(&h, checksum((const unsigned char *)t.ptr, t.len));
	memcpy(b.ptr, h.ptr, HEADER);
	buf_free(&h);
	buf_add(&b, t.ptr, t.len);
	buf_free(&t);
	/* A cache, checked when read: no fsync. A read-only directory keeps no index. */
	char *path = fs_join(dir, REVINDEX_NAME);
	fs_write_atomic_ex(path, b.ptr, b.len, 0644, 0, 0, NULL);
	free(path);
	buf_free(&b);
}
