"""table_model.py - what tcum does with a real table, computed by pandas and PyTorch.

Shared by the golden generator (gen_table.py) and the differential fuzzer
(fuzz_table.py).  pandas reads the table (quoting, missing values, which
columns hold numbers); PyTorch computes; tcum's layout rules put the header
and the key columns back around the result:

  - a column pandas reads as numbers (int, float, bool) is a value column,
    one it reads as text (object) is a key column; with `columns` the
    picked ones are the values;
  - the values are torch.tensor(rows), its dtype inferred as torch.tensor
    infers it (a missing value is a float nan) or input_dtype;
  - a single value column is 1-D; without a header a single row is 1-D
    and a single value 0-d; with a header one row stays a 1 x N table;
  - CSV output: the header when the input had one; each row the keys of
    the input row it came from, in their places; a reduction down the rows
    is one row under the value names; a reduction along the rows gives
    the keys and one column named after the op.

Numbers are written as tcum writes them: NumPy's shortest repr for
float32/float16, Python's for float64.
"""
import csv
import io
import math

import numpy as np
import pandas as pd
import torch

NA_DEFAULT = ['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND',
              '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null']


class Table:
    """A table as tcum reads it."""

    def __init__(self, names, roles, keys, values, header, column, delim):
        self.names = names          # header names (list) or None
        self.roles = roles          # 'key' / 'value' per column
        self.keys = keys            # per row: list of key texts (unquoted)
        self.values = values        # torch tensor, squeezed
        self.header = header
        self.column = column        # a single value column read as 1-D
        self.delim = delim

    @property
    def rich(self):
        return self.header or 'key' in self.roles

    @property
    def value_names(self):
        return [n for n, r in zip(self.names, self.roles) if r == 'value'] if self.names else None


def is_number(s):
    """Whether tcum reads s as a number (Python's int/float/complex literals, true/false)."""
    t = s.strip()
    if t.lower() in ('true', 'false'):
        return True
    try:
        float(t)
        return '_' not in t
    except ValueError:
        pass
    try:
        complex(t)
        return '_' not in t and ' ' not in t
    except ValueError:
        return False


def literal(s):
    """A numeric field as the Python value tcum reads."""
    t = s.strip()
    if t.lower() in ('true', 'false'):
        return t.lower() == 'true'
    try:
        return int(t)
    except ValueError:
        pass
    try:
        return float(t)
    except ValueError:
        return complex(t)


