#!/usr/bin/python3
"""Differential fuzzer: tcum against PyTorch 2.6 or 1.13.

    /usr/bin/python3 testdata/fuzz_torch.py --n 2000 --tcum ./tcum
        [--torch-version 2.6|1.13] [--seed S] [--case I] [--ops cumsum,cummax]
        [--mods reverse,grad] [--dtypes float32,int8] [--max-show K] [-v]

Each case draws a shape, a dtype, values, an op, modifiers and print
options, feeds tcum the tensor as JSON (or CSV for 1-D/2-D) on stdin, and
compares tcum's stdout and exit status with what PyTorch prints for the same
computation.  When PyTorch raises, tcum must exit 2 and print
"tcum: " + the first line of PyTorch's message (a position "FILE:L:C: " before
it and a " (hint)" after it are allowed).

The cases are drawn here, under /usr/bin/python3; the reference runs in a
long-lived server process of the chosen PyTorch, this script with --serve
(PyTorch 2.6: in the Debian 13 chroot, $TCUM_CHROOT or /work/chroot/trixie,
which must see this file at the same path; 1.13: /usr/bin/python3), which
takes each case over a pipe.  tcum runs with TCUM_TORCH_VERSION set to the
version (or, in some cases, --torch-version).

Case I of seed S is always the same case: a failure prints the line that
reproduces it alone (--seed S --case I).

Reference semantics (SPEC.md): --dtype is the op's dtype= argument where
PyTorch's signature has one, otherwise the input is cast first; --reverse is
flip(op(flip(x))) with cummax/cummin indices mapped back; --exclusive shifts
the inclusive scan by one and puts the identity first; --include-initial
prepends the identity; --grad prints x.grad after op(x).sum().backward().
Each version is its own reference, refusals included (1.13 has no float16
cumsum: the expected output is its error).
"""
import argparse
import math
import os
import random
import re
import shlex
import subprocess
import sys
import time
import warnings

import numpy as np
import torch

warnings.filterwarnings('ignore')   # "Casting complex values to real discards..."
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_lib import printoptions, torch_print  # noqa: E402

DTYPES = {
    'bool': torch.bool, 'uint8': torch.uint8, 'int8': torch.int8,
    'int16': torch.int16, 'int32': torch.int32, 'int64': torch.int64,
    'float16': torch.float16, 'bfloat16': torch.bfloat16,
    'float32': torch.float32, 'float64': torch.float64,
    'complex64': torch.complex64, 'complex128': torch.complex128,
}
DTYPE_NAMES = {v: k for k, v in DTYPES.items()}
INTS = ('uint8', 'int8', 'int16', 'int32', 'int64')
FLOATS = ('float16', 'bfloat16', 'float32', 'float64')
COMPLEX = ('complex64', 'complex128')
# Aliases tcum must accept for --dtype / --input-dtype.
ALIASES = {'float16': ['half'], 'float32': ['float'], 'float64': ['double'],
           'int16': ['short'], 'int32': ['int'], 'int64': ['long'],
           'complex64': ['cfloat'], 'complex128': ['cdouble']}

TORCH_ERRORS = (RuntimeError, IndexError, ValueError, TypeError)


class Skip(Exception):
    """The reference is unknown for this combination: don't compare."""


class TcumError(Exception):
    """tcum must fail with its own message (status 2, any 'tcum: ' text)."""


# ---------------------------------------------------------------- ops
#
# One row per op.  kind: scan | reduce | minmax | diff | trapz | show.
# dim: required | optional | last | none.  has_dtype: PyTorch's signature
# has dtype=.  two: returns (values, indices) (minmax: only with a dim).

class Op:
    def __init__(self, name, kind, dim, has_dtype=False, two=False, mods=(), grad=True, ident=None):
        self.name, self.kind, self.dim = name, kind, dim
        self.has_dtype, self.two, self.mods, self.grad, self.ident = has_dtype, two, set(mods), grad, ident


SCAN_MODS = ('reverse', 'exclusive', 'include-initial')
OPS = [
    Op('show', 'show', 'none', grad=False),
    Op('cumsum', 'scan', 'required', has_dtype=True, mods=SCAN_MODS, ident=0),
    Op('cumprod', 'scan', 'required', has_dtype=True, mods=SCAN_MODS, ident=1),
    Op('cummax', 'scan', 'required', two=True, mods=('reverse', 'exclusive')),
    Op('cummin', 'scan', 'required', two=True, mods=('reverse', 'exclusive')),
    Op('logcumsumexp', 'scan', 'required', mods=SCAN_MODS, ident=-math.inf),
    Op('nancumsum', 'scan', 'required', has_dtype=True, mods=SCAN_MODS, ident=0),
    Op('nancumprod', 'scan', 'required', has_dtype=True, mods=SCAN_MODS, ident=1),
    Op('diff', 'diff', 'last'),
    Op('cumulative_trapezoid', 'trapz', 'last'),
    Op('sum', 'reduce', 'optional', has_dtype=True),
    Op('prod', 'reduce', 'optional', has_dtype=True),
    Op('mean', 'reduce', 'optional', has_dtype=True),
    Op('amax', 'reduce', 'optional'),
    Op('amin', 'reduce', 'optional'),
    Op('logsumexp', 'reduce', 'required'),
    Op('max', 'minmax', 'optional', two=True),
    Op('min', 'minmax', 'optional', two=True),
    Op('assert-close', 'ac', 'none', grad=False),
]
OPS_BY_NAME = {o.name: o for o in OPS}
DEFAULT_OPS = 'all'
ALL_MODS = ('reverse', 'exclusive', 'include-initial', 'grad')


def scan_core(op, x, dim, dtype, tags):
    """Inclusive scan along dim; dtype as the CLI's --dtype (None if absent)."""
    name = op.name
    if name in ('nancumsum', 'nancumprod'):
        # numpy.nancumsum: NaN counts as the identity.  Replacing before the
        # scan keeps PyTorch's accumulation and dtype rules.
        x = x.masked_fill(torch.isnan(x), op.ident)
        name = name[3:]
    if name in ('cumsum', 'cumprod'):
        return getattr(torch, name)(x, dim, dtype=dtype)
    if dtype is not None:
        x = x.to(dtype)
    return getattr(torch, name)(x, dim)


