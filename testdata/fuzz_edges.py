#!/usr/bin/python3
"""fuzz_edges.py - tcum against PyTorch from another angle than fuzz_torch.py.

    /usr/bin/python3 testdata/fuzz_edges.py [--tcum ./tcum] [--n 500] [--seed S]
        [--mode print|cast|ops] [--big] [--torch-version 2.6|1.13]

Values are drawn from pools of boundaries rather than distributions: int_mode
and sci_mode limits (1e8, ratio 1000, 1e-4), finfo max/tiny/eps and
subnormals of every float dtype, float16/bfloat16 limits, nan/inf/-0.0 in
real and imaginary parts, integer min/max; print options at their edges
(precision 0..15, linewidth 1, threshold 0, edgeitems 0, sci-mode on/off);
--default-dtype float64.  Tensors go in exactly, as .npy (bfloat16 as tcum's
JSON object form), so only tcum's arithmetic and printer are tested.
print: show.  cast: show --dtype T (float->int casts of nan/inf/huge).
ops: the scans, diff and cumulative_trapezoid with random dims and --dtype,
0-d and empty shapes included.  --big: mostly large, summarized shapes.
--torch-version (default 2.6): whose PyTorch is the reference; the cases
are built by that PyTorch (2.6: a server of this script in the Debian 13
chroot, see gen_lib.Builds) and tcum runs with TCUM_TORCH_VERSION set.
"""
import argparse
import io
import math
import os
import random
import shlex
import subprocess
import sys
import numpy as np
import torch
import warnings
warnings.filterwarnings('ignore')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_lib import Builds, printoptions, serve, torch_print  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
ap.add_argument('--tcum', default='./tcum')
ap.add_argument('--n', type=int, default=500)
ap.add_argument('--seed', default='1')
ap.add_argument('--mode', choices=['print', 'cast', 'ops'], default='print')
ap.add_argument('--big', action='store_true')
ap.add_argument('--torch-version', default='2.6', choices=('2.6', '1.13'))
ap.add_argument('--serve', action='store_true', help=argparse.SUPPRESS)
A = ap.parse_args()
TCUM, N, SEED, MODE = os.path.abspath(A.tcum), A.n, A.seed, A.mode

DT = {'bool': torch.bool, 'uint8': torch.uint8, 'int8': torch.int8, 'int16': torch.int16,
      'int32': torch.int32, 'int64': torch.int64, 'float16': torch.float16,
      'bfloat16': torch.bfloat16, 'float32': torch.float32, 'float64': torch.float64,
      'complex64': torch.complex64, 'complex128': torch.complex128}
NAME = {v: k for k, v in DT.items()}


def npy(t):
    b = io.BytesIO()
    np.save(b, t.numpy())
    return b.getvalue()


def fnum(v):
    if math.isnan(v):
        return '"nan"'
    if math.isinf(v):
        return '"inf"' if v > 0 else '"-inf"'
    return repr(float(v))


def json_obj(t):
    """tcum's object form with exact values (needed for bfloat16)."""
    flat = t.reshape(-1).to(torch.float64).tolist() if t.dtype != torch.bool else t.reshape(-1).tolist()
    if t.dtype == torch.bool:
        data = ','.join('true' if v else 'false' for v in flat)
    elif t.dtype.is_floating_point:
        data = ','.join(fnum(v) for v in flat)
    else:
        data = ','.join(str(int(v)) for v in t.reshape(-1).tolist())
    return '{"dtype": "%s", "shape": [%s], "data": [%s]}' % (NAME[t.dtype], ','.join(map(str, t.shape)), data)


def feed(t):
    if t.dtype == torch.bfloat16:
        return json_obj(t).encode()
    return npy(t)


