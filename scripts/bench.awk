# Statistics and output of scripts/bench. Input files, in order:
#   samples: "workload config ns" lines
#   attach:  "tool ns" lines
#   cost:    "probe mechanism runs run_ns" lines
# Prints the table; writes the JSON document to the file named by json.

function median(arr, n,    tmp, i, j, t) {
	for (i = 1; i <= n; i++) tmp[i] = arr[i]
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && tmp[j - 1] > tmp[j]; j--) { t = tmp[j]; tmp[j] = tmp[j - 1]; tmp[j - 1] = t }
	return n % 2 ? tmp[(n + 1) / 2] : (tmp[n / 2] + tmp[n / 2 + 1]) / 2
}

# Bootstrap 95% interval of median(a) / median(b), into lo and hi.
function ratio_ci(a, na, b, nb,    r, k, i, ra, rb, sorted, t, j) {
	for (k = 1; k <= 2000; k++) {
		for (i = 1; i <= na; i++) ra[i] = a[int(rand() * na) + 1]
		for (i = 1; i <= nb; i++) rb[i] = b[int(rand() * nb) + 1]
		r[k] = median(ra, na) / median(rb, nb)
	}
	for (i = 2; i <= 2000; i++)
		for (j = i; j > 1 && r[j - 1] > r[j]; j--) { t = r[j]; r[j] = r[j - 1]; r[j - 1] = t }
	lo = r[50]; hi = r[1950]
}

FILENAME == ARGV[1] {
	key = $1 SUBSEP $2
	n[key]++; s[key, n[key]] = $3
	if (!($1 in seen_w)) { seen_w[$1] = 1; order_w[++nw] = $1 }
	if (!($2 in seen_c)) { seen_c[$2] = 1; order_c[++nc] = $2 }
	next
}
FILENAME == ARGV[2] { na[$1]++; att[$1, na[$1]] = $2; next }
FILENAME == ARGV[3] { np++; pname[np] = $1; pmech[np] = $2; pruns[np] = $3; pns[np] = $4; next }

END {
	srand(1)
	printf "{\n \"schema\": \"thpscope-bench/1\",\n \"kernel\": \"%s\",\n \"date\": \"%s\",\n \"repetitions\": %d,\n \"workloads\": {", kernel, date, reps > json
	printf "Workload slowdown: median run time with the tool / without, bootstrap 95%% interval\n"
	printf "%-12s %10s", "WORKLOAD", "BASELINE"
	for (c = 1; c <= nc; c++) if (order_c[c] != "baseline") printf " %28s", toupper(order_c[c])
	printf "\n"
	for (w = 1; w <= nw; w++) {
		wn = order_w[w]; bk = wn SUBSEP "baseline"
		delete base; for (i = 1; i <= n[bk]; i++) base[i] = s[bk, i]
		bm = median(base, n[bk])
		printf "%s\n  \"%s\": {", (w > 1 ? "," : ""), wn > json
		printf "%-12s %9.2fs", wn, bm / 1e9
		for (c = 1; c <= nc; c++) {
			cn = order_c[c]; k = wn SUBSEP cn
			delete cur; for (i = 1; i <= n[k]; i++) cur[i] = s[k, i]
			m = median(cur, n[k])
			printf "%s\n   \"%s\": {\"median_ns\": %d, \"samples_ns\": [", (c > 1 ? "," : ""), cn, m > json
			for (i = 1; i <= n[k]; i++) printf "%s%d", (i > 1 ? ", " : ""), cur[i] > json
			printf "]" > json
			if (cn != "baseline") {
				ratio_ci(cur, n[k], base, n[bk])
				verdict = (lo <= 1 && hi >= 1) ? "indistinguishable" : (lo > 1 ? "slower" : "faster")
				printf ", \"ratio\": %.4f, \"ci95\": [%.4f, %.4f], \"verdict\": \"%s\"", m / bm, lo, hi, verdict > json
				cell = sprintf("%.3f [%.3f,%.3f]%s", m / bm, lo, hi, verdict == "indistinguishable" ? " =" : "")
				printf " %28s", cell
			}
			printf "}" > json
		}
		printf "}" > json
		printf "\n"
	}
	printf "\n },\n" > json
	printf "(= : inside the noise, indistinguishable from baseline)\n"

	printf "\nPer-probe cost (BPF run-time statistics over all workloads)\n"
	printf "%-48s %-10s %10s %10s\n", "PROBE", "MECHANISM", "EVENTS", "NS/EVENT"
	printf " \"probes\": {" > json
	total = 0
	for (p = 1; p <= np; p++) {
		per = pns[p] / pruns[p]; total += pruns[p]
		printf "%-48s %-10s %10d %10.0f\n", pname[p], pmech[p], pruns[p], per
		printf "%s\n  \"%s\": {\"mechanism\": \"%s\", \"events\": %d, \"ns_per_event\": %.1f}", (p > 1 ? "," : ""), pname[p], pmech[p], pruns[p], per > json
	}
	printf "\n },\n \"events\": %d,\n \"events_per_second\": %.0f,\n", total, total / (cost_ms / 1000) > json
	printf "events seen: %d (%.0f per second)\n", total, total / (cost_ms / 1000)

	printf "\nLaunch to attached (median of %d runs)\n", na["thpscope"]
	printf " \"attach_ms\": {" > json
	first = 1
	for (t in na) {
		delete v; for (i = 1; i <= na[t]; i++) v[i] = att[t, i] / 1e6
		printf "  %-10s %8.0f ms\n", t, median(v, na[t])
		printf "%s\"%s\": %.1f", (first ? "" : ", "), t, median(v, na[t]) > json
		first = 0
	}
	printf "},\n" > json
	printf "\nthpscope: peak RSS %.1f MB, CPU %.2f s user + %.2f s system (recording the mixed workload)\n", rss / 1024, cpu_user, cpu_sys
	printf " \"thpscope\": {\"peak_rss_kb\": %d, \"cpu_user_s\": %.2f, \"cpu_sys_s\": %.2f}\n}\n", rss, cpu_user, cpu_sys > json
}
