# Shared helpers for thpscope's shell scripts (sourced, not run).

# die MESSAGE...: one line on stderr, exit DIE_STATUS (default 1).
die() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
	exit "${DIE_STATUS:-1}"
}

warn() {
	printf '%s: warning: %s\n' "${0##*/}" "$*" >&2
}

# The download and image cache lives outside the repository.
thpscope_cache() {
	printf '%s/thpscope\n' "${XDG_CACHE_HOME:-$HOME/.cache}"
}

# Monotonic-enough seconds for stage timings.
now_s() {
	date +%s
}
