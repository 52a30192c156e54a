#!/usr/bin/env python
"""Run nbdev's own docs processing of every notebook (the step of `nbdev_docs` before Quarto) into a temporary folder.

`nbdev_docs` (nbdev 2.4.14) = `_pre_docs` (refresh nbs/nbdev.yml, rebuild _modidx.py, write nbs/sidebar.yml, then
`nbdev.serve.proc_nbs`: every notebook through `nbdev.serve_drv.main((src, dst, FilterDefaults))` into `_proc/`) and
then `quarto render`. The processing step needs no Quarto, and it is where the build crashes: its `exec_show_docs`
processor runs every cell that is exported, imports something or calls `show_doc`, and nothing else, so a cell that
mixes an import with code that uses a variable of a skipped cell raises (NameError, ...) and nbdev stops the build.

This script does exactly that processing, one fresh interpreter per notebook (as nbdev's spawn workers), with the
repository root as working directory (as `nbdev_docs` runs), IN_TEST=1 (as serve_drv sets it), writing the processed
notebooks into a temporary folder that is removed afterwards. It never calls `_pre_docs`, so it does not rewrite
nbs/nbdev.yml, langsam_nb/_modidx.py or create nbs/sidebar.yml, and it leaves no _proc/ behind.

Unlike nbdev (which stops at the first failing cell) it records a failing cell and carries on, so one run lists every
failing cell of a notebook; later failures in the same notebook may follow from the first. For a NameError it names
the earlier cell that defines the missing name (a cell the docs build does not run). It also lists the cells that mix
imports with other code (the house rule: imports in their own cells), which the docs build runs in full.

Exit status: 0 when every notebook processes, 1 when any fails (or, with --strict, any cell mixes imports and code,
or the run wrote files into the work tree).

Usage: .venv/bin/python tools/check_docs.py [NOTEBOOK ...] [--jobs N] [--strict] [--keep DIR] [--json FILE]
"""
import argparse, ast, json, os, re, shutil, subprocess, sys, tempfile, time, warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SLOW_CELL = 30       # seconds: a cell the docs build runs for longer than this is listed


# ---------------------------------------------------------------------------------------------------- child process
def _names_assigned(src):
    "Names a cell binds at top level (assignments, defs, classes, imports, for targets, with ... as)."
    try: tree = ast.parse(_strip_magics(src))
    except SyntaxError: return set()
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store): out.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): out.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names: out.add((a.asname or a.name).split('.')[0])
    return out


def _strip_magics(src): return '\n'.join('' if l.lstrip().startswith(('%', '!')) else l for l in src.splitlines())