def run(args, stdin):
    env = dict(os.environ, TCUM_TORCH_VERSION=A.torch_version)
    p = subprocess.run([TCUM] + args, input=stdin, capture_output=True, timeout=30, env=env)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def pool_float(rng, dt):
    fi = torch.finfo(dt)
    cands = [
        lambda: rng.uniform(-10, 10),
        lambda: float(rng.randint(-5, 5)),
        lambda: rng.choice([1e8, 99999999.0, 100000000.0, 1e8 + 8, 9.9999e7, 1e7, 123456789.0]),
        lambda: rng.choice([1000.0, 999.9, 0.999, 1.0, 1000.1, 0.001, 1e-4, 9.99e-5, 1.0001e-4, 0.1, 10.0]),
        lambda: rng.choice([fi.max, -fi.max, fi.tiny, fi.tiny / 4 if dt != torch.bfloat16 else fi.tiny, fi.eps, fi.min]),
        lambda: rng.choice([math.nan, math.inf, -math.inf, -0.0, 0.0]),
        lambda: rng.choice([-1, 1]) * 10.0 ** rng.randint(-12, 20) * rng.random(),
        lambda: rng.choice([0.5, 1.5, 2.5, 0.05, 0.15, 0.25, 0.35, 1e16, 1e15, 12345.678, 0.00012345]),
        lambda: rng.choice([65504.0, 65520.0, 6e-8, 6.1e-5, 3.39e38, 1e-38, 2049.0, 4097.0, 257.0]),
    ]
    w = [4, 3, 2, 2, 1, 1, 2, 2, 1]
    return rng.choices(cands, w)[0]()


def gen_tensor(rng, dt, shape):
    n = math.prod(shape)
    if dt == torch.bool:
        v = [rng.random() < 0.5 for _ in range(n)]
        return torch.tensor(v, dtype=dt).reshape(shape)
    if not (dt.is_floating_point or dt.is_complex):
        ii = torch.iinfo(dt)
        mode = rng.choice(['small', 'edge', 'wide', 'big'])
        v = []
        for _ in range(n):
            if mode == 'small':
                v.append(rng.randint(max(ii.min, -9), min(ii.max, 9)))
            elif mode == 'edge':
                v.append(rng.choice([ii.min, ii.max, 0, -1 if ii.min else 1, 99999999, 100000000, 1000, 999]))
            elif mode == 'big':
                v.append(rng.choice([ii.max, ii.min, rng.randint(ii.min, ii.max)]))
            else:
                v.append(rng.randint(ii.min, ii.max))
        v = [min(max(a, ii.min), ii.max) for a in v]
        return torch.tensor(v, dtype=dt).reshape(shape)
    part = dt if dt.is_floating_point else (torch.float32 if dt == torch.complex64 else torch.float64)

    def one():
        return pool_float(rng, part)
    vals = [one() for _ in range(n)]
    if rng.random() < 0.4:
        # One value scaled: the formatter's choices hinge on max/min ratios.
        base = one()
        vals = [base * rng.choice([1, -1, 0.5, 2, 3, 1000, 1e-3]) for _ in range(n)]
    if dt.is_complex:
        im = [one() for _ in range(n)] if rng.random() < 0.7 else [rng.choice([0.0, -0.0]) for _ in range(n)]
        t = torch.complex(torch.tensor(vals, dtype=torch.float64), torch.tensor(im, dtype=torch.float64))
        return t.to(dt).reshape(shape)
    with np.errstate(all='ignore'):
        return torch.tensor(vals, dtype=torch.float64).to(dt).reshape(shape)


def gen_shape(rng):
    if A.big and rng.random() < 0.7:
        return rng.choice([[rng.randint(30, 60), rng.randint(20, 40)], [rng.randint(2, 4), rng.randint(10, 30), rng.randint(10, 30)],
                           [rng.randint(1001, 1500)], [2, 2, rng.randint(15, 25), rng.randint(15, 25)], [rng.randint(2, 10), rng.randint(100, 300)]])
    nd = rng.choices([0, 1, 2, 3, 4], [10, 40, 30, 15, 5])[0]
    if nd == 0:
        return []
    s = [rng.randint(1, 6) for _ in range(nd)]
    if nd == 1 and rng.random() < 0.3:
        s = [rng.randint(6, 40)]
    if rng.random() < 0.05:
        s = [rng.randint(1001, 1100)] if nd == 1 else s
    if rng.random() < 0.07:
        s[rng.randrange(nd)] = 0
    return s


