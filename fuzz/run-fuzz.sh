#!/bin/sh
# Build every libFuzzer target and run each for SECONDS (default 60) on its
# seed corpus; a crash leaves the reproducer in fuzz/out/ and fails the run.
# Usage: sh fuzz/run-fuzz.sh [SECONDS]
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
mkdir -p fuzz/out
CFLAGS="-std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -ffp-contract=off"
CJSON_CFLAGS=$(pkg-config --cflags libcjson 2>/dev/null || echo -I/usr/include/cjson)
CJSON_LIBS=$(pkg-config --libs libcjson 2>/dev/null || echo -lcjson)
LIB_SRC=$(make -s print-lib-src)
status=0
for target in csv json npy torch cli; do
    fmt=$(echo "$target" | tr a-z A-Z)
    if [ "$target" = cli ]; then
        src=fuzz/fuzz_cli.c; def=
    else
        src=fuzz/fuzz_read.c; def="-DFUZZ_FORMAT=TC_FMT_$fmt"
    fi
    bin=fuzz/out/fuzz_$target
    # shellcheck disable=SC2086
    clang $CFLAGS $def -Ilib $CJSON_CFLAGS -o "$bin" $src $LIB_SRC $CJSON_LIBS -lcsv -lm
    mkdir -p "fuzz/out/corpus_$target"
    echo "fuzz_$target: ${secs}s"
    if ! "$bin" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -max_len=65536 \
            -artifact_prefix="fuzz/out/${target}-" -print_final_stats=0 \
            "fuzz/out/corpus_$target" "fuzz/corpus/$target" >"fuzz/out/$target.log" 2>&1; then
        echo "fuzz_$target FAILED: see fuzz/out/$target.log"; tail -30 "fuzz/out/$target.log"
        status=1
    fi
done
exit $status
