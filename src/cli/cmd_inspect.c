/* current, history, heads, branches, show, status: commands that only read. */
#include "cli/cli.h"
#include "cli/json.h"

#include <stdlib.h>
#include <string.h>

static int in_list(char **v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], id) == 0)
			return 1;
	return 0;
}

static void put_labels(const strata_revision *r)
{
	if (!r->nlabels)
		return;
	printf(" (");
	for (size_t i = 0; i < r->nlabels; i++)
		printf("%s%s", i ? ", " : "", r->labels[i]);
	printf(")");
}

/* The id of a revision by lookup in the (small) current list; NULL-safe. */
static const strata_revision *find_rev(const strata_revision *const *revs, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(revs[i]->id, id) == 0)
			return revs[i];
	return NULL;
}

/* The revision a file defines with exactly this id, or NULL; unlike a search of
 * strata_revisions, it fills no view of the revisions it does not return. */
static const strata_revision *lookup(strata *s, const char *id)
{
	const strata_revision **out = NULL;
	size_t n = 0;
	const strata_revision *r = NULL;
	if (strata_resolve(s, id, &out, &n) == 0 && n == 1 && strcmp(out[0]->id, id) == 0)
		r = out[0];
	free(out);
	return r;
}

int cmd_current(cli_globals *g, cli_args *a)
{
	strata *s;
	char **ids = NULL;
	size_t n = 0;
	const strata_revision *const *heads;
	size_t nheads = 0;
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	/* The graph loads while the database is read; its errors still come first. */
	strata_prefetch(s);
	int crc = strata_current(s, &ids, &n);
	char *cerr = crc ? strdup(strata_errmsg(s)) : NULL;
	if ((rc = strata_heads(s, &heads, &nheads))) {
		free(cerr);
		rc = cli_error(s, rc);
		goto done;
	}
	if (crc) {
		rc = cli_errorf(crc, "%s", cerr ? cerr : "");
		free(cerr);
		goto done;
	}
	cJSON *jcur = CLI_JSON(g) ? cJSON_CreateArray() : NULL;
	for (size_t i = 0; i < n; i++) {
		const strata_revision *r = lookup(s, ids[i]);
		if (jcur) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "revision", ids[i]);
			cJSON_AddBoolToObject(o, "known", r != NULL);
			cJSON_AddBoolToObject(o, "head", r && r->is_head);
			if (r)
				cJSON_AddStringToObject(o, "message", r->message);
			cJSON_AddItemToArray(jcur, o);
		}
		if (!r) {
			rc = cli_errorf(STRATA_EFAIL,
					"Can't locate revision identified by '%s': the database records it but no "
					"file in %s defines it. Restore the file, or record where the database "
					"really is with `strata stamp <revision> --purge`.",
					ids[i], strata_versions_dir(s));
			continue;
		}
		if (jcur)
			continue;
		printf("%s", r->id);
		put_labels(r);
		printf("%s", r->is_head ? " (head)" : "");
		if (g->verbose)
			printf(", %s", r->message);
		printf("\n");
	}
	int at_heads = n == nheads;
	for (size_t i = 0; at_heads && i < nheads; i++)
		at_heads = in_list(ids, n, heads[i]->id);
	if (jcur) {
		cJSON *root = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "database", strata_database_display(s));
		cJSON_AddItemToObject(root, "current", jcur);
		cJSON_AddBoolToObject(root, "at_heads", at_heads);
		cli_json_print(root);
	}
	if (!rc && cli_flag(a, "check-heads")) {
		int ok = at_heads;
		if (!ok)
			rc = cli_errorf(STRATA_EFAIL,
					"the database is not at every head (%zu head(s) in the revision graph); run `strata upgrade heads`",
					nheads);
	}
done:
	strata_strings_free(ids, n);
	strata_free(s);
	return rc;
}

