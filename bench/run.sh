#!/bin/sh
# bench/run.sh - tcum against the tools a user would otherwise reach for,
# side by side in one run: medians of BENCH_RUNS runs (default 3) of wall
# and CPU (user+sys) time, input MB/s, peak RSS, and each tool's times as
# multiples of tcum's.  On a shared machine the CPU ratio is the steadier
# one.  Before timing, each peer's output is checked once against tcum's:
# the same numbers exactly (tcum assert-close --rtol 0 --atol 0 in float64;
# BENCH_VERIFY=0 skips it).  Peers that are not installed (python3-pandas,
# python3-torch, miller) are skipped with a note.  Data is generated
# deterministically into bench/data/ (not committed).
# Usage: sh bench/run.sh [W1 W2 W3 W4 W5 W6 W7 W8]   (default: all)
set -eu
cd "$(dirname "$0")/.."
RUNS=${BENCH_RUNS:-3}
VERIFY=${BENCH_VERIFY:-1}
PY=/usr/bin/python3
D=bench/data
mkdir -p "$D"
TCUM=$(pwd)/tcum
[ -x "$TCUM" ] || { echo "bench: build tcum first (make)"; exit 2; }
cc -O2 -o "$D/gen" bench/gen.c
if command -v g++ >/dev/null 2>&1; then
    g++ -O2 -std=c++17 -o "$D/floor" bench/floor.cc
fi
# A current NumPy is slowed by OPENBLAS_CORETYPE pinning (see env notes);
# the peers run without it.
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE || true

have_py() { $PY -c "import $1" >/dev/null 2>&1; }
have_mlr() { command -v mlr >/dev/null 2>&1; }

[ -f "$D/w1.csv" ] || "$D/gen" csv 1000000 8 > "$D/w1.csv"
[ -f "$D/w3.json" ] || "$D/gen" json 1000 > "$D/w3.json"
[ -f "$D/w4.csv" ] || "$D/gen" csv 4 3 > "$D/w4.csv"
[ -f "$D/w6.csv" ] || "$D/gen" table 1000000 > "$D/w6.csv"

# check NAME CMD: run CMD once into $D/out.NAME; the tcum row's output is
# the reference the others must equal (exactly, as float64 values, unless
# rtol is set: a peer that sums in another order).
rtol=0
check() {
    [ "$VERIFY" = 1 ] || return 0
    name=$1; cmd=$2
    if ! sh -c "$cmd" > "$D/out.$name" 2> "$D/err"; then
        echo "  $name: FAILED: $(tail -1 "$D/err")"
        rm -f "$D/out.$name"
        return 1
    fi
    if [ "$name" != tcum ] && ! cmp -s "$D/out.$name" "$D/out.tcum" &&
       ! "$TCUM" assert-close "$D/out.$name" "$D/out.tcum" --rtol "$rtol" --atol 0 \
             --default-dtype float64 > "$D/err" 2>&1; then
        echo "  $name: DIFFERENT RESULT (timed anyway): $(head -3 "$D/err" | tr '\n' ' ')"
        rm -f "$D/out.$name"
        return 0
    fi
    [ "$name" = tcum ] || rm -f "$D/out.$name"
    return 0
}

# measure NAME INPUT_BYTES REPS CMD [nocheck]: check CMD, then run it
# (sh -c) RUNS times, each run REPS invocations in a loop (for start-up
# times below the timer's 10 ms); record per-invocation medians of wall and
# user+sys time and the largest peak RSS in $D/results.
measure() {
    name=$1; bytes=$2; reps=$3; cmd=$4
    [ "${5:-}" = nocheck ] || check "$name" "$cmd" || [ -s "$D/out.$name" ] || return 0
    loop=$cmd
    [ "$reps" -gt 1 ] && loop="i=0; while [ \$i -lt $reps ]; do $cmd; i=\$((i + 1)); done"
    : > "$D/times"
    i=0
    while [ $i -lt "$RUNS" ]; do
        /usr/bin/time -f '%e %U %S %M' -o "$D/time1" sh -c "$loop" > /dev/null 2>"$D/err" || {
            echo "  $name: FAILED: $(tail -1 "$D/err")"; return 0; }
        cat "$D/time1" >> "$D/times"
        i=$((i + 1))
    done
    awk -v name="$name" -v bytes="$bytes" -v reps="$reps" '
        { w[NR] = $1 / reps; c[NR] = ($2 + $3) / reps; if ($4 > rss) rss = $4 }
        function median(a, n,   i, j, t) {
            for (i = 2; i <= n; i++)
                for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
            return a[int((n + 1) / 2)]
        }
        END {
            mw = median(w, NR); mc = median(c, NR)
            printf "%s %.4f %.4f %.1f %.1f\n", name, mw, mc, (mw > 0 ? bytes / 1e6 / mw : 0), rss / 1024
        }' "$D/times" >> "$D/results"
}

