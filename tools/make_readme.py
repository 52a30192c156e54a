#!/usr/bin/env python
"""Write README.md from nbs/index.ipynb without Quarto (DESIGN §2); `--check` fails when README.md is stale.

Cells flagged `#| hide` are left out, nbdev directives are stripped, code cells become ```python blocks and their
stored text outputs follow as plain blocks (images are left out of the README; the docs site shows them)."""
import json, sys, re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = '<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->\n\n'

def _text(x): return ''.join(x) if isinstance(x, list) else x

def render(nb_path):
    nb = json.loads(Path(nb_path).read_text())
    parts = []
    for c in nb['cells']:
        src = _text(c['source'])
        lines = src.split('\n')
        directives = [l for l in lines if re.match(r'^#\|', l)]
        if any(re.match(r'^#\|\s*(hide|exporti?\b.*hide|include:\s*false)', d) for d in directives): continue
        body = '\n'.join(l for l in lines if not re.match(r'^#\|', l)).strip('\n')
        if c['cell_type'] == 'markdown':
            if body.strip(): parts.append(body)
            continue
        if c['cell_type'] != 'code': continue
        if not any(re.match(r'^#\|\s*echo:\s*false', d) for d in directives) and body.strip():
            parts.append(f'```python\n{body}\n```')
        for o in c.get('outputs', []):
            if o.get('output_type') == 'stream': txt = _text(o.get('text', ''))
            elif 'data' in o and 'text/markdown' in o['data']: parts.append(_text(o['data']['text/markdown']).strip()); continue
            elif 'data' in o and 'text/plain' in o['data'] and not any(k.startswith('image/') for k in o['data']):
                txt = _text(o['data']['text/plain'])
            else: continue
            if txt.strip(): parts.append('```\n' + txt.rstrip('\n') + '\n```')
    return HEADER + '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    want = render(ROOT / 'nbs' / 'index.ipynb')
    readme = ROOT / 'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != want:
            sys.exit('README.md is out of date with nbs/index.ipynb: run `make readme` (python tools/make_readme.py)')
        print('README.md is up to date')
    else:
        readme.write_text(want); print('wrote README.md')
