#!/usr/bin/python3
"""fuzz_table.py - random real tables through tcum and through pandas + PyTorch.

Each case draws a table: value columns (integers, decimals, with holes in
any NA spelling), key columns (dates, names with commas and quotes, codes),
in random order, with or without a header, a random delimiter (given or
sniffed), LF or CRLF; then an op (show, the scans, diff,
cumulative_trapezoid, the reductions) along a random dim, and CSV or torch
output, from a file or a pipe.  The expected output comes from
table_model.py (pandas reads the table and must agree on its columns,
PyTorch computes); tcum's must be the same bytes.  With --reference every
run also goes through the tokenizer alone (TCUM_TEST_REFERENCE=1).

Usage: /usr/bin/python3 testdata/fuzz_table.py [--n 500] [--seed 1] [--tcum ./tcum]
"""
import argparse
import collections
import os
import random
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import table_model as tm  # noqa: E402
from gen_lib import printoptions, torch_print  # noqa: E402

NA = ['', '', '', 'NA', 'null', 'N/A', 'nan', 'None']
WORDS = ['alpha', 'beta', 'gamma, inc', 'delta "d"', 'eps;ilon', 'zeta|z', 'Smith, John', 'x y']


def draw_table(rng):
    nval = rng.randint(1, 5)
    nkey = rng.choice([0, 0, 1, 1, 2, 3])
    kinds = ['v'] * nval + ['k'] * nkey
    rng.shuffle(kinds)
    rows = rng.choice([1, 2, 3, 5, 10, 40, rng.randint(50, 400), rng.randint(3000, 6000)])
    cols = []
    for i, kind in enumerate(kinds):
        if kind == 'k':
            style = rng.choice(['date', 'word', 'code'])
            col = []
            for r in range(rows):
                if style == 'date':
                    col.append('2024-%02d-%02d' % (1 + r // 28 % 12, 1 + r % 28))
                elif style == 'word':
                    col.append(rng.choice(WORDS))
                else:
                    col.append('%s%d' % (rng.choice('ABCXYZ'), rng.randint(1, 999)))
            if rng.random() < 0.2:
                col[rng.randrange(rows)] = ''   # a missing key
            cols.append(col)
        else:
            num = rng.choice(['int', 'float', 'float', 'small'])
            holes = rng.random() < 0.5
            col = []
            for r in range(rows):
                if holes and rng.random() < 0.1:
                    col.append(rng.choice(NA))
                elif num == 'int':
                    col.append(str(rng.randint(-1000, 1000)))
                elif num == 'small':
                    col.append(rng.choice(['0', '1', '-1', '0.5', '2', '-0.25']))
                else:
                    col.append('%.*f' % (rng.randint(0, 6), rng.uniform(-1e4, 1e4)))
            cols.append(col)
    header = rng.random() < 0.8
    names = ['c%d' % i if rng.random() < 0.7 else rng.choice(['Adj Close', 'a,b', 'Year', 'x'])
             + str(i) for i in range(len(kinds))]
    return kinds, cols, header, names, rows


def render(rng, kinds, cols, header, names, rows, delim, crlf):
    body = []
    for r in range(rows):
        body.append([cols[c][r] for c in range(len(kinds))])
    text = tm.to_csv_text(names if header else None, body, delim)
    if crlf:
        text = text.replace('\n', '\r\n')
    return text


OPS = [('show', 'show'), ('cumsum', 'scan'), ('cumprod', 'scan'), ('cummax', 'scan'),
       ('cummin', 'scan'), ('logcumsumexp', 'scan'), ('nancumsum', 'scan'),
       ('nancumprod', 'scan'), ('diff', 'diff'), ('cumulative_trapezoid', 'trapz'),
       ('sum', 'reduce'), ('mean', 'reduce'), ('amax', 'reduce'), ('amin', 'reduce'),
       ('logsumexp', 'reduce'), ('prod', 'reduce'), ('max', 'reduce'), ('min', 'reduce')]


def compute(op, x, dim, include_initial):
    if op == 'show':
        return x
    if op in ('cumsum', 'cumprod', 'logcumsumexp', 'nancumsum', 'nancumprod'):
        if op.startswith('nan'):
            fill = 0 if op == 'nancumsum' else 1
            x = torch.where(torch.isnan(x), torch.tensor(fill, dtype=x.dtype), x) \
                if x.is_floating_point() else x
            op = op[3:]
        f = {'cumsum': torch.cumsum, 'cumprod': torch.cumprod, 'logcumsumexp': torch.logcumsumexp}[op]
        y = f(x, dim)
        if include_initial:
            ident = {'cumsum': 0.0, 'cumprod': 1.0, 'logcumsumexp': -float('inf')}[op]
            first = torch.full_like(y.narrow(dim, 0, 1), ident)
            y = torch.cat([first, y], dim)
        return y
    if op == 'cummax':
        return torch.cummax(x, dim).values
    if op == 'cummin':
        return torch.cummin(x, dim).indices
    if op == 'diff':
        return torch.diff(x, dim=dim)
    if op == 'cumulative_trapezoid':
        return torch.cumulative_trapezoid(x, dim=dim)
    f = {'sum': torch.sum, 'mean': torch.mean, 'amax': torch.amax, 'amin': torch.amin,
         'logsumexp': torch.logsumexp, 'prod': torch.prod}.get(op)
    if op in ('max', 'min'):
        g = torch.max if op == 'max' else torch.min
        return g(x) if dim is None else (g(x, dim).values if op == 'max' else g(x, dim).indices)
    if dim is None:
        return f(x) if op != 'logsumexp' else f(x, tuple(range(x.dim())))
    return f(x, dim)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=500)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--tcum', default='./tcum')
    ap.add_argument('--reference', action='store_true')
    ap.add_argument('--verbose', action='store_true')
    args = ap.parse_args()
    rng = random.Random(args.seed)
    tcum = os.path.abspath(args.tcum)
    stats = collections.Counter()
    failures = 0
    tmp = tempfile.mkdtemp()
    for i in range(args.n):
        kinds, cols, header, names, rows = draw_table(rng)
        delim = rng.choice([',', ',', '\t', ';', '|'])
        crlf = rng.random() < 0.15
        text = render(rng, kinds, cols, header, names, rows, delim, crlf)
        op, kind = rng.choice(OPS)
        try:
            t = tm.read_table(text, delim=delim)
        except (AssertionError, ValueError, RuntimeError, IndexError) as e:
            stats['model-skip'] += 1
            if args.verbose:
                print('skip:', repr(e)[:200])
            continue
        if not t.values.is_floating_point() and op in ('mean', 'logcumsumexp', 'logsumexp'):
            op, kind = 'cumsum', 'scan'
        nd = t.values.dim()
        dim = None
        if kind != 'show' and nd > 0:
            dim = rng.randrange(nd) if kind != 'reduce' or rng.random() < 0.8 else None
        if kind == 'scan' and nd == 0:
            dim = 0
        include_initial = kind == 'scan' and op not in ('cummax', 'cummin') and nd > 0 and \
            rng.random() < 0.15
        fmt = rng.choice(['csv', 'csv', 'csv', 'torch'])
        try:
            y = compute(op, t.values, dim, include_initial)
            if fmt == 'csv':
                want = tm.write_csv(t, y, op=kind, dim=dim, opname=op,
                                    include_initial=include_initial)
            else:
                with printoptions():
                    want = torch_print(y)
        except (RuntimeError, IndexError, AssertionError) as e:
            stats['torch-error'] += 1
            if args.verbose:
                print('torch error:', repr(e)[:200])
            continue
        argv = [tcum, op, '--torch-version', '1.13', '-f', fmt]
        if dim is not None:
            argv += ['--dim', str(dim)]
        if include_initial:
            argv += ['--include-initial']
        if op in ('cummax', 'cummin') or (op in ('max', 'min') and dim is not None):
            argv += ['--select', 'values' if op in ('cummax', 'max') else 'indices']
        # (a one-column table has no delimiter to sniff: a name holding a comma is ambiguous)
        if rng.random() < 0.3 or len(t.roles) == 1:
            argv += ['--delimiter', {'\t': 'tab'}.get(delim, delim)]
        pipe = rng.random() < 0.3
        path = os.path.join(tmp, 't.csv')
        with open(path, 'w', newline='') as f:
            f.write(text)
        env = dict(os.environ, LC_ALL='C')
        for ref in ([False, True] if args.reference else [False]):
            if ref:
                env['TCUM_TEST_REFERENCE'] = '1'
            if pipe:
                p = subprocess.run(argv + ['-'], input=text.encode(), capture_output=True, env=env)
            else:
                p = subprocess.run(argv + [path], capture_output=True, env=env)
            got = p.stdout.decode('utf-8', 'replace')
            key = '%s-%s' % (op, fmt)
            if p.returncode != 0 or got != want:
                failures += 1
                stats[key + ' FAIL'] += 1
                print('FAIL case %d: %s%s%s' % (i, ' '.join(argv[1:]), ' <pipe' if pipe else '',
                                               ' (reference)' if ref else ''))
                print('  table: %d rows, kinds %s, header %s, delim %r, crlf %s' %
                      (rows, ''.join(kinds), header, delim, crlf))
                print('  stderr:', p.stderr.decode()[:300])
                keep = os.path.join(tmp, 'fail%d.csv' % i)
                with open(keep, 'w', newline='') as f:
                    f.write(text)
                print('  input kept in', keep)
                for a, b in zip(want.splitlines(), got.splitlines()):
                    if a != b:
                        print('  want:', a[:200])
                        print('  got: ', b[:200])
                        break
                else:
                    print('  lines: want %d, got %d' % (len(want.splitlines()), len(got.splitlines())))
            else:
                stats[key + ' ok'] += 1
    ok = sum(v for k, v in stats.items() if k.endswith(' ok'))
    print('fuzz_table: %d passed, %d failed; %d skipped by the model, %d torch errors'
          % (ok, failures, stats['model-skip'], stats['torch-error']))
    byop = collections.defaultdict(lambda: [0, 0])
    for k, v in stats.items():
        if k.endswith(' ok'):
            byop[k[:-3]][0] += v
        elif k.endswith(' FAIL'):
            byop[k[:-5]][1] += v
    print('  ' + ', '.join('%s %d/%d' % (k, v[0], v[0] + v[1]) for k, v in sorted(byop.items())))
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
