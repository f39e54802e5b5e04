#!/bin/sh
# bench/run.sh - tcum against the tools a user would otherwise reach for,
# side by side in one run: medians of BENCH_RUNS runs (default 3), input
# MB/s, peak RSS, and each peer's time as a multiple of tcum's.
# Peers that are not installed (python3-pandas, python3-torch, miller) are
# skipped with a note.  Data is generated deterministically into bench/data/.
# Usage: sh bench/run.sh [W1 W2 W3 W4 W5]   (default: all)
set -eu
cd "$(dirname "$0")/.."
RUNS=${BENCH_RUNS:-3}
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

[ -f "$D/w1.csv" ] || "$D/gen" csv 1000000 8 > "$D/w1.csv"
[ -f "$D/w3.json" ] || "$D/gen" json 1000 > "$D/w3.json"
[ -f "$D/w4.csv" ] || "$D/gen" csv 4 3 > "$D/w4.csv"

# measure NAME INPUT_BYTES CMD: run CMD (sh -c) RUNS times; record the
# median wall time and the largest peak RSS in $D/results.
measure() {
    name=$1; bytes=$2; cmd=$3
    : > "$D/times"
    i=0
    while [ $i -lt "$RUNS" ]; do
        /usr/bin/time -f '%e %M' -o "$D/time1" sh -c "$cmd" > /dev/null 2>"$D/err" || {
            echo "  $name: FAILED: $(tail -1 "$D/err")"; return 0; }
        cat "$D/time1" >> "$D/times"
        i=$((i + 1))
    done
    sort -n "$D/times" | awk -v name="$name" -v bytes="$bytes" -v runs="$RUNS" '
        { t[NR] = $1; if ($2 > rss) rss = $2 }
        END {
            med = t[int((NR + 1) / 2)]
            mbs = med > 0 ? bytes / 1e6 / med : 0
            printf "%s %.3f %.1f %.1f\n", name, med, mbs, rss / 1024
        }' >> "$D/results"
}

# report TITLE: print the table of $D/results with ratios to the tcum row.
report() {
    echo "== $1"
    awk '
        { name[NR] = $1; t[NR] = $2; mbs[NR] = $3; rss[NR] = $4; if ($1 == "tcum") base = $2 }
        END {
            printf "  %-10s %9s %9s %10s %12s\n", "tool", "median s", "MB/s", "peak MB", "x tcum time"
            for (i = 1; i <= NR; i++)
                printf "  %-10s %9.3f %9.1f %10.1f %12.2f\n", name[i], t[i], mbs[i], rss[i], base > 0 ? t[i] / base : 0
        }' "$D/results"
    : > "$D/results"
}

size() { wc -c < "$1" | tr -d ' '; }

w1() {
    f=$D/w1.csv; n=$(size "$f")
    : > "$D/results"
    measure tcum "$n" "$TCUM cumsum --dim 0 --default-dtype float64 -f csv $f"
    [ -x "$D/floor" ] && measure floor "$n" "$D/floor < $f"
    have_py pandas && measure pandas "$n" "$PY -c 'import pandas as pd,sys; pd.read_csv(sys.argv[1], header=None).cumsum().to_csv(sys.stdout, header=False, index=False)' $f"
    have_py numpy && measure numpy "$n" "$PY -c 'import numpy as np,sys; np.savetxt(sys.stdout, np.loadtxt(sys.argv[1], delimiter=\",\").cumsum(0), delimiter=\",\", fmt=\"%r\")' $f"
    have_py torch && measure torch "$n" "$PY -c 'import numpy as np,torch,sys; np.savetxt(sys.stdout, torch.from_numpy(np.loadtxt(sys.argv[1], delimiter=\",\")).cumsum(0).numpy(), delimiter=\",\", fmt=\"%r\")' $f"
    command -v mlr >/dev/null && measure miller "$n" "mlr --icsv --ocsv --implicit-csv-header --headerless-csv-output step -a rsum -f 1,2,3,4,5,6,7,8 then cut -r -f _rsum $f"
    measure awk "$n" "awk -F, '{ for (i = 1; i <= NF; i++) { s[i] += \$i; printf \"%s%.17g\", (i > 1 ? \",\" : \"\"), s[i] } print \"\" }' $f"
    report "W1: 1,000,000 x 8 CSV ($((n / 1000000)) MB), cumsum --dim 0 -f csv"
}