def shift_identity(r, dim, ident, include_last):
    """cat([identity, r]) along dim, dropping r's last element unless include_last."""
    n = r.shape[dim]
    shape = list(r.shape)
    shape[dim] = 1
    init = torch.full(shape, ident, dtype=r.dtype)
    c = torch.cat([init, r], dim)
    return c if include_last else c.narrow(dim, 0, n)


def run_scan(op, x, dim, dtype, mods, tags):
    if x.dim() == 0 and ({'exclusive', 'include-initial'} & mods):
        raise Skip('exclusive/include-initial of a 0-d tensor is not specified')
    if 'exclusive' in mods and op.two:
        raise TcumError('exclusive cummax/cummin')
    rev = 'reverse' in mods
    if rev:
        from torch import flip
        # Validate dim exactly as the op would before flipping.
        d = dim
        if not (-max(x.dim(), 1) <= d < max(x.dim(), 1)):
            return scan_core(op, x, d, dtype, tags)   # raises PyTorch's message
        d = d % max(x.dim(), 1)
        xin = flip(x, [d]) if x.dim() else x
    else:
        xin = x
        d = dim
    r = scan_core(op, xin, d, dtype, tags)
    if op.two:
        v, i = r.values, r.indices
        if rev and x.dim():
            n = x.shape[d]
            v, i = flip(v, [d]), (n - 1) - flip(i, [d])
        return type(r)((v, i))
    if 'exclusive' in mods or 'include-initial' in mods:
        r = shift_identity(r, d, op.ident, 'include-initial' in mods)
    if rev and x.dim():
        r = flip(r, [d])
    return r


def run_reduce(op, x, dim, dtype, keepdim, tags):
    name = op.name
    kw = {}
    if op.has_dtype:
        kw['dtype'] = dtype
    elif dtype is not None:
        x = x.to(dtype)
    fn = getattr(torch, name)
    if op.kind == 'minmax':
        return fn(x) if dim is None else fn(x, dim, keepdim)
    if dim is None:
        return fn(x, **kw)
    return fn(x, dim, keepdim, **kw)


def run_trapz(x, dim, dtype, dx, tags):
    if dtype is not None:
        x = x.to(dtype)
    return torch.cumulative_trapezoid(x, dx=dx, dim=dim)


def compute(c, x):
    """The result object to print (tensor or named tuple); raises on error."""
    op, dim, dtype, mods, tags = c['op'], c['dim'], c['dtype'], c['mods'], c['tags']

    def forward(xx):
        if op.kind == 'show':
            return xx.to(dtype) if dtype is not None else xx
        if op.kind == 'scan':
            return run_scan(op, xx, dim, dtype, mods, tags)
        if op.kind in ('reduce', 'minmax'):
            return run_reduce(op, xx, dim, dtype, c['keepdim'], tags)
        if op.kind == 'diff':
            xx = xx.to(dtype) if dtype is not None else xx
            return torch.diff(xx, n=c['n'], dim=-1 if dim is None else dim)
        if op.kind == 'trapz':
            return run_trapz(xx, -1 if dim is None else dim, dtype, c['dx'], tags)
        raise AssertionError(op.kind)

    if 'grad' not in mods:
        return forward(x)
    # The leaf is the input, or the input cast by --dtype when the input is
    # not differentiable (SPEC: integer input is an error "unless --dtype
    # makes it float").
    leaf = x
    if not (x.is_floating_point() or x.is_complex()) and dtype is not None \
            and (dtype.is_floating_point or dtype.is_complex):
        leaf = x.to(dtype)
    if not (leaf.is_floating_point() or leaf.is_complex()):
        # As torch.tensor(values, requires_grad=True) says it (SPEC.md);
        # x.requires_grad_() words it differently in 1.13.
        torch.tensor([], dtype=leaf.dtype, requires_grad=True)
    leaf = leaf.detach().requires_grad_()
    y = forward(leaf)
    if isinstance(y, tuple):
        y = y[0]
    if not y.requires_grad:
        # A cast to an integer dtype cut the graph: autograd's own error
        # comes first, before any --grad-output file is read as y's dtype.
        y.sum().backward()
    if c['gout_seed'] is not None and y.numel() and 0 not in y.shape:
        grng = random.Random(c['gout_seed'])
        gv = [float(grng.randint(-3, 3)) for _ in range(y.numel())]
        if y.is_complex():
            gv = [complex(v, grng.randint(-2, 2)) for v in gv]
        c['gout_text'] = to_json(nest(gv, list(y.shape)), grng) + '\n'
        y.backward(torch.tensor(gv, dtype=y.dtype).reshape(y.shape))
    else:
        y.sum().backward()
    return leaf.grad


# ---------------------------------------------------------------- generation

def gen_shape(rng):
    nd = rng.choices([0, 1, 2, 3, 4], [8, 34, 30, 16, 12])[0]
    if nd == 0:
        return []
    if nd == 1:
        r = rng.random()
        if r < 0.45:
            n = rng.randint(1, 8)
        elif r < 0.8:
            n = rng.randint(1, 40)
        elif r < 0.97:
            n = rng.randint(40, 300)
        else:
            n = rng.randint(1001, 1300)   # summarized at the default threshold
        shape = [n]
    elif nd == 2:
        shape = [rng.randint(1, 12), rng.randint(1, 12)]
        if rng.random() < 0.03:
            shape = [rng.randint(30, 45), rng.randint(25, 40)]
    else:
        shape = [rng.randint(1, 5) for _ in range(nd)]
    if rng.random() < 0.06:
        shape[rng.randrange(nd)] = 0
    return shape


def finfo_round(vals, dt):
    """Round doubles to dtype dt (so every value is exact in dt)."""
    if not vals:
        return []
    return torch.tensor(vals, dtype=torch.float64).to(dt).to(torch.float64).tolist()


