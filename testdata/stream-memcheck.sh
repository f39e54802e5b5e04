#!/bin/sh
# stream-memcheck.sh - streaming CSV -> CSV (and JSON Lines -> CSV) runs in
# bounded memory: the peak RSS for 5,000,000 rows (2,000,000 records) must
# stay under a small limit and within a little of that for a tenth as many
# (a memory check, not a timing: run by make check).  diff and
# cumulative_trapezoid down the columns of a table (their carried rows),
# and without --dim (along the rows of a table, down a column), likewise.
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
# OP... on a table of 2 columns (N numbers, 2 a row) with a header
rss_table() {
    n=$1
    shift
    { echo a,b; seq 1 "$n" | paste -d, - -; } | /usr/bin/time -f %M -o "$tmp" "$bin" "$@" -f csv > /dev/null
    cat "$tmp"
}
# OP... on a column (seq N)
rss_col() {
    n=$1
    shift
    seq 1 "$n" | /usr/bin/time -f %M -o "$tmp" "$bin" "$@" -f csv > /dev/null
    cat "$tmp"
}
tmp=$(mktemp)
status=0
# check NAME SMALL BIG: bounded, and not growing with the input
check() {
    echo "memcheck: $1: peak RSS $2 KB for 500000 numbers, $3 KB for 5000000"
    if [ "$3" -gt "$limit_kb" ] || [ "$3" -gt $(($2 + 2048)) ]; then
        echo "memcheck: FAILED: $1 grows with the input"
        status=1
    fi
}
for op in "diff --dim 0 -n 3" "cumulative_trapezoid --dim 0" "diff" "cumulative_trapezoid --dx 0.5"; do
    # shellcheck disable=SC2086 # op is words
    check "$op (a table)" "$(rss_table 500000 $op)" "$(rss_table 5000000 $op)"
done
for op in "diff -n 2" "cumulative_trapezoid"; do
    # shellcheck disable=SC2086
    check "$op (a column)" "$(rss_col 500000 $op)" "$(rss_col 5000000 $op)"
done
# A slow producer (a row every 0.2 s): with --live the first rows of diff
# and cumulative_trapezoid down the columns go out before the input ends.
slow() {
    end=$tmp.end
    rm -f "$end"
    first=$( (echo a,b; for i in 1 2 3 4 5 6 7 8; do echo "$i,$((i * i))"; sleep 0.2; done; : > "$end") |
        "$bin" "$@" --live -f csv | { read -r h; read -r r; [ -e "$end" ] && echo late || echo "$r"; cat > /dev/null; })
    rm -f "$end"
    echo "memcheck: $*, a row every 0.2 s: first row out before the input ended: $first"
    [ "$first" != late ] || status=1
}
slow diff --dim 0
slow cumulative_trapezoid --dim 0
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
exit $status
