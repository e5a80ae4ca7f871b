#include "core/ctx.h"
#include "core/schema_source.h"
#include "util/fs.h"

#include <ctype.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct cfg_read {
	strata *s;
	char *database;
	char *bad_key;
	char *bad_section;
} cfg_read;

/* The config file's text as inih reads it, one line per call (ini_reader). A line
 * that does not fit inih's line buffer (`num` bytes) ends the reading and is
 * recorded: inih would otherwise cut it into pieces and read them as lines. */
typedef struct cfg_text {
	const char *p, *end;
	int line;      /* lines handed out so far */
	int long_line; /* the first line too long, or 0 */
	int max;       /* the longest line that fits, in characters */
} cfg_text;

static char *cfg_reader(char *str, int num, void *stream)
{
	cfg_text *t = stream;
	if (t->p >= t->end || t->long_line || num < 4)
		return NULL;
	const char *nl = memchr(t->p, '\n', (size_t)(t->end - t->p));
	size_t n = nl ? (size_t)(nl - t->p) + 1 : (size_t)(t->end - t->p);
	t->line++;
	/* Room for the line, a CR before its LF and the NUL, as inih counts. */
	if (n + (nl ? 1 : 2) > (size_t)num) {
		t->long_line = t->line;
		t->max = num - 3;
		return NULL;
	}
	memcpy(str, t->p, n);
	str[n] = '\0';
	t->p += n;
	return str;
}

static void set(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

/* Makes a relative path in *p relative to `dir` instead. */
static void rebase(char **p, const char *dir)
{
	if (!*p || **p == '/')
		return;
	char *joined = fs_join(dir, *p);
	free(*p);
	*p = joined;
}

/* A version table name: a plain SQL identifier, so it needs no quoting rules of
 * its own on any backend. */
static int valid_table_name(const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n > 63 || !(isalpha((unsigned char)v[0]) || v[0] == '_'))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '_')
			return 0;
	return strcmp(v, "strata_history") != 0;
}

/* A yes/no setting: 1, 0, or -1 when `v` is neither (yes/no, true/false, on/off, 1/0,
 * any case). */
static int parse_yes_no(const char *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no", "false", "off", "0" };
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* inih callback: returning 0 makes ini_parse report this line. */
static int on_kv(void *user, const char *section, const char *name, const char *value)
{
	cfg_read *c = user;
	strata *s = c->s;
	if (strcmp(section, "strata") != 0) {
		if (!c->bad_section)
			c->bad_section = xstrdup(section);
		return 0;
	}
	if (strcmp(name, "database") == 0 || strcmp(name, "sqlalchemy.url") == 0)
		set(&c->database, value);
	else if (strcmp(name, "script_location") == 0)
		set(&s->script_location, value);
	else if (strcmp(name, "schema") == 0)
		set(&s->schema_path, value);
	else if (strcmp(name, "version_table_schema") == 0)
		set(&s->version_schema, value);
	else if (strcmp(name, "version_table") == 0) {
		if (!valid_table_name(value))
			goto bad;
		set(&s->version_table, value);
	} else if (strcmp(name, "python") == 0 && *value)
		set(&s->python, value);
	else if (strcmp(name, "shadow_database") == 0)
		set(&s->shadow_url, value);
	else if (strcmp(name, "manage_privileges") == 0) {
		if ((s->manage_privileges = parse_yes_no(value)) < 0)
			goto bad;
	}
	else if (strcmp(name, "lock_timeout") == 0) {
		char *end;
		double v = strtod(value, &end);
		/* Accept "10", "10s", "500ms", up to a day. Written so that NaN fails too. */
		if (end == value || !(v >= 0))
			goto bad;
		if (strcmp(end, "ms") == 0 && v <= 86400000)
			s->lock_timeout_ms = (int)v;
		else if ((*end == '\0' || strcmp(end, "s") == 0) && v <= 86400)
			s->lock_timeout_ms = (int)(v * 1000);
		else
			goto bad;
	} else {
		/* An unknown key's value may be a password (a misspelt `database`): not shown. */
		if (!c->bad_key)
			c->bad_key = xasprintf("'%s' (its value is not shown: it may hold a password)", name);
		return 0;
	}
	return 1;
bad:
	if (!c->bad_key)
		c->bad_key = xasprintf("'%s = %s'", name, value);
	return 0;
}

/* The URL with SQLAlchemy's `+DRIVER` dropped from its scheme
 * (postgresql+psycopg2://… → postgresql://…, sqlite+pysqlite:///… → sqlite:///…):
 * the driver names a Python module, which strata has no use for. malloc'd. */
static char *url_normalize(const char *url)
{
	size_t n = strcspn(url, ":/?@");
	const char *plus = memchr(url, '+', n);
	if (!plus || url[n] != ':')
		return xstrdup(url);
	return xasprintf("%.*s%s", (int)(plus - url), url, url + n);
}

/* Appends `s` to `b` with the value of every password keyword (password=,
 * sslpassword=, spaces around '=' allowed, a quoted value whole) replaced by ***. */
static void mask_password_values(buf *b, const char *s)
{
	const char *p = s;
	for (;;) {
		const char *hit = strstr(p, "password");
		if (!hit) {
			buf_puts(b, p);
			return;
		}
		const char *q = hit + strlen("password");
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '=') {
			buf_add(b, p, (size_t)(q - p));
			p = q;
			continue;
		}
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		buf_add(b, p, (size_t)(q - p));
		buf_puts(b, "***");
		if (*q == '\'') {
			for (q++; *q && *q != '\''; q++)
				if (*q == '\\' && q[1])
					q++;
			if (*q)
				q++;
		} else {
			while (*q && *q != '&' && !isspace((unsigned char)*q))
				q++;
		}
		p = q;
	}
}

