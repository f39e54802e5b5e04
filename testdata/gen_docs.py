#!/usr/bin/python3
"""gen_docs.py - the documentation's examples as golden cases (testdata/docs.test).

Run with /usr/bin/python3 (needs torch and numpy) from anywhere:

    /usr/bin/python3 testdata/gen_docs.py          # check the docs, write docs.test
    /usr/bin/python3 testdata/gen_docs.py --list   # show every example found
    /usr/bin/python3 testdata/gen_docs.py --fill   # write PyTorch's output under the
                                                   # man page's commands that show none

Examples come from three places:
  - man/tcum.1: every `.Bd -literal` display holding lines that start with
    "$ "; the lines after a command, up to the next command or `.Ed`, are
    its shown output.  A display preceded by the comment line
    `.\\" docs-test: skip` is illustrative only (it needs the user's files).
  - README.md: fenced blocks whose first line starts with "$ tcum" (or
    "$ " followed by a pipeline into tcum), in the same layout.
  - cli/help.c: the EX("command", "output") rows of `tcum OP --help`.

Each command runs under sh in the test runner (`tcum` on PATH), so the case's
command line is the example's, verbatim.  The expected output is computed
here by a small model of tcum's CLI in PyTorch (expected outputs come from
PyTorch, never from tcum), and the shown output in the docs must equal it:
a mismatch is reported and the script exits 1 without writing docs.test,
so the docs cannot go stale.

`$ echo '...' > NAME` (or printf) in a display creates a file that later
commands of the display use; it is written to testdata/files/docs/NAME and
the commands' NAME is rewritten to that path in the case.

The model covers what the examples use; an example that needs more fails
loudly here (extend the model, don't hand-type the output).
"""
import json
import math
import os
import re
import shlex
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_lib import Cases, printoptions, torch_print  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DOCFILES = os.path.join('testdata', 'files', 'docs')


class Unsupported(Exception):
    """The model cannot compute this example: extend the model."""


class TcumError(Exception):
    """What tcum reports as `tcum: MESSAGE` with status 2."""


# ---- extracting examples ---------------------------------------------------

def roff_unescape(line):
    out = line.replace('\\e', '\\').replace('\\&', '').replace('\\-', '-')
    out = out.replace('\\(dq', '"').replace("\\(aq", "'")
    return out


def examples_from_blocks(source, blocks):
    """blocks: list of (first line number, [lines]).  Yields example dicts."""
    for lineno, lines in blocks:
        cur = None
        for k, line in enumerate(lines):
            if line.startswith('$ '):
                if cur:
                    yield cur
                cur = dict(source=source, line=lineno + k, cmd=line[2:], shown='', block=lineno)
            elif cur is not None:
                cur['shown'] += line + '\n'
            elif line.strip():
                raise SystemExit('%s:%d: output before any command in an example block'
                                 % (source, lineno + k))
        if cur:
            yield cur


def man_examples(path):
    blocks = []
    skip_next = False
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith('.\\" docs-test: skip'):
            skip_next = True
        elif line.startswith('.Bd') and '-literal' in line:
            body = []
            j = i + 1
            while j < len(lines) and not lines[j].startswith('.Ed'):
                body.append(roff_unescape(lines[j]))
                j += 1
            if not skip_next and any(b.startswith('$ ') for b in body):
                blocks.append((i + 2, body))
            skip_next = False
            i = j
        i += 1
    return list(examples_from_blocks('man/tcum.1', blocks))


def readme_examples(path):
    if not os.path.exists(path):
        return []
    blocks = []
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    i = 0
    while i < len(lines):
        if lines[i].startswith('```'):
            j = i + 1
            body = []
            while j < len(lines) and not lines[j].startswith('```'):
                body.append(lines[j])
                j += 1
            if body and body[0].startswith('$ ') and \
                    any('tcum' in ln for ln in body if ln.startswith('$ ')):
                blocks.append((i + 2, body))
            i = j
        i += 1
    return list(examples_from_blocks('README.md', blocks))


C_STRING = r'"((?:[^"\\]|\\.)*)"'


def c_unescape(s):
    return s.encode('latin-1').decode('unicode_escape')


