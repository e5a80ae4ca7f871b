#!/bin/sh
# gen_man.sh OUT.1 PAGE.txt... — writes the strata(1) man page (roff, man macros) from
# the same pages that `strata COMMAND --help` prints (docs/commands/*.txt; the format
# is described at the top of tools/gen_help.sh).
#
# strata.txt, which must be among the pages, gives the NAME line and the top-level
# sections (SYNOPSIS, DESCRIPTION, OPTIONS, ..., EXIT STATUS, ENVIRONMENT, FILES);
# a COMMANDS section follows its OPTIONS (or DESCRIPTION) with one .SS per other
# page, in the order given. Text is escaped for roff: backslashes, hyphens and
# minus signs (\-, so that options copy and paste), quotes, and a leading '.' or '\''.
#
# Optional environment: STRATA_VERSION (the footer's "strata VERSION") and
# SOURCE_DATE_EPOCH (the footer's date; none when unset, so the output depends on
# the pages only). POSIX sh and awk only. OUT.1 is replaced only once complete.
set -eu
if [ $# -lt 2 ]; then
	echo "usage: $0 OUT.1 PAGE.txt..." >&2
	exit 2
fi
out=$1
shift
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT INT TERM

date=""
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
	date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d 2>/dev/null ||
		date -u -r "$SOURCE_DATE_EPOCH" +%Y-%m-%d 2>/dev/null || echo "")
fi
for f in "$@"; do
	if [ ! -s "$f" ]; then
		echo "gen_man.sh: $f: missing or empty" >&2
		exit 1
	fi
done

