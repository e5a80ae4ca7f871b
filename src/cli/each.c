/* --each: one command over many databases (one schema per tenant), N at a time.
 *
 * Each database runs in a forked child that calls the command as if it had been
 * given -d URL; the child's output goes to a temporary file, and the parent prints one
 * line per database (in the order the databases were listed) and a summary, or with
 * --format json one JSON object per line and database. A failure does not stop the
 * others; the exit status is 1 if any failed. */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli.h"
#include "cli/json.h"

#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Expands `sqlite:GLOB` with glob(3); anything else names a file of URLs, one per
 * line (# comments and blank lines skipped). */
static int expand(const char *pattern, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (strncmp(pattern, "sqlite:", 7) == 0) {
		const char *pat = pattern + 7;
		if (strncmp(pat, "//", 2) == 0)
			pat += 2;
		glob_t gl;
		int rc = glob(pat, 0, NULL, &gl);
		if (rc == GLOB_NOMATCH)
			return cli_errorf(STRATA_EFAIL, "--each %s matches no database", pattern);
		if (rc)
			return cli_errorf(STRATA_EFAIL, "--each %s: cannot expand the pattern", pattern);
		*out = calloc(gl.gl_pathc + 1, sizeof(char *));
		for (size_t i = 0; i < gl.gl_pathc; i++) {
			size_t len = strlen(gl.gl_pathv[i]) + 8;
			char *u = malloc(len + 2);
			snprintf(u, len + 2, "sqlite:%s", gl.gl_pathv[i]);
			(*out)[(*n)++] = u;
		}
		globfree(&gl);
		return 0;
	}
	FILE *f = fopen(pattern, "r");
	if (!f)
		return cli_errorf(STRATA_EFAIL, "--each %s: %s (give sqlite:GLOB or a file of URLs, one per line)",
				  pattern, strerror(errno));
	char line[4096];
	size_t cap = 16;
	*out = calloc(cap, sizeof(char *));
	while (fgets(line, sizeof line, f)) {
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		size_t l = strcspn(p, "\r\n");
		p[l] = '\0';
		while (l && (p[l - 1] == ' ' || p[l - 1] == '\t'))
			p[--l] = '\0';
		if (!*p || *p == '#')
			continue;
		if (*n + 1 >= cap) {
			cap *= 2;
			*out = realloc(*out, cap * sizeof(char *));
		}
		(*out)[(*n)++] = strdup(p);
	}
	fclose(f);
	if (!*n)
		return cli_errorf(STRATA_EFAIL, "--each %s lists no database", pattern);
	return 0;
}

typedef struct job {
	pid_t pid;
	char out[64]; /* the child's output (stdout and stderr; stdout only with JSON) */
	char err[64]; /* with JSON: the child's stderr */
	int status;
} job;

/* The first non-empty line of a file, for the one-line result. */
static void summary_line(const char *path, char *dst, size_t n, int want_err)
{
	dst[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!*line)
			continue;
		if (want_err && strncmp(line, "strata: error: ", 15) != 0)
			continue;
		snprintf(dst, n, "%s", want_err ? line + 15 : line);
		break;
	}
	fclose(f);
}

/* With --format json: one object per database on one line, with the command's own
 * object as `result` (null when it printed none) and the error line. */
static void print_json_line(const char *url, const job *j)
{
	char line[1100];
	summary_line(j->err, line, sizeof line, 1);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "database", url);
	cJSON_AddBoolToObject(o, "ok", j->status == 0);
	cJSON_AddNumberToObject(o, "exit", j->status);
	cJSON_AddItemToObject(o, "error", *line ? cJSON_CreateString(line) : cJSON_CreateNull());
	cJSON *res = NULL;
	FILE *f = fopen(j->out, "r");
	if (f) {
		char *text = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);
		char chunk[4096];
		size_t got;
		while (m && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
			fwrite(chunk, 1, got, m);
		if (m)
			fclose(m);
		fclose(f);
		res = text ? cJSON_Parse(text) : NULL;
		free(text);
	}
	cJSON_AddItemToObject(o, "result", res ? res : cJSON_CreateNull());
	char *printed = cJSON_PrintUnformatted(o);
	if (printed)
		puts(printed);
	free(printed);
	cJSON_Delete(o);
}

