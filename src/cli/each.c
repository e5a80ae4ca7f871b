/* --each: one command over many databases (one schema per tenant), N at a time.
 *
 * Each database runs in one of N worker processes, which calls the command as if it
 * had been given -d URL; its output goes to a temporary file, and the parent prints
 * one line per database (in the order the databases were listed) and a summary, or
 * with --format json one JSON object per line and database. A failure does not stop the
 * others; the exit status is 1 if any failed. */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli.h"
#include "cli/json.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The longest path of an output file, $TMPDIR included (a longer $TMPDIR: /tmp). */
#define EACH_PATH 256

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
	int done;
	int ended; /* the worker ended while it ran this database: its wait status */
	const char *why; /* it could not run: why */
	int why_errno;   /* and the error behind it, or 0 */
	char out[EACH_PATH]; /* the child's output (stdout and stderr; stdout only with JSON) */
	char err[EACH_PATH]; /* with JSON: the child's stderr */
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
static void print_json_line(const char *url, const job *j, const char *why)
{
	char line[1100];
	if (why)
		snprintf(line, sizeof line, "%s", why);
	else
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

/* Runs the databases on `jobs` worker processes. A worker is forked once and then
 * runs database after database: the parent sends it a database's number and the
 * files for its output over a socket pair, and the worker answers with the command's
 * exit status. Forking once per database cost more than the command itself on a small
 * project (a process's start, its page faults and its exit: about 80 % of the time of
 * a 20-revision upgrade of an empty database on tmpfs), and that work is what does not
 * scale with the number of CPUs. A worker that dies (a crash, a signal) fails the
 * database it was running, and a new worker takes the next one. */
typedef struct task {
	size_t index;
	char out[EACH_PATH];
	char err[EACH_PATH];
} task;

typedef struct worker {
	pid_t pid;  /* 0: none running in this slot */
	int sock;   /* the parent's end of a socket pair: tasks go out, exit statuses come back */
	long busy;  /* the database it runs, -1 when idle */
} worker;

/* A send to a worker that has just ended fails with EPIPE instead of raising SIGPIPE,
 * which would end strata. */
static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* 1 when the whole of n bytes came, 0 when the other end closed first, -1 on an error. */
static int read_all(int fd, void *p, size_t n)
{
	char *c = p;
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, c + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 && got == 0 ? 0 : -1;
		got += (size_t)r;
	}
	return 1;
}

/* A worker's life: a database per task, until the parent closes its end. Output of
 * each goes to that task's files; a caught signal (Ctrl-C) ends the worker after the
 * database it interrupted. */
static void worker_run(const cli_globals *g, int (*fn)(cli_globals *, cli_args *), cli_args *a,
		       char **urls, int sock)
{
	task t;
	while (read_all(sock, &t, sizeof t) == 1) {
		int fd = open(t.out, O_WRONLY | O_TRUNC);
		int efd = t.err[0] ? open(t.err, O_WRONLY | O_TRUNC) : -1;
		int r = 1;
		if (fd >= 0) {
			fflush(stdout);
			fflush(stderr);
			dup2(fd, 1);
			dup2(efd >= 0 ? efd : fd, 2);
			cli_globals cg = *g;
			cg.database = urls[t.index];
			cg.tty = 0;
			cg.summary = 1;
			r = fn(&cg, a);
			fflush(stdout);
			fflush(stderr);
		}
		if (fd >= 0)
			close(fd);
		if (efd >= 0)
			close(efd);
		if (write_all(sock, &r, sizeof r) || cli_signal_status(0))
			break;
	}
	_exit(0);
}

/* Starts the worker of slot w; every other worker's socket is closed in it, so that
 * each pair ends when its own worker or the parent does. */
static int worker_start(worker *ws, size_t nw, size_t w, const cli_globals *g,
			int (*fn)(cli_globals *, cli_args *), cli_args *a, char **urls)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		for (size_t i = 0; i < nw; i++)
			if (ws[i].pid > 0)
				close(ws[i].sock);
		close(sv[0]);
		worker_run(g, fn, a, urls, sv[1]);
	}
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return -1;
	}
	ws[w].pid = pid;
	ws[w].sock = sv[0];
	ws[w].busy = -1;
	return 0;
}

/* Ends the worker of slot w (its socket closed, then waited for); its wait status. */
static int worker_end(worker *w)
{
	int st = 0;
	close(w->sock);
	while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
		;
	w->pid = 0;
	w->busy = -1;
	return st;
}

/* Makes an empty temporary file under $TMPDIR (or /tmp) named into path[EACH_PATH];
 * the error number (and path "") when it cannot. */
static int temp_file(char *path)
{
	char *t = fs_temp_template("strata-each");
	snprintf(path, EACH_PATH, "%s", strlen(t) < EACH_PATH ? t : "/tmp/strata-each-XXXXXX");
	free(t);
	int fd = mkstemp(path);
	if (fd < 0) {
		path[0] = '\0';
		return errno ? errno : EIO;
	}
	close(fd);
	return 0;
}