def gen_floats(rng, n, dt):
    kind = rng.choice(['smallint', 'uniform', 'wide', 'extreme', 'ties', 'halves'])
    if kind == 'smallint':
        v = [float(rng.randint(-4, 4)) for _ in range(n)]
    elif kind == 'uniform':
        v = [rng.uniform(-10, 10) for _ in range(n)]
    elif kind == 'wide':
        v = [rng.choice([-1, 1]) * rng.random() * 2.0 ** rng.randint(-30, 30) for _ in range(n)]
    elif kind == 'extreme':
        big = {torch.float16: 15, torch.bfloat16: 126, torch.float32: 126}.get(dt, 1020)
        v = [rng.choice([-1, 1]) * rng.random() * 2.0 ** rng.choice([-big - 8, -big, big - 2, big])
             for _ in range(n)]
    elif kind == 'ties':
        pool = [rng.uniform(-3, 3) for _ in range(rng.randint(1, 3))]
        v = [rng.choice(pool) for _ in range(n)]
    else:
        v = [rng.randint(-8, 8) / 2 for _ in range(n)]
    if rng.random() < 0.3:
        specials = [math.nan, math.inf, -math.inf, -0.0, 0.0]
        for _ in range(rng.randint(1, 3)):
            if n:
                v[rng.randrange(n)] = rng.choice(specials)
    return finfo_round(v, dt)


def gen_ints(rng, n, dt):
    info = torch.iinfo(dt)
    kind = rng.choice(['small', 'small', 'wide', 'overflow', 'ties', 'edge'])
    lo, hi = info.min, info.max
    if kind == 'small':
        v = [rng.randint(max(lo, -4), min(hi, 5)) for _ in range(n)]
    elif kind == 'wide':
        v = [rng.randint(lo, hi) for _ in range(n)]
    elif kind == 'overflow':
        v = [rng.randint(2, 100) * rng.choice([1, 1, -1 if lo < 0 else 1]) for _ in range(n)]
    elif kind == 'ties':
        pool = [rng.randint(max(lo, -3), min(hi, 3)) for _ in range(2)]
        v = [rng.choice(pool) for _ in range(n)]
    else:
        v = [rng.choice([lo, hi, 0, 1, lo + 1, hi - 1]) for _ in range(n)]
    # Rarely a value PyTorch refuses to read as dt.
    if n and rng.random() < 0.02:
        v[rng.randrange(n)] = rng.choice([hi + 1, lo - 1 if lo else 256 * (hi + 1), 2 ** 63, -2 ** 63 - 1, 2 ** 64])
    return v


def gen_values(rng, n, dtname):
    dt = DTYPES[dtname]
    if dtname == 'bool':
        return [rng.random() < 0.5 for _ in range(n)]
    if dtname in INTS:
        return gen_ints(rng, n, dt)
    if dtname in FLOATS:
        return gen_floats(rng, n, dt)
    part = torch.float32 if dtname == 'complex64' else torch.float64
    re_ = gen_floats(rng, n, part)
    im = gen_floats(rng, n, part) if rng.random() < 0.8 else [0.0] * n
    if rng.random() < 0.8:   # keep non-finite complex values rare
        re_ = [a if math.isfinite(a) else 1.5 for a in re_]
        im = [b if math.isfinite(b) else -2.0 for b in im]
    return [complex(a, b) for a, b in zip(re_, im)]


