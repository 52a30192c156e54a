#!/usr/bin/env python
"""Run the notebooks' Colab set-up cell (written by tools/nb_header.py) in an imitation of Colab, and check that the
package then imports in the same Python process, with no restart.

Colab itself cannot be reached from the project's machine (its network reaches package registries only), so this is a
simulation, not a run in Colab. What it imitates, and how:
  * Colab's Python with its preinstalled CUDA torch: a fresh venv in a temporary folder (outside the repository) whose
    only packages, besides pip, setuptools and wheel (upgraded from the index, as Colab has recent ones), are the torch
    pair and their dependencies, taken from an existing environment (`--torch-from`, default the Python running this
    script) as symlinks in a folder that a `.pth` file puts on the venv's sys.path. pip sees them as installed, so a
    step that tried to replace torch would show up as a second torch inside the venv, which is checked. (Making the venv
    with `python -m venv --system-site-packages` from a venv's Python does not work: the new venv inherits the *base*
    interpreter's site-packages, not the venv's, and the base interpreter has no torch.)
  * the notebook kernel: one Python process in that venv, started in `<tmp>/content`; `get_ipython()` returns an object
    of class `google.colab._shell.Shell` (from a stand-in `google.colab` package), which is what the cell's Colab test
    looks at (`'google.colab' in str(get_ipython())`);
  * GitHub and /content: in the cell's source, the repository URL is replaced by a bare repository holding a snapshot
    of this working tree (`git stash create`: committed files plus uncommitted changes to tracked files; `--ref` picks a
    commit instead) as branch `main`, and `/content/` by `<tmp>/content/`. Nothing else in the cell is changed;
  * a fresh runtime's empty pip cache (PIP_CACHE_DIR in the temporary folder). Packages come from the index pip is
    configured with on this machine, so the time measured is this machine's, not Colab's network.
Not imitated: Colab's Python version (this runs the `--torch-from` Python's), its many other preinstalled packages
(numpy, pandas, scipy, transformers, ... : here only torch's dependencies are there, so pip installs more than in Colab),
and a GPU.

In that one process it (1) runs the cell with pip's index unreachable and expects it to stop with an error that names
the failed pip step, after one retry; (2) runs the cell again with the index back: the clone is kept and the install
resumes; its time is printed; (3) imports langsam_nb, builds `get_config('tiny')`, finds `data_samples/` from the
notebook's folder, and checks that torch is still the preinstalled one, that langsam_nb comes from the venv's
site-packages (a regular install) and that neither JupyterLab nor jupyter_server was installed; (4) runs the cell a third
time, which only moves into the notebook's folder.

Usage: python tools/check_colab.py [--notebook nbs/00_core.ipynb] [--ref REF] [--torch-from PYTHON] [--keep]"""
import argparse, json, os, shutil, subprocess, sys, tempfile, textwrap, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tools'))
from nb_header import CODE_MARK, settings

CLOSURE = r'''
import importlib.metadata as md, json, re, sys
try: from packaging.requirements import Requirement
except ImportError: from pip._vendor.packaging.requirements import Requirement
seen, todo, entries = set(), [('torch', ()), ('torchvision', ())], set()
while todo:                                                     # (name, extras asked for), e.g. cuda-toolkit[cufft,...]
    name, extras = todo.pop()
    name = re.sub(r'[-_.]+', '-', name).lower()
    if (name, extras) in seen: continue
    seen.add((name, extras))
    d = md.distribution(name)
    entries.add(str(d._path))                                   # the .dist-info folder
    for f in d.files or []:
        top = f.parts[0]
        if top not in ('..', '__pycache__') and not top.endswith('.dist-info'): entries.add(str(d.locate_file(top)))
    for r in d.requires or []:
        r = Requirement(r)
        if r.marker is None or any(r.marker.evaluate({'extra': e}) for e in ('', *extras)):
            todo.append((r.name, tuple(sorted(r.extras))))
print(json.dumps(sorted(entries)))
'''

