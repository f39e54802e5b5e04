#!/usr/bin/python3
"""Differential test of the printer: random tensors printed by PyTorch's repr
and by tc_print_torch / tc_print_result (through testdata/print_diff.c).

    /usr/bin/python3 testdata/print_diff.py [--mode normal|stress|bits] SEED N

normal: all 12 dtypes, default-ish options; stress: more summarization,
precision up to 40, extreme line widths; bits: random float bit patterns.
Random shapes (0-d to 5-D, empty dims), values across magnitudes with
nan/inf/-0., random print options and default dtype, 10% named tuples.
Exits 1 on any mismatch and prints the first few.
"""
import argparse
import math
import os
import random
import struct
import subprocess
import sys
import tempfile
import numpy as np
import torch

DT = [torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
      torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64, torch.complex128]
FLOATS = [torch.float16, torch.bfloat16, torch.float32, torch.float64]
MODE = 'normal'

def rand_shape(R):
    nd = R.choice([0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5])
    if nd == 0:
        return []
    shape = []
    for _ in range(nd):
        r = R.random()
        if r < 0.05: shape.append(0)
        elif r < 0.3: shape.append(1)
        elif nd <= 2 and r < 0.5: shape.append(R.randint(5, 60))
        else: shape.append(R.randint(1, 7))
    # cap numel
    while int(np.prod(shape)) > 3000:
        i = max(range(nd), key=lambda k: shape[k]); shape[i] //= 2
    return shape