def nest(flat, shape):
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return list(flat)
    step = len(flat) // shape[0] if shape[0] else 0
    if step == 0:
        # Some later dim is 0: build the nesting from the shape alone.
        return [nest([], shape[1:]) for _ in range(shape[0])]
    return [nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def fmt_float(v):
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return repr(v)


def fmt_complex(c):
    sign = '-' if math.copysign(1.0, c.imag) < 0 else '+'
    im = abs(c.imag) if not math.isnan(c.imag) else c.imag
    return '%s%s%sj' % (fmt_float(c.real), sign, fmt_float(im))


def fmt_scalar(v, csv):
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        s = fmt_float(v)
        return s if (csv or math.isfinite(v)) else '"%s"' % s
    s = fmt_complex(v)
    return s if csv else '"%s"' % s


def to_json(obj, rng):
    if isinstance(obj, list):
        sep = rng.choice([',', ', ', ',\n '])
        return '[' + sep.join(to_json(o, rng) for o in obj) + ']'
    return fmt_scalar(obj, False)


def to_csv(nested, ndim, rng, args, tags, c):
    """CSV text, with the variations SPEC.md allows: CRLF, spaces around
    fields, RFC 4180 quotes, blank and # lines, a header row, tabs."""
    rows = [nested] if ndim == 1 else nested
    if rng.random() < 0.7:
        return ''.join(','.join(fmt_scalar(v, True) for v in row) + '\n' for row in rows)
    tags.add('csv-variant')
    delim = ','
    if rng.random() < 0.25:
        delim = '\t'
        args += ['--delimiter', rng.choice(['\\t', '\t'])]
    elif rng.random() < 0.15:
        delim = ';'
        args += ['--delimiter', ';']
    c['delim'] = delim   # tcum's CSV output uses --delimiter too
    eol = rng.choice(['\n', '\r\n'])
    lines = []
    if rng.random() < 0.3:
        lines.append('# ' + rng.choice(['generated', 'a, b, c', '1,2,3']))
    # A header makes a table (real-tables issue): one data row stays 1 x N and CSV
    # output carries the header, which this reference does not model; so a header
    # only over two rows or more, and with no CSV output (see the caller).
    if ndim == 2 and len(rows) >= 2 and c.get('outfmt') is None and rng.random() < 0.3:
        lines.append(delim.join('col%d' % k for k in range(len(rows[0]))))
        c['csv_header'] = True
    for row in rows:
        fields = []
        for v in row:
            t = fmt_scalar(v, True)
            if rng.random() < 0.1:
                t = '"%s"' % t
            if delim != '\t' and rng.random() < 0.2:
                t = ' ' * rng.randint(1, 2) + t + ' ' * rng.randint(0, 2)
            fields.append(t)
        lines.append(delim.join(fields))
        if rng.random() < 0.05:
            lines.append('')
    return eol.join(lines) + (eol if rng.random() < 0.9 else '')


def gen_ac_case(rng, c, dtypes):
    """tcum assert-close A B: two npy files and torch.testing.assert_close."""
    shape = gen_shape(rng)
    numel = math.prod(shape) if shape else 1
    names = [d for d in dtypes if d != 'bfloat16'] or ['float32']   # npy has no bfloat16
    da = rng.choice(names)
    vals = gen_values(rng, numel, da)
    if da in INTS:
        info = torch.iinfo(DTYPES[da])
        vals = [min(max(v, info.min), info.max) for v in vals]
    a = torch.tensor(vals, dtype=DTYPES[da]).reshape(shape)
    b = a.clone()
    mode = rng.choice(['same', 'noise', 'few', 'dtype', 'nan', 'shape'])
    if mode == 'noise' and (a.is_floating_point() or a.is_complex()):
        b = a * (1 + rng.choice([1e-8, 1e-6, 1e-4, 1e-2]) * torch.randn(a.shape, dtype=torch.float64,
                 generator=torch.Generator().manual_seed(rng.randrange(2 ** 31)))).to(a.dtype)
    elif mode in ('few', 'noise') and numel:
        flat = b.reshape(-1)
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(numel)
            if b.dtype == torch.bool:
                flat[k] = not flat[k]
            elif b.is_floating_point() or b.is_complex():
                flat[k] = flat[k] + rng.choice([1e-3, 0.5, 100.0, math.inf])
            else:
                flat[k] = flat[k] + rng.choice([-1, 1, 5]) if b.dtype != torch.uint8 else (int(flat[k]) + 1) % 256
    elif mode == 'dtype':
        b = b.to(DTYPES[rng.choice(names)])
    elif mode == 'nan' and (a.is_floating_point() or a.is_complex()) and numel:
        b.reshape(-1)[rng.randrange(numel)] = math.nan
    elif mode == 'shape':
        b = torch.cat([b.reshape(-1), b.reshape(-1)[:1]]) if numel else b.reshape(1, 0)
    if rng.random() < 0.5:
        a, b = b, a
    kw = {'check_dtype': False}
    args = ['assert-close', '{A}', '{B}']
    if rng.random() < 0.3:
        kw['rtol'] = rng.choice([0.0, 1e-6, 1e-3, 0.1, 1.0])
        kw['atol'] = rng.choice([0.0, 1e-8, 1e-5, 0.01, 1.0])
        args += ['--rtol', repr(kw['rtol']), '--atol', repr(kw['atol'])]
    if rng.random() < 0.2:
        kw['equal_nan'] = True
        args.append('--equal-nan')
    if rng.random() < 0.15:
        kw['check_dtype'] = True
        args.append('--check-dtype')
    if rng.random() < 0.5:   # options before the files
        args = [args[0]] + args[3:] + args[1:3]
    c.update(args=args, ac=(a, b, kw), stdin=b'', files={'A': npy_bytes(a, rng), 'B': npy_bytes(b, rng)})
    c['tags'].add(mode)
    return c


def gen_case(seed, i, ops, mods_allowed, dtypes):
    rng = random.Random('%s:%d' % (seed, i))
    c = {'tags': set()}
    op = OPS_BY_NAME[rng.choice(ops)]
    c['op'] = op
    if op.kind == 'ac':
        return gen_ac_case(rng, c, dtypes)
    shape = gen_shape(rng)
    numel = math.prod(shape) if shape else 1
    src = rng.choice(dtypes)
    args = [op.name]
    default64 = False

    # How PyTorch receives the values: as typed (inference) or with dtype=.
    input_dtype = src
    cross = rng.random() < 0.05
    vals = gen_values(rng, numel, src)
    if cross:
        # Real values read as any dtype; complex ones only as complex
        # (torch.tensor's TypeError for complex -> real is Python's text).
        input_dtype = rng.choice(list(COMPLEX) if src in COMPLEX else list(DTYPES))
        c['tags'].add('cross-read')
    infer = {'bool': 'bool', 'int64': 'int64', 'float32': 'float32', 'complex64': 'complex64'}
    if not cross and src in infer and rng.random() < 0.5:
        input_dtype = None
    elif not cross and src in ('float64', 'complex128') and rng.random() < 0.4:
        input_dtype, default64 = None, True
    if rng.random() < 0.08 and not default64:
        default64 = True
    if default64:
        args += ['--default-dtype', 'float64']
    in_args = []
    if input_dtype is not None:
        in_args = ['--input-dtype', rng.choice([input_dtype] + ALIASES.get(input_dtype, []) + ['torch.' + input_dtype])]
    c['values'] = vals
    c['shape'] = shape
    c['input_dtype'] = DTYPES[input_dtype] if input_dtype else None
    c['default64'] = default64

    # Dim.
    nd = len(shape)
    lo, hi = (-1, 0) if nd == 0 else (-nd, nd - 1)
    dim = None
    want_dim = op.dim == 'required' or (op.dim in ('optional', 'last') and rng.random() < 0.6)
    if want_dim:
        if rng.random() < 0.07:
            dim = rng.choice([hi + 1, lo - 1, hi + 3])
            c['tags'].add('bad-dim')
        else:
            dim = rng.randint(lo, hi)
        args += [rng.choice(['--dim', '-d']), str(dim)]
    c['dim'] = dim

    # --dtype.
    dtype = None
    if op.kind != 'show' or rng.random() < 0.5:
        if rng.random() < 0.25:
            dn = rng.choice(list(DTYPES))
            dtype = DTYPES[dn]
            args += ['--dtype', rng.choice([dn] + ALIASES.get(dn, []))]
    c['dtype'] = dtype

    # Op arguments and modifiers.
    c['keepdim'] = False
    if op.kind in ('reduce', 'minmax') and dim is not None and rng.random() < 0.4:
        c['keepdim'] = True
        args.append('--keepdim')
    c['n'] = 1
    if op.kind == 'diff' and rng.random() < 0.4:
        c['n'] = rng.choice([0, 1, 2, 3])
        args += ['-n', str(c['n'])]
    c['dx'] = 1.0
    if op.kind == 'trapz' and rng.random() < 0.5:
        c['dx'] = rng.choice([0.5, 2.0, 0.1, -1.0, 3.0])
        args += ['--dx', repr(c['dx'])]
    mods = set()
    for m in sorted(op.mods & mods_allowed):
        if rng.random() < 0.25:
            mods.add(m)
    if {'exclusive', 'include-initial'} <= mods:
        mods.discard(rng.choice(['exclusive', 'include-initial']))
    c['gout_seed'] = None
    if op.grad and 'grad' in mods_allowed and rng.random() < 0.15:
        mods.add('grad')
        if rng.random() < 0.3:
            # --grad-output FILE: the upstream gradient, small integers
            # (exact in every float dtype), drawn once the result's shape
            # is known.
            c['gout_seed'] = rng.random()
            c['tags'].add('grad-output')
    c['mods'] = mods
    for m in sorted(mods):
        args.append('--' + m)
        c['tags'].add(m)

    # Print options.
    po = {}
    if rng.random() < 0.35:
        for _ in range(rng.randint(1, 3)):
            k = rng.choice(['precision', 'threshold', 'edgeitems', 'linewidth', 'sci_mode', 'profile'])
            if k == 'precision':
                po[k] = rng.randint(0, 10)
            elif k == 'threshold':
                po[k] = rng.choice([3, 10, 50, 1000, math.inf])
            elif k == 'edgeitems':
                po[k] = rng.randint(0, 5)
            elif k == 'linewidth':
                po[k] = rng.randint(20, 160)
            elif k == 'sci_mode':
                po[k] = rng.choice([None, True, False])
            else:
                po[k] = rng.choice(['default', 'short', 'full'])
        for k, v in po.items():
            if k == 'sci_mode':
                args += ['--sci-mode', {None: 'auto', True: 'on', False: 'off'}[v]]
            elif k == 'threshold' and v == math.inf:
                args += ['--threshold', 'inf']
            else:
                args += ['--' + k, str(v)]
        c['tags'].add('printopts')
    c['po'] = po

    # Output format: the PyTorch print mostly; sometimes csv or json, whose
    # number text SPEC.md defines (shortest round-trip text).
    c['outfmt'] = None
    c['select'] = None
    r = rng.random()
    if r < 0.12:
        c['outfmt'] = rng.choice(['csv', 'json'])
        args += [rng.choice(['-f', '--format']), c['outfmt']]
        c['tags'].add('out-' + c['outfmt'])
        if op.two and rng.random() < 0.7:
            c['select'] = rng.choice(['values', 'indices'])
            args += ['--select', c['select']]
    elif op.two and r < 0.2:
        c['select'] = rng.choice(['values', 'indices'])
        args += ['--select', c['select']]
        c['tags'].add('select')

    # Input: JSON mostly; CSV for 1-D/2-D tables a CSV reader can't misread
    # as 1-D; npy bytes; or the PyTorch repr of the tensor.  npy and repr
    # carry their dtype, so --input-dtype is dropped for them.
    c['x'] = None
    fmt = rng.choices(['json', 'csv', 'npy', 'repr'], [60, 20, 10, 10])[0]
    if fmt == 'csv' and not ((nd == 1 and numel >= 2) or (nd == 2 and shape[0] >= 2 and shape[1] >= 2)):
        fmt = 'json'
    if fmt in ('npy', 'repr'):
        try:
            with printoptions(default_dtype=torch.float64 if default64 else None):
                x = torch.tensor(vals, dtype=c['input_dtype']).reshape(shape)
                if fmt == 'npy' and x.dtype == torch.bfloat16:
                    raise ValueError('npy has no bfloat16')
                if fmt == 'npy':
                    c['stdin'] = npy_bytes(x, rng)
                else:
                    c['stdin'], c['x'] = repr_text(x, rng)
                    x = None
            c['x'] = x if x is not None else c['x']
            in_args = []
            c['tags'].add(fmt)
        except TORCH_ERRORS:
            fmt = 'json'
    if fmt == 'csv':
        c['stdin'] = to_csv(nest(vals, shape), nd, rng, args, c['tags'], c)
        c['tags'].add('csv')
    elif fmt == 'json':
        c['stdin'] = to_json(nest(vals, shape), rng) + rng.choice(['\n', '', ' \n'])
        # Nested lists lose the dims after the first 0 ([[], []] is (2, 0)):
        # say the shape explicitly then.
        if 0 in shape and shape.index(0) < nd - 1:
            args += ['--shape', ','.join(map(str, shape))]
            c['tags'].add('--shape')
    args[1:1] = in_args

    # CSV in and CSV out is tcum's streaming path: give it more cases.
    if fmt == 'csv' and c['outfmt'] is None and not op.two and not c.get('csv_header') and \
            rng.random() < 0.3:
        c['outfmt'] = 'csv'
        args += ['-f', 'csv']
        c['tags'].add('out-csv')
    if isinstance(c['stdin'], str) and rng.random() < 0.03:
        c['stdin'] = '\ufeff' + c['stdin']   # a UTF-8 BOM is skipped
        c['tags'].add('bom')

    # FILE placed before or after the options: "-" (stdin), or sometimes a
    # real file, written when the case runs.
    infile = '-'
    if rng.random() < 0.15:
        infile = '{IN}'
        c['infile'] = {'csv': '.csv', 'json': '.json', 'npy': '.npy'}.get(fmt, '.txt')
        c['tags'].add('file')
    if rng.random() < 0.3:
        args.insert(1, infile)
    else:
        args.append(infile)
    c['args'] = args
    return c


def npy_bytes(x, rng):
    """np.save of x, sometimes Fortran-ordered or big-endian."""
    import io
    a = x.numpy()
    if a.ndim >= 2 and rng.random() < 0.3:
        a = np.asfortranarray(a)
    if a.dtype.itemsize > 1 and rng.random() < 0.3:
        a = a.astype(a.dtype.newbyteorder('>'))
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue()


def _repr_tensor(data, dtype=None, size=None):
    t = torch.tensor(data, dtype=dtype)
    return t.reshape(size) if size is not None else t


def repr_text(x, rng):
    """x as PyTorch prints it (never summarized), and the tensor that text means."""
    po = dict(profile='full', precision=rng.choice([4, 4, 2, 8, 10]),
              linewidth=rng.choice([80, 40, 200]), sci_mode=rng.choice([None, None, True, False]))
    with printoptions(default_dtype=torch.get_default_dtype(), **po):
        text = torch_print(x)
    env = {'tensor': _repr_tensor, 'torch': torch, 'nan': math.nan, 'inf': math.inf}
    # The printed text is Python, but Python's arithmetic in "-0.+2.j" or
    # "2.-0.j" loses the zero's sign and "nanj" is no literal: read each
    # complex element with complex() instead.
    src = re.sub(r'(-?(?:[0-9.]+(?:e[-+][0-9]+)?|nan|inf))([-+](?:[0-9.]+(?:e[-+][0-9]+)?|nan|inf))j',
                 r'complex("\1\2j")', text) if x.is_complex() else text
    return text, eval(src, env)



# ---------------------------------------------------------------- output formats
#
# SPEC.md: numbers as the shortest text that reads back to the same value of
# the dtype: Python's repr for float64, NumPy's repr for float32/float16;
# complex "RE+IMj" with both parts and no ".0"; nan, inf, -inf; true/false.
# bfloat16 has no reference implementation: its finite values are checked by
# reading the text back (a regular expression stands for them).

BF16 = '\x00BF16\x00'


def num_text(v, dt):
    if dt == torch.bool:
        return 'true' if v else 'false'
    if not (dt.is_floating_point or dt.is_complex):
        return str(int(v))
    if dt.is_complex:
        part = torch.float32 if dt == torch.complex64 else torch.float64

        def p(f):
            t = num_text(f, part)
            return t[:-2] if t.endswith('.0') else t
        im = v.imag
        sign = '-' if (math.copysign(1.0, im) < 0 and not math.isnan(im)) else '+'
        return p(v.real) + sign + p(abs(im) if not math.isnan(im) else im) + 'j'
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    if dt == torch.float64:
        return repr(float(v))
    if dt == torch.float32:
        return repr(np.float32(v)).replace('np.float32(', '').rstrip(')')
    if dt == torch.float16:
        return repr(np.float16(v)).replace('np.float16(', '').rstrip(')')
    return BF16


def _json_data(v, dt):
    if isinstance(v, list):
        return '[' + ', '.join(_json_data(x, dt) for x in v) + ']'
    s = num_text(v, dt)
    if dt.is_complex or s in ('nan', 'inf', '-inf'):
        s = '"%s"' % s
    return s


def _json_tensor(t):
    return '{"dtype": "%s", "shape": [%s], "data": %s}' % (
        DTYPE_NAMES[t.dtype], ', '.join(str(d) for d in t.shape), _json_data(t.tolist(), t.dtype))


def format_result(r, fmt, select, delim=','):
    bf = []
    if isinstance(r, tuple):
        if select:
            r = r.values if select == 'values' else r.indices
        elif fmt == 'json':
            for t in r:
                if t.dtype == torch.bfloat16:
                    bf += [v for v in t.flatten().tolist() if math.isfinite(v)]
            return Expect('{"values": %s, "indices": %s}\n' % (_json_tensor(r.values), _json_tensor(r.indices)), bf)
        else:
            raise TcumError('csv needs --select')
    elif select:
        raise TcumError('--select of a one-result op')
    if r.dtype == torch.bfloat16:
        bf = [v for v in r.flatten().tolist() if math.isfinite(v)]
    if fmt == 'json':
        return Expect(_json_tensor(r) + '\n', bf)
    if r.dim() > 2:
        raise TcumError('csv of more than 2 dims')
    vals = r.tolist()
    rows = [[vals]] if r.dim() == 0 else [vals] if r.dim() == 1 else vals
    return Expect(''.join(delim.join(num_text(v, r.dtype) for v in row) + '\n' for row in rows), bf)


class Expect(str):
    """Expected text; BF16 marks stand for bfloat16 values (self.bf, in order)."""
    def __new__(cls, text, bf):
        o = str.__new__(cls, text)
        o.bf = bf
        return o


def out_matches(want, out):
    if BF16 not in want:
        return out == want
    pieces = want.split(BF16)
    pat = '([-+.0-9e]+)'.join(re.escape(p) for p in pieces)
    m = re.fullmatch(pat, out, re.S)
    if not m:
        return False
    for tok, v in zip(m.groups(), want.bf):
        f = torch.tensor(float(tok), dtype=torch.float64).to(torch.float32).to(torch.bfloat16).item()
        if f != v or math.copysign(1, f) != math.copysign(1, v):
            return False
    return True


# ---------------------------------------------------------------- reference

def reference(c):
    """('out', text) | ('err', message) | ('tcum-err', None); raises Skip."""
    if 'ac' in c:
        a, b, kw = c['ac']
        try:
            torch.testing.assert_close(a, b, **kw)
            return ('out', '', None)
        except AssertionError as e:
            return ('out1', str(e) + '\n', None)
        except ValueError as e:
            return ('err', str(e).split('\n')[0], None)
    kw = dict(c['po'])
    if c['default64']:
        kw['default_dtype'] = torch.float64
    with printoptions(**kw):
        if c['x'] is not None:
            x = c['x']
        else:
            try:
                x = torch.tensor(c['values'], dtype=c['input_dtype']).reshape(c['shape'])
            except TORCH_ERRORS as e:
                return ('err', str(e).split('\n')[0], type(e).__name__)
        try:
            r = compute(c, x)
            if c['outfmt']:
                return ('out', format_result(r, c['outfmt'], c['select'], c.get('delim', ',')), None)
            if c['select']:
                if not isinstance(r, tuple):
                    raise TcumError('--select of a one-result op')
                r = r.values if c['select'] == 'values' else r.indices
            text = torch_print(r)
        except TcumError:
            return ('tcum-err', None, None)
        except TORCH_ERRORS as e:
            return ('err', str(e).split('\n')[0], type(e).__name__)
        return ('out', text, None)


# ---------------------------------------------------------------- the reference server
#
# The case goes to the server as plain Python data (no torch objects, so
# the two interpreters need not share a PyTorch): pickled, one request and
# one answer at a time over the server's stdin and stdout.

def tensor_plain(t):
    return (DTYPE_NAMES[t.dtype], list(t.shape), t.reshape(-1).tolist())


def tensor_from(p):
    dt, shape, vals = p
    return torch.tensor(vals, dtype=DTYPES[dt]).reshape(shape)


PLAIN_KEYS = ('dim', 'mods', 'keepdim', 'n', 'dx', 'gout_seed', 'po', 'default64', 'outfmt',
              'select', 'values', 'shape', 'delim')


def plain_case(c):
    p = {k: c[k] for k in PLAIN_KEYS if k in c}
    p['op'] = c['op'].name
    for k in ('dtype', 'input_dtype'):
        p[k] = DTYPE_NAMES[c[k]] if c.get(k) is not None else None
    p['x'] = tensor_plain(c['x']) if c.get('x') is not None else None
    if 'ac' in c:
        a, b, kw = c['ac']
        p['ac'] = (tensor_plain(a), tensor_plain(b), kw)
    return p


def case_from(p):
    c = dict(p)
    c['op'] = OPS_BY_NAME[p['op']]
    c['tags'] = set()
    for k in ('dtype', 'input_dtype'):
        c[k] = DTYPES[p[k]] if p.get(k) is not None else None
    c['x'] = tensor_from(p['x']) if p.get('x') is not None else None
    if 'ac' in p:
        a, b, kw = p['ac']
        c['ac'] = (tensor_from(a), tensor_from(b), kw)
    return c


def serve():
    """Answer reference requests on stdin until it closes."""
    import pickle
    import traceback
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            p = pickle.load(inp)
        except EOFError:
            return 0
        c = case_from(p)
        try:
            kind, want, etype = reference(c)
            ans = ('ok', kind, None if want is None else str(want), getattr(want, 'bf', None), etype,
                   c.get('gout_text'))
        except Skip as e:
            ans = ('skip', str(e))
        except Exception:   # a bug in the reference: report it, keep serving
            ans = ('crash', traceback.format_exc())
        pickle.dump(ans, out, protocol=4)
        out.flush()


class Server:
    """A reference server under PyTorch `version`."""

    def __init__(self, version, chroot):
        me = os.path.abspath(__file__)
        if version == '1.13':
            cmd = ['/usr/bin/python3', me, '--serve']
        else:
            cmd = ['chroot', chroot, 'python3', me, '--serve']
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def call(self, c):
        import pickle
        pickle.dump(plain_case(c), self.p.stdin, protocol=4)
        self.p.stdin.flush()
        ans = pickle.load(self.p.stdout)
        if ans[0] == 'skip':
            raise Skip(ans[1])
        if ans[0] == 'crash':
            raise RuntimeError('reference server:\n' + ans[1])
        _, kind, want, bf, etype, gout = ans
        if gout is not None:
            c['gout_text'] = gout
        if bf is not None:
            want = Expect(want, bf)
        return kind, want, etype

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def err_matches(msg, stderr):
    pat = r'tcum: (?:[^\n]*?:\d+:\d+: )?' + re.escape(msg) + r'(?: \([^\n]*\))?\n'
    return re.fullmatch(pat, stderr) is not None


def run_tcum(tcum, args, stdin, timeout, env_version=None):
    if isinstance(stdin, str):
        stdin = stdin.encode()
    env = dict(os.environ, LC_ALL='C')
    env.pop('TCUM_TORCH_VERSION', None)
    if env_version:
        env['TCUM_TORCH_VERSION'] = env_version
    try:
        p = subprocess.run([tcum] + args, input=stdin, capture_output=True,
                           timeout=timeout, env=env)
        return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')
    except subprocess.TimeoutExpired:
        return 'timeout', '', ''


def category(c):
    op = c['op'].name
    src = DTYPE_NAMES.get(c.get('input_dtype')) or 'inferred'
    extra = sorted(t for t in c['tags'] if t not in ('printopts', 'csv'))
    return ' '.join([op, src] + extra)


def show(label, text, limit):
    if len(text) > limit:
        text = text[:limit] + '\n... (%d more characters; use -v)\n' % (len(text) - limit)
    print('--- %s' % label)
    sys.stdout.write(text if text.endswith('\n') or not text else text + '\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n', type=int, default=500, help='number of cases')
    ap.add_argument('--seed', default=None, help='run seed (default: from the clock)')
    ap.add_argument('--case', type=int, action='append', help='run only case I (repeatable)')
    ap.add_argument('--tcum', default='./tcum')
    ap.add_argument('--torch-version', default='2.6', choices=('2.6', '1.13'),
                    help='the PyTorch to compare with (default 2.6, tcum\'s default)')
    ap.add_argument('--chroot', default=os.environ.get('TCUM_CHROOT', '/work/chroot/trixie'),
                    help='the Debian 13 chroot that runs PyTorch 2.6')
    ap.add_argument('--ops', default=DEFAULT_OPS, help='comma list, or "all" (%s)' % ','.join(OPS_BY_NAME))
    ap.add_argument('--mods', default='all', help='allowed modifiers: comma list of %s, "all" or "none"' % ','.join(ALL_MODS))
    ap.add_argument('--dtypes', default='all', help='input dtypes to draw from')
    ap.add_argument('--max-show', type=int, default=10, help='print details of the first K failures')
    ap.add_argument('--timeout', type=float, default=20)
    ap.add_argument('-v', '--verbose', action='store_true')
    ap.add_argument('--serve', action='store_true', help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.serve:
        return serve()

    seed = a.seed if a.seed is not None else str(int(time.time()) % 1000000)
    ops = list(OPS_BY_NAME) if a.ops == 'all' else a.ops.split(',')
    for o in ops:
        if o not in OPS_BY_NAME:
            ap.error('unknown op %s' % o)
    mods = set(ALL_MODS) if a.mods == 'all' else set() if a.mods == 'none' else set(a.mods.split(','))
    if mods - set(ALL_MODS):
        ap.error('unknown modifier %s' % ','.join(mods - set(ALL_MODS)))
    dtypes = list(DTYPES) if a.dtypes == 'all' else a.dtypes.split(',')
    for d in dtypes:
        if d not in DTYPES:
            ap.error('unknown dtype %s' % d)
    if not os.path.exists(a.tcum):
        ap.error('no %s (build it first)' % a.tcum)
    tcum = os.path.abspath(a.tcum)
    me = 'testdata/fuzz_torch.py'
    version = a.torch_version
    print('fuzz_torch: PyTorch %s, seed %s, %s cases, ops %s' %
          (version, seed, len(a.case) if a.case else a.n, ','.join(ops)))
    sys.stdout.flush()
    server = Server(version, a.chroot)

    cases = a.case if a.case else range(a.n)
    import tempfile
    gdir = tempfile.mkdtemp(prefix='fuzz_torch.')
    npass = nfail = nskip = 0
    cats = {}
    per_op = {}     # op (and --grad) -> [passed, ran]
    limit = 1 << 30 if a.verbose else 2000
    for i in cases:
        c = gen_case(seed, i, ops, mods, dtypes)
        try:
            kind, want, _etype = server.call(c)
        except Skip:
            nskip += 1
            continue
        if c.get('gout_text'):
            gpath = os.path.join(gdir, 'gout.json')
            with open(gpath, 'w') as f:
                f.write(c['gout_text'])
            c['args'] += ['--grad-output', gpath]
        if c.get('infile'):
            c['files'] = {'IN': c['stdin']}
            c['stdin'] = b''
        if c.get('files'):
            paths = {}
            for k, data in c['files'].items():
                paths['{%s}' % k] = os.path.join(gdir, k + c.get('infile', '.npy'))
                with open(paths['{%s}' % k], 'wb') as f:
                    f.write(data.encode() if isinstance(data, str) else data)
            c['args'] = [paths.get(x, x) for x in c['args']]
        # The version: TCUM_TORCH_VERSION mostly, sometimes the flag, which
        # wins over an environment saying the other one.
        vr = random.Random('%s:%d:version' % (seed, i))
        env_version = version
        if vr.random() < 0.1:
            c['args'] = c['args'][:1] + ['--torch-version', version] + c['args'][1:]
            env_version = vr.choice([None, '2.6' if version == '1.13' else '1.13'])
        status, out, err = run_tcum(tcum, c['args'], c['stdin'], a.timeout, env_version)
        if kind == 'out':
            ok = status == 0 and out_matches(want, out) and err == ''
        elif kind == 'out1':
            ok = status == 1 and out == want and err == ''
        elif kind == 'err':
            ok = status == 2 and out == '' and err_matches(want, err)
        else:
            ok = status == 2 and out == '' and re.fullmatch(r'tcum: [^\n]+\n', err) is not None
        opname = c['op'].name + (' --grad' if '--grad' in c['args'] else '')
        tally = per_op.setdefault(opname, [0, 0])
        tally[1] += 1
        if ok:
            npass += 1
            tally[0] += 1
            continue
        nfail += 1
        cat = category(c)
        cats[cat] = cats.get(cat, 0) + 1
        if nfail <= a.max_show or a.verbose:
            print('=' * 72)
            print('FAIL case %d [%s]' % (i, cat))
            print('$ %stcum %s' % ('TCUM_TORCH_VERSION=%s ' % env_version if env_version else '',
                                   ' '.join(shlex.quote(s) for s in c['args'][:])))
            if c.get('ac'):
                print('--- A = %r\n--- B = %r' % (c['ac'][0], c['ac'][1]))
            else:
                data = c['files']['IN'] if c.get('infile') else c['stdin']
                label = 'input file {IN}' if c.get('infile') else 'stdin'
                if isinstance(data, bytes) and data.startswith(b'\x93NUMPY'):
                    print('--- %s (npy, %d bytes; header %r)' % (label, len(data), data[10:data.index(b'}') + 1]))
                    print(repr(c['x']))
                else:
                    show(label, data.decode() if isinstance(data, bytes) else data, limit)
            if kind in ('out', 'out1'):
                show('expected stdout (PyTorch %s), status %d' % (version, kind == 'out1'), want, limit)
            elif kind == 'err':
                print('--- expected error (PyTorch %s), status 2' % version)
                print('tcum: ' + want)
            else:
                print('--- expected: a tcum error, status 2')
            if c.get('gout_text'):
                show('grad-output file', c['gout_text'], limit)
            show('actual stdout (tcum), status %s' % status, out, limit)
            if err:
                show('actual stderr (tcum)', err, limit)
            print('reproduce: /usr/bin/python3 %s --torch-version %s --seed %s --case %d --ops %s --mods %s '
                  '--dtypes %s --tcum %s' % (me, version, seed, i, a.ops, a.mods, a.dtypes, a.tcum))
            sys.stdout.flush()
    server.close()
    import shutil
    shutil.rmtree(gdir, ignore_errors=True)
    if cats:
        print('=' * 72)
        print('mismatches by category (op input-dtype tags):')
        for k, v in sorted(cats.items(), key=lambda kv: -kv[1]):
            print('%6d  %s' % (v, k))
    print('per op (passed/ran), PyTorch %s:' % version)
    for k in sorted(per_op):
        print('    %-28s %d/%d' % (k, per_op[k][0], per_op[k][1]))
    ran = npass + nfail
    rate = 100.0 * npass / ran if ran else 100.0
    print('pass rate: %d/%d (%.2f%%), %d failed, %d skipped, PyTorch %s, seed %s' %
          (npass, ran, rate, nfail, nskip, version, seed))
    return 1 if nfail else 0


if __name__ == '__main__':
    sys.exit(main())
