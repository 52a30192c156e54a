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

Usage: .venv/bin/python tools/build_html.py [OUT_DIR] [--nbs NBS_DIR] [--no-math]     (OUT_DIR defaults to _site)
"""
import argparse, base64, copy, html, mimetypes, json, os, posixpath, re, shutil, subprocess, sys, time, warnings
from pathlib import Path

import nbformat, yaml
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
WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'
WIDGET_STATE = 'application/vnd.jupyter.widget-state+json'
KATEX_DIRS = [ROOT / 'tools' / 'katex' / 'node_modules' / 'katex', Path('/usr/share/javascript/katex')]
KATEX_JS = ROOT / 'tools' / 'katex' / 'render.js'
KATEX_HINT = 'install node and run `npm ci --prefix tools/katex` (or apt-get install -y nodejs libjs-katex)'
STATIC = '_static'
FIG_MIMES = ('image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/svg+xml')
_re_math_ph = re.compile(r'<span class="math (inline|display)" data-katex="(\d+)"\s*(?:/>|></span>)')


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


def cell_option(d, name, where=''):
    "A Quarto cell option of directives `d` as Quarto reads it (the value is YAML) as a list of strings, or None."
    if not d.get(name): return None
    try: v = yaml.safe_load(d[name])
    except yaml.YAMLError as e:
        raise ValueError(f'{where}: `#| {name}: {d[name][:60]}` is not valid YAML (Quarto reads cell options as YAML; '
                         f'quote the caption and double any backslash): {" ".join(str(e).split())[:200]}') from None
    if v is None: return None
    return [str(x) for x in v] if isinstance(v, list) else [str(v)]


def pick(xs, i):
    "Item i of a list of captions (a single caption serves every figure of the cell), or None."
    return None if not xs else xs[i] if i < len(xs) else xs[-1] if len(xs) == 1 else None


def plain_text(md):
    "A caption's markdown as plain text for an alt attribute: link targets, code and emphasis marks dropped, TeX read aloud-ish."
    s = re.sub(r'!?\[([^\]]*)\]\([^)]*\)', r'\1', md)
    s = re.sub(r'\$+([^$]+?)\$+', lambda m: re.sub(r'\\([A-Za-z]+)\s*', r'\1 ', m.group(1)).replace('{', '').replace('}', ''), s)
    s = re.sub(r'`([^`]*)`', r'\1', s)
    s = re.sub(r'(?<!\w)(\*\*?|__?)(?=\S)|(?<=\S)(\*\*?|__?)(?!\w)', '', s)
    return ' '.join(s.split())


def clean_outputs(outputs):
    "Outputs without Jupyter widget views (dropped when nothing but text/plain is left), text/latex-only as markdown."
    out, dropped = [], 0
    for o in outputs:
        d = o.get('data')
        if d is not None and WIDGET_VIEW in d:
            d.pop(WIDGET_VIEW)
            if not set(d) - {'text/plain'}: dropped += 1; continue      # a widget's text/plain is its repr: no use
        if d is not None and 'text/latex' in d and not set(d) & {'text/html', 'text/markdown', 'image/svg+xml',
                                                                 'image/png', 'image/jpeg'}:
            d['text/markdown'] = d.pop('text/latex')      # rendered through the markdown filter, i.e. as math
        out.append(o)
    return out, dropped


def prepare(nb, name='notebook'):
    "A copy of `nb` as nbdev would show it: hidden cells dropped, directives stripped, figure captions and alt texts added."
    nb = copy.deepcopy(nb)
    nb.metadata.pop('widgets', None)          # stored widget state: only a live widget manager could use it
    nb.metadata['_dropped_widgets'], nb.metadata['_no_alt'] = 0, []
    cells = []
    for k, c in enumerate(nb.cells):
        if c.cell_type == 'raw': continue
        if c.cell_type != 'code':
            cells.append(c); continue
        d, where = directives(c.source), f'{name}: cell {k}'
        if d.keys() & HIDE_DIRS or d.get('include', '').lower() == 'false': continue
        c.source = strip_directives(c.source)
        c.metadata.pop('tags', None)
        tags = []
        if d.get('echo', '').lower() == 'false' or not c.source: tags.append('nb-no-input')
        elif d.get('code-fold', '').lower() == 'true':        # Quarto's folded code: shown on a click, `code-summary` its label
            tags.append('nb-code-fold'); c.metadata['code_summary'] = d.get('code-summary', 'Code').strip('"\'') or 'Code'
        if d.get('output', '').lower() == 'false': tags.append('nb-no-output')
        if d.get('eval', '').lower() == 'false': c.outputs = []
        c.outputs, n = clean_outputs(c.get('outputs', []))
        nb.metadata['_dropped_widgets'] += n
        figs = [o for o in c.outputs if set(o.get('data') or {}) & set(FIG_MIMES)]
        caps, alts = cell_option(d, 'fig-cap', where), cell_option(d, 'fig-alt', where)
        for i, o in enumerate(figs):      # alt text: fig-alt, else the caption, as plain text (each figure of the cell)
            alt = plain_text(pick(alts, i) or pick(caps, i) or '')
            if not alt: nb.metadata['_no_alt'].append(f'cell {k}'); continue
            for m in set(o['data']) & set(FIG_MIMES): o.setdefault('metadata', {}).setdefault(m, {})['alt'] = alt
        if caps and c.outputs:                 # under the cell's last figure (as Quarto places it), else after the outputs
            at = next(j for j, o in enumerate(c.outputs) if o is figs[-1]) + 1 if figs else len(c.outputs)
            for j, cap in enumerate(caps):
                cap = re.sub(r'`([^`]+)`', r'<code>\1</code>', html.escape(cap))     # Quarto reads captions as markdown
                c.outputs.insert(at + j, nbformat.v4.new_output('display_data', data={'text/html': f'<p class="fig-cap">{cap}</p>'}))
        if not c.source and not c.outputs: continue
        if tags: c.metadata['tags'] = tags
        cells.append(c)
    nb.cells = cells
    return nb


class MathRenderer(IPythonRenderer):
    "Markdown renderer that collects math into `self.math` [(tex, display)] and leaves a placeholder for KaTeX's HTML."
    def __init__(self, math, **kw):
        super().__init__(**kw); self.math = math
    def _ph(self, tex, display):
        self.math.append((tex, display))
        kind = 'display' if display else 'inline'
        return f'<span class="math {kind}" data-katex="{len(self.math) - 1}"></span>'
    def _src_to_base64(self, src):
        "Embed a local image anywhere under nbs/ (nbconvert's own check allows only the notebook's folder, and the pages of\n"
        "nbs/peers/ show nbs/images/ files as ../images/...)."
        p = (Path(self.path) / src).resolve()
        if not p.is_file() or not p.is_relative_to((ROOT / 'nbs').resolve()): return None
        mime = mimetypes.guess_type(p.name)[0] or 'application/octet-stream'
        return f"data:{mime};base64,{base64.b64encode(p.read_bytes()).decode('ascii')}"
    def block_math(self, body): return self._ph(body, True)
    def inline_math(self, body): return self._ph(body, False)
    def latex_environment(self, name, body): return self._ph(f'\\begin{{{name}}}{body}\\end{{{name}}}', True)


class TexRenderer(IPythonRenderer):
    "Markdown renderer that keeps TeX as marked-up text (--no-math)."
    def __init__(self, math, **kw): super().__init__(**kw)
    def block_math(self, body): return f'<span class="math tex display">$${self.escape_html(body)}$$</span>'
    def inline_math(self, body): return f'<span class="math tex inline">${self.escape_html(body)}$</span>'
    def latex_environment(self, name, body):
        return f'<span class="math tex display">{super().latex_environment(name, body)}</span>'


class OfflineHTMLExporter(HTMLExporter):
    "nbconvert's HTMLExporter whose markdown collects math for KaTeX (into `self.math`, reset per page)."
    renderer_class = MathRenderer
    math = []

    @pass_context
    def markdown2html(self, context, source):
        cell = context.get('cell', {})
        renderer = self.renderer_class(self.math, escape=False, attachments=cell.get('attachments', {}),
                                       embed_images=self.embed_images,
                                       path=context.get('resources', {}).get('metadata', {}).get('path', ''),
                                       anchor_link_text=self.anchor_link_text,
                                       exclude_anchor_links=self.exclude_anchor_links)
        return MarkdownWithMath(renderer=renderer).render(source)


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


def make_exporter(math=True):
    "nbconvert's body-only ('basic') HTML exporter, no prompts, images embedded, nbdev-style input/output hiding."
    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_input_tags = {'nb-no-input'}
    c.TagRemovePreprocessor.remove_all_outputs_tags = {'nb-no-output'}
    ex = OfflineHTMLExporter(config=c, template_name='basic', embed_images=True,
                             exclude_input_prompt=True, exclude_output_prompt=True, anchor_link_text='#')
    ex.renderer_class = MathRenderer if math else TexRenderer
    return ex


_re_cell = re.compile(r'<(td|th)\b([^>]*)>(.*?)</\1\s*>', re.S | re.I)
_NUMCH = r'\s\d.,:;%+\-\u2212\u2013\u00b1\u00d7*/()\[\]<>=\u2248~\u2020\u2021\u00a7'   # with footnote marks * † ‡ §
_re_numeric = re.compile(f'^[{_NUMCH}]*\\d[{_NUMCH}]*$')


def mark_cells(body, math=()):
    "Table cells that must stay on one line get the class `nowrap` (tools/check_pages.py fails on a value broken over\n"
    "lines): a numeric cell (digits with signs, ., %, ±, ×, brackets, marks * † ‡, e.g. `-1.17 ± 3.22*`, `+0.09 [-0.23, +0.41]`)\n"
    "and a cell whose text has no space (`MTSAM-ToRA`, `assign-1e-1`). Math placeholders count as their TeX."
    def sub(m):
        tag, attrs, inner = m.groups()
        if re.search(r'<br\b|<table\b', inner, re.I): return m.group(0)     # a deliberate line break; a nested table
        inner_txt = _re_math_ph.sub(lambda p: math[int(p.group(2))][0] if int(p.group(2)) < len(math) else 'x', inner)
        text = ' '.join(html.unescape(re.sub(r'<[^>]+>', '', inner_txt)).split())
        if not text or not (_re_numeric.match(text) or ' ' not in text): return m.group(0)
        cm = re.search(r'\bclass\s*=\s*(["\'])(.*?)\1', attrs, re.S)
        attrs = (attrs[:cm.start(2)] + cm.group(2) + ' nowrap' + attrs[cm.end(2):]) if cm else attrs + ' class="nowrap"'
        return f'<{tag}{attrs}>{inner}</{tag}>'
    return _re_cell.sub(sub, body)


_re_fold_cell = re.compile(r'<div class="cell [^"]*celltag_nb-code-fold[^"]*"[^>]*>')
_re_div = re.compile(r'<(/?)div\b', re.I)


def fold_code(body, summaries):
    "Wrap the input of each cell tagged `nb-code-fold` in <details> (closed), labelled by its summary, in page order."
    out, pos, k = [], 0, 0
    for m in _re_fold_cell.finditer(body):
        start = body.find('<div class="input">', m.end())
        if start < 0: raise RuntimeError('a folded cell without an input block')
        depth, end = 0, None
        for d in _re_div.finditer(body, start):            # the end of the input block: its div's matching </div>
            depth += -1 if d.group(1) else 1
            if depth == 0: end = body.index('>', d.end()) + 1; break
        if end is None: raise RuntimeError('unbalanced <div> in a folded cell')
        label = html.escape(summaries[k] if k < len(summaries) else 'Code'); k += 1
        out += [body[pos:start], f'<details class="code-fold"><summary>{label}</summary>', body[start:end], '</details>']
        pos = end
    return ''.join(out + [body[pos:]])


_re_heading = re.compile(r'<h([1-6]) id="([^"]*)"(.*?)</h\1>', re.S)
_re_anchor_link = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)


def pandoc_id(text):
    "The id Quarto (pandoc) gives a heading: its text lowercased, punctuation but _ - . dropped, spaces as hyphens, from the first letter."
    t = ''.join(ch for ch in text.lower() if ch.isalnum() or ch in '_-. ')
    t = re.sub(r'\s+', '-', t.strip())
    t = re.sub(r'^[^a-z\u00e0-\uffff]+', '', t)
    return t or 'section'


def quarto_ids(body):
    "Give the headings Quarto's ids (nbconvert keeps the case and the punctuation), so that `[text](#id)` links work on both sites."
    ren, seen = {}, {}
    for m in _re_heading.finditer(body):
        text = html.unescape(re.sub(r'<[^>]+>', '', _re_anchor_link.sub('', m.group(3))))
        new = pandoc_id(text); n = seen.get(new, 0); seen[new] = n + 1
        ren[m.group(2)] = new if n == 0 else f'{new}-{n}'
    if not ren: return body
    pat = re.compile(r'((?:id|href)=")(#?)(' + '|'.join(re.escape(k) for k in sorted(ren, key=len, reverse=True)) + r')(")')
    return pat.sub(lambda m: m.group(1) + m.group(2) + ren[m.group(3)] + m.group(4) if m.group(2) or m.group(1) == 'id="' else m.group(0), body)


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


def build(out, nbs, site='langsam_nb', quiet=False, math=True):
    t0 = time.time()
    out.mkdir(parents=True, exist_ok=True)
    files = notebooks(nbs)
    if not files: raise FileNotFoundError(f'no notebooks in {nbs}')
    if files[0].stem != 'index': print(f'warning: no index.ipynb in {nbs}', file=sys.stderr)
    node = kdir = None
    if math:
        node, kdir = find_katex()
        kfile = _katex_file(kdir, ['katex.js', 'katex.min.js'])
        ver = re.search(r'version\s*[:=]\s*["\']([\d.]+)', kfile.read_text(encoding='utf-8', errors='replace')[-20000:])
        if not quiet: print(f'math: KaTeX {ver.group(1) if ver else "?"} from {kfile} under {node}')
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
    exporter = make_exporter(math)
    pyg = HtmlFormatter(style='default').get_style_defs('.highlight')
    bodies, maths, notes = [], [], []
    for (site_path, nb, title), f in zip(pages, [f for f in files]):
        exporter.math = []
        nbp = prepare(nb, site_path)
        dropped = nbp.metadata.pop('_dropped_widgets', 0)
        no_alt = nbp.metadata.pop('_no_alt', [])
        if no_alt: print(f'warning: {site_path}: figure(s) without `#| fig-cap:` or `#| fig-alt:`, hence without alt text: '
                         f'{", ".join(no_alt)}', file=sys.stderr)
        body, _ = exporter.from_notebook_node(nbp, resources={'metadata': {'path': str(f.parent), 'name': f.stem}})
        body, n_remote = strip_remote(body)
        body = _re_ipynb_href.sub(r'\1\2.html', body)      # links between notebooks point at the pages
        body = mark_cells(body, exporter.math)
        body = fold_code(body, [c.metadata['code_summary'] for c in nbp.cells if 'nb-code-fold' in c.metadata.get('tags', ())])
        body = quarto_ids(body)
        bodies.append(body); maths.append(exporter.math)
        notes.append((n_remote, dropped))
    t_conv = time.time()
    rendered = katex_render(maths, node, kdir) if math else [[] for _ in maths]
    css_path = None
    if math: css_path = copy_katex_assets(kdir, out).relative_to(out).as_posix()
    written, n_math, n_err = [], 0, 0
    for (site_path, nb, title), body, ms, rs, (n_remote, dropped) in zip(pages, bodies, maths, rendered, notes):
        errs = [(ms[i][0], r['error']) for i, r in enumerate(rs) if r['error']]
        if math:
            def sub(m, rs=rs):
                h = rs[int(m.group(2))]['html']
                return f'<span class="math display">{h}</span>' if m.group(1) == 'display' else h  # may sit in a <p>
            body = _re_math_ph.sub(sub, body)
            if 'data-katex=' in body: raise RuntimeError(f'{site_path}: a math placeholder was not replaced')
        n_math += len(ms); n_err += len(errs)
        head = f'<link rel="stylesheet" href="{rel(css_path, site_path)}">\n' if css_path else ''
        page = PAGE.format(title=html.escape(title), site=html.escape(site), css=CSS, pygments=pyg, head=head,
                           home=rel('index.html', site_path), nav=nav_html(pages, site_path), fname=site_path,
                           body=body, generator=GENERATOR,
                           mathnote='math rendered by KaTeX' if math else 'math shown as TeX source')
        left, _ = strip_remote(page)
        if left != page: raise RuntimeError(f'{site_path}: remote resource left in the page shell')
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
    for stale in set(out.rglob('*.html')) - set(written):     # pages of notebooks that are gone (only our own pages)
        if GENERATOR in stale.read_text(encoding='utf-8', errors='replace')[:2000]:
            stale.unlink(); print(f'removed stale {stale}')
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
