#!/bin/sh
# run-tests.sh - run tcum's golden cases (testdata/*.test).
#
#   sh testdata/run-tests.sh [-j N] [-k] BINARY [FILE.test ...] [PATTERN ...]
#
# BINARY is the tcum to test (./tcum, ./tcum-asan).  FILE.test arguments
# restrict the run to those files (default: every testdata/*.test).  PATTERN
# arguments are awk extended regular expressions; only cases whose id
# matches one of them run.  -j N runs N cases at a time (default: the number
# of CPUs).  -k keeps the scratch directory for a post-mortem.
#
# Environment: TCUM_WRAPPER is put in front of every tcum invocation (e.g.
# TCUM_WRAPPER=valgrind, whose exit status 99 then fails the case; make
# valgrind instead runs BINARY=testdata/forkrun, see testdata/valgrind.sh);
# TCUM_TIMEOUT (seconds, default 60, or 600 with a wrapper; 0 for none)
# bounds each tcum invocation.
#
# The case format is described in testdata/gen_lib.py.  Every case's command
# line runs under `sh -c` from the repository root with LC_ALL=C, a `tcum` on
# PATH that runs BINARY, and stdin from the case's stdin block (else
# /dev/null).  Standard output, standard error and the exit status must all
# match exactly.  The last line of output is "N passed, N failed" (N counts
# runs); the exit status is 1 if any case failed.
#
# PyTorch versions: a case with a "--- torch 2.6 1.13" line runs once per
# version listed, with TCUM_TORCH_VERSION set to it, and a failure is
# reported as ID@VERSION; the same ID may appear again for other versions,
# with that version's expected output.  A case without that line runs once
# with TCUM_TORCH_VERSION unset (tcum's default).  A PATTERN selects a run
# when it matches the ID or ID@VERSION (so '@1\.13$' runs the 1.13 ones).
# TCUM_TEST_VERSIONS="2.6" (a list) keeps only those versions' runs (and
# the cases that name no version).  TCUM_TEST_SKIP=REGEX leaves out the runs whose
# ID@VERSION matches it.
#
# Cost per case is one sh, the wrapper and the binary: awk splits every
# .test file into numbered files in one pass, and a single cksum run
# compares all outputs at the end; diff runs only for failures.

jobs=
keep=0
while [ $# -gt 0 ]; do
    case $1 in
    -j) [ $# -ge 2 ] || { echo "run-tests.sh: -j needs a number" >&2; exit 2; }
        jobs=$2; shift 2 ;;
    -j*) jobs=${1#-j}; shift ;;
    -k) keep=1; shift ;;
    --) shift; break ;;
    -*) echo "run-tests.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done
if [ $# -lt 1 ]; then
    echo "usage: sh testdata/run-tests.sh [-j N] [-k] BINARY [FILE.test ...] [PATTERN ...]" >&2
    exit 2
fi
case $jobs in
'') jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null) || jobs=1 ;;
esac
case $jobs in
''|*[!0-9]*|0) jobs=1 ;;
esac

