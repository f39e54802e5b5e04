#!/usr/bin/python3
"""Generate testdata/files.test: compressed input, .npz archives and the
refusal of binary data (issue 13, items 4, 5 and 8).

Run with /usr/bin/python3 from anywhere.  Writes the inputs under
testdata/files/compress/ (gzip, bzip2 and xz by Python's gzip, bz2 and
lzma modules, zstd by the `zstd` command), testdata/files/npz/ (by NumPy's
savez and savez_compressed: NumPy 1.24 here, NumPy 2.2 in the Debian 13
chroot at /work/chroot/trixie when it is there, else the committed 2.2
files are kept) and testdata/files/binary/, and the cases to
testdata/files.test.

Expected outputs come from PyTorch and NumPy: print() of the op's result
on the tensor the data holds, NumPy's own names, dtypes and shapes for
`show --list`.  Broken inputs are broken here, byte by byte (cut, flipped,
lying zip directories); where an error's byte offset is the codec's (zlib
stopping at a bad block type or checksum), it follows from the file's
layout: a gzip header is 10 bytes, the CRC-32 and length its last 8, the
checksums of bzip2, xz and zstd data are at their very end.  The reasons
zlib and zstd give come from zlib (Python's zlib module) and `zstd -t`.
tcum's own messages are specification: the MSG table.
"""
import bz2
import gzip
import io
import lzma
import os
import random
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib

import numpy as np
import torch

from gen_lib import HERE, Cases, torch_print

ROOT = os.path.dirname(HERE)
COMP, NPZ, BIN = 'compress', 'npz', 'binary'
CHROOT = '/work/chroot/trixie'

# tcum's own messages, after "tcum: ", status 2.
MSG = {
    'truncated': '{f}: truncated {c} data',
    'corrupt': '{f}: corrupt {c} data at byte {n}',
    'corrupt-why': '{f}: corrupt {c} data at byte {n} ({why})',
    'garbage': '{f}: trailing garbage after {c} data at byte {n}',
    'binary': '{f} is not CSV, JSON, npy or a PyTorch repr (binary data at byte {n})',
    'utf16': '{f} is UTF-16 text, not UTF-8 (binary data at byte {n}: '
             'convert it with iconv -f UTF-16 -t UTF-8)',
    'no-data': 'no data',
    'mixed': "{f}:{line}:{col}: column {c} mixes numbers and words: '{v}' is not a number "
             "(pass --na if it marks a missing value, or pick the columns with -c)",
    'npz-name': "no array '{name}' in the npz archive (its arrays: {names})",
    'npz-none': 'no arrays in the npz archive',
    'npz-torch': 'no arrays in the npz archive (it looks like a torch.save file: save the '
                 'tensor with numpy.save or numpy.savez instead)',
    'npz-not': "{f} is not an npz archive, so it has no array '{name}'",
    'list-not': '{f} is not an npz archive (--list lists an npz\'s arrays)',
    'list-op': '--list applies to show only, not {op}',
    'list-bad': 'cannot read it: array \'{name}\' of the npz: {why}',
    'npy-dtype': "unsupported npy dtype '{d}' (tcum reads b1 u1 u2 u4 u8 i1 i2 i4 i8 f2 f4 f8 c8 c16)",
    'npy-data': 'truncated npy data: the shape needs {e} elements ({b} bytes) '
                'but only {n} bytes follow the header',
    'npz-array': "array '{name}' of the npz: {why}",
    'zip': 'corrupt npz archive: {why}',
    'method': "'{m}' in the npz archive uses compression method {k} "
              "(tcum reads stored and deflated members)",
    'encrypted': "'{m}' in the npz archive is encrypted",
    'open': 'cannot open {f}: No such file or directory',
}


def msg(key, **kw):
    return 'tcum: ' + MSG[key].format(**kw) + '\n'


def rel(sub, name):
    return 'testdata/files/%s/%s' % (sub, name)


def write(sub, name, data):
    d = os.path.join(HERE, 'files', sub)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode('utf-8')
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)
    return rel(sub, name)


def read(sub, name):
    with open(os.path.join(HERE, 'files', sub, name), 'rb') as f:
        return f.read()


# ---- codecs ------------------------------------------------------------------

def zstd(data):
    return subprocess.run(['zstd', '-q', '-c', '--no-progress'], input=data,
                          stdout=subprocess.PIPE, check=True).stdout