/* Makes the output files of database i (the second only with JSON); the error number
 * when the first cannot be made. */
static int task_files(job *j, int json)
{
	j->err[0] = '\0';
	int rc = temp_file(j->out);
	if (rc)
		return rc;
	if (json)
		temp_file(j->err);
	return 0;
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
	size_t nw = (size_t)jobs < n ? (size_t)jobs : n;
	job *js = calloc(n, sizeof(job));
	worker *ws = calloc(nw, sizeof(worker));
	struct pollfd *pf = calloc(nw, sizeof(struct pollfd));
	size_t next = 0, failed = 0, printed = 0;
	while (printed < n) {
		/* Give every idle worker the next database. */
		for (size_t w = 0; w < nw && next < n; w++) {
			if (ws[w].pid > 0 && ws[w].busy >= 0)
				continue;
			job *j = &js[next];
			task t = { .index = next };
			int sent = -1;
			j->why = "no temporary file for its output";
			j->why_errno = task_files(j, CLI_JSON(g));
			if (j->why_errno == 0) {
				j->why = "could not start a worker process";
				memcpy(t.out, j->out, sizeof t.out);
				memcpy(t.err, j->err, sizeof t.err);
				/* A worker that ended since its last task gets replaced once. */
				for (int tries = 0; sent && tries < 2; tries++) {
					if (ws[w].pid <= 0 && worker_start(ws, nw, w, g, fn, a, urls))
						break;
					sent = write_all(ws[w].sock, &t, sizeof t);
					if (sent)
						worker_end(&ws[w]);
				}
			}
			if (sent) {
				j->done = 1;
				j->status = 1;
			} else {
				j->why = NULL;
				ws[w].busy = (long)next;
			}
			next++;
		}
		/* Wait for a worker to answer (or to end). */
		size_t np = 0;
		for (size_t w = 0; w < nw; w++)
			if (ws[w].pid > 0 && ws[w].busy >= 0) {
				pf[np].fd = ws[w].sock;
				pf[np].events = POLLIN;
				pf[np].revents = 0;
				np++;
			}
		if (np && poll(pf, np, -1) < 0) {
			/* Interrupted: ask again. Failed: wait on the first one's answer. */
			for (size_t k = 0; k < np; k++)
				pf[k].revents = 0;
			if (errno != EINTR)
				pf[0].revents = POLLIN;
		}
		for (size_t w = 0, k = 0; k < np && w < nw; w++) {
			if (ws[w].pid <= 0 || ws[w].busy < 0)
				continue;
			short rev = pf[k++].revents;
			if (!rev)
				continue;
			job *j = &js[ws[w].busy];
			int st;
			if (read_all(ws[w].sock, &st, sizeof st) == 1) {
				j->status = st;
				ws[w].busy = -1;
			} else {
				/* It ended without answering: the database it ran failed,
				 * with the status a shell gives a process a signal ended. */
				int est = worker_end(&ws[w]);
				j->ended = est ? est : 1;
				j->status = WIFSIGNALED(est) ? 128 + WTERMSIG(est)
					    : WIFEXITED(est) && WEXITSTATUS(est) ? WEXITSTATUS(est) : 1;
			}
			j->done = 1;
		}
		/* Print finished results in list order. */
		while (printed < next && js[printed].done) {
			job *j = &js[printed];
			char line[1100];
			int ok = j->status == 0;
			if (j->ended && WIFSIGNALED(j->ended))
				snprintf(line, sizeof line, "ended by signal %d (%s) before it finished",
					 WTERMSIG(j->ended), strsignal(WTERMSIG(j->ended)));
			else if (j->ended)
				snprintf(line, sizeof line, "ended before it finished");
			else if (j->why && j->why_errno) {
				char *t = fs_temp_template("strata-each");
				snprintf(line, sizeof line, "%s: %s (%s)", j->why, strerror(j->why_errno), t);
				free(t);
			} else if (j->why)
				snprintf(line, sizeof line, "%s", j->why);
			else
				summary_line(j->out, line, sizeof line, !ok);
			if (!ok)
				failed++;
			char *shown = display_url(g, urls[printed], printed);
			if (CLI_JSON(g))
				print_json_line(shown ? shown : "?", j, j->ended || j->why ? line : NULL);
			else
				printf("%s: %s%s%s\n", shown ? shown : "?", ok ? "ok" : "FAILED",
				       *line ? ": " : "", line);
			free(shown);
			if (j->out[0])
				unlink(j->out);
			if (j->err[0])
				unlink(j->err);
			printed++;
		}
		fflush(stdout);
	}
	for (size_t w = 0; w < nw; w++)
		if (ws[w].pid > 0)
			worker_end(&ws[w]);
	if (!CLI_JSON(g))
		printf("%zu database(s): %zu ok, %zu failed\n", n, n - failed, failed);
	free(pf);
	free(ws);
	free(js);
	for (size_t i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	return failed ? STRATA_EFAIL : 0;
}
