#!/usr/bin/python3
"""Bitwise differential check of tcum --grad (and diff / cumulative_trapezoid)
against torch.autograd.  Run with /usr/bin/python3:

    /usr/bin/python3 testdata/fuzz_grad.py [--n 500] [--seed S] [--tcum ./tcum]
        [--ops cumprod,diff] [--dtypes float32,bfloat16] [--torch-version 2.6|1.13] [-v]

Each case draws an op, a float dtype, a shape, values (zeros, ties, NaN and
infinities mixed in), a dim, modifiers and maybe a --grad-output, runs
`tcum OP --dim D --grad [--grad-output FILE] -f json -` with the input as
JSON on stdin, and compares every value bit for bit (signed zeros and NaN
included) with x.grad from PyTorch, computed with the compositions described
in gen_grad.py.  Cases where PyTorch raises must make tcum exit 2.
--torch-version (default 2.6) picks the PyTorch: the cases are built and
their references computed by it (2.6: a server of this script in the
Debian 13 chroot, see gen_lib.Builds), tcum runs with TCUM_TORCH_VERSION.
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
from gen_lib import Builds, serve  # noqa: E402

OPS = ['cumsum', 'cumprod', 'cummax', 'cummin', 'logcumsumexp', 'nancumsum', 'nancumprod',
       'diff', 'cumulative_trapezoid', 'sum', 'prod', 'mean', 'amax', 'amin', 'max', 'min',
       'logsumexp']
SCANS = {'cumsum', 'cumprod', 'cummax', 'cummin', 'logcumsumexp', 'nancumsum', 'nancumprod'}
DTYPES = ['float32', 'float64', 'float16', 'bfloat16', 'complex64', 'complex128']


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


def build(seed, ops, dts, i):
    """Case i: tcum's arguments and inputs and PyTorch's gradient (plain data)."""
    rng = random.Random('%s:%d' % (seed, i))
    op, dt = rng.choice(ops), rng.choice(dts)
    nd = rng.choice([1, 1, 2, 2, 3])
    shape = tuple(rng.randint(1, 6) for _ in range(nd))
    x = gen_values(rng, shape, dt)
    dim = rng.randrange(-nd, nd)
    mods = set()
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
    c = {'op': op, 'x': G.to_json(x), 'gout': None}
    try:
        leaf = x.detach().clone().requires_grad_()
        y = G.forward(op, leaf, dimv, None, mods, keepdim, n or 1, dx or 1.0)
    except (RuntimeError, IndexError) as e:
        y, c['want_err'] = None, str(e).split('\n')[0]    # the forward's error
    gout = None
    if y is not None and (rng.random() < 0.5 or y.is_complex()):
        gout = gen_values(rng, tuple(y.shape), 'float64' if not y.is_complex() else 'complex128').to(y.dtype)
        c['gout'] = G.to_json(gout)
    try:
        if y is None:
            raise RuntimeError(c['want_err'])
        g = G.reference(op, x, dimv, None, mods, keepdim, n or 1, dx or 1.0, gout)
        c['want'] = g.reshape(-1).tolist()
        c['dtype'] = G.NAME[g.dtype]
        c['want_err'] = None
    except (RuntimeError, IndexError) as e:
        c['want_err'] = str(e).split('\n')[0]
    args = [op]
    if use_dim:
        args += ['--dim', str(dim)]
    if n is not None:
        args += ['-n', str(n)]
    if dx is not None:
        args += ['--dx', repr(dx)]
    if keepdim:
        args.append('--keepdim')
    args += ['--' + m for m in sorted(mods)]
    args += ['--grad', '-f', 'json']
    c['args'] = args
    return c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=500)
    ap.add_argument('--seed', type=int, default=None)
    ap.add_argument('--tcum', default='./tcum')
    ap.add_argument('--ops', default=','.join(OPS))
    ap.add_argument('--dtypes', default=','.join(DTYPES))
    ap.add_argument('--torch-version', default='2.6', choices=('2.6', '1.13'))
    ap.add_argument('--serve', action='store_true', help=argparse.SUPPRESS)
    ap.add_argument('-v', action='store_true')
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.randrange(1 << 30)
    ops, dts = a.ops.split(','), a.dtypes.split(',')
    if a.serve:
        return serve(lambda i: build(seed, ops, dts, i))
    argv = ['--seed', str(seed), '--ops', a.ops, '--dtypes', a.dtypes]
    builds = Builds(lambda i: build(seed, ops, dts, i), a.torch_version, __file__, argv)
    env = dict(os.environ, TCUM_TORCH_VERSION=a.torch_version)
    npass = nfail = nskip = 0
    tmp = tempfile.mkdtemp()
    for i in range(a.n):
        c = builds(i)
        if c is None:
            nskip += 1
            continue
        cmd = [a.tcum] + c['args']
        if c['gout'] is not None:
            path = os.path.join(tmp, 'g%d.json' % i)
            with open(path, 'w') as f:
                f.write(c['gout'])
            cmd += ['--grad-output', path]
        cmd.append('-')
        p = subprocess.run(cmd, input=c['x'].encode(), capture_output=True, env=env)
        ok = False
        got = None
        if c['want_err'] is not None:
            ok = p.returncode == 2
        elif p.returncode == 0:
            got = json.loads(p.stdout)
            vals = [parse_val(v) for v in flat(got['data'])]
            # The JSON text is the shortest that reads back as the dtype.
            dt = G.DT[c['dtype']]
            wide = torch.complex128 if dt.is_complex else torch.float64
            vals = torch.tensor(vals, dtype=wide).to(dt).tolist() if vals else []
            ok = [bits(v) for v in vals] == [bits(v) for v in c['want']] and got['dtype'] == c['dtype']
        if ok:
            npass += 1
            continue
        nfail += 1
        print('FAIL case %d: TCUM_TORCH_VERSION=%s %s' % (i, a.torch_version, ' '.join(cmd)))
        if a.v or nfail <= 10:
            print('  input:', c['x'].strip())
            if c['gout'] is not None:
                print('  grad_output:', c['gout'].strip())
            print('  want:', c['want_err'] or c['want'])
            print('  got :', p.stderr.decode().strip() or (got and flat(got['data'])))
    builds.close()
    print('fuzz_grad: seed %d, PyTorch %s: %d passed, %d failed, %d skipped' %
          (seed, a.torch_version, npass, nfail, nskip))
    return 1 if nfail else 0


if __name__ == '__main__':
    sys.exit(main())
