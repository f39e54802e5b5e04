#!/bin/sh
# gz-memcheck.sh - compressed CSV streams in bounded memory: a gzip of
# GZ_MEMCHECK_ROWS rows (default 30,000,000: about 270 MB of CSV, 70 MB of
# gzip), made here and removed after, is streamed CSV -> CSV from the file
# (two passes: the dtype, then the rows) and from a pipe (which tcum holds
# in a temporary file, decompressed, to read it twice); the peak RSS of
# each must stay under a small limit and within a little of a 500,000-row
# gzip's (a memory check, not a timing: run by make check).
# Usage: sh testdata/gz-memcheck.sh ./tcum
set -eu
bin=$1
rows=${GZ_MEMCHECK_ROWS:-30000000}
limit_kb=16384
command -v /usr/bin/time >/dev/null 2>&1 || { echo "gz-memcheck: /usr/bin/time missing, skipped"; exit 0; }
command -v gzip >/dev/null 2>&1 || { echo "gz-memcheck: gzip missing, skipped"; exit 0; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/tcum-gz.XXXXXX")
trap 'rm -rf "$dir"' EXIT
seq 1 500000 | gzip -1 >"$dir/small.csv.gz"
seq 1 "$rows" | gzip -1 >"$dir/big.csv.gz"
# Peak RSS in KB of a streamed cumsum of $1, from the file or (with pipe) stdin.
rss() {
    if [ "${2:-}" = pipe ]; then
        # a real pipe: held (decompressed) in a temporary file under TMPDIR, then streamed
        cat "$1" | TMPDIR=$dir /usr/bin/time -f %M -o "$dir/rss" "$bin" cumsum --dim 0 -f csv - >"$dir/out"
    else
        /usr/bin/time -f %M -o "$dir/rss" "$bin" cumsum --dim 0 -f csv "$1" >"$dir/out"
    fi
    cat "$dir/rss"
}
small=$(rss "$dir/small.csv.gz")
big=$(rss "$dir/big.csv.gz")
# The last row is the sum of 1..rows: the whole stream went through.
want=$((rows * (rows + 1) / 2))
got=$(tail -n 1 "$dir/out")
pipe=$(rss "$dir/big.csv.gz" pipe)
gotp=$(tail -n 1 "$dir/out")
size=$(wc -c <"$dir/big.csv.gz")
echo "gz-memcheck: peak RSS $small KB for 500000 rows; $big KB (file) and $pipe KB (pipe) for $rows rows," \
     "$((size / 1000000)) MB of gzip (limit $limit_kb KB)"
if [ "$got" != "$want" ] || [ "$gotp" != "$want" ]; then
    echo "gz-memcheck: FAILED: the last row is $got (file), $gotp (pipe), not $want"
    exit 1
fi
for kb in "$big" "$pipe"; do
    if [ "$kb" -gt "$limit_kb" ] || [ "$kb" -gt $((small + 2048)) ]; then
        echo "gz-memcheck: FAILED: streaming memory grows with the input"
        exit 1
    fi
done
