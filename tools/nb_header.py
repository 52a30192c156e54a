#!/usr/bin/env python
"""Give every notebook page its header: an "Open in Colab" badge, the slow-cell warning, and a first code cell that
sets the notebook up in Colab (and does nothing anywhere else). `--check` fails (exit 1) when a notebook's header is
missing or stale, so new notebooks get one: CI runs it.

The header sits right after the title cell (`# Title` + `> description`):
  * a markdown cell: the badge (a local SVG, nbs/images/colab-badge.svg, so the offline pages load nothing remote)
    linking to the notebook on Colab; for notebooks with `#| slow` cells, how many there are and that Run All runs them;
  * a `#| hide` code cell, plain Python (no `!` or `%` magics, so `tools/check_colab.py` can run it in one Python
    process): in Colab it clones the repository (retried once), installs it with `tools/install.sh colab` (Colab's torch
    kept; the package installed as a regular, non-editable package, so that the running kernel imports it with no restart;
    each pip step retried once; the time printed) and moves into the notebook's folder so that `data_samples/` and
    `nbs/results/` are found; a failed clone or install raises an error naming it, and running the cell again resumes.
The repository URL is settings.ini's `git_url`; the branch its `branch`.

Usage: python tools/nb_header.py [--check] [NOTEBOOK ...]   (default: every nbs/**/*.ipynb except index and _*)"""
import configparser, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / 'nbs'
MD_MARK = '<!-- header: tools/nb_header.py -->'
CODE_MARK = '# Colab set-up (tools/nb_header.py)'
_re_slow = re.compile(r'^\s*#\|\s*slow\b', re.M)

def settings():
    c = configparser.ConfigParser(); c.read(ROOT / 'settings.ini')
    d = c['DEFAULT']
    return d['git_url'].rstrip('/'), d.get('branch', 'main')

def _src(c): return ''.join(c['source']) if isinstance(c['source'], list) else c['source']

def header_cells(nb_path:Path, nb:dict):
    "The two header cells of `nb_path` (markdown, code) as nbformat dicts."
    git_url, branch = settings()
    rel = nb_path.relative_to(ROOT).as_posix()                       # nbs/peers/01_fgmoe.ipynb
    folder = nb_path.parent.relative_to(ROOT).as_posix()             # nbs/peers
    repo = git_url.split('github.com/')[-1]                          # owner/name
    badge = posixpath_rel(NBS / 'images' / 'colab-badge.svg', nb_path.parent)
    md = f"{MD_MARK}\n[![Open in Colab]({badge})](https://colab.research.google.com/github/{repo}/blob/{branch}/{rel})"
    n_slow = sum(1 for c in nb['cells'] if c['cell_type'] == 'code' and _re_slow.search(_src(c)))
    if n_slow:
        md += (f"\n\n**Run All runs {n_slow} slow cell{'s' if n_slow > 1 else ''}** (flagged `#| slow`: training or "
               "sweeps that take minutes on a CPU, and rewrite the stored results they measured). `nbdev_test` skips "
               "them; to read the page, run the cells above the first slow one, or read the stored outputs.")
    name = repo.split('/')[-1]
    code = f"""#| hide
{CODE_MARK}: in Colab this cell clones the repository and runs `tools/install.sh colab`: Colab's
# torch is kept, sam2 is built from source without CUDA kernels, and this package is installed as a regular (not editable)
# package, so it imports in this runtime with no restart. A failed pip step is retried once, then this cell stops with an
# error that names it; running the cell again resumes an unfinished install. Then it moves into this notebook's folder,
# where data_samples/ and nbs/results/ are found. Elsewhere it does nothing.
if 'google.colab' in str(get_ipython()):
    import importlib, importlib.metadata, os, shutil, subprocess, sys, time
    def _sh(*cmd, **kw):
        "Run `cmd`, its output shown here; (exit status, last line of output)."
        p, last = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw), ''
        for line in p.stdout: print(line, end='', flush=True); last = line.strip() or last
        return p.wait(), last
    _t, _repo = time.time(), '/content/{name}'
    if not os.path.isfile(f'{{_repo}}/tools/install.sh'):   # not cloned yet, or a clone that stopped half-way
        for _ in range(2):
            shutil.rmtree(_repo, ignore_errors=True)
            if _sh('git', 'clone', '-q', '--depth', '1', '-b', '{branch}', '{git_url}', _repo)[0] == 0: break
        else: raise RuntimeError('Colab set-up: `git clone {git_url}` failed twice (output above)')
    try: importlib.metadata.version('{name}')             # installed by an earlier run of this cell
    except importlib.metadata.PackageNotFoundError:
        _rc, _last = _sh('bash', f'{{_repo}}/tools/install.sh', 'colab', env=dict(os.environ, PYTHON=sys.executable))
        if _rc: raise RuntimeError(f'Colab set-up: tools/install.sh colab stopped (exit {{_rc}}): {{_last}}') from None
        importlib.invalidate_caches()                     # let this runtime see the packages just installed
        print(f'Colab set-up took {{time.time() - _t:.0f}} s')
    os.chdir(f'{{_repo}}/{folder}')"""
    return (dict(cell_type='markdown', metadata={}, source=md.splitlines(keepends=True)),
            dict(cell_type='code', execution_count=None, metadata={}, outputs=[], source=code.splitlines(keepends=True)))