def help_examples(path):
    out = []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            m = re.search(r'\bEX\(' + C_STRING + r',\s*' + C_STRING + r'\)', line)
            if m:
                out.append(dict(source='cli/help.c', line=n, cmd=c_unescape(m.group(1)),
                                shown=c_unescape(m.group(2)), block=n))
    return out


# ---- a model of tcum's command line in PyTorch -------------------------------

DTYPES = {
    'bool': torch.bool, 'uint8': torch.uint8, 'int8': torch.int8, 'int16': torch.int16,
    'int32': torch.int32, 'int64': torch.int64, 'float16': torch.float16,
    'bfloat16': torch.bfloat16, 'float32': torch.float32, 'float64': torch.float64,
    'complex64': torch.complex64, 'complex128': torch.complex128,
    'half': torch.float16, 'float': torch.float32, 'double': torch.float64,
    'short': torch.int16, 'int': torch.int32, 'long': torch.int64,
    'cfloat': torch.complex64, 'cdouble': torch.complex128,
}
DTYPE_NAME = {v: k for k, v in list(DTYPES.items())[:12]}

LONG_ARG = {'dim', 'dtype', 'input-dtype', 'default-dtype', 'n', 'dx', 'grad-output', 'format',
            'output', 'select', 'input-format', 'delimiter', 'shape', 'precision', 'threshold',
            'edgeitems', 'linewidth', 'sci-mode', 'profile', 'rtol', 'atol', 'columns'}
LONG_FLAG = {'reverse', 'exclusive', 'include-initial', 'keepdim', 'grad', 'header', 'no-header',
             'equal-nan', 'check-dtype'}
SHORT = {'d': 'dim', 'n': 'n', 'f': 'format', 'o': 'output', 'c': 'columns'}


def dtype_arg(s):
    s = s[6:] if s.startswith('torch.') else s
    if s not in DTYPES:
        raise TcumError("unknown dtype '%s'" % s)
    return DTYPES[s]


def parse_argv(argv):
    op = argv[0]
    opts, files = {}, []
    i = 1
    while i < len(argv):
        a = argv[i]
        if a == '-' or not a.startswith('-'):
            files.append(a)
        else:
            if a.startswith('--'):
                name, eq, val = a[2:].partition('=')
            else:
                name, val, eq = SHORT.get(a[1]), a[2:], bool(a[2:])
                if name is None:
                    raise Unsupported('option %s' % a)
            if name in LONG_FLAG:
                opts[name] = True
            elif name in LONG_ARG:
                if not eq:
                    i += 1
                    val = argv[i]
                opts[name] = val
            else:
                raise Unsupported('option %s' % a)
        i += 1
    return op, opts, files


NUM_INT = re.compile(r'^[+-]?\d+$')


def csv_token(tok):
    t = tok.strip()
    low = t.lower()
    if NUM_INT.match(t):
        return int(t)
    if low in ('true', 'false'):
        return low == 'true'
    if low.endswith('j'):
        return complex(t)
    try:
        return float(t)
    except ValueError:
        return None