def gen_po(rng):
    po, args = {}, []
    if rng.random() < 0.5:
        p = rng.choice([0, 1, 2, 3, 4, 6, 8, 10, 15])
        po['precision'] = p; args += ['--precision', str(p)]
    if rng.random() < 0.4:
        l = rng.choice([1, 5, 10, 20, 40, 60, 79, 80, 81, 120])
        po['linewidth'] = l; args += ['--linewidth', str(l)]
    if rng.random() < 0.3:
        t = rng.choice([0, 1, 3, 5, 10, 1000])
        po['threshold'] = t; args += ['--threshold', str(t)]
    if rng.random() < 0.3:
        e = rng.choice([0, 1, 2, 3, 5])
        po['edgeitems'] = e; args += ['--edgeitems', str(e)]
    if rng.random() < 0.3:
        s = rng.choice(['on', 'off', 'auto'])
        po['sci_mode'] = {'on': True, 'off': False, 'auto': None}[s]; args += ['--sci-mode', s]
    return po, args


def build(i):
    """Case i: tcum's arguments, its stdin, what PyTorch gives (plain data)."""
    rng = random.Random('%s:%d' % (SEED, i))
    dt = DT[rng.choice(list(DT))]
    shape = gen_shape(rng)
    x = gen_tensor(rng, dt, shape)
    po, pargs = gen_po(rng)
    d64 = rng.random() < 0.2
    args = ['show']
    op = 'show'
    dim = None
    odt = None
    if MODE == 'ops':
        op = rng.choice(['show', 'cumsum', 'cumprod', 'cummax', 'cummin', 'logcumsumexp', 'diff',
                         'cumulative_trapezoid', 'nancumsum', 'nancumprod'])
        args = [op]
        nd = x.dim()
        if op != 'show' and (op not in ('diff', 'cumulative_trapezoid') or rng.random() < 0.5):
            dim = rng.randint(-max(nd, 1), max(nd, 1) - 1)
            args += ['--dim', str(dim)]
        if rng.random() < 0.3:
            odt = DT[rng.choice(list(DT))]
            args += ['--dtype', NAME[odt]]
    elif MODE == 'cast':
        odt = DT[rng.choice(list(DT))]
        args += ['--dtype', NAME[odt]]
    if d64:
        args += ['--default-dtype', 'float64']
    args += pargs + ['-']
    kw = dict(po)
    if d64:
        kw['default_dtype'] = torch.float64
    with printoptions(**kw):
        try:
            if op == 'show':
                r = x.to(odt) if odt is not None else x
            elif op in ('cumsum', 'cumprod'):
                r = getattr(torch, op)(x, dim, dtype=odt)
            elif op in ('nancumsum', 'nancumprod'):
                xx = x.masked_fill(torch.isnan(x), 0 if op == 'nancumsum' else 1) if (x.is_floating_point() or x.is_complex()) else x
                r = getattr(torch, op[3:])(xx, dim, dtype=odt)
            elif op == 'diff':
                xx = x.to(odt) if odt is not None else x
                r = torch.diff(xx, dim=-1 if dim is None else dim)
            elif op == 'cumulative_trapezoid':
                xx = x.to(odt) if odt is not None else x
                r = torch.cumulative_trapezoid(xx, dim=-1 if dim is None else dim)
            else:
                xx = x.to(odt) if odt is not None else x
                r = getattr(torch, op)(xx, dim)
            want = ('out', torch_print(r))
        except (RuntimeError, IndexError, ValueError, TypeError) as e:
            want = ('err', str(e).split('\n')[0])
    return {'args': args, 'stdin': feed(x), 'want': want, 'dtype': NAME[x.dtype], 'shape': list(x.shape),
            'x': x.tolist() if x.numel() < 50 else '...'}


def main():
    if A.serve:
        return serve(build)
    builds = Builds(build, A.torch_version, __file__, sys.argv[1:])
    npass = nfail = 0
    for i in range(N):
        c = builds(i)
        args, want = c['args'], c['want']
        st, out, err = run(args, c['stdin'])
        if want[0] == 'out':
            ok = st == 0 and out == want[1]
        else:
            ok = st == 2 and want[1] in err
        if ok:
            npass += 1
            continue
        nfail += 1
        if nfail <= 12:
            print('=' * 60)
            print('FAIL case %d: TCUM_TORCH_VERSION=%s tcum %s   (x %s %s)' % (
                i, A.torch_version, ' '.join(shlex.quote(a) for a in args), c['dtype'], c['shape']))
            print('x =', c['x'])
            print('--- want', want[0]); print(want[1])
            print('--- got status', st); print(out + err)
    builds.close()
    print('fuzz_edges %s seed %s, PyTorch %s: %d passed, %d failed' % (MODE, SEED, A.torch_version, npass, nfail))
    return 1 if nfail else 0


sys.exit(main())