def process_one(src, dst):
    "Process one notebook as nbdev_docs does; returns a JSON-able record. Runs in its own interpreter."
    import nbdev.processors as P
    from execnb.nbio import read_nb, write_nb
    from nbdev.processors import FilterDefaults, exec_show_docs
    rec = dict(notebook=Path(src).name, failures=[], mixed=[], run=[], widget_state=0, error=None)
    nb = read_nb(src)
    def _wstate(md): return len((((md.get('widgets') or {}).get('application/vnd.jupyter.widget-state+json') or {})
                                 .get('state')) or {})
    rec['widget_state_stored'] = _wstate(nb.metadata)
    orig = [c.get('source', '') for c in nb.cells]
    for i, c in enumerate(nb.cells): c.orig_idx_ = i
    call = exec_show_docs.__call__

    def n_widgets():
        try: from ipywidgets.widgets import widget as W
        except ImportError: return 0
        return len(getattr(W, '_instances', None) or getattr(W.Widget, 'widgets', None) or {})
    from nbdev.config import get_config
    tst_flags = set(get_config().get('tst_flags', '').split())      # slow, cuda, ...: nbdev_docs ignores them

    def why(cell):
        d = set(getattr(cell, 'directives_', {}) or {})
        if d & {'export', 'exports', 'exporti', 'exec_doc'}: return 'exported (#| ' + sorted(d & {'export', 'exports', 'exporti', 'exec_doc'})[0] + ')'
        try: trees = cell.parsed_()
        except Exception: trees = None
        if trees and P._ast_contains(trees, (ast.Import, ast.ImportFrom)): return 'has an import'
        return 'calls show_doc'

    def hooked(self, cell):
        if not getattr(self.nb, 'has_docs_', False) or not hasattr(self, 'k'): return
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            ev = P._do_eval(cell)
        idx = getattr(cell, 'orig_idx_', None)
        if ev:
            reason = why(cell)
            trees = cell.parsed_() or []
            mixed = reason == 'has an import' and any(not isinstance(n, (ast.Import, ast.ImportFrom)) for n in trees)
            flags = sorted(set(getattr(cell, 'directives_', {}) or {}) & tst_flags)
            rec['run'].append(dict(cell=idx, reason=reason, flags=flags))
            if mixed: rec['mixed'].append(dict(cell=idx, flags=flags, source=orig[idx] if idx is not None else cell.source))
        t1, w0 = time.time(), n_widgets()
        try: return call(self, cell)
        except Exception as e:
            cause = e.__cause__ or e
            src_now = orig[idx] if idx is not None else cell.source
            f = dict(cell=idx, reason=why(cell) if ev else '?', exc=type(cause).__name__, msg=str(cause)[:300],
                     source=src_now)
            m = re.match(r"name '(\w+)' is not defined", str(cause)) if isinstance(cause, NameError) else None
            if m and idx is not None:
                name = m.group(1)
                defs = [j for j in range(idx) if name in _names_assigned(orig[j])]
                f['name'] = name
                f['defined_in'] = defs[-1] if defs else None
            rec['failures'].append(f)
            self.k.exc = None                # carry on with the next cell (nbdev itself stops here)
        finally:
            if ev:
                rec['run'][-1]['seconds'] = round(time.time() - t1, 1)
                rec['run'][-1]['widgets'] = n_widgets() - w0

    exec_show_docs.__call__ = hooked
    t0 = time.time()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')       # nbdev warns about mixed cells; we report them ourselves
        try:
            FilterDefaults()(nb)
            write_nb(nb, dst)
        except Exception as e:
            rec['error'] = f'{type(e).__name__}: {str(e)[:500]}'
    rec['seconds'] = round(time.time() - t0, 1)
    rec['widget_state'] = _wstate(nb.metadata)
    return rec


def _child(src, dst, out):
    os.environ['IN_TEST'] = '1'              # nbdev.serve_drv.main sets this around the processing
    rec = process_one(src, dst)
    Path(out).write_text(json.dumps(rec))


# --------------------------------------------------------------------------------------------------- parent process
def notebooks(nbs, names=()):
    "The notebooks nbdev_docs would process (nbdev's own glob), or the named ones."
    from nbdev.doclinks import nbglob
    files = sorted(Path(p) for p in nbglob(nbs, func=Path, file_glob='', file_re='') if str(p).endswith('.ipynb'))
    if names:
        want = {Path(n).stem for n in names}
        files = [f for f in files if f.stem in want]
    return files


