#!/bin/sh
# A short tour of strata on an embedded SQLite file: init, two revisions, upgrade,
# history, downgrade; then the declared schema: schema.sql, check, migrate, doctor. Runs in a temporary directory; nothing else is touched.
set -eu
S=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d"
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
step() { say "strata $*"; "$S" "$@"; }

step init
r1=$("$S" revision -m "create users")
say "strata revision -m \"create users\"   # then write its SQL"
echo "$r1"
id1=$(sed -n 's/^-- strata:revision //p' "$r1")
cat >"$r1" <<SQL
-- strata:revision $id1
-- strata:revises
-- strata:message create users

-- strata:upgrade
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO users (name) VALUES ('ada'), ('grace');

-- strata:downgrade
DROP TABLE users;
SQL
r2=$("$S" revision -m "add email to users")
say "strata revision -m \"add email to users\""
echo "$r2"
sed -i 's/^-- strata:upgrade$/-- strata:upgrade\nALTER TABLE users ADD COLUMN email TEXT;/; s/^-- strata:downgrade$/-- strata:downgrade\nALTER TABLE users DROP COLUMN email;/' "$r2"
say "cat $r2"; cat "$r2"
step upgrade
step current
step history -i
step status
step downgrade
step current
step upgrade --sql
say "sqlite3 instance/app.db .schema"; sqlite3 instance/app.db .schema

step upgrade
say "cat > schema.sql   # the schema you want, as plain CREATE statements"
cat >schema.sql <<SQL
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT);
CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title TEXT NOT NULL
);
CREATE INDEX posts_user ON posts(user_id);
SQL
cat schema.sql
say "strata check   # exit 1: the database lacks what schema.sql declares"
"$S" check || true
step migrate -m "posts"
step upgrade
step check
step doctor