# report TITLE: print the table of $D/results with ratios to the tcum row.
report() {
    echo "== $1"
    awk '
        { n[NR] = $1; w[NR] = $2; c[NR] = $3; mbs[NR] = $4; rss[NR] = $5
          if (NR == 1 || $1 == "tcum") { bw = $2; bc = $3 } }
        END {
            printf "  %-12s %9s %9s %9s %9s %9s %9s\n", "tool", "wall s", "cpu s", "MB/s", "peak MB",
                   "x wall", "x cpu"
            for (i = 1; i <= NR; i++)
                printf "  %-12s %9.4f %9.4f %9.1f %9.1f %9.2f %9.2f\n", n[i], w[i], c[i], mbs[i], rss[i],
                       (bw > 0 ? w[i] / bw : 0), (bc > 0 ? c[i] / bc : 0)
        }' "$D/results"
    : > "$D/results"
    rm -f "$D/out.tcum"
}

size() { wc -c < "$1" | tr -d ' '; }

# np.savetxt with %r writes repr() of each float64: the same text as tcum.
NP_SAVE='np.savetxt(sys.stdout, y, delimiter=",", fmt="%r")'

w1() {
    f=$D/w1.csv; n=$(size "$f")
    : > "$D/results"
    measure tcum "$n" 1 "$TCUM cumsum --dim 0 --default-dtype float64 -f csv $f"
    measure tcum-t1 "$n" 1 "$TCUM cumsum --dim 0 --default-dtype float64 -f csv --threads 1 $f"
    [ -x "$D/floor" ] && measure floor "$n" 1 "$D/floor < $f"
    if have_py pandas; then
        measure pandas "$n" 1 "$PY -c 'import pandas as pd,sys; pd.read_csv(sys.argv[1], header=None, float_precision=\"round_trip\").cumsum().to_csv(sys.stdout, header=False, index=False)' $f"
    else echo "  pandas: skipped (install python3-pandas)"; fi
    if have_py numpy; then
        measure numpy "$n" 1 "$PY -c 'import numpy as np,sys; y = np.loadtxt(sys.argv[1], delimiter=\",\").cumsum(0); $NP_SAVE' $f"
    else echo "  numpy: skipped (install python3-numpy)"; fi
    if have_py torch; then
        measure torch "$n" 1 "$PY -c 'import numpy as np,torch,sys; y = torch.from_numpy(np.loadtxt(sys.argv[1], delimiter=\",\")).cumsum(0).numpy(); $NP_SAVE' $f"
    else echo "  torch: skipped (install python3-torch)"; fi
    if have_mlr; then
        measure miller "$n" 1 "mlr --icsv --ocsv --implicit-csv-header --headerless-csv-output step -a rsum -f 1,2,3,4,5,6,7,8 then cut -r -f _rsum $f"
    else echo "  miller: skipped (install miller)"; fi
    measure awk "$n" 1 "awk -F, '{ for (i = 1; i <= NF; i++) { s[i] += \$i; printf \"%s%.17g\", (i > 1 ? \",\" : \"\"), s[i] } print \"\" }' $f"
    report "W1: 1,000,000 x 8 CSV ($((n / 1000000)) MB), cumsum --dim 0 -f csv"
}

