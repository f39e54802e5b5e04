#!/usr/bin/env python3
"""faultsim.py - every golden case with the n-th allocation failing (make faultsim).

As SQLite's fault simulation does: each case of testdata/*.test runs once
under a tcum built with -DTC_FAULTSIM and ASan to count the library's
allocations (TCUM_FAULTSIM_COUNT), then once for each n from 1 to that count
with TCUM_FAULTSIM=n, which fails the n-th allocation and every later one.
Each run must end in one of two ways:

  - success (status 0): then its output is the golden output, byte for byte
    (a failure that was recovered from must not change the answer);
  - an error (status 2): one line on stderr, "tcum: ... out of memory ..."
    or the case's own expected error (found before the failing allocation);

with no crash, no sanitizer report (leaks included: ASan's leak check runs
at exit), and no file left behind by -o (its temporary included) in the
case's directory or its TMPDIR.

Commands that hide tcum's status (||, &&, several commands) are skipped;
pipelines run with pipefail.  --sample K runs K cases and at most 12 values
of n each (the first, the last, and some between), for CI; which ones
depends on --seed alone.  --jobs J runs J cases at a time (default: the
CPUs).  With TCUM_THREADS=1 in the environment every run is deterministic.

Usage: python3 testdata/faultsim.py --tcum ./tcum-faultsim [--sample K] [--seed S] [--jobs J] [PATTERN...]
"""
import argparse
import concurrent.futures
import glob
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def cases():
    """(id, command, stdin, stdout, stderr, status, versions) of every golden case."""
    for path in sorted(glob.glob(os.path.join(HERE, '*.test'))):
        cur = None
        block = None
        with open(path, encoding='utf-8', errors='surrogateescape') as f:
            for line in f:
                if line.startswith('=== '):
                    if cur:
                        yield cur
                    cur = {'id': line[4:].split()[0], 'cmd': None, 'stdin': None, 'stdout': '',
                           'stderr': '', 'status': 0, 'torch': []}
                    block = None
                    continue
                if cur is None:
                    continue
                if line.startswith('$ ') and cur['cmd'] is None and block is None:
                    cur['cmd'] = line[2:].rstrip('\n')
                    continue
                if line.startswith('--- '):
                    w = line[4:].split()
                    block = w[0] if w else None
                    if block == 'status':
                        cur['status'] = int(w[1])
                        block = None
                    elif block == 'torch':
                        cur['torch'] = w[1:]
                        block = None
                    elif block in ('stdin', 'stdout', 'stderr'):
                        cur[block] = ''
                    continue
                if block in ('stdin', 'stdout', 'stderr'):
                    cur[block] += line
        if cur:
            yield cur


def run(tcum_dir, case, env, cwd):
    cmd = case['cmd']
    return subprocess.run(['bash', '-o', 'pipefail', '-c', cmd], cwd=cwd,
                          input=(case['stdin'] or '').encode('utf-8', 'surrogateescape'),
                          capture_output=True, env=env, timeout=120)


def check(tcum, c, v, env0, sample, seed):
    """Run case c (PyTorch version v) for every n, or a sample of them: (runs, reports)."""
    rng = random.Random('%d %s %s' % (seed, c['id'], v))
    env = dict(env0)
    if v:
        env['TCUM_TORCH_VERSION'] = v
    # The case's own directory: testdata reached through a symlink (the cases
    # only read it), and TMPDIR inside, so that files left behind show.
    work = tempfile.mkdtemp()
    os.symlink(os.path.join(ROOT, 'testdata'), os.path.join(work, 'testdata'))
    env['TMPDIR'] = work
    count_file = os.path.join(work, '.count')
    run(tcum, c, dict(env, TCUM_FAULTSIM_COUNT=count_file), work)
    try:
        with open(count_file) as f:
            total = max(int(x) for x in f.read().split() or ['0'])
        os.unlink(count_file)
    except OSError:
        total = 0
    ns = list(range(1, total + 1))
    if sample and len(ns) > 12:
        ns = sorted(set([1, 2, 3, total - 1, total] + rng.sample(ns, 7)))
    before = set(os.listdir(work))
    reports = []
    for n in ns:
        p = run(tcum, c, dict(env, TCUM_FAULTSIM=str(n)), work)
        err = p.stderr.decode('utf-8', 'replace')
        out = p.stdout.decode('utf-8', 'surrogateescape')
        problem = None
        if p.returncode == 86 or 'Sanitizer' in err or 'runtime error' in err:
            problem = 'sanitizer report'
        elif p.returncode == 0:
            if out != c['stdout'] and c['status'] == 0:
                problem = 'success with a different output'
        elif p.returncode == 2:
            lines = err.splitlines()
            # a pipeline of several tcums: the next one sees the first one's empty output
            piped = c['cmd'].count('tcum ') > 1
            if not lines or not all(x.startswith('tcum: ') for x in lines) or \
                    (len(lines) != 1 and not piped):
                problem = 'not one line'
            elif 'out of memory' not in lines[0] and err != c['stderr']:
                problem = 'an error that is not out of memory'
        elif p.returncode != c['status']:
            problem = 'status %d' % p.returncode
        left = set(os.listdir(work)) - before
        if left:
            problem = (problem or '') + ' files left: %s' % sorted(left)
            for x in left:
                try:
                    os.unlink(os.path.join(work, x))
                except OSError:
                    shutil.rmtree(os.path.join(work, x), ignore_errors=True)
        if problem:
            reports.append('FAIL %s%s n=%d/%d: %s\n  $ %s\n  %s' % (
                c['id'], '@' + v if v else '', n, total, problem, c['cmd'],
                err.strip().replace('\n', '\n  ')[:1500]))
    shutil.rmtree(work, ignore_errors=True)
    return len(ns), reports


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tcum', default='./tcum-faultsim')
    ap.add_argument('--sample', type=int, default=0)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    ap.add_argument('patterns', nargs='*')
    args = ap.parse_args()
    tcum = os.path.abspath(args.tcum)
    bindir = tempfile.mkdtemp()
    with open(os.path.join(bindir, 'tcum'), 'w') as f:
        f.write('#!/bin/sh\nexec %s "$@"\n' % tcum)
    os.chmod(os.path.join(bindir, 'tcum'), 0o755)
    rng = random.Random(args.seed)
    todo = []
    for c in cases():
        if not c['cmd'] or 'tcum' not in c['cmd']:
            continue
        if re.search(r'\|\||&&|;|\bmkfifo\b|\bsleep\b|valgrind', c['cmd']):
            continue   # the status of tcum itself is hidden, or timing matters
        if args.patterns and not any(re.search(p, c['id']) for p in args.patterns):
            continue
        todo.append(c)
    if args.sample:
        todo = rng.sample(todo, min(args.sample, len(todo)))
    env0 = dict(os.environ, LC_ALL='C', PATH=bindir + ':' + os.environ['PATH'],
                ASAN_OPTIONS='detect_leaks=1:exitcode=86', UBSAN_OPTIONS='exitcode=86')
    jobs = [(c, v) for c in todo for v in (c['torch'] or [None])]
    runs = bad = 0
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as ex:
        results = ex.map(lambda j: check(tcum, j[0], j[1], env0, args.sample, args.seed), jobs)
        for n, reports in results:
            runs += n
            bad += len(reports)
            for r in reports:
                print(r, flush=True)
    print('faultsim: %d cases, %d runs, %d failed' % (len(todo), runs, bad))
    shutil.rmtree(bindir, ignore_errors=True)
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
