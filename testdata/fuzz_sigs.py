#!/usr/bin/python3
"""Differential fuzzing of the rest of torch's signatures against PyTorch 2.6 and 1.13.

    /usr/bin/python3 testdata/fuzz_sigs.py --n 500 --tcum ./tcum [--seed S] [--version 2.6|1.13|both]

Draws random cases for what testdata/gen_sigs.py covers by hand: reductions
over lists of dims (sum, mean, amax, amin, logsumexp, nansum, nanmean) with
keepdim, dtype and grad; nansum/nanmean and NumPy's nanmax/nanmin/nanprod;
diff with prepend/append; cumulative_trapezoid with x; uint16/32/64 reads,
casts and ops (2.6); Fortran-order npy inputs.  tcum runs here; the truth
comes from a worker running this same script under each PyTorch
(/usr/bin/python3 for 1.13, the Debian 13 chroot's python3 for 2.6), which
prints what PyTorch (or NumPy) prints.  Reports the pass rate per feature
and version, and the first failures of each.
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CHROOT = '/work/chroot/trixie'

FEATURES = ['dims', 'nan', 'numpy', 'prepend', 'trapz_x', 'uint', 'fortran']


# ---------------------------------------------------------------- drawing (no torch needed)

def draw(rng, version):
    """One random case: a dict the worker can evaluate and the driver can run."""
    feat = rng.choice([f for f in FEATURES if not (f == 'uint' and version == '1.13')])
    nd = rng.randint(1, 4)
    shape = [rng.randint(0 if rng.random() < 0.05 else 1, 6) for _ in range(nd)]
    c = {'feature': feat, 'shape': shape, 'seed': rng.randrange(1 << 30), 'opts': {}}
    if rng.random() < 0.4:
        c['opts'] = {'precision': rng.choice([2, 6, 8, 10]), 'sci_mode': rng.choice([None, True, False])}
    if feat in ('dims', 'fortran'):
        c['op'] = rng.choice(['sum', 'mean', 'amax', 'amin', 'logsumexp', 'nansum', 'nanmean'] +
                             (['prod', 'nanprod', 'nanmax'] if feat == 'fortran' else []))
        c['dtype'] = rng.choice(['float32', 'float64', 'float16', 'bfloat16', 'complex64', 'int32'])
        k = rng.randint(1, nd)
        c['dims'] = rng.sample(range(-nd, nd), k) if rng.random() < 0.1 else rng.sample(range(nd), k)
        if rng.random() < 0.15:
            c['dims'] = None
        if c['op'] in ('prod', 'nanprod', 'nanmax') and c['dims'] is not None:
            c['dims'] = c['dims'][:1]
        c['keepdim'] = rng.random() < 0.3
        c['odtype'] = rng.choice([None, None, None, 'float64', 'float32', 'int64'])
        c['grad'] = feat == 'dims' and rng.random() < 0.25
        c['nan'] = 0.2 if 'nan' in c['op'] or rng.random() < 0.1 else 0
        c['fortran'] = feat == 'fortran'
    elif feat == 'nan':
        c['op'] = rng.choice(['nansum', 'nanmean'])
        c['dtype'] = rng.choice(['float32', 'float64', 'float16', 'bfloat16', 'int64', 'bool'])
        c['dims'] = None if rng.random() < 0.3 else [rng.randrange(nd)]
        c['keepdim'] = rng.random() < 0.3
        c['odtype'] = rng.choice([None, None, 'float64', 'float16'])
        c['grad'] = rng.random() < 0.3
        c['nan'] = rng.choice([0.1, 0.5, 1.0])
    elif feat == 'numpy':
        c['op'] = rng.choice(['nanmax', 'nanmin', 'nanprod'])
        c['dtype'] = rng.choice(['float32', 'float64', 'float16', 'complex64', 'complex128', 'int32', 'uint8', 'bool'])
        c['dims'] = None if rng.random() < 0.3 else [rng.randrange(nd)]
        c['keepdim'] = rng.random() < 0.3
        c['odtype'] = rng.choice([None, None, None, 'float64', 'int32']) if c['op'] == 'nanprod' else None
        c['nan'] = rng.choice([0.0, 0.2, 0.6])
        c['fortran'] = rng.random() < 0.3
    elif feat == 'prepend':
        c['op'] = 'diff'
        c['dtype'] = rng.choice(['float32', 'float64', 'int64', 'int8', 'bool', 'float16', 'complex64'])
        c['dim'] = rng.randrange(-nd, nd)
        c['n'] = rng.choice([1, 1, 2, 3, 0])
        c['pre'] = rng.random() < 0.7
        c['app'] = rng.random() < 0.5 or not c['pre']
        c['pdtype'] = rng.choice([c['dtype'], c['dtype'], 'float32', 'int32', 'float64'])
        c['plen'] = [rng.randint(0, 3), rng.randint(0, 3)]
        c['grad'] = rng.random() < 0.25 and c['dtype'].startswith('float')
    elif feat == 'trapz_x':
        c['op'] = 'cumulative_trapezoid'
        c['dtype'] = rng.choice(['float32', 'float64', 'int64', 'float16'])
        c['dim'] = rng.randrange(-nd, nd)
        c['xkind'] = rng.choice(['1d', '1d', 'full', 'row', 'pad'])
        c['xdtype'] = rng.choice(['float32', 'float64', 'int64'])
        c['grad'] = rng.random() < 0.25 and c['dtype'].startswith('float')
    else:  # uint
        c['dtype'] = rng.choice(['uint16', 'uint32', 'uint64'])
        c['op'] = rng.choice(['show', 'cumsum', 'cumprod', 'sum', 'prod', 'nansum', 'logsumexp', 'cast', 'cast',
                              'cummax', 'amax', 'mean', 'diff', 'nanmax', 'nanprod'])
        c['dims'] = None if rng.random() < 0.4 else [rng.randrange(nd)]
        if c['op'] in ('cumsum', 'cumprod', 'cummax') and c['dims'] is None:
            c['dims'] = [0]       # the scans need a dim
        c['src'] = rng.choice(['float32', 'float64', 'float16', 'int64', 'int8', 'complex64', 'uint16'])
    return c


# ---------------------------------------------------------------- the worker (torch, numpy)

def worker():
    import numpy as np
    import torch
    import io
    import warnings
    warnings.simplefilter('ignore')
    old = torch.__version__.startswith('1.')
    DT = {n: getattr(torch, n) for n in ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16',
                                         'float32', 'float64', 'complex64', 'complex128'] +
          ([] if old else ['uint16', 'uint32', 'uint64'])}

    def values(c, shape, dtype, scale=10.0, nan=0.0):
        rs = np.random.RandomState(c['seed'] + len(shape) * 7 + scale.__hash__() % 97)
        a = rs.standard_normal(shape) * scale
        if dtype.startswith('complex'):
            a = a + 1j * rs.standard_normal(shape) * scale
        if dtype in ('bool',):
            a = rs.rand(*shape) < 0.5
        elif dtype.startswith('int') or dtype.startswith('uint'):
            a = rs.randint(0 if dtype.startswith('uint') else -50, 50, size=shape)
        t = torch.from_numpy(np.asarray(a))
        t = t.to(DT[dtype]) if dtype in DT else t
        if nan and (t.is_floating_point() or t.is_complex()) and t.numel():
            m = torch.from_numpy(rs.rand(*shape) < nan)
            t = t.masked_fill(m, float('nan'))
        return t

    def show(r, opts):
        torch.set_printoptions(precision=opts.get('precision', 4), sci_mode=opts.get('sci_mode'))
        buf = io.StringIO()
        print(r, file=buf)
        torch.set_printoptions(precision=4, sci_mode=None)
        return buf.getvalue()

    def np_res(r):
        a = np.array(np.asarray(r), copy=True, order='C')
        if a.dtype == np.uint64 and old:
            raise KeyError('skip')
        return torch.from_numpy(a)

    def evaluate(c):
        d = DT[c['dtype']] if c['dtype'] in DT else None
        x = values(c, c['shape'], c['dtype'], nan=c.get('nan', 0))
        inputs = {'x': x}
        op = c['op']
        dims = c.get('dims')
        kd = c.get('keepdim', False)
        od = DT.get(c.get('odtype')) if c.get('odtype') else None
        if c['feature'] in ('dims', 'fortran', 'nan'):
            if c.get('fortran'):
                x = torch.from_numpy(np.asfortranarray(x.numpy())) if x.dtype != torch.bfloat16 else x
                inputs['x'] = x
            if op in ('nanprod', 'nanmax'):
                kw = {'axis': dims[0] if dims else None, 'keepdims': kd}
                if od is not None and op == 'nanprod':
                    kw['dtype'] = str(od).replace('torch.', '')
                if x.dtype == torch.bfloat16:
                    raise KeyError('skip')
                a = x.numpy() if od is None or op == 'nanprod' else x.to(od).numpy()
                return inputs, lambda: np_res(getattr(np, op)(np.asfortranarray(a) if c.get('fortran') else a, **kw))
            f = getattr(torch, op)
            has_dtype_arg = op in ('sum', 'mean', 'nansum', 'nanmean', 'prod')
            kw = {'dtype': od} if od is not None and has_dtype_arg else {}
            cast = od if od is not None and not has_dtype_arg else None
            xx = x

            def run(t):
                if cast is not None:
                    t = t.to(cast)      # --dtype of an op without dtype=: op(x.to(dtype))
                if dims is None:
                    if kd:
                        # tcum's --keepdim without --dim: every dim (amax, amin: dim=(), as gen_reduce has it)
                        return f(t, () if op in ('amax', 'amin') else list(range(t.dim())), keepdim=True, **kw)
                    if op == 'logsumexp':
                        return f(t, list(range(t.dim())) if t.dim() else 0, **kw)
                    return f(t, **kw)
                if op == 'prod':
                    return f(t, dims[0], keepdim=kd, **kw)
                return f(t, tuple(dims), keepdim=kd, **kw)
            if dims is None and kd and op == 'prod':
                raise KeyError('skip')
            if c.get('grad'):
                def g():
                    leaf = xx.clone()
                    if not (xx.is_floating_point() or xx.is_complex()):
                        # tcum's leaf: x.to(dtype) when --dtype makes an integer input float
                        if od is None or not (od.is_floating_point or od.is_complex):
                            raise RuntimeError('Only Tensors of floating point and complex dtype can require gradients')
                        leaf = xx.to(od)
                    leaf.requires_grad_(True)
                    run(leaf).sum().backward()
                    return leaf.grad
                return inputs, g
            return inputs, lambda: run(xx)
        if c['feature'] == 'numpy':
            a = x.numpy()
            if c.get('fortran'):
                a = np.asfortranarray(a)
                inputs['x'] = torch.from_numpy(a)
            kw = {'axis': dims[0] if dims else None, 'keepdims': kd}
            if od is not None:
                kw['dtype'] = str(od).replace('torch.', '')
            return inputs, lambda: np_res(getattr(np, op)(a, **kw))
        if c['feature'] == 'prepend':
            dim = c['dim']
            nd = x.dim()
            wd = dim % nd
            kw = {}
            for key, flag, ln in (('prepend', c['pre'], c['plen'][0]), ('append', c['app'], c['plen'][1])):
                if flag:
                    s = list(x.shape)
                    s[wd] = ln
                    inputs[key] = values(c, s, c['pdtype'], scale=3.0 + ln)
                    kw[key] = inputs[key]
            if c.get('grad'):
                def g():
                    leaf = x.clone().requires_grad_(True)
                    torch.diff(leaf, n=c['n'], dim=dim, **kw).sum().backward()
                    return leaf.grad
                return inputs, g
            return inputs, lambda: torch.diff(x, n=c['n'], dim=dim, **kw)
        if c['feature'] == 'trapz_x':
            dim = c['dim']
            nd = x.dim()
            wd = dim % nd
            n = x.shape[wd]
            if c['xkind'] == '1d':
                s = [n]
            elif c['xkind'] == 'full':
                s = list(x.shape)
            elif c['xkind'] == 'row':
                s = [1] * nd
                s[wd] = n
            else:
                s = list(x.shape)[max(0, wd):] or [n]
            xs = values(c, s, c['xdtype'], scale=2.0).abs().cumsum(-1) if s[-1] else values(c, s, c['xdtype'])
            if c['xdtype'].startswith('int'):
                xs = xs.to(DT[c['xdtype']])
            inputs['xs'] = xs
            if c.get('grad'):
                def g():
                    leaf = x.clone().requires_grad_(True)
                    torch.cumulative_trapezoid(leaf, xs, dim=dim).sum().backward()
                    return leaf.grad
                return inputs, g
            return inputs, lambda: torch.cumulative_trapezoid(x, xs, dim=dim)
        # uint
        if op == 'cast':
            src = values(c, c['shape'], c['src'], scale=1e5)
            inputs['x'] = src
            return inputs, lambda: src.to(d)
        if op == 'show':
            return inputs, lambda: x
        dd = dims[0] if dims else None
        if op == 'logsumexp' and dd is None:
            return inputs, lambda: torch.logsumexp(x, list(range(x.dim())))
        if op in ('nanmax', 'nanprod'):
            return inputs, lambda: np_res(getattr(np, op)(x.numpy(), axis=dd))
        f = getattr(torch, op)
        if op in ('cumsum', 'cumprod', 'cummax'):
            dd = dd if dd is not None else 0
            return inputs, lambda: f(x, dd)
        if op == 'diff':
            return inputs, lambda: f(x, dim=dd if dd is not None else -1)
        return inputs, lambda: f(x, dd) if dd is not None else f(x)

    def obj(t):
        def num(v):
            if isinstance(v, bool):
                return v
            if isinstance(v, complex):
                return '%r%s%rj' % (v.real, '+' if v.imag >= 0 or math.isnan(v.imag) else '-', abs(v.imag))
            if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
                return 'nan' if math.isnan(v) else ('inf' if v > 0 else '-inf')
            return v
        tt = t.to(torch.float32) if t.dtype == torch.bfloat16 else t
        data = [num(v) for v in (tt.reshape(-1).tolist() if tt.dim() else [tt.item()])]
        return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': data}

    out = []
    for c in json.load(sys.stdin):
        try:
            inputs, fn = evaluate(c)
        except KeyError:
            out.append({'skip': True})
            continue
        rec = {'inputs': {k: obj(v) for k, v in inputs.items()},
               'fortran': bool(inputs['x'].dim() > 1 and not inputs['x'].is_contiguous())}
        try:
            r = fn()
            rec['stdout'] = show(r, c['opts'])
        except KeyError:
            rec = {'skip': True}
        except Exception as e:
            rec['error'] = str(e).split('\n')[0]
        out.append(rec)
    json.dump(out, sys.stdout)


# ---------------------------------------------------------------- the driver

def write_npy(path, obj, fortran):
    import struct
    import numpy as np
    a = np.array(obj['data'], dtype={'bool': '?', 'uint8': 'u1', 'int8': 'i1', 'int16': 'i2', 'int32': 'i4',
                                      'int64': 'i8', 'uint16': 'u2', 'uint32': 'u4', 'uint64': 'u8', 'float16': 'f2',
                                      'float32': 'f4', 'float64': 'f8', 'complex64': 'c8', 'complex128': 'c16'}[obj['dtype']])
    a = a.reshape(obj['shape'])
    hdr = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        a.dtype.str, fortran, '(%s)' % ''.join('%d, ' % s for s in a.shape))
    hdr += ' ' * ((64 - (10 + len(hdr) + 1) % 64) % 64) + '\n'
    with open(path, 'wb') as f:
        f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(hdr)) + hdr.encode() + a.tobytes(order='F' if fortran else 'C'))


def tcum_args(c, files):
    a = [c['op'] if c['op'] != 'cast' else 'show']
    dims = c.get('dims')
    if c['feature'] in ('prepend', 'trapz_x'):
        a += ['--dim', str(c['dim'])]
    elif dims is not None:
        a += ['--dim', ','.join(map(str, dims)) + (',' if c['feature'] in ('dims', 'fortran') and len(dims) == 1
                                                   and c['op'] not in ('prod', 'nanprod', 'nanmax') else '')]
    if c.get('keepdim'):
        a.append('--keepdim')
    od = c.get('odtype')
    if od:
        a += ['--dtype', od]
    if c['op'] == 'cast':
        a += ['--dtype', c['dtype']]
    if c['feature'] == 'prepend':
        a += ['-n', str(c['n'])]
        for k in ('prepend', 'append'):
            if k in files:
                a += ['--' + k, files[k]]
    if c['feature'] == 'trapz_x':
        a += ['--x', files['xs']]
    if c.get('grad'):
        a.append('--grad')
    o = c['opts']
    if 'precision' in o:
        a += ['--precision', str(o['precision'])]
    if o.get('sci_mode') is not None:
        a += ['--sci-mode', 'on' if o['sci_mode'] else 'off']
    return a


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--worker', action='store_true')
    ap.add_argument('--n', type=int, default=300)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--tcum', default=os.path.join(HERE, '..', 'tcum'))
    ap.add_argument('--version', default='both')
    ap.add_argument('--show', type=int, default=2, help='failures shown per feature/op')
    args = ap.parse_args()
    if args.worker:
        worker()
        return
    versions = ['2.6', '1.13'] if args.version == 'both' else [args.version]
    total_bad = 0
    for ver in versions:
        rng = random.Random('%s-%d' % (ver, args.seed))
        cases = [draw(rng, ver) for _ in range(args.n)]
        py = ['/usr/bin/python3'] if ver == '1.13' else ['chroot', CHROOT, 'python3']
        p = subprocess.run(py + [os.path.abspath(__file__), '--worker'], input=json.dumps(cases),
                           capture_output=True, text=True)
        if p.returncode:
            sys.exit('worker for %s failed:\n%s' % (ver, p.stderr[-2000:]))
        truth = json.loads(p.stdout)
        stats = {}
        shown = {}
        with tempfile.TemporaryDirectory() as tmp:
            for i, (c, t) in enumerate(zip(cases, truth)):
                if t.get('skip'):
                    continue
                files = {}
                for k, o in t['inputs'].items():
                    if k == 'x':
                        continue
                    files[k] = os.path.join(tmp, '%d-%s.json' % (i, k))
                    with open(files[k], 'w') as f:
                        json.dump(o, f)
                x = t['inputs']['x']
                stdin = None
                if t['fortran']:
                    path = os.path.join(tmp, '%d.npy' % i)
                    write_npy(path, x, True)
                    argv = [args.tcum] + tcum_args(c, files) + ['--torch-version', ver, path]
                else:
                    stdin = json.dumps(x)
                    argv = [args.tcum] + tcum_args(c, files) + ['--torch-version', ver, '-']
                r = subprocess.run(argv, input=stdin, capture_output=True, text=True)
                if 'stdout' in t:
                    ok = r.returncode == 0 and r.stdout == t['stdout']
                else:
                    msg = r.stderr.strip()
                    ok = r.returncode == 2 and msg.startswith('tcum: ') and (
                        t['error'] in msg or msg.split(': ', 1)[1].startswith(t['error'][:60]))
                key = '%s/%s' % (c['feature'], c['op'])
                s = stats.setdefault(key, [0, 0])
                s[0] += 1
                s[1] += ok
                if not ok and shown.get(key, 0) < args.show:
                    shown[key] = shown.get(key, 0) + 1
                    print('FAIL %s %s\n  case: %s\n  cmd: %s\n  want: %r\n  got:  %r %r' % (
                        ver, key, json.dumps(c), ' '.join(argv), t.get('stdout') or t.get('error'),
                        r.stdout[:300], r.stderr[:300]))
        n = sum(v[0] for v in stats.values())
        ok = sum(v[1] for v in stats.values())
        total_bad += n - ok
        print('PyTorch %s: %d of %d pass (%.1f%%)' % (ver, ok, n, 100.0 * ok / max(n, 1)))
        for key in sorted(stats):
            print('  %-34s %4d / %4d' % (key, stats[key][1], stats[key][0]))
    sys.exit(1 if total_bad else 0)


if __name__ == '__main__':
    main()
