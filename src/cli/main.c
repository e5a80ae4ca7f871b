/*
 * strata — database schema migrations from the command line.
 *
 * main.c: global options, the command table and exit codes (0 success, 1 failure or
 * a check that does not hold, 2 usage error).
 */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

static const cli_opt no_opts[] = { { NULL, 0, 0 } };
static const cli_opt o_init[] = { { NULL, 0, 0 } };
static const cli_opt o_revision[] = {
	{ "message", 'm', 1 }, { "autogenerate", 0, 0 }, { "head", 0, 1 }, { "splice", 0, 0 },
	{ "branch-label", 0, 1 }, { "depends-on", 0, 1 }, { "rev-id", 0, 1 }, { "rename", 0, 1 },
	{ "sql", 0, 0 }, { NULL, 0, 0 }
};
static const cli_opt o_merge[] = { { "message", 'm', 1 }, { "branch-label", 0, 1 }, { "rev-id", 0, 1 }, { NULL, 0, 0 } };
static const cli_opt o_upgrade[] = { { "sql", 0, 0 }, { "backup", 0, 0 }, { "single-transaction", 0, 0 }, { "plan", 0, 0 }, { "resume", 0, 0 }, { NULL, 0, 0 } };
static const cli_opt o_stamp[] = { { "purge", 0, 0 }, { NULL, 0, 0 } };
static const cli_opt o_current[] = { { "check-heads", 0, 0 }, { NULL, 0, 0 } };
static const cli_opt o_history[] = { { "rev-range", 'r', 1 }, { "indicate-current", 'i', 0 }, { "graph", 0, 0 }, { "dot", 0, 0 }, { NULL, 0, 0 } };
static const cli_opt o_migrate[] = {
	{ "message", 'm', 1 }, { "head", 0, 1 }, { "splice", 0, 0 }, { "branch-label", 0, 1 },
	{ "depends-on", 0, 1 }, { "rev-id", 0, 1 }, { "rename", 0, 1 }, { "sql", 0, 0 }, { NULL, 0, 0 }
};
static const cli_opt o_diff[] = { { "rename", 0, 1 }, { NULL, 0, 0 } };
static const cli_opt o_doctor[] = { { "fix", 0, 0 }, { "yes", 'y', 0 }, { NULL, 0, 0 } };
static const cli_opt o_repair[] = { { "yes", 'y', 0 }, { NULL, 0, 0 } };
static const cli_opt o_reset[] = { { "yes", 'y', 0 }, { "message", 'm', 1 }, { NULL, 0, 0 } };
static const cli_opt o_heads[] = { { "resolve-dependencies", 0, 0 }, { NULL, 0, 0 } };
static const cli_opt o_import[] = { { "settings", 0, 1 }, { NULL, 0, 0 } };
static const cli_opt o_verify[] = { { "with-data", 0, 0 }, { NULL, 0, 0 } };

