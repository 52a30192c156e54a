#!/usr/bin/env python
"""Check the offline HTML pages built by tools/build_html.py in a real headless browser.

Needs Debian's chromium (installs nothing itself):  apt-get update && apt-get install -y chromium
(or point $CHROMIUM / --chromium at another Chromium/Chrome binary), and the `websocket-client` package (a dependency
of jupyter_server, so in the venv already) to drive the browser over the DevTools protocol on the loopback interface.

One headless Chromium (fresh --user-data-dir, no network services) loads every page of the site at laptop size
(1366x768) and, after the load event and the web fonts, checks:
  * title: <title> and an <h1> equal to the title the navigation of index.html gives the page;
  * no console errors: no uncaught exception, no console.error, no error log entry (e.g. a file that fails to load);
  * no network: no request other than file:, data:, blob: or about: (and no tag pointing at a remote resource);
  * navigation (nav#site-nav) links every page of the site and marks this page as current;
  * links: every href to a local page exists, and every #anchor exists in the page it points at;
  * figures: every <img> has loaded (complete, naturalWidth > 0);
  * math: no raw TeX in the rendered text outside code (`$…$`, `$$…$$`, `\\(…\\)`, `\\[…\\]`, `\\begin{…}`), no KaTeX
    error (span.katex-error);
  * tables: no output <pre> whose text is a markdown table (lines `| … |` with a `|---` row): emit it as
    IPython.display.Markdown so that it renders as a table;
  * widgets: no Jupyter widget view or widget-state (application/vnd.jupyter.widget-state+json) left in the page;
  * outputs: no error output and no output holding a Python traceback (stderr warnings are listed, not failed);
and three layout checks, so that tables and figures fit a laptop screen and nothing is cut at 1366 px (their failures
read `overflow: …`, `numbers: …`, `alt: …`, naming the element, its width and the heading above it):
  * overflow: every table, figure (img, svg, canvas, video, iframe; not KaTeX's own svgs) and output area
    (.output_subarea) fits the content column (article#content's content box, 928 px at 1366x768). An element fails
    when its full width (its box plus whatever it holds beyond its client width: scrollWidth > clientWidth) reaches past
    the column's right edge, or past the visible width of any box between it and the column that clips or scrolls
    (overflow-x not `visible`), or when it scrolls inside itself. A horizontal scrollbar counts as a failure too: the
    reader of a 1366 px screen would see part of the table only. Only the innermost culprit is listed (the table, not
    the output area that scrolls because of it). Fixes: a smaller table (fewer or transposed columns, shorter labels),
    a figure's figsize;
  * numbers: in every table cell (td, th) no value is broken over lines. A cell fails when it renders on more than one
    line (line boxes of its text, KaTeX's hidden MathML left out) and its text has no space (`MTSAM-ToRA`, a formula),
    or is numeric (digits with signs, . , % ± × / brackets and the marks * † ‡ §: `-1.17 ± 3.22*`,
    `+0.09 [-0.23, +0.41], 2/3`); or when, in any cell, one value (a number, `a ± b`, an interval `[a, b]`) is split
    over lines. Cells holding a <br> (deliberate breaks) are skipped. tools/build_html.py marks such cells `nowrap`;
  * alt: every <img> in the page has an alt text that describes it: not missing, not empty, not nbconvert's generic
    "No description has been provided for this image" (nor "image", "figure", "plot", ...); an inline svg figure of an
    output needs an aria-label or a <title>. tools/build_html.py takes a figure's alt text from its cell's
    `#| fig-alt:`, else its `#| fig-cap:` (as plain text), so the fix is a caption line in the cell.
Known failures of the layout checks can be allowed per page and check in ALLOWED (below), for pages being rewritten in a
change of their own; their failures are then listed as allowed and the page passes.

It writes a full-page screenshot of each page (SHOTS/<page>.png: the whole page height at 1366 px wide, as laid out in
the 1366x768 window) and, for pages with display math, one 1366x768 view centred on the first display equation
(SHOTS/<page>.math.png). Exits 1 on any failure (2 when chromium or websocket-client is missing), ending on
`pages: N passed, M failed`.

The scripts run inside each page (CHECK_JS, FIT_JS) and the readers of their text live in tools/page_probes.py; this
file drives the browser, turns the readings into failures and reports.

Usage: .venv/bin/python tools/check_pages.py [SITE_DIR] [--shots DIR] [--chromium PATH] [--only PAGE ...] [--max-listed N]
"""
import argparse, base64, json, os, re, shutil, subprocess, sys, tempfile, time
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from page_probes import CHECK_JS, FIT_JS, LAYOUT_CHECKS, md_table, raw_tex   # what is measured in a page