static void history_line(const strata_revision *r, int current)
{
	if (!r->nparents)
		printf("<base>");
	for (size_t i = 0; i < r->nparents; i++)
		printf("%s%s", i ? ", " : "", r->parents[i]);
	printf(" -> %s", r->id);
	put_labels(r);
	printf("%s%s%s%s, %s\n", r->is_head ? " (head)" : "", r->is_branchpoint ? " (branchpoint)" : "",
	       r->is_mergepoint ? " (mergepoint)" : "", current ? " (current)" : "", r->message);
}

/* Marks (by index) the revisions reachable from `from` along parents (down) or
 * children (up); the revisions themselves are marked too. */
static void reach(const strata_revision *const *revs, size_t n, const strata_revision **from,
		  size_t nfrom, int down, unsigned char *mark)
{
	/* Index ids to positions once: the graph may be large. */
	const strata_revision **stack = malloc((n + 1) * sizeof(*stack));
	size_t sp = 0;
	for (size_t i = 0; i < nfrom; i++)
		stack[sp++] = from[i];
	while (sp) {
		const strata_revision *r = stack[--sp];
		if (mark[r->index])
			continue;
		mark[r->index] = 1;
		const char *const *next = down ? r->parents : r->children;
		size_t nn = down ? r->nparents : r->nchildren;
		for (size_t i = 0; i < nn; i++) {
			/* Parents come earlier in upgrade order; search from r's index. */
			const strata_revision *x = NULL;
			if (down) {
				for (size_t j = r->index; j-- > 0;)
					if (strcmp(revs[j]->id, next[i]) == 0) {
						x = revs[j];
						break;
					}
			} else {
				for (size_t j = r->index + 1; j < n; j++)
					if (strcmp(revs[j]->id, next[i]) == 0) {
						x = revs[j];
						break;
					}
			}
			if (x && !mark[x->index] && sp < n)
				stack[sp++] = x;
		}
	}
	free(stack);
}

/* Resolves one side of a range; "current" means the database's revisions. */
static int range_side(strata *s, const char *spec, char **cur, size_t ncur,
		      const strata_revision *const *revs, size_t nrevs,
		      const strata_revision ***out, size_t *n)
{
	if (strcmp(spec, "current") == 0) {
		*out = calloc(ncur + 1, sizeof(**out));
		*n = 0;
		for (size_t i = 0; i < ncur; i++) {
			const strata_revision *r = find_rev(revs, nrevs, cur[i]);
			if (r)
				(*out)[(*n)++] = r;
		}
		return 0;
	}
	int rc = strata_resolve(s, spec, out, n);
	return rc ? cli_error(s, rc) : 0;
}

/* Draws the graph with lanes, newest first, as `git log --graph` does. */
static void draw_graph(const strata_revision *const *revs, size_t n, const unsigned char *show,
		       char **cur, size_t ncur)
{
	const char **lanes = calloc(n + 2, sizeof(char *));
	size_t nl = 0;
	for (size_t k = n; k-- > 0;) {
		const strata_revision *r = revs[k];
		if (!show[k])
			continue;
		size_t col = nl;
		for (size_t i = 0; i < nl; i++)
			if (strcmp(lanes[i], r->id) == 0) {
				col = i;
				break;
			}
		if (col == nl)
			lanes[nl++] = r->id;
		/* Other lanes waiting for this revision join it. */
		int joined = 0;
		for (size_t i = col + 1; i < nl; i++)
			if (strcmp(lanes[i], r->id) == 0)
				joined = 1;
		if (joined) {
			for (size_t i = 0; i < nl; i++)
				printf("%s ", i > col && strcmp(lanes[i], r->id) == 0 ? "/" : "|");
			printf("\n");
			size_t w = 0;
			for (size_t i = 0; i < nl; i++)
				if (i <= col || strcmp(lanes[i], r->id) != 0)
					lanes[w++] = lanes[i];
			nl = w;
		}
		for (size_t i = 0; i < nl; i++)
			printf("%s ", i == col ? "*" : "|");
		printf(" %s", r->id);
		put_labels(r);
		printf("%s%s, %s\n", r->is_head ? " (head)" : "", in_list(cur, ncur, r->id) ? " (current)" : "",
		       r->message);
		if (!r->nparents) {
			for (size_t i = col; i + 1 < nl; i++)
				lanes[i] = lanes[i + 1];
			nl--;
			continue;
		}
		lanes[col] = r->parents[0];
		if (r->nparents > 1) {
			for (size_t i = nl; i > col + 1; i--)
				lanes[i + r->nparents - 2] = lanes[i - 1];
			for (size_t p = 1; p < r->nparents; p++)
				lanes[col + p] = r->parents[p];
			nl += r->nparents - 1;
			for (size_t i = 0; i < nl; i++)
				printf("%s ", i > col && i < col + r->nparents ? "\\" : "|");
			printf("\n");
		}
	}
	free(lanes);
}

