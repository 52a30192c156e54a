#!/usr/bin/env python
"""Check the routing explorer (nbs/13_explorer) live in JupyterLab, in headless Chromium.

It writes a three-cell notebook into a temporary folder (load a run with `explorer.load_explorer`, build
`Explorer.widget()`), starts JupyterLab on the loopback interface without a token, opens the notebook in headless
Chromium, runs all cells through JupyterLab's own command (`notebook:run-all-cells`), and checks that
  * the kernel runs the cells without an error output,
  * the widget renders: its controls (text boxes, sliders, dropdown) and the figure inside its Output widget,
  * the widget reacts: typing a new prompt (as keystrokes, then Enter) redraws the figure (its image changes),
    and an empty prompt shows the error message in the widget instead of raising,
and writes screenshots (SHOTS/explorer.png, SHOTS/explorer_after.png). The run is a 5-step `fast` run trained into the
temporary folder (about 15 s) unless --run names a run folder (e.g. runs/tiny_pretrained-synth-full, the main job).
Exit 0 on success, 1 on a failed check, 2 when chromium or JupyterLab is missing.

Usage: .venv/bin/python tools/check_lab.py [--run RUN] [--shots DIR] [--chromium PATH]"""
import argparse, json, os, shutil, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_pages import Browser, console_problems, APT_HINT

ROOT = Path(__file__).resolve().parents[1]

def free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def notebook(run):
    cells = [f"from langsam_nb.explorer import load_explorer",
             f"ex = load_explorer({str(run)!r}, n_images=2)",
             "ex.widget()"]
    return {'cells': [{'cell_type': 'code', 'execution_count': None, 'metadata': {}, 'outputs': [], 'source': c} for c in cells],
            'metadata': {'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}},
            'nbformat': 4, 'nbformat_minor': 5}

def train_small(tmp):
    run = tmp / 'run'
    cmd = [sys.executable, '-m', 'langsam_nb', '--preset', 'fast', '--steps', '5', '--n-train', '8', '--n-val', '4',
           '--no-baselines', '--no-progress', '--threads', '1', '--data-root', str(tmp / 'data'), '--out', str(run)]
    r = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, 'HF_HUB_OFFLINE': '1'})
    if r.returncode: sys.exit(f'check_lab: the 5-step run failed:\n{r.stderr[-2000:]}')
    return run

def wait(br, expr, timeout, what):
    t0 = time.time()
    while time.time() - t0 < timeout:
        try:
            v = br.evaluate(expr)
            if v: return v
        except RuntimeError: pass
        br.pump(0.5)
    raise TimeoutError(f'{what}: not seen in {timeout} s')

STATE_JS = r"""(() => {
  const out = document.querySelector('.jp-Notebook');
  if (!out) return null;
  const w = out.querySelectorAll('.jupyter-widgets, .widget-box, .lm-Widget.widget-inline-hbox');
  const img = out.querySelector('.widget-output img, .jupyter-widgets-output-area img');
  const errs = Array.from(out.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"], .jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]'))
                .map(e => e.textContent).filter(t => /Traceback|Error/.test(t));
  const html = Array.from(out.querySelectorAll('.widget-html-content')).map(e => e.textContent);
  return {widgets: w.length, img: img ? img.src.length + ':' + img.src.slice(-40) : null,
          texts: out.querySelectorAll('.widget-text input').length, sliders: out.querySelectorAll('.widget-slider, .jupyter-widget-slider, .widget-hslider').length,
          dropdowns: out.querySelectorAll('.widget-dropdown select').length, errors: errs, html};
})()"""

