#!/usr/bin/python3
"""Bitwise differential check of tcum --grad (and diff / cumulative_trapezoid)
against torch.autograd.  Run with /usr/bin/python3:

    /usr/bin/python3 testdata/fuzz_grad.py [--n 500] [--seed S] [--tcum ./tcum]
        [--ops cumprod,diff] [--dtypes float32,bfloat16] [-v]

Each case draws an op, a float dtype, a shape, values (zeros, ties, NaN and
infinities mixed in), a dim, modifiers and maybe a --grad-output, runs
`tcum OP --dim D --grad [--grad-output FILE] -f json -` with the input as
JSON on stdin, and compares every value bit for bit (signed zeros and NaN
included) with x.grad from PyTorch, computed with the compositions described
in gen_grad.py.  Cases where PyTorch raises must make tcum exit 2.
"""
import argparse
import json
import math
import os
import random
import struct
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_grad as G  # noqa: E402  (builds no cases on import)

OPS = ['cumsum', 'cumprod', 'cummax', 'cummin', 'logcumsumexp', 'nancumsum', 'nancumprod',
       'diff', 'cumulative_trapezoid', 'sum', 'prod', 'mean', 'amax', 'amin', 'max', 'min',
       'logsumexp']
SCANS = {'cumsum', 'cumprod', 'cummax', 'cummin', 'logcumsumexp', 'nancumsum', 'nancumprod'}
# 1.13 has these kernels for bfloat16; float16 scans and prod need 2.x.
DTYPES = ['float32', 'float64', 'bfloat16', 'complex64', 'complex128']


def parse_val(v):
    if isinstance(v, str):
        return complex(v) if v.endswith('j') else float(v)
    return v


def bits(v):
    if isinstance(v, complex):
        return (bits(v.real), bits(v.imag))
    v = float(v)
    if math.isnan(v):
        return 'nan'
    return struct.pack('<d', v)


def flat(v):
    return [e for s in v for e in flat(s)] if isinstance(v, list) else [v]


def gen_values(rng, shape, dt):
    n = 1
    for s in shape:
        n *= s
    pool = [0.0, -0.0, 1.0, -1.0, 2.0, 0.5, math.nan, math.inf, -math.inf]
    vals = []
    for _ in range(n):
        r = rng.random()
        if r < 0.15:
            vals.append(rng.choice(pool))
        elif r < 0.3 and vals:
            vals.append(rng.choice(vals))      # ties
        else:
            vals.append(rng.gauss(0, 1) * 10 ** rng.uniform(-2, 2))
    x = torch.tensor(vals, dtype=torch.float64).reshape(shape)
    if G.DT[dt].is_complex:
        im = torch.tensor([rng.gauss(0, 2) for _ in range(n)], dtype=torch.float64).reshape(shape)
        x = torch.complex(x, im)
    return x.to(G.DT[dt])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=500)
    ap.add_argument('--seed', type=int, default=None)
    ap.add_argument('--tcum', default='./tcum')
    ap.add_argument('--ops', default=','.join(OPS))
    ap.add_argument('--dtypes', default=','.join(DTYPES))
    ap.add_argument('-v', action='store_true')
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    ops, dts = a.ops.split(','), a.dtypes.split(',')
    npass = nfail = nskip = 0
    tmp = tempfile.mkdtemp()
    for i in range(a.n):
        op, dt = rng.choice(ops), rng.choice(dts)
        nd = rng.choice([1, 1, 2, 2, 3])
        shape = tuple(rng.randint(1, 6) for _ in range(nd))
        x = gen_values(rng, shape, dt)
        dim = rng.randrange(-nd, nd)
        mods = set()
        kw = {}
        if op in SCANS and op not in ('cummax', 'cummin'):
            r = rng.random()
            if r < 0.2:
                mods.add('reverse')
            r = rng.random()
            if r < 0.2:
                mods.add('exclusive')
            elif r < 0.4:
                mods.add('include-initial')
        elif op in ('cummax', 'cummin') and rng.random() < 0.3:
            mods.add('reverse')
        use_dim = True
        if op in ('sum', 'prod', 'mean', 'amax', 'amin', 'max', 'min') and rng.random() < 0.3:
            use_dim = False
        keepdim = op in ('sum', 'prod', 'mean', 'amax', 'amin', 'max', 'min', 'logsumexp') \
            and use_dim and rng.random() < 0.3
        n = rng.choice([1, 1, 2, 3]) if op == 'diff' else None
        dx = rng.choice([1.0, 0.1, -2.5, 0.3]) if op == 'cumulative_trapezoid' else None
        dimv = dim if use_dim else None
        try:
            leaf = x.detach().clone().requires_grad_()
            y = G.forward(op, leaf, dimv, None, mods, keepdim, n or 1, dx or 1.0)
        except (RuntimeError, IndexError):
            nskip += 1
            continue
        gout = None
        if rng.random() < 0.5:
            gout = gen_values(rng, tuple(y.shape), 'float64' if not y.is_complex() else 'complex128').to(y.dtype)
        try:
            g = G.reference(op, x, dimv, None, mods, keepdim, n or 1, dx or 1.0, gout)
            want = [bits(v) for v in g.reshape(-1).tolist()]
            want_err = None
        except (RuntimeError, IndexError) as e:
            want, want_err = None, str(e).split('\n')[0]
        cmd = [a.tcum, op]
        if use_dim:
            cmd += ['--dim', str(dim)]
        if n is not None:
            cmd += ['-n', str(n)]
        if dx is not None:
            cmd += ['--dx', repr(dx)]
        if keepdim:
            cmd.append('--keepdim')
        cmd += ['--' + m for m in sorted(mods)]
        cmd += ['--grad', '-f', 'json']
        if gout is not None:
            path = os.path.join(tmp, 'g%d.json' % i)
            with open(path, 'w') as f:
                f.write(G.to_json(gout))
            cmd += ['--grad-output', path]
        cmd.append('-')
        p = subprocess.run(cmd, input=G.to_json(x).encode(), capture_output=True)
        ok = False
        got = None
        if want_err is not None:
            ok = p.returncode == 2
        elif p.returncode == 0:
            got = json.loads(p.stdout)
            vals = [parse_val(v) for v in flat(got['data'])]
            # The JSON text is the shortest that reads back as the dtype.
            wide = torch.complex128 if g.is_complex() else torch.float64
            vals = torch.tensor(vals, dtype=wide).to(g.dtype).tolist() if vals else []
            ok = [bits(v) for v in vals] == want and got['dtype'] == G.NAME[g.dtype]
        if ok:
            npass += 1
            continue
        nfail += 1
        print('FAIL case %d: %s' % (i, ' '.join(cmd)))
        if a.v or nfail <= 10:
            print('  input:', G.to_json(x).strip())
            if gout is not None:
                print('  grad_output:', G.to_json(gout).strip())
            print('  want:', want_err or g.reshape(-1).tolist())
            print('  got :', p.stderr.decode().strip() or (got and flat(got['data'])))
    print('fuzz_grad: seed %d: %d passed, %d failed, %d skipped' % (seed, npass, nfail, nskip))
    return 1 if nfail else 0


if __name__ == '__main__':
    sys.exit(main())