/* Writes a DOT string literal: quotes and backslashes escaped. */
static void dot_str(const char *t)
{
	putchar('"');
	for (; *t; t++) {
		if (*t == '"' || *t == '\\')
			putchar('\\');
		if (*t == '\n')
			fputs("\\n", stdout);
		else
			putchar(*t);
	}
	putchar('"');
}

/* The graph in Graphviz DOT: heads boxed, merge points as diamonds, the database's
 * current revisions filled. Edges run from parent to child; depends-on is dashed. */
static void draw_dot(const strata_revision *const *revs, size_t n, const unsigned char *show,
		     char **cur, size_t ncur)
{
	printf("digraph strata {\n  rankdir=BT;\n  node [shape=ellipse, fontname=\"monospace\"];\n");
	for (size_t i = 0; i < n; i++) {
		const strata_revision *r = revs[i];
		if (!show[i])
			continue;
		printf("  ");
		dot_str(r->id);
		char label[400];
		snprintf(label, sizeof label, "%s\n%.200s", r->id, r->message);
		printf(" [label=");
		dot_str(label);
		if (r->is_mergepoint)
			printf(", shape=diamond");
		else if (r->is_head)
			printf(", shape=box");
		if (r->is_head)
			printf(", peripheries=2");
		if (in_list(cur, ncur, r->id))
			printf(", style=filled, fillcolor=lightblue");
		printf("];\n");
		for (size_t j = 0; j < r->nparents; j++) {
			const strata_revision *p = find_rev(revs, i, r->parents[j]);
			if (p && !show[p->index])
				continue;
			printf("  ");
			dot_str(r->parents[j]);
			printf(" -> ");
			dot_str(r->id);
			printf(";\n");
		}
		for (size_t j = 0; j < r->ndepends; j++) {
			printf("  ");
			dot_str(r->depends[j]);
			printf(" -> ");
			dot_str(r->id);
			printf(" [style=dashed, label=\"depends\"];\n");
		}
	}
	printf("}\n");
}

