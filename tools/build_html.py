#!/usr/bin/env python
"""Offline HTML build of the notebooks in nbs/, for testing pages in a headless browser.

The real docs site is built by Quarto (`nbdev_docs`, see nbs/_quarto.yml); this script needs no Quarto and no network.
It renders every notebook nbdev would publish (nbs/**/*.ipynb, skipping names that start with `_` or `.`; index first,
then in name order, subfolders after) with nbconvert's HTMLExporter from the STORED outputs (nothing is executed),
hides what nbdev hides, adds a left navigation bar and a small local stylesheet, and writes one page per notebook
(images embedded as base64; no remote scripts, stylesheets or images), keeping the folder layout of nbs/.

Math: rendered at build time with KaTeX (server side, tools/katex/render.js under node; the pages carry the finished
HTML+MathML and need no script). KaTeX comes from `npm ci --prefix tools/katex` (pinned in tools/katex/package-lock.json)
or, failing that, from $KATEX_DIR or Debian's libjs-katex (/usr/share/javascript/katex). Its stylesheet and woff2 fonts
are copied to OUT/_static/katex/. TeX that KaTeX cannot parse is rendered as KaTeX's red error text (span.katex-error)
and listed here; tools/check_pages.py fails on it. `--no-math` keeps TeX as text (for a machine without node).

Outputs: `text/markdown` outputs (e.g. `IPython.display.Markdown(table)`) are rendered as markdown, so tables become
<table>s; `text/latex`-only outputs are rendered as math; Jupyter widget views (tqdm.auto bars: they need a widget
manager the static page does not have) are dropped with the notebook's stored widget state.

Figures: a figure's alt text is its cell's `#| fig-alt:`, else its `#| fig-cap:`, as plain text (markdown marks and TeX
delimiters dropped); the caption is shown under the cell's last figure. Both options are read as YAML, as Quarto reads
them (a caption with a colon, a `#` or a backslash must be quoted, a backslash doubled); a value that is not valid YAML
stops the build, as it would stop Quarto. A figure whose cell has neither gets nbconvert's generic alt text, which
tools/check_pages.py fails on; the build names such cells. Tables: a cell whose text is numeric (`-1.17 ± 3.22*`,
`+0.09 [-0.23, +0.41]`) or has no space gets the class `nowrap` (kept on one line; see check_pages' `numbers` check).

Headings get Quarto's ids (lowercase, punctuation dropped: `## The verdict` is `#the-verdict`), so in-page links
written for the real site work here too. Code: `#| echo: false` hides a cell's code; `#| code-fold: true` folds it, as Quarto does: the code sits in a closed
<details> labelled by `#| code-summary:` (default "Code"), one click away, and the outputs show as usual.

This file assembles the site (notebook order, navigation, page shell, KaTeX run); one notebook's page body is rendered
by tools/render_nb.py.

Usage: .venv/bin/python tools/build_html.py [OUT_DIR] [--nbs NBS_DIR] [--no-math]     (OUT_DIR defaults to _site)
"""
import argparse, html, json, os, posixpath, re, shutil, subprocess, sys, time, warnings
from pathlib import Path

import nbformat
from pygments.formatters import HtmlFormatter

from render_nb import _re_math_ph, make_exporter, nb_title, render_page, strip_remote   # one notebook -> the body of its page

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = 'tools/build_html.py (offline build; the published site is built by Quarto)'
KATEX_DIRS = [ROOT / 'tools' / 'katex' / 'node_modules' / 'katex', Path('/usr/share/javascript/katex')]
KATEX_JS = ROOT / 'tools' / 'katex' / 'render.js'
KATEX_HINT = 'install node and run `npm ci --prefix tools/katex` (or apt-get install -y nodejs libjs-katex)'
STATIC = '_static'


def _katex_file(d, names):
    return next((d / sub / n for sub in ('dist', '.') for n in names if (d / sub / n).is_file()), None)


def find_katex():
    "(node binary, katex folder holding katex.js and katex.min.css) or exit with the install hint."
    node = shutil.which(os.environ.get('NODE', 'node')) or shutil.which('nodejs')
    dirs = ([Path(os.environ['KATEX_DIR'])] if os.environ.get('KATEX_DIR') else []) + KATEX_DIRS
    kdir = next((d for d in dirs if _katex_file(d, ['katex.js', 'katex.min.js'])), None)
    if not node or not kdir:
        raise SystemExit(f'build_html: math needs KaTeX under node ({"node missing" if not node else "katex missing"}): '
                         f'{KATEX_HINT}; or pass --no-math')
    return node, kdir


