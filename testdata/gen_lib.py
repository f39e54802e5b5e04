"""Shared helpers for the golden-case generators.

Every generator runs under both PyTorch versions tcum reproduces:

    /usr/bin/python3 testdata/gen_X.py                          # PyTorch 1.13
    chroot /work/chroot/trixie python3 /work/.../gen_X.py       # PyTorch 2.6

(testdata/regen.sh runs every generator both ways.)  Each run rewrites its
.test file with its own version's expectations merged with the other
version's, which it reads back from the file as it stands: after both runs
the file holds both.

A .test file holds many cases:

    === ID  description
    $ tcum ARGS...            (run by sh from the repository root)
    --- torch 2.6 1.13        (the PyTorch versions this expectation is for)
    --- stdin                 (optional; raw lines fed to standard input)
    ...
    --- stdout                (expected standard output)
    ...
    --- stderr                (optional; expected standard error, default empty)
    ...
    --- status N              (optional; expected exit status, default 0)

testdata/run-tests.sh runs a case once per version its `--- torch` line
lists, with TCUM_TORCH_VERSION set to it.  Where both versions expect the
same (command, stdin, stdout, stderr and status), the case appears once,
tagged `--- torch 2.6 1.13`; where they differ, it appears once per
version with the same ID, each tagged with its version, 2.6's first.  A
case without a `--- torch` line runs once with tcum's default version
(Cases(..., torch_versions=False): outputs no PyTorch version decides).

Expected outputs always come from PyTorch / NumPy, never typed by hand.
"""
import contextlib
import io
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

PRINT_DEFAULTS = dict(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)

# Newest first: the order of the versions in a `--- torch` line and of a
# case's per-version expectations.
VERSIONS = ('2.6', '1.13')


def real_text(v, t=None, dot0=True):
    """The shortest decimal that torch.tensor(float(text), dtype=t) reads back as v
    (an integral one with '.0' when dot0)."""
    import math
    import torch
    t = torch.float64 if t is None else t
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    rt = {torch.complex64: torch.float32, torch.complex128: torch.float64}.get(t, t)
    for p in range(1, 18):
        s = '%.*g' % (p, v)
        back = torch.tensor(float(s), dtype=rt).item()
        if back == v and math.copysign(1, back) == math.copysign(1, v):
            return s if (not dot0 or '.' in s or 'e' in s or 'n' in s) else s + '.0'
    return repr(float(v))


def num_text(v, t):
    """A value of dtype t as JSON text that tcum reads back to exactly v."""
    import math
    import torch
    if t.is_complex:
        re, im = v.real, v.imag
        return '"%s%s%sj"' % (real_text(re, t), '-' if math.copysign(1, im) < 0 else '+',
                               real_text(abs(im), t))
    if t == torch.bool:
        return 'true' if v else 'false'
    if not t.is_floating_point:
        return str(int(v))
    s = real_text(v, t)
    return '"%s"' % s if s in ('nan', 'inf', '-inf') else s



def torch_version():
    """'2.6' or '1.13': the PyTorch this interpreter runs."""
    import torch
    for v in VERSIONS:
        if torch.__version__ == v or torch.__version__.startswith(v + '.'):
            return v
    raise SystemExit('gen_lib: PyTorch %s is neither of %s' % (torch.__version__, ', '.join(VERSIONS)))


@contextlib.contextmanager
def printoptions(**kw):
    """torch.set_printoptions for the duration (plus default dtype), then reset."""
    import torch
    dd = kw.pop('default_dtype', None)
    opts = dict(PRINT_DEFAULTS)
    profile = kw.pop('profile', None)
    if profile:
        torch.set_printoptions(profile=profile)
    else:
        torch.set_printoptions(**opts)
    if kw:
        torch.set_printoptions(**kw)
    old = torch.get_default_dtype()
    if dd is not None:
        torch.set_default_dtype(dd)
    try:
        yield
    finally:
        torch.set_default_dtype(old)
        torch.set_printoptions(**PRINT_DEFAULTS)