def read_table(text, delim=',', header=None, na=None, columns=None, input_dtype=None,
               default_dtype=torch.float32, skip_rows=0, comment='#'):
    """tcum's reading of a CSV text (delim ' ' for runs of blanks)."""
    na_values = NA_DEFAULT if na is None else [''] + list(na)
    sep = r'\s+' if delim == ' ' else delim
    if delim == ' ':
        # runs of blanks, as numpy.loadtxt splits them
        rows = [ln.split() for ln in text.splitlines()[skip_rows:]
                if ln.strip() and not (comment and ln.lstrip().startswith(comment))]
    else:
        lines = text.splitlines(True)
        text = ''.join(lines[:skip_rows] + [ln for ln in lines[skip_rows:]
                                            if not (comment and ln.lstrip().startswith(comment))])
        rows = pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str,
                           keep_default_na=False, skiprows=skip_rows, comment=None,
                           skip_blank_lines=True, quoting=csv.QUOTE_MINIMAL)
        rows = [[('' if isinstance(v, float) and math.isnan(v) else v) for v in r]
                for r in rows.values.tolist()]
        rows = [r for r in rows if not (comment and str(r[0]).lstrip().startswith(comment))]
    first = rows[0]
    if header is None:
        header = not any(is_number(f) for f in first)
        if not header:
            # a word over a column of numbers (and missing values) makes the first row a
            # header, as pandas' default header=0 and DuckDB's sniffer read it
            def word(f):
                return not is_number(f) and f.strip() not in na_values and f.strip() != ''
            below = [r for r in rows[1:] if len(r) == len(first)]
            for c, f in enumerate(first):
                if word(f) and any(is_number(r[c]) for r in below) and \
                        not any(word(r[c]) for r in below):
                    header = True
                    break
    names = None
    if header:
        names = list(first)   # as written: pandas keeps the blanks around a name
        rows = rows[1:]
    ncols = len(rows[0]) if rows else len(first)

    na_nums = [float(v) for v in (na or []) if is_number(v) and not isinstance(literal(v), complex)]

    def missing(f):
        if is_number(f):
            # a number is a value ("nan" too), unless it is one of the caller's tokens (-999, -999.0)
            v = literal(f)
            return f.strip() in (na or []) or (not isinstance(v, complex) and float(v) in na_nums)
        return f.strip() in na_values
    if columns is not None:
        roles = ['value' if c in columns else 'key' for c in range(ncols)]
    else:
        roles = []
        for c in range(ncols):
            role = 'value'
            for r in rows:
                if not missing(r[c]):
                    role = 'value' if is_number(r[c]) else 'key'
                    break
            roles.append(role)
    vals, keys = [], []
    for r in rows:
        vals.append([math.nan if missing(r[c]) else literal(r[c])
                     for c in range(ncols) if roles[c] == 'value'])
        keys.append([r[c] for c in range(ncols) if roles[c] == 'key'])
    nval = roles.count('value')
    if columns is None:
        pandas_agrees(text, sep, header, na_values, skip_rows, comment, roles, vals)
    with_default(default_dtype)
    try:
        x = torch.tensor(vals, dtype=input_dtype) if input_dtype else torch.tensor(vals)
    finally:
        with_default(torch.float32)
    column = False
    if nval == 1 and not (len(rows) == 1 and not header):
        x = x.reshape(-1)
        column = True
    elif nval == 1:
        x = x.reshape(())
    elif len(rows) == 1 and not header:
        x = x.reshape(-1)
    return Table(names, roles, keys, x, header, column, delim)


def pandas_agrees(text, sep, header, na_values, skip_rows, comment, roles, vals):
    """pandas, reading the same text its own way, finds the same value columns and numbers."""
    kw = dict(float_precision='round_trip')
    if sep == r'\s+':
        kw['delim_whitespace'] = True
    else:
        kw['sep'] = sep
    df = pd.read_csv(io.StringIO(text), header=0 if header else None,
                     keep_default_na=False, na_values=na_values, skiprows=skip_rows,
                     comment=comment or None, **kw)
    got = ['value' if pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])
           else 'key' for c in df.columns]
    assert got == roles, 'pandas reads columns %s, the model %s' % (got, roles)
    num = df[[c for c, r in zip(df.columns, roles) if r == 'value']]
    for i, row in enumerate(vals):
        for j, v in enumerate(row):
            p = num.iat[i, j]
            if isinstance(v, complex) or (isinstance(v, float) and math.isnan(v)):
                assert isinstance(v, complex) or pd.isna(p), (i, j, v, p)
            else:
                assert float(v) == float(p), (i, j, v, p)


def with_default(dt):
    torch.set_default_dtype(dt)


def fmt(v, dtype):
    """One value as tcum's CSV writes it."""
    if dtype in (torch.float32, torch.float16):
        npt = np.float32 if dtype == torch.float32 else np.float16
        return str(npt(v))
    if dtype == torch.float64:
        return repr(float(v))
    if dtype == torch.bool:
        return 'true' if v else 'false'
    if dtype in (torch.complex64, torch.complex128):
        part = np.float32 if dtype == torch.complex64 else float

        def p(f):
            s = str(part(f)) if part is np.float32 else repr(f)
            return s[:-2] if s.endswith('.0') else s
        return '%s%s%sj' % (p(v.real), '-' if math.copysign(1, v.imag) < 0 else '+', p(abs(v.imag)))
    return str(int(v))