def katex_render(pages_math, node, kdir):
    "KaTeX HTML for each page's math list, in one node run: [[{html, error}]]."
    if not any(pages_math): return [[] for _ in pages_math]
    env = {**os.environ, 'KATEX_JS': str(_katex_file(kdir, ['katex.js', 'katex.min.js']))}
    r = subprocess.run([node, str(KATEX_JS)], input=json.dumps([[list(m) for m in ms] for ms in pages_math]),
                       capture_output=True, text=True, env=env, timeout=600)
    if r.returncode: raise RuntimeError(f'KaTeX render failed (rc={r.returncode}): {r.stderr.strip()[-800:]}')
    return json.loads(r.stdout)


def copy_katex_assets(kdir, out):
    "katex.min.css and its woff2 fonts into OUT/_static/katex (the CSS lists woff2 first; Chromium needs no other)."
    src = _katex_file(kdir, ['katex.min.css']).parent
    dst = out / STATIC / 'katex'
    (dst / 'fonts').mkdir(parents=True, exist_ok=True)
    shutil.copy2(src / 'katex.min.css', dst / 'katex.min.css')
    for f in (src / 'fonts').glob('*.woff2'): shutil.copy2(f, dst / 'fonts' / f.name)
    return dst / 'katex.min.css'


CSS = """
:root { --nav-w: 15rem; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --code-bg: #f6f8fa; --accent: #0b5cad; }
* { box-sizing: border-box; }
html { font-size: 16px; }
body { margin: 0; color: var(--fg); background: #fff;
       font: 1rem/1.55 -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", Helvetica, Arial, sans-serif; }
nav.site-nav { position: fixed; top: 0; left: 0; bottom: 0; width: var(--nav-w); overflow-y: auto;
       padding: 1rem 0.75rem; background: #f3f5f8; border-right: 1px solid var(--line); font-size: 0.9rem; }
nav.site-nav .site-title { display: block; font-weight: 700; font-size: 1.1rem; margin: 0 0.5rem 0.75rem;
       color: var(--fg); text-decoration: none; }
nav.site-nav ul { list-style: none; margin: 0; padding: 0; }
nav.site-nav li a { display: block; padding: 0.3rem 0.5rem; border-radius: 4px; color: var(--fg); text-decoration: none; }
nav.site-nav li a:hover { background: #e3e8ee; }
nav.site-nav li a.current { background: var(--accent); color: #fff; }
nav.site-nav .note { margin: 1rem 0.5rem 0; color: var(--muted); font-size: 0.78rem; }
main { margin-left: var(--nav-w); padding: 1.5rem 2rem 4rem; }
main > article { max-width: 58rem; margin: 0 auto; }
a { color: var(--accent); }
h1, h2, h3, h4 { line-height: 1.25; margin: 1.6em 0 0.6em; }
h1 { font-size: 2rem; margin-top: 0.4em; border-bottom: 1px solid var(--line); padding-bottom: 0.3em; }
h2 { font-size: 1.5rem; border-bottom: 1px solid var(--line); padding-bottom: 0.2em; }
h3 { font-size: 1.2rem; }
a.anchor-link { visibility: hidden; margin-left: 0.4em; text-decoration: none; color: var(--muted); }
h1:hover a.anchor-link, h2:hover a.anchor-link, h3:hover a.anchor-link, h4:hover a.anchor-link { visibility: visible; }
blockquote { margin: 1em 0; padding: 0.2em 1em; border-left: 4px solid var(--line); color: var(--muted); }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.85rem; line-height: 1.4; display: block; overflow-x: auto;
        max-width: 100%; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 0.25em 0.45em; text-align: left; vertical-align: top; }
td.nowrap, th.nowrap, td .katex, th .katex { white-space: nowrap; }
th { background: var(--code-bg); }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.88em; }
p code, li code, td code { background: var(--code-bg); padding: 0.1em 0.3em; border-radius: 3px; }
pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.84rem;
      line-height: 1.45; margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.text_cell_render pre { background: var(--code-bg); border: 1px solid var(--line); border-radius: 6px; padding: 0.7em 0.9em;
      white-space: pre; overflow-x: auto; }
.text_cell_render pre code { background: none; padding: 0; font-size: 1em; }
.cell { margin: 0.9em 0; }
.code_cell .input_area { background: var(--code-bg); border: 1px solid var(--line); border-radius: 6px; padding: 0.6em 0.9em; }
.code_cell .input_area .highlight { background: none; }
details.code-fold > summary { cursor: pointer; color: var(--muted); font-size: 0.9rem; margin: 0.2em 0; }
details.code-fold[open] > summary { margin-bottom: 0.4em; }
.output_wrapper { margin-top: 0.35em; }
.output_subarea { padding: 0.3em 0.9em; overflow-x: auto; }
.output_text pre, .output_stream pre { color: #24292f; }
.output_stderr { background: #fff8e6; border-left: 3px solid #e0a800; }
.output_error { background: #fdecea; border-left: 3px solid #c62828; }
.output_png img, .output_jpeg img, .output_svg img, .output_html img { max-width: 100%; height: auto; }
.output_html table { display: table; }
.math.tex { font-family: "DejaVu Serif", "Latin Modern Math", "STIX Two Math", Cambria, serif; font-size: 0.95em;
        color: #3b3b8f; overflow-wrap: anywhere; }
.math.display { display: block; margin: 0.8em 0; overflow-x: auto; overflow-y: hidden; }
.math.tex.display { padding: 0.5em 1em; text-align: center; background: #f7f7fc; border-radius: 6px; }
.katex { font-size: 1.1em; }
.katex-display { margin: 0.4em 0; }
.katex-error { color: #c62828; }
nav.site-nav li.folder { margin: 0.8rem 0.5rem 0.2rem; color: var(--muted); font-weight: 600; text-transform: capitalize; }
p.fig-cap { margin: 0.2em 0 0; color: var(--muted); font-size: 0.9rem; font-style: italic; }
img { max-width: 100%; }
@media (max-width: 800px) {
  nav.site-nav { position: static; width: auto; border-right: none; border-bottom: 1px solid var(--line); }
  main { margin-left: 0; padding: 1rem; }
}
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="{generator}">
<title>{title} – {site}</title>
{head}<style>{css}</style>
<style>{pygments}</style>
</head>
<body>
<nav class="site-nav" id="site-nav" aria-label="pages">
<a class="site-title" href="{home}">{site}</a>
<ul>
{nav}
</ul>
<p class="note">Offline build of the notebooks (stored outputs; {mathnote}).</p>
</nav>
<main>
<article id="content" data-page="{fname}">
{body}
</article>
</main>
</body>
</html>
"""