def config_problems(fix=False):
    "What `nbdev_docs` would do to the work tree besides rendering: (failures, notes)."
    from nbdev.config import get_config
    from nbdev.quarto import _nbdev_yml
    cfg, fails, notes = get_config(), [], []
    vals = {k: cfg[k] for k in ['title', 'description', 'branch', 'git_url', 'doc_host', 'doc_baseurl']}
    vals['doc_path'] = cfg.doc_path.name
    want, ny = _nbdev_yml.format(**vals), cfg.nbs_path / 'nbdev.yml'
    if not ny.is_file() or ny.read_text() != want:
        if fix: ny.write_text(want); notes.append(f'wrote {ny.relative_to(ROOT)} in the form nbdev_docs generates')
        else: fails.append(f'{ny.relative_to(ROOT)} differs from what nbdev_docs writes from settings.ini (it would be '
                           f'rewritten on every docs build): run tools/check_docs.py --fix-nbdev-yml and commit it')
    qy = cfg.nbs_path / '_quarto.yml'
    if qy.is_file() and re.search(r'^\s+output-dir:', qy.read_text(), re.M):
        fails.append(f'{qy.relative_to(ROOT)} sets project output-dir: nbdev_docs needs the `_docs` of nbdev.yml '
                     '(Quarto renders inside _proc/, nbdev moves _proc/_docs to the repo)')
    if 'custom_quarto_yml' in cfg.d: notes.append('settings.ini has custom_quarto_yml: nbdev ignores it now')
    if not str2bool_(cfg.get('custom_sidebar', 'False')):
        ign = subprocess.run(['git', 'check-ignore', '-q', str(cfg.nbs_path / 'sidebar.yml')], cwd=ROOT).returncode == 0
        tracked = subprocess.run(['git', 'ls-files', '--error-unmatch', str(cfg.nbs_path / 'sidebar.yml')], cwd=ROOT,
                                 capture_output=True).returncode == 0
        if not ign and not tracked:
            notes.append('nbs/sidebar.yml (written by every nbdev_docs run, custom_sidebar = False) is neither '
                         'ignored nor committed: add it to .gitignore')
    readme_nb = cfg.nbs_path / cfg.get('readme_nb', 'index.ipynb')
    if readme_nb.is_file():
        notes.append(f'settings.ini readme_nb = {cfg.get("readme_nb")}: nbdev_docs overwrites README.md with Quarto\'s '
                     f'render of it whenever README.md is older than nbs/{readme_nb.name} (README.md is made by '
                     'tools/make_readme.py): point readme_nb at a notebook that does not exist')
    return fails, notes


def str2bool_(v): return str(v).strip().lower() in ('1', 'true', 'yes', 'y', 'on')


def git_status():
    r = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=all'], cwd=ROOT, capture_output=True, text=True)
    return set(r.stdout.splitlines()) if r.returncode == 0 else None