def type_into(br, index, text):
    "Focus the index-th text box of the widget, replace its text by keystrokes, press Enter."
    br.evaluate(f"(() => {{ const i = document.querySelectorAll('.jp-Notebook .widget-text input')[{index}]; i.focus(); i.select(); return true; }})()")
    br.send('Input.dispatchKeyEvent', type='keyDown', key='Backspace', code='Backspace', windowsVirtualKeyCode=8)
    br.send('Input.dispatchKeyEvent', type='keyUp', key='Backspace', code='Backspace', windowsVirtualKeyCode=8)
    if text: br.send('Input.insertText', text=text)
    br.send('Input.dispatchKeyEvent', type='keyDown', key='Enter', code='Enter', windowsVirtualKeyCode=13, text='\r')
    br.send('Input.dispatchKeyEvent', type='keyUp', key='Enter', code='Enter', windowsVirtualKeyCode=13)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--run', default=None); ap.add_argument('--shots', default=str(ROOT / '_site' / 'screenshots'))
    ap.add_argument('--chromium', default=os.environ.get('CHROMIUM') or shutil.which('chromium') or shutil.which('chromium-browser'))
    a = ap.parse_args()
    if not a.chromium: print(f'check_lab: chromium not found ({APT_HINT})'); sys.exit(2)
    lab = Path(sys.executable).with_name('jupyter-lab')
    if not lab.exists(): print('check_lab: jupyter-lab not found next to this Python'); sys.exit(2)
    tmp = Path(tempfile.mkdtemp(prefix='langsam_lab_'))
    fails, t0 = [], time.time()
    server = br = None
    try:
        run = Path(a.run).resolve() if a.run else train_small(tmp)
        (tmp / 'explorer_check.ipynb').write_text(json.dumps(notebook(run)))
        port = free_port()
        env = {**os.environ, 'HF_HUB_OFFLINE': '1', 'OMP_NUM_THREADS': '1', 'JUPYTER_CONFIG_DIR': str(tmp / 'jcfg'),
               'JUPYTER_RUNTIME_DIR': str(tmp / 'jrt')}
        server = subprocess.Popen([str(lab), '--no-browser', f'--port={port}', '--ip=127.0.0.1', f'--ServerApp.root_dir={tmp}',
                                   "--IdentityProvider.token=", '--ServerApp.password=', '--LabApp.expose_app_in_browser=True',
                                   '--LabApp.news_url=', '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate']
                                  + (['--allow-root'] if hasattr(os, 'geteuid') and os.geteuid() == 0 else []),
                                  stdout=subprocess.DEVNULL, stderr=open(tmp / 'lab.log', 'w'), env=env)
        for _ in range(120):
            try: urllib.request.urlopen(f'http://127.0.0.1:{port}/api', timeout=1); break
            except Exception: time.sleep(0.5)
        else: raise RuntimeError('JupyterLab did not start: ' + (tmp / 'lab.log').read_text()[-800:])
        br = Browser(a.chromium, tmp / 'profile', timeout=120)
        br.send('Page.navigate', url=f'http://127.0.0.1:{port}/lab/tree/explorer_check.ipynb')
        wait(br, "!!(window.jupyterapp && document.querySelector('.jp-Notebook .jp-Cell'))", 120, 'the notebook in JupyterLab')
        wait(br, "(() => { const p = window.jupyterapp.shell.currentWidget; return !!(p && p.sessionContext && p.sessionContext.session "
                 "&& p.sessionContext.session.kernel && p.sessionContext.session.kernel.status === 'idle'); })()", 120, 'an idle kernel')
        br.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells') && true")
        st = wait(br, f"(() => {{ const s = {STATE_JS}; return s && (s.img || s.errors.length) ? s : null; }})()", 300, 'the explorer figure')
        br.pump(1.0); st = br.evaluate(STATE_JS)
        Path(a.shots).mkdir(parents=True, exist_ok=True)
        br.screenshot(Path(a.shots) / 'explorer.png')
        if st['errors']: fails.append('error output: ' + st['errors'][0][-300:])
        for k, n in (('texts', 2), ('sliders', 4), ('dropdowns', 1)):
            if st[k] < n: fails.append(f'widget controls: {st[k]} {k}, expected at least {n}')
        if not st['img']: fails.append('no figure in the widget')
        first = st['img']
        type_into(br, 0, 'How far from the camera is each point of the scene?')
        try: wait(br, f"(() => {{ const s = {STATE_JS}; return s && s.img && s.img !== {json.dumps(first)}; }})()", 120, 'a redrawn figure')
        except TimeoutError as e: fails.append(str(e))
        br.pump(1.0); br.screenshot(Path(a.shots) / 'explorer_after.png')
        type_into(br, 0, '')
        try: wait(br, "(() => { const s = " + STATE_JS + "; return s && s.html.some(t => t.includes('non-empty string')); })()", 60, 'the error message for an empty prompt')
        except TimeoutError as e: fails.append(str(e))
        probs = [p for p in console_problems(br.events) if p.startswith('uncaught exception')]
        fails += probs
    except (RuntimeError, TimeoutError) as e: fails.append(str(e))
    finally:
        if br: br.close()
        if server: server.terminate(); server.wait(20)
        shutil.rmtree(tmp, ignore_errors=True)
    for f in fails: print('FAIL:', f)
    print(f"explorer in JupyterLab: {'failed' if fails else 'passed'} ({time.time() - t0:.0f} s); screenshots in {Path(a.shots).name}/")
    sys.exit(1 if fails else 0)

if __name__ == '__main__': main()