def notebooks(nbs):
    "nbs/**/*.ipynb as nbdev publishes them (no `_`/`.` files or folders): index first, then by name, subfolders after."
    files = [p for p in nbs.rglob('*.ipynb')
             if not any(part.startswith(('.', '_')) for part in p.relative_to(nbs).parts)]
    return sorted(files, key=lambda p: (p.relative_to(nbs) != Path('index.ipynb'), len(p.relative_to(nbs).parts) > 1,
                                        p.relative_to(nbs).as_posix()))


def rel(target, page):
    "URL of site path `target` from site path `page` (both posix, relative to the site root)."
    return posixpath.relpath(target, posixpath.dirname(page) or '.')


def nav_html(pages, cur):
    "The navigation list, with folder headings for pages in subfolders of nbs/."
    items, folder = [], ''
    for site_path, _, t in pages:
        d = posixpath.dirname(site_path)
        if d != folder:
            folder = d
            if d: items.append(f'<li class="folder">{html.escape(d)}</li>')
        attr = ' class="current" aria-current="page"' if site_path == cur else ''
        items.append(f'<li><a href="{rel(site_path, cur)}"{attr}>{html.escape(t)}</a></li>')
    return '\n'.join(items)


def find_math(quiet=False):
    "(node, katex folder) for the math, saying which KaTeX it found."
    node, kdir = find_katex()
    kfile = _katex_file(kdir, ['katex.js', 'katex.min.js'])
    ver = re.search(r'version\s*[:=]\s*["\']([\d.]+)', kfile.read_text(encoding='utf-8', errors='replace')[-20000:])
    if not quiet: print(f'math: KaTeX {ver.group(1) if ver else "?"} from {kfile} under {node}')
    return node, kdir


def read_pages(files, nbs):
    "[(site path, notebook, title)] of the notebook files; a file that cannot be read is skipped, with a note."
    pages = []
    for f in files:
        try:
            with warnings.catch_warnings(record=True) as ws:
                warnings.simplefilter('always')
                nb = nbformat.read(f, as_version=4)
            for w in {str(w.message).split('.')[0] for w in ws}: print(f'note: {f.name}: {w}', file=sys.stderr)
        except Exception as e:      # a notebook being written by someone else right now: skip it, say so
            print(f'SKIP {f.name}: cannot read ({type(e).__name__}: {e})', file=sys.stderr); continue
        site_path = f.relative_to(nbs).with_suffix('.html').as_posix()
        pages.append((site_path, nb, nb_title(nb, f.stem)))
    return pages


def fill_math(body, rs, site_path):
    "The body with each math placeholder replaced by KaTeX's HTML `rs` (display math in its own span)."
    def sub(m, rs=rs):
        h = rs[int(m.group(2))]['html']
        return f'<span class="math display">{h}</span>' if m.group(1) == 'display' else h  # may sit in a <p>
    body = _re_math_ph.sub(sub, body)
    if 'data-katex=' in body: raise RuntimeError(f'{site_path}: a math placeholder was not replaced')
    return body


