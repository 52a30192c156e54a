#!/usr/bin/env python
"""One notebook as the body of an offline HTML page, for tools/build_html.py (which assembles the site around it).

`prepare` shows a notebook as nbdev would (hidden cells dropped, directives stripped, figure captions and alt texts
from `#| fig-cap:` / `#| fig-alt:`, widget views dropped); nbconvert's HTMLExporter renders it from the stored outputs,
its markdown leaving a placeholder for each equation (filled in by KaTeX at site level); then the body's table cells
that must stay on one line get `nowrap`, `#| code-fold: true` code is folded into <details>, headings get Quarto's ids
and remote resources are removed. `render_page` does all of it for one page.
"""
import base64, copy, html, mimetypes, re, sys
from pathlib import Path

import nbformat, yaml
from jinja2 import pass_context
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[1]

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


def render_page(exporter, nb, site_path, f):
    "The HTML body of notebook `nb` (file `f`, page `site_path`), its math [(tex, display)] as placeholders in the body,\n"
    "and (remote tags removed, widget outputs dropped)."
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
    return body, exporter.math, (n_remote, dropped)
