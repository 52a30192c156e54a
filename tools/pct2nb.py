#!/usr/bin/env python
"""Authoring aid: turn a percent-format script (`# %%` code cells, `# %% [markdown]` text cells) into a notebook.

Usage: python tools/pct2nb.py draft.py nbs/NN_topic.ipynb
The notebook is the source of truth once written; this only saves typing JSON. Markdown cells are written
with a leading `# ` stripped from each line."""
import json, sys, re
from pathlib import Path

def parse(text):
    cells, kind, buf = [], None, []
    def flush():
        if kind is None: return
        src = '\n'.join(buf).strip('\n')
        if kind == 'markdown': src = '\n'.join(re.sub(r'^# ?', '', l) for l in src.split('\n'))
        if src.strip(): cells.append((kind, src))
    for line in text.split('\n'):
        m = re.match(r'^# %%(.*)$', line)
        if m:
            flush(); kind = 'markdown' if '[markdown]' in m.group(1) else 'code'; buf = []
        else: buf.append(line)
    flush()
    return cells

def to_nb(cells):
    out = []
    for kind, src in cells:
        lines = src.split('\n'); lines = [l + '\n' for l in lines[:-1]] + [lines[-1]]
        c = {'cell_type': kind, 'metadata': {}, 'source': lines}
        if kind == 'code': c.update(execution_count=None, outputs=[])
        out.append(c)
    return {'cells': out, 'metadata': {'kernelspec': {'display_name': 'python3', 'language': 'python', 'name': 'python3'}},
            'nbformat': 4, 'nbformat_minor': 5}

if __name__ == '__main__':
    src, dst = sys.argv[1], sys.argv[2]
    Path(dst).write_text(json.dumps(to_nb(parse(Path(src).read_text())), indent=1) + '\n')
    print(f'wrote {dst}')