def read_values(data, opts):
    """bytes -> torch tensor, as tcum reads it."""
    fmt = opts.get('input-format')
    if data[:6] == b'\x93NUMPY' and fmt in (None, 'npy'):
        import io
        t = torch.from_numpy(np.load(io.BytesIO(data)))
        return t.to(dtype_arg(opts['input-dtype'])) if 'input-dtype' in opts else t
    text = data.decode('utf-8')
    if text.startswith('\ufeff'):
        text = text[1:]
    s = text.lstrip()
    if fmt is None:
        fmt = 'json' if s[:1] in '[{' and s else 'torch' if s.startswith('tensor(') else 'csv'
    dt = dtype_arg(opts['input-dtype']) if 'input-dtype' in opts else None
    if fmt == 'json':
        def conv(v):
            if isinstance(v, list):
                return [conv(e) for e in v]
            if isinstance(v, str):
                if v.lower() in ('nan', 'inf', '-inf', '+inf'):
                    return float(v)
                return complex(v.replace(' ', ''))
            return v
        v = json.loads(s)
        if isinstance(v, dict):
            t = torch.tensor(conv(v['data']), dtype=DTYPES[v['dtype']])
            return t.reshape(v['shape'])
        return torch.tensor(conv(v), dtype=dt)
    if fmt == 'torch':
        env = {'tensor': torch.tensor, 'torch': torch, 'nan': math.nan, 'inf': math.inf}
        t = eval(s, env)  # noqa: S307 - our own example text
        return t.to(dt) if dt is not None else t
    if fmt != 'csv':
        raise Unsupported('input format %s' % fmt)
    delim = opts.get('delimiter', ',')
    delim = '\t' if delim in ('\\t', 'tab') else delim
    if any(csv_token(f) is None for ln in text.splitlines()[1:] for f in ln.split(delim)
           if f.strip() and not ln.lstrip().startswith('#')) or 'columns' in opts:
        # a real table (key columns): pandas reads it, as table_model.py does
        import table_model as tm
        cols = None
        if 'columns' in opts:
            names = text.splitlines()[0].split(delim)
            cols = [names.index(c) for c in opts['columns'].split(',')]
        t = tm.read_table(text, delim=delim, columns=cols)
        TABLE[0] = t
        return t.values.to(dt) if dt is not None else t.values
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        rows.append(line.split(delim))
    if rows:
        header = opts.get('header')
        if opts.get('no-header'):
            header = False
        elif header is None:
            header = all(csv_token(f) is None for f in rows[0])
        if header:
            CSV_HEADER[0] = delim.join(f.strip() for f in rows[0])
            rows = rows[1:]
    vals = [[csv_token(f) for f in r] for r in rows]
    if any(v is None for r in vals for v in r):
        raise Unsupported('non-numeric CSV field')
    if len(vals) == 1 and not CSV_HEADER[0]:
        vals = vals[0]
    elif vals and all(len(r) == 1 for r in vals):
        vals = [r[0] for r in vals]
        CSV_COLUMN[0] = True    # tcum writes a CSV column back as a column
    return torch.tensor(vals, dtype=dt)


CSV_COLUMN = [False]
CSV_HEADER = [None]     # a CSV input's header row, which CSV output keeps
TABLE = [None]          # a real table (table_model.Table), which CSV output writes back
OP_KIND = {'show': 'show', 'diff': 'diff', 'cumulative_trapezoid': 'trapz',
           'sum': 'reduce', 'prod': 'reduce', 'mean': 'reduce', 'amax': 'reduce',
           'amin': 'reduce', 'logsumexp': 'reduce', 'max': 'reduce', 'min': 'reduce'}


DTYPE_ARG_OPS = {'cumsum', 'cumprod', 'nancumsum', 'nancumprod', 'sum', 'prod', 'mean', 'nansum',
                 'nanmean', 'nanprod'}
SCAN_IDENT = {'cumsum': 0, 'nancumsum': 0, 'cumprod': 1, 'nancumprod': 1,
              'logcumsumexp': -math.inf}


def scan(op, x, dim, dt):
    if op == 'cumsum':
        return torch.cumsum(x, dim, dtype=dt)
    if op == 'cumprod':
        return torch.cumprod(x, dim, dtype=dt)
    if op == 'nancumsum':
        return torch.cumsum(torch.where(torch.isnan(x), torch.zeros_like(x), x), dim, dtype=dt)
    if op == 'nancumprod':
        return torch.cumprod(torch.where(torch.isnan(x), torch.ones_like(x), x), dim, dtype=dt)
    if op == 'logcumsumexp':
        return torch.logcumsumexp(x, dim)
    if op in ('cummax', 'cummin'):
        return getattr(torch, op)(x, dim)
    raise Unsupported(op)