def float_vals(R, n, dt):
    kind = R.randrange(12)
    if kind == 0:
        v = np.random.randn(n)
    elif kind == 1:
        v = np.random.randint(-1000, 1000, n).astype(float)
    elif kind == 2:
        e = R.uniform(-12, 14); v = np.random.randn(n) * 10 ** e
    elif kind == 3:
        v = np.random.randn(n) * 10 ** np.random.uniform(-10, 12, n)
    elif kind == 4:
        v = np.zeros(n)
    elif kind == 5:
        v = np.random.randint(-5, 5, n).astype(float) * 10 ** R.randint(0, 12)
    elif kind == 6:  # rounding boundaries
        p = R.randint(0, 6)
        v = (np.random.randint(-10**5, 10**5, n) + 0.5) / 10 ** p
    elif kind == 7:
        v = np.random.choice([0.0, -0.0, 1.0, -1.0, 0.5, 1e-5, 1e8, 1e9, 123456789.0, 1e-4, 9.99e-5, 1000.0, 0.001, 1e16, 1e20], n)
    elif kind == 8:
        v = np.random.uniform(0, 1, n) * 10 ** R.choice([-300, -200, -40, 30, 38, 200, 300])
    elif kind == 9:
        v = np.random.randint(0, 3, n) * 10 ** R.uniform(-6, 9)
    elif kind == 10:
        v = np.round(np.random.randn(n) * 1000, R.randint(0, 4))
    else:
        v = np.random.standard_cauchy(n)
    v = v.astype(np.float64)
    if R.random() < 0.35 and n:
        k = R.randint(1, max(1, n // 3))
        idx = np.random.randint(0, n, k)
        v[idx] = np.random.choice([np.nan, np.inf, -np.inf, -0.0, 0.0, -np.nan], k)
    t = torch.from_numpy(v)
    return t

def rand_tensor(R, shape, dt):
    n = int(np.prod(shape)) if shape else 1
    if dt == torch.bool:
        t = torch.from_numpy(np.random.randint(0, 2, n).astype(bool))
    elif not (dt.is_floating_point or dt.is_complex):
        info = torch.iinfo(dt)
        kind = R.randrange(4)
        if kind == 0:
            v = np.random.randint(info.min, info.max, n, dtype=np.int64) if dt != torch.int64 else np.random.randint(-2**63, 2**63 - 1, n, dtype=np.int64)
        elif kind == 1:
            v = np.random.randint(max(info.min, -10), 10, n)
        elif kind == 2:
            v = np.random.choice([info.min, info.max, 0, -1 if info.min < 0 else 1], n)
        else:
            v = np.random.randint(max(info.min, -1000), min(info.max, 100000), n)
        t = torch.from_numpy(np.asarray(v, dtype=np.int64)).to(dt)
    elif dt.is_complex:
        re = float_vals(R, n, dt); im = float_vals(R, n, dt) if R.random() < 0.8 else re.clone()
        t = torch.complex(re, im).to(dt)
    elif MODE == 'bits' and R.random() < 0.6:
        nb = {torch.float16: np.uint16, torch.bfloat16: np.uint16, torch.float32: np.uint32, torch.float64: np.uint64}[dt]
        bits = np.random.randint(0, np.iinfo(nb).max, n, dtype=nb)
        if R.random() < 0.5:  # bias towards small exponents spread
            pass
        if dt == torch.bfloat16:
            t = torch.from_numpy(bits.view(np.int16)).view(torch.bfloat16)
        else:
            t = torch.from_numpy(bits.view({torch.float16: np.float16, torch.float32: np.float32, torch.float64: np.float64}[dt]).copy())
    else:
        t = float_vals(R, n, dt).to(dt)
    return t.reshape(shape)

def to_bytes(t):
    if t.dtype == torch.bfloat16:
        return t.contiguous().view(torch.int16).numpy().tobytes()
    if t.dtype == torch.bool:
        return t.to(torch.uint8).numpy().tobytes()
    return t.contiguous().numpy().tobytes()

def build():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    exe = os.path.join(tempfile.gettempdir(), 'tcum_print_diff_%d' % os.getpid())
    libs = ['buf.c', 'err.c', 'tensor.c', 'dtype.c', 'print_torch.c', 'numfmt.c']
    subprocess.run(['cc', '-std=c11', '-O1', '-g', '-ffp-contract=off', '-D_POSIX_C_SOURCE=200809L',
                    '-fsanitize=address,undefined', '-fno-sanitize-recover=all',
                    '-I' + os.path.join(root, 'lib'), '-o', exe,
                    os.path.join(root, 'testdata', 'print_diff.c')] +
                   [os.path.join(root, 'lib', f) for f in libs] + ['-lm'], check=True)
    return exe


def main():
    global MODE
    ap = argparse.ArgumentParser()
    ap.add_argument('--mode', default='normal', choices=['normal', 'stress', 'bits'])
    ap.add_argument('--driver', help='a prebuilt print_diff binary')
    ap.add_argument('seed', type=int)
    ap.add_argument('n', type=int)
    args = ap.parse_args()
    MODE = args.mode
    seed, N = args.seed, args.n
    exe = args.driver or build()
    R = random.Random(seed); np.random.seed(seed)
    blob = []; exp = []; descs = []
    for c in range(N):
        dt = R.choice(FLOATS if MODE == 'bits' else DT)
        shape = rand_shape(R)
        t = rand_tensor(R, shape, dt)
        if MODE == 'stress':
            prec = R.choice([R.randint(0, 10), R.randint(0, 10), R.randint(11, 40)])
            thr = R.choice([R.randint(0, 60), R.randint(0, 10), 0, 1, 1.5, -1, 1000])
        else:
            prec = R.randint(0, 10)
            thr = R.choice([math.inf, 1000, 1000, R.randint(0, 60), R.randint(0, 10)])
        edge = R.choice([0, 1, 2, 3, 3, 3, 4, 5] + ([-1] if R.random() < 0.1 else []))
        if MODE == 'stress':
            lw = R.choice([80, R.randint(10, 200), R.randint(-5, 30), 1000])
        else:
            lw = R.choice([80, 80, R.randint(10, 200), R.randint(1, 30)])
        sci = R.choice([None, None, True, False])
        d64 = R.random() < 0.3
        is_res = R.random() < 0.1
        if R.random() < 0.15:
            prof = R.choice(['default', 'short', 'full'])
            torch.set_printoptions(profile=prof)
            prec, thr, edge, lw = (torch._tensor_str.PRINT_OPTS.precision, torch._tensor_str.PRINT_OPTS.threshold,
                                   torch._tensor_str.PRINT_OPTS.edgeitems, torch._tensor_str.PRINT_OPTS.linewidth)
        torch.set_printoptions(precision=prec, threshold=thr, edgeitems=edge, linewidth=lw, sci_mode=sci)
        torch.set_default_dtype(torch.float64 if d64 else torch.float32)
        idx = None
        try:
            if is_res:
                idx = torch.from_numpy(np.random.randint(0, 30, max(1, t.numel())).astype(np.int64))[:t.numel()].reshape(t.shape)
                s = repr(torch.return_types.cummax((t, idx)))
            else:
                s = repr(t)
        except Exception as e:
            s = 'ERROR: ' + str(e)
        torch.set_default_dtype(torch.float32)
        exp.append(s)
        descs.append((dt, shape, prec, thr, edge, lw, sci, d64, is_res))
        hdr = struct.pack('<8i', DT.index(dt), len(shape), prec, edge, lw, -1 if sci is None else int(sci), int(d64), int(is_res))
        blob.append(hdr + struct.pack('<d', thr) + struct.pack('<%dq' % len(shape), *shape) + to_bytes(t)
                    + (idx.numpy().tobytes() if is_res else b''))
    out = subprocess.run([exe], input=b''.join(blob), capture_output=True)
    if not args.driver:
        os.unlink(exe)
    if out.returncode != 0:
        print('driver failed', out.returncode, out.stderr.decode()[-3000:]); sys.exit(1)
    got = out.stdout.decode().split('\n\x01\n')[:-1]
    assert len(got) == N, (len(got), N)
    bad = 0
    for i in range(N):
        if got[i] != exp[i]:
            bad += 1
            if bad <= 5:
                print('MISMATCH case', i, descs[i]); print('--- torch'); print(exp[i]); print('--- tcum'); print(got[i])
    feats = {k: sum(k in e for e in exp) for k in ["...", "e+", "e-", "ERROR", "dtype=", "size=", "\n\n", "j", "nan", "inf", "True", "return_types", "-0."]}
    print(feats)
    print('%s seed %d: %d/%d passed' % (MODE, seed, N - bad, N))
    sys.exit(1 if bad else 0)

if __name__ == '__main__':
    main()