static const cli_cmd commands[] = {
	{ "init", cmd_init, o_init, "init [DIR]", "create strata.ini, DIR/versions (default migrations) and schema.sql", 0 },
	{ "revision", cmd_revision, o_revision,
	  "revision -m MSG [--autogenerate [--rename OLD:NEW]... [--sql]] [--head REV] [--splice] [--branch-label L] [--depends-on REV] [--rev-id ID]",
	  "write a new revision file and print its path", 0 },
	{ "migrate", cmd_autogenerate, o_migrate, "migrate [-m MSG] [--rename OLD:NEW]... [--sql] [revision options]",
	  "write a revision from the difference between the database and schema.sql",  1 },
	{ "merge", cmd_merge, o_merge, "merge REV REV... -m MSG | merge heads -m MSG", "write a merge revision joining several heads", 0 },
	{ "upgrade", cmd_upgrade, o_upgrade, "upgrade [TARGET] [--sql] [--backup] [--single-transaction] [--plan] [--resume]",
	  "apply revisions up to TARGET (default head)", 1 },
	{ "downgrade", cmd_downgrade, o_upgrade, "downgrade [TARGET] [--sql] [--backup] [--plan] [--resume]",
	  "revert revisions down to TARGET (default -1; base reverts everything)", 1 },
	{ "verify", cmd_verify, o_verify, "verify [TARGET] [--with-data]",
	  "rehearse pending revisions (upgrade, downgrade, upgrade) on a scratch copy", 1 },
	{ "stamp", cmd_stamp, o_stamp, "stamp REV... [--purge]", "set the version table to REV without running anything",  1 },
	{ "repair", cmd_repair, o_repair, "repair [REV...] [--yes]",
	  "accept edits of applied revisions: record their files' new checksums (nothing runs)", 0 },
	{ "current", cmd_current, o_current, "current [--check-heads]", "show the database's current revision(s)", 1 },
	{ "history", cmd_history, o_history, "history [-r RANGE] [-i] [--graph | --dot]", "list revisions, newest first", 1 },
	{ "heads", cmd_heads, o_heads, "heads", "show the head revisions", 1 },
	{ "branches", cmd_branches, no_opts, "branches", "show the branch points", 1 },
	{ "show", cmd_show, no_opts, "show REV", "show one revision's headers and SQL", 0 },
	{ "status", cmd_status, no_opts, "status", "every revision in upgrade order, [X] applied or [ ] pending", 1 },
	{ "check", cmd_check, no_opts, "check", "exit 0 when the database is at its heads and matches schema.sql", 1 },
	{ "diff", cmd_diff, o_diff, "diff [--rename OLD:NEW]...", "print the SQL that would bring the database to schema.sql", 1 },
	{ "doctor", cmd_doctor, o_doctor, "doctor [--fix [--yes]]", "diagnose common problems and say (or, with --fix, apply) the fix", 1 },
	{ "reset", cmd_reset, o_reset, "reset [--yes] [-m MSG]",
	  "squash the history into one initial revision from schema.sql (backs up first)", 0 },
	{ "backup", cmd_backup, no_opts, "backup [PATH]", "copy the database (SQLite: online backup API)", 0 },
	{ "import", cmd_import, o_import, "import alembic DIR | import django [--settings M] [APP...]",
	  "bring an Alembic / Flask-Migrate or Django history over", 1 },
	{ "embed", cmd_embed, cmd_embed_opts, "embed -o FILE [--name NAME]",
	  "write every revision into a C source file for strata_options.embedded", 0 },
	{ NULL, NULL, NULL, NULL, NULL, 0 }
};

int cli_flag(const cli_args *a, const char *name)
{
	for (int i = 0; a->spec[i].name; i++)
		if (strcmp(a->spec[i].name, name) == 0)
			return a->count[i];
	return 0;
}

const char *cli_value(const cli_args *a, const char *name)
{
	for (int i = 0; a->spec[i].name; i++)
		if (strcmp(a->spec[i].name, name) == 0)
			return a->count[i] ? a->values[i][a->count[i] - 1] : NULL;
	return NULL;
}

int cli_values(const cli_args *a, const char *name, char ***out)
{
	for (int i = 0; a->spec[i].name; i++)
		if (strcmp(a->spec[i].name, name) == 0) {
			*out = a->values[i];
			return a->count[i];
		}
	*out = NULL;
	return 0;
}

