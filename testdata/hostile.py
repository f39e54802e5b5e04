#!/usr/bin/env python3
"""hostile.py - mutated and malformed input through the real tcum binary.

    python3 testdata/hostile.py [--tcum ./tcum-asan] [--n 2000] [--seed S]
                                [--timeout 5] [--keep DIR]

The libFuzzer targets (fuzz/) drive the library in-process; this drives the
command line, the way an outside check does: seeds are every file under
testdata/files and fuzz/corpus, mutated (bit flips, truncation, spliced
slices, hostile tokens: NUL, invalid UTF-8, a BOM, CR, quotes, brackets,
1e999, 30-digit integers, deep nesting, lying npy headers, lying zip
directories, gzip/bzip2/xz data mutated inside and compressed again), given as a file
with a telling extension or on standard input, to a random op with random
options, sometimes with -o into a scratch directory.  Every run must hold:

  - exit status 0 or 2 (nothing else: no crash, no sanitizer abort);
  - status 2: standard error is exactly one line "tcum: ...";
    status 0: standard error is empty;
  - no sanitizer report, and done within --timeout seconds;
  - -o: on failure the target is as it was (absent, or its old bytes) and
    the directory holds no stray temporary file; on success it exists.

Failures are saved under --keep (default /tmp/tcum-hostile) as the input
and a shell command that reproduces it.  No Python packages are needed.
"""
import argparse
import bz2
import gzip
import lzma
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

OPS = ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp",
       "cumulative_trapezoid", "diff", "nancumsum", "nancumprod", "sum",
       "prod", "mean", "amax", "amin", "logsumexp", "max", "min", "show"]
DIM_OPS = {"cumsum", "cumprod", "cummax", "cummin", "logcumsumexp",
           "nancumsum", "nancumprod"}
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16",
          "bfloat16", "float32", "float64", "complex64", "complex128"]
TOKENS = [b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf", b"\r", b"\r\n", b"\n",
          b'"', b",", b";", b"\t", b" ", b"[", b"]", b"{", b"}", b"(", b")",
          b"nan", b"-inf", b"inf", b"1e999", b"-1e999", b"1e-400",
          b"99999999999999999999999999999", b"-9223372036854775809",
          b"9223372036854775807", b"-0.0", b"0x1p3", b"1_000", b"+", b"-",
          b".", b"e", b"true", b"false", b"null", b"NaN", b"Infinity",
          b"tensor(", b"dtype=torch.int8", b"dtype=torch.complex64",
          b"j", b"1+2j", b"#", b"\\", b"\xf0\x9f\x98\x80",
          b"[" * 200, b"]" * 200, b"1," * 500, b"\n" * 50]
NPY_MAGIC = b"\x93NUMPY"


def seeds():
    out = []
    for base in ("testdata/files", "fuzz/corpus"):
        for d, _, fs in os.walk(os.path.join(ROOT, base)):
            for f in sorted(fs):
                p = os.path.join(d, f)
                if os.path.getsize(p) <= 65536:
                    with open(p, "rb") as fh:
                        out.append(fh.read())
    return out


def npy_header_lie(rng, data):
    """An npy whose header lies: shape, dtype, order or length."""
    lies = [
        "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }" % (
            rng.choice([0, 1, 3, 2**31, 2**62, 2**64 - 1]), rng.choice([1, 5, 2**40])),
        "{'descr': '%s', 'fortran_order': %s, 'shape': (%d,), }" % (
            rng.choice(["<f4", ">f8", "|b1", "<c16", "<U3", "|O", "<m8", "<f2", "<i8", "<u8", "zz"]),
            rng.choice(["True", "False", "1", "None"]), rng.choice([0, 1, 7, 100000])),
        "{'descr': '<i4', 'shape': (2,), 'fortran_order': False, 'extra': 1}",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (2,3,4,5,6,7,8,9,10), }",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (-1,), }",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (2,)",
    ]
    h = rng.choice(lies).encode()
    ver = rng.choice([b"\x01\x00", b"\x02\x00", b"\x03\x00", b"\x09\x00"])
    pad = (64 - (10 + len(h) + 1) % 64) % 64
    hdr = h + b" " * pad + b"\n"
    if ver == b"\x01\x00":
        ln = len(hdr).to_bytes(2, "little")
    else:
        ln = len(hdr).to_bytes(4, "little")
    if rng.random() < 0.2:
        ln = bytes(rng.randrange(256) for _ in ln)
    return NPY_MAGIC + ver + ln + hdr + data[: rng.randrange(0, 64)]


