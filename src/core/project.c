/* Project files: `init` and new revision files. */
#define _POSIX_C_SOURCE 200809L
#include "core/ctx.h"
#include "core/revspec.h"
#include "util/fs.h"
#include "util/sha256.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int strata_init(strata *s, const char *dir, const char *database_url)
{
	strata_err e = STRATA_ERR_INIT;
	if (!dir)
		dir = "migrations";
	if (fs_exists(dir) && !(fs_is_dir(dir) && fs_dir_empty(dir)))
		return ctx_fail(s, STRATA_EFAIL,
				"directory %s already exists and is not empty (strata init refuses to touch it; "
				"pass another directory: strata init DIR)", dir);
	char *versions = fs_join(dir, "versions");
	int rc = fs_mkdirs(versions, &e);
	free(versions);
	if (rc)
		return ctx_take(s, &e);
	/* The index of parsed revision files is a cache of this machine: kept out of git. */
	char *ignore = fs_join(dir, ".gitignore");
	static const char ign[] = "# strata's index of the parsed revision files: a local cache, safe to delete\n"
				  "versions/.strata-index\n";
	rc = fs_exists(ignore) ? 0 : fs_write_atomic(ignore, ign, sizeof ign - 1, 0644, 1, &e);
	free(ignore);
	if (rc)
		return ctx_take(s, &e);
	if (!fs_exists("strata.ini")) {
		buf b = BUF_INIT;
		buf_printf(&b,
			   "# strata configuration: see `strata --help`.\n"
			   "# The database URL can also come from -d/--database or $DATABASE_URL.\n"
			   "[strata]\n"
			   "database = %s\n"
			   "script_location = %s\n"
			   "schema = schema.sql\n",
			   database_url ? database_url : strata_init_url, dir);
		rc = fs_write_atomic("strata.ini", b.ptr, b.len, 0644, 1, &e);
		buf_free(&b);
		if (rc)
			return ctx_take(s, &e);
	} else {
		ctx_notice(s, STRATA_EVENT_NOTICE, "strata.ini exists: left as it is");
	}
	if (!fs_exists("schema.sql")) {
		static const char txt[] =
			"-- The declared schema: plain CREATE statements for the tables, indexes, views\n"
			"-- and triggers the database should have. `strata migrate -m MSG` writes a\n"
			"-- revision that brings the database here; `strata check` compares them.\n";
		if (fs_write_atomic("schema.sql", txt, sizeof txt - 1, 0644, 1, &e))
			return ctx_take(s, &e);
	}
	return 0;
}

/* 12 random lowercase hex digits, like Alembic's revision ids. */
static void random_id(char out[13])
{
	unsigned char raw[6];
	if (sha256_random(raw, sizeof raw) != 0) {
		/* Fall back to time and address entropy; uniqueness is still checked. */
		unsigned long x = (unsigned long)time(NULL) ^ (unsigned long)(size_t)out;
		for (size_t i = 0; i < sizeof raw; i++)
			raw[i] = (unsigned char)(x >> (i * 5));
	}
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < 6; i++) {
		out[2 * i] = digits[raw[i] >> 4];
		out[2 * i + 1] = digits[raw[i] & 15];
	}
	out[12] = '\0';
}