CODECS = [  # name, extension, compress
    ('gzip', 'gz', lambda d: gzip.compress(d, mtime=0)),
    ('bzip2', 'bz2', bz2.compress),
    ('xz', 'xz', lambda d: lzma.compress(d, format=lzma.FORMAT_XZ)),
    ('zstd', 'zst', zstd),
]


def zlib_reason(data):
    """zlib's message for gzip data that does not decode."""
    try:
        zlib.decompress(data, 31)
    except zlib.error as e:
        return str(e).split(': ', 1)[1]
    raise ValueError('data decodes')


def zstd_reason(data):
    """libzstd's message, as `zstd -t` prints it, for data that does not decode."""
    p = subprocess.run(['zstd', '-t', '-q'], input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    assert p.returncode != 0
    return p.stderr.decode().strip().rsplit(' : ', 1)[1].strip()


# ---- text of results -----------------------------------------------------------

def csv_text(t):
    """A 2-D int64 or float32 tensor as tcum writes CSV (NumPy's float32 repr)."""
    def one(v):
        if t.dtype == torch.float32:
            return str(np.float32(v))   # the shortest text; NumPy 2 reprs as np.float32(...)
        return str(int(v))
    return ''.join(','.join(one(v) for v in row) + '\n' for row in t.tolist())


def show(t):
    return torch_print(t)


def utf8_len(m, i):
    """Length of the UTF-8 sequence at m[i] (a cut one counts whole), 0 if invalid."""
    c = m[i]
    n = 1 if c < 0x80 else 0 if c < 0xc2 else 2 if c < 0xe0 else 3 if c < 0xf0 else 4 if c < 0xf5 else 0
    for k in range(1, n):
        if i + k < len(m) and m[i + k] & 0xc0 != 0x80:
            return 0
    return min(n, len(m) - i)


def binary_at(data):
    """tcum's test for binary data (Perl's -B, safe for 8-bit text): a NUL in
    the first 8000 bytes, or a control character text does not hold and over
    a third of the bytes odd (such controls, bytes that are not UTF-8)."""
    m = data[:8000]
    if b'\0' in m:
        return m.index(b'\0')
    odd, control, i = [], False, 0
    while i < len(m):
        c = m[i]
        n = 1 if c < 0x80 else utf8_len(m, i)
        ctl = (c < 0x20 and not 7 <= c <= 13 and c not in (0x1a, 0x1b)) or c == 0x7f
        if ctl or n == 0:
            control |= ctl
            odd.append(i)
            n = 1
        i += n
    return odd[0] if control and len(odd) * 3 > len(m) else None


# ---- inputs in every format ------------------------------------------------------

def formats():
    """(extension, bytes, tensor) for CSV, JSON, npy and a PyTorch repr."""
    rows = [[0.5, 1.25, -2.0], [3.5, 4.0, 0.125], [0.001, 2.5, 7.0], [-1.5, 0.75, 3.0]]
    csv = ''.join(','.join(repr(v) for v in r) + '\n' for r in rows).encode()
    xj = [[1, 2, 3], [4, 5, 6]]
    a = np.arange(12, dtype=np.float64).reshape(3, 4) / 4
    buf = io.BytesIO()
    np.save(buf, a)
    xt = torch.tensor([[1.5, -2.25], [3.0, 4.75]], dtype=torch.float64)
    return [
        ('csv', csv, torch.tensor(rows)),
        ('json', (repr(xj) + '\n').encode(), torch.tensor(xj)),
        ('npy', buf.getvalue(), torch.from_numpy(a)),
        ('txt', torch_print(xt).encode(), xt),
    ]


def gen_compressed(c):
    # Every format inside every codec, from a file and from a pipe.
    for ext, data, x in formats():
        want = show(torch.cumsum(x, 0))
        for name, cext, comp in CODECS:
            p = write(COMP, 'data.%s.%s' % (ext, cext), comp(data))
            c.add('comp-%s-%s-file' % (name, ext), '%s file holding %s' % (name, ext),
                  'tcum cumsum --dim 0 %s' % p, want)
            c.add('comp-%s-%s-pipe' % (name, ext), '%s on standard input holding %s' % (name, ext),
                  'cat %s | tcum cumsum --dim 0' % p, want)
            if ext == 'csv':
                # CSV in, CSV out: the streamed path reads through the decoder too
                c.add('comp-%s-csv-stream-file' % name, '%s CSV streamed to CSV' % name,
                      'tcum cumsum --dim 0 -f csv %s' % p, csv_text(torch.cumsum(x, 0)))
                c.add('comp-%s-csv-stream-pipe' % name, '%s CSV streamed from a pipe' % name,
                      'cat %s | tcum cumsum --dim 0 -f csv -' % p, csv_text(torch.cumsum(x, 0)))

    # Concatenated members, streams and frames read as one; cut mid-line.
    rows = [[i, i * i % 17, -i] for i in range(1, 9)]
    text = ''.join('%d,%d,%d\n' % tuple(r) for r in rows).encode()
    x = torch.tensor(rows)
    cut = text.index(b'\n', len(text) // 2) - 2
    for name, cext, comp in CODECS:
        data = comp(text[:cut]) + comp(text[cut:])
        if name == 'zstd':
            # a skippable frame first, as zstd allows
            data = struct.pack('<II', 0x184D2A50, 4) + b'skip' + data
        p = write(COMP, 'multi.csv.%s' % cext, data)
        c.add('comp-%s-multi' % name, 'two %s members, split mid-line, read as one' % name,
              'tcum cumsum --dim 0 %s' % p, show(torch.cumsum(x, 0)))
        c.add('comp-%s-multi-stream' % name, 'two %s members streamed from a pipe' % name,
              'cat %s | tcum cumsum --dim 0 -f csv -' % p, csv_text(torch.cumsum(x, 0)))
        p = write(COMP, 'padded.csv.%s' % cext, comp(text) + b'\0' * 512)
        c.add('comp-%s-padded' % name, '%s data then zero padding (ignored)' % name,
              'tcum sum --dim 0 %s' % p, show(torch.sum(x, 0)))

    # The magic decides, not the name.
    p = write(COMP, 'gzip-named.csv', gzip.compress(text, mtime=0))
    c.add('comp-magic-not-name', 'gzip data in a file named .csv',
          'tcum sum --dim 0 %s' % p, show(torch.sum(x, 0)))
    p = write(COMP, 'plain-named.csv.gz', text)
    c.add('comp-plain-named-gz', 'plain CSV in a file named .gz',
          'tcum sum --dim 0 %s' % p, show(torch.sum(x, 0)))
    p = write(COMP, 'empty.csv.gz', gzip.compress(b'', mtime=0))
    c.add('comp-empty', 'gzip of nothing', 'tcum show %s' % p, stderr=msg('no-data'), status=2)

    # Bigger than the 64 KiB buffers: many reads through the decoder.
    big = [[i, (i * 7919) % 1000, i % 13] for i in range(20000)]
    btext = ''.join('%d,%d,%d\n' % tuple(r) for r in big).encode()
    bx = torch.tensor(big)
    last = csv_text(torch.cumsum(bx, 0)[-2:])
    for name, cext, comp in CODECS:
        p = write(COMP, 'big.csv.%s' % cext, comp(btext))
        c.add('comp-%s-big' % name, '%d bytes of CSV in %s' % (len(btext), name),
              'tcum sum --dim 0 %s' % p, show(torch.sum(bx, 0)))
        c.add('comp-%s-big-stream' % name, 'the same streamed from a pipe, last rows',
              'cat %s | tcum cumsum --dim 0 -f csv - | tail -n 2' % p, last)

    # ---- broken data: one line, status 2 -------------------------------------
    for name, cext, comp in CODECS:
        good = comp(text)
        p = write(COMP, 'cut.csv.%s' % cext, good[:len(good) // 2])
        err = msg('truncated', f=p, c=name)
        c.add('comp-%s-cut-file' % name, '%s file cut in half' % {'xz': 'an xz'}.get(name, 'a ' + name), 'tcum show %s' % p,
              stderr=err, status=2)
        c.add('comp-%s-cut-pipe' % name, 'the same on standard input', 'cat %s | tcum show' % p,
              stderr=msg('truncated', f='<stdin>', c=name), status=2)
        c.add('comp-%s-cut-stream' % name, 'the same streamed (rows before the cut may go out)',
              'tcum cumsum --dim 0 -f csv %s >/dev/null' % p, stderr=err, status=2)
        p = write(COMP, 'garbage.csv.%s' % cext, good + b'garbage\n')
        c.add('comp-%s-garbage' % name, '%s data then something else' % name, 'tcum show %s' % p,
              stderr=msg('garbage', f=p, c=name, n=len(good)), status=2)
        c.add('comp-%s-garbage-pipe' % name, 'the same on standard input',
              'cat %s | tcum show -' % p, stderr=msg('garbage', f='<stdin>', c=name, n=len(good)),
              status=2)
        # A flipped checksum at the very end: found once everything is read.
        bad = bytearray(good)
        bad[{'gzip': -8, 'bzip2': -2, 'xz': -3, 'zstd': -1}[name]] ^= 0xff
        bad = bytes(bad)
        p = write(COMP, 'check.csv.%s' % cext, bad)
        n = len(bad) - 4 if name == 'gzip' else len(bad)
        if name in ('gzip', 'zstd'):
            why = zlib_reason(bad) if name == 'gzip' else zstd_reason(bad)
            err = msg('corrupt-why', f=p, c=name, n=n, why=why)
        else:
            err = msg('corrupt', f=p, c=name, n=n)
        c.add('comp-%s-checksum' % name, '%s checksum that does not match' % {'xz': 'an xz'}.get(name, 'a ' + name),
              'tcum show %s' % p, stderr=err, status=2)

    good = gzip.compress(text, mtime=0)
    bad = bytearray(good)
    bad[-1] ^= 0xff
    p = write(COMP, 'length.csv.gz', bytes(bad))
    c.add('comp-gzip-length', 'a gzip length field that does not match', 'tcum show %s' % p,
          stderr=msg('corrupt-why', f=p, c='gzip', n=len(bad), why=zlib_reason(bytes(bad))), status=2)
    bad = bytearray(good)
    bad[10] |= 0x06          # the first block's type: 3, reserved
    p = write(COMP, 'blocktype.csv.gz', bytes(bad))
    c.add('comp-gzip-blocktype', 'a reserved deflate block type right after the header',
          'tcum show %s' % p,
          stderr=msg('corrupt-why', f=p, c='gzip', n=11, why=zlib_reason(bytes(bad))), status=2)
    p = write(COMP, 'magic-only.bz2', b'BZh91AY')
    c.add('comp-bzip2-magic-cut', 'a bzip2 magic cut short', 'tcum show %s' % p,
          stderr=msg('truncated', f=p, c='bzip2'), status=2)
    # "BZh" alone is no bzip2 magic: a CSV may start so.
    p = write(COMP, 'bzh.csv', b'BZh1,x\n1,2\n3,4\n')
    c.add('comp-bzh-text', 'a CSV header starting with BZh stays CSV', 'tcum show %s' % p,
          show(torch.tensor([[1, 2], [3, 4]])))


# ---- npz ---------------------------------------------------------------------------

def npz_arrays():
    """The arrays written by savez: keywords first, then arr_0, as numpy names them."""
    return dict(
        pos=[np.arange(6).reshape(2, 3)],
        kw=dict(b=np.array([1.5, 2.5], dtype=np.float32), z=np.float64(3.25),
                s=np.array(['ab', 'c']), h=np.array([[0.5, -1.0]], dtype=np.float16)),
        ckw=dict(x=np.eye(3), y=np.array([True, False, True]),
                 big=np.arange(10000, dtype=np.int32).reshape(100, 100),
                 c=np.array([1 + 2j, -0.5j], dtype=np.complex64)),
    )


SAVE_SCRIPT = r'''
import sys
import numpy as np
d = sys.argv[1]
pos = [np.arange(6).reshape(2, 3)]
kw = dict(b=np.array([1.5, 2.5], dtype=np.float32), z=np.float64(3.25),
          s=np.array(['ab', 'c']), h=np.array([[0.5, -1.0]], dtype=np.float16))
ckw = dict(x=np.eye(3), y=np.array([True, False, True]),
           big=np.arange(10000, dtype=np.int32).reshape(100, 100),
           c=np.array([1 + 2j, -0.5j], dtype=np.complex64))
np.savez(d + '/np%s-savez.npz', *pos, **kw)
np.savez_compressed(d + '/np%s-compressed.npz', **ckw)
'''


class NoSeek(io.RawIOBase):
    """A write-only stream that cannot seek or tell, as a pipe: zipfile then
    writes data descriptors (flag bit 3) after each member."""

    def __init__(self):
        self.buf = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.buf += bytes(b)
        return len(b)


def lie(data, fn):
    """Apply fn to a bytearray copy of data and return the bytes."""
    b = bytearray(data)
    fn(b)
    return bytes(b)


def zip_layout(data):
    """(infos, central directory offset, end record offset) of a zip."""
    z = zipfile.ZipFile(io.BytesIO(data))
    eocd = data.rindex(b'PK\x05\x06')
    cdoff = struct.unpack_from('<I', data, eocd + 16)[0]
    return z.infolist(), cdoff, eocd


def central_entries(data):
    """Offsets of the central directory entries, in order."""
    _, cdoff, eocd = zip_layout(data)
    out, i = [], cdoff
    while i < eocd and data[i:i + 4] == b'PK\x01\x02':
        out.append(i)
        n, m, k = struct.unpack_from('<HHH', data, i + 28)
        i += 46 + n + m + k
    return out


def gen_npz(c):
    a = npz_arrays()
    d = os.path.join(HERE, 'files', NPZ)
    os.makedirs(d, exist_ok=True)
    if not np.__version__.startswith('1.'):
        # regen.sh's PyTorch 2.6 pass, in the chroot: NumPy 2.2 writes its own files
        subprocess.run([sys.executable, '-c', SAVE_SCRIPT.replace('%s', '22'), d], check=True)
    else:
        np.savez(os.path.join(d, 'np124-savez.npz'), *a['pos'], **a['kw'])
        np.savez_compressed(os.path.join(d, 'np124-compressed.npz'), **a['ckw'])
        if os.path.isdir(CHROOT) and os.geteuid() == 0:
            subprocess.run(['chroot', CHROOT, 'python3', '-c', SAVE_SCRIPT.replace('%s', '22'), d],
                           check=True)
    for v in ('22',):
        for k in ('savez', 'compressed'):
            assert os.path.exists(os.path.join(d, 'np%s-%s.npz' % (v, k))), \
                'np%s-%s.npz: run once where the chroot is' % (v, k)

    for ver in ('124', '22'):
        for kind in ('savez', 'compressed'):
            name = 'np%s-%s.npz' % (ver, kind)
            p = rel(NPZ, name)
            z = np.load(os.path.join(d, name))
            files = z.files
            tag = 'npz-%s-%s' % (ver, kind)
            first = files[0]
            c.add(tag + '-first', '%s: the first array (%s)' % (name, first), 'tcum show %s' % p,
                  show(torch.from_numpy(z[first])))
            lines = []
            for f in files:
                arr = z[f]
                try:
                    t = torch.from_numpy(arr)
                except TypeError:
                    t = None
                if t is None or arr.dtype.kind == 'U':
                    why = MSG['npy-dtype'].format(d=np.lib.format.dtype_to_descr(arr.dtype))
                    lines.append('%s\t%s\n' % (f, MSG['list-bad'].format(name=f, why=why)))
                    c.add('%s-%s' % (tag, f), '%s: an array tcum cannot read' % name,
                          'tcum show %s:%s' % (p, f),
                          stderr=msg('npz-array', name=f, why=why), status=2)
                    continue
                lines.append('%s\t%s\t%r\n' % (f, arr.dtype, arr.shape))
                if arr.size > 100:
                    c.add('%s-%s' % (tag, f), '%s: array %s, summed' % (name, f),
                          'tcum sum %s:%s' % (p, f), show(torch.sum(t)))
                else:
                    c.add('%s-%s' % (tag, f), '%s: array %s' % (name, f),
                          'tcum show %s:%s' % (p, f), show(t))
            c.add(tag + '-list', '%s: show --list' % name, 'tcum show %s --list' % p, ''.join(lines))
            c.add(tag + '-unknown', '%s: an unknown name lists the names' % name,
                  'tcum show %s:nope' % p,
                  stderr=msg('npz-name', name='nope', names=', '.join("'%s'" % f for f in files)),
                  status=2)
            c.add(tag + '-pipe', '%s on standard input: the first array' % name,
                  'cat %s | tcum show' % p, show(torch.from_numpy(z[first])))
            c.add(tag + '-pipe-name', '%s on standard input, by name: -:NAME' % name,
                  'cat %s | tcum show -:%s' % (p, files[-1]), show(torch.from_numpy(z[files[-1]])))

    # By full member name, an op on it, and with --dim.
    p = rel(NPZ, 'np124-savez.npz')
    x = torch.from_numpy(a['pos'][0])
    c.add('npz-member-name', 'NAME.npy names the member', 'tcum show %s:b.npy' % p,
          show(torch.from_numpy(a['kw']['b'])))
    c.add('npz-op', 'an op on an array of an npz', 'tcum cumsum --dim 1 %s:arr_0' % p,
          show(torch.cumsum(x, 1)))
    c.add('npz-csv-out', 'an npz array out as CSV', 'tcum cumsum --dim 0 -f csv %s:arr_0' % p,
          csv_text(torch.cumsum(x, 0)))
    c.add('npz-list-pipe', 'show --list on standard input', 'cat %s | tcum show - --list' % p,
          ''.join('%s\t%s\t%r\n' % (f, a['kw'][f].dtype, a['kw'][f].shape)
                  if a['kw'][f].dtype.kind != 'U' else
                  '%s\t%s\n' % (f, MSG['list-bad'].format(
                      name=f, why=MSG['npy-dtype'].format(d=np.lib.format.dtype_to_descr(a['kw'][f].dtype))))
                  for f in a['kw']) + 'arr_0\tint64\t(2, 3)\n')
    c.add('npz-list-name', 'show --list of one array', 'tcum show %s:h --list' % p,
          'h\tfloat16\t(1, 2)\n')

    # Written to a pipe: data descriptors after each member.
    s = NoSeek()
    np.savez(s, *a['pos'], **a['kw'])
    data = bytes(s.buf)
    assert all(i.flag_bits & 8 for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    p = write(NPZ, 'pipe.npz', data)
    c.add('npz-descriptor', 'an npz written to a pipe (data descriptors)', 'tcum show %s:arr_0' % p,
          show(x))
    s = NoSeek()
    np.savez_compressed(s, **a['ckw'])
    p = write(NPZ, 'pipe-compressed.npz', bytes(s.buf))
    c.add('npz-descriptor-deflated', 'deflated, with data descriptors', 'tcum show %s:x' % p,
          show(torch.from_numpy(a['ckw']['x'])))

    # zip64 end records and central zip64 fields, as zipfile writes them for
    # archives past 4 GiB or 65535 members (its limits lowered to get them small).
    saved = zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT
    zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = 100, 1
    try:
        buf = io.BytesIO()
        np.savez(buf, *a['pos'], **a['kw'])
        data = buf.getvalue()
    finally:
        zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = saved
    assert b'PK\x06\x06' in data and b'PK\x06\x07' in data
    p = write(NPZ, 'zip64.npz', data)
    c.add('npz-zip64', 'zip64 end records and directory fields', 'tcum show %s:arr_0' % p, show(x))
    c.add('npz-zip64-list', 'zip64: --list', 'tcum show %s:z --list' % p, 'z\tfloat64\t()\n')

    # Compressed npz, and a file whose name holds ':'.
    p = write(NPZ, 'compressed.npz.gz', gzip.compress(read(NPZ, 'np124-compressed.npz'), mtime=0))
    c.add('npz-gzipped', 'a gzipped npz, by name', 'tcum show %s:y' % p,
          show(torch.from_numpy(a['ckw']['y'])))
    p = write(NPZ, 'x:1.csv', '1,2\n3,4\n')
    c.add('npz-colon-file', 'FILE:NAME is split only when no such file exists', 'tcum show %s' % p,
          show(torch.tensor([[1, 2], [3, 4]])))
    q = rel(COMP, 'data.csv.gz')
    c.add('npz-name-not-npz', 'FILE:NAME on a file that is no npz', 'tcum show %s:x' % q,
          stderr=msg('npz-not', f=q, name='x'), status=2)
    c.add('npz-name-no-file', 'FILE:NAME where FILE does not exist either',
          'tcum show testdata/files/npz/none.npz:x',
          stderr=msg('open', f='testdata/files/npz/none.npz:x'), status=2)
    c.add('npz-list-not-npz', '--list on a CSV', 'tcum show %s --list' % q,
          stderr=msg('list-not', f=q), status=2)
    c.add('npz-list-op', '--list with an op', 'tcum sum %s --list' % rel(NPZ, 'np124-savez.npz'),
          stderr=msg('list-op', op='sum'), status=2)

    # Archives with no arrays.
    buf = io.BytesIO()
    np.savez(buf)
    p = write(NPZ, 'empty.npz', buf.getvalue())
    c.add('npz-empty', 'numpy.savez of nothing', 'tcum show %s' % p, stderr=msg('npz-none'), status=2)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as z:
        z.writestr(zipfile.ZipInfo('readme.txt'), 'no arrays here\n')   # 1980: reproducible
    p = write(NPZ, 'text.zip', buf.getvalue())
    c.add('npz-no-npy', 'a zip with no .npy member', 'tcum show %s' % p, stderr=msg('npz-none'),
          status=2)
    buf = io.BytesIO()
    torch.save(torch.arange(3), buf)
    p = write(NPZ, 'torch-save.pt', buf.getvalue())
    c.add('npz-torch-save', 'a torch.save file (a zip with data.pkl)', 'tcum show %s' % p,
          stderr=msg('npz-torch'), status=2)

    # A member whose npy is cut short.
    good = io.BytesIO()
    np.save(good, np.arange(4, dtype=np.float64))
    npy = good.getvalue()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as z:
        z.writestr(zipfile.ZipInfo('t.npy'), npy[:-8])
    p = write(NPZ, 'cut-npy.npz', buf.getvalue())
    c.add('npz-cut-npy', 'an array whose npy data is cut short', 'tcum show %s' % p,
          stderr=msg('npz-array', name='t', why=MSG['npy-data'].format(e=4, b=32, n=24)), status=2)

    # ---- lying archives ----------------------------------------------------------
    base = read(NPZ, 'np124-savez.npz')
    infos, cdoff, eocd = zip_layout(base)
    cen = central_entries(base)
    first = infos[0]                      # b.npy, stored
    lh = first.header_offset

    def case(cid, desc, data, err):
        p = write(NPZ, cid + '.npz', data)
        c.add('npz-lie-' + cid, desc, 'tcum show %s' % p, stderr=err, status=2)

    case('cut', 'the end record cut off', base[:-10], msg('zip', why='no end of central directory record'))
    case('cdoff', 'the directory offset one byte off',
         lie(base, lambda b: struct.pack_into('<I', b, eocd + 16, cdoff + 1)),
         msg('zip', why='the central directory does not end where the end record starts'))
    case('count', 'more entries than the directory holds',
         lie(base, lambda b: struct.pack_into('<HH', b, eocd + 8, 1000, 1000)),
         msg('zip', why='more entries than the central directory can hold'))
    case('counts', 'the two entry counts disagree',
         lie(base, lambda b: struct.pack_into('<H', b, eocd + 8, 3)),
         msg('zip', why='entry counts disagree in the end record'))
    case('offset', 'a local header offset pointing elsewhere',
         lie(base, lambda b: struct.pack_into('<I', b, cen[0] + 42, 7)),
         msg('zip', why="no local header for 'b.npy' where the directory says"))
    case('offset-past', 'a local header offset past the directory',
         lie(base, lambda b: struct.pack_into('<I', b, cen[0] + 42, 0x7fffffff)),
         msg('zip', why="no local header for 'b.npy' where the directory says"))

    def sizes(b, cs, us):
        struct.pack_into('<II', b, cen[0] + 20, cs, us)
        struct.pack_into('<II', b, lh + 18, cs, us)
    case('size', 'stored sizes (both headers) running past the directory',
         lie(base, lambda b: sizes(b, 0x7fffffff, 0x7fffffff)),
         msg('zip', why="the data of 'b.npy' runs past the central directory"))
    case('size-local', 'the local header disagrees with the directory on sizes',
         lie(base, lambda b: struct.pack_into('<I', b, lh + 18, first.compress_size + 1)),
         msg('zip', why="the local header of 'b.npy' gives other sizes or CRC than the directory"))
    case('crc', 'a CRC-32 that does not match the data (both headers)',
         lie(base, lambda b: (struct.pack_into('<I', b, cen[0] + 16, first.CRC ^ 1),
                              struct.pack_into('<I', b, lh + 14, first.CRC ^ 1))),
         msg('zip', why="CRC-32 mismatch in 'b.npy'"))
    case('name', 'the local header names another file',
         lie(base, lambda b: b.__setitem__(lh + 30, ord('q'))),
         msg('zip', why="the local header of 'b.npy' names another file"))
    case('method', 'an unsupported compression method (both headers)',
         lie(base, lambda b: (struct.pack_into('<H', b, cen[0] + 10, 12),
                              struct.pack_into('<H', b, lh + 8, 12))),
         msg('method', m='b.npy', k=12))
    case('encrypted', 'an encrypted member',
         lie(base, lambda b: struct.pack_into('<H', b, cen[0] + 8, 1)),
         msg('encrypted', m='b.npy'))

    comp = read(NPZ, 'np124-compressed.npz')
    cinfos, _, _ = zip_layout(comp)
    ccen = central_entries(comp)
    x0 = cinfos[0]                         # x.npy, deflated
    case('ratio', 'a deflated member claiming more than deflate can expand to',
         lie(comp, lambda b: (struct.pack_into('<I', b, ccen[0] + 24, 0x7fffffff),
                              struct.pack_into('<I', b, x0.header_offset + 22, 0x7fffffff))),
         msg('zip', why="'x.npy' claims 2147483647 bytes from %d deflated ones" % x0.compress_size))
    nname, nextra = struct.unpack_from('<HH', comp, x0.header_offset + 26)   # the local header's
    start = x0.header_offset + 30 + nname + nextra
    raw = comp[start:start + x0.compress_size]
    bad = bytearray(raw)
    bad[0] |= 0x06           # a reserved block type
    try:
        zlib.decompress(bytes(bad), -15)
    except zlib.error as e:
        why = str(e).split(': ', 1)[1]
    case('deflate', 'bad deflate data in a member',
         comp[:start] + bytes(bad) + comp[start + len(bad):],
         msg('zip', why="bad deflate data in 'x.npy' (%s)" % why))


# ---- binary data -------------------------------------------------------------------

def gen_binary(c):
    rng = random.Random(13)
    noise = bytes(rng.randrange(1, 256) for _ in range(300))     # no NUL: the odd bytes tell
    cases = [
        ('random.bin', noise, 'random bytes'),
        ('image.png', b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10' + noise[:40], 'a PNG'),
        ('program', b'\x7fELF\x02\x01\x01\x00' + noise[:60], 'an ELF executable'),
        ('controls.csv', b'\x01\x02\x03,1\n', 'control characters, mostly'),
        ('nul.bin', b'1,2\n3,4\n\0\0\0\0', 'text, then NUL bytes'),
    ]
    for name, data, desc in cases:
        n = binary_at(data)
        assert n is not None, name
        p = write(BIN, name, data)
        c.add('bin-' + name.split('.')[0], desc, 'tcum show %s' % p, stderr=msg('binary', f=p, n=n),
              status=2)
    p = rel(BIN, 'random.bin')
    n = binary_at(noise)
    c.add('bin-pipe', 'random bytes on standard input', 'cat %s | tcum show' % p,
          stderr=msg('binary', f='<stdin>', n=n), status=2)
    c.add('bin-stream', 'random bytes, CSV output asked for', 'tcum cumsum --dim 0 -f csv %s' % p,
          stderr=msg('binary', f=p, n=n), status=2)
    q = write(BIN, 'random.bin.gz', gzip.compress(noise, mtime=0))
    c.add('bin-gzipped', 'random bytes inside gzip', 'tcum show %s' % q,
          stderr=msg('binary', f=q, n=n), status=2)
    data = '1,2\n3,4\n'.encode('utf-16')
    p = write(BIN, 'utf16.csv', data)
    c.add('bin-utf16', 'UTF-16 text (Excel\'s "Unicode Text")', 'tcum show %s' % p,
          stderr=msg('utf16', f=p, n=binary_at(data)), status=2)
    # Text stays text: Latin-1 in a header, one odd byte among many.
    p = write(BIN, 'latin1-header.csv', b'caf\xe9,na\xefve\n1,2\n3,4\n')
    c.add('bin-latin1', 'Latin-1 text is text, not binary', 'tcum show %s' % p,
          show(torch.tensor([[1, 2], [3, 4]])))
    p = write(BIN, 'latin1-key.csv.gz', gzip.compress(b'city,x\nZ\xfcrich,1\nBern,2\n', mtime=0))
    c.add('bin-latin1-key', 'a Latin-1 key column (gzipped) is text, passed through',
          'tcum cumsum --dim 0 %s' % p, show(torch.cumsum(torch.tensor([1, 2]), 0)))
    data = b'1,2\n3,4\x01\n'
    assert binary_at(data) is None
    p = write(BIN, 'one-odd.csv', data)
    c.add('bin-one-odd', 'one control character among text: a CSV error at its place',
          'tcum show %s' % p, stderr=msg('mixed', f=p, line=2, col=3, c=2, v='4\\x01'), status=2)
    # (--input-format csv skips the test: gen_read.py's csv-7.11 and
    # gen_badinput.py's bad-nul-csv read a NUL byte in a field so.)


def main():
    assert shutil.which('zstd'), 'the zstd command is needed'
    for sub in (COMP, BIN):
        d = os.path.join(HERE, 'files', sub)
        if os.path.isdir(d):
            shutil.rmtree(d)
    c = Cases('files.test', header=(
        'Compressed input (gzip, bzip2, xz, zstd), .npz archives and binary data.\n'
        'Generated by testdata/gen_files.py; do not edit.'))
    gen_compressed(c)
    gen_npz(c)
    gen_binary(c)
    c.write()


if __name__ == '__main__':
    main()