def run_op(op, opts, x):
    """The op's result: a tensor or a named tuple."""
    dt = dtype_arg(opts['dtype']) if 'dtype' in opts else None
    if dt is not None and op not in DTYPE_ARG_OPS:
        x = x.to(dt)
        dt = None
    dim = int(opts['dim']) if 'dim' in opts else None
    keepdim = bool(opts.get('keepdim'))
    if op == 'show':
        return x
    if op in SCAN_IDENT or op in ('cummax', 'cummin'):
        if dim is None:
            raise TcumError('%s requires --dim' % op)
        if opts.get('exclusive') and op in ('cummax', 'cummin'):
            raise Unsupported('--exclusive with %s' % op)
        if opts.get('reverse'):
            r = scan(op, x.flip(dim), dim, dt)
            if op in ('cummax', 'cummin'):
                n = x.shape[dim]
                r = type(r)((r.values.flip(dim), (n - 1 - r.indices).flip(dim)))
            else:
                r = r.flip(dim)
        else:
            r = scan(op, x, dim, dt)
        if opts.get('exclusive') or opts.get('include-initial'):
            if op in ('cummax', 'cummin'):
                raise Unsupported('--include-initial with %s' % op)
            shape = list(r.shape)
            shape[dim] = 1
            ident = torch.full(shape, SCAN_IDENT[op], dtype=r.dtype)
            body = r if opts.get('include-initial') else r.narrow(dim, 0, r.shape[dim] - 1)
            if opts.get('reverse'):
                r = torch.cat([body, ident], dim)
            else:
                r = torch.cat([ident, body], dim)
        return r
    if op == 'cumulative_trapezoid':
        return torch.cumulative_trapezoid(x, dx=float(opts.get('dx', 1)),
                                          dim=-1 if dim is None else dim)
    if op == 'diff':
        return torch.diff(x, n=int(opts.get('n', 1)), dim=-1 if dim is None else dim)
    if op in ('sum', 'prod', 'mean'):
        f = getattr(torch, op)
        if dim is None:
            return f(x, dtype=dt)
        return f(x, dim, keepdim=keepdim, dtype=dt)
    if op in ('amax', 'amin'):
        f = getattr(torch, op)
        return f(x) if dim is None else f(x, dim, keepdim=keepdim)
    if op == 'logsumexp':
        return torch.logsumexp(x, dim, keepdim=keepdim)
    if op in ('max', 'min'):
        f = getattr(torch, op)
        return f(x) if dim is None else f(x, dim, keepdim=keepdim)
    if op in ('nansum', 'nanmean'):
        f = getattr(torch, op)
        return f(x, dtype=dt) if dim is None else f(x, dim, keepdim=keepdim, dtype=dt)
    if op in ('nanmax', 'nanmin', 'nanprod'):
        import numpy as np     # NumPy's functions, NumPy's results
        kw = {'axis': dim, 'keepdims': keepdim}
        if dt is not None:
            kw['dtype'] = str(dt).replace('torch.', '')
        return torch.from_numpy(np.array(getattr(np, op)(x.numpy(), **kw), copy=True))
    raise Unsupported('op %s' % op)


def fmt_value(t):
    """One element (a 0-d tensor) as tcum's CSV/JSON writers print it."""
    d = t.dtype
    v = t.item()
    if d == torch.bool:
        return 'true' if v else 'false'
    if not (d.is_floating_point or d.is_complex):
        return str(v)
    if d.is_complex:
        raise Unsupported('complex CSV/JSON output')
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    if d == torch.float64:
        return repr(v)
    if d == torch.float32:
        return str(np.float32(v))
    if d == torch.float16:
        return str(np.float16(v))
    raise Unsupported('CSV/JSON output of %s' % d)


def json_value(t):
    s = fmt_value(t)
    if t.dtype.is_floating_point and not math.isfinite(t.item()):
        return '"%s"' % s
    return s


def json_tensor(t):
    def data(u):
        if u.dim() == 0:
            return json_value(u)
        return '[' + ', '.join(data(e) for e in u) + ']'
    return '{"dtype": "%s", "shape": [%s], "data": %s}' % (
        DTYPE_NAME[t.dtype], ', '.join(str(n) for n in t.shape), data(t))


