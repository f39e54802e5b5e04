#!/bin/sh
# valgrind.sh - the golden cases under valgrind's memcheck (make valgrind).
#
#   sh testdata/valgrind.sh [FILE.test ...] [PATTERN ...]
#
# Valgrind's start-up costs about 0.4 s of CPU, more than most cases, so
# the cases do not start valgrind each: testdata/forkrun (tcum's code with a
# small server around its main) runs once under valgrind, and every tcum
# command of every case is a fork of it (see forkrun.c).  Memcheck checks
# each fork at its exit: an error or a leak gives the case exit status 99,
# and its report is printed here.  Arguments are run-tests.sh's.
set -u
cd "$(dirname "$0")/.." || exit 2
[ -x testdata/forkrun ] || { echo "valgrind.sh: build testdata/forkrun first (make valgrind)" >&2; exit 2; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/tcum-valgrind.XXXXXX") || exit 2
vg=
trap 'rm -rf "$dir"' EXIT
trap '[ -n "$vg" ] && kill "$vg" 2>/dev/null; exit 130' INT
trap '[ -n "$vg" ] && kill "$vg" 2>/dev/null; exit 143' TERM
sock=$dir/sock
valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --suppressions=testdata/valgrind.supp \
    --log-file="$dir/vg.%p" testdata/forkrun --serve "$sock" </dev/null >"$dir/server.out" 2>&1 &
vg=$!
i=0
while [ ! -S "$sock" ]; do
    if [ $i -ge 600 ] || ! kill -0 "$vg" 2>/dev/null; then
        echo "valgrind.sh: the server did not start" >&2
        cat "$dir/server.out" "$dir"/vg.* >&2 2>/dev/null
        exit 2
    fi
    sleep 0.1
    i=$((i + 1))
done

# Valgrind's CPU emulation rounds a few conversions differently from the
# hardware (an int64 near 2^63 to float; the sign of a zero product): these
# cases' numbers differ under it, not their memory use (make check and make
# asan hold them to their bytes).
skip='^(uint-from-uint64-(float32|complex64)|nanprod-rand-complex128-3x4x5-1)@'
FORKRUN_SOCKET=$sock TCUM_TIMEOUT=${TCUM_TIMEOUT:-600} TCUM_TEST_SKIP=${TCUM_TEST_SKIP:-$skip} \
    sh testdata/run-tests.sh testdata/forkrun "$@"
status=$?

kill -TERM "$vg"
wait "$vg"
vs=$?
vg=
if [ "$vs" != 0 ]; then
    echo "valgrind.sh: the server exited with status $vs" >&2
    cat "$dir/server.out" >&2
    status=1
fi
# Every fork wrote its own log; a non-empty one is a report.
for f in "$dir"/vg.*; do
    if [ -s "$f" ]; then
        echo "valgrind report ${f##*/}:"
        cat "$f"
        status=1
    fi
done
n=$(ls "$dir" | grep -c '^vg\.')
echo "valgrind: $n processes checked"
exit $status