def posixpath_rel(target:Path, start:Path) -> str:
    import os
    return Path(os.path.relpath(target, start)).as_posix()

def apply(nb_path:Path, check:bool=False) -> bool:
    "Insert or refresh the header of one notebook; True when it was (or, with check, would be) changed."
    text = nb_path.read_text()
    nb = json.loads(text)
    cells = [c for c in nb['cells'] if not (c['cell_type'] == 'markdown' and _src(c).startswith(MD_MARK))
             and not (c['cell_type'] == 'code' and CODE_MARK in _src(c))]
    if not cells or cells[0]['cell_type'] != 'markdown' or not _src(cells[0]).startswith('# '):
        raise SystemExit(f"{nb_path}: the first cell must be the title cell ('# Title' + '> description')")
    old = [c for c in nb['cells'] if c not in cells]                  # the current header cells, if any
    head = header_cells(nb_path, dict(cells=cells))
    for h in head:                                                    # keep their cell ids: a refresh changes only sources
        o = next((c for c in old if c['cell_type'] == h['cell_type'] and 'id' in c), None)
        if o is not None: h['id'] = o['id']
    nb['cells'] = [cells[0], *head, *cells[1:]]
    new = json.dumps(nb, indent=1, ensure_ascii=False) + '\n'
    changed = _norm(new) != _norm(text)
    if changed and not check: nb_path.write_text(new)
    return changed

def _norm(s): return [(c['cell_type'], _src(c)) for c in json.loads(s)['cells']]   # cells' kinds and sources, not ids or outputs

def notebooks(args):
    if args: return [Path(a).resolve() for a in args]
    return sorted(p for p in NBS.rglob('*.ipynb') if p.name != 'index.ipynb' and not p.name.startswith('_')
                  and '.ipynb_checkpoints' not in p.parts and not any(q.startswith('_') for q in p.relative_to(NBS).parts[:-1]))

if __name__ == '__main__':
    check = '--check' in sys.argv
    paths = notebooks([a for a in sys.argv[1:] if a != '--check'])
    stale = [p for p in paths if apply(p, check)]
    for p in stale: print(('stale header: ' if check else 'wrote header: ') + p.relative_to(ROOT).as_posix())
    if check and stale: sys.exit('notebook headers are out of date: run `python tools/nb_header.py` (then nbdev_clean)')
    print(f"{len(paths)} notebooks, {len(stale)} {'stale' if check else 'updated'}")
