#!/bin/sh
# The bench's scrape client (build/tests/scrape) against a loopback server
# whose answers are known: the bytes it counts, its memory lines, its
# pace, and one line of error for every answer that is not a whole 200.
. "$(dirname "$0")/../lib.sh"
S=$BUILD/tests/scrape
[ -x "$S" ] || { not_ok "scrape: $S is not built (make tools)"; exit 0; }

# server MODE [SLOW]: answer every connection as MODE says until killed,
# the first SLOW of them 200 ms late; its port goes to $TMP/port.
server() {
	rm -f "$TMP/port"
	perl -MIO::Socket::INET -e '
		my ($mode, $portfile, $slow) = @ARGV;
		my $n = 0;
		my $l = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0,
					      Listen => 16, ReuseAddr => 1) or die "listen: $!";
		open(my $f, ">", "$portfile.tmp") or die; print $f $l->sockport, "\n"; close $f;
		rename("$portfile.tmp", $portfile);
		while (my $c = $l->accept) {
			my $req = "";
			while ($req !~ /\r\n\r\n/) { sysread($c, $req, 4096, length $req) or last; }
			my $body = "thpscope_up 1\n";
			select(undef, undef, undef, 0.2) if $n++ < $slow;
			print $c "HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n$body" if $mode eq "ok";
			print $c "HTTP/1.1 404 Not Found\r\n\r\nno\n" if $mode eq "404";
			print $c "HTTP/1.1 200 OK\r\n\r\n" if $mode eq "empty";
			close $c;
		}' "$1" "$TMP/port" "${2:-0}" &
	server_pid=$!
	for i in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
	port=$(cat "$TMP/port")
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null; }

# A process whose memory stays put while it is watched.
sleep 60 &
sleeper=$!
server ok
"$S" -n 5 -s 2 -w "$sleeper" "127.0.0.1:$port" /metrics >"$TMP/out" 2>"$TMP/err"
check_eq "5 scrapes of a 14-byte body" "latency 5 14" \
	"$(awk '/^latency/ { print $1, $2, $6 }' "$TMP/out")"
if awk '/^latency/ { exit !($3 > 0 && $3 <= $4 && $4 <= $5) }' "$TMP/out"; then
	ok "0 < p50 <= p99 <= max ($(grep '^latency' "$TMP/out"))"
else
	not_ok "quantiles out of order: $(cat "$TMP/out" "$TMP/err")"
fi
check_eq "memory before the first scrape, every 2 and after the last" "0 2 4 5" \
	"$(awk '/^rss/ { printf "%s%s", sep, $2; sep = " " }' "$TMP/out")"
check_eq "the watched process's VmRSS and VmHWM" \
	"$(awk '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 } END { print r, h }' /proc/"$sleeper"/status)" \
	"$(awk '/^rss 5/ { print $3, $4 }' "$TMP/out")"
kill "$sleeper"
t0=$(date +%s%N)
"$S" -n 3 -i 200 "127.0.0.1:$port" >/dev/null
t1=$(date +%s%N)
check_ge "3 scrapes one every 200 ms last 600 ms (ms)" 600 $(((t1 - t0) / 1000000))
stop_server

# Nearest rank: of 100 scrapes the 99th fastest is the p99. One slow
# scrape is the max alone; with two, the p99 is slow too.
for slow in 1 2; do
	server ok $slow
	"$S" -n 100 "127.0.0.1:$port" >"$TMP/out" 2>"$TMP/err"
	stop_server
	# shellcheck disable=SC2046 # the fields of the latency line
	set -- $(sed -n 's/^latency //p' "$TMP/out")
	p99_slow=$(($3 >= 200000000)) max_slow=$(($4 >= 200000000)) p50_slow=$(($2 >= 200000000))
	check_eq "$slow of 100 scrapes 200 ms late: p50, p99, max slow" \
		"0 $((slow - 1)) 1" "$p50_slow $p99_slow $max_slow"
done

# refused ARGS...: one line of error and a non-zero exit.
refused() {
	what=$1
	shift
	if "$S" "$@" >/dev/null 2>"$TMP/err"; then
		not_ok "$what: accepted"
	elif [ "$(wc -l <"$TMP/err")" -ne 1 ]; then
		not_ok "$what: $(cat "$TMP/err")"
	else
		ok "$what refused: $(cat "$TMP/err")"
	fi
}
server 404
refused "a 404" -n 2 "127.0.0.1:$port"
stop_server
server empty
refused "a 200 with no body" -n 2 "127.0.0.1:$port"
stop_server
server close
refused "a server that hangs up" -n 2 "127.0.0.1:$port"
stop_server
refused "nobody listening" -n 2 "127.0.0.1:$port"
refused "no port" 127.0.0.1
refused "a name, not an address" localhost:9477
refused "no scrapes" -n 0 127.0.0.1:9477
refused "a path with a blank" 127.0.0.1:9477 "/a b"
refused "a process that is not there" -w 1073741824 -n 1 127.0.0.1:9477
