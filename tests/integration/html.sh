#!/bin/sh
# report --html and diff --html rendered by headless Chromium: the page
# references nothing outside itself, Chromium's network log shows no
# fetch by the page (a control page's fetch does show), and the
# screenshot shows the charts drawn in their colours.
. "$(dirname "$0")/../lib.sh"
require_root
CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -z "$CHROMIUM" ]; then
	skip "html: chromium not installed"
	exit 0
fi
PNGSTAT=${PNGSTAT:-$BUILD/tests/pngstat}

# render PAGE PNG NETLOG
render() {
	HOME=$TMP timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--hide-scrollbars --no-first-run --disable-background-networking \
		--window-size=1300,3000 --screenshot="$2" --log-net-log="$3" \
		"file://$1" >/dev/null 2>&1
}
# fetches NETLOG: URLs requested other than Chromium's own services
fetches() {
	grep -o '"url":"[a-z]*://[^"]*"' "$1" | grep -v '"url":"file://' |
		grep -Ev '://([a-z0-9-]+\.)*(google\.com|googleapis\.com|gstatic\.com|gvt1\.com)[/:"]' |
		sort -u
}
px() { "$PNGSTAT" "$1" "$2" | awk -v c="$2" '$1 == c { print $2 }'; }

rec=$TMP/rec.json
# The workload can end within one interval (0.3 s here); the sleep keeps
# the record long enough for the two samples a timeline chart needs.
"$THPSCOPE" record -q -i 0.2 -o "$rec" -- sh -c "\"$THPLOAD\" -n 8 mixed >/dev/null; sleep 0.5"
"$THPSCOPE" report --html "$rec" -o "$TMP/report.html"
check_eq "report --html exit status" 0 $?
page=$TMP/report.html
check_ge "charts (svg) in the page" 4 "$(grep -c '<svg' "$page")"
check_eq "every chart has a title and a description" "$(grep -c '<svg' "$page")" \
	"$(grep -c '<desc id=' "$page")"
check_eq "every chart has its data table" "$(grep -c '<svg' "$page")" \
	"$(grep -c '<details><summary>Data</summary><table>' "$page")"
for fig in "Collapse attempts per target order, by result" "Migration latency, compaction" \
	"Events per interval over time"; do
	grep -q "<figcaption>$fig</figcaption>" "$page" && ok "figure: $fig" ||
		not_ok "figure: $fig"
done
check_eq "no reference outside the page (src, href, url(), @import, http)" 0 \
	"$(grep -Eci 'src=|href=|url\(|@import|https?:' "$page")"
grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$page" &&
	ok "the page forbids fetches" || not_ok "the page forbids fetches"

render "$page" "$TMP/report.png" "$TMP/netlog.json"
check_eq "Chromium rendered a screenshot" 1 "$([ -s "$TMP/report.png" ] && echo 1)"
check_eq "the page fetched nothing" "" "$(fetches "$TMP/netlog.json")"
check_ge "the screenshot is not blank (inked pixels)" 50000 \
	"$("$PNGSTAT" "$TMP/report.png" | awk '$1 == "inked" { print $2 }')"
# Colours: succeed collapses (#2a7d3f), histogram bars (#2f6fb5).
check_ge "collapse outcome bars drawn (#2a7d3f pixels)" 500 "$(px "$TMP/report.png" '#2a7d3f')"
check_ge "latency histogram drawn (#2f6fb5 pixels)" 2000 "$(px "$TMP/report.png" '#2f6fb5')"

# Control: the same detection sees a page that does fetch.
printf '<!DOCTYPE html><img src="http://192.0.2.1/x.png">\n' >"$TMP/control.html"
render "$TMP/control.html" "$TMP/control.png" "$TMP/control-netlog.json"
fetches "$TMP/control-netlog.json" | grep -q '192.0.2.1' &&
	ok "a fetching page shows in the network log (control)" ||
	not_ok "a fetching page shows in the network log (control)"

"$THPSCOPE" record -q -i 0.2 -o "$TMP/rec2.json" -- "$THPLOAD" -n 4 collapse-anon >/dev/null
"$THPSCOPE" diff --html "$TMP/diff.html" "$rec" "$TMP/rec2.json" >/dev/null
case $? in 0|1) ok "diff --html exit status" ;; *) not_ok "diff --html exit status" ;; esac
check_eq "the two sides side by side" 2 "$(grep -c '^<section>' "$TMP/diff.html")"
render "$TMP/diff.html" "$TMP/diff.png" "$TMP/diff-netlog.json"
check_eq "the diff page fetched nothing" "" "$(fetches "$TMP/diff-netlog.json")"
check_ge "both sides' collapse bars drawn" 1000 "$(px "$TMP/diff.png" '#2a7d3f')"

# Every run of each changed metric is a dot: two base runs and one new.
"$THPSCOPE" diff --json "$rec,$rec" "$TMP/rec2.json" >"$TMP/diff2.json"
"$THPSCOPE" diff --html "$TMP/diff2.html" "$rec,$rec" "$TMP/rec2.json" >/dev/null
nchanged=$(grep -cE '"verdict": "(regression|improved|changed)"' "$TMP/diff2.json")
check_ge "metrics changed between the scenarios" 1 "$nchanged"
[ "$nchanged" -gt 32 ] && nchanged=32
check_eq "one dot per run of each changed metric (3 runs)" $((3 * nchanged)) \
	"$(grep -c '<circle class="run"' "$TMP/diff2.html")"