def format_result(r, opts, pair):
    fmt = opts.get('format', 'torch')
    sel = opts.get('select')
    if pair and sel:
        r = r.values if sel == 'values' else r.indices
        pair = False
    if fmt == 'torch':
        return torch_print(r)
    if fmt == 'json':
        if pair:
            return '{"values": %s, "indices": %s}\n' % (json_tensor(r.values),
                                                         json_tensor(r.indices))
        return json_tensor(r) + '\n'
    if fmt == 'csv' and TABLE[0] is not None:
        if pair:
            raise TcumError('choose one with --select values|indices')
        import table_model as tm
        op = opts.get('_op')
        dim = int(opts['dim']) if 'dim' in opts else None
        return tm.write_csv(TABLE[0], r, op=OP_KIND.get(op, 'scan'), dim=dim,
                            n=int(opts.get('n', 1)), include_initial=bool(opts.get('include-initial')),
                            opname=op)
    if fmt == 'csv':
        if pair:
            raise TcumError('choose one with --select values|indices')
        if r.dim() > 2:
            raise Unsupported('CSV of >2-D')
        delim = '\t' if opts.get('delimiter') in ('\\t', 'tab') else ','
        if r.dim() == 1 and CSV_COLUMN[0]:
            r = r.reshape(-1, 1)
        rows = [r.reshape(-1)] if r.dim() < 2 else list(r)
        head = ''
        if CSV_HEADER[0] is not None:
            if r.dim() != 2 or r.shape[1] != len(CSV_HEADER[0].split(delim)):
                raise Unsupported('CSV output of a reshaped table')
            head = CSV_HEADER[0] + '\n'
        return head + ''.join(delim.join(fmt_value(e) for e in row) + '\n' for row in rows)
    raise Unsupported('output format %s' % fmt)


def assert_close_report(actual, expected, opts):
    kw = dict(check_dtype=bool(opts.get('check-dtype')), equal_nan=bool(opts.get('equal-nan')))
    if 'rtol' in opts or 'atol' in opts:
        kw['rtol'] = float(opts.get('rtol', 0))
        kw['atol'] = float(opts.get('atol', 0))
    try:
        torch.testing.assert_close(actual, expected, **kw)
        return '', 0
    except AssertionError as e:
        return str(e) + '\n', 1


def run_tcum(argv, stdin, files):
    """One tcum invocation: (stdout, status)."""
    op, opts, args = parse_argv(argv)
    CSV_COLUMN[0] = False
    CSV_HEADER[0] = None
    TABLE[0] = None
    opts['_op'] = op
    pkw = {}
    for k in ('precision', 'edgeitems', 'linewidth'):
        if k in opts:
            pkw[k] = int(opts[k])
    if 'threshold' in opts:
        pkw['threshold'] = math.inf if opts['threshold'] == 'inf' else float(opts['threshold'])
    if 'sci-mode' in opts:
        pkw['sci_mode'] = {'auto': None, 'on': True, 'off': False}[opts['sci-mode']]
    if 'profile' in opts:
        pkw['profile'] = opts['profile']
    if 'default-dtype' in opts:
        pkw['default_dtype'] = dtype_arg(opts['default-dtype'])
    if 'output' in opts or 'grad-output' in opts or 'shape' in opts:
        raise Unsupported('-o, --grad-output, --shape')

    def load(path):
        if path == '-':
            data = stdin
        elif path in files:
            data = files[path]
        elif os.path.isfile(os.path.join(ROOT, path)):
            # a file of the repository, as the test runner sees it from the root
            with open(os.path.join(ROOT, path), 'rb') as f:
                data = f.read()
        else:
            raise Unsupported('reading the file %s' % path)
        o = dict(opts)
        if path.endswith('.tsv') and 'delimiter' not in o:
            o['delimiter'] = '\t'
        return read_values(data, o)

    with printoptions(**pkw):
        if op == 'assert-close':
            return assert_close_report(load(args[0]), load(args[1]), opts)
        x = load(args[0] if args else '-')
        if opts.get('grad'):
            if 'dtype' in opts:
                raise Unsupported('--grad with --dtype')
            x = x.detach().requires_grad_(True)
            r = run_op(op, opts, x)
            (r.values if isinstance(r, tuple) else r).sum().backward()
            return torch_print(x.grad) if opts.get('format', 'torch') == 'torch' \
                else format_result(x.grad, opts, False), 0
        r = run_op(op, opts, x)
        return format_result(r, opts, isinstance(r, tuple)), 0