w2() {
    f=$D/w1.csv; n=$(size "$f")
    : > "$D/results"
    measure tcum "$n" "$TCUM cumsum --dim 1 --default-dtype float64 -f csv $f"
    have_py pandas && measure pandas "$n" "$PY -c 'import pandas as pd,sys; pd.read_csv(sys.argv[1], header=None).cumsum(axis=1).to_csv(sys.stdout, header=False, index=False)' $f"
    have_py numpy && measure numpy "$n" "$PY -c 'import numpy as np,sys; np.savetxt(sys.stdout, np.loadtxt(sys.argv[1], delimiter=\",\").cumsum(1), delimiter=\",\", fmt=\"%r\")' $f"
    measure awk "$n" "awk -F, '{ s = 0; for (i = 1; i <= NF; i++) { s += \$i; printf \"%s%.17g\", (i > 1 ? \",\" : \"\"), s } print \"\" }' $f"
    report "W2a: the same, cumsum --dim 1"
    measure tcum "$n" "$TCUM cummax --dim 0 --default-dtype float64 --select values -f csv $f"
    have_py pandas && measure pandas "$n" "$PY -c 'import pandas as pd,sys; pd.read_csv(sys.argv[1], header=None).cummax().to_csv(sys.stdout, header=False, index=False)' $f"
    have_py numpy && measure numpy "$n" "$PY -c 'import numpy as np,sys; np.savetxt(sys.stdout, np.maximum.accumulate(np.loadtxt(sys.argv[1], delimiter=\",\"), 0), delimiter=\",\", fmt=\"%r\")' $f"
    command -v mlr >/dev/null && measure miller "$n" "mlr --icsv --ocsv --implicit-csv-header --headerless-csv-output step -a shift,rsum -f 1 then cut -f 1 $f"
    report "W2b: the same, cummax --dim 0"
}

w3() {
    f=$D/w3.json; n=$(size "$f")
    : > "$D/results"
    measure tcum "$n" "$TCUM cumprod --dim 1 $f"
    have_py torch && measure torch "$n" "$PY -c 'import json,torch,sys; print(torch.cumprod(torch.tensor(json.load(open(sys.argv[1]))), 1))' $f"
    report "W3: 1000 x 1000 JSON, cumprod --dim 1, PyTorch repr"
}

w4() {
    f=$D/w4.csv; n=$(size "$f")
    : > "$D/results"
    measure tcum "$n" "$TCUM cumsum --dim 0 $f"
    have_py torch && measure torch "$n" "$PY -c 'import numpy as np,torch,sys; print(torch.cumsum(torch.from_numpy(np.loadtxt(sys.argv[1], delimiter=\",\", dtype=np.float32)), 0))' $f"
    report "W4: 4 x 3 CSV to PyTorch repr (start-up)"
}

# W5: peak RSS while streaming CSV -> CSV, for growing inputs generated on
# the fly into a pipe (nothing stored): flat means bounded memory.
w5() {
    : > "$D/results"
    for rows in 2500000 25000000; do
        bytes=$((rows * 91))
        measure "tcum-$((bytes / 1000000))MB" "$bytes" "$D/gen csv $rows 8 | $TCUM cumsum --dim 0 --default-dtype float64 -f csv"
        command -v mlr >/dev/null && [ "$rows" -le 2500000 ] && measure "mlr-$((bytes / 1000000))MB" "$bytes" "$D/gen csv $rows 8 | mlr --icsv --ocsv --implicit-csv-header --headerless-csv-output step -a rsum -f 1,2,3,4,5,6,7,8"
    done
    report "W5: streaming CSV -> CSV from a pipe (peak RSS should stay flat)"
}

echo "tcum bench: $(nproc) cores, $RUNS runs each, $(date -u +%Y-%m-%d)"
for w in ${@:-W1 W2 W3 W4 W5}; do
    case $w in
    W1) w1 ;; W2) w2 ;; W3) w3 ;; W4) w4 ;; W5) w5 ;;
    *) echo "unknown workload $w"; exit 2 ;;
    esac
done
