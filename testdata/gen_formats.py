#!/usr/bin/python3
"""Generate testdata/formats.test: output formats, npy input and assert-close.

Run by testdata/regen.sh (PyTorch 2.6 and 1.13) from anywhere.  Writes the npy files under
testdata/files/npy/ (by NumPy, plus hand-broken ones for the error cases)
and the cases to testdata/formats.test.

Expected outputs come from NumPy and PyTorch:
  - number text in csv/json: repr(float) for float64, NumPy's repr of
    np.float32 / np.float16 scalars, Python's int(); complex parts the same
    without the ".0" (NumPy's complex repr without the parentheses, always
    with the real part); bfloat16 (no NumPy type) is the shortest text that
    PyTorch reads back to the same bfloat16, found by search below;
  - npy output: the bytes of numpy.save; npy input: print(torch.from_numpy(a));
  - assert-close: str() of the AssertionError of torch.testing.assert_close
    (check_dtype=False unless the case passes --check-dtype).
The texts of tcum's own errors (no PyTorch equivalent) are specification,
kept in the MSG table, so the implementation can be checked against them.
"""
import io
import os
import random
import struct

import numpy as np
import torch

from gen_lib import HERE, Cases, printoptions, torch_print

FILES = os.path.join(HERE, 'files', 'npy')
REL = 'testdata/files/npy'

# tcum's own error texts, as "tcum: " + text, status 2.
MSG = {
    'csv-3d': 'cannot write a {n}-D tensor as CSV, which holds at most 2 dimensions '
              '(try --format json, or --shape to make it 2-D)',
    'npy-bf16': 'npy has no bfloat16 type (try --dtype float32)',
    'not-npy': 'not an npy file (it does not start with \\x93NUMPY)',
    'short': 'truncated npy file: {n} bytes is too short for the header',
    'version': 'unsupported npy format version {v} (tcum reads 1.0, 2.0 and 3.0)',
    'hlen': 'truncated npy header: its length field says {h} bytes but only {n} follow',
    'data': 'truncated npy data: the shape needs {e} elements ({b} bytes) but only {n} bytes follow the header',
    'missing': "invalid npy header: missing key '{k}'",
    'junk': 'invalid npy header: junk after the dict',
    'key': "invalid npy header: unexpected key (expected 'descr', 'fortran_order' and 'shape')",
    'overflow': "invalid npy header: the shape's element count overflows",
    'bigdim': "invalid npy header: a dimension in 'shape' is too large",
    'negdim': "invalid npy header: 'shape' must be a tuple of non-negative integers",
    'structured': 'unsupported npy dtype: structured arrays are not tensors',
    'dtype': "unsupported npy dtype '{d}' (tcum reads b1 u1 u2 u4 u8 i1 i2 i4 i8 f2 f4 f8 c8 c16)",
    'fortran': "invalid npy header: 'fortran_order' must be True or False",
    'dict': 'invalid npy header: expected a dict',
    'tuple': "invalid npy header: expected ',' or ')' in 'shape'",
    'ndim': 'invalid npy header: too many dimensions (the limit is 64)',
}


def err(key, **kw):
    return 'tcum: ' + MSG[key].format(**kw) + '\n'


# ---- number text (SPEC "Output": shortest text that reads back) ----

def bf16_text(v):
    """Shortest digits that read back (double -> float -> bfloat16) to v,
    closest to v among equals; layout as NumPy's float32 repr."""
    target = torch.tensor([v], dtype=torch.float32).to(torch.bfloat16)

    def back(s):
        return torch.tensor([float(s)], dtype=torch.float64).to(torch.float32).to(torch.bfloat16)

    a = abs(v)
    for p in range(1, 18):
        s = '%.*e' % (p - 1, a)
        if back(s).item() != abs(target.item()):
            mant, e = s.split('e')
            if float(s) < a:  # the neighbour above can be inside a power-of-two interval
                digits = mant.replace('.', '')
                up = str(int(digits) + 1)
                e = int(e) + (len(up) - len(digits))
                up = up[:len(digits)]
                s = '%s%se%d' % (up[0], ('.' + up[1:]) if len(up) > 1 else '', e)
                if back(s).item() != abs(target.item()):
                    continue
            else:
                continue
        mant, e = s.split('e')
        digits = mant.replace('.', '').rstrip('0') or '0'
        decpt = int(e) + 1
        break
    if a >= 1e-4 and a < 1e16:
        if decpt <= 0:
            body = '0.' + '0' * (-decpt) + digits
        elif decpt >= len(digits):
            body = digits + '0' * (decpt - len(digits)) + '.0'
        else:
            body = digits[:decpt] + '.' + digits[decpt:]
    else:
        body = digits[0] + ('.' + digits[1:] if len(digits) > 1 else '') + 'e%+03d' % (decpt - 1)
    return ('-' if v < 0 or (v == 0 and str(v).startswith('-')) else '') + body