class Rand:
    """Random inputs that are the same bits under both interpreters (torch's
    and NumPy's generators are not: 2.6's randn differs in last bits)."""

    def __init__(self, seed):
        import random
        self.r = random.Random(seed)

    def _tensor(self, vals, shape):
        import torch
        return torch.tensor(vals, dtype=torch.float64).reshape(shape)

    @staticmethod
    def _numel(shape):
        n = 1
        for s in shape:
            n *= s
        return n

    def randn(self, shape):
        """Standard normal float64 values (torch.randn)."""
        return self._tensor([self.r.gauss(0.0, 1.0) for _ in range(self._numel(shape))], shape)

    def rand(self, shape):
        """Uniform [0, 1) float64 values (torch.rand)."""
        return self._tensor([self.r.random() for _ in range(self._numel(shape))], shape)

    def randint(self, lo, hi, shape):
        """Integers in [lo, hi) as int64 (torch.randint)."""
        import torch
        vals = [self.r.randrange(lo, hi) for _ in range(self._numel(shape))]
        return torch.tensor(vals, dtype=torch.int64).reshape(shape)


def torch_print(obj):
    """What print(obj) writes, under the current print options."""
    buf = io.StringIO()
    print(obj, file=buf)
    return buf.getvalue()


def version_hint(msg):
    """tcum's hint after a PyTorch message where one version lacks a kernel:
    1.13's float16/bfloat16 refusals, and complex logcumsumexp/logsumexp,
    which 2.6 has."""
    if "not implemented for 'Complex" in msg and 'logcumsumexp' in msg:
        return ' (try --torch-version 2.6)'
    if msg.startswith('logsumexp(): Expected floating point type for result tensor, but got: Complex'):
        return ' (try --torch-version 2.6)'
    if "not implemented for 'Half'" in msg or "not implemented for 'BFloat16'" in msg:
        return ' (try --dtype float32)'
    return ''


# ---- fuzzers: case building under either PyTorch ----------------------------

class Builds:
    """build(i) of a fuzzer, in this process when it runs PyTorch `version`,
    else in a server: the same script with --serve under that PyTorch (2.6:
    in the Debian 13 chroot, which must see the script at the same path),
    fed case numbers over a pipe.  build(i) must return plain Python data.
    A script that is the server calls serve(build) instead."""

    def __init__(self, build, version, script, argv, chroot='/work/chroot/trixie'):
        import subprocess
        self.build = build
        self.proc = None
        if version != torch_version():
            cmd = ['/usr/bin/python3'] if version == '1.13' else ['chroot', chroot, 'python3']
            cmd += [os.path.abspath(script)] + list(argv) + ['--serve']
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def __call__(self, i):
        import pickle
        if self.proc is None:
            return self.build(i)
        pickle.dump(i, self.proc.stdin, protocol=4)
        self.proc.stdin.flush()
        ok, v = pickle.load(self.proc.stdout)
        if not ok:
            raise RuntimeError('case server: ' + v)
        return v

    def close(self):
        if self.proc is not None:
            self.proc.stdin.close()
            self.proc.wait()


def serve(build):
    """The server side of Builds: answer case numbers until stdin closes."""
    import pickle
    import traceback
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            i = pickle.load(inp)
        except EOFError:
            return 0
        try:
            ans = (True, build(i))
        except Exception:
            ans = (False, traceback.format_exc())
        pickle.dump(ans, out, protocol=4)
        out.flush()


class Case:
    """One expectation: what tcum must do for one command line."""
    __slots__ = ('cid', 'desc', 'cmd', 'stdin', 'stdout', 'stderr', 'status', 'versions')

    def __init__(self, cid, desc, cmd, stdin, stdout, stderr, status, versions):
        self.cid, self.desc, self.cmd = cid, desc, cmd
        self.stdin, self.stdout, self.stderr, self.status = stdin or None, stdout, stderr, status
        self.versions = list(versions)

    def key(self):
        """Everything the runner compares (the description is not)."""
        return (self.cmd, self.stdin, self.stdout, self.stderr, self.status)

    def text(self):
        parts = ['=== %s  %s\n' % (self.cid, self.desc), '$ %s\n' % self.cmd]
        if self.versions:
            parts.append('--- torch %s\n' % ' '.join(self.versions))
        for name, body in (('stdin', self.stdin), ('stdout', self.stdout), ('stderr', self.stderr)):
            if body is None or (name != 'stdout' and body == ''):
                continue
            parts.append('--- %s\n' % name)
            parts.append(body)
        if self.status:
            parts.append('--- status %d\n' % self.status)
        return ''.join(parts)


