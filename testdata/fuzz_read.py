#!/usr/bin/python3
"""Differential fuzzer for the readers: random inputs through `tcum show`
against torch.tensor(the same Python values, dtype=...) in the installed
PyTorch.

    /usr/bin/python3 testdata/fuzz_read.py [--n N] [--seed S] [--tcum ./tcum]

Three kinds of input, chosen at random per case:
  json  nested lists (regular or ragged) of bools, ints (int64 edges and
        beyond), floats (non-finite, float16/float32 edges) and complex,
        with or without --input-dtype; the message of the first error must
        be PyTorch's;
  csv   tables of the same literals (rows x columns, 1-D or 0-d as
        numpy.loadtxt squeezes them), with random spacing and quoting;
  repr  repr() of random tensors of every dtype, read back as written.
Prints each mismatch and ends with "N/M mismatches"; exit status 1 if any.
"""
import argparse
import math
import random
import subprocess
import sys

import torch

from gen_lib import printoptions, torch_print

DTYPES = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16',
          'float32', 'float64', 'complex64', 'complex128']

INTS = [0, 1, -1, 7, 255, 256, -129, -255, -256, 300, 2 ** 31, 2 ** 63 - 1, -2 ** 63, 2 ** 63,
        -2 ** 63 - 1, 9007199254740993]
FLOATS = [0.5, -1.5, 1e10, 1e-8, math.nan, math.inf, -math.inf, -0.0, 300.0, 65520.0, 2.5e38,
          3.5e38, 127.9, -0.5, 0.1, 9.223372036854775807e18, 5e-324]
COMPLEX = [1 + 2j, complex('-j'), complex(math.nan, 1), 3j]


def scalar(rnd):
    k = rnd.random()
    if k < 0.2:
        return rnd.choice([True, False])
    if k < 0.55:
        return rnd.choice(INTS)
    if k < 0.92:
        return rnd.choice(FLOATS)
    return rnd.choice(COMPLEX)


def flit(v):
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return repr(v)


def lit(v):
    """A value as tcum's literal (CSV field, JSON string content)."""
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, complex):
        return '%s%s%sj' % (flit(v.real), '-' if math.copysign(1, v.imag) < 0 else '+',
                            flit(abs(v.imag)))
    if isinstance(v, float):
        return flit(v)
    return str(v)


def jtext(v, rnd):
    if isinstance(v, list):
        sep = rnd.choice([', ', ',', ' ,\n '])
        return '[' + sep.join(jtext(x, rnd) for x in v) + ']'
    if isinstance(v, Num):
        return v.text
    if isinstance(v, complex) or (isinstance(v, float) and not math.isfinite(v)):
        return '"%s"' % lit(v)
    return lit(v)


def regular(rnd, shape):
    if not shape:
        return scalar(rnd)
    return [regular(rnd, shape[1:]) for _ in range(shape[0])]


def ragged(rnd, depth):
    if depth == 0 or rnd.random() < 0.1:
        return scalar(rnd)
    return [ragged(rnd, depth - 1) for _ in range(rnd.choice([0, 1, 2, 3]))]


def expect(values, dt):
    """(stdout, error message) of torch.tensor(values, dtype=dt)."""
    try:
        x = torch.tensor(values, dtype=getattr(torch, dt)) if dt else torch.tensor(values)
    except (RuntimeError, TypeError, ValueError, OverflowError) as e:
        return '', str(e)
    return torch_print(x), ''


class Num(float):
    """A finite float with the JSON text it is written as."""
    text = ''


def plain_scalar(rnd):
    """A plain JSON number (tcum's fast path): an int, or a float as text
    in one of the forms JSON allows, valued as that text reads."""
    if rnd.random() < 0.4:
        return rnd.choice(INTS + [rnd.randint(-10 ** 6, 10 ** 6)])
    f = rnd.choice([x for x in FLOATS if math.isfinite(x)] +
                   [rnd.uniform(-1e3, 1e3), rnd.gauss(0, 1) * 10 ** rnd.randint(-40, 40)])
    t = rnd.choice(['%r', '%.17g', '%.3e', '%.6E', '%.1f', '%.9g']) % f
    if '.' not in t and 'e' not in t.lower() and 'n' not in t:
        t += rnd.choice(['.0', 'e0', 'E+00'])
    n = Num(float(t))
    n.text = t
    return n


def plain(rnd, shape):
    if not shape:
        return plain_scalar(rnd)
    return [plain(rnd, shape[1:]) for _ in range(shape[0])]


