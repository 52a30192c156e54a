#!/usr/bin/env python
"""Write README.md from nbs/index.ipynb without Quarto (DESIGN §2); `--check` fails when README.md is stale.

Cells flagged `#| hide` are left out, nbdev directives are stripped, code cells become ```python blocks and their
stored text outputs follow as plain blocks. Stored PNG figures are written to nbs/images/index_fig<N>.png and shown
from there (with their `#| fig-cap`); relative links to notebooks, in markdown cells and in markdown outputs, get the
nbs/ prefix, since README.md sits one folder above nbs/index.ipynb."""
import base64, json, sys, re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = '<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->\n\n'

def _text(x): return ''.join(x) if isinstance(x, list) else x

FIG_DIR = 'nbs/images'
_re_rel_link = re.compile(r'\]\((?!https?:|#|/|mailto:)([^)\s]+)\)')

def _links(md):
    "Relative link targets of nbs/index.ipynb, seen from the repository root."
    return _re_rel_link.sub(lambda m: f'](nbs/{m.group(1)})', md)

def render(nb_path, figures=None):
    "README text; `figures` (a dict) receives {repository path: PNG bytes} of the figures it shows."
    nb = json.loads(Path(nb_path).read_text())
    parts = []
    figures = {} if figures is None else figures
    for c in nb['cells']:
        src = _text(c['source'])
        lines = src.split('\n')
        directives = [l for l in lines if re.match(r'^#\|', l)]
        if any(re.match(r'^#\|\s*(hide|exporti?\b.*hide|include:\s*false)', d) for d in directives): continue
        body = '\n'.join(l for l in lines if not re.match(r'^#\|', l)).strip('\n')
        if c['cell_type'] == 'markdown':
            if body.strip(): parts.append(_links(body))
            continue
        if c['cell_type'] != 'code': continue
        if not any(re.match(r'^#\|\s*echo:\s*false', d) for d in directives) and body.strip():
            parts.append(f'```python\n{body}\n```')
        cap = next((re.sub(r'^#\|\s*fig-cap:\s*', '', d).strip().strip('"\'') for d in directives if 'fig-cap' in d), 'figure')
        for o in c.get('outputs', []):
            if 'data' in o and 'image/png' in o['data']:
                path = f'{FIG_DIR}/index_fig{len(figures) + 1}.png'
                figures[path] = base64.b64decode(_text(o['data']['image/png']))
                parts.append(f'![{cap}]({path})'); continue
            if o.get('output_type') == 'stream': txt = _text(o.get('text', ''))
            elif 'data' in o and 'text/markdown' in o['data']: parts.append(_links(_text(o['data']['text/markdown']).strip())); continue
            elif 'data' in o and 'text/plain' in o['data'] and not any(k.startswith('image/') for k in o['data']):
                txt = _text(o['data']['text/plain'])
            else: continue
            if txt.strip(): parts.append('```\n' + txt.rstrip('\n') + '\n```')
    return HEADER + '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    figs = {}
    want = render(ROOT / 'nbs' / 'index.ipynb', figs)
    readme = ROOT / 'README.md'
    if '--check' in sys.argv:
        stale = [p for p, b in figs.items() if not (ROOT / p).is_file() or (ROOT / p).read_bytes() != b]
        if not readme.exists() or readme.read_text() != want or stale:
            sys.exit('README.md (or its figures ' + ', '.join(stale) + ') is out of date with nbs/index.ipynb: run `make readme` '
                     '(python tools/make_readme.py)')
        print('README.md is up to date')
    else:
        for p, b in figs.items(): (ROOT / p).parent.mkdir(parents=True, exist_ok=True); (ROOT / p).write_bytes(b)
        readme.write_text(want); print('wrote README.md' + ''.join(f', {p}' for p in figs))
