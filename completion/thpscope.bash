# bash completion for thpscope(1) and thpload(1).
#
# Commands, options, the arguments they take, probe families and
# scenarios are read from the programs' own help (once per shell and
# program), so that completion never disagrees with the binary installed.

declare -gA _thpscope_help_cache

# _thpscope_help PROG [CMD]: PROG's help text (CMD's when given) into the
# caller's $help, cached (not in a subshell, so that the cache stays).
_thpscope_help() {
	local key="$1 ${2:-}"

	if [[ -z ${_thpscope_help_cache[$key]+set} ]]; then
		if [[ $1 == *thpload ]]; then
			_thpscope_help_cache[$key]=$("$1" -h 2>/dev/null)
		else
			_thpscope_help_cache[$key]=$("$1" ${2:+"$2"} --help 2>/dev/null)
		fi
	fi
	help=${_thpscope_help_cache[$key]}
}

# The option list of a help text on stdin, a line per option: "OPTION"
# or "OPTION ARG" ("  -o FILE  ...", "  -h, --help  ...").
_thpscope_options() {
	awk '/^  -/ {
		n = 0; arg = ""
		for (i = 1; i <= NF; i++) {
			w = $i; sub(/,$/, "", w)
			if (w ~ /^--?[a-zA-Z]/) o[++n] = w
			else { if (w ~ /^[A-Z][A-Z0-9.:_]*$/) arg = w; break }
		}
		for (i = 1; i <= n; i++) print o[i], arg
	}'
}

# The names of a help's list under the line matching $1 ("commands:",
# "scenarios:", "  -e FAMILY"): its indented "name text" lines.
_thpscope_list() {
	awk -v head="$1" '
	index($0, head) == 1 { in_list = 1; next }
	in_list && /^ +[a-z][-a-z]* / { print $1; next }
	in_list { in_list = 0 }'
}

# _thpscope_files [PATTERN]: file names (only those matching the glob
# PATTERN, and directories, when given).
_thpscope_files() {
	compopt -o filenames 2>/dev/null
	if [[ -n ${1:-} ]]; then
		mapfile -t COMPREPLY < <(compgen -d -- "$cur"; compgen -f -X "!$1" -- "$cur")
	else
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
}

# _thpscope_argument PROG HELP ARG: complete the argument named ARG in
# the option list.
_thpscope_argument() {
	case $3 in
	FILE | OUT | OUT.*) _thpscope_files ;;
	FAMILY) mapfile -t COMPREPLY < <(compgen -W "$(_thpscope_list '  -e FAMILY' <<<"$2")" -- "$cur") ;;
	PID) mapfile -t COMPREPLY < <(compgen -W "$(cd /proc && echo [0-9]*)" -- "$cur") ;;
	NAME)
		# A name may hold spaces: one candidate a line.
		local names name
		mapfile -t names < <(cat /proc/[0-9]*/comm 2>/dev/null | sort -u)
		for name in "${names[@]}"; do
			[[ $name == "$cur"* ]] && COMPREPLY+=("$name")
		done
		;;
	PATH)
		local root=/sys/fs/cgroup/
		mapfile -t COMPREPLY < <(compgen -d -- "$root$cur")
		COMPREPLY=("${COMPREPLY[@]#"$root"}")
		compopt -o nospace 2>/dev/null
		;;
	*) COMPREPLY=() ;;
	esac
}

# _thpscope_complete PROG HELP: an option, an option's argument, or
# nothing (1) when the word is neither.
_thpscope_complete() {
	local opts arg

	opts=$(_thpscope_options <<<"$2")
	arg=$(awk -v o="$prev" '$1 == o { print $2 }' <<<"$opts")
	if [[ -n $arg ]]; then
		_thpscope_argument "$1" "$2" "$arg"
	elif [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(cut -d ' ' -f 1 <<<"$opts")" -- "$cur")
	else
		return 1
	fi
}

_thpscope() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local prog=${COMP_WORDS[0]} cmd='' i help
	COMPREPLY=()

	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ -z $cmd && ${COMP_WORDS[i]} != -* ]]; then
			cmd=${COMP_WORDS[i]}
		elif [[ -n $cmd && ${COMP_WORDS[i]} == -- ]]; then
			# record, top, trace -- COMMAND [ARGS...]
			if declare -F _command_offset >/dev/null; then
				_command_offset $((i + 1))
			elif ((COMP_CWORD == i + 1)); then
				mapfile -t COMPREPLY < <(compgen -c -- "$cur")
			else
				_thpscope_files
			fi
			return
		fi
	done
	_thpscope_help "$prog" "$cmd"
	_thpscope_complete "$prog" "$help" && return
	case $cmd in
	'') mapfile -t COMPREPLY < <(compgen -W "$(_thpscope_list commands: <<<"$help")" -- "$cur") ;;
	report) _thpscope_files '*.json'; [[ -z $cur ]] && COMPREPLY+=(-) ;;
	diff)
		# A side is a record, a directory of them, or a comma-separated list.
		local head=
		if [[ $cur == *,* ]]; then head=${cur%,*},; cur=${cur##*,}; fi
		_thpscope_files '*.json'
		COMPREPLY=("${COMPREPLY[@]/#/$head}")
		;;
	esac
}

_thpload() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local help
	COMPREPLY=()

	_thpscope_help "${COMP_WORDS[0]}"
	_thpscope_complete "${COMP_WORDS[0]}" "$help" && return
	mapfile -t COMPREPLY < <(compgen -W "$(_thpscope_list scenarios: <<<"$help")" -- "$cur")
}

complete -F _thpscope thpscope
complete -F _thpload thpload
