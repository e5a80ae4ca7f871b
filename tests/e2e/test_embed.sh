# strata embed and programs that embed their migrations: the generated C source
# (escaping, order, atomic write, errors), then examples/embedded built with pkg-config
# against an installed prefix and run twice.
. "$STRATA_TOP/tests/e2e/lib.sh"

# The build under test: install from the same build directory. An ASan build's objects
# need the same flags at install and the sanitizer runtime when the example links.
build_under_test
P="$T/prefix"
CCW="cc -std=c11 -Wall -Wextra -Werror"

# --- install into a temporary prefix ---------------------------------------------------
if [ -n "$MAKESAN" ]; then
  make -s -C "$STRATA_TOP" install PREFIX="$P" BUILD="$bdir" $MAKESAN CFLAGS="-O1 -g" >"$OUT" 2>"$ERR"
else
  make -s -C "$STRATA_TOP" install PREFIX="$P" BUILD="$bdir" >"$OUT" 2>"$ERR"
fi
RC=$?
expect_rc 0 "make install PREFIX=… BUILD=$bdir"
check "the prefix holds bin, lib, header and strata.pc" test -x "$P/bin/strata" -a -f "$P/lib/libstrata.a" \
  -a -f "$P/include/strata.h" -a -f "$P/lib/pkgconfig/strata.pc"
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
check "pkg-config knows strata at the version strata reports" \
  test "strata $(pkg-config --modversion strata 2>/dev/null)" = "$("$STRATA" --version)"

# --- errors ------------------------------------------------------------------------------
project
mkrev e00000000001 "" "one" "CREATE TABLE one (id INTEGER);" "DROP TABLE one;" >/dev/null
run embed
expect_rc 2 "embed without -o is a usage error"
expect_err "usage: strata embed -o FILE" "and says the usage"
run embed -o "$T/no/such/dir/m.c"
expect_rc 1 "embed into a missing directory fails"
expect_err "cannot write $T/no/such/dir/m.c" "the error names the path"
touch plain
run embed -o plain/m.c
expect_rc 1 "embed below a plain file fails"
expect_err "cannot write plain/m.c: Not a directory" "naming the path and why"
mkdir adir
run embed -o adir
expect_rc 1 "embed onto a directory fails"
check "a failed write leaves no temporary file" sh -c '! ls -a . adir | grep -q "tmp-"'
run embed -o m.c --name 9lives
expect_rc 2 "--name must be a C identifier"
expect_err "--name '9lives' is not a usable C identifier" "the bad name is named"
run embed -o m.c --name __reserved
expect_rc 2 "--name refuses a reserved identifier"
run embed -o m.c stray
expect_rc 2 "embed takes no positional argument"
check "no output after usage errors" test ! -e m.c

# --- a graph with nasty SQL --------------------------------------------------------------
rm -rf migrations
mkdir -p migrations/versions
V=migrations/versions
cat >$V/a00000000001_nasty.sql <<'EOF'
-- strata:revision a00000000001
-- strata:message quotes "double" 'single' \back\slash ??= ??/ ??' %s %n */ /*
-- strata:branch-labels core

-- strata:upgrade
CREATE TABLE nasty (v TEXT);
-- a comment with "quotes", \n literally, ??( ??) ??! ??< ??> ??- and ???? and ?\?
INSERT INTO nasty VALUES ('it''s "q" \ \\ \n \x41 \101 \0 ??= ??/ ?? ?');
INSERT INTO nasty VALUES ('UTF-8: é ß ✓ 日本語 🙂 and "/* not a comment */"');
	INSERT INTO nasty VALUES ('a tab above, and trailing spaces here');   

-- strata:downgrade
DROP TABLE nasty; -- 'bye' ??=
EOF
# CRLF lines, a bare CR and a line of exactly 1000 bytes followed by more.
{ printf -- '-- strata:revision b00000000002\r\n-- strata:revises a00000000001\r\n'
  printf -- '-- strata:message crlf and long\r\n-- strata:transaction off\r\n\r\n-- strata:upgrade\n'
  printf "INSERT INTO nasty VALUES ('cr\rlf');\r\n"
  # a 10 KB statement: quotes, question marks, backslashes and UTF-8 in every piece, so
  # the 1000-byte literal boundaries fall inside escapes and multibyte characters
  printf "INSERT INTO nasty VALUES ('"
  i=0; while [ $i -lt 600 ]; do printf 'ab?"c\\d??=é%04d'"''"'x' $i; i=$((i + 1)); done
  printf "');\n"
  printf -- '-- strata:downgrade\nDELETE FROM nasty WHERE v LIKE '"'"'cr%%'"'"';\n'; } >$V/b00000000002_crlf.sql
mkrev c00000000003 a00000000001 "side branch" "CREATE TABLE side (id INTEGER);" "DROP TABLE side;" \
  "-- strata:branch-labels side feature
-- strata:depends-on b00000000002" >/dev/null
mkrev d00000000004 "b00000000002 c00000000003" "merge" "" "" >/dev/null
check "the 10 KB statement is there" test "$(awk 'length > 10000' $V/b00000000002_crlf.sql | wc -l)" -eq 1

