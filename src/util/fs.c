#define _POSIX_C_SOURCE 200809L
#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads up to max bytes. size_hint, when not (size_t)-1, is the size fstat gave
 * for a regular file: the buffer is sized for it and reading stops once that many
 * bytes arrived, which saves the read() that would only report end of file (one
 * syscall in four when loading a directory of small revision files). */
static int read_fd(buf *out, int fd, size_t max, size_t size_hint)
{
	size_t got = 0;
	while (got < max && got < size_hint) {
		size_t chunk = size_hint != (size_t)-1 ? size_hint - got : 65536;
		size_t want = max - got < chunk ? max - got : chunk;
		buf_grow(out, want);
		ssize_t n = read(fd, out->ptr + out->len, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->ptr[out->len] = '\0';
		got += (size_t)n;
	}
	return 0;
}

/* fs_read_head, also giving the fstat of the file read in *stp when not NULL. */
/* Reads file `path` (or `name` in directory dfd, when dfd >= 0: no walk of the path's
 * directories); messages name `path`. */
static int read_at_stat(buf *out, int dfd, const char *name, const char *path, size_t max,
			struct stat *stp, strata_err *e)
{
	int fd = dfd >= 0 ? openat(dfd, name, O_RDONLY | O_CLOEXEC) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, STRATA_EFAIL, "cannot read %s: %s", path, strerror(errno));
	struct stat st;
	size_t hint = (size_t)-1;
	if (stp)
		memset(stp, 0, sizeof(*stp));
	if (fstat(fd, &st) == 0) {
		if (stp)
			*stp = st;
		if (S_ISDIR(st.st_mode)) {
			close(fd);
			return err_set(e, STRATA_EFAIL, "cannot read %s: is a directory", path);
		}
		if (S_ISREG(st.st_mode) && st.st_size > 0)
			hint = (size_t)st.st_size;
	}
	int rc = read_fd(out, fd, max, hint);
	int saved = errno;
	close(fd);
	if (rc < 0)
		return err_set(e, STRATA_EFAIL, "cannot read %s: %s", path, strerror(saved));
	return 0;
}

static int read_head_stat(buf *out, const char *path, size_t max, struct stat *stp, strata_err *e)
{
	return read_at_stat(out, -1, NULL, path, max, stp, e);
}

int fs_read_stat_at(buf *out, int dfd, const char *name, const char *path, struct stat *st,
		    strata_err *e)
{
	return read_at_stat(out, dfd, name, path, (size_t)-1, st, e);
}

int fs_read_head(buf *out, const char *path, size_t max, strata_err *e)
{
	return read_head_stat(out, path, max, NULL, e);
}

int fs_read(buf *out, const char *path, strata_err *e)
{
	return read_head_stat(out, path, (size_t)-1, NULL, e);
}

int fs_read_stat(buf *out, const char *path, struct stat *st, strata_err *e)
{
	return read_head_stat(out, path, (size_t)-1, st, e);
}

int fs_temp_beside(const char *path, char **tmp, strata_err *e)
{
	*tmp = xasprintf("%s.tmp-XXXXXX", path);
	int fd = mkstemp(*tmp);
	if (fd < 0) {
		err_set(e, STRATA_EFAIL, "cannot write %s: %s", path, strerror(errno));
		free(*tmp);
		*tmp = NULL;
	}
	return fd;
}

int fs_publish(const char *tmp, const char *path, strata_err *e)
{
	/* link() refuses to replace an existing file or symlink, unlike rename(). */
	if (link(tmp, path) == 0) {
		unlink(tmp);
		return 0;
	}
	if (errno == EEXIST)
		return err_set(e, STRATA_EFAIL, "%s already exists", path);
	/* File systems without hard links: rename, after checking the name is free. */
	if ((errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP || errno == ENOSYS) &&
	    !fs_lexists(path))
		return fs_rename(tmp, path, e);
	return err_set(e, STRATA_EFAIL, "cannot write %s: %s", path, strerror(errno));
}