def real_text(v, dt):
    """One real value of dtype dt (a torch dtype) as tcum writes it."""
    if v != v:
        return 'nan'
    if v in (float('inf'), float('-inf')):
        return 'inf' if v > 0 else '-inf'
    if dt in (torch.float64, torch.complex128):
        return repr(float(v))
    if dt in (torch.float32, torch.complex64):
        return str(np.float32(v))
    if dt == torch.float16:
        return str(np.float16(v))
    if dt == torch.bfloat16:
        if v == 0:
            return '-0.0' if str(v).startswith('-') else '0.0'
        return bf16_text(v)
    raise ValueError(dt)


def part_text(v, dt):
    s = real_text(v, dt)
    return s[:-2] if s.endswith('.0') else s


def num_text(v, dt):
    if dt == torch.bool:
        return 'true' if v else 'false'
    if dt.is_complex:
        re, im = part_text(v.real, dt), part_text(v.imag, dt)
        if not im.startswith('-'):
            im = '+' + im
        return re + im + 'j'
    if not dt.is_floating_point:
        return str(int(v))
    return real_text(v, dt)


def csv_out(t, delim=','):
    vals = t.tolist()
    rows = vals if t.dim() == 2 else [vals if t.dim() else [vals]]
    return ''.join(delim.join(num_text(v, t.dtype) for v in row) + '\n' for row in rows)


def json_data(v, dt):
    if isinstance(v, list):
        return '[' + ', '.join(json_data(x, dt) for x in v) + ']'
    s = num_text(v, dt)
    if dt.is_complex or (dt.is_floating_point and s in ('nan', 'inf', '-inf')):
        s = '"%s"' % s
    return s


def json_tensor(t):
    name = str(t.dtype).replace('torch.', '')
    return '{"dtype": "%s", "shape": [%s], "data": %s}' % (
        name, ', '.join(str(d) for d in t.shape), json_data(t.tolist(), t.dtype))


def json_out(t):
    return json_tensor(t) + '\n'


def od_out(arr):
    """`od -An -v -tx1` of numpy.save(arr): 16 bytes a line, each as ' xx'."""
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    b = buf.getvalue()
    return ''.join(''.join(' %02x' % c for c in b[i:i + 16]) + '\n' for i in range(0, len(b), 16))


def tp(obj, **po):
    with printoptions(**po):
        return torch_print(obj)


def native(arr):
    """arr in C order and native byte order, as torch.from_numpy needs it."""
    return arr.astype(arr.dtype.newbyteorder('='), order='C')


# ---- files ----

def save_npy(name, arr, version=None):
    os.makedirs(FILES, exist_ok=True)
    path = os.path.join(FILES, name)
    with open(path, 'wb') as f:
        if version is None:
            np.save(f, arr, allow_pickle=False)
        else:
            np.lib.format.write_array(f, arr, version=version, allow_pickle=False)
    return REL + '/' + name


def save_bytes(name, data):
    os.makedirs(FILES, exist_ok=True)
    with open(os.path.join(FILES, name), 'wb') as f:
        f.write(data)
    return REL + '/' + name


def npy_bytes(header, version=(1, 0), hlen=None):
    """An npy prefix and header dict text, padded as NumPy pads it."""
    h = header.encode('latin1')
    h = h + b' ' * ((64 - (10 + len(h) + 1) % 64) % 64) + b'\n'
    n = len(h) if hlen is None else hlen
    size = struct.pack('<H', n) if version[0] == 1 else struct.pack('<I', n)
    return b'\x93NUMPY' + bytes(version) + size + h


# ---- random values ----

def rand_reals(rng, n):
    """Floats over many magnitudes, with the specials every format must carry."""
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.6:
            v = rng.uniform(-1, 1) * 10 ** rng.uniform(-6, 8)
        elif r < 0.85:
            v = rng.uniform(-1, 1) * 10 ** rng.uniform(-45, 38)
        else:
            v = rng.choice([0.0, -0.0, 1.0, 0.1, 1e-4, 1e16, 123.0, 65504.0, 3e38, 1e-5, 0.5, 2.0 ** -24])
        out.append(v)
    return out


def csv_of(rows):
    return ''.join(','.join(repr(float(v)) for v in row) + '\n' for row in rows)