def json_case(rnd):
    k = rnd.random()
    if k < 0.4:
        v = regular(rnd, [rnd.choice([0, 1, 2, 3]) for _ in range(rnd.randint(0, 3))])
    elif k < 0.6:
        v = ragged(rnd, 3)
    else:
        # Plain numbers, mostly rectangular: the fast path, and its fallbacks.
        v = plain(rnd, [rnd.choice([1, 2, 3, 4]) for _ in range(rnd.randint(1, 4))])
        if rnd.random() < 0.2:
            w = v
            while isinstance(w, list) and w and isinstance(w[-1], list):
                w = w[-1]
            if isinstance(w, list):
                w.append(plain_scalar(rnd) if rnd.random() < 0.5 else [plain_scalar(rnd)])
    dt = rnd.choice([None] * 4 + DTYPES)
    args = ['--input-format', 'json'] + (['--input-dtype', dt] if dt else [])
    out, err = expect(v, dt)
    return args, jtext(v, rnd) + '\n', out, err


def csv_case(rnd):
    rows, cols = rnd.choice([1, 2, 3]), rnd.choice([1, 2, 3])
    table = [[scalar(rnd) for _ in range(cols)] for _ in range(rows)]
    dt = rnd.choice([None] * 4 + DTYPES)
    lines = []
    for r in table:
        fields = []
        for x in r:
            f = lit(x)
            if rnd.random() < 0.2:
                f = '"%s"' % f
            fields.append(rnd.choice(['', ' ', '  ']) + f + rnd.choice(['', ' ', '\t']))
        lines.append(','.join(fields))
    text = rnd.choice(['\n', '\r\n']).join(lines) + '\n'
    header = rnd.random() < 0.3
    if header:
        text = 'a,' * (cols - 1) + 'b\n' + text
    if rows == 1 and cols == 1:
        v = table[0][0]
    elif rows == 1:
        v = table[0]
    elif cols == 1:
        v = [r[0] for r in table]
    else:
        v = table
    args = ['--input-format', 'csv', '--header' if header else '--no-header']
    args += ['--input-dtype', dt] if dt else []
    out, err = expect(v, dt)
    return args, text, out, err


def repr_case(rnd):
    dt = getattr(torch, rnd.choice(DTYPES))
    shape = [rnd.choice([0, 1, 2, 3, 5]) for _ in range(rnd.randint(0, 3))]
    x = torch.randn(shape, dtype=torch.float64) * 10 ** rnd.randint(-9, 9)
    if rnd.random() < 0.2 and x.numel():
        x.view(-1)[0] = rnd.choice([math.nan, math.inf, -math.inf])
    if dt.is_complex:
        x = torch.complex(x, x.flip(list(range(x.dim()))) if x.dim() else x)
    x = x.to(dt) if not dt == torch.bool else x > 0
    if not dt.is_floating_point and not dt.is_complex and dt != torch.bool:
        info = torch.iinfo(dt)
        x = torch.randint(info.min, info.max, shape, dtype=dt)
    text = repr(x)
    # Read back as written: the printed digits, stored in the repr's dtype.
    ns = {'tensor': lambda d, dtype=None, size=None:
          torch.tensor(d, dtype=dtype).reshape(size) if size else torch.tensor(d, dtype=dtype),
          'torch': torch, 'nan': math.nan, 'inf': math.inf}
    src = text.replace('\n', ' ').replace('nanj', '*1j*nan').replace('infj', '*1j*inf')
    try:
        y = eval(src, ns)
    except Exception:
        return None
    if dt.is_complex and y.dtype != dt:
        return None
    return ['--input-format', 'torch'], text + '\n', torch_print(y), ''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=1000)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--tcum', default='./tcum')
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    torch.manual_seed(a.seed)
    bad = done = 0
    with printoptions():
        while done < a.n:
            case = rnd.choice([json_case, csv_case, repr_case])(rnd)
            if case is None:
                continue
            done += 1
            args, text, out, err = case
            r = subprocess.run([a.tcum, 'show'] + args + ['-'], input=text.encode(),
                               capture_output=True)
            got_out = r.stdout.decode()
            got_err = r.stderr.decode().strip()
            got_msg = got_err.split(': ', 2)[-1] if got_err else ''
            if got_out != out or got_msg != err or (err and r.returncode != 2):
                bad += 1
                print('MISMATCH tcum show %s -\n--- input\n%s--- torch\n%s%s\n--- tcum\n%s%s\n'
                      % (' '.join(args), text, out, err, got_out, got_err))
    print('%d/%d mismatches' % (bad, done))
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
