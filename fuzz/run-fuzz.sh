#!/bin/sh
# Build every libFuzzer target and run each for SECONDS (default 60) on its
# seed corpus; a crash leaves the reproducer in fuzz/out/ and fails the run.
# Usage: sh fuzz/run-fuzz.sh [SECONDS [TARGET ...]]
# Targets: csv json npy torch (one reader each), cli (bytes -> reader -> op
# -> printer), stream (streamed CSV, cut into reads two ways), source
# (compressed input, read three ways), npz (the zip reader).  FUZZ_JOBS
# (default 1) runs that many targets at once.
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-csv json npy torch cli stream source npz}
jobs=${FUZZ_JOBS:-1}
rm -rf fuzz/out/obj
mkdir -p fuzz/out
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
COMMON="-g -O1 $SAN -ffp-contract=off -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE=700 -Ilib"
CJSON_CFLAGS=$(pkg-config --cflags libcjson 2>/dev/null || echo -I/usr/include/cjson)
CJSON_LIBS=$(pkg-config --libs libcjson 2>/dev/null || echo -lcjson)
LIB_SRC=$(make -s print-lib-src)

# The library once, instrumented for libFuzzer but without its main (the
# C++ file too), FUZZ_JOBS files at a time; then one link per target.
mkdir -p fuzz/out/obj
objs=
n=0
for src in $LIB_SRC; do
    obj=fuzz/out/obj/$(basename "$src" .c).o
    objs="$objs $obj"
    # shellcheck disable=SC2086
    clang -std=c11 $COMMON -fsanitize=fuzzer-no-link $CJSON_CFLAGS -c -o "$obj" "$src" &
    n=$((n + 1))
    [ $((n % jobs)) -eq 0 ] && wait
done
wait
# A failed compile leaves no object: stop here rather than link stale ones.
for obj in $objs; do
    [ -f "$obj" ] || { echo "run-fuzz.sh: cannot build $obj" >&2; exit 1; }
done
extra=
if [ -f lib/charconv.cc ]; then
    clang++ -std=c++17 $COMMON $(ls -d /usr/include/dragonbox-* 2>/dev/null | sed 's/^/-I/') -fsanitize=fuzzer-no-link -c -o fuzz/out/obj/charconv.o lib/charconv.cc
    extra="fuzz/out/obj/charconv.o -lstdc++"
fi

build() {
    case $1 in
    cli) src=fuzz/fuzz_cli.c; def= ;;
    stream) src=fuzz/fuzz_stream.c; def= ;;
    source) src=fuzz/fuzz_source.c; def= ;;
    npz) src=fuzz/fuzz_npz.c; def= ;;
    *) src=fuzz/fuzz_read.c; def="-DFUZZ_FORMAT=TC_FMT_$(echo "$1" | tr a-z A-Z)" ;;
    esac
    # shellcheck disable=SC2086
    clang -std=c11 $COMMON -fsanitize=fuzzer $def $CJSON_CFLAGS -o "fuzz/out/fuzz_$1" \
        $src $objs $extra $CJSON_LIBS -lcsv -lz -lbz2 -llzma -lzstd -lm -pthread
}

# Run one target; its corpus grows in fuzz/out/corpus_TARGET.
fuzz() {
    t=$1
    mkdir -p "fuzz/out/corpus_$t"
    seeds=fuzz/corpus/$t
    [ -d "$seeds" ] || seeds=fuzz/corpus/cli
    if "fuzz/out/fuzz_$t" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -max_len=65536 \
            -artifact_prefix="fuzz/out/$t-" -print_final_stats=1 \
            "fuzz/out/corpus_$t" "$seeds" >"fuzz/out/$t.log" 2>&1; then
        echo "fuzz_$t: ${secs}s, $(sed -n 's/^stat::number_of_executed_units: *//p' "fuzz/out/$t.log") runs, ok"
    else
        echo "fuzz_$t FAILED: see fuzz/out/$t.log"
        tail -30 "fuzz/out/$t.log"
        return 1
    fi
}

for t in $targets; do
    build "$t"
done
status=0
running=0
pids=
for t in $targets; do
    fuzz "$t" >"fuzz/out/$t.status" 2>&1 &
    pids="$pids $!"
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait
for t in $targets; do
    cat "fuzz/out/$t.status"
    grep -q FAILED "fuzz/out/$t.status" && status=1
done
exit $status