int cli_errorf(int rc, const char *fmt, ...)
{
	va_list ap;
	fputs("strata: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return rc ? cli_status(rc) : 1;
}

int cli_status(int rc)
{
	return rc >= STRATA_ELOCKED && rc <= STRATA_EINTERRUPTED ? STRATA_EFAIL : rc;
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;
	fputs("strata: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_error(strata *s, int rc)
{
	return cli_errorf(rc, "%s", strata_errmsg(s));
}

int cli_interactive(void)
{
	return isatty(0) && isatty(2);
}

int cli_confirm(const char *question)
{
	if (!cli_interactive())
		return 0;
	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	char line[64];
	if (!fgets(line, sizeof line, stdin))
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

static void print_usage(FILE *f)
{
	fputs("usage: strata [-c FILE] [-d URL] [-q] [-v] COMMAND [ARGS]\n\n"
	      "Database schema migrations for SQLite and PostgreSQL.\n\n"
	      "Commands:\n", f);
	for (const cli_cmd *c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fputs("\nGlobal options (before or after the command):\n"
	      "  -c, --config FILE    configuration file (default ./strata.ini)\n"
	      "  -d, --database URL   database URL (overrides $DATABASE_URL and the config)\n"
	      "  -q, --quiet          print less\n"
	      "  -v, --verbose        print each statement as it runs\n"
	      "      --each PATTERN   run over many databases: 'sqlite:tenants/*.db' or a file of URLs\n"
	      "  -j, --jobs N         with --each: N databases at a time\n"
	      "      --format json    machine-readable output (current, heads, branches, history,\n"
	      "                       status, check, doctor, diff, upgrade, downgrade, stamp,\n"
	      "                       migrate); with --each one object per database and line\n"
	      "      --version        print the version\n"
	      "  -h, --help           this help, or a command's (strata COMMAND --help)\n", f);
}

/* Prints the command's page (docs/commands/NAME.txt); a command without one gets its
 * usage line, summary and option names from the command table. */
static void print_cmd_help(const cli_cmd *c)
{
	for (const cli_help_entry *h = cli_help; h->name; h++)
		if (strcmp(h->name, c->name) == 0) {
			fputs(h->text, stdout);
			return;
		}
	printf("usage: strata %s\n\n%s\n", c->usage, c->summary);
	if (c->opts[0].name) {
		printf("\nOptions:\n");
		for (const cli_opt *o = c->opts; o->name; o++) {
			if (o->shrt)
				printf("  -%c, --%s%s\n", o->shrt, o->name, o->takes_value ? " VALUE" : "");
			else
				printf("      --%s%s\n", o->name, o->takes_value ? " VALUE" : "");
		}
	}
}

/* The edit distance between a and b (insertions, deletions, substitutions and
 * swaps of two neighbours count one each), or more than `cap` once it exceeds it. */
static size_t edit_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 32 || lb > 32)
		return cap + 1;
	size_t d[33][33];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

/* The command a mistyped `name` most likely meant (as git's "did you mean"): the
 * one it starts, or the nearest within two edits; NULL when none is that close or
 * two are equally close. */
static const char *nearest_command(const char *name)
{
	const char *best = NULL;
	size_t best_d = 3;
	int tie = 0;
	for (const cli_cmd *c = commands; c->name; c++) {
		size_t d = strlen(name) >= 3 && strncmp(c->name, name, strlen(name)) == 0
				   ? 1 : edit_distance(name, c->name, 2);
		if (d < best_d) {
			best = c->name;
			best_d = d;
			tie = 0;
		} else if (d == best_d) {
			tie = 1;
		}
	}
	return tie ? NULL : best;
}

/* Parses the command's own arguments; globals were removed already. */
static int parse_args(const cli_cmd *c, int argc, char **argv, cli_args *a)
{
	a->spec = c->opts;
	a->pos = calloc((size_t)argc + 1, sizeof(char *));
	for (int i = 0; c->opts[i].name; i++)
		a->values[i] = calloc((size_t)argc + 1, sizeof(char *));
	int only_pos = 0;
	for (int i = 0; i < argc; i++) {
		char *arg = argv[i];
		if (only_pos || arg[0] != '-' || arg[1] == '\0' ||
		    ((arg[1] == '+' || (arg[1] >= '0' && arg[1] <= '9')) && arg[0] == '-')) {
			/* "-1", "-2" are relative targets, not options. */
			a->pos[a->npos++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_pos = 1;
			continue;
		}
		int idx = -1;
		const char *inline_val = NULL;
		if (arg[1] == '-') {
			const char *name = arg + 2;
			const char *eq = strchr(name, '=');
			size_t nl = eq ? (size_t)(eq - name) : strlen(name);
			for (int j = 0; c->opts[j].name; j++)
				if (strlen(c->opts[j].name) == nl && strncmp(c->opts[j].name, name, nl) == 0)
					idx = j;
			if (eq)
				inline_val = eq + 1;
		} else {
			for (int j = 0; c->opts[j].name; j++)
				if (c->opts[j].shrt == arg[1])
					idx = j;
			if (idx >= 0 && arg[2])
				inline_val = arg + 2;
		}
		if (idx < 0)
			return cli_errorf(STRATA_EUSAGE, "unknown option '%s' for '%s' (see strata %s --help)",
					  arg, c->name, c->name);
		if (c->opts[idx].takes_value) {
			const char *v = inline_val;
			if (!v) {
				if (i + 1 >= argc)
					return cli_errorf(STRATA_EUSAGE, "option '%s' needs a value", arg);
				v = argv[++i];
			}
			a->values[idx][a->count[idx]] = (char *)v;
		} else if (inline_val) {
			return cli_errorf(STRATA_EUSAGE, "option '%s' takes no value", arg);
		}
		a->count[idx]++;
	}
	return 0;
}

static void free_args(const cli_cmd *c, cli_args *a)
{
	free(a->pos);
	for (int i = 0; c && c->opts[i].name; i++)
		free(a->values[i]);
}

/* Where the heap_in_huge_pages padding lives: allocated once, kept for the process. */
static void *heap_filler;

/* Puts the program's heap in transparent huge pages. A page fault costs 10 us or more
 * on a virtual machine (docs/performance.md), and a long history's graph is tens of
 * megabytes of small objects: 15,000 faults for 100,000 revisions, against a few
 * hundred in 2 MiB pages. The heap grows in 128 MiB steps (address space: a page
 * costs memory once touched), the blocks after this call start on a 2 MiB boundary,
 * and that span is advised as huge-page memory; arrays come from the heap too, not
 * from mappings of their own. With THP disabled, or another allocator in place of
 * glibc's (a sanitizer, valgrind), the advice does nothing. */
static void heap_in_huge_pages(void)
{
	const uintptr_t huge = (uintptr_t)2 << 20;
	if (!mallopt(M_TOP_PAD, 128 << 20))
		return;
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	char *probe = malloc(64);
	uintptr_t at = (uintptr_t)probe, brk0 = (uintptr_t)sbrk(0);
	free(probe);
	if (!probe || at >= brk0 || brk0 == (uintptr_t)-1)
		return; /* not glibc's heap below the program break */
	uintptr_t boundary = (at + huge - 1) & ~(huge - 1);
	/* A block up to the boundary: what comes after it starts there. Its pages are
	 * never touched, so it costs no memory. */
	if (boundary - at > 256)
		heap_filler = malloc(boundary - at - 128);
	uintptr_t top = (uintptr_t)sbrk(0) & ~(huge - 1);
	if (heap_filler && top > boundary)
		madvise((void *)boundary, top - boundary, MADV_HUGEPAGE);
}

int main(int argc, char **argv)
{
	cli_globals g = { 0 };
	char **rest = calloc((size_t)argc + 1, sizeof(char *));
	int nrest = 0, help = 0, rc = 0;
	/* One write per line of progress (a step line is several fprintf calls): 100,000
	 * revisions are 100,000 writes, not 600,000. */
	setvbuf(stderr, NULL, _IOLBF, BUFSIZ);
	g.tty = isatty(1);
	g.format = "text";
	const char *nc = getenv("NO_COLOR");
	g.color = g.tty && !(nc && *nc);
	/* Globals may stand anywhere; everything else goes to the command. */
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		const char **slot = NULL;
		const char *val = NULL;
		if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0)
			slot = &g.config;
		else if (strcmp(a, "-d") == 0 || strcmp(a, "--database") == 0)
			slot = &g.database;
		else if (strncmp(a, "--config=", 9) == 0)
			g.config = a + 9;
		else if (strncmp(a, "--database=", 11) == 0)
			g.database = a + 11;
		else if (strcmp(a, "--each") == 0)
			slot = &g.each;
		else if (strcmp(a, "--jobs") == 0 || strcmp(a, "-j") == 0)
			slot = &g.jobs;
		else if (strcmp(a, "--format") == 0)
			slot = &g.format;
		else if (strncmp(a, "--format=", 9) == 0)
			g.format = a + 9;
		else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
			g.quiet = 1;
		else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
			g.verbose++;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			help = 1;
		else if (strcmp(a, "--version") == 0) {
			printf("strata %s\n", STRATA_VERSION);
			free(rest);
			return 0;
		} else if (strcmp(a, "--") == 0) {
			while (i < argc)
				rest[nrest++] = argv[i++];
		} else
			rest[nrest++] = a;
		if (slot) {
			if (i + 1 >= argc) {
				free(rest);
				return cli_errorf(STRATA_EUSAGE, "option '%s' needs a value", a);
			}
			val = argv[++i];
			*slot = val;
		}
	}
	if (nrest == 0) {
		print_usage(help ? stdout : stderr);
		free(rest);
		return help ? 0 : STRATA_EUSAGE;
	}
	const char *name = rest[0];
	if (strcmp(name, "help") == 0) {
		help = 1;
		name = nrest > 1 ? rest[1] : NULL;
		if (!name) {
			print_usage(stdout);
			free(rest);
			return 0;
		}
	}
	const cli_cmd *cmd = NULL;
	for (const cli_cmd *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			cmd = c;
	if (!cmd) {
		const char *near = nearest_command(name);
		if (near)
			rc = cli_errorf(STRATA_EUSAGE, "unknown command '%s' (did you mean %s? see strata --help)",
					name, near);
		else
			rc = cli_errorf(STRATA_EUSAGE, "unknown command '%s' (see strata --help)", name);
		free(rest);
		return rc;
	}
	if (help) {
		print_cmd_help(cmd);
		free(rest);
		return 0;
	}
	if (strcmp(g.format, "text") != 0 && strcmp(g.format, "json") != 0) {
		free(rest);
		return cli_errorf(STRATA_EUSAGE, "--format takes text or json, not '%s'", g.format);
	}
	if (strcmp(g.format, "json") == 0 && !cmd->json) {
		free(rest);
		return cli_errorf(STRATA_EUSAGE, "'%s' has no JSON output", cmd->name);
	}
	/* Commands that only read never create a SQLite file: a mistyped path is an error. */
	static const char *const readers[] = { "current", "history", "heads", "branches", "show",
						"status", "check", "diff", "doctor", "verify", "backup",
						NULL };
	for (int i = 0; readers[i]; i++)
		g.read_only |= strcmp(readers[i], cmd->name) == 0;
	g.no_discovery = strcmp(cmd->name, "init") == 0;
	cli_args args;
	memset(&args, 0, sizeof args);
	rc = parse_args(cmd, nrest - 1, rest + 1, &args);
	if (!rc) /* a command runs: not for --version, --help or a usage error */
		heap_in_huge_pages();
	if (!rc && g.each) {
		static const char *const each_ok[] = { "upgrade", "downgrade", "current", "status", "check", "stamp", NULL };
		int allowed = 0;
		for (int i = 0; each_ok[i]; i++)
			allowed |= strcmp(each_ok[i], cmd->name) == 0;
		char *end = NULL;
		long jobs = g.jobs ? strtol(g.jobs, &end, 10) : 1;
		if (!allowed)
			rc = cli_errorf(STRATA_EUSAGE, "--each works with upgrade, downgrade, current, status, check and stamp");
		else if (g.jobs && (*end || jobs < 1 || jobs > 256))
			rc = cli_errorf(STRATA_EUSAGE, "--jobs takes a number from 1 to 256");
		else
			rc = cli_each(&g, cmd->fn, &args, g.each, (int)jobs);
	} else if (!rc) {
		rc = cmd->fn(&g, &args);
	}
	free_args(cmd, &args);
	free(rest);
	fflush(stdout);
	if (ferror(stdout) && rc == 0)
		rc = cli_errorf(STRATA_EFAIL, "cannot write output");
	return cli_status(rc);
}