def run_one(nb, tmp, timeout, nbs_dir=ROOT / 'nbs'):
    nb = nb.resolve()
    name = nb.relative_to(nbs_dir).as_posix() if nb.is_relative_to(nbs_dir) else nb.name
    dst, out = tmp / name.replace('/', '__'), tmp / (name.replace('/', '__') + '.json')
    env = {**os.environ, 'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '1'),
           'HF_HUB_OFFLINE': os.environ.get('HF_HUB_OFFLINE', '1'), 'PYTHONWARNINGS': 'ignore',
           'MPLBACKEND': 'Agg'}
    t0 = time.time()
    try:
        r = subprocess.run([sys.executable, __file__, '--_child', str(nb), str(dst), str(out)], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return dict(notebook=name, failures=[], mixed=[], run=[], error=f'timed out after {timeout} s',
                    seconds=timeout, widget_state=0)
    if r.returncode or not out.is_file():
        tail = ' | '.join((r.stderr or r.stdout).strip().splitlines()[-4:])
        return dict(notebook=name, failures=[], mixed=[], run=[], error=f'processing crashed (rc={r.returncode}): {tail}',
                    seconds=round(time.time() - t0, 1), widget_state=0)
    rec = json.loads(out.read_text())
    rec['notebook'], rec['wall'] = name, round(time.time() - t0, 1)
    return rec


def excerpt(src, n=4):
    lines = [l for l in src.splitlines() if l.strip()]
    s = '\n'.join('         | ' + l[:110] for l in lines[:n])
    return s + (f'\n         | ... ({len(lines) - n} more lines)' if len(lines) > n else '')


def report(rec):
    bad = bool(rec['failures'] or rec['error'])
    head = 'FAIL' if bad else 'ok'
    print(f"{head:4s} {rec['notebook']:24s} {rec.get('wall', rec['seconds']):5.1f} s, ran {len(rec['run'])} cells"
          + (f", {len(rec['mixed'])} mixed import cells" if rec['mixed'] else '')
          + (f", widget state for {rec['widget_state']} widgets" if rec['widget_state'] else ''))
    if rec.get('widget_state_stored'):
        print(f"     widgets: the notebook's metadata stores widget state for {rec['widget_state_stored']} widgets (Quarto "
              "embeds it in the page; nbdev_clean keeps `widgets`): delete the notebook's metadata['widgets']")
    if rec['error']: print(f"     FAIL: {rec['error']}")
    for i, f in enumerate(rec['failures']):
        where = f"cell {f['cell']}" if f['cell'] is not None else 'an inserted show_doc cell'
        tag = '' if i == 0 else ' (may follow from the first)'
        print(f"     FAIL: {where} ({f['reason']}): {f['exc']}: {f['msg']}{tag}")
        if f.get('name'):
            d = f.get('defined_in')
            print(f"           `{f['name']}` is " + (f'bound in cell {d}, which the docs build does not run'
                                                     if d is not None else 'not bound in any earlier cell'))
        print(excerpt(f['source']))
    for m in rec['mixed']:
        fl = f" and is flagged #| {', '.join(m['flags'])}, yet the docs build runs it" if m.get('flags') else ''
        print(f"     mixed: cell {m['cell']} has imports and code (house rule: imports in their own cells){fl}")
    for r in rec['run']:
        if r.get('widgets'):
            print(f"     widgets: cell {r['cell']} ({r['reason']}) creates {r['widgets']} Jupyter widgets in the docs build "
                  "(their state lands in the page: keep progress bars silent under IN_TEST)")
        if r.get('seconds', 0) >= SLOW_CELL:
            print(f"     slow: cell {r['cell']} ({r['reason']}) took {r['seconds']:.0f} s in the docs build")


def main(argv=None):
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == '--_child': return _child(*sys.argv[2:5])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='*', help='notebook names or stems (default: all that nbdev_docs processes)')
    ap.add_argument('--nbs', default=str(ROOT / 'nbs'))
    ap.add_argument('--jobs', type=int, default=2, help='notebooks processed at once (default 2)')
    ap.add_argument('--timeout', type=int, default=600, help='seconds per notebook')
    ap.add_argument('--strict', action='store_true', help='also fail on cells that mix imports and code')
    ap.add_argument('--keep', help='copy the processed notebooks into this folder (outside the repo)')
    ap.add_argument('--json', help='write the records as JSON to this file')
    ap.add_argument('--fix-nbdev-yml', action='store_true', help='write nbs/nbdev.yml in the form nbdev_docs generates')
    ap.add_argument('--config-only', action='store_true', help='only the configuration checks (no notebook processing)')
    a = ap.parse_args(argv)
    cfails, cnotes = config_problems(fix=a.fix_nbdev_yml)
    for n in cnotes: print(f'note: {n}')
    for f in cfails: print(f'FAIL: {f}')
    if a.config_only: return 1 if cfails else 0
    files = notebooks(Path(a.nbs), a.notebooks)
    if not files: print('no notebooks to process', file=sys.stderr); return 1
    before = git_status()
    tmp = Path(tempfile.mkdtemp(prefix='check_docs_'))
    t0 = time.time()
    try:
        with ThreadPoolExecutor(max(1, a.jobs)) as ex:
            recs = list(ex.map(lambda f: run_one(f, tmp, a.timeout, Path(a.nbs).resolve()), files))
        if a.keep:
            keep = Path(a.keep); keep.mkdir(parents=True, exist_ok=True)
            for f in tmp.glob('*.ipynb'): shutil.copy2(f, keep / f.name)     # peers/x.ipynb is kept as peers__x.ipynb
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for r in recs: report(r)
    after = git_status()
    wrote = sorted((after or set()) - (before or set()))
    # the lead edits notebooks and the library while this runs: only other new paths count as written by the run
    wrote = [w for w in wrote if not re.search(r'\.ipynb$|^.. langsam_nb/', w)]
    for w in wrote: print(f'     {"FAIL" if a.strict else "note"}: the work tree changed during the run: {w}')
    failed = [r['notebook'] for r in recs if r['failures'] or r['error']]
    mixed = sum(len(r['mixed']) for r in recs)
    if a.json: Path(a.json).write_text(json.dumps(recs, indent=1))
    print(f'docs processing: {len(recs) - len(failed)} passed, {len(failed)} failed'
          + (f' ({", ".join(failed)})' if failed else '') + f'; {mixed} mixed import cells; {time.time() - t0:.0f} s')
    return 1 if failed or cfails or (a.strict and (mixed or wrote)) else 0


if __name__ == '__main__': sys.exit(main())
