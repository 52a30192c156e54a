#!/usr/bin/env python
"""Offline HTML build of the notebooks in nbs/, for testing pages in a headless browser.

The real docs site is built by Quarto (`nbdev_docs`, see nbs/_quarto.yml); this script needs no Quarto and no network.
It renders every nbs/*.ipynb (index first, then in name order) with nbconvert's HTMLExporter from the STORED outputs
(nothing is executed), hides what nbdev hides, adds a left navigation bar and a small local stylesheet, and writes one
self-contained page per notebook (images embedded as base64; no remote scripts, stylesheets or images).

Math: no offline MathJax/KaTeX copy ships with nbconvert or jupyterlab (nbconvert's template loads MathJax from a CDN;
jupyterlab bundles MathJax inside its webpack chunks, not as a standalone script), so TeX is left as readable text.

Usage: .venv/bin/python tools/build_html.py [OUT_DIR] [--nbs NBS_DIR]     (OUT_DIR defaults to _site)
"""
import argparse, copy, html, re, sys
from pathlib import Path

import nbformat
from jinja2 import pass_context
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from pygments.formatters import HtmlFormatter
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = 'tools/build_html.py (offline build; the published site is built by Quarto)'

# nbdev directives (`#| name` or `#| name: value`); nbdev parses them from the top of a code cell.
_re_directive = re.compile(r'^\s*#\|\s*([\w-]+):?\s*(.*?)\s*$')
_re_hide_line = re.compile(r'#\|\s*hide_line\s*$')
HIDE_DIRS = {'hide', 'default_exp'}          # whole cell dropped (nbdev also drops these from the docs)
# Remote resources a page must not load: <script src=//...>, <link href=//...>, <img src=//...>, <iframe ...>.
_re_remote_script = re.compile(r'<script\b[^>]*\bsrc\s*=\s*["\']?(?:https?:)?//[^>]*>.*?</script\s*>', re.I | re.S)
_re_remote_tag = re.compile(r'<(?:link|img|iframe|embed|source|audio|video)\b[^>]*\b(?:src|href)\s*=\s*["\']?(?:https?:)?//[^>]*>', re.I)
_re_ipynb_href = re.compile(r'(href=["\'])(?!https?:|//)([^"\'#]+?)\.ipynb(?=["\'#])')


def directives(src):
    "The nbdev directives of a cell, {name: value}, read from the leading comment lines."
    out = {}
    for line in src.splitlines():
        if not line.strip(): continue
        m = _re_directive.match(line)
        if m: out[m.group(1).lower()] = m.group(2)
        elif not line.lstrip().startswith('#'): break
    return out


def strip_directives(src):
    "Source without `#|` directive lines and without lines marked `#| hide_line`."
    lines = [l for l in src.splitlines() if not _re_directive.match(l)]
    lines = [l for l in lines if not _re_hide_line.search(l)]
    return '\n'.join(lines).strip('\n')


def nb_title(nb, default):
    "The first H1 of the notebook's markdown cells."
    for c in nb.cells:
        if c.cell_type != 'markdown': continue
        for line in c.source.splitlines():
            m = re.match(r'^#\s+(.+?)\s*#*\s*$', line)
            if m: return re.sub(r'`|\*\*?(?=\S)|(?<=\S)\*\*?', '', m.group(1))     # drop code/emphasis marks
    return default


def prepare(nb):
    "A copy of `nb` as nbdev would show it: hidden cells dropped, directives stripped, figure captions added."
    nb = copy.deepcopy(nb)
    cells = []
    for c in nb.cells:
        if c.cell_type == 'raw': continue
        if c.cell_type != 'code':
            cells.append(c); continue
        d = directives(c.source)
        if d.keys() & HIDE_DIRS or d.get('include', '').lower() == 'false': continue
        c.source = strip_directives(c.source)
        c.metadata.pop('tags', None)
        tags = []
        if d.get('echo', '').lower() == 'false' or not c.source: tags.append('nb-no-input')
        if d.get('output', '').lower() == 'false': tags.append('nb-no-output')
        if d.get('eval', '').lower() == 'false': c.outputs = []
        if 'fig-cap' in d and c.outputs:
            cap = d['fig-cap'].strip().strip('"\'')
            cap = re.sub(r'`([^`]+)`', r'<code>\1</code>', html.escape(cap))     # Quarto reads captions as markdown
            c.outputs.append(nbformat.v4.new_output('display_data', data={'text/html': f'<p class="fig-cap">{cap}</p>'}))
        if not c.source and not c.outputs: continue
        if tags: c.metadata['tags'] = tags
        cells.append(c)
    nb.cells = cells
    return nb


class TexRenderer(IPythonRenderer):
    "Markdown renderer that keeps TeX as text (no offline MathJax/KaTeX) but marks it up so CSS can set it apart."
    def block_math(self, body): return f'<span class="math display">$${self.escape_html(body)}$$</span>'
    def inline_math(self, body): return f'<span class="math inline">${self.escape_html(body)}$</span>'
    def latex_environment(self, name, body):
        return f'<span class="math display">{super().latex_environment(name, body)}</span>'