w2() {
    f=$D/w1.csv; n=$(size "$f")
    : > "$D/results"
    measure tcum "$n" 1 "$TCUM cumsum --dim 1 --default-dtype float64 -f csv $f"
    measure tcum-t1 "$n" 1 "$TCUM cumsum --dim 1 --default-dtype float64 -f csv --threads 1 $f"
    [ -x "$D/floor" ] && measure floor-rows "$n" 1 "$D/floor rows < $f"
    have_py pandas && measure pandas "$n" 1 "$PY -c 'import pandas as pd,sys; pd.read_csv(sys.argv[1], header=None, float_precision=\"round_trip\").cumsum(axis=1).to_csv(sys.stdout, header=False, index=False)' $f"
    have_py numpy && measure numpy "$n" 1 "$PY -c 'import numpy as np,sys; y = np.loadtxt(sys.argv[1], delimiter=\",\").cumsum(1); $NP_SAVE' $f"
    have_mlr && measure miller "$n" 1 "mlr --icsv --ocsv --implicit-csv-header --headerless-csv-output put 's = 0; for (k, v in \$*) { s += v; \$[k] = s }' $f"
    measure awk "$n" 1 "awk -F, '{ s = 0; for (i = 1; i <= NF; i++) { s += \$i; printf \"%s%.17g\", (i > 1 ? \",\" : \"\"), s } print \"\" }' $f"
    report "W2a: the same, cumsum --dim 1"
    : > "$D/results"
    measure tcum "$n" 1 "$TCUM cummax --dim 0 --default-dtype float64 --select values -f csv $f"
    measure tcum-t1 "$n" 1 "$TCUM cummax --dim 0 --default-dtype float64 --select values -f csv --threads 1 $f"
    [ -x "$D/floor" ] && measure floor-max "$n" 1 "$D/floor max < $f"
    have_py pandas && measure pandas "$n" 1 "$PY -c 'import pandas as pd,sys; pd.read_csv(sys.argv[1], header=None, float_precision=\"round_trip\").cummax().to_csv(sys.stdout, header=False, index=False)' $f"
    have_py numpy && measure numpy "$n" 1 "$PY -c 'import numpy as np,sys; y = np.maximum.accumulate(np.loadtxt(sys.argv[1], delimiter=\",\"), 0); $NP_SAVE' $f"
    have_mlr && measure miller "$n" 1 "mlr --icsv --ocsv --implicit-csv-header --headerless-csv-output put 'for (k, v in \$*) { @m[k] = is_absent(@m[k]) ? v : max(@m[k], v); \$[k] = @m[k] }' $f"
    measure awk "$n" 1 "awk -F, '{ for (i = 1; i <= NF; i++) { if (NR == 1 || \$i + 0 > m[i]) m[i] = \$i + 0; printf \"%s%.17g\", (i > 1 ? \",\" : \"\"), m[i] } print \"\" }' $f"
    report "W2b: the same, cummax --dim 0"
}

w3() {
    f=$D/w3.json; n=$(size "$f")
    : > "$D/results"
    measure tcum "$n" 1 "$TCUM cumprod --dim 1 $f"
    have_py torch && measure torch "$n" 1 "$PY -c 'import json,torch,sys; print(torch.cumprod(torch.tensor(json.load(open(sys.argv[1]))), 1))' $f"
    report "W3: 1000 x 1000 JSON, cumprod --dim 1, PyTorch repr"
}

w4() {
    f=$D/w4.csv; n=$(size "$f")
    : > "$D/results"
    measure tcum "$n" 100 "$TCUM cumsum --dim 0 $f" nocheck
    have_py torch && measure torch "$n" 1 "$PY -c 'import numpy as np,torch,sys; print(torch.cumsum(torch.from_numpy(np.loadtxt(sys.argv[1], delimiter=\",\", dtype=np.float32)), 0))' $f" nocheck
    if [ "$VERIFY" = 1 ] && have_py torch; then
        # the repr, byte for byte (times above: tcum as the mean of 100 runs)
        "$TCUM" cumsum --dim 0 "$f" > "$D/out.tcum"
        $PY -c 'import numpy as np,torch,sys; print(torch.cumsum(torch.from_numpy(np.loadtxt(sys.argv[1], delimiter=",", dtype=np.float32)), 0))' "$f" > "$D/out.torch"
        cmp -s "$D/out.tcum" "$D/out.torch" || echo "  torch: DIFFERENT RESULT (repr)"
        rm -f "$D/out.torch"
    fi
    report "W4: 4 x 3 CSV to PyTorch repr (start-up; tcum timed over 100 runs)"
}

# W5: peak RSS while streaming CSV -> CSV, for growing inputs generated on
# the fly into a pipe (nothing stored): flat means bounded memory.
w5() {
    : > "$D/results"
    for rows in 2500000 25000000; do
        bytes=$((rows * 91))
        measure "tcum-$((bytes / 1000000))MB" "$bytes" 1 "$D/gen csv $rows 8 | $TCUM cumsum --dim 0 --default-dtype float64 -f csv" nocheck
        have_mlr && [ "$rows" -le 2500000 ] && measure "mlr-$((bytes / 1000000))MB" "$bytes" 1 "$D/gen csv $rows 8 | mlr --icsv --ocsv --implicit-csv-header --headerless-csv-output step -a rsum -f 1,2,3,4,5,6,7,8" nocheck
    done
    measure "gen-only-$((bytes / 1000000))MB" "$bytes" 1 "$D/gen csv $rows 8 | cat > /dev/null" nocheck
    report "W5: streaming CSV -> CSV from a pipe (peak RSS should stay flat; times include the generator)"
}