def page_html(site_path, title, body, pages, site, pyg, css_path, math):
    "The whole page: the shell (navigation, stylesheets) around the body; it must load nothing remote."
    head = f'<link rel="stylesheet" href="{rel(css_path, site_path)}">\n' if css_path else ''
    page = PAGE.format(title=html.escape(title), site=html.escape(site), css=CSS, pygments=pyg, head=head,
                       home=rel('index.html', site_path), nav=nav_html(pages, site_path), fname=site_path,
                       body=body, generator=GENERATOR,
                       mathnote='math rendered by KaTeX' if math else 'math shown as TeX source')
    left, _ = strip_remote(page)
    if left != page: raise RuntimeError(f'{site_path}: remote resource left in the page shell')
    return page


def remove_stale(out, written):
    "Remove the pages of notebooks that are gone (only pages this script wrote)."
    for stale in set(out.rglob('*.html')) - set(written):
        if GENERATOR in stale.read_text(encoding='utf-8', errors='replace')[:2000]:
            stale.unlink(); print(f'removed stale {stale}')


def write_pages(out, pages, bodies, maths, rendered, notes, site, css_path, math, quiet):
    "Write each page (KaTeX's HTML in place of its math placeholders), saying what was written; (written, n_math, n_err)."
    pyg = HtmlFormatter(style='default').get_style_defs('.highlight')
    written, n_math, n_err = [], 0, 0
    for (site_path, nb, title), body, ms, rs, (n_remote, dropped) in zip(pages, bodies, maths, rendered, notes):
        errs = [(ms[i][0], r['error']) for i, r in enumerate(rs) if r['error']]
        if math: body = fill_math(body, rs, site_path)
        n_math += len(ms); n_err += len(errs)
        page = page_html(site_path, title, body, pages, site, pyg, css_path, math)
        dest = out / site_path
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(page, encoding='utf-8')
        written.append(dest)
        if not quiet:
            note = f'  (removed {n_remote} remote resource tag(s))' if n_remote else ''
            note += f'  (dropped {dropped} widget output(s))' if dropped else ''
            note += f'  {len(ms)} equations' if ms else ''
            print(f'{site_path:28s} -> {dest}  {len(page) // 1024} KB  "{title}"{note}')
        for tex, e in errs:
            t = ' '.join(tex.split())
            print(f'  KATEX ERROR in {site_path}: {e}  [TeX: {t[:160]}{"…" if len(t) > 160 else ""}]')
    return written, n_math, n_err


def build(out, nbs, site='langsam_nb', quiet=False, math=True):
    t0 = time.time()
    out.mkdir(parents=True, exist_ok=True)
    files = notebooks(nbs)
    if not files: raise FileNotFoundError(f'no notebooks in {nbs}')
    if files[0].stem != 'index': print(f'warning: no index.ipynb in {nbs}', file=sys.stderr)
    node, kdir = find_math(quiet) if math else (None, None)
    pages = read_pages(files, nbs)
    exporter = make_exporter(math)
    bodies, maths, notes = [], [], []
    for (site_path, nb, title), f in zip(pages, [f for f in files]):
        body, ms, note = render_page(exporter, nb, site_path, f)
        bodies.append(body); maths.append(ms); notes.append(note)
    t_conv = time.time()
    rendered = katex_render(maths, node, kdir) if math else [[] for _ in maths]
    css_path = None
    if math: css_path = copy_katex_assets(kdir, out).relative_to(out).as_posix()
    written, n_math, n_err = write_pages(out, pages, bodies, maths, rendered, notes, site, css_path, math, quiet)
    remove_stale(out, written)
    if not quiet:
        print(f'{n_math} equations ({n_err} KaTeX errors); convert {t_conv - t0:.1f} s, '
              f'math {time.time() - t_conv:.1f} s')
    return written


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('out', nargs='?', default=str(ROOT / '_site'), help='output folder (default: _site)')
    ap.add_argument('--nbs', default=str(ROOT / 'nbs'), help='notebook folder (default: nbs)')
    ap.add_argument('--quiet', action='store_true')
    ap.add_argument('--no-math', action='store_true', help='keep TeX as text (no node/KaTeX needed)')
    a = ap.parse_args(argv)
    t0 = time.time()
    written = build(Path(a.out), Path(a.nbs), quiet=a.quiet, math=not a.no_math)
    print(f'built {len(written)} pages into {a.out} in {time.time() - t0:.1f} s')


if __name__ == '__main__': main()