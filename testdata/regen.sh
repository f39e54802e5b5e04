#!/bin/sh
# regen.sh - regenerate the golden cases (testdata/*.test) under both
# PyTorch versions tcum reproduces.
#
#   sh testdata/regen.sh [gen_X.py ...]        (default: every testdata/gen_*.py)
#
# Each generator runs twice: under PyTorch 2.6 in a Debian 13 chroot
# ($TCUM_CHROOT, default /work/chroot/trixie, with this repository visible
# inside at the same path) and under PyTorch 1.13 (/usr/bin/python3).  Each
# run merges its version's expectations into the .test file (gen_lib.py
# explains the format), so after both the file holds both.  The 1.13 run
# goes second: the input files generators write under testdata/files/ are
# NumPy 1.24's (the host's), and a file the 2.6 run wrote differently is
# reported.  Generators whose cases depend on no PyTorch version
# (Cases(..., torch_versions=False)) run under /usr/bin/python3 only.
# Two generators run at a time.  Needs root for chroot.
set -u
cd "$(dirname "$0")/.." || exit 2
root=$(pwd)
chroot_dir=${TCUM_CHROOT:-/work/chroot/trixie}
host_py=/usr/bin/python3

[ -x "$chroot_dir/usr/bin/python3" ] || { echo "regen.sh: no PyTorch 2.6 chroot at $chroot_dir" >&2; exit 2; }
[ -d "$chroot_dir$root" ] || { echo "regen.sh: $root is not visible inside $chroot_dir" >&2; exit 2; }

if [ $# -eq 0 ]; then
    set -- $(ls testdata/gen_*.py | grep -v 'gen_lib\.py$')
fi

for g in "$@"; do
    case $g in */*) ;; *) g=testdata/$g ;; esac
    [ -f "$g" ] || { echo "regen.sh: no $g" >&2; exit 2; }
done

# run VERSION GEN: one generator under one PyTorch; its output is printed
# when it ends.
run() {
    g=$2
    case $g in */*) ;; *) g=testdata/$g ;; esac
    log=$(mktemp) || return 2
    st=0
    if [ "$1" = 2.6 ]; then
        chroot "$chroot_dir" sh -c 'cd "$1" && exec python3 "$2"' sh "$root" "$root/$g" >"$log" 2>&1 || st=1
    else
        "$host_py" "$g" >"$log" 2>&1 || st=1
    fi
    cat "$log"
    rm -f "$log"
    [ $st = 0 ] || echo "regen.sh: $g under PyTorch $1 FAILED" >&2
    return $st
}

# pass VERSION GEN...: every generator, two at a time.
pass() {
    v=$1
    shift
    st=0
    while [ $# -gt 0 ]; do
        run "$v" "$1" &
        p1=$!
        p2=
        if [ $# -gt 1 ]; then
            run "$v" "$2" &
            p2=$!
            shift
        fi
        shift
        wait $p1 || st=1
        [ -z "$p2" ] || wait $p2 || st=1
    done
    return $st
}

sums() {
    find testdata/files -type f -exec cksum {} + 2>/dev/null | sort -k3
}

# Generators that depend on no PyTorch version run under 1.13 only.
both=
for g in "$@"; do
    case $g in */*) f=$g ;; *) f=testdata/$g ;; esac
    grep -q 'torch_versions=False' "$f" || both="$both $g"
done

status=0
# shellcheck disable=SC2086 # generator names have no spaces
pass 2.6 $both || status=1
tmp=$(mktemp) || exit 2
sums >"$tmp"
pass 1.13 "$@" || status=1
sums | diff "$tmp" - | sed -n 's/^> [0-9]* [0-9]* /regen.sh: written differently under PyTorch 2.6 and 1.13: /p'
rm -f "$tmp"
exit $status