CODECS = [lambda d: gzip.compress(d, mtime=0), bz2.compress, lzma.compress]


def inner(rng, data):
    """Compressed data mutated inside: decompressed, mutated, compressed
    again by any codec (so the readers behind the decoder see the mutation)."""
    for magic, mod in ((b"\x1f\x8b", gzip), (b"BZh", bz2), (b"\xfd7zXZ\x00", lzma)):
        if data.startswith(magic):
            try:
                plain = mod.decompress(data)
            except Exception:  # already broken: leave it so
                return data
            return rng.choice(CODECS)(mutate(rng, plain))
    return data


def zip_lie(rng, data):
    """A zip (npz) whose directory lies: one field of the end record or of a
    central directory entry set to 0, 1, all ones, a neighbour or anything."""
    eocd = data.rfind(b"PK\x05\x06")
    if eocd < 0:
        return data
    entries = [i for i in range(len(data) - 4) if data[i:i + 4] == b"PK\x01\x02"]
    d = bytearray(data)
    if entries and rng.random() < 0.7:
        off, width = rng.choice([(8, 2), (10, 2), (16, 4), (20, 4), (24, 4), (28, 2),
                                 (30, 2), (42, 4)])
        pos = rng.choice(entries) + off
    else:
        off, width = rng.choice([(8, 2), (10, 2), (12, 4), (16, 4), (20, 2)])
        pos = eocd + off
    if pos + width > len(d):
        return data
    old = int.from_bytes(d[pos:pos + width], "little")
    val = rng.choice([0, 1, (1 << 8 * width) - 1, rng.randrange(1 << 8 * width),
                      old + rng.choice([-1, 1])])
    d[pos:pos + width] = (val % (1 << 8 * width)).to_bytes(width, "little")
    return bytes(d)


def mutate(rng, data):
    if rng.random() < 0.3:
        data = zip_lie(rng, inner(rng, bytes(data)))
    data = bytearray(data)
    for _ in range(rng.choice([0, 0, 0, 1, 1, 1, 2, 3, 4])):
        k = rng.randrange(8)
        if k == 6 and rng.random() < 0.7:
            k = 0
        n = len(data)
        if k == 0 and n:  # flip bits
            for _ in range(rng.randint(1, 4)):
                i = rng.randrange(n)
                data[i] ^= 1 << rng.randrange(8)
        elif k == 1:  # hostile token
            i = rng.randrange(n + 1)
            data[i:i] = rng.choice(TOKENS)
        elif k == 2 and n:  # truncate
            del data[rng.randrange(n):]
        elif k == 3 and n:  # delete a slice
            i = rng.randrange(n)
            del data[i:i + rng.randint(1, 16)]
        elif k == 4 and n:  # duplicate a slice
            i = rng.randrange(n)
            s = data[i:i + rng.randint(1, 64)]
            j = rng.randrange(n + 1)
            data[j:j] = s * rng.randint(1, 4)
        elif k == 5 and n:  # replace a byte with a token
            i = rng.randrange(n)
            data[i:i + 1] = rng.choice(TOKENS)
        elif k == 6:  # lying npy header around this data
            data = bytearray(npy_header_lie(rng, bytes(data)))
        elif k == 7 and n:  # swap line endings or shuffle lines
            lines = bytes(data).split(b"\n")
            rng.shuffle(lines)
            data = bytearray(rng.choice([b"\n", b"\r\n", b"\r"]).join(lines))
    if rng.random() < 0.02:
        data = bytearray(b"[" * rng.choice([65, 1000, 100000]))
    return bytes(data)


SCANS = {"cumsum", "cumprod", "logcumsumexp", "nancumsum", "nancumprod"}
REDUCTIONS = {"sum", "prod", "mean", "amax", "amin", "logsumexp", "max", "min"}