KERNEL = r'''
import importlib, importlib.util, json, os, sys, textwrap, time
a = json.loads(sys.argv[1])
sys.path.append(a['fake'])                                      # the stand-in google.colab package
from google.colab._shell import Shell
shell = Shell()
g = {'__name__': '__main__', 'get_ipython': lambda: shell}
code = compile(open(a['cell']).read(), '<Colab set-up cell>', 'exec')
def run_cell(): exec(code, g)
print('kernel:', sys.executable, sys.version.split()[0], '| get_ipython() ->', shell, flush=True)

print('\n== 1. the cell with pip\'s index unreachable (a failed pip step)', flush=True)
dead = dict(PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL='http://127.0.0.1:9/simple', PIP_RETRIES='0', PIP_TIMEOUT='2',
            PIP_DEFAULT_TIMEOUT='2')                            # no config file (no extra indexes), a closed port
saved = {k: os.environ.get(k) for k in (*dead, 'PIP_FIND_LINKS', 'PIP_EXTRA_INDEX_URL')}
for k in ('PIP_FIND_LINKS', 'PIP_EXTRA_INDEX_URL'): os.environ.pop(k, None)
os.environ.update(dead)
try:
    run_cell(); sys.exit('FAIL: the cell did not stop although pip could not install anything')
except RuntimeError as e:
    print(f'-> the cell raised RuntimeError: {e}', flush=True)
    assert 'FAILED step' in str(e), 'the error does not name the failed step'
assert os.path.isfile(os.path.join(a['repo'], 'tools', 'install.sh')), 'the clone is missing after the failed install'
for k, v in saved.items():
    if v is None: os.environ.pop(k, None)
    else: os.environ[k] = v

print('\n== 2. the cell again (index back): resumes the install', flush=True)
t = time.time(); run_cell(); t_install = time.time() - t
print(f'-> cell ran in {t_install:.0f} s; working folder now {os.getcwd()}', flush=True)

print('\n== 3. in the same process: import the package', flush=True)
import torch, langsam_nb
from langsam_nb.core import get_config
from langsam_nb.data import data_samples_dir
cfg = get_config('tiny')
print('langsam_nb', langsam_nb.__version__, 'from', langsam_nb.__file__)
print('torch', torch.__version__, 'from', torch.__file__)
print("get_config('tiny') ->", type(cfg).__name__, {k: getattr(cfg, k) for k in ('tasks',) if hasattr(cfg, k)})
print('data_samples_dir() ->', data_samples_dir())
site = os.path.join(sys.prefix, 'lib')
assert langsam_nb.__file__.startswith(site), 'langsam_nb is not imported from the venv site-packages'
assert torch.__file__.startswith(a['base']), 'torch is not the preinstalled one'
assert os.path.realpath(os.getcwd()) == os.path.realpath(a['nb_dir']), 'the cell did not move into the notebook folder'
assert os.path.realpath(data_samples_dir()) == os.path.realpath(os.path.join(a['repo'], 'data_samples'))
import importlib.metadata as md
mine = sorted({d.metadata['Name'].lower().replace('_', '-') for d in md.distributions(path=[p for p in sys.path if p.startswith(site)])})
pre = {d.metadata['Name'].lower().replace('_', '-') for d in md.distributions(path=[a['base']])}
again = sorted(set(mine) & pre - {'pip', 'setuptools', 'wheel'})
print('preinstalled distributions that pip installed again into the venv:', ', '.join(again) or 'none')
for name in ('torch', 'torchvision', 'jupyterlab', 'jupyter-server', *[n for n in again if n.startswith(('nvidia', 'cuda', 'triton'))]):
    assert name not in mine, f'{name} was installed into the venv'
print(f'installed into the venv ({len(mine)} distributions; no torch, torchvision or their CUDA libraries, no jupyterlab, jupyter_server):')
print(textwrap.fill(' '.join(mine), 118, initial_indent='  ', subsequent_indent='  '))

print('\n== 4. the cell a third time: nothing to install', flush=True)
t = time.time(); run_cell(); print(f'-> {time.time() - t:.1f} s', flush=True)
print(f'\nOK: install resumed after a failed step and took {t_install:.0f} s; langsam_nb imported in the same process')
'''