def split_pipeline(cmd):
    """'A | B || echo C' -> ([argv A, argv B], 'C' or None)."""
    lex = shlex.shlex(cmd, posix=True, punctuation_chars='|>&')
    lex.whitespace_split = True
    toks = list(lex)
    fallback = None
    if '||' in toks:
        k = toks.index('||')
        rest = toks[k + 1:]
        if rest[:1] != ['echo']:
            raise Unsupported('|| other than echo')
        fallback = ' '.join(rest[1:])
        toks = toks[:k]
    elif '&&' in toks:
        k = toks.index('&&')
        rest = toks[k + 1:]
        if rest[:1] != ['echo']:
            raise Unsupported('&& other than echo')
        fallback = ('&&', ' '.join(rest[1:]))
        toks = toks[:k]
    stages, cur = [], []
    for t in toks:
        if t == '|':
            stages.append(cur)
            cur = []
        else:
            cur.append(t)
    stages.append(cur)
    return stages, fallback


def shell_bytes(argv):
    """Run a printf/echo stage under sh for its exact bytes."""
    if argv[0] not in ('printf', 'echo', 'seq'):
        raise Unsupported('pipeline stage %s' % argv[0])
    return subprocess.run(['sh', '-c', ' '.join(shlex.quote(a) for a in argv)],
                          check=True, stdout=subprocess.PIPE).stdout


def model(cmd, files):
    """The example's expected stdout, or a dict describing a file it creates."""
    m = re.match(r'^(.*?)\s*>\s*(\S+)$', cmd)
    if m and not cmd.lstrip().startswith('tcum'):
        return {'file': m.group(2), 'data': shell_bytes(shlex.split(m.group(1)))}
    stages, fallback = split_pipeline(cmd)
    data = b''
    status = 0
    out = ''
    for k, argv in enumerate(stages):
        if k and argv[0] in ('tail', 'head') and len(argv) == 3 and argv[1] == '-n':
            lines = out.splitlines(True)
            n = int(argv[2])
            out = ''.join(lines[-n:] if argv[0] == 'tail' else lines[:n])
            data = out.encode('utf-8')
            continue
        if argv[0] != 'tcum':
            if k:
                raise Unsupported('a non-tcum stage after tcum')
            data = shell_bytes(argv)
            continue
        out, status = run_tcum(argv[1:], data, files)
        data = out.encode('utf-8')
    if isinstance(fallback, tuple):
        if not status:
            out += fallback[1] + '\n'
    elif status and fallback is not None:
        out += fallback + '\n'
        status = 0
    return out, status


def check_options():
    """Every option in cli/main.c's table is documented everywhere: the man
    page, the help texts and both completions.  Returns a list of problems."""
    with open(os.path.join(ROOT, 'cli', 'main.c'), encoding='utf-8') as f:
        table = re.findall(r'\{"([a-z-]+)", (0|\'(.)\'), [01], O_[A-Z_]+\}', f.read())
    if not table:
        return ['cli/main.c: option table not found']

    def read(*parts):
        with open(os.path.join(ROOT, *parts), encoding='utf-8') as f:
            return f.read()
    man, helptext = read('man', 'tcum.1'), read('cli', 'help.c')
    bash, zsh = read('completion', 'tcum.bash'), read('completion', '_tcum')
    problems = []
    with open(os.path.join(ROOT, 'lib', 'ops.c'), encoding='utf-8') as f:
        ops = re.findall(r'\[TC_OP_[A-Z]+\]\s*=\s*\{"([a-z_]+)"', f.read())
    if not ops:
        problems.append('lib/ops.c: op table not found')
    for op in ops + ['assert-close']:
        for doc, text, pat in (('man/tcum.1', man, r'^\.It Cm (?:.*\bCm )?%s\b'),
                               ('cli/help.c', helptext, r'\{"%s", '),
                               ('completion/tcum.bash', bash, r'(?<![\w-])%s(?![\w-])'),
                               ('completion/_tcum', zsh, r"'%s:")):
            if op == 'assert-close' and doc == 'cli/help.c':
                pat = r'tcum %s '
            if not re.search(pat % re.escape(op), text, re.M):
                problems.append('%s: op %s is not documented' % (doc, op))
    for name, _, short in table:
        longopt = '--' + name
        if len(name) == 1 and short:
            longopt = '-' + name          # -n has no long form worth naming (--x has no short one)
        where = {
            'man/tcum.1': re.search(r'\bFl %s\b' % re.escape(longopt[1:]), man),
            'cli/help.c': re.search(r'(?<![\w-])%s\b' % re.escape(longopt), helptext),
            'completion/tcum.bash': re.search(r'(?<![\w-])%s\b' % re.escape(longopt), bash)
            or name in ('help', 'version'),
            'completion/_tcum': re.search(r'(?<![\w-])%s\b' % re.escape(longopt), zsh),
        }
        if short:
            where['man/tcum.1 (-%s)' % short] = re.search(r'\bFl %s\b' % short, man)
        for doc, found in where.items():
            if not found:
                problems.append('%s: option %s (short %s) is not documented'
                                % (doc, longopt, short or 'none'))
    return problems