int fs_write_atomic(const char *path, const char *data, size_t len, int mode, int exclusive,
		    strata_err *e)
{
	return fs_write_atomic_ex(path, data, len, mode, exclusive, 1, e);
}

int fs_write_atomic_ex(const char *path, const char *data, size_t len, int mode, int exclusive,
		       int sync, strata_err *e)
{
	if (exclusive && fs_exists(path))
		return err_set(e, STRATA_EFAIL, "%s already exists", path);
	char *tmp = NULL;
	int fd = fs_temp_beside(path, &tmp, e);
	if (fd < 0)
		return STRATA_EFAIL;
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (fchmod(fd, (mode_t)mode) != 0 || (sync && fsync(fd) != 0))
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (exclusive) {
		if (fs_publish(tmp, path, e)) {
			unlink(tmp);
			free(tmp);
			return STRATA_EFAIL;
		}
	} else if (rename(tmp, path) != 0) {
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	err_set(e, STRATA_EFAIL, "cannot write %s: %s", path, strerror(errno ? errno : EIO));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return STRATA_EFAIL;
}

int fs_list(strvec *out, const char *dir, const char *suffix, strata_err *e)
{
	DIR *d = opendir(dir);
	if (!d)
		return err_set(e, STRATA_EFAIL, "cannot open directory %s: %s", dir, strerror(errno));
	size_t start = out->n;
	size_t sl = suffix ? strlen(suffix) : 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		size_t nl = strlen(de->d_name);
		if (suffix && (nl < sl || strcmp(de->d_name + nl - sl, suffix) != 0))
			continue;
		strvec_push(out, de->d_name);
	}
	closedir(d);
	strvec tail = { out->v + start, out->n - start, 0 };
	strvec_sort(&tail);
	return 0;
}

int fs_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int fs_lexists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

int fs_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int fs_dir_empty(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *de;
	int empty = 1;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			empty = 0;
			break;
		}
	}
	closedir(d);
	return empty;
}

int fs_mkdirs(const char *path, strata_err *e)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			err_set(e, STRATA_EFAIL, "cannot create directory %s: %s", p, strerror(errno));
			free(p);
			return STRATA_EFAIL;
		}
		*s = '/';
	}
	int rc = 0;
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		rc = err_set(e, STRATA_EFAIL, "cannot create directory %s: %s", p, strerror(errno));
	else if (!fs_is_dir(p))
		rc = err_set(e, STRATA_EFAIL, "cannot create directory %s: a file is in the way", p);
	free(p);
	return rc;
}

char *fs_temp_template(const char *name)
{
	const char *t = getenv("TMPDIR");
	return xasprintf("%s/%s-XXXXXX", t && *t ? t : "/tmp", name);
}

char *fs_join(const char *a, const char *b)
{
	size_t al = strlen(a);
	if (al == 0 || b[0] == '/')
		return xstrdup(b);
	/* Without printf: a directory load joins one path per revision file. */
	size_t sep = a[al - 1] != '/', bl = strlen(b);
	char *p = xmalloc(al + sep + bl + 1);
	memcpy(p, a, al);
	p[al] = '/';
	memcpy(p + al + sep, b, bl + 1);
	return p;
}

char *fs_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

int fs_rename(const char *from, const char *to, strata_err *e)
{
	if (rename(from, to) != 0)
		return err_set(e, STRATA_EFAIL, "cannot move %s to %s: %s", from, to, strerror(errno));
	return 0;
}

int fs_copy(const char *from, const char *to, int mode, strata_err *e)
{
	buf b = BUF_INIT;
	int rc = fs_read(&b, from, e);
	if (rc == 0)
		rc = fs_write_atomic(to, b.ptr, b.len, mode, 1, e);
	buf_free(&b);
	return rc;
}
