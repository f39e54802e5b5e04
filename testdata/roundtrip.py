#!/usr/bin/python3
"""Round-trip property test for tcum's output formats (needs NumPy and PyTorch).

    /usr/bin/python3 testdata/roundtrip.py [./tcum] [--seed N] [--count N]

For random tensors of every dtype (specials included: nan, +-inf, -0.0,
subnormals, extremes of each integer type), checks that
  1. npy in, npy out gives numpy.save's bytes;
  2. npy -> json -> npy gives the same bits;
  3. npy -> csv -> npy (1-D and 2-D, --input-dtype naming the dtype) gives
     the same bits;
  4. bfloat16, which npy lacks, survives json -> json unchanged and json ->
     --dtype float32 -> npy gives PyTorch's float32 of the same bits.
NaN is generated with NumPy's default payload only, since text keeps no
payload.  Prints one line per failure and a summary; exit status 1 on any
failure.
"""
import argparse
import io
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

CODES = {'bool': '?', 'uint8': 'u1', 'int8': 'i1', 'int16': 'i2', 'int32': 'i4', 'int64': 'i8',
         'float16': 'f2', 'float32': 'f4', 'float64': 'f8', 'complex64': 'c8', 'complex128': 'c16'}


def rand_array(rng, name, shape):
    dt = np.dtype(CODES[name])
    n = int(np.prod(shape))
    if name == 'bool':
        return rng.integers(0, 2, shape).astype(bool)
    if dt.kind in 'ui':
        info = np.iinfo(dt)
        a = rng.integers(info.min, info.max, n, endpoint=True, dtype=dt)
        if n >= 2:
            a[:2] = [info.min, info.max]
        return a.reshape(shape)
    real = np.float32 if dt in (np.float32, np.complex64) else np.float16 if dt == np.float16 else np.float64

    def reals(k):
        info = np.finfo(real)
        out = np.empty(k, dtype=real)
        with np.errstate(over='ignore'):
            for i in range(k):
                r = rng.random()
                if r < 0.4:
                    out[i] = real(rng.standard_normal() * 10 ** rng.uniform(-5, 5))
                elif r < 0.7:
                    # random bits: every exponent, subnormals included
                    bits = rng.integers(0, 2 ** (8 * info.bits // 8), dtype=np.uint64)
                    v = np.array([bits], dtype=np.uint64).astype({16: np.uint16, 32: np.uint32,
                                                                  64: np.uint64}[info.bits]).view(real)[0]
                    out[i] = v if np.isfinite(v) else real(1.5)
                else:
                    out[i] = rng.choice([np.nan, np.inf, -np.inf, -0.0, 0.0, info.max, -info.max, info.tiny,
                                         info.smallest_subnormal, 0.1, 1e-4, 1e16 if info.bits > 16 else 1e4])
        return out

    if dt.kind == 'c':
        a = np.empty(n, dtype=dt)
        a.real = reals(n)
        a.imag = reals(n)
        return a.reshape(shape)
    return reals(n).reshape(shape).astype(dt)


def npy_bytes(a):
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue()


class Runner:
    def __init__(self, tcum):
        self.tcum = tcum
        self.failures = 0
        self.checks = 0

    def run(self, args, stdin):
        r = subprocess.run([self.tcum] + args, input=stdin, capture_output=True)
        if r.returncode != 0:
            raise RuntimeError('tcum %s: status %d: %s' % (' '.join(args), r.returncode,
                                                            r.stderr.decode(errors='replace').strip()))
        return r.stdout

    def check(self, what, ok, detail=''):
        self.checks += 1
        if not ok:
            self.failures += 1
            print('FAIL %s %s' % (what, detail))


def same_bits(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('tcum', nargs='?', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tcum'))
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=20, help='tensors per dtype')
    opt = ap.parse_args()
    rng = np.random.default_rng(opt.seed)
    R = Runner(os.path.abspath(opt.tcum))
    shapes = [(), (0,), (1,), (7,), (3, 5), (4, 1), (2, 0), (2, 3, 4), (1, 2, 1, 3)]
    for name in CODES:
        for k in range(opt.count):
            shape = shapes[k % len(shapes)]
            a = rand_array(rng, name, shape)
            src = npy_bytes(a)
            tag = '%s %s #%d' % (name, shape, k)
            try:
                out = R.run(['show', '-f', 'npy', '-'], src)
                R.check('npy->npy ' + tag, out == src)
                js = R.run(['show', '-f', 'json', '-'], src)
                back = np.load(io.BytesIO(R.run(['show', '-f', 'npy', '-'], js)))
                R.check('npy->json->npy ' + tag, same_bits(back, a), js[:200])
                if a.ndim in (1, 2) and a.size:
                    csv = R.run(['show', '-f', 'csv', '-'], src)
                    back = np.load(io.BytesIO(R.run(['show', '--input-format', 'csv', '--no-header',
                                                     '--input-dtype', name, '-f', 'npy', '-'], csv)))
                    if a.shape[0] == 1 or (a.ndim == 2 and a.shape[1] == 1):
                        back = back.reshape(a.shape)  # a single row or column reads back as 1-D
                    R.check('npy->csv->npy ' + tag, same_bits(back, a), csv[:200])
            except RuntimeError as e:
                R.check(tag, False, str(e))
    # bfloat16: json in tcum's object form
    for k in range(opt.count):
        shape = shapes[k % len(shapes)]
        bits = rng.integers(0, 2 ** 16, int(np.prod(shape)), dtype=np.uint64).astype(np.uint16)
        t = torch.from_numpy(bits.view(np.int16).copy()).view(torch.bfloat16).reshape(shape)
        t = torch.where(torch.isnan(t), torch.tensor(float('nan'), dtype=torch.bfloat16), t)
        f32 = t.to(torch.float32).numpy()
        tag = 'bfloat16 %s #%d' % (shape, k)
        try:
            # build the input through tcum itself: float32 npy -> --dtype bfloat16 -> json
            js = R.run(['show', '--dtype', 'bfloat16', '-f', 'json', '-'], npy_bytes(f32))
            R.check('bf16 json is bfloat16 ' + tag, b'"bfloat16"' in js, js[:100])
            js2 = R.run(['show', '-f', 'json', '-'], js)
            R.check('bf16 json->json ' + tag, js2 == js, js[:200])
            back = np.load(io.BytesIO(R.run(['show', '--dtype', 'float32', '-f', 'npy', '-'], js)))
            R.check('bf16 json->float32 npy ' + tag, same_bits(back, f32), js[:200])
        except RuntimeError as e:
            R.check(tag, False, str(e))
    print('%d checks, %d failed' % (R.checks, R.failures))
    return 1 if R.failures else 0


if __name__ == '__main__':
    with tempfile.TemporaryDirectory():
        sys.exit(main())