def roff_escape(line):
    line = line.replace('\\', '\\e')
    if line.startswith(('.', "'")):
        line = '\\&' + line
    return line


def fill_man(fills):
    """Insert outputs (line number -> text) after the man page's commands."""
    path = os.path.join(ROOT, 'man', 'tcum.1')
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    for lineno in sorted(fills, reverse=True):
        body = [roff_escape(t) for t in fills[lineno].splitlines()]
        lines[lineno:lineno] = body
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines))
    print('man/tcum.1: filled the output of %d example(s)' % len(fills))


def main():
    args = sys.argv[1:]
    exs = (man_examples(os.path.join(ROOT, 'man', 'tcum.1'))
           + readme_examples(os.path.join(ROOT, 'README.md'))
           + help_examples(os.path.join(ROOT, 'cli', 'help.c')))
    if '--list' in args:
        for e in exs:
            print('%s:%d: $ %s' % (e['source'], e['line'], e['cmd']))
        return 0
    cases = Cases('docs.test', header='Generated by testdata/gen_docs.py: the examples of '
                  'man/tcum.1, README.md and cli/help.c,\nwith outputs computed by PyTorch.')
    problems = check_options()
    for p in problems:
        print(p, file=sys.stderr)
    bad = len(problems)
    files = {}
    counters = {}
    fills = {}
    for e in exs:
        if e['block'] != files.get('@block'):
            files = {'@block': e['block']}
        src = {'man/tcum.1': 'man', 'README.md': 'readme', 'cli/help.c': 'help'}[e['source']]
        where = '%s:%d' % (e['source'], e['line'])
        try:
            res = model(e['cmd'], files)
        except (Unsupported, TcumError) as exc:
            print('%s: cannot model `%s`: %s' % (where, e['cmd'], exc), file=sys.stderr)
            bad += 1
            continue
        if isinstance(res, dict):
            # `echo ... > NAME`: a file for the display's later commands.
            os.makedirs(os.path.join(ROOT, DOCFILES), exist_ok=True)
            with open(os.path.join(ROOT, DOCFILES, res['file']), 'wb') as f:
                f.write(res['data'])
            files[res['file']] = res['data']
            if e['shown']:
                print('%s: a command writing a file shows output' % where, file=sys.stderr)
                bad += 1
            continue
        out, status = res
        if '--fill' in args and e['source'] == 'man/tcum.1' and not e['shown'] and out:
            fills[e['line']] = out
            continue
        if out != e['shown']:
            print('%s: shown output differs from PyTorch for `%s`:\n--- shown\n%s--- pytorch\n%s'
                  % (where, e['cmd'], e['shown'], out), file=sys.stderr)
            bad += 1
        cmd = e['cmd']
        for name in files:
            if name != '@block':
                cmd = re.sub(r'(?<![\w./-])%s(?![\w.-])' % re.escape(name),
                             '%s/%s' % (DOCFILES, name), cmd)
        if src == 'help':
            # one example per op: name the case after it, so ids stay stable
            cid = 'docs-help-' + shlex.split(cmd.split('| tcum ', 1)[-1].strip())[0]
        else:
            counters[src] = counters.get(src, 0) + 1
            cid = 'docs-%s-%d' % (src, counters[src])
        cases.add(cid, 'example at %s' % where, cmd, stdout=out, status=status)
    if fills:
        fill_man(fills)
        return 0
    if bad:
        print('gen_docs.py: %d problem(s) in the docs; docs.test not written' % bad,
              file=sys.stderr)
        return 1
    cases.write()
    return 0


if __name__ == '__main__':
    sys.exit(main())
