#!/usr/bin/env python3
"""fuzz_stream.py - the CSV stream's fast path (stream.c) against the reader.

Large CSV inputs (several 64 KiB blocks) of plain decimals, with random
damage (spaces, comments, blank lines, CRLF, quotes, nan/inf, integers,
-0, signs, bad or out-of-range numbers, ragged rows, complex values, ...)
go through `tcum OP -f csv FILE`, which streams and takes the fast path for
clean blocks, and through `tcum OP -f json FILE`, which reads the whole
input with the reader.  The numbers must be the same text, or both runs
must fail with the same message (or the stream refuses an out-of-range
--dim at once, where the whole read first finds damage further down).  With --ref OTHER_TCUM the CSV output and
stderr must also be byte-identical to another build's (e.g. one without the
fast path).  The ops include diff (-n 1..3, --prepend/--append rows of the
input's width) and cumulative_trapezoid down the columns, which carry rows
from block to block.  Every case runs once more with 3 threads and blocks
of a random size (TCUM_THREADS, TCUM_TEST_BLOCK): the same status and
message, and on success the same bytes.

Usage: python3 testdata/fuzz_stream.py [--n 300] [--seed 1] [--tcum ./tcum] [--ref REF]
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

DAMAGE = [" ", "\t", "#", "\n", "\r\n", '"', "nan", "-inf", "7", "-0", "+5", "+-5", "1e",
          "1e400", "1e-400", ".5", "5.", "", ",", "12345678901234567890123", "1+2j",
          "0x10", "1_0", "--1", "e5", "1.5e-320", "3.4028235e38", "3.4028236e38", "true"]


def number(rng):
    r = rng.random()
    if r < 0.6:
        return "%d.%06d" % (rng.randint(-999, 999), rng.randint(0, 999999))
    if r < 0.7:
        # Edges of the simple-decimal path: 15 to 25 digits, leading zeros,
        # -0, long fractions, mantissas around 2^53.
        k = rng.random()
        if k < 0.3:
            w, f = rng.randint(0, 10 ** rng.randint(1, 12)), rng.randint(0, 10 ** rng.randint(1, 13))
            return "%s%s%d.%0*d" % (rng.choice(["", "-"]), "0" * rng.randint(0, 3), w,
                                    rng.randint(1, 14), f)
        if k < 0.5:
            m = 2 ** 53 + rng.randint(-3, 3)
            s = str(m)
            cut = rng.randint(1, len(s) - 1)
            return rng.choice(["", "-"]) + s[:cut] + "." + s[cut:]
        if k < 0.7:
            return rng.choice(["", "-"]) + "0." + "0" * rng.randint(0, 25) + str(rng.randint(1, 10 ** 8))
        if k < 0.85:
            return rng.choice(["-0.0", "0.0", "-0.000000", "0.0000000000000000000000001", "-0.5"])
        return "%d.%d" % (rng.randint(0, 99), rng.randint(10 ** 20, 10 ** 23))
    if r < 0.8:
        return repr(rng.uniform(-1e6, 1e6))
    if r < 0.9:
        return "%.*e" % (rng.randint(0, 17), rng.uniform(-1, 1) * 10 ** rng.randint(-300, 300))
    return str(rng.randint(-10 ** 6, 10 ** 6))


def make_input(rng):
    rows = rng.choice([1, 2, 50, 3000, 9000])
    cols = rng.choice([1, 2, 3, 8])
    delim = rng.choice([",", ",", ";", "|"])
    lines = [delim.join(number(rng) for _ in range(cols)) for _ in range(rows)]
    text = "\n".join(lines) + rng.choice(["\n", "\n", ""])
    for _ in range(rng.choice([0, 0, 1, 1, 2, 5])):
        pos = rng.randrange(len(text) + 1)
        d = rng.choice(DAMAGE)
        if d == ",":
            d = delim
        if d == "#":
            d = "\n# a comment\n"
        if rng.random() < 0.5 and pos < len(text):
            # replace a whole field-ish span
            end = min(len(text), pos + rng.randint(1, 8))
            text = text[:pos] + d + text[end:]
        else:
            text = text[:pos] + d + text[pos:]
    return text, delim


def run(tcum, args, path, env=None):
    p = subprocess.run([tcum] + args + [path], capture_output=True, timeout=120,
                       env=dict(os.environ, **env) if env else None)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def flat(x):
    if isinstance(x, list):
        for e in x:
            yield from flat(e)
    else:
        yield x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tcum", default="./tcum")
    ap.add_argument("--ref")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    fails = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "in.csv")
        pre, app = os.path.join(tmp, "pre.csv"), os.path.join(tmp, "app.csv")
        for case in range(a.n):
            text, delim = make_input(rng)
            with open(path, "w") as f:
                f.write(text)
            op = rng.choice([["cumsum", "--dim", "0"], ["cumsum", "--dim", "1"], ["show"],
                             ["cummax", "--dim", "0", "--select", "values"],
                             ["cumprod", "--dim", "0"],
                             ["diff", "--dim", "0", "-n", str(rng.randint(1, 3))], ["diff"],
                             ["diff", "--dim", "0", "--prepend", pre, "--append", app,
                              "-n", str(rng.randint(1, 3))],
                             ["diff", "--dim", "0", "--append", app],
                             ["cumulative_trapezoid", "--dim", "0"], ["cumulative_trapezoid"],
                             ["cumulative_trapezoid", "--dim", "0", "--dx", "0.3"]])
            if "--prepend" in op or "--append" in op:
                # rows of the input's width (its first line's), 2 of them: a 2-D tensor
                width = text.split("\n", 1)[0].count(delim) + 1
                for f, k in ((pre, rng.randint(2, 3)), (app, 2)):
                    with open(f, "w") as fh:
                        fh.write("".join(delim.join(number(rng) for _ in range(width)) + "\n"
                                         for _ in range(k)))
            opts = rng.choice([[], ["--default-dtype", "float64"], ["--input-dtype", "float32"],
                               ["--input-dtype", "float64"]])
            args = op + opts + ["--delimiter", delim]
            rc, out, err = run(a.tcum, args + ["-f", "csv"], path)
            why = None
            if a.ref:
                r2 = run(a.ref, args + ["-f", "csv"], path)
                if r2 != (rc, out, err):
                    why = "differs from --ref: %r vs %r" % ((rc, out[:200], err), (r2[0], r2[1][:200], r2[2]))
            if why is None:
                env = {"TCUM_THREADS": "3", "TCUM_TEST_BLOCK": str(rng.choice([97, 1000, 70000]))}
                t = run(a.tcum, args + ["-f", "csv"], path, env)
                if t[0] != rc or t[2] != err or (rc == 0 and t[1] != out):
                    why = "threads (%s) differ: %r vs %r" % (env, (t[0], t[1][:200], t[2]), (rc, out[:200], err))
            if why is None:
                jrc, jout, jerr = run(a.tcum, args + ["-f", "json"], path)
                # Streaming checks the op against the first rows' shape and
                # refuses a bad --dim at once, before reading on to damage
                # further down that the whole read reports first.
                early = "Dimension out of range" in err and jerr.count(":") >= 3
                # diff's --prepend and --append are read and checked against the
                # first rows before the stream reads on; the whole path reads the
                # input first: when both fail, the first problem found may differ.
                early = early or ("--prepend" in args or "--append" in args)
                if rc != jrc or (rc and err != jerr and not early):
                    why = "csv %d %r, json %d %r" % (rc, err, jrc, jerr)
                elif rc == 0:
                    j = json.loads(jout, parse_float=str, parse_int=str)
                    want = [str(v) for v in flat(j["data"])]
                    # key columns (a damaged column can hold words) are not values
                    keys = {int(k) - 1 for k in j.get("key_positions", [])}
                    lines = out.splitlines()[1 if "columns" in j else 0:]   # a header out
                    got = [v for line in lines if line for i, v in enumerate(line.split(delim))
                           if i not in keys]   # (an empty result is an empty line)
                    if keys and '"' in out:
                        got = want   # quoted keys: the split above cannot tell their fields
                    if want != got:
                        k = next((i for i, (x, y) in enumerate(zip(want, got)) if x != y), None)
                        why = "values differ (%d vs %d; first at %s: %s vs %s)" % (
                            len(want), len(got), k, want[k] if k is not None else "",
                            got[k] if k is not None else "")
            if why:
                fails += 1
                keep = "/tmp/fuzz_stream_fail_%d.csv" % case
                with open(keep, "w") as f:
                    f.write(text)
                print("FAIL %d: tcum %s %s: %s" % (case, " ".join(args), keep, why))
    print("%d cases, %d failed" % (a.n, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