def parse_test_file(path):
    """The cases of a .test file (as Case objects, in file order)."""
    cases = []
    cur = None
    block = None
    bodies = {}

    def flush():
        if cur is not None:
            cur.stdin = bodies.get('stdin') or None
            cur.stdout = bodies.get('stdout', '')
            cur.stderr = bodies.get('stderr', '')
            cases.append(cur)

    with open(path, encoding='utf-8', newline='\n') as f:
        for line in f:
            if line.startswith('=== '):
                flush()
                rest = line[4:].rstrip('\n').lstrip()
                cid, _, desc = rest.partition('  ')
                cur = Case(cid.strip(), desc, None, None, '', '', 0, [])
                bodies = {}
                block = 'head'
                continue
            if cur is None:
                continue
            if block == 'head' and line.startswith('$ ') and cur.cmd is None:
                cur.cmd = line[2:].rstrip('\n')
                continue
            if line.startswith('--- '):
                w = line[4:].split()
                if w[0] in ('stdin', 'stdout', 'stderr'):
                    block = w[0]
                    bodies[block] = ''
                elif w[0] == 'status':
                    cur.status = int(w[1])
                    block = 'body'
                elif w[0] == 'torch':
                    cur.versions = w[1:]
                    block = 'body'
                continue
            if block in bodies:
                bodies[block] += line
    flush()
    return cases


def merge(fresh, version, old):
    """fresh (this version's cases, in generator order) merged with the
    other versions' expectations in old (the file as it stood)."""
    others = {}          # version -> {id: Case}
    order = {}           # version -> [ids]
    for c in old:
        for v in (c.versions or VERSIONS):
            if v == version or v not in VERSIONS:
                continue
            if c.cid not in others.setdefault(v, {}):
                order.setdefault(v, []).append(c.cid)
            others[v][c.cid] = c
    # The ids in the fresh order, with ids only other versions have placed
    # after the id they followed there.
    ids = [c.cid for c in fresh]
    seen = set(ids)
    for v in VERSIONS:
        prev = None
        for cid in order.get(v, []):
            if cid not in seen:
                pos = ids.index(prev) + 1 if prev in ids else 0
                ids.insert(pos, cid)
                seen.add(cid)
            prev = cid
    by_version = {v: dict(others.get(v, {})) for v in VERSIONS}
    by_version[version] = {c.cid: c for c in fresh}
    out = []
    for cid in ids:
        groups = []      # [(key, Case, [versions])]
        for v in VERSIONS:
            c = by_version[v].get(cid)
            if c is None:
                continue
            for g in groups:
                if g[0] == c.key():
                    g[2].append(v)
                    break
            else:
                groups.append((c.key(), c, [v]))
        for _key, c, vs in groups:
            out.append(Case(cid, c.desc, c.cmd, c.stdin, c.stdout, c.stderr, c.status, vs))
    return out


class Cases:
    """The cases of one .test file, written with Cases.write().

    torch_versions=False: the outputs depend on no PyTorch version; the
    cases are written untagged and the generator runs under /usr/bin/python3
    only (regen.sh)."""

    def __init__(self, path, header='', torch_versions=True):
        self.path = os.path.join(HERE, path)
        self.header = header
        self.torch_versions = torch_versions
        self.ids = set()
        self.cases = []

    def add(self, cid, desc, cmd, stdout='', stdin=None, stderr='', status=0):
        assert cid not in self.ids, cid
        assert '\n' not in cmd
        assert '  ' not in cid and ' ' not in cid, cid
        self.ids.add(cid)
        for name, body in (('stdin', stdin), ('stdout', stdout), ('stderr', stderr)):
            if body is None or (name != 'stdout' and body == ''):
                continue
            if body and not body.endswith('\n'):
                raise ValueError('%s: %s must end with a newline' % (cid, name))
            for line in body.splitlines():
                if line.startswith('=== ') or line.startswith('--- ') or line.startswith('$ '):
                    raise ValueError('%s: %s line clashes with a marker: %r' % (cid, name, line))
        self.cases.append(Case(cid, desc, cmd, stdin, stdout, stderr, status, []))

    def write(self):
        if self.torch_versions:
            version = torch_version()
            for c in self.cases:
                c.versions = [version]
            old = parse_test_file(self.path) if os.path.exists(self.path) else []
            cases = merge(self.cases, version, old)
        else:
            version = None
            cases = self.cases
        with open(self.path, 'w', encoding='utf-8', newline='\n') as f:
            if self.header:
                for line in self.header.splitlines():
                    f.write('# ' + line + '\n')
            f.write(''.join(c.text() for c in cases))
        split = sum(1 for c in cases if len(c.versions) == 1)
        print('%s: %d cases%s' % (os.path.relpath(self.path), len(self.cases),
                                  ' (PyTorch %s; %d expectations differ by version)' % (version, split)
                                  if version else ''))
        sys.stdout.flush()