ROOT = Path(__file__).resolve().parents[1]
APT_HINT = 'apt-get update && apt-get install -y chromium'
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
         '--disable-extensions', '--hide-scrollbars', '--mute-audio', '--no-default-browser-check',
         '--disable-default-apps', '--disable-domain-reliability', '--metrics-recording-only']
WIDTH, HEIGHT = 1366, 768
LOCAL_SCHEMES = {'file', 'data', 'blob', 'about'}
MAX_LISTED = 12                                     # failures listed per check and page
# Known failures, allowed for now: page (site path) -> the checks whose failures are listed as allowed instead of
# failing the page. Only 'overflow' and 'alt' may be named here, only for these pages, which are being rewritten in a
# change of their own; that change removes each entry when its page passes (the run notes an entry that is no longer
# needed). Do not add pages: fix the table or figure instead (see the docstring).
ALLOWED = {}
assert all(c in ('overflow', 'alt') for cs in ALLOWED.values() for c in cs), 'ALLOWED names only overflow and alt'
_re_trace = re.compile(r'Traceback \(most recent call last\)|^\s*\w*(?:Error|Exception)\s*:', re.M)
_re_remote = re.compile(r'^\s*(?:https?:)?//', re.I)


def find_chromium(given=None):
    "The browser binary: `given`, else $CHROMIUM, else the first of the usual names on PATH; None when missing."
    for c in [given] if given else [os.environ.get('CHROMIUM'), 'chromium', 'chromium-browser', 'google-chrome']:
        if c and (shutil.which(c) or Path(c).is_file()): return shutil.which(c) or c
    return None


