# bash completion for strata(1).
#
# Completes the commands, each command's options and, where a revision target
# goes (upgrade, downgrade, stamp, repair, show, merge, verify, --head, --depends-on, -r),
# the keywords head, heads and base, the revision ids and LABEL@head / LABEL@base
# for each branch label. Everything is read from the strata being completed, so
# new commands and options need no change here: the command list from
# `strata --help`, a command's options from the OPTIONS section of
# `strata COMMAND --help`, the revisions from `strata history` (which reads only
# the revision files, never the database). The -c/--config and -d/--database
# options already typed are passed on, so the revisions are those of the project
# the command line names.
#
# Installed as share/bash-completion/completions/strata; or source it from ~/.bashrc.

# The program on the command line (./build/strata, strata, ...).
_strata_prog()
{
	local p=${COMP_WORDS[0]}
	if [[ -z $p ]] || ! type -P -- "$p" >/dev/null 2>&1; then
		p=strata
	fi
	printf '%s\n' "$p"
}

# The commands, one per line, from the "Commands:" list of `strata --help`.
_strata_commands()
{
	"$1" --help 2>/dev/null | awk '
		/^Commands:/ { f = 1; next }
		f && /^[ \t]*$/ { exit }
		f { print $1 }'
}

# The options of command $2: the words that start an entry of its OPTIONS section
# ("-m, --message MSG  what ..." gives -m and --message).
_strata_options()
{
	"$1" "$2" --help 2>/dev/null | awk '
		/^(OPTIONS|Options:)$/ { f = 1; next }
		/^[A-Za-z]/ { f = 0 }
		f {
			n = match($0, /[^ ]/) - 1
			if (n < 2 || n > 6 || substr($0, n + 1, 1) != "-")
				next
			for (i = 1; i <= NF; i++) {
				w = $i
				sub(/,$/, "", w)
				if (w !~ /^--?[A-Za-z][-A-Za-z]*$/)
					break
				print w
			}
		}'
}

# Revision targets: head, heads, base, every revision id, LABEL@head and LABEL@base.
# History lines read "PARENTS -> ID (LABEL, ...) (head), message".
_strata_revisions()
{
	local prog=$1
	shift
	printf '%s\n' head heads base
	"$prog" "$@" history 2>/dev/null | awk '
		{
			p = index($0, " -> ")
			if (!p)
				next
			rest = substr($0, p + 4)
			id = rest
			sub(/[ ,].*/, "", id)
			if (id == "")
				next
			print id
			rest = substr(rest, length(id) + 1)
			if (substr(rest, 1, 2) != " (")
				next
			grp = substr(rest, 3)
			grp = substr(grp, 1, index(grp, ")") - 1)
			if (grp == "head" || grp == "branchpoint" || grp == "mergepoint" || grp == "current")
				next
			k = split(grp, lab, ", ")
			for (i = 1; i <= k; i++)
				print lab[i] "@head\n" lab[i] "@base"
		}'
}

_strata()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev="" prog cmd="" w i
	local -a gopts=()
	local globals="-c --config -d --database -q --quiet -v --verbose --each -j --jobs --format -h --help --version"
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	prog=$(_strata_prog)
	COMPREPLY=()

	# The command is the first word that is neither an option nor an option's value.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-c | --config | -d | --database)
			gopts+=("$w" "${COMP_WORDS[i + 1]}")
			((i++)) ;;
		--config=* | --database=*)
			gopts+=("$w") ;;
		--each | -j | --jobs | --format)
			((i++)) ;;
		-m | --message | -o | --output | -r | --rev-range | --head | --depends-on | \
			--branch-label | --rev-id | --rename | --name)
			[[ -n $cmd ]] && ((i++)) ;;
		-*) ;;
		*)
			[[ -z $cmd ]] && cmd=$w ;;
		esac
	done

	case $prev in
	-c | --config | --each | -o | --output)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0 ;;
	--format)
		mapfile -t COMPREPLY < <(compgen -W "text json" -- "$cur")
		return 0 ;;
	-d | --database | -j | --jobs | -m | --message | --branch-label | --rev-id | --rename | --name)
		return 0 ;;
	--head | --depends-on | -r | --rev-range)
		[[ -n $cmd ]] || return 0
		mapfile -t COMPREPLY < <(compgen -W "$(_strata_revisions "$prog" "${gopts[@]}")" -- "$cur")
		return 0 ;;
	esac

	if [[ $cur == -* ]]; then
		local opts=$globals
		[[ -n $cmd && $cmd != help ]] && opts="$(_strata_options "$prog" "$cmd") $globals"
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		return 0
	fi

	case $cmd in
	"")
		mapfile -t COMPREPLY < <(compgen -W "$(_strata_commands "$prog") help" -- "$cur") ;;
	help)
		mapfile -t COMPREPLY < <(compgen -W "$(_strata_commands "$prog")" -- "$cur") ;;
	upgrade | downgrade | stamp | repair | show | merge | verify)
		mapfile -t COMPREPLY < <(compgen -W "$(_strata_revisions "$prog" "${gopts[@]}")" -- "$cur") ;;
	init)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
	backup)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	esac
	return 0
}

complete -F _strata strata