run embed -o gen/../nasty.c --name nasty_migrations
expect_rc 1 "embed into a missing directory (gen/) fails"
run embed -o nasty.c --name nasty_migrations
expect_rc 0 "embed -o nasty.c --name nasty_migrations"
expect_out "^nasty.c$" "prints the path it wrote"
check "one accessor with the given name" grep -q '^const strata_embedded_revision \*nasty_migrations(size_t \*n)$' nasty.c
check "compiles standalone with -Wall -Wextra -Werror" $CCW -I"$P/include" -c nasty.c -o nasty.o
check "compiles as strict C11 with trigraphs on (-pedantic -trigraphs -Wmissing-prototypes)" \
  $CCW -pedantic -trigraphs -Wmissing-prototypes -I"$P/include" -c nasty.c -o nasty.o
if command -v clang >/dev/null 2>&1; then
  check "compiles under clang -Weverything" clang -std=c11 -Weverything -Wno-padded -Werror -I"$P/include" -c nasty.c -o nasty.o
fi
check "no '??' in the source (no trigraph can form)" sh -c '! grep -q "??" nasty.c'
check "plain ASCII: other bytes are octal escapes" test "$(LC_ALL=C tr -d '\011\012\040-\176' <nasty.c | wc -c)" -eq 0
check "no source line reaches 4095 characters" test "$(awk 'length >= 4095' nasty.c | wc -l)" -eq 0
check "no time stamp: embedding twice gives the same file" sh -c "cp nasty.c first.c && $STRATA embed -o nasty.c --name nasty_migrations >/dev/null && cmp -s first.c nasty.c"

