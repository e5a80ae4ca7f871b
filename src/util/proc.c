#define _POSIX_C_SOURCE 200809L
#include "util/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Builds the child's environment: ours, with each of `extra` replacing an entry of
 * the same name. The strings are borrowed; the array is malloc'd. */
static char **child_env(const char *const *extra)
{
	size_t n = 0, k = 0;
	for (char **v = environ; *v; v++)
		n++;
	for (const char *const *x = extra; x && *x; x++)
		n++;
	char **env = xcalloc(n + 1, sizeof(*env));
	for (char **v = environ; *v; v++) {
		const char *eq = strchr(*v, '=');
		size_t len = eq ? (size_t)(eq - *v) + 1 : strlen(*v);
		int replaced = 0;
		for (const char *const *x = extra; x && *x && !replaced; x++)
			replaced = strncmp(*x, *v, len) == 0;
		if (!replaced)
			env[k++] = *v;
	}
	for (const char *const *x = extra; x && *x; x++)
		env[k++] = (char *)*x;
	env[k] = NULL;
	return env;
}

/* Child side of proc_run: never returns. Reports an exec failure as status 127
 * with errno written to `errpipe`. */
static void child(const char *const *argv, const proc_opts *o, char **env, int in, int out,
		  int err, int errpipe)
{
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	if (o->cwd && chdir(o->cwd) != 0) {
		int x = errno;
		if (write(errpipe, &x, sizeof x) < 0)
			_exit(126);
		_exit(126);
	}
	environ = env;
	execvp(argv[0], (char *const *)argv);
	int x = errno;
	if (write(errpipe, &x, sizeof x) < 0)
		_exit(127);
	_exit(127);
}

int proc_run(const char *const *argv, const proc_opts *o, buf *out, buf *errout, int *status,
	     strata_err *e)
{
	static const proc_opts none = { 0 };
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 }, pexec[2] = { -1, -1 };
	int rc = STRATA_EFAIL;
	char **env = NULL;
	pid_t pid = -1;
	if (!o)
		o = &none;
	*status = -1;
	if (pipe(pin) || pipe(pout) || pipe(perr) || pipe(pexec)) {
		err_set(e, STRATA_EFAIL, "cannot run %s: %s", argv[0], strerror(errno));
		goto done;
	}
	fcntl(pexec[1], F_SETFD, FD_CLOEXEC);
	env = child_env(o->env);
	pid = fork();
	if (pid < 0) {
		err_set(e, STRATA_EFAIL, "cannot run %s: %s", argv[0], strerror(errno));
		goto done;
	}
	if (pid == 0) {
		close(pin[1]);
		close(pout[0]);
		close(perr[0]);
		close(pexec[0]);
		child(argv, o, env, pin[0], pout[1], perr[1], pexec[1]);
	}
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	close(pexec[1]);
	pin[0] = pout[1] = perr[1] = pexec[1] = -1;

	/* Feed the input, read both outputs: poll, so a child that writes much to one
	 * stream while we wait on the other never blocks. */
	const char *in = o->input ? o->input : "";
	size_t inlen = strlen(in), inoff = 0;
	if (!inlen) {
		close(pin[1]);
		pin[1] = -1;
	}
	signal(SIGPIPE, SIG_IGN);
	while (pout[0] >= 0 || perr[0] >= 0 || pin[1] >= 0) {
		struct pollfd p[3];
		int np = 0;
		if (pout[0] >= 0)
			p[np++] = (struct pollfd){ pout[0], POLLIN, 0 };
		if (perr[0] >= 0)
			p[np++] = (struct pollfd){ perr[0], POLLIN, 0 };
		if (pin[1] >= 0)
			p[np++] = (struct pollfd){ pin[1], POLLOUT, 0 };
		if (poll(p, (nfds_t)np, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < np; i++) {
			if (!p[i].revents)
				continue;
			if (p[i].fd == pin[1]) {
				ssize_t w = write(pin[1], in + inoff, inlen - inoff);
				if (w > 0)
					inoff += (size_t)w;
				if (w < 0 || inoff == inlen) {
					close(pin[1]);
					pin[1] = -1;
				}
				continue;
			}
			char chunk[8192];
			ssize_t r = read(p[i].fd, chunk, sizeof chunk);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				close(p[i].fd);
				if (p[i].fd == pout[0])
					pout[0] = -1;
				else
					perr[0] = -1;
				continue;
			}
			buf *dst = p[i].fd == pout[0] ? out : errout;
			if (dst)
				buf_add(dst, chunk, (size_t)r);
		}
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	int exec_errno = 0;
	ssize_t got = read(pexec[0], &exec_errno, sizeof exec_errno);
	if (got == (ssize_t)sizeof exec_errno) {
		if (exec_errno == ENOENT)
			err_set(e, STRATA_EFAIL, "cannot run %s: not found%s", argv[0],
				o->cwd ? "" : " on PATH");
		else
			err_set(e, STRATA_EFAIL, "cannot run %s%s%s: %s", argv[0],
				WIFEXITED(st) && WEXITSTATUS(st) == 126 ? " in " : "",
				WIFEXITED(st) && WEXITSTATUS(st) == 126 ? o->cwd : "",
				strerror(exec_errno));
		goto done;
	}
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
	rc = 0;
done:
	if (pid > 0)
		waitpid(pid, NULL, 0);
	for (int i = 0; i < 2; i++) {
		if (pin[i] >= 0)
			close(pin[i]);
		if (pout[i] >= 0)
			close(pout[i]);
		if (perr[i] >= 0)
			close(perr[i]);
		if (pexec[i] >= 0)
			close(pexec[i]);
	}
	free(env);
	return rc;
}

const char *proc_tail(const char *text, int lines)
{
	size_t n = strlen(text);
	while (n && (text[n - 1] == '\n' || text[n - 1] == ' ' || text[n - 1] == '\r'))
		n--;
	size_t i = n;
	while (i > 0) {
		if (text[i - 1] == '\n' && --lines == 0)
			break;
		i--;
	}
	return text + i;
}
