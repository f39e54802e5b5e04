#!/bin/sh
# stream-memcheck.sh - streaming CSV -> CSV runs in bounded memory: the peak
# RSS for 5,000,000 rows must stay under a small limit and within a little of
# that for 500,000 rows (a memory check, not a timing: run by make check).
# Usage: sh testdata/stream-memcheck.sh ./tcum
set -eu
bin=$1
limit_kb=16384
command -v /usr/bin/time >/dev/null 2>&1 || { echo "memcheck: /usr/bin/time missing, skipped"; exit 0; }
rss() {
    seq 1 "$1" | /usr/bin/time -f %M -o "$tmp" "$bin" cumsum --dim 0 -f csv > /dev/null
    cat "$tmp"
}
tmp=$(mktemp)
small=$(rss 500000)
big=$(rss 5000000)
rm -f "$tmp"
echo "memcheck: peak RSS $small KB for 500000 rows, $big KB for 5000000 rows (limit $limit_kb KB)"
if [ "$big" -gt "$limit_kb" ] || [ "$big" -gt $((small + 2048)) ]; then
    echo "memcheck: FAILED: streaming memory grows with the input"
    exit 1
fi
