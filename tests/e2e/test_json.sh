# --format json (validated with a JSON parser) and history --dot (accepted by dot when
# Graphviz is installed).
. "$STRATA_TOP/tests/e2e/lib.sh"
project
mkrev aaaa00000001 "" "base \"quoted\" message" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;" >/dev/null
mkrev bbbb00000002 aaaa00000001 "left" "CREATE TABLE b (id INTEGER);" "DROP TABLE b;" "-- strata:branch-labels lefty" >/dev/null
mkrev cccc00000003 aaaa00000001 "right" "CREATE TABLE c (id INTEGER);" "DROP TABLE c;" >/dev/null
run upgrade lefty@head
jget() { python3 -c "import json,sys; d=json.load(open('$OUT')); print($1)"; }
run current --format json
expect_rc 0 "current --format json"
check "current JSON parses" sh -c "python3 -m json.tool $OUT >/dev/null"
check "current lists the revision" test "$(jget "d['current'][0]['revision']")" = bbbb00000002
check "current says it is a head" test "$(jget "d['current'][0]['head']")" = True
check "current says not at every head" test "$(jget "d['at_heads']")" = False
run heads --format json
check "heads JSON" test "$(jget "sorted(h['revision'] for h in d['heads'])")" = "['bbbb00000002', 'cccc00000003']"
check "labels in JSON" test "$(jget "[h['branch_labels'] for h in d['heads'] if h['revision']=='bbbb00000002'][0]")" = "['lefty']"
run branches --format json
check "branches JSON" test "$(jget "d['branchpoints'][0]['children']")" = "['bbbb00000002', 'cccc00000003']"
run history -i --format json
check "history JSON newest first, ends at base" test "$(jget "d['revisions'][-1]['revision']")" = aaaa00000001
check "history JSON escapes quotes" test "$(jget "d['revisions'][-1]['message']")" = 'base "quoted" message'
check "history JSON marks current" test "$(jget "[r['revision'] for r in d['revisions'] if r['current']]")" = "['bbbb00000002']"
run status --format json
check "status JSON" test "$(jget "[r['applied'] for r in d['revisions']]")" = "[True, True, False]"
run show aaaa --format json
expect_rc 2 "commands without JSON output refuse --format json"
run current --format yaml
expect_rc 2 "unknown formats are usage errors"
run history --dot
expect_rc 0 "history --dot"
expect_out '^digraph strata \{' "DOT header"
expect_out '"aaaa00000001" -> "bbbb00000002";' "DOT edges parent -> child"
expect_out '"bbbb00000002" \[label="bbbb00000002\\nleft", shape=box, peripheries=2, style=filled' "heads boxed, current filled"
expect_out 'base \\"quoted\\" message' "DOT escapes quotes"
if command -v dot >/dev/null 2>&1; then
  check "dot accepts the output" sh -c "dot -Tsvg $OUT >/dev/null"
fi
