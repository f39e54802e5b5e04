#!/bin/sh
# stream-memcheck.sh - streaming CSV -> CSV (and JSON Lines -> CSV) runs in
# bounded memory: the peak RSS for 5,000,000 rows (2,000,000 records) must
# stay under a small limit and within a little of that for a tenth as many
# (a memory check, not a timing: run by make check).
# Usage: sh testdata/stream-memcheck.sh ./tcum
set -eu
bin=$1
limit_kb=16384
command -v /usr/bin/time >/dev/null 2>&1 || { echo "memcheck: /usr/bin/time missing, skipped"; exit 0; }
rss() {
    seq 1 "$1" | /usr/bin/time -f %M -o "$tmp" "$bin" cumsum --dim 0 -f csv > /dev/null
    cat "$tmp"
}
# JSON Lines of records (a key, a number, a null now and then) stream the same way.
rss_json() {
    awk -v n="$1" 'BEGIN{for(i=1;i<=n;i++) printf "{\"Date\":\"d%d\",\"v\":%s,\"w\":%d}\n", i, (i%7 ? i%97 ".5" : "null"), i%13}' \
        | /usr/bin/time -f %M -o "$tmp" "$bin" cumsum --dim 0 -f csv > /dev/null
    cat "$tmp"
}
tmp=$(mktemp)
small=$(rss 500000)
big=$(rss 5000000)
jsmall=$(rss_json 200000)
jbig=$(rss_json 2000000)
rm -f "$tmp"
echo "memcheck: peak RSS $small KB for 500000 rows, $big KB for 5000000 rows (limit $limit_kb KB)"
echo "memcheck: JSON Lines: peak RSS $jsmall KB for 200000 records, $jbig KB for 2000000"
if [ "$big" -gt "$limit_kb" ] || [ "$big" -gt $((small + 2048)) ] ||
   [ "$jbig" -gt "$limit_kb" ] || [ "$jbig" -gt $((jsmall + 2048)) ]; then
    echo "memcheck: FAILED: streaming memory grows with the input"
    exit 1
fi
