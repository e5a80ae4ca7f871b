/*
 * url.c — mysql:// URLs as SQLAlchemy writes them.
 *
 *   mysql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?socket=PATH]
 *
 * mariadb:// is the same; mysql+pymysql:// and other +DRIVER forms name a Python
 * module and are read as mysql://. Every part is percent-decoded. A Unix socket is
 * named by the query parameter `socket` (or `unix_socket`, PyMySQL's spelling);
 * HOST may then be empty or localhost. `charset` is accepted and ignored: strata
 * always talks utf8mb4. Any other parameter is an error rather than silently ignored.
 */
#define _POSIX_C_SOURCE 200809L
#include "backends/mariadb/mariadb_internal.h"

#include <stdlib.h>
#include <string.h>

void my_url_free(my_url *u)
{
	free(u->user);
	free(u->password);
	free(u->host);
	free(u->database);
	free(u->socket);
	memset(u, 0, sizeof *u);
}

/* Reads the query string `q` (without '?') into u. */
static int parse_query(const char *q, my_url *u, strata_err *e)
{
	while (*q) {
		size_t n = strcspn(q, "&");
		const char *eq = memchr(q, '=', n);
		size_t kn = eq ? (size_t)(eq - q) : n;
		char *val = eq ? strata_url_decode(eq + 1, n - kn - 1) : xstrdup("");
		if ((kn == 6 && strncmp(q, "socket", 6) == 0) ||
		    (kn == 11 && strncmp(q, "unix_socket", 11) == 0)) {
			free(u->socket);
			u->socket = val;
		} else if (kn == 7 && strncmp(q, "charset", 7) == 0) {
			free(val);
		} else {
			free(val);
			return err_set(e, STRATA_EFAIL,
				       "unknown parameter '%.*s' in the MariaDB/MySQL URL (strata reads "
				       "socket=, unix_socket= and charset=)", (int)kn, q);
		}
		q += n;
		if (*q == '&')
			q++;
	}
	return 0;
}

int my_url_parse(const char *url, my_url *u, strata_err *e)
{
	memset(u, 0, sizeof *u);
	const char *p = strstr(url, "://");
	if (!p)
		return err_set(e, STRATA_EFAIL, "not a mysql:// URL");
	p += 3;
	const char *path = p + strcspn(p, "/?");
	const char *at = NULL;
	for (const char *q = p; q < path; q++)
		if (*q == '@')
			at = q; /* the last '@' ends the user info */
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		if (colon) {
			u->user = strata_url_decode(p, (size_t)(colon - p));
			u->password = strata_url_decode(colon + 1, (size_t)(at - colon - 1));
		} else {
			u->user = strata_url_decode(p, (size_t)(at - p));
		}
		p = at + 1;
	}
	const char *hostend = path;
	const char *colon = NULL;
	if (*p == '[') { /* [IPv6]:port */
		const char *close = memchr(p, ']', (size_t)(path - p));
		if (close) {
			u->host = strata_url_decode(p + 1, (size_t)(close - p - 1));
			colon = close + 1 < path && close[1] == ':' ? close + 1 : NULL;
		}
	} else {
		colon = memchr(p, ':', (size_t)(path - p));
		if (p < (colon ? colon : hostend))
			u->host = strata_url_decode(p, (size_t)((colon ? colon : hostend) - p));
	}
	if (colon) {
		char *end = NULL;
		long port = strtol(colon + 1, &end, 10);
		if (end != path || port <= 0 || port > 65535) {
			my_url_free(u);
			return err_set(e, STRATA_EFAIL, "bad port '%.*s' in the MariaDB/MySQL URL",
				       (int)(path - colon - 1), colon + 1);
		}
		u->port = (unsigned)port;
	}
	const char *query = strchr(path, '?');
	if (*path == '/') {
		const char *dbend = query ? query : path + strlen(path);
		if (dbend > path + 1)
			u->database = strata_url_decode(path + 1, (size_t)(dbend - path - 1));
	}
	if (query && parse_query(query + 1, u, e)) {
		my_url_free(u);
		return STRATA_EFAIL;
	}
	if (!u->database || !*u->database) {
		my_url_free(u);
		return err_set(e, STRATA_EFAIL,
			       "the MariaDB/MySQL URL names no database: write mysql://USER@HOST/DATABASE");
	}
	return 0;
}

char *my_url_with_db(const char *url, const char *db)
{
	const char *auth = strstr(url, "://");
	auth = auth ? auth + 3 : url;
	const char *path = auth + strcspn(auth, "/?");
	const char *query = strchr(path, '?');
	return xasprintf("%.*s/%s%s", (int)(path - url), url, db, query ? query : "");
}