/* The URL as every other message shows it: a password replaced by *** (the library
 * masks it when it reads the URL). Falls back to "database N" when even that fails. */
static char *display_url(const cli_globals *g, const char *url, size_t i)
{
	strata_options o = STRATA_OPTIONS_INIT;
	o.config_path = g->config;
	o.database_url = url;
	strata *s = NULL;
	char *d = NULL;
	strata_open(&s, &o);
	if (s && *strata_database_display(s))
		d = strdup(strata_database_display(s));
	strata_free(s);
	if (!d) {
		d = malloc(32);
		if (d)
			snprintf(d, 32, "database %zu", i + 1);
	}
	return d;
}

int cli_each(cli_globals *g, int (*fn)(cli_globals *, cli_args *), cli_args *a, const char *pattern,
	     int jobs)
{
	char **urls;
	size_t n;
	int rc = expand(pattern, &urls, &n);
	if (rc)
		return rc;
	if (jobs < 1)
		jobs = 1;
	job *js = calloc(n, sizeof(job));
	size_t next = 0, running = 0, failed = 0, printed = 0;
	fflush(stdout);
	fflush(stderr);
	while (printed < n) {
		while (running < (size_t)jobs && next < n) {
			job *j = &js[next];
			snprintf(j->out, sizeof j->out, "/tmp/strata-each-XXXXXX");
			snprintf(j->err, sizeof j->err, "/tmp/strata-each-XXXXXX");
			int fd = mkstemp(j->out);
			int efd = CLI_JSON(g) && fd >= 0 ? mkstemp(j->err) : -1;
			if (efd < 0)
				j->err[0] = '\0';
			if (fd < 0) {
				j->pid = -1;
				j->status = -1;
				next++;
				continue;
			}
			j->pid = fork();
			if (j->pid == 0) {
				dup2(fd, 1);
				dup2(efd >= 0 ? efd : fd, 2);
				close(fd);
				if (efd >= 0)
					close(efd);
				cli_globals cg = *g;
				cg.database = urls[next];
				cg.tty = 0;
				cg.summary = 1;
				int r = fn(&cg, a);
				fflush(stdout);
				fflush(stderr);
				_exit(r);
			}
			close(fd);
			if (efd >= 0)
				close(efd);
			if (j->pid < 0)
				j->status = -1;
			else
				running++;
			next++;
		}
		int st;
		pid_t pid = running ? wait(&st) : -1;
		for (size_t i = 0; pid > 0 && i < next; i++)
			if (js[i].pid == pid) {
				js[i].status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
				js[i].pid = 0;
				running--;
			}
		/* Print finished results in list order. */
		while (printed < next && js[printed].pid <= 0) {
			job *j = &js[printed];
			char line[1100];
			int ok = j->status == 0;
			summary_line(j->out, line, sizeof line, !ok);
			if (!ok)
				failed++;
			char *shown = display_url(g, urls[printed], printed);
			if (CLI_JSON(g))
				print_json_line(shown ? shown : "?", j);
			else
				printf("%s: %s%s%s\n", shown ? shown : "?", ok ? "ok" : "FAILED",
				       *line ? ": " : "", line);
			free(shown);
			unlink(j->out);
			if (j->err[0])
				unlink(j->err);
			printed++;
		}
		fflush(stdout);
	}
	if (!CLI_JSON(g))
		printf("%zu database(s): %zu ok, %zu failed\n", n, n - failed, failed);
	free(js);
	for (size_t i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	return failed ? STRATA_EFAIL : 0;
}
