#!/usr/bin/env python
"""Notebook order follows imports: no notebook imports a module that a later notebook exports.

A reader who runs the notebooks in their published order (index first, then nbs/ by name, then nbs/peers/ by name, as the sidebar
lists them) must never meet an import of code that a later page introduces. For every notebook this reads the modules it
imports (`from langsam_nb.X import`, `import langsam_nb.X`, in any cell, exported or not, lazy imports inside
functions included) and the notebook that exports each module (`#| default_exp X`), and fails on an import of a module
whose notebook comes later. The front pages (index, design) sum up the whole package and are exempt.

Usage: python tools/check_order.py [--nbs nbs]       exit status 1 on a violation, with each one listed
"""
import argparse, json, re, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_html import notebooks   # the published order, as the sidebar lists it

EXEMPT = {'index', 'design'}
_re_exp = re.compile(r'^#\|\s*default_exp\s+(\S+)', re.M)
_re_imp = re.compile(r'(?:from\s+langsam_nb\.([\w.]+)\s+import|import\s+langsam_nb\.([\w.]+))')


def sources(p:Path) -> list:
    return [''.join(c['source']) for c in json.loads(p.read_text(encoding='utf-8'))['cells'] if c['cell_type'] == 'code']


def check(nbs:Path) -> tuple:
    "(violations [(notebook, module, exporting notebook)], {module: notebook}, order)."
    order = notebooks(nbs)
    exporter = {}
    for p in order:
        for s in sources(p):
            for m in _re_exp.finditer(s): exporter[m.group(1)] = p
    rank = {p: i for i, p in enumerate(order)}
    bad = set()
    for p in order:
        if p.stem in EXEMPT: continue
        for s in sources(p):
            for m in _re_imp.finditer(s):
                mod = m.group(1) or m.group(2)
                while mod and mod not in exporter and '.' in mod: mod = mod.rsplit('.', 1)[0]   # langsam_nb.x.y -> x
                q = exporter.get(mod)
                if q is not None and rank[q] > rank[p]: bad.add((p, mod, q))
    return sorted(bad, key=lambda b: (rank[b[0]], b[1])), exporter, order


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--nbs', default=str(Path(__file__).resolve().parents[1] / 'nbs'))
    nbs = Path(ap.parse_args().nbs)
    bad, exporter, order = check(nbs)
    rel = lambda p: p.relative_to(nbs).as_posix()
    for p, mod, q in bad: print(f'FAIL: {rel(p)} imports langsam_nb.{mod}, which the later notebook {rel(q)} exports')
    print(f'{len(order)} notebooks, {len(exporter)} modules: '
          + (f'{len(bad)} import(s) of a later notebook\'s module' if bad else 'every notebook imports only modules of earlier notebooks'))
    sys.exit(1 if bad else 0)
