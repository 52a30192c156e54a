#!/usr/bin/env python
"""Check the offline HTML pages built by tools/build_html.py in a real headless browser.

Needs Debian's chromium (installs nothing itself):  apt-get update && apt-get install -y chromium
(or point $CHROMIUM / --chromium at another Chromium/Chrome binary).

For every page of the site folder it loads the page in headless Chromium, dumps the DOM (`--dump-dom`) and checks:
  * the DOM has the page's title (<title> and an <h1> equal to the title the navigation gives the page);
  * no error output: no nbconvert error output (class `output_error`) and no output text holding a Python
    traceback or an `...Error:` line (a stored traceback in a page is a failure; stderr warnings are only listed);
  * the left navigation (nav#site-nav) links every page of the site (and only existing files), marks itself current;
  * no tag loads a remote resource (script/link/img/iframe with an http(s):// or // address);
  * every embedded image is a data: URI that decodes to a PNG/JPEG/GIF/SVG, or an existing local file.
It then takes screenshots (`--screenshot --window-size=1280,2000`) of index.html and a few other pages into
SITE/screenshots/. Exits 1 on any failure (2 when chromium is missing), ending on `pages: N passed, M failed`.

Usage: .venv/bin/python tools/check_pages.py [SITE_DIR] [--shot PAGE ...] [--chromium PATH]
"""
import argparse, base64, html, os, re, shutil, subprocess, sys, tempfile
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APT_HINT = 'apt-get update && apt-get install -y chromium'
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
         '--disable-extensions', '--hide-scrollbars', '--mute-audio']
DEFAULT_SHOTS = ['index', '01_moe', '05_dual_gating', '08a_synth']   # index + up to 3 others that exist
_re_trace = re.compile(r'Traceback \(most recent call last\)|^\s*\w*(?:Error|Exception)\s*:', re.M)
_re_remote = re.compile(r'^\s*(?:https?:)?//', re.I)


def find_chromium(given=None):
    "The browser binary: `given`, else $CHROMIUM, else the first of the usual names on PATH; None when missing."
    for c in [given] if given else [os.environ.get('CHROMIUM'), 'chromium', 'chromium-browser', 'google-chrome']:
        if c and (shutil.which(c) or Path(c).is_file()): return shutil.which(c) or c
    return None