def main():
    c = Cases('formats.test', header=(
        'Golden cases for output formats (csv, json, npy), npy input and\n'
        'assert-close.  Generated by testdata/gen_formats.py from NumPy and\n'
        'PyTorch; do not edit.'))
    rng = random.Random(20261126)

    # ---- number text: csv and json of every dtype ----
    real_dtypes = [('float32', torch.float32, ''), ('float64', torch.float64, ' --input-dtype float64'),
                   ('float16', torch.float16, ' --input-dtype float16'),
                   ('bfloat16', torch.bfloat16, ' --input-dtype bfloat16')]
    for name, dt, opt in real_dtypes:
        for k in range(1, 5):
            rows = [rand_reals(rng, 6) for _ in range(4)]
            rows[0][0] = 0.5                      # keeps inference on float
            text = csv_of(rows)
            with np.errstate(over='ignore'):
                t = torch.tensor(rows, dtype=dt)
            c.add('fmt-csv-%s-%d' % (name, k), '%s values as shortest round-trip text' % name,
                  'tcum show%s -f csv -' % opt, stdin=text, stdout=csv_out(t))
            c.add('fmt-json-%s-%d' % (name, k), '%s values in the JSON object form' % name,
                  'tcum show%s -f json -' % opt, stdin=text, stdout=json_out(t))
    special = [[float('nan'), float('inf'), float('-inf'), -0.0, 0.0, 1e16],
               [9999999999999998.0, 1e-4, 9.9999e-5, 1e22, 5e-324, 1.7976931348623157e308]]
    for name, dt, opt in real_dtypes:
        text = ''.join(','.join(repr(v) for v in row) + '\n' for row in special)
        t = torch.tensor(special, dtype=dt)
        c.add('fmt-special-csv-%s' % name, '%s: nan, inf, signed zero, layout thresholds' % name,
              'tcum show%s -f csv -' % opt, stdin=text, stdout=csv_out(t))
        c.add('fmt-special-json-%s' % name, '%s: non-finite values are JSON strings' % name,
              'tcum show%s -f json -' % opt, stdin=text, stdout=json_out(t))

    int_dtypes = [('uint8', torch.uint8, 0, 255), ('int8', torch.int8, -128, 127),
                  ('int16', torch.int16, -2 ** 15, 2 ** 15 - 1), ('int32', torch.int32, -2 ** 31, 2 ** 31 - 1),
                  ('int64', torch.int64, -2 ** 63, 2 ** 63 - 1)]
    for name, dt, lo, hi in int_dtypes:
        rows = [[rng.randint(lo, hi) for _ in range(5)] for _ in range(3)]
        rows[0][:2] = [lo, hi]
        text = ''.join(','.join(str(v) for v in row) + '\n' for row in rows)
        t = torch.tensor(rows, dtype=dt)
        c.add('fmt-csv-%s' % name, '%s in full, extremes included' % name,
              'tcum show --input-dtype %s -f csv -' % name, stdin=text, stdout=csv_out(t))
        c.add('fmt-json-%s' % name, '%s in JSON' % name,
              'tcum show --input-dtype %s -f json -' % name, stdin=text, stdout=json_out(t))
    bools = [[True, False, True], [False, False, True]]
    tb = torch.tensor(bools)
    c.add('fmt-csv-bool', 'bool as true/false', 'tcum show -f csv -', stdin='true,false,true\nfalse,false,true\n',
          stdout=csv_out(tb))
    c.add('fmt-json-bool', 'bool as JSON true/false', 'tcum show -f json -',
          stdin='[[true, false, true], [false, false, true]]\n', stdout=json_out(tb))

    for name, dt in (('complex64', torch.complex64), ('complex128', torch.complex128)):
        vals = [complex(1, 2), complex(-1.5e3, -2), complex(0.1, -0.0), complex(0, 1e-5),
                complex(1e16, 123), complex(float('nan'), float('inf')), complex(-0.0, float('-inf')),
                complex(rng.uniform(-9, 9), rng.uniform(-1e-7, 1e-7))]
        jtext = '[' + ', '.join('"%s"' % num_text(v, torch.complex128) for v in vals) + ']\n'
        t = torch.tensor(vals, dtype=dt)
        c.add('fmt-csv-%s' % name, '%s as RE+IMj, parts without .0' % name,
              'tcum show --input-dtype %s -f csv -' % name, stdin=jtext, stdout=csv_out(t))
        c.add('fmt-json-%s' % name, '%s as JSON strings' % name,
              'tcum show --input-dtype %s -f json -' % name, stdin=jtext, stdout=json_out(t))
    c.add('fmt-csv-complex-in', 'complex CSV input infers complex64', 'tcum show -f csv -',
          stdin='1+2j,3-4j\n0.5+0j,-1e-05-1j\n',
          stdout=csv_out(torch.tensor([[1 + 2j, 3 - 4j], [0.5 + 0j, -1e-05 - 1j]])))

    # ---- csv layout ----
    c.add('fmt-csv-0d', '0-d: one value', 'tcum show -f csv -', stdin='2.5\n', stdout=csv_out(torch.tensor(2.5)))
    c.add('fmt-csv-0d-sum', '0-d result of a reduction', 'tcum sum -f csv -', stdin='1,2,3\n',
          stdout=csv_out(torch.tensor([1, 2, 3]).sum()))
    c.add('fmt-csv-1d', '1-D: one row', 'tcum cumsum -d 0 -f csv -', stdin='[0.1, 0.2, 0.3]\n',
          stdout=csv_out(torch.cumsum(torch.tensor([0.1, 0.2, 0.3]), 0)))
    c.add('fmt-csv-2d', '2-D: rows x columns', 'tcum cumsum -d 1 --input-dtype float64 -f csv -',
          stdin='0.1,0.2,0.3\n1,2,3\n',
          stdout=csv_out(torch.cumsum(torch.tensor([[0.1, 0.2, 0.3], [1, 2, 3]], dtype=torch.float64), 1)))
    c.add('fmt-csv-column', 'a 2-D column stays 2-D with --shape', 'tcum show --shape -1,1 -f csv -',
          stdin='[1, 2, 3]\n', stdout=csv_out(torch.tensor([[1], [2], [3]])))
    c.add('fmt-csv-tab', 'tab-separated in, tab-separated out', "tcum cumsum -d 0 --delimiter '\\t' -f csv -",
          stdin='1\t2\n3\t4\n', stdout=csv_out(torch.cumsum(torch.tensor([[1, 2], [3, 4]]), 0), '\t'))
    c.add('fmt-csv-empty', 'an empty 1-D tensor is one empty row', 'tcum show -f csv -', stdin='[]\n',
          stdout=csv_out(torch.tensor([])))
    c.add('fmt-csv-3d', 'more than 2 dims: an error that suggests json or --shape', 'tcum show -f csv -',
          stdin='[[[1, 2]], [[3, 4]]]\n', stderr=err('csv-3d', n=3), status=2)
    c.add('fmt-csv-3d-shape', '--shape makes it 2-D', 'tcum show --shape 2,2 -f csv -',
          stdin='[[[1, 2]], [[3, 4]]]\n', stdout=csv_out(torch.tensor([[1, 2], [3, 4]])))
    c.add('fmt-csv-select', 'cummax values as csv', 'tcum cummax -d 0 --select values -f csv -',
          stdin='[1, 3, 2, 5]\n', stdout=csv_out(torch.cummax(torch.tensor([1, 3, 2, 5]), 0).values))
    c.add('fmt-csv-select-idx', 'cummax indices as csv', 'tcum cummax -d 0 --select indices -f csv -',
          stdin='[1.0, 3, 3, 5]\n', stdout=csv_out(torch.cummax(torch.tensor([1.0, 3, 3, 5]), 0).indices))

    # ---- json layout ----
    x3 = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) / 8
    c.add('fmt-json-0d', '0-d data is a bare value', 'tcum show -f json -', stdin='7\n',
          stdout=json_out(torch.tensor(7)))
    c.add('fmt-json-3d', 'nested 3-D data', 'tcum show --shape 2,3,4 -f json -',
          stdin=csv_out(x3.reshape(1, -1)), stdout=json_out(x3))
    c.add('fmt-json-empty', 'empty 1-D', 'tcum show -f json -', stdin='[]\n', stdout=json_out(torch.tensor([])))
    c.add('fmt-json-empty-2d', 'shape (2, 0)', 'tcum show --shape 2,0 -f json -', stdin='[]\n',
          stdout=json_out(torch.tensor([]).reshape(2, 0)))
    c.add('fmt-json-empty-0x3', 'shape (0, 3)', 'tcum show --shape 0,3 -f json -', stdin='[]\n',
          stdout=json_out(torch.tensor([]).reshape(0, 3)))
    cm = torch.cummax(torch.tensor([[1.0, float('nan'), 0.5], [2, 2, 3]]), 1)
    c.add('fmt-json-pair', 'a two-result op gives values and indices', 'tcum cummax -d 1 -f json -',
          stdin='[[1.0, "nan", 0.5], [2, 2, 3]]\n',
          stdout='{"values": %s, "indices": %s}\n' % (json_tensor(cm.values), json_tensor(cm.indices)))
    c.add('fmt-json-pair-select', '--select indices with json', 'tcum cummax -d 1 --select indices -f json -',
          stdin='[[1.0, "nan", 0.5], [2, 2, 3]]\n', stdout=json_out(cm.indices))
    mx = torch.max(torch.tensor([[1, 5, 2], [7, 0, 7]]), 1)
    c.add('fmt-json-max', 'max with a dim in json', 'tcum max -d 1 -f json -', stdin='1,5,2\n7,0,7\n',
          stdout='{"values": %s, "indices": %s}\n' % (json_tensor(mx.values), json_tensor(mx.indices)))
    t64 = torch.tensor([0.1, 1 / 3, 2.0 ** 60], dtype=torch.float64)
    c.add('fmt-json-reads-back', 'json output reads back bit for bit',
          'tcum show --input-dtype float64 -f json - | tcum show -f json -',
          stdin='0.1,0.3333333333333333,1152921504606846976.0\n', stdout=json_out(t64))
    c.add('fmt-csv-reads-back', 'csv output reads back (float64 keeps its dtype by --input-dtype)',
          'tcum cumsum -d 0 --input-dtype float64 -f csv - | tcum show --input-dtype float64 -f json -',
          stdin='0.1,0.2,0.3\n', stdout=json_out(torch.cumsum(torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64), 0)))

    # ---- npy input: every dtype, both byte orders, Fortran order, versions ----
    nrng = np.random.default_rng(20261126)
    codes = ['b1', 'u1', 'i1', 'i2', 'i4', 'i8', 'f2', 'f4', 'f8', 'c8', 'c16']

    def make(code, shape):
        dt = np.dtype(code)
        if code == 'b1':
            return nrng.integers(0, 2, shape).astype(dt)
        if dt.kind in 'ui':
            info = np.iinfo(dt)
            return nrng.integers(info.min, info.max, shape, endpoint=True, dtype=dt)
        vals = np.round(nrng.standard_normal(shape) * 50, 2)
        if dt.kind == 'c':
            vals = vals + 1j * np.round(nrng.standard_normal(shape) * 50, 2)
        return vals.astype(dt)

    for code in codes:
        orders = ['<', '>'] if np.dtype(code).itemsize > 1 else ['|']
        for bo in orders:
            base = make(code, (3, 4))
            arr = base.astype(base.dtype.newbyteorder(bo)) if bo != '|' else base
            tag = {'<': 'le', '>': 'be', '|': 'na'}[bo]
            f = save_npy('%s-%s.npy' % (code, tag), arr)
            t = torch.from_numpy(native(arr))
            c.add('npy-in-%s-%s' % (code, tag), 'npy %s (%s) 3x4, printed' % (arr.dtype.str, tag),
                  'tcum show %s' % f, stdout=tp(t))
            c.add('npy-in-%s-%s-json' % (code, tag), 'npy %s (%s) 3x4, every bit via json' % (arr.dtype.str, tag),
                  'tcum show -f json %s' % f, stdout=json_out(t))
            if code in ('i2', 'f4', 'c16', 'b1', 'f8'):
                a3 = make(code, (2, 3, 4))
                a3 = a3.astype(a3.dtype.newbyteorder(bo)) if bo != '|' else a3
                ff = save_npy('%s-%s-fortran.npy' % (code, tag), np.asfortranarray(a3))
                c.add('npy-in-%s-%s-fortran' % (code, tag), 'Fortran-order 2x3x4 %s' % arr.dtype.str,
                      'tcum show -f json %s' % ff, stdout=json_out(torch.from_numpy(native(a3))))
    a = make('f4', (2, 3))
    for ver in ((2, 0), (3, 0)):
        f = save_npy('f4-v%d.npy' % ver[0], a, version=ver)
        c.add('npy-in-v%d' % ver[0], 'npy format version %d.0' % ver[0], 'tcum show %s' % f,
              stdout=tp(torch.from_numpy(a)))
    for name, arr in (('0d-f8', np.array(2.5)), ('0d-i8', np.array(-7, dtype='>i8')),
                      ('empty-f4', np.zeros((0,), dtype='f4')), ('empty-2x0-i4', np.zeros((2, 0), dtype='i4')),
                      ('empty-0x3-f8', np.zeros((0, 3), dtype='f8')), ('1d-f2', make('f2', (7,))),
                      ('4d-u1', make('u1', (2, 1, 2, 3)))):
        f = save_npy('%s.npy' % name, arr)
        c.add('npy-in-%s' % name, 'npy %s %s' % (arr.dtype.str, arr.shape), 'tcum show %s' % f,
              stdout=tp(torch.from_numpy(native(arr))))
    f = save_npy('f8-2x3.npy', make('f8', (2, 3)))
    t = torch.from_numpy(np.load(os.path.join(FILES, 'f8-2x3.npy')))
    c.add('npy-in-op', 'an op on npy input', 'tcum cumsum -d 1 %s' % f, stdout=tp(torch.cumsum(t, 1)))
    c.add('npy-in-stdin', 'npy from standard input', 'tcum cumsum -d 0 - < %s' % f, stdout=tp(torch.cumsum(t, 0)))
    c.add('npy-in-pipe', 'npy through a pipe', 'cat %s | tcum show -' % f, stdout=tp(t))
    c.add('npy-in-forced', '--input-format npy', 'tcum show --input-format npy %s' % f, stdout=tp(t))
    c.add('npy-in-input-dtype', '--input-dtype converts npy data', 'tcum show --input-dtype float32 %s' % f,
          stdout=tp(t.to(torch.float32)))

    # ---- npy output: numpy.save's bytes, and reading back ----
    for code in codes:
        arr = make(code, (2, 3))
        f = save_npy('%s-2x3.npy' % code, arr) if code != 'f8' else REL + '/f8-2x3.npy'
        if code == 'f8':
            arr = np.load(os.path.join(FILES, 'f8-2x3.npy'))
        c.add('npy-out-%s' % code, 'npy output of %s is numpy.save byte for byte' % arr.dtype.str,
              'tcum show -f npy %s | od -An -v -tx1' % f, stdout=od_out(arr))
    for name, arr in (('0d', np.array(2.5)), ('empty', np.zeros((0,), dtype='f4')),
                      ('2x0', np.zeros((2, 0), dtype='i4')), ('4d', make('u1', (2, 1, 2, 3)))):
        f = save_npy('out-%s.npy' % name, arr)
        c.add('npy-out-%s' % name, 'npy output %s %s' % (arr.dtype.str, arr.shape),
              'tcum show -f npy %s | od -An -v -tx1' % f, stdout=od_out(arr))
    fbe = REL + '/f4-be.npy'
    abe = np.load(os.path.join(FILES, 'f4-be.npy'))
    c.add('npy-out-from-be', 'big-endian in, little-endian out', 'tcum show -f npy %s | od -An -v -tx1' % fbe,
          stdout=od_out(abe.astype('<f4')))
    ffo = REL + '/f4-le-fortran.npy'
    afo = np.load(os.path.join(FILES, 'f4-le-fortran.npy'))
    c.add('npy-out-from-fortran', 'Fortran order in, C order out', 'tcum show -f npy %s | od -An -v -tx1' % ffo,
          stdout=od_out(np.ascontiguousarray(afo)))
    tcs = torch.cumsum(torch.tensor([[1.5, 2, 3], [4, 5, 6.25]]), 1)
    c.add('npy-out-op', 'npy output of an op, read back', 'tcum cumsum -d 1 -f npy - | tcum show -',
          stdin='1.5,2,3\n4,5,6.25\n', stdout=tp(tcs))
    c.add('npy-out-json-in', 'json in, npy out', 'tcum show --input-dtype complex64 -f npy - | od -An -v -tx1',
          stdin='["1+2j", "-0.5-0.25j"]\n', stdout=od_out(np.array([1 + 2j, -0.5 - 0.25j], dtype='c8')))
    c.add('npy-out-bool', 'bool npy', 'tcum show -f npy - | od -An -v -tx1', stdin='[true, false]\n',
          stdout=od_out(np.array([True, False])))
    c.add('npy-out-f16', 'float16 npy', 'tcum show --input-dtype float16 -f npy - | od -An -v -tx1',
          stdin='[0.1, 65504, -2]\n', stdout=od_out(np.array([0.1, 65504, -2], dtype='f2')))
    c.add('npy-out-bf16', 'bfloat16 has no npy type', 'tcum show --input-dtype bfloat16 -f npy -',
          stdin='[1.5]\n', stderr=err('npy-bf16'), status=2)
    c.add('npy-out-pair', 'two results need --select', 'tcum cummax -d 0 --select indices -f npy - | tcum show -',
          stdin='[3, 1, 4]\n', stdout=tp(torch.cummax(torch.tensor([3, 1, 4]), 0).indices))

    # ---- hostile npy ----
    good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
    bad = [
        ('empty', b'', 'fmt', err('not-npy')),  # empty input is detected as CSV; force npy
        ('magic-only', b'\x93NUMPY', None, err('short', n=6)),
        ('short-prefix', b'\x93NUMPY\x01\x00\x10', None, err('short', n=9)),
        ('version', npy_bytes(good, (4, 0)) + bytes(24), None, err('version', v='4.0')),
        ('hlen', npy_bytes(good, hlen=60000) + bytes(24), None,
         err('hlen', h=60000, n=len(npy_bytes(good)) + 24 - 10)),
        ('hlen-v2', npy_bytes(good, (2, 0), hlen=0xffffffff) + bytes(24), None,
         err('hlen', h=0xffffffff, n=len(npy_bytes(good, (2, 0))) + 24 - 12)),
        ('data', npy_bytes(good) + bytes(23), None, err('data', e=6, b=24, n=23)),
        ('nodata', npy_bytes(good), None, err('data', e=6, b=24, n=0)),
        ('noshape', npy_bytes("{'descr': '<f4', 'fortran_order': False}") + bytes(24), None,
         err('missing', k='shape')),
        ('nodescr', npy_bytes("{'fortran_order': False, 'shape': (2,)}") + bytes(24), None,
         err('missing', k='descr')),
        ('noorder', npy_bytes("{'descr': '<f4', 'shape': (2,)}") + bytes(24), None,
         err('missing', k='fortran_order')),
        ('junk', npy_bytes(good[:-1] + '} junk') + bytes(24), None, err('junk')),
        ('key', npy_bytes(good[:-1] + "'x': 1}") + bytes(24), None, err('key')),
        ('overflow', npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4), }")
         + bytes(24), None, err('overflow')),
        ('huge', npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000,), }") + bytes(24),
         None, err('data', e=100000000000, b=800000000000, n=24)),
        ('bigdim', npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }"),
         None, err('bigdim')),
        ('negdim', npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }"), None, err('negdim')),
        ('structured', npy_bytes("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (2,), }"),
         None, err('structured')),
        ('unicode', npy_bytes("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }") + bytes(24),
         None, err('dtype', d='<U3')),
        ('object', npy_bytes("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }"), None,
         err('dtype', d='|O')),
        ('timedelta', npy_bytes("{'descr': '<m8[s]', 'fortran_order': False, 'shape': (2,), }") + bytes(16), None,
         err('dtype', d='<m8[s]')),
        ('order', npy_bytes("{'descr': '<f4', 'fortran_order': 1, 'shape': (2,), }") + bytes(8), None,
         err('fortran')),
        ('nodict', npy_bytes("'descr': '<f4'") + bytes(8), None, err('dict')),
        ('tuple', npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3"), None, err('tuple')),
        ('ndim', npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (" + '1, ' * 70 + '), }')
         + bytes(4), None, err('ndim')),
    ]
    for name, data, flag, expect in bad:
        f = save_bytes('bad-%s.npy' % name, data)
        cmd = 'tcum show %s%s' % ('--input-format npy ' if flag else '', f)
        c.add('npy-bad-%s' % name, 'hostile npy: %s' % name, cmd, stderr=expect, status=2)
    # lenient where NumPy is: trailing bytes, double quotes, Python 2 longs, '=' and '|' orders
    tz = torch.zeros(2, 3)
    for name, hdr in (('trailing', good), ('dquote', '{"descr": "<f4", "fortran_order": False, "shape": (2, 3), }'),
                      ('long', "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }"),
                      ('native', "{'descr': '=f4', 'fortran_order': False, 'shape': (2, 3), }")):
        f = save_bytes('ok-%s.npy' % name, npy_bytes(hdr) + bytes(24 + (8 if name == 'trailing' else 0)))
        c.add('npy-ok-%s' % name, 'accepted: %s' % name, 'tcum show %s' % f, stdout=tp(tz))

    # ---- assert-close ----
    def ac(cid, desc, a, b, opts='', fmt='npy', expect_error=None, **kw):
        """A case comparing tensors a and b, saved as npy (or tcum's JSON object form)."""
        paths = []
        for tag, t in (('a', a), ('b', b)):
            if fmt == 'npy':
                paths.append(save_npy('ac-%s-%s.npy' % (cid, tag), t.numpy()))
            else:
                name = 'ac-%s-%s.json' % (cid, tag)
                with open(os.path.join(FILES, name), 'w') as fh:
                    fh.write(json_out(t))
                paths.append(REL + '/' + name)
        cmd = 'tcum assert-close %s %s%s' % (paths[0], paths[1], opts)
        if expect_error:
            c.add('ac-' + cid, desc, cmd, stderr='tcum: %s\n' % expect_error, status=2)
            return
        kw.setdefault('check_dtype', False)
        try:
            torch.testing.assert_close(a, b, **kw)
            c.add('ac-' + cid, desc, cmd, stdout='')
        except AssertionError as e:
            c.add('ac-' + cid, desc, cmd, stdout=str(e) + '\n', status=1)
        except ValueError as e:
            c.add('ac-' + cid, desc, cmd, stderr='tcum: %s\n' % e, status=2)

    nan, inf = float('nan'), float('inf')
    f32 = lambda v: torch.tensor(v, dtype=torch.float32)  # noqa: E731
    f64 = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    ac('close', 'close within the default float32 tolerance', f32([1, 2, 3]), f32([1, 2, 3.000001]))
    ac('spec', "SPEC's example", f32([1, 2, 3, 4]), f32([1, 2.5, 3, 4]))
    ac('f64', 'float64 tolerances', f64([1, 2, 3]), f64([1, 2 + 1e-6, 3]))
    ac('f64-2d', 'index tuple of a 2-D tensor', f64([[0.1, 0.2], [0.3, 0.4]]), f64([[0.1, 0.2], [0.3, 0.5]]))
    a3 = f32(np.arange(24).reshape(2, 3, 4) / 7)
    b3 = a3.clone()
    b3[0, 1, 2] += 0.01
    b3[1, 2, 3] += 0.5
    ac('3d', '3-D, several mismatches', a3, b3)
    ac('nan', 'nan is not close to nan by default', f32([1, nan, 3]), f32([1, nan, 3]))
    ac('nan-equal', '--equal-nan', f32([1, nan, 3]), f32([1, nan, 3]), ' --equal-nan', equal_nan=True)
    ac('nan-vs-num', 'nan against a number', f32([1, nan, 3]), f32([1, 2, 3]), ' --equal-nan', equal_nan=True)
    ac('inf', 'inf matches inf', f32([inf, -inf]), f32([inf, -inf]))
    ac('inf-sign', 'inf against -inf', f32([inf, 1]), f32([-inf, 1]))
    ac('zero-expected', 'relative difference against 0 is inf', f32([1, 0.5]), f32([0, 0.5]))
    ac('int', 'integers compare for equality', torch.tensor([1, 2, 3, 4, 5, 6, 7]), torch.tensor([1, 2, 3, 4, 5, 6, 9]))
    ac('int-rel', 'integer relative difference is float32', torch.tensor([1, 2, 3]), torch.tensor([1, 5, 4]))
    ac('int-tol', 'integers with tolerances', torch.tensor([10, 20, 30]), torch.tensor([11, 25, 30]),
       ' --rtol 0.1 --atol 0', rtol=0.1, atol=0.0)
    ac('int-wrap', 'int64 differences wrap as in PyTorch', torch.tensor([2 ** 62, -2 ** 62]),
       torch.tensor([-2 ** 62, 2 ** 62]), ' --rtol 0.1 --atol 1', rtol=0.1, atol=1.0)
    ac('bool', 'bool compares as integers', torch.tensor([True, False, True]), torch.tensor([True, True, True]))
    ac('u8', 'uint8', torch.tensor([0, 255], dtype=torch.uint8), torch.tensor([1, 255], dtype=torch.uint8))
    ac('scalar', '0-d tensors give the Scalars report', f32(1.0), f32(1.5))
    ac('scalar-int', '0-d integers', torch.tensor(3), torch.tensor(0))
    ac('scalar-big', '0-d int64 difference beyond int64 (Python arithmetic)', torch.tensor(2 ** 62),
       torch.tensor(-2 ** 62))
    ac('scalar-nan', '0-d nan', f64(nan), f64(nan))
    ac('shape', 'shape mismatch', f32([1, 2]), f32([1, 2, 3]))
    ac('shape-0d', 'shape mismatch with a 0-d tensor', f32(1), f32([1]))
    ac('dtype', 'dtype mismatch with --check-dtype', f32([1, 2]), f64([1, 2]), ' --check-dtype', check_dtype=True)
    ac('dtype-off', 'different dtypes compare after promotion by default', f32([1, 2]), f64([1, 2.5]))
    ac('int-float', 'int64 against float32: loosest tolerance', torch.tensor([1, 2, 3]), f32([1, 2, 3.5]))
    ac('int-f16', 'int64 promoted to float16 first', torch.tensor([2049, 1]),
       torch.tensor([2048, 1], dtype=torch.float16))
    ac('f16', 'float16 tolerances', torch.tensor([1, 2.0], dtype=torch.float16),
       torch.tensor([1, 2.01], dtype=torch.float16))
    ac('bf16', 'bfloat16 tolerances (json input)', torch.tensor([1, 2.0, 3], dtype=torch.bfloat16),
       torch.tensor([1, 2.5, 3.01], dtype=torch.bfloat16), fmt='json')
    ac('f16-bf16', 'float16 with bfloat16 promote to float32', torch.tensor([1, 2.0], dtype=torch.float16),
       torch.tensor([1, 2.5], dtype=torch.bfloat16), fmt='json')
    ac('c64', 'complex64', torch.tensor([1 + 1j, 2 - 1j]), torch.tensor([1 + 1j, 2 - 1.5j]))
    ac('c128-nan', 'complex128 with nan and inf parts',
       torch.tensor([5 + 1j, complex(inf, 1), 1e-7 + 1j, 1 + 1e-7j, complex(12346, inf), 1 + 5j],
                    dtype=torch.complex128),
       torch.tensor([5 + 1j, complex(inf, 1), 1e-7 + 1j, 1 + 1e-7j, complex(nan, 0), 1 + 5j],
                    dtype=torch.complex128))
    ac('c128-scalar', '0-d complex', torch.tensor(1 + 1j, dtype=torch.complex128),
       torch.tensor(1 + 2j, dtype=torch.complex128))
    ac('tol', 'explicit tolerances', f64([1, 2, 3]), f64([1.1, 2, 3]), ' --rtol 0.01 --atol 0.05',
       rtol=0.01, atol=0.05)
    ac('tol-close', 'explicit tolerances, close', f64([1, 2, 3]), f64([1.1, 2, 3]), ' --rtol 0.1 --atol 0',
       rtol=0.1, atol=0.0)
    ac('tol-zero', 'zero tolerances ask for equality', f64([1, 2]), f64([1, 2.0000001]), ' --rtol 0 --atol 0',
       rtol=0.0, atol=0.0)
    ac('rtol-only', '--rtol without --atol is an error', f64([1]), f64([1]), ' --rtol 0.1', rtol=0.1)
    ac('atol-only', '--atol without --rtol is an error', f64([1]), f64([1]), ' --atol 0.1', atol=0.1)
    # assert_close wraps isclose's RuntimeError in noise; tcum gives isclose's message
    for cid, rt, at in (('rtol-neg', '-0.1', '0'), ('atol-neg', '0', '-1e-10'), ('rtol-nan', 'nan', '0')):
        try:
            torch.isclose(f64([1]), f64([1]), rtol=float(rt), atol=float(at))
            raise AssertionError('isclose accepted the tolerances')
        except RuntimeError as e:
            msg = str(e).split('\n')[0]
        ac(cid, 'tolerances must be non-negative', f64([1]), f64([2]), ' --rtol %s --atol %s' % (rt, at),
           expect_error=msg)
    ac('empty', 'empty tensors are close', f32([]), f32([]))
    big_a = torch.tensor([i / 999 for i in range(1000)], dtype=torch.float64).float()
    big_b = big_a.clone()
    big_b[::7] += 1e-3
    ac('many', '1000 elements, 143 mismatches', big_a, big_b)
    ac('json', 'inputs in JSON', f32([[1, 2], [3, 4]]), f32([[1, 2], [3, 4.5]]), fmt='json')
    # csv against json: the formats may differ
    with open(os.path.join(FILES, 'ac-mixed-a.csv'), 'w') as fh:
        fh.write('1.0,2.0,3.0\n')
    with open(os.path.join(FILES, 'ac-mixed-b.json'), 'w') as fh:
        fh.write('[1.0, 2.0, 3.5]\n')
    try:
        torch.testing.assert_close(f32([1, 2, 3]), f32([1, 2, 3.5]))
    except AssertionError as e:
        rep = str(e) + '\n'
    c.add('ac-csv-json', 'CSV against JSON', 'tcum assert-close %s/ac-mixed-a.csv %s/ac-mixed-b.json' % (REL, REL),
          stdout=rep, status=1)
    c.add('ac-stdin', 'ACTUAL from standard input', 'tcum assert-close - %s/ac-mixed-b.json' % REL,
          stdin='1.0,2.0,3.0\n', stdout=rep, status=1)

    c.write()


if __name__ == '__main__':
    main()