int cmd_history(cli_globals *g, cli_args *a)
{
	strata *s;
	const strata_revision *const *revs;
	size_t n = 0, ncur = 0;
	char **cur = NULL;
	unsigned char *show = NULL;
	const char *range = cli_value(a, "rev-range");
	int want_current = cli_flag(a, "indicate-current") || cli_flag(a, "dot") ||
			   (range && strstr(range, "current"));
	if (a->npos)
		return cli_errorf(STRATA_EUSAGE, "unexpected argument '%s' (a range goes after -r)", a->pos[0]);
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	if ((rc = strata_revisions(s, &revs, &n)) || (want_current && (rc = strata_current(s, &cur, &ncur)))) {
		rc = cli_error(s, rc);
		goto done;
	}
	show = malloc(n + 1);
	memset(show, 1, n + 1);
	if (range) {
		const char *colon = strchr(range, ':');
		if (!colon) {
			rc = cli_errorf(STRATA_EUSAGE, "a range is A:B, A:, :B, -N: or current: (got '%s')", range);
			goto done;
		}
		char *left = strndup(range, (size_t)(colon - range));
		const char *right = colon + 1;
		unsigned char *lo = calloc(n + 1, 1), *hi = calloc(n + 1, 1);
		const strata_revision **set = NULL;
		size_t nset = 0;
		if (*left && strcmp(left, "base") != 0) {
			if (!(rc = range_side(s, left, cur, ncur, revs, n, &set, &nset)))
				reach(revs, n, set, nset, 0, lo);
			free(set);
			set = NULL;
		} else {
			memset(lo, 1, n + 1);
		}
		if (!rc && *right && strcmp(right, "heads") != 0) {
			if (!(rc = range_side(s, right, cur, ncur, revs, n, &set, &nset)))
				reach(revs, n, set, nset, 1, hi);
			free(set);
		} else {
			memset(hi, 1, n + 1);
		}
		for (size_t i = 0; i < n; i++)
			show[i] = lo[i] && hi[i];
		free(lo);
		free(hi);
		free(left);
		if (rc)
			goto done;
	}
	if (CLI_JSON(g)) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t k = n; k-- > 0;) {
			if (!show[k])
				continue;
			cJSON *o = cli_json_revision(revs[k]);
			if (want_current)
				cJSON_AddBoolToObject(o, "current", in_list(cur, ncur, revs[k]->id));
			cJSON_AddItemToArray(arr, o);
		}
		cJSON *root = cJSON_CreateObject();
		cJSON_AddItemToObject(root, "revisions", arr);
		cli_json_print(root);
	} else if (cli_flag(a, "dot")) {
		draw_dot(revs, n, show, cur, ncur);
	} else if (cli_flag(a, "graph")) {
		draw_graph(revs, n, show, cur, ncur);
	} else {
		for (size_t k = n; k-- > 0;)
			if (show[k])
				history_line(revs[k], in_list(cur, ncur, revs[k]->id));
	}
done:
	free(show);
	strata_strings_free(cur, ncur);
	strata_free(s);
	return rc;
}

int cmd_heads(cli_globals *g, cli_args *a)
{
	strata *s;
	const strata_revision *const *heads;
	size_t n;
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	if ((rc = strata_heads(s, &heads, &n)))
		rc = cli_error(s, rc);
	if (!rc && CLI_JSON(g)) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, cli_json_revision(heads[i]));
		cJSON *root = cJSON_CreateObject();
		cJSON_AddItemToObject(root, "heads", arr);
		cli_json_print(root);
		n = 0;
	}
	for (size_t i = 0; !rc && i < n; i++) {
		printf("%s", heads[i]->id);
		put_labels(heads[i]);
		printf(" (head)");
		if (g->verbose)
			printf(", %s", heads[i]->message);
		printf("\n");
	}
	strata_free(s);
	return rc;
}

int cmd_branches(cli_globals *g, cli_args *a)
{
	strata *s;
	const strata_revision *const *revs;
	size_t n;
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	if ((rc = strata_revisions(s, &revs, &n)))
		rc = cli_error(s, rc);
	if (!rc && CLI_JSON(g)) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++) {
			if (!revs[i]->is_branchpoint)
				continue;
			cJSON *o = cli_json_revision(revs[i]);
			cJSON_AddItemToObject(o, "children", cli_json_strings(revs[i]->children, revs[i]->nchildren));
			cJSON_AddItemToArray(arr, o);
		}
		cJSON *root = cJSON_CreateObject();
		cJSON_AddItemToObject(root, "branchpoints", arr);
		cli_json_print(root);
		n = 0;
	}
	for (size_t i = 0; !rc && i < n; i++) {
		const strata_revision *r = revs[i];
		if (!r->is_branchpoint)
			continue;
		printf("%s", r->id);
		put_labels(r);
		printf(" (branchpoint)\n");
		for (size_t j = 0; j < r->nchildren; j++) {
			const strata_revision *c = find_rev(revs + i, n - i, r->children[j]);
			printf("%*s -> %s", (int)strlen(r->id), "", r->children[j]);
			if (c) {
				put_labels(c);
				printf("%s, %s", c->is_head ? " (head)" : "", c->message);
			}
			printf("\n");
		}
	}
	strata_free(s);
	return rc;
}