int strata_revision_new(strata *s, const strata_revision_options *o, char **path)
{
	strata_err e = STRATA_ERR_INIT;
	vec parents = { 0 };
	script sc;
	char idbuf[13];
	int rc;
	memset(&sc, 0, sizeof sc);
	*path = NULL;
	if (!o->message || !*o->message)
		return ctx_fail(s, STRATA_EUSAGE, "a revision needs a message: -m \"what it does\"");
	if (script_control_char(o->message))
		return ctx_fail(s, STRATA_EUSAGE,
				"the message holds control character 0x%02x (a revision header is one "
				"line of text; it is printed in SQL comments and on terminals)",
				script_control_char(o->message));
	if (!fs_is_dir(s->versions_dir))
		return ctx_fail(s, STRATA_EFAIL,
				"no revisions directory %s (run `strata init` first, or set script_location)",
				s->versions_dir);
	if (o->rev_id && !script_valid_id(o->rev_id))
		return ctx_fail(s, STRATA_EUSAGE, "invalid --rev-id '%s' (1 to 64 letters, digits or '_')",
				o->rev_id);
	if (o->rev_id && script_reserved_id(o->rev_id))
		return ctx_fail(s, STRATA_EUSAGE,
				"--rev-id '%s' is a target keyword (" SCRIPT_RESERVED_IDS
				"): the keyword would shadow it; choose another id", o->rev_id);
	for (size_t i = 0; i < o->nlabels; i++)
		if (script_reserved_id(o->labels[i]))
			return ctx_fail(s, STRATA_EUSAGE,
					"--branch-label '%s' is a target keyword (" SCRIPT_RESERVED_IDS
					"): the keyword would shadow it; choose another label", o->labels[i]);
	if ((rc = ctx_graph(s)))
		return rc;
	graph *g = s->g;
	if (o->rev_id) {
		if (graph_get(g, o->rev_id) || map_get(&g->by_label, o->rev_id)) {
			return ctx_fail(s, STRATA_EFAIL, "revision id %s is already used", o->rev_id);
		}
		sc.id = (char *)o->rev_id;
	} else {
		do
			random_id(idbuf);
		while (graph_get(g, idbuf));
		sc.id = idbuf;
	}
	if (o->nparents == 0) {
		if (g->heads.n > 1) {
			buf b = BUF_INIT;
			for (size_t i = 0; i < g->heads.n; i++)
				buf_printf(&b, "%s%s", i ? ", " : "", ((rev *)g->heads.v[i])->id);
			rc = ctx_fail(s, STRATA_EMULTIPLE_HEADS,
				      "Multiple heads are present (%s); please specify the head revision on which "
				      "the new revision will be based with --head, or join them first with "
				      "`strata merge heads -m MSG`", b.ptr);
			buf_free(&b);
			return rc;
		}
		if (g->heads.n == 1)
			vec_push(&parents, g->heads.v[0]);
	} else {
		for (size_t i = 0; i < o->nparents; i++) {
			size_t before = parents.n;
			if ((rc = revspec_resolve(g, o->parents[i], NULL, &parents, &e)))
				goto fail;
			for (size_t j = before; j < parents.n; j++) {
				rev *p = parents.v[j];
				if (!graph_is_head(p) && !o->splice) {
					rc = err_set(&e, STRATA_EFAIL,
						     "Revision %s is not a head revision; pass --splice to start a "
						     "new branch from it", p->id);
					goto fail;
				}
				for (size_t k = 0; k < j; k++)
					if (parents.v[k] == p) {
						rc = err_set(&e, STRATA_EUSAGE, "revision %s is named twice", p->id);
						goto fail;
					}
			}
		}
	}
	for (size_t i = 0; i < o->nlabels; i++) {
		if (!script_valid_id(o->labels[i]) || map_get(&g->by_label, o->labels[i]) ||
		    graph_get(g, o->labels[i])) {
			rc = err_set(&e, STRATA_EUSAGE, "branch label '%s' is invalid or already used",
				     o->labels[i]);
			goto fail;
		}
		strvec_push(&sc.labels, o->labels[i]);
	}
	for (size_t i = 0; i < o->ndepends; i++) {
		/* Any target naming one revision (users@head too); a branch label is kept as
		 * written, as Alembic keeps it. */
		vec d = { 0 };
		rc = revspec_resolve(g, o->depends[i], NULL, &d, &e);
		if (!rc && d.n != 1)
			rc = err_set(&e, STRATA_EUSAGE, "--depends-on %s names %s revision", o->depends[i],
				     d.n ? "more than one" : "no");
		if (!rc)
			strvec_push(&sc.depends, map_get(&g->by_label, o->depends[i])
							 ? o->depends[i] : ((rev *)d.v[0])->id);
		vec_free(&d);
		if (rc)
			goto fail;
	}
	for (size_t i = 0; i < parents.n; i++)
		strvec_push(&sc.parents, ((rev *)parents.v[i])->id);
	char created[32];
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(created, sizeof created, "%Y-%m-%d %H:%M:%S", &tm);
	sc.created = created;
	sc.message = (char *)o->message;
	sc.transactional = o->transactional;
	sc.upgrade = (char *)(o->upgrade_sql ? o->upgrade_sql : "");
	sc.downgrade = (char *)(o->downgrade_sql ? o->downgrade_sql : "");
	buf text = BUF_INIT;
	script_render(&text, &sc);
	char *slug = script_slug(o->message);
	char *name = *slug ? xasprintf("%s_%s.sql", sc.id, slug) : xasprintf("%s.sql", sc.id);
	char *p = fs_join(s->versions_dir, name);
	rc = fs_write_atomic(p, text.ptr, text.len, 0644, 1, &e);
	free(slug);
	free(name);
	buf_free(&text);
	if (rc) {
		free(p);
		goto fail;
	}
	*path = p;
fail:
	strvec_free(&sc.labels);
	strvec_free(&sc.depends);
	strvec_free(&sc.parents);
	vec_free(&parents);
	return rc ? ctx_take(s, &e) : 0;
}
