# Help pages, the man page and shell completion: every command listed by
# `strata --help` has a page that `strata CMD --help` and `strata help CMD` print, the
# man page renders, and the bash and zsh completions parse and complete commands and
# revisions.
. "$(dirname "$0")/lib.sh"
TOP=${STRATA_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=$(cd "$(dirname "$STRATA")" && pwd)/$(basename "$STRATA")
MAN=$(dirname "$BIN")/strata.1

run --help
expect_rc 0 "strata --help exits 0"
cmds=$(awk '/^Commands:/ { f = 1; next } f && /^$/ { exit } f { print $1 }' "$OUT")
check "strata --help lists commands" test "$(echo "$cmds" | wc -w)" -ge 19

for c in $cmds; do
  run "$c" --help
  if [ "$RC" -eq 0 ] && [ "$(head -n 1 "$OUT")" = "$(head -n 1 "$TOP/docs/commands/$c.txt" 2>/dev/null)" ] &&
     cmp -s "$OUT" "$TOP/docs/commands/$c.txt"; then
    ok "strata $c --help prints docs/commands/$c.txt"
  else
    echo "# exit $RC; first line: $(head -n 1 "$OUT")"; nok "strata $c --help prints docs/commands/$c.txt"
  fi
  cp "$OUT" "$T/.page"
  run help "$c"
  if [ "$RC" -eq 0 ] && cmp -s "$OUT" "$T/.page"; then ok "strata help $c prints the same page"
  else nok "strata help $c prints the same page"; fi
  # Global options work before the command too.
  run -q "$c" -h
  if [ "$RC" -eq 0 ] && cmp -s "$OUT" "$T/.page"; then ok "strata -q $c -h prints the page"
  else nok "strata -q $c -h prints the page"; fi
done

run help no-such-command
expect_rc 2 "strata help of an unknown command is a usage error"
expect_err "unknown command 'no-such-command'" "the error names the command"
run help
expect_rc 0 "strata help without a command exits 0"
expect_out "^Commands:" "strata help lists the commands"

# The pages follow their format: plain ASCII, no tabs, at most 76 columns, a first
# line "NAME - SUMMARY", a SYNOPSIS and a DESCRIPTION.
bad=""
for f in "$TOP"/docs/commands/*.txt; do
  n=$(basename "$f" .txt)
  LC_ALL=C awk -v n="$n" 'length($0) > 76 || /\t/ || /[^ -~]/ { bad = 1 }
    NR == 1 && index($0, n " - ") != 1 { bad = 1 }
    /^SYNOPSIS$/ { s = 1 } /^DESCRIPTION$/ { d = 1 }
    END { exit bad || !s || !d }' "$f" || bad="$bad $n"
done
if [ -z "$bad" ]; then ok "every page keeps the page format"; else echo "# bad pages:$bad"; nok "every page keeps the page format"; fi

# The man page: one .SS per command, and it renders without warnings.
check "the man page was built" test -s "$MAN"
missing=""
for c in $cmds; do grep -qx ".SS $c" "$MAN" || missing="$missing $c"; done
if [ -z "$missing" ]; then ok "the man page has a section per command"; else echo "# missing:$missing"; nok "the man page has a section per command"; fi
if command -v groff >/dev/null 2>&1; then
  groff -man -Tutf8 -ww -z "$MAN" >"$OUT" 2>"$ERR"; RC=$?
  if [ "$RC" -eq 0 ] && [ ! -s "$ERR" ]; then ok "groff renders the man page without warnings"; else nok "groff renders the man page without warnings"; fi
fi
if command -v man >/dev/null 2>&1; then
  MANWIDTH=80 MANPAGER=cat PAGER=cat man -l "$MAN" >"$OUT" 2>"$ERR"; RC=$?
  expect_rc 0 "man -l renders the man page"
  expect_out "strata upgrade \[TARGET\]" "the rendered page shows the synopses"
  expect_out "Multiple head revisions are present" "the rendered page keeps the text"
elif ! command -v groff >/dev/null 2>&1; then
  echo "# skip: neither man nor groff; checking the roff by hand"
  check "the man page starts with .TH" grep -q '^\.TH STRATA 1' "$MAN"
  check "the man page has NAME and SYNOPSIS" grep -q '^\.SH SYNOPSIS' "$MAN"
fi

# A project with revisions on two branches, one labelled.
project
mkrev aaaa11112222 "" "create users" "CREATE TABLE users (id INTEGER);" "DROP TABLE users;" >/dev/null
mkrev bbbb11112222 aaaa11112222 "add posts" "CREATE TABLE posts (id INTEGER);" "DROP TABLE posts;" \
  "-- strata:branch-labels blog" >/dev/null
mkrev cccc11112222 aaaa11112222 "add tags" "CREATE TABLE tags (id INTEGER);" "DROP TABLE tags;" >/dev/null

# bash: _strata fills COMPREPLY for the words typed so far.
BASHC="$TOP/completion/strata.bash"
check "the bash completion parses (bash -n)" bash -n "$BASHC"
bcomp() { # bcomp WORD...: the completions, sorted, on one line
  bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _strata; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
    bcomp "$BASHC" "$@"
}
got=$(bcomp "$BIN" up)
check "bash: strata up<TAB> completes upgrade" test "$got" = "upgrade "
got=$(bcomp "$BIN" "")
check "bash: strata <TAB> lists every command" sh -c 'for c in $2; do case " $1 " in *" $c "*) ;; *) exit 1;; esac; done' x "$got" "$cmds help"
got=$(bcomp "$BIN" upgrade "")
want="aaaa11112222 base bbbb11112222 blog@base blog@head cccc11112222 head heads "
if [ "$got" = "$want" ]; then ok "bash: strata upgrade <TAB> offers revisions, keywords and labels"
else echo "# got '$got'"; echo "# want '$want'"; nok "bash: strata upgrade <TAB> offers revisions, keywords and labels"; fi
for c in stamp show verify; do
  case " $(echo $cmds) " in *" $c "*) ;; *) continue ;; esac
  got=$(bcomp "$BIN" "$c" "")
  check "bash: strata $c <TAB> offers the same" test "$got" = "$want"
done
got=$(bcomp "$BIN" downgrade bl)
check "bash: strata downgrade bl<TAB> completes the label" test "$got" = "blog@base blog@head "
got=$(bcomp "$BIN" revision -m x --head cc)
check "bash: --head takes a revision" test "$got" = "cccc11112222 "
got=$(bcomp "$BIN" upgrade --s)
check "bash: upgrade's options come from its page" test "$got" = "--single-transaction --sql "
got=$(bcomp "$BIN" doctor --)
case $got in *--fix*--yes*) ok "bash: doctor --<TAB> offers --fix and --yes" ;; *) echo "# got '$got'"; nok "bash: doctor --<TAB> offers --fix and --yes" ;; esac
got=$(bcomp "$BIN" --format "")
check "bash: --format offers text and json" test "$got" = "json text "
got=$(bcomp "$BIN" help dow)
check "bash: strata help dow<TAB> completes downgrade" test "$got" = "downgrade "
mkdir -p other/migrations/versions
printf '[strata]\ndatabase = sqlite:db.sqlite\nscript_location = other/migrations\n' >other.ini
got=$(bcomp "$BIN" -c other.ini upgrade "")
check "bash: -c FILE names the project whose revisions are offered" test "$got" = "base head heads "

# zsh: -n, then the function with compadd and _describe standing in for the
# completion system's.
if command -v zsh >/dev/null 2>&1; then
  ZSHC="$TOP/completion/_strata"
  check "the zsh completion parses (zsh -n)" zsh -n "$ZSHC"
  zcomp() {
    zsh -f -c '
      compadd() { if [[ $1 == -a ]]; then print -rl -- ${(P)2}; else shift; print -rl -- "$@"; fi }
      _describe() { print -rl -- ${${(P)4}%%:*} }
      _files() { print -r -- "(files)" }
      eval "$(sed "\$d" "$1")"; shift
      words=("$@"); CURRENT=$#; _strata' zcomp "$ZSHC" "$@" | sort | tr '\n' ' '
  }
  got=$(zcomp "$BIN" upgrade "")
  if [ "$got" = "$want" ]; then ok "zsh: strata upgrade <TAB> offers revisions, keywords and labels"
  else echo "# got '$got'"; nok "zsh: strata upgrade <TAB> offers revisions, keywords and labels"; fi
  got=$(zcomp "$BIN" "")
  case " $got " in *" upgrade "*) ok "zsh: strata <TAB> lists the commands" ;; *) echo "# got '$got'"; nok "zsh: strata <TAB> lists the commands" ;; esac
  got=$(zcomp "$BIN" upgrade --)
  case " $got " in *" --plan "*) ok "zsh: upgrade's options come from its page" ;; *) echo "# got '$got'"; nok "zsh: upgrade's options come from its page" ;; esac
else
  echo "# skip: zsh is not installed"
fi