static void put_list(const char *title, const char *const *v, size_t n, const char *none)
{
	printf("%s", title);
	if (!n)
		printf("%s", none);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? ", " : "", v[i]);
	printf("\n");
}

int cmd_show(cli_globals *g, cli_args *a)
{
	if (a->npos != 1)
		return cli_errorf(STRATA_EUSAGE, "usage: strata show REV");
	strata *s;
	const strata_revision **r = NULL;
	size_t n = 0;
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	if ((rc = strata_resolve(s, a->pos[0], &r, &n)))
		rc = cli_error(s, rc);
	else if (!n)
		rc = cli_errorf(STRATA_EFAIL, "'%s' is base: no revision to show", a->pos[0]);
	for (size_t i = 0; !rc && i < n; i++) {
		const strata_revision *v = r[i];
		if (i)
			printf("\n");
		printf("Rev: %s%s%s%s\n", v->id, v->is_head ? " (head)" : "",
		       v->is_branchpoint ? " (branchpoint)" : "", v->is_mergepoint ? " (mergepoint)" : "");
		put_list("Parent: ", v->parents, v->nparents, "<base>");
		if (v->nlabels)
			put_list("Branch names: ", v->labels, v->nlabels, "");
		if (v->ndepends)
			put_list("Depends on: ", v->depends, v->ndepends, "");
		if (v->nchildren)
			put_list("Children: ", v->children, v->nchildren, "");
		printf("Path: %s\n", v->path);
		if (*v->created)
			printf("Created: %s\n", v->created);
		printf("Transaction: %s\n\n    %s\n\n", v->transactional ? "on" : "off", v->message);
		printf("-- strata:upgrade\n%s\n-- strata:downgrade\n%s", v->upgrade_sql, v->downgrade_sql);
	}
	free(r);
	strata_free(s);
	return rc;
}

int cmd_status(cli_globals *g, cli_args *a)
{
	strata *s;
	const strata_revision *const *revs;
	strata_applied *ap = NULL;
	size_t n = 0, nap = 0;
	int rc = cli_open(g, &s);
	if (rc)
		return rc;
	if ((rc = strata_revisions(s, &revs, &n)) || (rc = strata_applied_list(s, &ap, &nap))) {
		rc = cli_error(s, rc);
		goto done;
	}
	unsigned char *done_ = calloc(n + 1, 1);
	for (size_t i = 0; i < nap; i++) {
		const strata_revision *r = ap[i].known ? find_rev(revs, n, ap[i].revision) : NULL;
		if (r)
			done_[r->index] = 1;
	}
	if (CLI_JSON(g)) {
		cJSON *arr = cJSON_CreateArray(), *unknown = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "revision", revs[i]->id);
			cJSON_AddStringToObject(o, "message", revs[i]->message);
			cJSON_AddBoolToObject(o, "applied", done_[i]);
			cJSON_AddItemToArray(arr, o);
		}
		for (size_t i = 0; i < nap; i++)
			if (!ap[i].known)
				cJSON_AddItemToArray(unknown, cJSON_CreateString(ap[i].revision));
		cJSON *root = cJSON_CreateObject();
		cJSON_AddItemToObject(root, "revisions", arr);
		cJSON_AddItemToObject(root, "unknown", unknown);
		cli_json_print(root);
	} else {
		for (size_t i = 0; i < n; i++)
			printf("[%c] %s %s\n", done_[i] ? 'X' : ' ', revs[i]->id, revs[i]->message);
	}
	free(done_);
	for (size_t i = 0; i < nap; i++)
		if (!ap[i].known)
			rc = cli_errorf(STRATA_EFAIL,
					"Can't locate revision identified by '%s': the database is at %s, which no "
					"file defines, so the marks above come from strata_history (what it last "
					"recorded as applied). Restore the file, or record where the database "
					"really is with `strata stamp <revision> --purge`",
					ap[i].revision, ap[i].revision);
done:
	strata_applied_free(ap, nap);
	strata_free(s);
	return rc;
}
