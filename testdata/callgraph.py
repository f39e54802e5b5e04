#!/usr/bin/python3
"""callgraph.py - no call loop among lib/'s files (issue 16).

For each object file of the library, its undefined symbols (nm -u) are
resolved to the object that defines them; that gives the file-level call
graph.  Every strongly connected component of more than one file is a
loop: printed, one line each, and the exit status is 1.

    testdata/callgraph.py lib/*.o     (make lint builds and passes them)
"""
import os
import subprocess
import sys


def symbols(obj):
    """(defined, undefined) global symbols of an object file."""
    out = subprocess.run(["nm", "-g", obj], check=True, capture_output=True, text=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] not in "Uvw":
            defined.add(parts[2])
    return defined, undefined


def sccs(graph):
    """Tarjan's strongly connected components, iteratively."""
    index, low, on, stack, out, n = {}, {}, set(), [], [], 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = n
        n += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = n
                    n += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))
    return out


def main(objs):
    if not objs:
        sys.exit("usage: callgraph.py lib/*.o")
    owner, needs = {}, {}
    for o in objs:
        name = os.path.splitext(os.path.basename(o))[0]
        d, u = symbols(o)
        needs[name] = u
        for s in d:
            owner[s] = name
    graph = {f: {owner[s] for s in u if s in owner and owner[s] != f} for f, u in needs.items()}
    loops = [c for c in sccs(graph) if len(c) > 1]
    for c in loops:
        inside = set(c)
        edges = []
        for f in c:
            for g in sorted(graph[f] & inside):
                via = sorted(s for s in needs[f] if owner.get(s) == g)
                edges.append("%s -> %s (%s)" % (f, g, ", ".join(via)))
        print("call loop among %s: %s" % (", ".join(c), "; ".join(edges)))
    sys.exit(1 if loops else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