# W6: a real-looking table (a date, a quoted name with a comma, six columns
# of which 2% of the cells are empty, a header): the running totals with
# keys and header kept.  pandas reads it, fills the holes with 0 and sums
# float32 values in double as torch does; Miller's step -a rsum sums in
# double from the text (its numbers are checked to 1e-6).
w6() {
    f=$D/w6.csv; n=$(size "$f")
    : > "$D/results"
    measure tcum "$n" 1 "$TCUM nancumsum --dim 0 -f csv $f"
    measure tcum-t1 "$n" 1 "$TCUM nancumsum --dim 0 -f csv --threads 1 $f"
    if have_py pandas; then
        measure pandas "$n" 1 "$PY -c 'import pandas as pd,sys; df = pd.read_csv(sys.argv[1], float_precision=\"round_trip\"); c = df.columns[2:]; df[c] = df[c].astype(\"float32\").fillna(0).astype(\"float64\").cumsum().astype(\"float32\"); df.to_csv(sys.stdout, index=False)' $f"
    else echo "  pandas: skipped (install python3-pandas)"; fi
    if have_mlr; then
        rtol=1e-6
        measure miller "$n" 1 "mlr --icsv --ocsv step -a rsum -f Open,High,Low,Close,'Adj Close',Volume then cut -x -f Open,High,Low,Close,'Adj Close',Volume then rename -r '^(.*)_rsum\$,\1' $f"
        rtol=0
    else echo "  miller: skipped (install miller)"; fi
    report "W6: 1,000,000-row real table ($((n / 1000000)) MB: date, quoted name, 6 columns, 2% empty), nancumsum --dim 0 -f csv, keys and header kept"
}

# W7: W1 at 1x, 4x and 16x the rows: the time per MB must stay flat.
w7() {
    : > "$D/results"
    for k in 1 4 16; do
        f=$D/w1x$k.csv
        [ -f "$f" ] || "$D/gen" csv $((1000000 * k)) 8 > "$f"
        measure "tcum-${k}x" "$(size "$f")" 1 "$TCUM cumsum --dim 0 --default-dtype float64 -f csv $f" nocheck
    done
    report "W7: W1 at 1x, 4x, 16x the rows (MB/s should stay flat)"
    [ "${BENCH_KEEP:-0}" = 1 ] || rm -f "$D/w1x4.csv" "$D/w1x16.csv"
}

# W8: W1's table as tcum writes it in JSON ({"dtype": "float32", "shape":
# [1000000, 8], "data": [[...], ...]}), the largest of each column (exact
# everywhere, and cheap: the time is the reading): the JSON array read by
# one thread and by two (cut between rows), and NumPy's json.load +
# np.array.
w8() {
    f=$D/w8.json
    [ -f "$f" ] || "$TCUM" show -f json "$D/w1.csv" > "$f"
    n=$(size "$f")
    : > "$D/results"
    measure tcum "$n" 1 "$TCUM amax --dim 0 -f json $f"
    measure tcum-t1 "$n" 1 "$TCUM amax --dim 0 -f json --threads 1 $f"
    measure tcum-t2 "$n" 1 "$TCUM amax --dim 0 -f json --threads 2 $f"
    if have_py numpy; then
        measure numpy "$n" 1 "$PY -c 'import json,numpy as np,sys; y = np.array(json.load(open(sys.argv[1]))[\"data\"], dtype=np.float32).max(0).astype(np.float64)[None]; $NP_SAVE' $f"
    else echo "  numpy: skipped (install python3-numpy)"; fi
    report "W8: 1,000,000 x 8 JSON array ($((n / 1000000)) MB, tcum's object form), amax --dim 0 -f json"
}

echo "tcum bench: $(nproc) cores, $RUNS runs each, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'), $(date -u '+%Y-%m-%d %H:%M UTC')"
for w in ${@:-W1 W2 W3 W4 W5 W6 W7 W8}; do
    case $w in
    W1) w1 ;; W2) w2 ;; W3) w3 ;; W4) w4 ;; W5) w5 ;; W6) w6 ;; W7) w7 ;; W8) w8 ;;
    *) echo "unknown workload $w"; exit 2 ;;
    esac
done
