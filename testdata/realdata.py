"""realdata.py - tcum as a new user meets it: the CSV files Debian's packages ship.

Every CSV under scikit-learn's, statsmodels' and matplotlib's data
directories (gzipped ones too) goes through tcum with a handful of ops
(show, scans and reductions down and along the rows, diff, nan-reductions)
and through table_model.py (pandas reads it, PyTorch computes, tcum's
layout rules write it): the CSV output must be the same bytes.  A file
with a preamble line (scikit-learn's wine_data.csv) is read with
--skip-rows 1, as tcum's hint says.  Not part of make check: the files
are the packages', not ours (apt-get install python3-sklearn
python3-statsmodels python3-matplotlib).

    /usr/bin/python3 testdata/realdata.py [--tcum ./tcum] [--torch-version 1.13]
"""
import argparse
import csv
import glob
import gzip
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import table_model as tm  # noqa: E402
import fuzz_table as ft  # noqa: E402

ROOTS = ['/usr/lib/python3/dist-packages/sklearn/datasets/data/*.csv*',
         '/usr/lib/python3/dist-packages/statsmodels/datasets/*/*.csv',
         '/usr/lib/python3/dist-packages/matplotlib/mpl-data/sample_data/**/*.csv',
         '/usr/share/matplotlib/sample_data/**/*.csv']
OPS = [('show', 'show', None), ('cumsum', 'scan', 0), ('cumsum', 'scan', 1), ('sum', 'reduce', 0),
       ('sum', 'reduce', 1), ('diff', 'diff', 0), ('cummax', 'scan', 0), ('nansum', 'reduce', 1),
       ('nanmean', 'reduce', 0), ('mean', 'reduce', 0)]


def sniff(text):
    """The delimiter tcum's sniffer picks on these files (a consistent split of the first rows)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith('#')][:64]
    for d in [',', '\t', ';', '|']:
        n = {len(r) for r in csv.reader(lines, delimiter=d)}
        if len(n) == 1 and n.pop() > 1:
            return d
    n = {len(ln.split()) for ln in lines}
    return ' ' if len(n) == 1 and n.pop() > 1 else ','


def compute(op, x, dim):
    if op == 'nansum':
        return torch.nansum(x, dim)
    if op == 'nanmean':
        return torch.nanmean(x, dim)
    if op == 'mean':
        return torch.mean(x, dim)
    return ft.compute(op, x, dim, False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tcum', default='./tcum')
    ap.add_argument('--torch-version', default='1.13')
    ap.add_argument('--verbose', action='store_true')
    args = ap.parse_args()
    tcum = os.path.abspath(args.tcum)
    files = sorted(set(f for r in ROOTS for f in glob.glob(r, recursive=True)))
    if not files:
        print('realdata: no data sets found (apt-get install python3-sklearn python3-statsmodels)')
        return 2
    passed = failed = skipped = 0
    for f in files:
        raw = open(f, 'rb').read()
        if f.endswith('.gz'):
            raw = gzip.decompress(raw)
        text = raw.decode('utf-8', 'replace')
        skip = 0
        first = text.splitlines()[:2]
        if len(first) == 2 and (len(first[0].split(',')) != len(first[1].split(',')) or (
                any(tm.is_number(v) for v in first[0].split(',')) and
                not any(tm.is_number(v) for v in first[1].split(',')))):
            skip = 1   # scikit-learn's "n_samples,n_features,names..." preamble
        delim = sniff('\n'.join(text.splitlines()[skip:]))
        try:
            t = tm.read_table(text, delim=delim, skip_rows=skip)
        except Exception as e:   # the model (pandas) cannot read it: not tcum's to match
            skipped += 1
            if args.verbose:
                print('skip %s: %r' % (f, e))
            continue
        for op, kind, dim in OPS:
            x = t.values
            if x.dim() == 0 or (dim is not None and dim >= x.dim()) or \
                    (op in ('mean', 'nanmean') and not x.is_floating_point()):
                continue
            y = compute(op, x, dim)
            want = tm.write_csv(t, y, op=kind, dim=dim, opname=op)
            argv = [tcum, op, '-f', 'csv', '--torch-version', args.torch_version]
            argv += ['--dim', str(dim)] if dim is not None else []
            argv += ['--select', 'values'] if op == 'cummax' else []
            argv += ['--skip-rows', str(skip)] if skip else []
            p = subprocess.run(argv + [f], capture_output=True)
            got = p.stdout.decode('utf-8', 'replace')
            if p.returncode == 0 and got == want:
                passed += 1
                continue
            failed += 1
            print('FAIL %s %s: %s' % (f, ' '.join(argv[1:]), p.stderr.decode().strip()[:200]))
            for i, (a, b) in enumerate(zip(got.splitlines(), want.splitlines())):
                if a != b:
                    print('  line %d: got  %s\n  line %d: want %s' % (i + 1, a[:120], i + 1, b[:120]))
                    break
    print('realdata: %d files, %d passed, %d failed, %d files the model could not read'
          % (len(files), passed, failed, skipped))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