LC_ALL=C awk -v version="${STRATA_VERSION:-}" -v date="$date" '
# roff text for s: nothing in it can be taken for a request, an escape or a
# typographic quote.
function esc(s,    r, i, c) {
	r = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "\\")
			r = r "\\e"
		else if (c == "-")
			r = r "\\-"
		else if (c == "\047")
			r = r "\\(aq"
		else if (c == "`")
			r = r "\\(ga"
		else if (c == "~")
			r = r "\\(ti"
		else if (c == "^")
			r = r "\\(ha"
		else
			r = r c
	}
	return r
}
# One output line of text; a leading "." (or a control character after \&) is
# made literal.
function put(s) {
	if (substr(s, 1, 1) == "." || substr(s, 1, 1) == "\047")
		s = "\\&" s
	print s
}
function indent_of(s,    n) {
	n = 0
	while (substr(s, n + 1, 1) == " ")
		n++
	return n
}
function strip(s) {
	sub(/^ +/, "", s)
	sub(/ +$/, "", s)
	return s
}
function title(h) {
	return substr(h, 1, 1) tolower(substr(h, 2))
}
# An option or term, as written before its description: in OPTIONS, words that
# start with "-" bold and the others (values) italic; elsewhere the whole term bold.
function tag(t, opts,    n, w, i, r, word, comma) {
	if (!opts)
		return "\\fB" esc(t) "\\fR"
	n = split(t, w, " ")
	r = ""
	for (i = 1; i <= n; i++) {
		word = w[i]
		comma = ""
		if (substr(word, length(word), 1) == ",") {
			comma = ","
			word = substr(word, 1, length(word) - 1)
		}
		r = r (i > 1 ? " " : "") (substr(word, 1, 1) == "-" ? "\\fB" : "\\fI") esc(word) "\\fR" comma
	}
	return r
}
function close_verb() {
	if (state == "verb") {
		print ".fi"
		print ".RE"
	}
}
# Renders lines [a, b] of page k (one section body) in the given mode:
# "synopsis" (every line verbatim) or "text" (paragraphs, lists, definitions and
# verbatim blocks; opts set in OPTIONS sections).
function body(k, a, b, mode, opts,    i, s, ind, t, blanks, p, j) {
	if (mode == "synopsis") {
		print ".nf"
		for (i = a; i <= b; i++)
			if (L[k, i] != "")
				put(esc(substr(L[k, i], 5)))
		print ".fi"
		return
	}
	state = "start"
	blanks = 0
	for (i = a; i <= b; i++) {
		s = L[k, i]
		if (s ~ /^ *$/) {
			if (state == "verb")
				blanks++
			else if (state != "start")
				state = "none"
			continue
		}
		ind = indent_of(s)
		t = strip(s)
		if (state == "verb") {
			if (ind >= 8) {
				for (; blanks > 0; blanks--)
					print ".sp"
				put(esc(substr(s, 9)))
				continue
			}
			close_verb()
			state = "none"
		}
		blanks = 0
		if (ind > 4 && (state == "list" || state == "def")) {
			put(esc(t))
			continue
		}
		if (ind >= 8) {
			if (state != "start")
				print ".PP"
			print ".RS 4"
			print ".nf"
			put(esc(substr(s, 9)))
			state = "verb"
			continue
		}
		if (substr(t, 1, 2) == "- ") {
			print ".IP \\(bu 2"
			put(esc(substr(t, 3)))
			state = "list"
			continue
		}
		p = index(t, "  ")
		if (p > 0 || (opts && substr(t, 1, 1) == "-")) {
			print ".TP"
			if (p > 0) {
				put(tag(substr(t, 1, p - 1), opts))
				put(esc(strip(substr(t, p))))
			} else {
				put(tag(t, opts))
			}
			state = "def"
			continue
		}
		if (state != "para" && state != "start")
			print ".PP"
		put(esc(t))
		state = "para"
	}
	close_verb()
}
# Splits page k into sections: nsec[k], sec[k, n] (heading), from[k, n], to[k, n].
function sections(k,    i, n) {
	n = 0
	for (i = 2; i <= nl[k]; i++) {
		if (L[k, i] ~ /^[A-Z][A-Z ]*$/) {
			n++
			sec[k, n] = L[k, i]
			from[k, n] = i + 1
			to[k, n] = i
		} else if (n > 0) {
			to[k, n] = i
		}
	}
	nsec[k] = n
}
function heading(h) {
	return index(h, " ") ? "\"" h "\"" : h
}
function commands(    k, n, h, sum) {
	print ".SH COMMANDS"
	first = 1
	for (k = 1; k <= npages; k++) {
		if (k == top)
			continue
		print ".SS " name[k]
		sum = summary[k]
		put(esc(toupper(substr(sum, 1, 1)) substr(sum, 2) "."))
		for (n = 1; n <= nsec[k]; n++) {
			h = sec[k, n]
			if (h == "SYNOPSIS") {
				print ".PP"
				body(k, from[k, n], to[k, n], "synopsis", 0)
				continue
			}
			print ".PP"
			if (h != "DESCRIPTION")
				print ".B " heading(title(h))
			if (h != "DESCRIPTION" && to[k, n] >= from[k, n])
				print ".br"
			body(k, from[k, n], to[k, n], "text", h == "OPTIONS")
		}
	}
}
FNR == 1 {
	npages++
	f = FILENAME
	sub(/.*\//, "", f)
	sub(/\.txt$/, "", f)
	name[npages] = f
	if (index($0, f " - ") != 1) {
		printf "gen_man.sh: %s:1: the first line must be \"%s - SUMMARY\"\n", FILENAME, f > "/dev/stderr"
		failed = 1
		exit 1
	}
	summary[npages] = substr($0, length(f) + 4)
	if (f == "strata")
		top = npages
}
{
	L[npages, FNR] = $0
	nl[npages] = FNR
}
END {
	if (failed)
		exit 1
	if (!top) {
		print "gen_man.sh: strata.txt (the global page) is not among the pages" > "/dev/stderr"
		exit 1
	}
	for (k = 1; k <= npages; k++)
		sections(k)
	print ".\\\" Generated by tools/gen_man.sh from docs/commands: do not edit."
	printf ".TH STRATA 1 \"%s\" \"%s\" \"User Commands\"\n", date, version == "" ? "strata" : "strata " version
	print ".SH NAME"
	put("strata \\- " esc(summary[top]))
	after = 0
	for (n = 1; n <= nsec[top]; n++)
		if (sec[top, n] == "OPTIONS" || (!after && sec[top, n] == "DESCRIPTION"))
			after = n
	if (!after)
		after = nsec[top]
	for (n = 1; n <= nsec[top]; n++) {
		h = sec[top, n]
		print ".SH " heading(h)
		body(top, from[top, n], to[top, n], h == "SYNOPSIS" ? "synopsis" : "text", h == "OPTIONS")
		if (n == after)
			commands()
	}
}' "$@" >"$tmp"
mv "$tmp" "$out"
trap - EXIT INT TERM
