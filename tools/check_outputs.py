#!/usr/bin/env python
"""No docs page renders empty: every code cell the docs show whose last statement displays something has a stored output.

nbdev's docs build does not execute notebooks, so a result cell without a stored output shows its code and nothing
else. A cell displays something when its last statement is an expression that is not a call known to return None
(`test_eq(...)`, `assert`-style helpers), or a call of `display`, `print`, `Markdown`, a plotting method or
`plt.show`, and it does not end in `;`. Exempt: cells the docs do not show (`#| hide`, `#| exporti`), cells that are not
run (`#| eval: false`), cells whose output is hidden (`#| output: false`), exported cells (definitions), and `#| cuda`
cells (they need a GPU and data this project's machines do not have; their pages say so in the prose).
Usage: python tools/check_outputs.py [notebooks...] (default: every notebook under nbs/).
"""
import ast, json, re, sys
from pathlib import Path

DIRECTIVE = re.compile(r'^\s*#\|\s*(.+?)\s*$')
SILENT_CALLS = re.compile(r'^(test_\w*|assert_\w*|torch\.testing\.assert_\w+|warnings\.\w+|os\.\w+|nbdev\.\w+|plt\.close|'
                          r'\w+\.(append|extend|update|pop|clear|remove|write_text|write_bytes|mkdir|unlink|to_csv|savefig|'
                          r'manual_seed|set_num_threads|close|join|add_|copy_|zero_|fill_|uniform_|normal_))$')

def directives(src:str) -> set:
    return {re.sub(r'\s+', ' ', m.group(1)) for l in src.splitlines() if (m := DIRECTIVE.match(l))}

def call_name(node) -> str:
    f = node.func
    parts = []
    while isinstance(f, ast.Attribute): parts.append(f.attr); f = f.value
    if isinstance(f, ast.Name): parts.append(f.id)
    else: parts.append('?')
    return '.'.join(reversed(parts))

def displays(src:str) -> bool:
    "Does the cell's last statement display a value?"
    code = '\n'.join('pass' if l.lstrip().startswith(('%', '!')) else l for l in src.splitlines())
    if code.rstrip().endswith(';'): return False
    try: tree = ast.parse(code)
    except SyntaxError: return False
    if not tree.body or not isinstance(tree.body[-1], ast.Expr): return False
    v = tree.body[-1].value
    if isinstance(v, ast.Constant) and isinstance(v.value, str): return False     # a bare string (a docstring)
    if isinstance(v, (ast.Await, ast.Yield)): return False
    if isinstance(v, ast.Call): return not SILENT_CALLS.match(call_name(v))
    return True

def shown(path:Path) -> str:
    "The notebook's path relative to the repository when it is inside it."
    p = path.resolve(); root = Path(__file__).resolve().parent.parent
    return str(p.relative_to(root)) if p.is_relative_to(root) else str(path)

def problems(path:Path) -> list:
    nb, out = json.loads(path.read_text()), []
    for i, c in enumerate(nb['cells']):
        if c['cell_type'] != 'code': continue
        src = ''.join(c['source']); d = directives(src)
        if d & {'hide', 'exporti', 'export', 'exports', 'eval: false', 'output: false', 'cuda'}: continue
        if displays(src) and not c.get('outputs'):
            first = next((l for l in src.splitlines() if not l.startswith('#|')), '')
            out.append(f"{shown(path)}: cell {i} displays a value but has no stored output ({first[:70]!r})")
    return out

if __name__ == '__main__':
    root = Path(__file__).resolve().parent.parent
    nbs = [Path(p) for p in sys.argv[1:]] or sorted((root / 'nbs').rglob('*.ipynb'))
    bad = [p for nb in nbs if '.ipynb_checkpoints' not in str(nb) for p in problems(nb)]
    print('\n'.join(bad) if bad else f"every displaying cell of {len(nbs)} notebooks has a stored output")
    if bad: print(f"FAIL: {len(bad)} cell(s) would render without output on the docs site; store outputs with "
                  "`python tools/run_nb.py <notebook>` (slow cells: `--flags slow`)")
    sys.exit(1 if bad else 0)