def options(rng, op):
    """Mostly options that apply to op, sometimes any (to reach the refusals)."""
    a = [op]
    if op in DIM_OPS or rng.random() < 0.5:
        a += [rng.choice(["--dim", "-d"]),
              str(rng.choice([0, 0, 0, -1, -1, 1, 2, -3, 7, 99999999999]))]
    common = [
        ["--input-dtype", rng.choice(DTYPES)],
        ["--default-dtype", rng.choice(["float32", "float64"])],
        ["--grad"],
        ["--input-format", rng.choice(["csv", "json", "npy", "npz", "torch"])],
        ["--delimiter", rng.choice([",", ";", "\t", " "])],
        [rng.choice(["--header", "--no-header"])],
        ["--shape", rng.choice(["-1", "2,-1", "-1,2", "-1,1,1", "0", "3,3", "1,-1"])],
        ["-f", rng.choice(["torch", "csv", "json", "npy"])],
        ["--precision", str(rng.choice([0, 1, 4, 10]))],
        ["--threshold", rng.choice(["0", "5", "1000", "inf"])],
        ["--edgeitems", str(rng.choice([0, 1, 3]))],
        ["--linewidth", str(rng.choice([1, 10, 80, 200]))],
        ["--sci-mode", rng.choice(["auto", "on", "off"])],
        ["--profile", rng.choice(["default", "short", "full"])],
    ]
    own = []
    if op in SCANS:
        own += [["--reverse"], ["--exclusive"], ["--include-initial"]]
    if op in ("cummax", "cummin"):
        own += [["--reverse"], ["--select", rng.choice(["values", "indices"])]]
    if op in ("cumsum", "cumprod", "nancumsum", "nancumprod", "sum", "prod", "mean"):
        own += [["--dtype", rng.choice(DTYPES)]]
    if op in REDUCTIONS:
        own += [["--keepdim"]]
    if op in ("max", "min"):
        own += [["--select", rng.choice(["values", "indices"])]]
    if op == "diff":
        own += [["-n", str(rng.choice([0, 1, 2, 5]))]]
    if op == "cumulative_trapezoid":
        own += [["--dx", rng.choice(["0.5", "2", "-1", "nan", "1e308"])]]
    anything = [
        ["--dtype", rng.choice(DTYPES + ["int3", "torch.half"])],
        ["--default-dtype", rng.choice(["int8", "float16"])],
        ["--reverse"], ["--exclusive"], ["--include-initial"], ["--keepdim"],
        ["-n", str(rng.choice([-1, 1000]))],
        ["--dx", rng.choice(["-inf", "1e999", "x"])],
        ["--input-format", "xml"],
        ["--delimiter", rng.choice(["ab", "\"", ""])],
        ["--shape", rng.choice(["-1,-1", "99999999999,99999999999", "1,2,3,4,5,6,7,8,9"])],
        ["-f", "yaml"],
        ["--select", "both"],
        ["--precision", str(rng.choice([30, -1]))],
        ["--threshold", rng.choice(["-1", "nan"])],
        ["--edgeitems", "100"],
        ["--linewidth", "0"],
        ["--sci-mode", "maybe"],
        ["--list"],
    ]
    for _ in range(rng.randint(0, 3)):
        r = rng.random()
        pool = own if own and r < 0.45 else anything if r > 0.93 else common
        a += rng.choice(pool)
    return a