# A program that prints what was compiled in, byte for byte.
cat >dump.c <<'EOF'
#include <stdio.h>
#include <strata.h>
const strata_embedded_revision *nasty_migrations(size_t *n);
static void put(const char *dir, const char *id, const char *what, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s.%s", dir, id, what);
	FILE *f = fopen(path, "wb");
	if (!f || fputs(text, f) < 0 || fclose(f))
		perror(path);
}
int main(int argc, char **argv)
{
	size_t n = 0;
	const strata_embedded_revision *r = nasty_migrations(&n);
	for (size_t i = 0; i < n; i++) {
		printf("%s|%s|%s|%s|%s|%d\n", r[i].id, r[i].revises, r[i].message, r[i].branch_labels,
		       r[i].depends_on, r[i].transactional);
		put(argv[1], r[i].id, "up", r[i].upgrade_sql);
		put(argv[1], r[i].id, "down", r[i].downgrade_sql);
	}
	return argc < 2;
}
EOF
mkdir got want
check "a program using the embedded revisions builds" $CCW -I"$P/include" -o dump dump.c nasty.c
./dump got >meta.txt 2>"$ERR"
RC=$?
expect_rc 0 "it runs"
# The sections as the revision parser reads them: every line after the section header.
section() { awk -v want="$2" '
  { line = $0; key = line; sub(/\r$/, "", key) }
  key == "-- strata:upgrade" { s = "upgrade"; next }
  key == "-- strata:downgrade" { s = "downgrade"; next }
  s == want { print line }' "$1"; }
for f in $V/*.sql; do
  id=$(basename "$f" | cut -d_ -f1)
  section "$f" upgrade >"want/$id.up"
  section "$f" downgrade >"want/$id.down"
done
for id in a00000000001 b00000000002; do
  check "upgrade SQL of $id round-trips exactly" cmp "want/$id.up" "got/$id.up"
  check "downgrade SQL of $id round-trips exactly" cmp "want/$id.down" "got/$id.down"
done
check "every section round-trips" diff -r want got
cat >want.txt <<'EOF'
a00000000001||quotes "double" 'single' \back\slash ??= ??/ ??' %s %n */ /*|core||1
b00000000002|a00000000001|crlf and long|||0
c00000000003|a00000000001|side branch|side feature|b00000000002|1
d00000000004|b00000000002 c00000000003|merge|||1
EOF
check "ids, parents, message, labels, depends-on, transactional, in upgrade order" diff want.txt meta.txt
sq order.db 'PRAGMA user_version = 0'
run status -d sqlite:order.db
check "same order as strata status" test "$(cut -d'|' -f1 meta.txt | tr '\n' ' ')" = \
  "$(awk '{print $3}' "$OUT" | tr '\n' ' ')"

# Run from the compiled-in copy, the revisions do what the files do, with the same
# checksums in strata_history (so the CLI never takes them for edited files).
cat >apply.c <<'EOF'
#include <sqlite3.h>
#include <stdio.h>
#include <strata.h>
const strata_embedded_revision *nasty_migrations(size_t *n);
int main(int argc, char **argv)
{
	sqlite3 *db = NULL;
	strata *s = NULL;
	strata_options o = STRATA_OPTIONS_INIT;
	if (argc < 2 || sqlite3_open(argv[1], &db) != SQLITE_OK)
		return 2;
	o.sqlite_handle = db;
	o.use_env = 0;
	o.embedded = nasty_migrations(&o.nembedded);
	int rc = strata_open(&s, &o);
	if (!rc)
		rc = strata_upgrade(s, "heads", NULL);
	if (rc)
		fprintf(stderr, "%s\n", strata_errmsg(s));
	strata_free(s);
	return sqlite3_close(db) == SQLITE_OK ? rc : 3;
}
EOF
check "a program migrating with them builds against libstrata" \
  sh -c "$CCW $SANFLAGS \$(pkg-config --cflags strata) -o apply apply.c nasty.c \$(pkg-config --libs strata)"
./apply embedded.db >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0 "it upgrades a database to the heads"
run -d sqlite:files.db upgrade heads
expect_rc 0 "the CLI upgrades another from the files"
hist="select revision || ' ' || direction || ' ' || checksum from strata_history order by id"
check "same data, byte for byte" test "$(sq embedded.db 'select hex(v) from nasty')" = "$(sq files.db 'select hex(v) from nasty')"
check "same revisions and checksums in strata_history" test "$(sq embedded.db "$hist")" = "$(sq files.db "$hist")"
check "the 10 KB value arrived whole" test "$(sq embedded.db 'select max(length(v)) from nasty')" -gt 10000

# Atomic: a failure leaves the previous file as it was.
cp nasty.c before.c
printf -- '-- strata:revision x1\n-- strata:revises nowhere\n-- strata:upgrade\n' >$V/e_broken.sql
run embed -o nasty.c --name nasty_migrations
expect_rc 1 "embed fails when a revision names an unknown parent"
check "the existing output is left untouched" cmp -s before.c nasty.c
check "and no temporary file is left behind" sh -c '! ls -a | grep -q "tmp-"'
rm $V/e_broken.sql

# No revisions at all: still valid C, count 0.
mkdir -p empty/migrations/versions
printf '[strata]\n' >empty/strata.ini # a project of its own, not the one above
(cd empty && $STRATA embed -o m.c >/dev/null 2>&1)
check "an empty graph embeds (default name app_migrations)" grep -q '^const strata_embedded_revision \*app_migrations' empty/m.c
printf '#include <strata.h>\nconst strata_embedded_revision *app_migrations(size_t *n);\nint main(void) { size_t n = 9; app_migrations(&n); return (int)n; }\n' >empty/t.c
check "and compiles, reporting 0 revisions" sh -c "$CCW -I'$P/include' -o empty/t empty/t.c empty/m.c && ./empty/t"

# --- the example, built against the installed library ----------------------------------
EX="$T/ex"
cp -R "$STRATA_TOP/examples/embedded" "$EX"
make -s -C "$EX" clean >/dev/null 2>&1
XFLAGS="-O1 -g -Werror $SANFLAGS"
make -s -C "$EX" app PREFIX="$P" STRATA="$STRATA" CFLAGS="$XFLAGS" >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0 "examples/embedded builds with pkg-config against the prefix"
check "its migrations.c came from strata embed" grep -q 'Generated by `strata embed`' "$EX/migrations.c"
HEAD=$(sed -n 's/^-- strata:revision //p' "$EX"/migrations/versions/*.sql | tail -n 1)
(cd "$EX" && ./app run.db) >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0 "first run exits 0"
check "first run applies every revision" test "$(grep -c '^applied ' "$OUT")" -eq "$(ls "$EX"/migrations/versions/*.sql | wc -l)"
expect_out "^revision: $HEAD$" "and prints the head"
expect_out "^notes: 1 " "and uses the database"
check "the database is at the head" test "$(sq "$EX/run.db" 'select version_num from strata_version')" = "$HEAD"
check "with the migrated schema" test "$(sq "$EX/run.db" "select count(*) from pragma_table_info('notes') where name = 'pinned'")" = 1
check "data from a revision is there" test "$(sq "$EX/run.db" 'select name from tags')" = inbox
(cd "$EX" && ./app run.db) >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0 "second run exits 0"
expect_out "^up to date$" "second run has nothing to do"
expect_no_out "^applied " "and applies nothing"
expect_out "^revision: $HEAD$" "same revision"
expect_out "^notes: 2 " "the application's data persists"
check "strata_history has one upgrade per revision" \
  test "$(sq "$EX/run.db" "select count(*) from strata_history where direction = 'up' and success = 1")" -eq 3
# The CLI reads the same database the program migrated, from the .sql files.
(cd "$EX" && st -d sqlite:run.db current) >"$OUT" 2>"$ERR"
expect_out "^$HEAD \(head\)$" "the CLI agrees: at the head"
(cd "$EX" && $STRATA -d sqlite:run.db downgrade base >/dev/null 2>&1)
(cd "$EX" && ./app run.db) >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0 "after strata downgrade base, the program migrates again"
check "re-applying every revision" test "$(grep -c '^applied ' "$OUT")" -eq 3
make -s -C "$EX" test PREFIX="$P" STRATA="$STRATA" CFLAGS="$XFLAGS" >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0 "the example's own make test (two runs, second with nothing to do)"
expect_out "^example ok$" "and says so"