char *url_mask(const char *url)
{
	buf b = BUF_INIT;
	/* A URL (scheme ':'): the user part is what precedes the last '@' before the
	 * path, with or without "//" (a malformed postgresql:user:pw@/db too). A libpq
	 * keyword string has no scheme. */
	size_t n = 0;
	if (isalpha((unsigned char)url[0]))
		while (isalnum((unsigned char)url[n]) || url[n] == '+' || url[n] == '-' || url[n] == '.')
			n++;
	if (n && url[n] == ':') {
		size_t a = n + 1;
		if (url[a] == '/' && url[a + 1] == '/')
			a += 2;
		size_t end = a + strcspn(url + a, "/?#");
		const char *at = NULL;
		for (size_t i = a; i < end; i++)
			if (url[i] == '@')
				at = url + i;
		const char *colon = at ? memchr(url + a, ':', (size_t)(at - url - a)) : NULL;
		if (colon) {
			buf_add(&b, url, (size_t)(colon - url + 1));
			buf_puts(&b, "***");
			url = at;
		}
	}
	mask_password_values(&b, url);
	return buf_detach(&b);
}

int config_load(strata *s)
{
	const strata_options *o = &s->opts;
	cfg_read c = { s, NULL, NULL, NULL };
	const char *path = o->config_path;
	int rc = 0;
	s->lock_timeout_ms = 10000;
	if (!path && fs_exists("strata.ini"))
		path = "strata.ini";
	if (path) {
		if (!fs_exists(path)) {
			rc = ctx_fail(s, STRATA_EFAIL, "config file %s not found", path);
			goto done;
		}
		if (fs_is_dir(path)) {
			rc = ctx_fail(s, STRATA_EFAIL, "config file %s is a directory", path);
			goto done;
		}
		s->config_path = xstrdup(path);
		s->config_dir = fs_dirname(path);
		buf text = BUF_INIT;
		if (fs_read(&text, path, NULL)) {
			buf_free(&text);
			rc = ctx_fail(s, STRATA_EFAIL, "cannot read config file %s", path);
			goto done;
		}
		cfg_text t = { text.ptr, text.ptr + text.len, 0, 0, 0 };
		int line = text.len ? ini_parse_stream(cfg_reader, &t, on_kv, &c) : 0;
		buf_free(&text);
		if (line < 0) {
			rc = ctx_fail(s, STRATA_EFAIL, "cannot read config file %s", path);
			goto done;
		}
		if (line == 0 && t.long_line) {
			rc = ctx_fail(s, STRATA_EFAIL,
				      "%s:%d: line longer than %d characters (for a long database URL, "
				      "use $DATABASE_URL or -d)", path, t.long_line, t.max);
			goto done;
		}
		if (line > 0) {
			if (c.bad_section)
				rc = ctx_fail(s, STRATA_EFAIL,
					      "%s:%d: unknown section [%s] (strata reads [strata])",
					      path, line, c.bad_section);
			else if (c.bad_key)
				rc = ctx_fail(s, STRATA_EFAIL, "%s:%d: unknown or invalid setting %s",
					      path, line, c.bad_key);
			else
				rc = ctx_fail(s, STRATA_EFAIL, "%s:%d: not a valid ini line", path, line);
			goto done;
		}
	}
	/* Paths in a config file elsewhere are relative to that file's directory. */
	if (s->config_dir && strcmp(s->config_dir, ".") != 0) {
		rebase(&s->script_location, s->config_dir);
		if (s->schema_path && schema_source_is_file(s->schema_path))
			rebase(&s->schema_path, s->config_dir);
	}
	const char *env = o->use_env ? getenv("DATABASE_URL") : NULL;
	const char *url = o->database_url ? o->database_url : (env && *env) ? env : c.database;
	if (url && *url)
		s->url = url_normalize(url);
	s->url_from_config = url && url == c.database;
	if (o->script_location)
		set(&s->script_location, o->script_location);
	if (!s->script_location)
		s->script_location = xstrdup("migrations");
	if (o->schema_path)
		set(&s->schema_path, o->schema_path);
	if (!s->schema_path)
		s->schema_path = xstrdup("schema.sql");
	if (o->lock_timeout_ms > 0)
		s->lock_timeout_ms = o->lock_timeout_ms;
	if (o->version_table) {
		if (!valid_table_name(o->version_table)) {
			rc = ctx_fail(s, STRATA_EUSAGE, "invalid version table name '%s'", o->version_table);
			goto done;
		}
		set(&s->version_table, o->version_table);
	}
	if (!s->version_table)
		s->version_table = xstrdup("strata_version");
	if (o->version_table_schema) {
		if (!valid_table_name(o->version_table_schema)) {
			rc = ctx_fail(s, STRATA_EUSAGE, "invalid version table schema '%s'", o->version_table_schema);
			goto done;
		}
		set(&s->version_schema, o->version_table_schema);
	}
	if (!s->config_dir)
		s->config_dir = xstrdup(".");
	if (!s->python) {
		const char *py = getenv("STRATA_PYTHON");
		s->python = xstrdup(py && *py ? py : "python3");
	}
	s->versions_dir = fs_join(s->script_location, "versions");
	s->url_display = s->url ? url_mask(s->url) : xstrdup("");
	if (s->url && !strata_backend_for_url(s->url) && !ctx_borrowed(o)) {
		char *forms = backend_url_forms();
		rc = ctx_fail(s, STRATA_EUSAGE, "unsupported database URL '%s' (use %s)",
			      s->url_display, forms);
		free(forms);
		goto done;
	}
done:
	free(c.database);
	free(c.bad_key);
	free(c.bad_section);
	return rc;
}