def run_one(rng, tcum, data, work, timeout):
    """Returns (problem or None, argv, input path or None)."""
    op = rng.choice(OPS)
    argv = [tcum] + options(rng, op)
    inpath = None
    stdin = subprocess.DEVNULL
    if rng.random() < 0.7:
        inpath = os.path.join(work, "in" + rng.choice([".csv", ".json", ".npy", ".txt", ".tsv", "",
                                                       ".gz", ".npz"]))
        with open(inpath, "wb") as f:
            f.write(data)
        # sometimes FILE:NAME, an array of an npz
        argv.append(inpath + (rng.choice([":arr_0", ":x", ":"]) if rng.random() < 0.1 else ""))
    else:
        stdin = None
        if rng.random() < 0.5:
            argv.append("-")
    out = None
    old = None
    if rng.random() < 0.3:
        out = os.path.join(work, "out" + rng.choice([".csv", ".json", ".npy", ".txt"]))
        if rng.random() < 0.5:
            old = b"old contents\n"
            with open(out, "wb") as f:
                f.write(old)
        argv += ["-o", out]
    before = set(os.listdir(work))
    env = dict(os.environ, LC_ALL="C",
               ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=77",
               UBSAN_OPTIONS="halt_on_error=1:exitcode=77:print_stacktrace=1")
    try:
        p = subprocess.run(argv, input=data if stdin is None else None,
                           stdin=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "hang (over %gs)" % timeout, argv, inpath
    err = p.stderr
    if b"Sanitizer" in err or b"runtime error:" in err or b"LeakSanitizer" in err:
        return "sanitizer report: " + err.decode("utf-8", "replace")[:2000], argv, inpath
    if p.returncode not in (0, 2):
        return "exit status %d: %r" % (p.returncode, err[:500]), argv, inpath
    if p.returncode == 2:
        if not (err.startswith(b"tcum: ") and err.endswith(b"\n") and err.count(b"\n") == 1):
            return "status 2 without a one-line message: %r" % err[:500], argv, inpath
    elif err:
        return "status 0 with stderr: %r" % err[:500], argv, inpath
    if out is not None:
        after = set(os.listdir(work))
        stray = after - before - {os.path.basename(out)}
        if stray:
            return "stray files after -o: %s" % sorted(stray), argv, inpath
        if p.returncode == 2:
            if old is None and os.path.exists(out):
                return "failed run left %s" % out, argv, inpath
            if old is not None:
                with open(out, "rb") as f:
                    if f.read() != old:
                        return "failed run changed %s" % out, argv, inpath
        elif not os.path.exists(out):
            return "successful run wrote no %s" % out, argv, inpath
    TALLY[p.returncode] = TALLY.get(p.returncode, 0) + 1
    if p.returncode == 2:
        key = " ".join(err.decode("utf-8", "replace").split(":")[-1].split()[:4])
        MESSAGES[key] = MESSAGES.get(key, 0) + 1
    return None, argv, inpath


TALLY = {}
MESSAGES = {}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tcum", default=os.path.join(ROOT, "tcum-asan"))
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--keep", default="/tmp/tcum-hostile")
    ap.add_argument("--messages", action="store_true",
                    help="print the commonest rejection messages")
    a = ap.parse_args()
    tcum = os.path.abspath(a.tcum)
    rng = random.Random(a.seed)
    pool = seeds()
    # Seeds tcum reads as they are: drawn more often, so that ops and
    # printers, not only the readers' refusals, see the mutations.
    good = [d for d in pool if subprocess.run(
        [tcum, "show", "-"], input=d, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL).returncode == 0]
    work = tempfile.mkdtemp(prefix="tcum-hostile.")
    bad = 0
    try:
        for i in range(a.n):
            data = mutate(rng, rng.choice(good if good and rng.random() < 0.7 else pool))
            for f in os.listdir(work):
                os.remove(os.path.join(work, f))
            problem, argv, inpath = run_one(rng, tcum, data, work, a.timeout)
            if problem is None:
                continue
            bad += 1
            d = os.path.join(a.keep, "case-%d-%d" % (a.seed, i))
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "input"), "wb") as f:
                f.write(data)
            cmd = [x if x != inpath else "INPUT" for x in argv[1:]]
            with open(os.path.join(d, "README"), "w") as f:
                f.write("%s\n" % problem)
                f.write("input: %s\n" % ("file " + os.path.basename(inpath) if inpath else "stdin"))
                f.write("tcum %s\n" % " ".join(shlex.quote(c) for c in cmd))
            print("case %d: %s\n  %s" % (i, problem.splitlines()[0][:300],
                                        " ".join(shlex.quote(c) for c in cmd)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("hostile: %d runs, %d problems (seed %d); clean runs by exit status: %s"
          % (a.n, bad, a.seed, ", ".join("%d: %d" % kv for kv in sorted(TALLY.items()))))
    if a.messages:
        for k, v in sorted(MESSAGES.items(), key=lambda kv: -kv[1])[:25]:
            print("%6d  %s" % (v, k))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
