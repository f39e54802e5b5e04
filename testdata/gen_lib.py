"""Shared helpers for the golden-case generators (run with /usr/bin/python3).

A .test file holds many cases:

    === ID  description
    $ tcum ARGS...            (run by sh from the repository root)
    --- stdin                 (optional; raw lines fed to standard input)
    ...
    --- stdout                (expected standard output)
    ...
    --- stderr                (optional; expected standard error, default empty)
    ...
    --- status N              (optional; expected exit status, default 0)

Expected outputs always come from PyTorch / NumPy, never typed by hand.
"""
import contextlib
import io
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))

PRINT_DEFAULTS = dict(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)


@contextlib.contextmanager
def printoptions(**kw):
    """torch.set_printoptions for the duration (plus default dtype), then reset."""
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


def torch_print(obj):
    """What print(obj) writes, under the current print options."""
    buf = io.StringIO()
    print(obj, file=buf)
    return buf.getvalue()


class Cases:
    def __init__(self, path, header=''):
        self.path = os.path.join(HERE, path)
        self.header = header
        self.ids = set()
        self.out = []

    def add(self, cid, desc, cmd, stdout='', stdin=None, stderr='', status=0):
        assert cid not in self.ids, cid
        assert '\n' not in cmd
        self.ids.add(cid)
        parts = ['=== %s  %s\n' % (cid, desc), '$ %s\n' % cmd]
        for name, body in (('stdin', stdin), ('stdout', stdout), ('stderr', stderr)):
            if body is None or (name != 'stdout' and body == ''):
                continue
            if body and not body.endswith('\n'):
                raise ValueError('%s: %s must end with a newline' % (cid, name))
            for line in body.splitlines():
                if line.startswith('=== ') or line.startswith('--- ') or line.startswith('$ '):
                    raise ValueError('%s: %s line clashes with a marker: %r' % (cid, name, line))
            parts.append('--- %s\n' % name)
            parts.append(body)
        if status:
            parts.append('--- status %d\n' % status)
        self.out.append(''.join(parts))

    def write(self):
        with open(self.path, 'w', encoding='utf-8', newline='\n') as f:
            if self.header:
                for line in self.header.splitlines():
                    f.write('# ' + line + '\n')
            f.write(''.join(self.out))
        print('%s: %d cases' % (os.path.relpath(self.path), len(self.out)))