class DomScan(HTMLParser):
    "Collects what the checks need from a dumped DOM."
    VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr'}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []                       # (tag, classes, id) of open elements
        self.title, self.h1s, self.nav_links, self.current = '', [], [], []
        self.errors, self.outputs, self.stderr = [], [], []
        self.remote, self.images = [], []
        self._buf = {}                         # open capture name -> list of text pieces

    def _in(self, pred): return any(pred(t, c, i) for t, c, i in self.stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls, eid = set((a.get('class') or '').split()), a.get('id') or ''
        for k in ('src', 'href'):
            v = a.get(k)
            if v and _re_remote.match(v) and tag in ('script', 'link', 'img', 'iframe', 'embed', 'source',
                                                     'audio', 'video', 'object'):
                self.remote.append(f'<{tag} {k}="{v[:80]}">')
        if tag == 'img': self.images.append(a.get('src') or '')
        if tag == 'a' and self._in(lambda t, c, i: t == 'nav' and i == 'site-nav'):
            href = a.get('href') or ''
            if 'site-title' not in cls:
                self.nav_links.append(href)
                if 'current' in cls or a.get('aria-current') == 'page': self.current.append(href)
        if tag in self.VOID: return
        self.stack.append((tag, cls, eid))
        if tag == 'title': self._buf['title'] = []
        if tag == 'h1' and not self._in(lambda t, c, i: t == 'nav'): self._buf.setdefault('h1', [])
        if 'output_subarea' in cls:
            kind = 'error' if 'output_error' in cls else 'stderr' if 'output_stderr' in cls else 'out'
            self._buf[f'out:{kind}:{len(self.stack)}'] = []

    def handle_endtag(self, tag):
        if tag in self.VOID: return
        # pop to the matching open tag (the DOM from Chromium is well formed; be lenient anyway)
        for n in range(len(self.stack) - 1, -1, -1):
            if self.stack[n][0] == tag: break
        else: return
        depth = n + 1
        for key in [k for k in self._buf if k.startswith('out:') and int(k.rsplit(':', 1)[1]) >= depth]:
            kind, text = key.split(':')[1], ''.join(self._buf.pop(key))
            {'error': self.errors, 'stderr': self.stderr, 'out': self.outputs}[kind].append(text)
        if tag == 'title' and 'title' in self._buf: self.title = ''.join(self._buf.pop('title')).strip()
        if tag == 'h1' and 'h1' in self._buf:
            self.h1s.append(''.join(self._buf.pop('h1')).strip().rstrip('#').strip())
        del self.stack[n:]

    def handle_data(self, data):
        for v in self._buf.values(): v.append(data)


def image_ok(src, page):
    "Whether an <img src> is a decodable embedded image or an existing local file."
    if src.startswith('data:'):
        head, _, payload = src.partition(',')
        if ';base64' not in head: return head.startswith('data:image/svg')
        try: raw = base64.b64decode(payload, validate=False)
        except Exception: return False
        return raw[:8] == b'\x89PNG\r\n\x1a\n' or raw[:3] == b'\xff\xd8\xff' or raw[:4] == b'GIF8' or b'<svg' in raw[:500]
    return bool(src) and (page.parent / src.split('#')[0].split('?')[0]).is_file()


def run_chromium(chrome, profile, args, timeout=90):
    cmd = [chrome, *FLAGS, f'--user-data-dir={profile}', *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def check_page(chrome, profile, page, pages, titles):
    "Failures (list of str) and notes (list of str) for one page."
    fails, notes = [], []
    try: r = run_chromium(chrome, profile, ['--dump-dom', page.resolve().as_uri()])
    except subprocess.TimeoutExpired: return ['chromium timed out dumping the DOM'], notes
    dom = r.stdout
    if r.returncode != 0 or '<body' not in dom:
        tail = (r.stderr or '').strip().splitlines()[-3:]
        return [f'chromium failed (rc={r.returncode}): {" | ".join(tail)}'], notes
    s = DomScan(); s.feed(dom); s.close()
    want = titles.get(page.name)
    if not want: fails.append('no title for this page in the navigation of index.html')
    else:
        if want not in s.title: fails.append(f'<title> {s.title!r} lacks the page title {want!r}')
        if want not in s.h1s: fails.append(f'no <h1> {want!r} (h1s: {s.h1s[:3]})')
    for t in s.errors: fails.append('error output: ' + ' '.join(t.split())[:160])
    for t in s.outputs + s.stderr:
        m = _re_trace.search(t)
        if m: fails.append('traceback/error in an output: ' + ' '.join(t[m.start():].split())[:160])
    for t in s.stderr:
        if not _re_trace.search(t): notes.append('stderr output: ' + ' '.join(t.split())[:120])
    links = [h.split('#')[0] for h in s.nav_links]
    missing = sorted(set(p.name for p in pages) - set(links))
    if missing: fails.append(f'navigation lacks links to {missing}')
    for h in sorted(set(links)):
        if _re_remote.match(h) or not (page.parent / h).is_file(): fails.append(f'navigation link to missing {h!r}')
    if [h.split('#')[0] for h in s.current] != [page.name]: fails.append(f'navigation marks {s.current} as current')
    for tag in s.remote: fails.append('loads a remote resource: ' + tag)
    bad = [i for i, src in enumerate(s.images) if not image_ok(src, page)]
    if bad: fails.append(f'{len(bad)} of {len(s.images)} images do not decode (img #{bad[:5]})')
    notes.append(f'{len(s.images)} images, {len(s.outputs) + len(s.stderr)} outputs, {len(links)} nav links')
    return fails, notes


def nav_titles(index):
    "{page file name: title} from the navigation of index.html (as built)."
    m = re.search(r'<nav class="site-nav".*?</nav>', index.read_text(encoding='utf-8'), re.S)
    links = re.findall(r'<li><a href="([^"#]+)[^"]*"[^>]*>(.*?)</a></li>', m.group(0) if m else '')
    return {href: html.unescape(text) for href, text in links}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('site', nargs='?', default=str(ROOT / '_site'))
    ap.add_argument('--shot', action='append', help='page stem to screenshot (repeatable; default: index + 3 others)')
    ap.add_argument('--chromium', help='browser binary (default: $CHROMIUM or chromium on PATH)')
    a = ap.parse_args(argv)
    site = Path(a.site)
    chrome = find_chromium(a.chromium)
    if not chrome:
        print(f'chromium not found; install it with:  {APT_HINT}', file=sys.stderr); return 2
    pages = sorted(p for p in site.glob('*.html'))
    if not (site / 'index.html').is_file():
        print(f'{site}/index.html missing: build first with tools/build_html.py', file=sys.stderr)
        print(f'pages: 0 passed, {max(len(pages), 1)} failed'); return 1
    pages.sort(key=lambda p: (p.name != 'index.html', p.name))
    titles = nav_titles(site / 'index.html')
    profile = tempfile.mkdtemp(prefix='check_pages_chromium_')
    passed = failed = 0
    try:
        for page in pages:
            fails, notes = check_page(chrome, profile, page, pages, titles)
            status = 'FAIL' if fails else 'ok'
            print(f'{status:4s} {page.name:24s} {notes[-1] if notes else ""}')
            for n in notes[:-1]: print(f'     note: {n}')
            for f in fails: print(f'     FAIL: {f}')
            passed, failed = passed + (not fails), failed + bool(fails)
        shots_dir = site / 'screenshots'; shots_dir.mkdir(exist_ok=True)
        stems = a.shot or DEFAULT_SHOTS
        wanted = [site / f'{s}.html' for s in stems if (site / f'{s}.html').is_file()]
        if not a.shot:      # fill up to 4 with other pages when some defaults are missing
            wanted += [p for p in pages if p not in wanted][:max(0, 4 - len(wanted))]
        for page in wanted:
            png = shots_dir / f'{page.stem}.png'
            if png.exists(): png.unlink()
            try:
                r = run_chromium(chrome, profile, [f'--screenshot={png.resolve()}', '--window-size=1280,2000',
                                                   page.resolve().as_uri()])
                ok = r.returncode == 0 and png.is_file() and png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
            except subprocess.TimeoutExpired: ok = False
            print(f'{"shot" if ok else "FAIL"} {png}')
            if not ok: failed += 1; print(f'     FAIL: screenshot of {page.name} not written')
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    print(f'pages: {passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__': sys.exit(main())