def sh(*cmd, **kw): return subprocess.run(cmd, check=True, **kw)

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--notebook', default='nbs/00_core.ipynb', help='the notebook whose set-up cell is run')
    p.add_argument('--ref', default=None, help='a commit to clone (default: this working tree, `git stash create`)')
    p.add_argument('--torch-from', default=sys.executable, help='a Python whose torch pair the imitation preinstalls')
    p.add_argument('--keep', action='store_true', help='keep the temporary folder')
    args = p.parse_args()
    git_url, branch = settings()
    nb_path = (ROOT / args.notebook).resolve()
    cell = next(''.join(c['source']) for c in json.loads(nb_path.read_text())['cells']
                if c['cell_type'] == 'code' and CODE_MARK in ''.join(c['source']))
    name = git_url.rstrip('/').split('/')[-1]
    tmp = Path(tempfile.mkdtemp(prefix='colabsim-'))
    try:
        t0 = time.time()
        base, venv, content, fake = tmp / 'dist-packages', tmp / 'venv', tmp / 'content', tmp / 'fake'
        for d in (base, content, fake / 'google' / 'colab'): d.mkdir(parents=True)
        # the torch pair, preinstalled
        entries = json.loads(sh(args.torch_from, '-c', CLOSURE, capture_output=True, text=True).stdout)
        for e in entries: (base / Path(e).name).symlink_to(e)
        sh(args.torch_from, '-m', 'venv', str(venv))
        py = venv / 'bin' / 'python'
        site = Path(sh(str(py), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])',
                       capture_output=True, text=True).stdout.strip())
        (site / '_colab_dist_packages.pth').write_text(f'{base}\n')
        env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'VIRTUAL_ENV', 'PYTHONHOME')}
        env.update(PATH=f"{venv / 'bin'}:{env.get('PATH', '')}", PIP_CACHE_DIR=str(tmp / 'pip-cache'),
                   PYTHONNOUSERSITE='1', HF_HUB_OFFLINE='1', OMP_NUM_THREADS='1')
        sh(str(py), '-m', 'pip', 'install', '-q', '--upgrade', 'pip', 'setuptools', 'wheel', env=env)
        # the stand-in google.colab (google/ stays a namespace package, as protobuf's is)
        (fake / 'google' / 'colab' / '__init__.py').write_text('')
        (fake / 'google' / 'colab' / '_shell.py').write_text('class Shell:\n    "Stands in for Colab\'s kernel shell."\n')
        # GitHub: a bare repository with a snapshot as the branch
        ref = args.ref or sh('git', '-C', str(ROOT), 'stash', 'create', capture_output=True, text=True).stdout.strip() or 'HEAD'
        sha = sh('git', '-C', str(ROOT), 'rev-parse', ref, capture_output=True, text=True).stdout.strip()
        src = tmp / 'github.git'
        sh('git', 'init', '-q', '--bare', str(src))
        sh('git', '-C', str(ROOT), 'push', '-q', str(src), f'{sha}:refs/heads/{branch}')
        for old in (git_url, '/content/'): assert old in cell, f'{old!r} not in the set-up cell of {args.notebook}'
        cell = cell.replace(git_url, src.as_uri()).replace('/content/', f'{content}/')
        (tmp / 'cell.py').write_text(cell)
        folder = nb_path.parent.relative_to(ROOT)
        print(f'imitation ready in {time.time() - t0:.0f} s: {tmp} (torch pair from {args.torch_from}: {len(entries)} '
              f'entries; snapshot {sha[:10]} of {"the working tree" if not args.ref else args.ref})\n'
              f'set-up cell of {args.notebook}, with {git_url} -> {src.as_uri()} and /content/ -> {content}/:\n'
              + textwrap.indent(cell, '  | '), flush=True)
        a = dict(fake=str(fake), cell=str(tmp / 'cell.py'), base=str(base), repo=str(content / name),
                 nb_dir=str(content / name / folder))
        rc = subprocess.run([str(py), '-c', KERNEL, json.dumps(a)], cwd=content, env=env).returncode
        if rc: sys.exit(f'check_colab: FAILED (exit {rc}); temporary folder kept: {tmp}')
    except BaseException:
        args.keep = True
        raise
    finally:
        if args.keep: print(f'temporary folder kept: {tmp}')
        else: shutil.rmtree(tmp, ignore_errors=True)

if __name__ == '__main__': main()