class OfflineHTMLExporter(HTMLExporter):
    "nbconvert's HTMLExporter whose markdown keeps math as marked-up TeX text."
    @pass_context
    def markdown2html(self, context, source):
        cell = context.get('cell', {})
        renderer = TexRenderer(escape=False, attachments=cell.get('attachments', {}), embed_images=self.embed_images,
                               path=context.get('resources', {}).get('metadata', {}).get('path', ''),
                               anchor_link_text=self.anchor_link_text, exclude_anchor_links=self.exclude_anchor_links)
        return MarkdownWithMath(renderer=renderer).render(source)


def make_exporter():
    "nbconvert's body-only ('basic') HTML exporter, no prompts, images embedded, nbdev-style input/output hiding."
    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_input_tags = {'nb-no-input'}
    c.TagRemovePreprocessor.remove_all_outputs_tags = {'nb-no-output'}
    return OfflineHTMLExporter(config=c, template_name='basic', embed_images=True,
                               exclude_input_prompt=True, exclude_output_prompt=True, anchor_link_text='#')


def strip_remote(body):
    "Remove tags that would load remote resources; returns (body, number removed)."
    body, n1 = _re_remote_script.subn('', body)
    body, n2 = _re_remote_tag.subn('', body)
    return body, n1 + n2


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
table { border-collapse: collapse; margin: 1em 0; font-size: 0.92rem; display: block; overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid var(--line); padding: 0.3em 0.7em; text-align: left; vertical-align: top; }
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
.output_wrapper { margin-top: 0.35em; }
.output_subarea { padding: 0.3em 0.9em; overflow-x: auto; }
.output_text pre, .output_stream pre { color: #24292f; }
.output_stderr { background: #fff8e6; border-left: 3px solid #e0a800; }
.output_error { background: #fdecea; border-left: 3px solid #c62828; }
.output_png img, .output_jpeg img, .output_svg img, .output_html img { max-width: 100%; height: auto; }
.output_html table { display: table; }
.math { font-family: "DejaVu Serif", "Latin Modern Math", "STIX Two Math", Cambria, serif; font-size: 0.95em;
        color: #3b3b8f; overflow-wrap: anywhere; }
.math.display { display: block; margin: 0.8em 0; padding: 0.5em 1em; text-align: center; background: #f7f7fc;
        border-radius: 6px; overflow-x: auto; }
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
<style>{css}</style>
<style>{pygments}</style>
</head>
<body>
<nav class="site-nav" id="site-nav" aria-label="pages">
<a class="site-title" href="index.html">{site}</a>
<ul>
{nav}
</ul>
<p class="note">Offline build of the notebooks (stored outputs; math shown as TeX source).</p>
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
    "nbs/*.ipynb with index first, then in name order."
    files = sorted(p for p in nbs.glob('*.ipynb') if not p.name.startswith(('.', '_')))
    return sorted(files, key=lambda p: (p.stem != 'index', p.name))


def build(out, nbs, site='langsam_nb', quiet=False):
    out.mkdir(parents=True, exist_ok=True)
    files = notebooks(nbs)
    if not files: raise FileNotFoundError(f'no notebooks in {nbs}')
    if files[0].stem != 'index': print(f'warning: no index.ipynb in {nbs}', file=sys.stderr)
    pages = []
    for f in files:
        try: nb = nbformat.read(f, as_version=4)
        except Exception as e:      # a notebook being written by someone else right now: skip it, say so
            print(f'SKIP {f.name}: cannot read ({type(e).__name__}: {e})', file=sys.stderr); continue
        pages.append((f, nb, nb_title(nb, f.stem)))
    exporter = make_exporter()
    pyg = HtmlFormatter(style='default').get_style_defs('.highlight')
    written = []
    for f, nb, title in pages:
        fname = f.stem + '.html'
        cur = ' class="current" aria-current="page"'
        nav = '\n'.join(f'<li><a href="{g.stem}.html"{cur if g == f else ""}>{html.escape(t)}</a></li>'
                        for g, _, t in pages)
        body, _ = exporter.from_notebook_node(prepare(nb), resources={'metadata': {'path': str(f.parent), 'name': f.stem}})
        body, n_remote = strip_remote(body)
        body = _re_ipynb_href.sub(r'\1\2.html', body)      # links between notebooks point at the pages
        page = PAGE.format(title=html.escape(title), site=html.escape(site), css=CSS, pygments=pyg,
                           nav=nav, fname=fname, body=body, generator=GENERATOR)
        left, _ = strip_remote(page)
        if left != page: raise RuntimeError(f'{fname}: remote resource left in the page shell')
        (out / fname).write_text(page, encoding='utf-8')
        written.append(out / fname)
        if not quiet:
            note = f'  (removed {n_remote} remote resource tag(s))' if n_remote else ''
            print(f'{f.name:28s} -> {out / fname}  {len(page) // 1024} KB  "{title}"{note}')
    for stale in set(out.glob('*.html')) - set(written):     # pages of notebooks that are gone (only our own pages)
        if GENERATOR in stale.read_text(encoding='utf-8', errors='replace')[:2000]:
            stale.unlink(); print(f'removed stale {stale}')
    return written


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('out', nargs='?', default=str(ROOT / '_site'), help='output folder (default: _site)')
    ap.add_argument('--nbs', default=str(ROOT / 'nbs'), help='notebook folder (default: nbs)')
    ap.add_argument('--quiet', action='store_true')
    a = ap.parse_args(argv)
    written = build(Path(a.out), Path(a.nbs), quiet=a.quiet)
    print(f'built {len(written)} pages into {a.out}')


if __name__ == '__main__': main()