bin=$1
shift
[ -f "$bin" ] && [ -x "$bin" ] || { echo "run-tests.sh: no executable $bin" >&2; exit 2; }
case $bin in
/*) ;;
*) bin=$(pwd)/$bin ;;
esac

# Paths are resolved before moving to the repository root.
files=
pats=
for a in "$@"; do
    case $a in
    *.test)
        [ -f "$a" ] || { echo "run-tests.sh: no such file $a" >&2; exit 2; }
        case $a in /*) ;; *) a=$(pwd)/$a ;; esac
        files="$files
$a" ;;
    *) pats="$pats
$a" ;;
    esac
done

root=$(cd "$(dirname "$0")/.." && pwd) || exit 2
cd "$root" || exit 2

if [ -z "$files" ]; then
    for f in testdata/*.test; do
        [ -f "$f" ] && files="$files
$root/$f"
    done
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/tcum-tests.XXXXXX") || exit 2
if [ "$keep" = 1 ]; then
    trap 'echo "scratch directory kept: $T" >&2' EXIT
else
    trap 'rm -rf "$T"' EXIT
fi
# Background jobs ignore SIGINT in a non-interactive shell: stop them here.
pids=
trap 'kill $pids 2>/dev/null; exit 130' INT
trap 'kill $pids 2>/dev/null; exit 143' TERM
mkdir "$T/bin" "$T/c" || exit 2

# The wrapper: $TCUM_WRAPPER is split into words at run time, as make
# writes it.  The binary's path is single-quoted for the wrapper's shell.
qbin=$(printf '%s\n' "$bin" | sed "s/'/'\\\\''/g")
# valgrind is some 50 times slower: give it longer.
if [ -n "$TCUM_WRAPPER" ]; then to=${TCUM_TIMEOUT:-600}; else to=${TCUM_TIMEOUT:-60}; fi
if [ "$to" != 0 ] && command -v timeout >/dev/null 2>&1; then
    # -k: a command that ignores SIGTERM is killed a little later.
    pre="timeout -k 5 $to "
    # the whole case too: a shell part waiting for a tcum that failed early
    # (a liveness case's fifo) would hang the run rather than fail a case
    casepre="timeout -k 5 $((to + 60)) "
else
    pre=
    casepre=
fi
# shellcheck disable=SC2016 # $TCUM_WRAPPER and "$@" are for the wrapper
printf '#!/bin/sh\nexec %s$TCUM_WRAPPER '\''%s'\'' "$@"\n' "$pre" "$qbin" >"$T/bin/tcum"
chmod +x "$T/bin/tcum" || exit 2
PATH=$T/bin:$PATH
LC_ALL=C
export PATH LC_ALL
# A case names its version itself; none named means tcum's default.
unset TCUM_TORCH_VERSION

# Split the cases.  For case number N: N.in (stdin, when given), N.eo and
# N.ee (expected stdout and stderr).  Each case gives one run per PyTorch
# version it names (one run, version "-", if it names none); for run number
# R: index lines "R<TAB>status<TAB>id[@version]<TAB>file<TAB>N"; work lists
# list.K (one per job) with lines "R stdin-path version command".  Printing
# "% jobs" round-robin spreads slow files over all jobs.
printf '%s\n' "$files" | sed '/^$/d' >"$T/files"
printf '%s\n' "$pats" | sed '/^$/d' >"$T/pats"
TC_DIR=$T/c TC_JOBS=$jobs TC_PATS=$T/pats awk '
function addrun(ver, rid) {
    rid = id (ver == "-" ? "" : "@" ver)
    if (!selected(id) && !selected(rid)) return
    if (ver != "-" && ENVIRON["TCUM_TEST_VERSIONS"] != "" && index(" " ENVIRON["TCUM_TEST_VERSIONS"] " ", " " ver " ") == 0) return
    if (ENVIRON["TCUM_TEST_SKIP"] != "" && rid ~ ENVIRON["TCUM_TEST_SKIP"]) return
    nrun++
    print nrun "\t" status "\t" rid "\t" fname "\t" n > (dir "/index")
    print nrun " " (have_in ? dir "/" n ".in" : "/dev/null") " " ver " " cmd > (dir "/list." (nrun % jobs))
}
function finish(    k, nv, v) {
    if (cur != "") close(cur)
    cur = ""
    if (id == "") return
    if (!have_cmd) {
        # A case without a command line is a broken .test file: fail it.
        cmd = "echo \"run-tests.sh: case has no $ line\" >&2; exit 98"
    }
    nv = split(vers, v, " ")
    if (nv == 0) addrun("-")
    for (k = 1; k <= nv; k++) addrun(v[k])
    id = ""
}
function selected(s,    i) {
    if (npats == 0) return 1
    for (i = 0; i < npats; i++)
        if (s ~ pat[i]) return 1
    return 0
}
BEGIN {
    dir = ENVIRON["TC_DIR"]; jobs = ENVIRON["TC_JOBS"] + 0
    npats = 0
    while ((getline line < ENVIRON["TC_PATS"]) > 0) pat[npats++] = line
    nf = 0
    while ((getline line < "/dev/stdin") > 0) files[nf++] = line
    for (k = 0; k < jobs; k++) printf "" > (dir "/list." k)
    printf "" > (dir "/index")
    n = 0; nrun = 0; id = ""; cur = ""
    for (fi = 0; fi < nf; fi++) {
        fname = files[fi]
        incase = 0
        while ((r = (getline line < fname)) > 0) {
            if (substr(line, 1, 4) == "=== ") {
                finish()
                incase = 1
                rest = substr(line, 5)
                sub(/^[ \t]+/, "", rest)
                split(rest, w, /[ \t]+/)
                n++
                id = w[1]; status = 0; have_cmd = 0; have_in = 0; state = "head"; vers = ""
                # Expected stdout and stderr default to empty.
                printf "" > (dir "/" n ".eo"); close(dir "/" n ".eo")
                printf "" > (dir "/" n ".ee"); close(dir "/" n ".ee")
                continue
            }
            if (!incase) continue
            if (state == "head" && substr(line, 1, 2) == "$ " && !have_cmd) {
                cmd = substr(line, 3); have_cmd = 1
                continue
            }
            if (substr(line, 1, 4) == "--- ") {
                if (cur != "") close(cur)
                cur = ""
                nw = split(substr(line, 5), w, /[ \t]+/)
                if (w[1] == "stdin") { cur = dir "/" n ".in"; have_in = 1 }
                else if (w[1] == "stdout") cur = dir "/" n ".eo"
                else if (w[1] == "stderr") cur = dir "/" n ".ee"
                else if (w[1] == "status") status = w[2] + 0
                else if (w[1] == "torch" && nw >= 2) {
                    for (k = 2; k <= nw; k++) {
                        if (w[k] !~ /^[0-9]+\.[0-9]+$/) {
                            printf "run-tests.sh: %s: case %s: bad version %s\n", fname, id, w[k] > "/dev/stderr"
                            bad = 1
                        }
                        vers = vers " " w[k]
                    }
                }
                else {
                    printf "run-tests.sh: %s: case %s: unknown block %s\n", fname, id, line > "/dev/stderr"
                    bad = 1
                }
                if (cur != "") printf "" > cur
                state = "body"
                continue
            }
            if (cur != "") printf "%s\n", line > cur
            else if (line != "") {
                printf "run-tests.sh: %s: case %s: stray line: %s\n", fname, id, line > "/dev/stderr"
                bad = 1
            }
        }
        if (r < 0) { printf "run-tests.sh: cannot read %s\n", fname > "/dev/stderr"; bad = 1 }
        close(fname)
        finish()
    }
    exit bad
}' <"$T/files" || exit 2

# Run.  Each job appends "N status" lines to its own st.K.
k=0
while [ "$k" -lt "$jobs" ]; do
    (
        c=$T/c
        while read -r r inf ver cmd; do
            if [ "$ver" = - ]; then
                $casepre sh -c "$cmd" <"$inf" >"$c/r$r.out" 2>"$c/r$r.err"
            else
                TCUM_TORCH_VERSION=$ver $casepre sh -c "$cmd" <"$inf" >"$c/r$r.out" 2>"$c/r$r.err"
            fi
            echo "$r $?"
        done <"$c/list.$k" >"$c/st.$k"
    ) &
    pids="$pids $!"
    k=$((k + 1))
done
wait

# Compare: one cksum over every output; awk lists the failures as
# "N<TAB>what<TAB>expected-status<TAB>actual-status<TAB>id<TAB>file<TAB>R".
cd "$T/c" || exit 2
cat st.* >status
find . -name '*.e[eo]' -o -name '*.out' -o -name '*.err' | sed 's|^\./||' |
    xargs cksum >sums 2>/dev/null
awk -F '\t' '
FILENAME == "sums" {
    # "CRC SIZE NAME"
    split($0, w, " ")
    sum[w[3]] = w[1] " " w[2]
    next
}
FILENAME == "status" { split($0, w, " "); got[w[1]] = w[2]; next }
{
    r = $1; n = $5; what = ""
    if (!(r in got)) got[r] = "none"
    if (sum[n ".eo"] != sum["r" r ".out"]) what = what "o"
    if (sum[n ".ee"] != sum["r" r ".err"]) what = what "e"
    if (got[r] != $2) what = what "s"
    if (what != "") print n "\t" what "\t" $2 "\t" got[r] "\t" $3 "\t" $4 "\t" r
}' sums status index >failures

total=$(wc -l <index)
failed=$(wc -l <failures)
total=$((total + 0))
failed=$((failed + 0))

label() {
    sed "1s|^--- .*|--- expected $1|;2s|^+++ .*|+++ actual $1|"
}
tab=$(printf '\t')
while IFS=$tab read -r n what es as id file r; do
    echo "FAIL: $id (${file#"$root"/})"
    case $what in *o*) diff -u "$n.eo" "r$r.out" | label stdout ;; esac
    case $what in *e*) diff -u "$n.ee" "r$r.err" | label stderr ;; esac
    case $what in *s*)
        note=
        case $as in
        99) [ -n "$TCUM_WRAPPER" ] && note=" (the wrapper's error status: rerun the command under it without -q)" ;;
        124|137) [ -n "$pre" ] && note=" (timed out after ${to}s)" ;;
        esac
        echo "exit status: expected $es, got $as$note" ;;
    esac
done <failures

echo "$((total - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