class Browser:
    "A headless Chromium driven over the DevTools protocol (one page target, flat session)."
    def __init__(self, chrome, profile, timeout=60):
        import websocket
        self.proc = subprocess.Popen([chrome, *FLAGS, f'--user-data-dir={profile}', '--remote-debugging-port=0',
                                      f'--window-size={WIDTH},{HEIGHT}', 'about:blank'],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        port_file, t0 = Path(profile) / 'DevToolsActivePort', time.time()
        while not (port_file.is_file() and len(port_file.read_text().split()) >= 2):
            if self.proc.poll() is not None or time.time() - t0 > timeout:
                err = self.proc.stderr.read() if self.proc.poll() is not None else ''
                self.close(); raise RuntimeError(f'chromium did not start: {err.strip()[-400:]}')
            time.sleep(0.1)
        port, path = port_file.read_text().split()[:2]
        self.ws = websocket.create_connection(f'ws://127.0.0.1:{port}{path}', suppress_origin=True, timeout=timeout)
        self.timeout, self.next_id, self.events, self.session = timeout, 0, [], None
        target = self.send('Target.createTarget', url='about:blank')['targetId']
        self.session = self.send('Target.attachToTarget', targetId=target, flatten=True, session=False)['sessionId']
        for m in ('Page.enable', 'Runtime.enable', 'Log.enable', 'Network.enable'): self.send(m)
        self.send('Emulation.setDeviceMetricsOverride', width=WIDTH, height=HEIGHT, deviceScaleFactor=1, mobile=False)

    def _recv(self, timeout):
        self.ws.settimeout(timeout)
        try: return json.loads(self.ws.recv())
        except Exception as e:
            if type(e).__name__ in ('WebSocketTimeoutException', 'TimeoutError', 'timeout'): return None
            raise

    def send(self, method, session=True, **params):
        self.next_id += 1
        msg = {'id': self.next_id, 'method': method, 'params': params}
        if session and self.session: msg['sessionId'] = self.session
        self.ws.send(json.dumps(msg))
        t0 = time.time()
        while time.time() - t0 < self.timeout:
            m = self._recv(self.timeout)
            if m is None: continue
            if m.get('id') == self.next_id:
                if 'error' in m: raise RuntimeError(f'{method}: {m["error"].get("message")}')
                return m.get('result', {})
            if 'method' in m: self.events.append(m)
        raise TimeoutError(f'{method}: no answer in {self.timeout} s')

    def wait_event(self, name, timeout):
        t0 = time.time()
        while time.time() - t0 < timeout:
            if any(e['method'] == name for e in self.events): return True
            m = self._recv(0.5)
            if m and 'method' in m: self.events.append(m)
        return False

    def pump(self, seconds):
        t0 = time.time()
        while time.time() - t0 < seconds:
            m = self._recv(0.1)
            if m and 'method' in m: self.events.append(m)

    def evaluate(self, expr, await_promise=False):
        r = self.send('Runtime.evaluate', expression=expr, returnByValue=True, awaitPromise=await_promise)
        if 'exceptionDetails' in r: raise RuntimeError(f'evaluate: {r["exceptionDetails"].get("text")}')
        return r.get('result', {}).get('value')

    def screenshot(self, path, full=False):
        "A PNG of the viewport, or with `full` of the whole page (its full height and width, at the same 1366 px layout)."
        params = {}
        if full:
            m = self.send('Page.getLayoutMetrics')
            size = m.get('cssContentSize') or m['contentSize']
            params = dict(captureBeyondViewport=True, clip=dict(x=0, y=0, width=max(WIDTH, int(size['width'] + 0.5)),
                                                                height=max(HEIGHT, int(size['height'] + 0.5)), scale=1))
        data = self.send('Page.captureScreenshot', format='png', **params)['data']
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(base64.b64decode(data))

    def close(self):
        try: self.ws.send(json.dumps({'id': 0, 'method': 'Browser.close'})); self.ws.close()
        except Exception: pass
        try: self.proc.wait(10)
        except subprocess.TimeoutExpired: self.proc.terminate()
        try: self.proc.wait(10)
        except subprocess.TimeoutExpired: self.proc.kill()


def console_problems(events):
    "Console errors, failed loads and non-local requests among the DevTools events of one page load."
    out, urls = [], {}
    for e in events:
        p, m = e.get('params', {}), e['method']
        if m == 'Runtime.exceptionThrown':
            d = p.get('exceptionDetails', {})
            desc = (d.get('exception') or {}).get('description') or d.get('text', '')
            out.append(f'uncaught exception: {desc.splitlines()[0] if desc else "?"} (line {d.get("lineNumber")})')
        elif m == 'Runtime.consoleAPICalled' and p.get('type') in ('error', 'assert'):
            args = ' '.join(str(a.get('value', a.get('description', ''))) for a in p.get('args', []))
            out.append(f'console.{p["type"]}: {args[:200]}')
        elif m == 'Log.entryAdded' and p.get('entry', {}).get('level') == 'error':
            ent = p['entry']
            out.append(f'console error ({ent.get("source")}): {ent.get("text", "")[:200]} {ent.get("url", "")[:100]}')
        elif m == 'Network.requestWillBeSent':
            url = p.get('request', {}).get('url', '')
            urls[p.get('requestId')] = url
            if urlsplit(url).scheme not in LOCAL_SCHEMES: out.append(f'network request to {url[:120]}')
        elif m == 'Network.loadingFailed' and not p.get('canceled'):
            out.append(f'failed to load {urls.get(p.get("requestId"), "?")[:120]}: {p.get("errorText")}')
    return list(dict.fromkeys(out))


def local_path(url):
    "The file a file: URL names, and its fragment (as written: browsers match it raw, then percent-decoded)."
    u = urlsplit(url)
    return Path(url2pathname(unquote(u.path))), u.fragment


def check_page(br, page, site, titles, shots, max_listed=MAX_LISTED):
    "Failures, notes and the page's data (links, ids) for the link pass."
    fails, notes = [], []
    br.events.clear()
    t0 = time.time()
    br.send('Page.navigate', url=page.resolve().as_uri())
    if not br.wait_event('Page.loadEventFired', br.timeout): fails.append(f'no load event in {br.timeout} s')
    try: br.evaluate('document.fonts.ready.then(() => document.fonts.size)', await_promise=True)
    except Exception as e: notes.append(f'fonts: {e}')
    br.pump(0.3)
    d = br.evaluate(CHECK_JS)
    rel = page.relative_to(site).as_posix()
    want = titles.get(page.resolve().as_uri())
    if not want: fails.append('no title for this page in the navigation of index.html')
    else:
        if want not in d['title']: fails.append(f'<title> {d["title"]!r} lacks the page title {want!r}')
        if want not in d['h1s']: fails.append(f'no <h1> {want!r} (h1s: {d["h1s"][:3]})')
    fails += console_problems(br.events)
    for t in d['errors']: fails.append('error output: ' + ' '.join(t.split())[:160])
    for o in d['outputs']:
        m = _re_trace.search(o['text'])
        if m: fails.append('traceback/error in an output: ' + ' '.join(o['text'][m.start():].split())[:160])
        elif o['stderr']: notes.append('stderr output: ' + ' '.join(o['text'].split())[:120])
    navs = {n['abs'].split('#')[0] for n in d['nav']}
    missing = sorted(p.relative_to(site).as_posix() for p in titles_pages(titles) if p.resolve().as_uri() not in navs)
    if missing: fails.append(f'navigation lacks links to {missing}')
    cur = [n['abs'].split('#')[0] for n in d['nav'] if n['current']]
    if cur != [page.resolve().as_uri()]: fails.append(f'navigation marks {cur} as current')
    for tag in d['remote']: fails.append('tag points at a remote resource: ' + tag[:120])
    bad = [i for i in d['images'] if not (i['complete'] and i['w'] > 0)]
    for i in bad[:5]: fails.append(f'figure #{i["k"]} did not load (naturalWidth {i["w"]}; src {i["src"]}…)')
    if len(bad) > 5: fails.append(f'… {len(bad) - 5} more figures did not load')
    tex = raw_tex(d['texts'])
    for h in tex[:8]: fails.append(f'raw TeX in the rendered text: {h}')
    if len(tex) > 8: fails.append(f'… {len(tex) - 8} more raw TeX excerpts')
    for e in d['katex_errors'][:8]: fails.append(f'KaTeX error: {e[:200]}')
    for t in d['pres']:
        head = md_table(t)
        if head: fails.append('an output <pre> holds a markdown table (display it as IPython.display.Markdown): '
                              + ' '.join(head.split())[:100])
    if d['widgets']: fails.append(f'{d["widgets"]} Jupyter widget view/state element(s) in the page')
    fit = br.evaluate(FIT_JS)
    for check in LAYOUT_CHECKS:
        for m in fit[check][:max_listed]: fails.append(f'{check}: {m}')
        if len(fit[check]) > max_listed: fails.append(f'{check}: … {len(fit[check]) - max_listed} more')
    png = shots / (rel[:-5] + '.png')
    br.evaluate('window.scrollTo(0, 0)')
    br.screenshot(png, full=True)
    shots_out = [png]
    if d['n_display']:
        br.evaluate("document.querySelector('.katex-display').scrollIntoView({block: 'center'})")
        br.pump(0.1)
        mpng = shots / (rel[:-5] + '.math.png'); br.screenshot(mpng); shots_out.append(mpng)
        br.evaluate('window.scrollTo(0, 0)')
    notes.append(f'{len(d["images"])} images, {d["n_math"]} equations, {len(d["outputs"])} outputs, '
                 f'{len(d["links"])} links, {time.time() - t0:.1f} s')
    return fails, notes, d, shots_out


def split_allowed(rel, fails):
    "(failures, allowed failures): the failures of the checks ALLOWED names for page `rel` are allowed."
    ok = ALLOWED.get(rel, set())
    allowed = [f for f in fails if f.split(':', 1)[0] in ok]
    return [f for f in fails if f not in allowed], allowed


def titles_pages(titles): return [local_path(u)[0] for u in titles]


def check_links(pages_data, site):
    "{page: [failures]} for local hrefs to missing files or anchors."
    ids = {p.resolve(): set(d['ids']) for p, d in pages_data.items()}
    out = {}
    for p, d in pages_data.items():
        bad = []
        for l in d['links']:
            u = urlsplit(l['abs'])
            if u.scheme != 'file': continue
            path, frag = local_path(l['abs'])
            if not path.exists(): bad.append(f'link to a missing file: {l["raw"][:100]}')
            elif frag and path.suffix == '.html':
                target = ids.get(path.resolve())
                if target is None: bad.append(f'link into a page outside the site: {l["raw"][:100]}')
                elif frag not in target and unquote(frag) not in target: bad.append(f'link to a missing anchor: {l["raw"][:100]}')
        out[p] = list(dict.fromkeys(bad))
    return out


def site_pages(site, shots):
    "The site's pages, index.html first (folders starting with `_` or `.` and the screenshot folder left out)."
    return sorted((p for p in site.rglob('*.html')
                   if not any(part.startswith(('_', '.')) or part == shots.name for part in p.relative_to(site).parts[:-1])),
                  key=lambda p: (p.name != 'index.html' or p.parent != site, p.relative_to(site).as_posix()))


def check_all(br, pages, site, shots, only, timeout, max_listed):
    "({page: (fails, notes, data, screenshots)}, {page: data}) for the pages (`only` those named; index.html first)."
    results, data = {}, {}
    titles = {}
    for page in pages:
        rel = page.relative_to(site).as_posix()
        if only and page != pages[0] and not ({rel, rel[:-5], page.stem} & set(only)): continue
        if page == pages[0]:       # index.html: its navigation names every page
            br.send('Page.navigate', url=page.as_uri()); br.wait_event('Page.loadEventFired', timeout)
            br.events.clear()
            titles = {n['abs'].split('#')[0]: n['text'] for n in br.evaluate(CHECK_JS)['nav']}
            if only and not ({rel, rel[:-5], page.stem} & set(only)): continue
        try: results[page] = check_page(br, page, site, titles, shots, max_listed)
        except Exception as e: results[page] = ([f'check crashed: {type(e).__name__}: {e}'], [], None, [])
        if results[page][2]: data[page] = results[page][2]
    return results, data


def report(results, links, site, shots, t_start):
    "Print each page's verdict with its notes and failures, then the summary; the exit status (1 on any failure)."
    passed = failed = 0
    with_allowed = []
    for page, (fails, notes, d, pngs) in results.items():
        rel = page.relative_to(site).as_posix()
        fails, allowed = split_allowed(rel, fails + links.get(page, []))
        print(f'{"FAIL" if fails else "ok":4s} {rel:24s} {notes[-1] if notes else ""}')
        for n in notes[:-1]: print(f'     note: {n}')
        for f in fails: print(f'     FAIL: {f}')
        for f in allowed: print(f'     allowed (ALLOWED in tools/check_pages.py): {f}')
        if allowed: with_allowed.append(f'{rel} ({len(allowed)})')
        passed, failed = passed + (not fails), failed + bool(fails)
    for rel, checks in ALLOWED.items():
        if any(p.relative_to(site).as_posix() == rel for p in results):
            left = [c for c in checks if any(f.startswith(c + ':') for f in results[site / rel][0])]
            if not left: print(f'note: ALLOWED lists {rel} but its {"/".join(sorted(checks))} checks pass now: remove the entry')
    n_shots = sum(len(r[3]) for r in results.values())
    print(f'screenshots: {n_shots} in {shots} (full pages at {WIDTH} px wide; math at {WIDTH}x{HEIGHT})')
    print(f'pages: {passed} passed, {failed} failed ({time.time() - t_start:.1f} s)'
          + (f'; allowed failures on {", ".join(with_allowed)}' if with_allowed else ''))
    return 1 if failed else 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('site', nargs='?', default=str(ROOT / '_site'))
    ap.add_argument('--shots', help='screenshot folder (default: SITE/screenshots)')
    ap.add_argument('--chromium', help='browser binary (default: $CHROMIUM or chromium on PATH)')
    ap.add_argument('--only', action='append', help='check only these pages (stems or site paths; repeatable)')
    ap.add_argument('--timeout', type=int, default=60, help='seconds per page load')
    ap.add_argument('--max-listed', type=int, default=MAX_LISTED, help='failures listed per layout check and page')
    a = ap.parse_args(argv)
    t_start = time.time()
    site = Path(a.site).resolve()
    chrome = find_chromium(a.chromium)
    if not chrome:
        print(f'chromium not found; install it with:  {APT_HINT}', file=sys.stderr); return 2
    import importlib.util
    if importlib.util.find_spec('websocket') is None:
        print('websocket-client missing: pip install websocket-client (jupyter_server depends on it)', file=sys.stderr)
        return 2
    if not (site / 'index.html').is_file():
        print(f'{site}/index.html missing: build first with tools/build_html.py', file=sys.stderr)
        print('pages: 0 passed, 1 failed'); return 1
    shots = Path(a.shots).resolve() if a.shots else site / 'screenshots'
    pages = site_pages(site, shots)
    profile = tempfile.mkdtemp(prefix='check_pages_chromium_')
    try:
        br = Browser(chrome, profile, timeout=a.timeout)
        try: results, data = check_all(br, pages, site, shots, a.only, a.timeout, a.max_listed)
        finally: br.close()
    except RuntimeError as e:
        print(f'FAIL: {e}', file=sys.stderr); print(f'pages: 0 passed, {len(pages)} failed'); return 1
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return report(results, check_links(data, site), site, shots, t_start)


if __name__ == '__main__': sys.exit(main())