def quote(s, delim):
    """A text field as written, quoted where the delimiter needs it."""
    if any(ch in s for ch in (delim, '"', '\n', '\r')):
        return '"' + s.replace('"', '""') + '"'
    return s


def grid_axes(t):
    """The grid axis (0 rows, 1 columns) of each dim of the values."""
    nd = t.values.dim()
    if nd == 2:
        return [0, 1]
    if nd == 1:
        return [0] if t.column else [1]
    return []


def write_csv(t, y, op=None, dim=None, n=1, include_initial=False, opname=None, out_delim=None):
    """tcum's CSV of y = op(t.values) (op: 'show', 'scan', 'diff', 'trapz', 'reduce')."""
    d = out_delim or ('\t' if t.delim == ' ' else t.delim)
    if not t.rich:
        if y.dim() == 1:
            y = y.reshape(-1, 1) if t.column else y.reshape(1, -1)
        elif y.dim() == 0:
            y = y.reshape(1, 1)
        return ''.join(d.join(fmt(v, y.dtype) for v in row) + '\n' for row in y.tolist())
    R = len(t.keys)
    C = t.roles.count('value')
    axes = grid_axes(t)
    state = {0: ('same', 0), 1: ('same', 0)}
    if op == 'reduce' and dim is None:
        for a in axes:
            state[a] = ('gone', 0)
    elif op not in (None, 'show') and axes:
        a = axes[dim % len(axes)]
        length = R if a == 0 else C
        if op == 'scan' and include_initial:
            state[a] = ('shift', -1)
        elif op == 'diff':
            state[a] = ('shift', min(n, length))
        elif op == 'trapz':
            state[a] = ('shift', 1 if length > 0 else 0)
        elif op == 'reduce':
            state[a] = ('gone', 0)

    def alen(a, length):
        s, k = state[a]
        return 1 if s == 'gone' else max(length - k, 0) if s == 'shift' else length
    R2, C2 = alen(0, R), alen(1, C)
    assert R2 * C2 == y.numel(), (R2, C2, y.shape)
    y2 = y.reshape(R2, C2).tolist()
    keys_on = state[0][0] != 'gone' and 'key' in t.roles
    vnames = t.value_names
    cells = []      # ('key', k) or ('val', j, name)
    if state[1][0] == 'gone':
        if keys_on:
            cells += [('key', k, None) for k in range(t.roles.count('key'))]
        name = opname
        if C == 1 and t.names and state[0][0] == 'gone':
            name = vnames[0]
        cells.append(('val', 0, name))
    else:
        shift = state[1][1] if state[1][0] == 'shift' else 0
        o = k = j = 0
        for role in t.roles:
            if role == 'key':
                if keys_on:
                    cells.append(('key', k, None))
                k += 1
                continue
            while o < C2 and max(o + shift, 0) == j:
                src = o + shift
                cells.append(('val', o, vnames[src] if vnames and src >= 0 else ''))
                o += 1
            j += 1
    out = []
    if t.header:
        kn = [n for n, r in zip(t.names, t.roles) if r == 'key']
        line = d.join(quote(kn[c[1]] if c[0] == 'key' else (c[2] or ''), d) for c in cells)
        out.append(line or '""')   # one empty name: a blank line would be no row at all
    rshift = state[0][1] if state[0][0] == 'shift' else 0
    for i in range(R2):
        src = i + rshift
        krow = t.keys[src] if keys_on and 0 <= src < R else None
        parts = []
        for c in cells:
            if c[0] == 'key':
                parts.append(quote(krow[c[1]], d) if krow else '')
            else:
                parts.append(fmt(y2[i][c[1]], y.dtype))
        out.append(d.join(parts))
    return ''.join(line + '\n' for line in out)


def to_csv_text(names, rows, delim=','):
    """A table as pandas' to_csv would write it (minimal quoting), for test inputs."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, lineterminator='\n', quoting=csv.QUOTE_MINIMAL)
    if names is not None:
        w.writerow(names)
    for r in rows:
        w.writerow(['' if v is None else v for v in r])
    return buf.getvalue()
