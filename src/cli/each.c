/* --each: one command over many databases (one schema per tenant), N at a time.
 *
 * Each database runs in a forked child that calls the command as if it had been
 * given -d URL; the child's output goes to a temporary file, and the parent prints one
 * line per database (in the order the databases were listed) and a summary. A failure
 * does not stop the others; the exit status is 1 if any failed. */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli.h"

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
	char out[64];
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
			int fd = mkstemp(j->out);
			if (fd < 0) {
				j->pid = -1;
				j->status = -1;
				next++;
				continue;
			}
			j->pid = fork();
			if (j->pid == 0) {
				dup2(fd, 1);
				dup2(fd, 2);
				close(fd);
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
			printf("%s: %s%s%s\n", shown ? shown : "?", ok ? "ok" : "FAILED", *line ? ": " : "", line);
			free(shown);
			unlink(j->out);
			printed++;
		}
		fflush(stdout);
	}
	printf("%zu database(s): %zu ok, %zu failed\n", n, n - failed, failed);
	free(js);
	for (size_t i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	return failed ? STRATA_EFAIL : 0;
}
